// `qrgate collector import`: batches pulled over USB (`qrgate logs pull`, tools/board/logs.ts)
// into the collector's store, each (gate, seq) once however often a file is imported, and the
// receipt that `qrgate logs ack` hands back to the gate. The receipt names only records the store
// holds durably with the same contents (put() resolves once committed; a record the store holds
// with OTHER contents, from a gate whose journal was made again, is left out: the gate keeps it).
import { LogRecord } from '../../proto/logrecord';
import { CollectorStore, sameRecord } from './store';
import { decodeBatchHost, BadRequest } from './server';
import { decodeBatchFile, batchRecordBytes, recordTag, Receipt, RECEIPT_FORMAT } from '../board/logs';

export interface ImportSummary {
  files: number;
  batches: number;
  records: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
  /** Entries the gates said they could not log (Batch.unlogged, largest per gate). */
  unlogged: { [gateId: string]: number };
}

export class ImportError extends Error {}

export async function importBatches(store: CollectorStore, db: string, files: { name: string; data: Uint8Array }[]): Promise<{ summary: ImportSummary; receipt: Receipt }> {
  const summary: ImportSummary = { files: files.length, batches: 0, records: 0, inserted: 0, duplicates: 0, conflicts: 0, unlogged: {} };
  const held: { [gateId: string]: Map<number, string> } = {};
  for (const f of files) {
    let batches: Uint8Array[];
    try {
      batches = decodeBatchFile(f.data);
    } catch (e: any) {
      throw new ImportError(`${f.name} is not a file of log batches (qrgate logs pull --out): ${e.message}`);
    }
    for (let i = 0; i < batches.length; i++) {
      let b: { gateId: string; records: LogRecord[]; unlogged: number };
      try {
        b = decodeBatchHost(batches[i]);
      } catch (e: any) {
        throw new ImportError(`${f.name}: batch ${i + 1}: ${e instanceof BadRequest ? e.message : String(e)}`);
      }
      if (!b.gateId) throw new ImportError(`${f.name}: batch ${i + 1} names no gate`);
      if (b.unlogged) summary.unlogged[b.gateId] = Math.max(summary.unlogged[b.gateId] || 0, b.unlogged);
      const raw = batchRecordBytes(batches[i]);
      const res = await store.put(b.gateId, b.records);
      summary.batches++;
      summary.records += b.records.length;
      summary.inserted += res.inserted;
      summary.duplicates += res.duplicates;
      summary.conflicts += res.conflicts;
      let other = new Set<number>();
      if (res.conflicts) other = await conflicting(store, b.gateId, b.records);
      const m = held[b.gateId] || (held[b.gateId] = new Map());
      const heldNow = new Set(res.held);
      for (const r of raw) if (heldNow.has(r.seq) && !other.has(r.seq)) m.set(r.seq, recordTag(r.bytes));
    }
  }
  const gates: Receipt['gates'] = {};
  for (const g of Object.keys(held)) gates[g] = Array.from(held[g].entries()).sort((a, b) => a[0] - b[0]);
  return { summary, receipt: { receipt: RECEIPT_FORMAT, db, at: new Date().toISOString(), gates } };
}

/** Seqs of `records` that the store holds with other contents. */
async function conflicting(store: CollectorStore, gateId: string, records: LogRecord[]): Promise<Set<number>> {
  const want = new Map<number, LogRecord>();
  for (const r of records) want.set(r.seq, r);
  const out = new Set<number>();
  for await (const s of store.query({ gateId })) {
    const r = want.get(s.seq);
    if (r && !sameRecord(s, r)) out.add(s.seq);
  }
  return out;
}
