// The entry log over USB, for gates without an uplink (spec/tools.md "Working with a flashed
// board"): `qrgate logs pull` reads the unacknowledged records from the board's console as the
// Batches the Wi-Fi uplink would post; `qrgate collector import` stores them (each (gate, seq)
// once) and writes a receipt; `qrgate logs ack` hands the receipt to the board, which then lets go
// of exactly the records the receipt names with the bytes it names. Nothing leaves the gate's
// flash before it is in the collector's database.
//
// Files:
//  - batches (logs pull --out): log.proto Batch messages, each preceded by its length as a
//    varint (protobuf's length-delimited stream, protobufjs encodeDelimited/decodeDelimited);
//  - receipt (collector import --receipt): JSON {"receipt":"qrgate-import/1","db","at",
//    "gates":{GATE_ID:[[seq,tag],...]}}: the records the database holds, tag = the first 16 hex
//    digits of SHA-256 of the record's bytes exactly as pulled (the board checks them).
import * as crypto from 'crypto';
import * as protobuf from 'protobufjs';
import { EspruinoClient, BoardError } from './client';

export class LogsError extends Error {}

export const RECEIPT_FORMAT = 'qrgate-import/1';

/** Records per pull request, and receipt entries per ack request (console lines stay short). */
const PULL_RECORDS = 20;
const ACK_RECORDS = 40;

export interface Receipt {
  receipt: string;
  db: string;
  at: string;
  gates: { [gateId: string]: [number, string][] };
}

/** The tag a receipt gives a record: SHA-256 of its bytes, first 8 bytes as hex. */
export function recordTag(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** A batches file from Batch messages. */
export function encodeBatchFile(batches: Uint8Array[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const b of batches) w.bytes(b); // a varint length, then the bytes
  return w.finish();
}

/** The Batch messages of a batches file; throws Error when it is not one. */
export function decodeBatchFile(file: Uint8Array): Uint8Array[] {
  const r = protobuf.Reader.create(file);
  const out: Uint8Array[] = [];
  while (r.pos < r.len) out.push(new Uint8Array(r.bytes()));
  return out;
}

/** The seq and exact bytes of each record of a Batch (field 2), as the gate stored them. */
export function batchRecordBytes(body: Uint8Array): { seq: number; bytes: Uint8Array }[] {
  const r = protobuf.Reader.create(body);
  const out: { seq: number; bytes: Uint8Array }[] = [];
  while (r.pos < r.len) {
    const key = r.uint32();
    if (key >>> 3 === 2 && (key & 7) === 2) {
      const bytes = new Uint8Array(r.bytes());
      const rr = protobuf.Reader.create(bytes);
      let seq = 0;
      while (rr.pos < rr.len) {
        const k = rr.uint32();
        if (k === 8) { seq = rr.uint32(); break; }
        rr.skipType(k & 7);
      }
      out.push({ seq, bytes });
    } else r.skipType(key & 7);
  }
  return out;
}

async function checkFirmware(client: EspruinoClient): Promise<void> {
  const has = await client.eval('typeof qgLog=="function"');
  if (!has) {
    throw new LogsError('the board offers no entry log (qgLog): its firmware is older, did not start, or has no valid configuration (qrgate doctor says which)');
  }
}

/** Every unacknowledged record of the board's journal, as Batches (oldest first). */
export async function pullLogs(client: EspruinoClient, onBatch?: (records: number) => void): Promise<{ gateId: string; batches: Uint8Array[]; records: number; first: number | null; last: number | null }> {
  await checkFirmware(client);
  const batches: Uint8Array[] = [];
  let from = 0, records = 0, gateId = '', first: number | null = null, last: number | null = null;
  for (;;) {
    let r: any;
    try {
      r = JSON.parse(await client.eval(`qgLog("pull",${from},${PULL_RECORDS})`, 60000));
    } catch (e: any) {
      if (e instanceof BoardError) throw new LogsError(`the board refused: ${e.message}`);
      throw e;
    }
    gateId = r.gateId;
    if (!r.seqs.length) break;
    batches.push(new Uint8Array(Buffer.from(r.hex, 'hex')));
    records += r.seqs.length;
    if (first === null) first = r.seqs[0];
    last = r.seqs[r.seqs.length - 1];
    from = (last as number) + 1;
    if (onBatch) onBatch(records);
  }
  return { gateId, batches, records, first, last };
}

/** Hands the receipt's records of this board's gate to the board; they may then leave its flash. */
export async function ackLogs(client: EspruinoClient, receipt: Receipt): Promise<{ gateId: string; named: number; acked: number; refused: number; already: number }> {
  await checkFirmware(client);
  const gateId = JSON.parse(await client.eval('qgLog("pull",0,1)')).gateId as string;
  const list = receipt.gates[gateId];
  if (!list) {
    throw new LogsError(`the receipt names no records of this board's gate ${gateId} (it has ${Object.keys(receipt.gates).join(', ') || 'none'})`);
  }
  const sum = { gateId, named: list.length, acked: 0, refused: 0, already: 0 };
  for (let i = 0; i < list.length; i += ACK_RECORDS) {
    const part: (number | string)[] = [];
    for (const [seq, tag] of list.slice(i, i + ACK_RECORDS)) part.push(seq, tag);
    let r: any;
    try {
      r = JSON.parse(await client.eval(`qgLog("ack",${JSON.stringify(gateId)},${JSON.stringify(part)})`, 60000));
    } catch (e: any) {
      if (e instanceof BoardError) throw new LogsError(`the board refused: ${e.message}`);
      throw e;
    }
    sum.acked += r.acked;
    sum.refused += r.refused;
    sum.already += r.already;
  }
  return sum;
}

/** Reads and checks a receipt file's contents. */
export function parseReceipt(text: string): Receipt {
  let r: any;
  try { r = JSON.parse(text); } catch (e: any) { throw new LogsError(`not a receipt (not JSON: ${e.message})`); }
  if (!r || r.receipt !== RECEIPT_FORMAT || !r.gates || typeof r.gates !== 'object') throw new LogsError(`not a receipt of qrgate collector import (${RECEIPT_FORMAT})`);
  for (const g of Object.keys(r.gates)) {
    const l = r.gates[g];
    if (!Array.isArray(l) || !l.every((x: any) => Array.isArray(x) && x.length === 2 && Number.isInteger(x[0]) && x[0] >= 0 &&
        typeof x[1] === 'string' && /^[0-9a-f]{16}$/.test(x[1]))) {
      throw new LogsError(`receipt: malformed records of gate ${g}`);
    }
  }
  return r as Receipt;
}
