// The collector's side of proto/lorawire.ts (the compact LoRaWAN framing on FPort 2), written
// independently of the device's encoder (Node Buffers): it decodes uplink frames, keeps what each
// device has defined (its gate id, its kids by tag), turns the records into LogRecords exactly as
// a Wi-Fi Batch of the same records decodes, and encodes the answer for the downlink.
import { DECISIONS, REASONS, FORMATS, ALARMS, LogRecord } from '../../proto/logrecord';

export const LORA_PORT = 2;
const VERSION = 1;
const MAX_GATE_ID = 64;
const MAX_KID = 64;

/** FNV-1a-32 (the kid tag), with BigInt-free 32-bit arithmetic. */
export function kidTagHost(kid: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const c of kid) {
    h ^= c;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface LoraDefinition { type: 'gateId' | 'kid'; first: boolean; last: boolean; bytes: Buffer }

/** A record of a frame: a LogRecord whose kid is still a tag (null when it has none). */
export interface LoraRecord extends Omit<LogRecord, 'kid'> { kidTag: number | null }

export interface LoraFrame { defs: LoraDefinition[]; records: LoraRecord[] }

/** A malformed frame (the collector answers 400). */
export class LoraFrameError extends Error {}

function bad(msg: string): never { throw new LoraFrameError(`malformed LoRa frame: ${msg}`); }

/** Decodes an uplink frame (throws BadRequest 400 when malformed). */
export function decodeLoraFrameHost(buf: Uint8Array): LoraFrame {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 1) bad('empty');
  const h = b[0];
  if (h >> 6 !== VERSION) bad(`version ${h >> 6}`);
  if (h & 0x30) bad('reserved header bits set');
  let o = 1;
  const need = (n: number) => { if (o + n > b.length) bad('truncated'); };
  const varint = (): number => {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      need(1);
      const c = b[o++];
      v += (c & 0x7f) * 2 ** (7 * i);
      if (!(c & 0x80)) return v; // up to 35 bits: a zigzag time delta may need 33
    }
    return bad('varint too long');
  };
  const u32 = (v: number) => (v > 0xffffffff ? bad('value over 32 bits') : v);
  const defs: LoraDefinition[] = [];
  for (let i = 0; i < (h & 0x0f); i++) {
    need(2);
    const type = b[o], n = b[o + 1];
    o += 2;
    if (type & 0xc0) bad('reserved definition bits set');
    const kind = type & 0x0f;
    if (kind !== 1 && kind !== 2) bad(`definition type ${kind}`);
    if (n === 0) bad('empty definition');
    need(n);
    defs.push({ type: kind === 1 ? 'gateId' : 'kid', first: !!(type & 0x10), last: !!(type & 0x20), bytes: Buffer.from(b.subarray(o, o + n)) });
    o += n;
  }
  const records: LoraRecord[] = [];
  let seq = 0, time = 0;
  while (o < b.length) {
    if (records.length === 0) {
      seq = varint();
      if (seq > 0xffffffff) bad('seq over 32 bits');
      need(4);
      time = b.readUInt32LE(o);
      o += 4;
    } else {
      seq = seq + varint() + 1;
      const z = varint();
      time += z % 2 ? -(z + 1) / 2 : z / 2;
      if (seq > 0xffffffff) bad('seq over 32 bits');
      if (time < 0 || time > 0xffffffff) bad('time out of range');
    }
    need(1);
    const a = b[o++];
    const d = a >> 6;
    if (d === 3 && (a & 0x30) === 0x10) {
      if (a & 0x0e) bad('reserved bits in an alarm record');
      const code = varint();
      if (code < 1 || code >= ALARMS.length) bad(`unknown alarm ${code}`);
      records.push({
        seq, time, kind: 'alarm', decision: 'open', reason: 'ok', format: 'qg1', kidTag: null,
        subject: new Uint8Array(0), cert: new Uint8Array(0), clockUntrusted: !!(a & 1), dropped: 0, alarm: ALARMS[code],
      });
      continue;
    }
    if (d === 3) {
      if (a & 0x3c) bad('reserved bits in a drop record');
      const exit = !!(a & 2), v = u32(varint());
      records.push({
        seq, time, kind: exit ? 'exit' : 'dropped', decision: 'open', reason: 'ok', format: 'qg1', kidTag: null,
        subject: new Uint8Array(0), cert: new Uint8Array(0), clockUntrusted: !!(a & 1), dropped: exit ? 0 : v,
        ...(exit ? { occupancy: v } : {}),
      });
      continue;
    }
    const f = (a >> 4) & 3, r = a & 15;
    if (f >= FORMATS.length || r >= REASONS.length) bad('unknown format or reason');
    need(1);
    const fl = b[o++];
    if (fl & 0xe0) bad('reserved record flags set');
    let kidTag: number | null = null;
    if (fl & 2) { need(4); kidTag = b.readUInt32LE(o); o += 4; }
    const take = (present: boolean) => {
      if (!present) return new Uint8Array(0);
      need(16);
      const v = new Uint8Array(b.subarray(o, o + 16));
      o += 16;
      return v;
    };
    const subject = take(!!(fl & 4));
    const cert = take(!!(fl & 8));
    const occupancy = fl & 16 ? u32(varint()) : 0;
    records.push({
      seq, time, kind: 'entry', decision: DECISIONS[d], reason: REASONS[r], format: FORMATS[f], kidTag,
      subject, cert, clockUntrusted: !!(fl & 1), dropped: 0, ...(occupancy ? { occupancy } : {}),
    });
  }
  return { defs, records };
}

/**
 * The downlink: flags and the acknowledged seqs, `ranges` sorted and disjoint (store.ts toRanges),
 * at most maxBytes (ranges that do not fit are left out).
 */
export function encodeLoraAckHost(who: boolean, kids: boolean, ranges: { first: number; last: number }[], maxBytes = 51): Buffer {
  const out: number[] = [(VERSION << 6) | (who ? 1 : 0) | (kids ? 2 : 0)];
  const varint = (v: number, into: number[]) => {
    while (v >= 0x80) { into.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    into.push(v);
  };
  let prev = -1;
  for (const { first: f, last: l } of ranges) {
    const part: number[] = [];
    varint(prev < 0 ? f : f - prev - 1, part);
    varint(l - f, part);
    if (out.length + part.length > maxBytes) break;
    out.push(...part);
    prev = l;
  }
  return Buffer.from(out);
}

/** What the collector knows of one LoRaWAN device (learned from its definitions). */
export interface LoraDeviceState {
  gateId: string | null;
  kids: Map<number, Buffer>;
  /** A kid being defined in chunks. */
  partial: Buffer | null;
}

/**
 * Devices by DevEUI, in memory: a collector that restarts has forgotten them and asks each device
 * (downlink flags WHO / KIDS) to define them again; records it cannot name are not stored (nor
 * acknowledged), so the device sends them again.
 */
export class LoraDevices {
  private devices = new Map<string, LoraDeviceState>();

  get(devEui: string): LoraDeviceState {
    let d = this.devices.get(devEui);
    if (!d) { d = { gateId: null, kids: new Map(), partial: null }; this.devices.set(devEui, d); }
    return d;
  }

  /**
   * Applies a frame's definitions and resolves its records: the records that can be stored (with
   * their kid bytes) and the flags of the answer.
   */
  resolve(devEui: string, frame: LoraFrame): { gateId: string | null; records: LogRecord[]; who: boolean; kids: boolean } {
    const d = this.get(devEui);
    for (const def of frame.defs) {
      if (def.type === 'gateId') {
        if (!def.first || !def.last) bad('a gate id is sent whole');
        const id = def.bytes.toString('latin1');
        if (def.bytes.length > MAX_GATE_ID) bad('gate id too long');
        d.gateId = id;
      } else {
        const acc: Buffer | null = def.first ? def.bytes : d.partial ? Buffer.concat([d.partial, def.bytes]) : null;
        if (acc && acc.length > MAX_KID) { d.partial = null; bad('kid too long'); }
        if (def.last) {
          if (acc) d.kids.set(kidTagHost(acc), acc);
          d.partial = null;
        } else d.partial = acc;
      }
    }
    const records: LogRecord[] = [];
    let kids = false;
    for (const r of frame.records) {
      let kid = new Uint8Array(0);
      if (r.kidTag !== null) {
        const k = d.kids.get(r.kidTag);
        if (!k) { kids = true; continue; }
        kid = new Uint8Array(k);
      }
      const { kidTag, ...rest } = r;
      void kidTag;
      records.push({ ...rest, kid });
    }
    return { gateId: d.gateId, records: d.gateId === null ? [] : records, who: d.gateId === null, kids };
  }
}
