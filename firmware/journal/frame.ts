// The journal's bytes in flash (firmware/journal/index.ts): segment headers, frames and their
// CRC, and the walk over a segment's frames that tells whole frames from torn ones.
//
//   segment header (18 bytes): 'Q' 'J' 01 00 | gen u32 LE | firstSeq u32 LE | dropped u32 LE | CRC-16 (BE) of bytes 0..15
//   frame (5 + len bytes):     type | len | 255 - len | CRC-16 (BE) of type, len, 255 - len, payload | payload
//     type 0xE5: an entry: payload = a LogRecord message (proto/log.proto) with its seq
//     type 0xA5: acknowledgements: payload = pairs of varints (first, last), inclusive ranges
//     type 0xD5: a drop about to happen: payload = varints (dropped, gen): the drop counter once
//                every segment of generation <= gen is erased, and that gen
//
// Power cuts: one frame is one Storage write. A torn frame leaves a prefix of its bytes (the rest
// 0xFF). Recovery walks each segment: a header whose len and 255 - len agree gives the frame's
// extent (partially programmed bits only clear bits, so a torn pair cannot agree); its CRC tells a
// whole frame from a torn one, which is skipped. A header that does not hold together means the
// tear hit the first bytes of a frame: the walk resumes RESYNC bytes later (a write never
// programs that far before its header is complete). 16 erased bytes at a frame start end the
// data; the next frame goes there. A torn record's seq is reused by the next record (it was
// never sent).
import { MAX_RECORD_BYTES, recordSeq, decodeLogRecord } from '../../proto/logrecord';
import { putU32le } from '../../proto/bytes';

/** A segment file in use. */
export interface Segment {
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
export var DROP_INTENT_MAX = FRAME_HEADER + 10;
/** Bytes skipped after a frame header that does not hold together. */
export var RESYNC = 16;

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

export function u32le(b: Uint8Array, o: number): number {
  return b[o] + b[o + 1] * 256 + b[o + 2] * 65536 + b[o + 3] * 16777216;
}



/** Reads a varint at b[o] (within end); returns [value, next offset] or null when malformed. */
export function getVarint(b: Uint8Array, o: number, end: number): number[] | null {
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
export function segHeader(gen: number, firstSeq: number, dropped: number): Uint8Array {
  var h = new Uint8Array(SEG_HEADER);
  h[0] = 0x51; h[1] = 0x4a; h[2] = 1; h[3] = 0;
  putU32le(h, 4, gen);
  putU32le(h, 8, firstSeq);
  putU32le(h, 12, dropped);
  var c = crc16(h, 0, 16);
  h[16] = c >> 8; h[17] = c & 255;
  return h;
}

export function frameOf(type: number, payload: Uint8Array): Uint8Array {
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
export function erasedAhead(b: Uint8Array, o: number, end: number, n: number): boolean {
  var e = o + n < end ? o + n : end;
  for (var i = o; i < e; i++) if (b[i] !== 0xff) return false;
  return true;
}

/**
 * The frame at b[o]: its length (FRAME_HEADER + len) when the header holds together and fits,
 * else 0. Does not check the CRC.
 */
export function frameLen(b: Uint8Array, o: number, end: number): number {
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

/**
 * Walks the frames of segment s (bytes b). With `verify`, checks CRCs and records torn frames in
 * s.bad; otherwise skips the frames listed there. Calls fn(type, b, payloadStart, payloadEnd)
 * for each whole frame until it returns false. Returns the offset after the last frame.
 */
export function walk(s: Segment, b: Uint8Array, verify: boolean, fn: (type: number, b: Uint8Array, ps: number, pe: number) => boolean): number {
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

/** The seq of the record in b[s..e), or -1 when it cannot be read (then it is ignored). */
export function seqOf(b: Uint8Array, s: number, e: number): number {
  try {
    return recordSeq(b, s, e);
  } catch (err) {
    return -1;
  }
}

/** The counter of a drop record in b[s..e) (0 for anything else). */
export function droppedOf(b: Uint8Array, s: number, e: number): number {
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
