// The entry-log journal in flash (issue 5): append-only records on Espruino's Storage, kept until
// the collector acknowledges them, across power cuts and reboots.
//
// Layout: `segments` files named prefix + slot (`qg.j0` .. `qg.j3` by default), each created
// once with its full size (Storage.write(name, header, 0, size)) and then filled by writes at
// increasing offsets into erased (0xFF) bytes; never rewritten; erased whole.
//
// gen orders the segments (oldest first); firstSeq is the seq the segment's first record gets, so
// the sequence resumes after a reboot even when every record has been reclaimed; dropped is the
// journal's drop counter when the segment was made (so it survives too). Seqs are
// contiguous: segment k holds [firstSeq(k), firstSeq(k+1) - 1].
//
// The parts: frame.ts (the bytes: segment headers, frames, CRC, power cuts), recover.ts (open():
// reading the segments back), acks.ts (acknowledgement ranges in RAM), segments.ts (room,
// reclaiming, drops, writing frames), batch.ts (pending records and batches). This file: the
// Journal and its API. The parts' functions of the journal's state (acks.ts, segments.ts,
// eachPending) take it as `this` (called with .call): like the methods they were, they cost no
// parameter variable on a board (README "The device bundle"); the ones called once take it as a
// parameter (terser inlines them into their method: they exist only while it runs).
import { FlashStorage } from '../../hal/types';
import { LogEntry, LogRecord, AckRange, encodeLogRecord, MAX_RECORD_BYTES } from '../../proto/logrecord';
import { Segment, FRAME_HEADER, FRAME_ENTRY, DROP_INTENT_MAX } from './frame';
import { addAcked, ackedIn } from './acks';
import { JournalState, reclaim, room, put, writeAcks } from './segments';
import { recover } from './recover';
import { JournalBatch, eachPending, pendingRecords, nextBatch } from './batch';

export { SEG_HEADER, FRAME_HEADER, FRAME_ENTRY, FRAME_ACK, FRAME_DROP, RESYNC, crc16 } from './frame';
export { JournalBatch } from './batch';

export interface JournalOptions {
  storage: FlashStorage;
  gateId: string;
  /** File name prefix (default 'qg.j'); names are prefix + slot number (at most 28 chars). */
  prefix?: string;
  /** Segment files (default 4, at least 2). */
  segments?: number;
  /** Bytes per segment file (default 4096, at least 512). */
  segmentSize?: number;
}

export interface JournalStats {
  /** Records (entries and drop counters) not yet acknowledged. */
  pending: number;
  /** Records dropped (flash full) since the journal was made (survives reboots). */
  dropped: number;
  /** The seq the next record gets. */
  nextSeq: number;
  /** Bytes written in the segments (headers, frames, torn frames). */
  bytesUsed: number;
  /** Bytes of flash the segment files hold. */
  bytesReserved: number;
  /** Segment files in use. */
  segments: number;
  /** Torn frames found by open(). */
  torn: number;
  /** Entries that could not be logged since boot (Storage full or failing). */
  unlogged: number;
  /** The last append found no room in Storage. */
  full: boolean;
}

/** Largest frame of a drop record: seq 6, time 5, clock 2, kind 2, dropped 6, unlogged 6. */
var DROP_FRAME_MAX = FRAME_HEADER + 27;

export class Journal implements JournalState {
  storage: FlashStorage;
  gateId: string;
  prefix: string;
  nSegments: number;
  segmentSize: number;
  /** Segments in use, oldest first; the last one is written to. */
  segs: Segment[];
  nextSeq: number;
  /** Every seq below floor is gone (acknowledged, reclaimed or dropped). */
  floor: number;
  /** Acknowledged seqs at or above floor: flat list of inclusive ranges [f0, l0, f1, l1, ...], sorted, disjoint. */
  acked: number[];
  dropped: number;
  torn: number;
  opened: boolean;
  /** Bytes at the end of each segment kept for drop frames. */
  reserve: number;
  /** Entries that could not be logged since boot (Storage full or failing). */
  unlogged: number;
  /** How many of those a 'dropped' record already carries. */
  unloggedLogged: number;
  /** The last append found no room (Storage full): a fault. */
  full: boolean;

  constructor(opts: JournalOptions) {
    this.storage = opts.storage;
    this.gateId = opts.gateId;
    this.prefix = opts.prefix === undefined ? 'qg.j' : opts.prefix;
    this.nSegments = opts.segments === undefined ? 4 : opts.segments;
    this.segmentSize = opts.segmentSize === undefined ? 4096 : opts.segmentSize;
    if (!(this.nSegments >= 2)) throw new Error('journal: at least 2 segments');
    if (!(this.segmentSize >= 512)) throw new Error('journal: segments of at least 512 bytes');
    if (this.prefix.length + String(this.nSegments - 1).length > 28) throw new Error('journal: prefix too long');
    this.segs = [];
    this.nextSeq = 0;
    this.floor = 0;
    this.acked = [];
    this.dropped = 0;
    this.torn = 0;
    this.opened = false;
    this.reserve = DROP_INTENT_MAX * (this.nSegments > 4 ? 4 : this.nSegments - 1);
    this.unlogged = 0;
    this.unloggedLogged = 0;
    this.full = false;
  }

  // ---- the API

  /** Reads the segments back (after boot or a power cut): sequence, acknowledgements, write position. */
  open(): void {
    recover(this);
  }

  /**
   * Appends a record; returns its seq, or -1 when it could not be logged for want of room
   * (counted in `unlogged`; `full` is set until an append succeeds). May drop the oldest
   * unacknowledged records when flash is full. A failing write throws (also counted).
   */
  append(entry: LogEntry): number {
    if (!this.opened) throw new Error('journal: not open');
    var rec = encodeLogRecord(entry, this.nextSeq);
    if (rec.length > MAX_RECORD_BYTES - 4) throw new Error('journal: record too large');
    try {
      // Room for the record (its seq may grow by a drop record) and for a drop record before it.
      var lost = room.call(this, FRAME_HEADER + rec.length + 4 + DROP_FRAME_MAX, true);
      if (lost < 0) {
        this.unlogged++;
        this.full = true;
        return -1;
      }
      var owed = this.unlogged - this.unloggedLogged;
      if (lost > 0 || owed > 0) {
        put.call(this, FRAME_ENTRY, encodeLogRecord({
          time: entry.time, kind: 'dropped', dropped: this.dropped, unlogged: owed, clockUntrusted: entry.clockUntrusted,
        }, this.nextSeq));
        this.nextSeq++;
        this.unloggedLogged += owed;
        rec = encodeLogRecord(entry, this.nextSeq);
      }
      var seq = this.nextSeq;
      put.call(this, FRAME_ENTRY, rec);
      this.nextSeq = seq + 1;
      this.full = false;
      return seq;
    } catch (e) {
      this.unlogged++;
      throw e;
    }
  }

  /**
   * Marks records acknowledged (inclusive ranges; seqs the journal never gave are ignored),
   * persists that, and reclaims segments. Returns how many records were newly acknowledged.
   */
  ack(ranges: AckRange[]): number {
    if (!this.opened) throw new Error('journal: not open');
    var fresh: number[] = [], added = 0;
    for (var i = 0; i < ranges.length; i++) {
      var f = ranges[i].first, l = ranges[i].last;
      if (f < this.floor) f = this.floor;
      if (l > this.nextSeq - 1) l = this.nextSeq - 1;
      if (l < f) continue;
      var n = addAcked.call(this, f, l);
      if (n > 0) { added += n; fresh.push(f, l); }
    }
    if (!added) return 0;
    // Persist before reclaiming; when the only way to make room would drop records, the ranges
    // stay in RAM and go into the next segment's snapshot.
    writeAcks.call(this, fresh, false);
    reclaim.call(this);
    return added;
  }

  /** Acknowledges every seq up to and including `last`. */
  ackUpTo(last: number): number {
    return this.ack([{ first: 0, last: last }]);
  }

  /** Calls fn(seq, bytes, start, end) for each unacknowledged record in seq order until it returns false. */
  eachPending(fn: (seq: number, b: Uint8Array, start: number, end: number) => boolean): void {
    eachPending.call(this, fn);
  }

  /** Up to max unacknowledged records, in seq order. */
  pending(max: number): LogRecord[] {
    return pendingRecords(this, max);
  }

  /**
   * The next Batch to send: up to maxRecords unacknowledged records, and no more than maxBytes of
   * Batch when given (but always at least one record). gateId defaults to the journal's; pass ''
   * to leave it out (LoRaWAN). Records from seq `from` on (default: the oldest). The Batch says
   * how many entries could not be logged and no record carries yet (then it is sent even without
   * records). Null when there is nothing to send.
   */
  batch(maxRecords: number, maxBytes?: number, gateId?: string, from?: number): JournalBatch | null {
    return nextBatch(this, maxRecords, maxBytes, gateId === undefined ? this.gateId : gateId, from, this.unlogged - this.unloggedLogged);
  }

  stats(): JournalStats {
    var used = 0, reserved = 0;
    for (var k = 0; k < this.segs.length; k++) {
      used += this.segs[k].end;
      reserved += this.segs[k].size;
    }
    return {
      pending: this.nextSeq - this.floor - ackedIn.call(this, this.floor, this.nextSeq - 1),
      dropped: this.dropped,
      nextSeq: this.nextSeq,
      bytesUsed: used,
      bytesReserved: reserved,
      segments: this.segs.length,
      torn: this.torn,
      unlogged: this.unlogged,
      full: this.full,
    };
  }
}
