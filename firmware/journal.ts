// The entry-log journal in flash (issue 5): append-only records on Espruino's Storage, kept until
// the collector acknowledges them, across power cuts and reboots.
//
// Layout: `segments` files named prefix + slot (`qg.j0` .. `qg.j3` by default), each created
// once with its full size (Storage.write(name, header, 0, size)) and then filled by writes at
// increasing offsets into erased (0xFF) bytes; never rewritten; erased whole.
//
//   segment header (18 bytes): 'Q' 'J' 01 00 | gen u32 LE | firstSeq u32 LE | dropped u32 LE | CRC-16 (BE) of bytes 0..15
//   frame (5 + len bytes):     type | len | 255 - len | CRC-16 (BE) of type, len, 255 - len, payload | payload
//     type 0xE5: an entry: payload = a LogRecord message (proto/log.proto) with its seq
//     type 0xA5: acknowledgements: payload = pairs of varints (first, last), inclusive ranges
//     type 0xD5: a drop about to happen: payload = varints (dropped, gen): the drop counter once
//                every segment of generation <= gen is erased, and that gen
//
// gen orders the segments (oldest first); firstSeq is the seq the segment's first record gets, so
// the sequence resumes after a reboot even when every record has been reclaimed; dropped is the
// journal's drop counter when the segment was made (so it survives too). Seqs are
// contiguous: segment k holds [firstSeq(k), firstSeq(k+1) - 1].
//
// Power cuts: one frame is one Storage write. A torn frame leaves a prefix of its bytes (the rest
// 0xFF). Recovery walks each segment: a header whose len and 255 - len agree gives the frame's
// extent (partially programmed bits only clear bits, so a torn pair cannot agree); its CRC tells a
// whole frame from a torn one, which is skipped. A header that does not hold together means the
// tear hit the first bytes of a frame: the walk resumes RESYNC bytes later (a write never
// programs that far before its header is complete). 16 erased bytes at a frame start end the
// data; the next frame goes there. A torn record's seq is reused by the next record (it was
// never sent).
//
// Acknowledgements are kept in RAM as ranges and appended as ack frames; a new segment starts with
// a snapshot of them. An ack frame only covers records written before it, so erasing segments
// oldest first never loses an acknowledgement that a remaining record needs.
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
import { FlashStorage } from '../hal/types';
import {
  LogEntry, LogRecord, AckRange, encodeLogRecord, decodeLogRecord, recordSeq, encodeBatch, batchSize,
  MAX_RECORD_BYTES, varintSize, putVarint,
} from '../proto/logrecord';

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

/** A batch ready to send: the Batch message and the seqs it carries. */
export interface JournalBatch {
  body: Uint8Array;
  seqs: number[];
}

interface Segment {
  slot: number;
  name: string;
  gen: number;
  firstSeq: number;
  size: number;
  /** Where the next frame goes. */
  end: number;
  /** Offsets of torn frames (skipped without checking CRCs again). */
  bad: number[];
}

export var SEG_HEADER = 18;
export var FRAME_HEADER = 5;
export var FRAME_ENTRY = 0xe5;
export var FRAME_ACK = 0xa5;
export var FRAME_DROP = 0xd5;
/** Largest drop frame: two varints of up to 5 bytes. */
var DROP_INTENT_MAX = FRAME_HEADER + 10;
/** Bytes skipped after a frame header that does not hold together. */
export var RESYNC = 16;
var ACK_RANGES_PER_FRAME = 24;
/** Acknowledgement ranges copied into a new segment. */
var SNAPSHOT_RANGES = 8;
/** Largest frame of a drop record: seq 6, time 5, clock 2, kind 2, dropped 6, unlogged 6. */
var DROP_FRAME_MAX = FRAME_HEADER + 27;

var CRC_TABLE: Uint16Array | null = null;

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of b[start..end), continuing from `crc`. */
export function crc16(b: Uint8Array, start: number, end: number, crc?: number): number {
  var t = CRC_TABLE, i: number, j: number, c: number;
  if (!t) {
    t = CRC_TABLE = new Uint16Array(256);
    for (i = 0; i < 256; i++) {
      c = i << 8;
      for (j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
      t[i] = c;
    }
  }
  c = crc === undefined ? 0xffff : crc;
  for (i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ t[((c >> 8) ^ b[i]) & 255];
  return c;
}

function u32le(b: Uint8Array, o: number): number {
  return b[o] + b[o + 1] * 256 + b[o + 2] * 65536 + b[o + 3] * 16777216;
}

function putU32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v % 256; v = Math.floor(v / 256);
  b[o + 1] = v % 256; v = Math.floor(v / 256);
  b[o + 2] = v % 256; v = Math.floor(v / 256);
  b[o + 3] = v;
}


/** Reads a varint at b[o] (within end); returns [value, next offset] or null when malformed. */
function getVarint(b: Uint8Array, o: number, end: number): number[] | null {
  var v = 0, mul = 1, c: number;
  for (var i = 0; i < 5; i++) {
    if (o >= end) return null;
    c = b[o++];
    v += (c & 127) * mul;
    mul *= 128;
    if (c < 128) return v <= 4294967295 ? [v, o] : null;
  }
  return null;
}

/** The segment header bytes. */
function segHeader(gen: number, firstSeq: number, dropped: number): Uint8Array {
  var h = new Uint8Array(SEG_HEADER);
  h[0] = 0x51; h[1] = 0x4a; h[2] = 1; h[3] = 0;
  putU32le(h, 4, gen);
  putU32le(h, 8, firstSeq);
  putU32le(h, 12, dropped);
  var c = crc16(h, 0, 16);
  h[16] = c >> 8; h[17] = c & 255;
  return h;
}

function frameOf(type: number, payload: Uint8Array): Uint8Array {
  var n = payload.length;
  var f = new Uint8Array(FRAME_HEADER + n);
  f[0] = type; f[1] = n; f[2] = 255 - n;
  f.set(payload, FRAME_HEADER);
  var c = crc16(f, 0, 3);
  c = crc16(f, FRAME_HEADER, FRAME_HEADER + n, c);
  f[3] = c >> 8; f[4] = c & 255;
  return f;
}

/** True when b[o..end) is erased, looking at most n bytes. */
function erasedAhead(b: Uint8Array, o: number, end: number, n: number): boolean {
  var e = o + n < end ? o + n : end;
  for (var i = o; i < e; i++) if (b[i] !== 0xff) return false;
  return true;
}

/**
 * The frame at b[o]: its length (FRAME_HEADER + len) when the header holds together and fits,
 * else 0. Does not check the CRC.
 */
function frameLen(b: Uint8Array, o: number, end: number): number {
  if (o + FRAME_HEADER > end) return 0;
  var t = b[o], n = b[o + 1];
  if ((t !== FRAME_ENTRY && t !== FRAME_ACK && t !== FRAME_DROP) || b[o + 2] !== 255 - n || n > MAX_RECORD_BYTES) return 0;
  if (o + FRAME_HEADER + n > end) return 0;
  return FRAME_HEADER + n;
}

function frameCrcOk(b: Uint8Array, o: number, len: number): boolean {
  var c = crc16(b, o, o + 3);
  c = crc16(b, o + FRAME_HEADER, o + len, c);
  return b[o + 3] === c >> 8 && b[o + 4] === (c & 255);
}

export class Journal {
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

  // ---- recovery

  /** Reads the segments back (after boot or a power cut): sequence, acknowledgements, write position. */
  open(): void {
    var st = this.storage, names = st.list(this.prefix), i: number, k: number, dropped = 0;
    var found: Segment[] = [];
    for (i = 0; i < names.length; i++) {
      var name = names[i], rest = name.substring(this.prefix.length);
      var slot = parseSlot(rest);
      if (slot < 0) continue;
      var b = st.readBytes(name);
      if (!b || b.length < SEG_HEADER + FRAME_HEADER || b[0] !== 0x51 || b[1] !== 0x4a || b[2] !== 1 ||
          crc16(b, 0, 16) !== b[16] * 256 + b[17]) {
        // A segment whose creation was torn (or a stranger's file): it holds no records.
        st.erase(name);
        continue;
      }
      found.push({ slot: slot, name: name, gen: u32le(b, 4), firstSeq: u32le(b, 8), size: b.length, end: SEG_HEADER, bad: [] });
      if (u32le(b, 12) > dropped) dropped = u32le(b, 12);
    }
    found.sort(function (x, y) { return x.gen - y.gen; });
    this.segs = found;
    this.acked = [];
    this.torn = 0;
    var next = 0, self = this, through = -1;
    for (k = 0; k < found.length; k++) {
      var s = found[k];
      if (s.firstSeq > next) next = s.firstSeq;
      var data = st.readBytes(s.name) as Uint8Array;
      s.end = this.walk(s, data, true, function (type: number, b: Uint8Array, ps: number, pe: number) {
        if (type === FRAME_ENTRY) {
          var seq = seqOf(b, ps, pe);
          if (seq + 1 > next) next = seq + 1;
          var d = droppedOf(b, ps, pe);
          if (d > dropped) dropped = d;
        } else if (type === FRAME_DROP) {
          // A drop that power may have cut short: its count holds, and it is finished below.
          var dv = getVarint(b, ps, pe), gv = dv && getVarint(b, dv[1], pe);
          if (dv && gv) {
            if (dv[0] > dropped) dropped = dv[0];
            if (gv[0] < s.gen && gv[0] > through) through = gv[0];
          }
        } else {
          var o = ps;
          while (o < pe) {
            var f = getVarint(b, o, pe);
            if (!f) break;
            var l = getVarint(b, f[1], pe);
            if (!l) break;
            self.addAcked(f[0], l[0]);
            o = l[1];
          }
        }
        return true;
      });
      this.torn += s.bad.length;
    }
    while (found.length > 1 && found[0].gen <= through) st.erase((found.shift() as Segment).name);
    this.nextSeq = next;
    this.dropped = dropped;
    this.floor = found.length ? found[0].firstSeq : next;
    this.trimAcked();
    this.opened = true;
    this.reclaim();
  }

  /**
   * Walks the frames of segment s (bytes b). With `verify`, checks CRCs and records torn frames in
   * s.bad; otherwise skips the frames listed there. Calls fn(type, b, payloadStart, payloadEnd)
   * for each whole frame until it returns false. Returns the offset after the last frame.
   */
  walk(s: Segment, b: Uint8Array, verify: boolean, fn: (type: number, b: Uint8Array, ps: number, pe: number) => boolean): number {
    var o = SEG_HEADER, end = b.length < s.size ? b.length : s.size, n: number;
    while (o < end) {
      if (b[o] === 0xff && erasedAhead(b, o, end, RESYNC)) break;
      n = frameLen(b, o, end);
      if (!n) {
        // The first bytes of a frame were torn: nothing after them was written.
        if (verify) s.bad.push(o);
        o += RESYNC;
        continue;
      }
      var good = verify ? frameCrcOk(b, o, n) : s.bad.indexOf(o) < 0;
      if (!good) {
        if (verify) s.bad.push(o);
      } else if (!fn(b[o], b, o + FRAME_HEADER, o + n)) {
        return o + n;
      }
      o += n;
    }
    return o < end ? o : end;
  }

  // ---- acknowledgement ranges (RAM)

  /** Adds [f, l] to the acknowledged set; returns how many seqs were new. */
  addAcked(f: number, l: number): number {
    if (l < f) return 0;
    var a = this.acked, out: number[] = [], i: number, added = l - f + 1, placed = false;
    for (i = 0; i < a.length; i += 2) {
      var af = a[i], al = a[i + 1];
      if (al + 1 < f) { out.push(af, al); continue; }
      if (l + 1 < af) {
        if (!placed) { out.push(f, l); placed = true; }
        out.push(af, al);
        continue;
      }
      // overlapping or adjacent: merge
      var lo = af > f ? af : f, hi = al < l ? al : l;
      if (hi >= lo) added -= hi - lo + 1;
      if (af < f) f = af;
      if (al > l) l = al;
    }
    if (!placed) out.push(f, l);
    this.acked = out;
    return added;
  }

  /** How many seqs of [f, l] are acknowledged (or below floor). */
  ackedIn(f: number, l: number): number {
    if (l < f) return 0;
    var n = 0, a = this.acked;
    if (f < this.floor) {
      var top = l < this.floor - 1 ? l : this.floor - 1;
      n += top - f + 1;
      f = this.floor;
      if (l < f) return n;
    }
    for (var i = 0; i < a.length; i += 2) {
      var lo = a[i] > f ? a[i] : f, hi = a[i + 1] < l ? a[i + 1] : l;
      if (hi >= lo) n += hi - lo + 1;
    }
    return n;
  }

  isAcked(seq: number): boolean {
    if (seq < this.floor) return true;
    var a = this.acked;
    for (var i = 0; i < a.length; i += 2) if (seq >= a[i] && seq <= a[i + 1]) return true;
    return false;
  }

  /** Drops ranges below floor; clips the rest. */
  trimAcked(): void {
    var a = this.acked, out: number[] = [];
    for (var i = 0; i < a.length; i += 2) {
      if (a[i + 1] < this.floor) continue;
      out.push(a[i] < this.floor ? this.floor : a[i], a[i + 1]);
    }
    this.acked = out;
  }

  // ---- segments

  /** Last seq segment k holds (firstSeq - 1 when it holds none). */
  lastSeqOf(k: number): number {
    return (k + 1 < this.segs.length ? this.segs[k + 1].firstSeq : this.nextSeq) - 1;
  }

  /** Erases the oldest segments whose records are all acknowledged (never the one being written). */
  reclaim(): number {
    var n = 0;
    while (this.segs.length > 1) {
      var s = this.segs[0], last = this.lastSeqOf(0);
      if (this.ackedIn(s.firstSeq, last) !== last - s.firstSeq + 1) break;
      this.storage.erase(s.name);
      this.segs.shift();
      n++;
    }
    if (n) {
      this.floor = this.segs[0].firstSeq;
      this.trimAcked();
    }
    return n;
  }

  private freeSlot(): number {
    for (var slot = 0; slot < this.nSegments; slot++) {
      var used = false;
      for (var k = 0; k < this.segs.length; k++) if (this.segs[k].slot === slot) used = true;
      if (!used) return slot;
    }
    return -1;
  }

  /**
   * Erases the oldest segment (never the one being written) with whatever it holds; returns how
   * many unacknowledged records went, or -1 when it cannot go (it is the one being written, or
   * there is no room left for its drop frame).
   */
  private dropOldest(): number {
    var s = this.segs[0], last = this.lastSeqOf(0), head = this.segs[this.segs.length - 1];
    if (s === head) return -1;
    var lost = last - s.firstSeq + 1 - this.ackedIn(s.firstSeq, last);
    if (lost > 0) {
      // The count reaches the flash before the records leave it (see the file header).
      if (head.end + DROP_INTENT_MAX > head.size) return -1;
      var p = new Uint8Array(varintSize(this.dropped + lost) + varintSize(s.gen));
      putVarint(p, putVarint(p, 0, this.dropped + lost), s.gen);
      this.put(FRAME_DROP, p);
    }
    this.storage.erase(s.name);
    this.segs.shift();
    this.floor = this.segs.length ? this.segs[0].firstSeq : this.nextSeq;
    this.trimAcked();
    this.dropped += lost;
    return lost;
  }

  /**
   * Makes room for a frame of n bytes in the segment being written, starting a new one when needed.
   * Returns the records dropped to make room, or -1 when there is no room (mayDrop false, or
   * nothing left that may be dropped and Storage has no room for a new segment).
   */
  private room(n: number, mayDrop: boolean): number {
    var head = this.segs.length ? this.segs[this.segs.length - 1] : null;
    if (head && head.end + n <= head.size - this.reserve) return 0;
    this.reclaim();
    var lost = 0, d: number, slot = this.freeSlot();
    // (More than one drop only when segments of a larger configuration are still in flash.)
    while (slot < 0) {
      if (!mayDrop || (d = this.dropOldest()) < 0) return -1;
      lost += d;
      slot = this.freeSlot();
    }
    var name = this.prefix + slot;
    var gen = head ? head.gen + 1 : 1;
    for (;;) {
      try {
        this.storage.write(name, segHeader(gen, this.nextSeq, this.dropped), 0, this.segmentSize);
        break;
      } catch (e) {
        // Storage is full (other files): give up the oldest segment, if that is allowed and
        // possible, and try again. A write that left a file behind (a power cut) goes to the caller.
        if (this.storage.readBytes(name) !== undefined) throw e;
        if (!mayDrop || (d = this.dropOldest()) < 0) return -1;
        lost += d;
      }
    }
    this.segs.push({ slot: slot, name: name, gen: gen, firstSeq: this.nextSeq, size: this.segmentSize, end: SEG_HEADER, bad: [] });
    // A new segment starts with (the oldest of) the acknowledgements so far: some may not have
    // been written yet. Ranges left out only cost a resend after a reboot.
    var snap = this.acked.length > 2 * SNAPSHOT_RANGES ? this.acked.slice(0, 2 * SNAPSHOT_RANGES) : this.acked;
    this.writeAcks(snap, false);
    if (this.segs[this.segs.length - 1].end + n > this.segmentSize - this.reserve) throw new Error('journal: segment too small');
    return lost;
  }

  /** Appends one frame to the segment being written (room() made sure it fits). */
  private put(type: number, payload: Uint8Array): void {
    var head = this.segs[this.segs.length - 1];
    var f = frameOf(type, payload);
    var at = head.end;
    if (at + f.length > head.size) throw new Error('journal: frame does not fit');
    try {
      this.storage.write(head.name, f, at);
    } catch (e) {
      // Whatever reached the flash is skipped exactly as the next open() will skip it.
      var b = this.storage.readBytes(head.name);
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
  private writeAcks(ranges: number[], mayDrop: boolean): boolean {
    for (var i = 0; i < ranges.length; i += 2 * ACK_RANGES_PER_FRAME) {
      var j: number, n = 0, e = i + 2 * ACK_RANGES_PER_FRAME;
      if (e > ranges.length) e = ranges.length;
      for (j = i; j < e; j++) n += varintSize(ranges[j]);
      var p = new Uint8Array(n), o = 0;
      for (j = i; j < e; j++) o = putVarint(p, o, ranges[j]);
      if (this.room(FRAME_HEADER + n, mayDrop) < 0) return false;
      this.put(FRAME_ACK, p);
    }
    return true;
  }

  // ---- the API

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
      var lost = this.room(FRAME_HEADER + rec.length + 4 + DROP_FRAME_MAX, true);
      if (lost < 0) {
        this.unlogged++;
        this.full = true;
        return -1;
      }
      var owed = this.unlogged - this.unloggedLogged;
      if (lost > 0 || owed > 0) {
        this.put(FRAME_ENTRY, encodeLogRecord({
          time: entry.time, kind: 'dropped', dropped: this.dropped, unlogged: owed, clockUntrusted: entry.clockUntrusted,
        }, this.nextSeq));
        this.nextSeq++;
        this.unloggedLogged += owed;
        rec = encodeLogRecord(entry, this.nextSeq);
      }
      var seq = this.nextSeq;
      this.put(FRAME_ENTRY, rec);
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
      var n = this.addAcked(f, l);
      if (n > 0) { added += n; fresh.push(f, l); }
    }
    if (!added) return 0;
    // Persist before reclaiming; when the only way to make room would drop records, the ranges
    // stay in RAM and go into the next segment's snapshot.
    this.writeAcks(fresh, false);
    this.reclaim();
    return added;
  }

  /** Acknowledges every seq up to and including `last`. */
  ackUpTo(last: number): number {
    return this.ack([{ first: 0, last: last }]);
  }

  /** Calls fn(seq, bytes, start, end) for each unacknowledged record in seq order until it returns false. */
  eachPending(fn: (seq: number, b: Uint8Array, start: number, end: number) => boolean): void {
    for (var k = 0; k < this.segs.length; k++) {
      var s = this.segs[k], last = this.lastSeqOf(k);
      if (this.ackedIn(s.firstSeq, last) === last - s.firstSeq + 1) continue;
      var b = this.storage.readBytes(s.name);
      if (!b) continue;
      var self = this, stop = false;
      this.walk(s, b, false, function (type: number, bb: Uint8Array, ps: number, pe: number) {
        if (type !== FRAME_ENTRY) return true;
        var seq = seqOf(bb, ps, pe);
        if (seq < 0 || self.isAcked(seq)) return true;
        if (!fn(seq, bb, ps, pe)) stop = true;
        return !stop;
      });
      if (stop) return;
    }
  }

  /** Up to max unacknowledged records, in seq order. */
  pending(max: number): LogRecord[] {
    var out: LogRecord[] = [];
    if (max <= 0) return out;
    this.eachPending(function (seq: number, b: Uint8Array, s: number, e: number) {
      out.push(decodeLogRecord(b, s, e));
      return out.length < max;
    });
    return out;
  }

  /**
   * The next Batch to send: up to maxRecords unacknowledged records, and no more than maxBytes of
   * Batch when given (but always at least one record). gateId defaults to the journal's; pass ''
   * to leave it out (LoRaWAN). Records from seq `from` on (default: the oldest). The Batch says
   * how many entries could not be logged and no record carries yet (then it is sent even without
   * records). Null when there is nothing to send.
   */
  batch(maxRecords: number, maxBytes?: number, gateId?: string, from?: number): JournalBatch | null {
    var id = gateId === undefined ? this.gateId : gateId, owed = this.unlogged - this.unloggedLogged;
    var recs: Uint8Array[] = [], lens: number[] = [], seqs: number[] = [];
    this.eachPending(function (seq: number, b: Uint8Array, s: number, e: number) {
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

  stats(): JournalStats {
    var used = 0, reserved = 0;
    for (var k = 0; k < this.segs.length; k++) {
      used += this.segs[k].end;
      reserved += this.segs[k].size;
    }
    return {
      pending: this.nextSeq - this.floor - this.ackedIn(this.floor, this.nextSeq - 1),
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

/** The seq of the record in b[s..e), or -1 when it cannot be read (then it is ignored). */
function seqOf(b: Uint8Array, s: number, e: number): number {
  try {
    return recordSeq(b, s, e);
  } catch (err) {
    return -1;
  }
}

/** The counter of a drop record in b[s..e) (0 for anything else). */
function droppedOf(b: Uint8Array, s: number, e: number): number {
  // Entries are by far the most common: a drop record has field 10 (0x50) = 1.
  for (var i = s; i + 1 < e; i++) if (b[i] === 0x50 && b[i + 1] === 1) {
    try {
      var r = decodeLogRecord(b, s, e);
      return r.kind === 'dropped' ? r.dropped : 0;
    } catch (err) {
      return 0;
    }
  }
  return 0;
}

/** The slot number of a segment name's suffix, or -1. */
function parseSlot(s: string): number {
  if (!s.length || s.length > 3) return -1;
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + c - 48;
  }
  return n;
}
