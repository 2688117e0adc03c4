// The journal's segment files (firmware/journal/index.ts): making room, reclaiming, dropping,
// and appending frames to the segment being written.
//
// Space: reclaiming erases the oldest segments whose records are all acknowledged (never the
// segment being written). When every slot is in use (or Storage, shared with other files, has no
// room for a new segment) and a new segment is needed, the oldest is erased even with
// unacknowledged records: they are counted, and a record of kind 'dropped' carrying the counter is
// appended (and sent like any other). The counter is cumulative (records dropped since the journal
// was made), so losing a drop record loses no count: for each gate, records held by the collector
// + the largest counter received >= records the gate made (equal unless a record reached the
// collector but was dropped before its acknowledgement arrived).
//
// No record leaves flash uncounted, wherever the power goes: before a segment with unacknowledged
// records is erased, a drop frame carrying the new counter (and the generation to erase) goes
// into the segment being written, in the last RESERVE bytes that other frames leave free. Power
// lost before that frame is whole: nothing was erased, the counter is unchanged. After it: open()
// takes the counter from it and finishes the erase. Every later segment's header carries the
// counter, so the frame may go when its segment is reclaimed. The segment being written is never
// dropped (its drop frame would go with it): when nothing else can go and Storage has no room for
// a new segment, the entry is not logged and is counted in `unlogged` (RAM), a fault that the
// status, the console and the uplink report; the next record that can be written is a 'dropped'
// record carrying that count (`unlogged`, the entries since the previous such record).
import { FlashStorage } from '../../hal/types';
import { varintSize, putVarint } from '../../proto/logrecord';
import {
  Segment, SEG_HEADER, FRAME_HEADER, FRAME_ACK, FRAME_DROP, DROP_INTENT_MAX, RESYNC, segHeader, frameOf, erasedAhead, frameLen,
} from './frame';
import { AckState, ackedIn, trimAcked } from './acks';

var ACK_RANGES_PER_FRAME = 24;
/** Acknowledgement ranges copied into a new segment. */
var SNAPSHOT_RANGES = 8;

/** What the segment code works on (the Journal). */
export interface JournalState extends AckState {
  storage: FlashStorage;
  prefix: string;
  nSegments: number;
  segmentSize: number;
  /** Segments in use, oldest first; the last one is written to. */
  segs: Segment[];
  nextSeq: number;
  dropped: number;
  /** Bytes at the end of each segment kept for drop frames. */
  reserve: number;
}

/** The slot number of a segment name's suffix, or -1. */
export function parseSlot(s: string): number {
  if (!s.length || s.length > 3) return -1;
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + c - 48;
  }
  return n;
}

/** Erases the oldest segments whose records are all acknowledged (never the one being written). */
export function reclaim(this: JournalState): number {
  var j = this;
  var n = 0;
  while (j.segs.length > 1) {
    // the last seq segment 0 holds (firstSeq - 1 when it holds none); a segment follows it
    var s = j.segs[0], last = j.segs[1].firstSeq - 1;
    if (ackedIn.call(j, s.firstSeq, last) !== last - s.firstSeq + 1) break;
    j.storage.erase(s.name);
    j.segs.shift();
    n++;
  }
  if (n) {
    j.floor = j.segs[0].firstSeq;
    trimAcked.call(j);
  }
  return n;
}

/**
 * Makes room for a frame of n bytes in the segment being written, starting a new one when needed.
 * Returns the records dropped to make room, or -1 when there is no room (mayDrop false, or
 * nothing left that may be dropped and Storage has no room for a new segment).
 */
export function room(this: JournalState, n: number, mayDrop: boolean): number {
  var j = this;
  // freeSlot and dropOldest exist only while room() runs (its only caller): no RAM at rest.
  function freeSlot(): number {
    for (var slot = 0; slot < j.nSegments; slot++) {
      var used = false;
      for (var k = 0; k < j.segs.length; k++) if (j.segs[k].slot === slot) used = true;
      if (!used) return slot;
    }
    return -1;
  }
  /**
   * Erases the oldest segment (never the one being written) with whatever it holds; returns how
   * many unacknowledged records went, or -1 when it cannot go (it is the one being written, or
   * there is no room left for its drop frame).
   */
  function dropOldest(): number {
    var s = j.segs[0], last = (j.segs.length > 1 ? j.segs[1].firstSeq : j.nextSeq) - 1, head = j.segs[j.segs.length - 1];
    if (s === head) return -1;
    var lost = last - s.firstSeq + 1 - ackedIn.call(j, s.firstSeq, last);
    if (lost > 0) {
      // The count reaches the flash before the records leave it (see the file header).
      if (head.end + DROP_INTENT_MAX > head.size) return -1;
      var p = new Uint8Array(varintSize(j.dropped + lost) + varintSize(s.gen));
      putVarint(p, putVarint(p, 0, j.dropped + lost), s.gen);
      put.call(j, FRAME_DROP, p);
    }
    j.storage.erase(s.name);
    j.segs.shift();
    j.floor = j.segs.length ? j.segs[0].firstSeq : j.nextSeq;
    trimAcked.call(j);
    j.dropped += lost;
    return lost;
  }
  var head = j.segs.length ? j.segs[j.segs.length - 1] : null;
  if (head && head.end + n <= head.size - j.reserve) return 0;
  reclaim.call(j);
  var lost = 0, d: number, slot = freeSlot();
  // (More than one drop only when segments of a larger configuration are still in flash.)
  while (slot < 0) {
    if (!mayDrop || (d = dropOldest()) < 0) return -1;
    lost += d;
    slot = freeSlot();
  }
  var name = j.prefix + slot;
  var gen = head ? head.gen + 1 : 1;
  for (;;) {
    try {
      j.storage.write(name, segHeader(gen, j.nextSeq, j.dropped), 0, j.segmentSize);
      break;
    } catch (e) {
      // Storage is full (other files): give up the oldest segment, if that is allowed and
      // possible, and try again. A write that left a file behind (a power cut) goes to the caller.
      if (j.storage.readBytes(name) !== undefined) throw e;
      if (!mayDrop || (d = dropOldest()) < 0) return -1;
      lost += d;
    }
  }
  j.segs.push({ slot: slot, name: name, gen: gen, firstSeq: j.nextSeq, size: j.segmentSize, end: SEG_HEADER, bad: [] });
  // A new segment starts with (the oldest of) the acknowledgements so far: some may not have
  // been written yet. Ranges left out only cost a resend after a reboot.
  var snap = j.acked.length > 2 * SNAPSHOT_RANGES ? j.acked.slice(0, 2 * SNAPSHOT_RANGES) : j.acked;
  writeAcks.call(j, snap, false);
  if (j.segs[j.segs.length - 1].end + n > j.segmentSize - j.reserve) throw new Error('journal: segment too small');
  return lost;
}

/** Appends one frame to the segment being written (room() made sure it fits). */
export function put(this: JournalState, type: number, payload: Uint8Array): void {
  var j = this;
  var head = j.segs[j.segs.length - 1];
  var f = frameOf(type, payload);
  var at = head.end;
  if (at + f.length > head.size) throw new Error('journal: frame does not fit');
  try {
    j.storage.write(head.name, f, at);
  } catch (e) {
    // Whatever reached the flash is skipped exactly as the next open() will skip it.
    var b = j.storage.readBytes(head.name);
    if (b && !erasedAhead(b, at, head.size, f.length)) {
      var n = frameLen(b, at, head.size);
      head.bad.push(at);
      head.end = n ? at + n : at + RESYNC;
    }
    throw e;
  }
  head.end = at + f.length;
}

/** Writes ack frames for the flat ranges list; returns false when there was no room. */
export function writeAcks(this: JournalState, ranges: number[], mayDrop: boolean): boolean {
  var j = this;
  for (var i = 0; i < ranges.length; i += 2 * ACK_RANGES_PER_FRAME) {
    var k: number, n = 0, e = i + 2 * ACK_RANGES_PER_FRAME;
    if (e > ranges.length) e = ranges.length;
    for (k = i; k < e; k++) n += varintSize(ranges[k]);
    var p = new Uint8Array(n), o = 0;
    for (k = i; k < e; k++) o = putVarint(p, o, ranges[k]);
    if (room.call(j, FRAME_HEADER + n, mayDrop) < 0) return false;
    put.call(j, FRAME_ACK, p);
  }
  return true;
}
