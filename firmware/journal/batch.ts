// What the journal hands out (firmware/journal/index.ts): its unacknowledged records in seq
// order, one by one, decoded, or as the next Batch to send.
import { LogRecord, decodeLogRecord, encodeBatch, batchSize } from '../../proto/logrecord';
import { FRAME_ENTRY, walk, seqOf } from './frame';
import { ackedIn } from './acks';
import { JournalState } from './segments';

/** A batch ready to send: the Batch message and the seqs it carries. */
export interface JournalBatch {
  body: Uint8Array;
  seqs: number[];
}

/** Calls fn(seq, bytes, start, end) for each unacknowledged record in seq order until it returns false. */
export function eachPending(this: JournalState, fn: (seq: number, b: Uint8Array, start: number, end: number) => boolean): void {
  var j = this;
  for (var k = 0; k < j.segs.length; k++) {
    // the last seq segment k holds (firstSeq - 1 when it holds none); inline: one function less on a board
    var s = j.segs[k], last = (k + 1 < j.segs.length ? j.segs[k + 1].firstSeq : j.nextSeq) - 1;
    if (ackedIn.call(j, s.firstSeq, last) === last - s.firstSeq + 1) continue;
    var b = j.storage.readBytes(s.name);
    if (!b) continue;
    var stop = false;
    walk(s, b, false, function (type: number, bb: Uint8Array, ps: number, pe: number) {
      if (type !== FRAME_ENTRY) return true;
      var seq = seqOf(bb, ps, pe);
      if (seq < 0 || ackedIn.call(j, seq, seq)) return true; // acknowledged (no isAcked(): one function less on a board)
      if (!fn(seq, bb, ps, pe)) stop = true;
      return !stop;
    });
    if (stop) return;
  }
}

/** Up to max unacknowledged records, in seq order. */
export function pendingRecords(j: JournalState, max: number): LogRecord[] {
  var out: LogRecord[] = [];
  if (max <= 0) return out;
  eachPending.call(j, function (seq: number, b: Uint8Array, s: number, e: number) {
    out.push(decodeLogRecord(b, s, e));
    return out.length < max;
  });
  return out;
}

/**
 * The next Batch to send: up to maxRecords unacknowledged records, and no more than maxBytes of
 * Batch when given (but always at least one record), from seq `from` on (undefined: the oldest),
 * for gate `id` ('' leaves it out), saying that `owed` entries could not be logged and no record
 * carries them yet (then it is sent even without records). Null when there is nothing to send.
 */
export function nextBatch(j: JournalState, maxRecords: number, maxBytes: number | undefined, id: string, from: number | undefined,
  owed: number): JournalBatch | null {
  var recs: Uint8Array[] = [], lens: number[] = [], seqs: number[] = [];
  eachPending.call(j, function (seq: number, b: Uint8Array, s: number, e: number) {
    if (from !== undefined && seq < from) return true;
    lens.push(e - s);
    if (recs.length > 0 && maxBytes !== undefined && batchSize(id, lens) > maxBytes) return false;
    recs.push(new Uint8Array(b.subarray(s, e)));
    seqs.push(seq);
    return recs.length < maxRecords;
  });
  if (!recs.length && !owed) return null;
  return { body: encodeBatch(id, recs, owed), seqs: seqs };
}
