// The entry log over LoRaWAN (FPort 2): compact records that fit the smallest EU868 payload (51
// bytes at DR0..DR2: one record; 222 at DR4/DR5: five), and the collector's compact answer that
// comes back as a downlink. The Wi-Fi uplink sends proto/log.proto Batches instead; a LogRecord is
// 57 bytes there, too big for DR0. The collector decodes these frames with its own code
// (tools/collector/lorawire.ts) and stores them exactly as a Wi-Fi delivery of the same records.
//
// Uplink frame (FRMPayload, FPort 2):
//   header   1 byte: bits 7..6 = 01 (version 1), bit 5 SEALED (the frame ends in a counter byte and
//              a MAC: below), bit 4 TIME (sealed frames only: the gate asks for the time, a
//              downlink on FPort 202 answers), bits 3..0 = D, definitions that follow
//   D definitions, each: type (1 byte), len (1 byte, 1..255), len bytes
//              type bits 3..0: 1 = the gate id (UTF-8 text), 2 = an issuer kid, 3 = the session
//              (12 bytes: epoch u32 LE, session u32 LE, this frame's counter u32 LE; sent with the
//              gate id), 4 = entries not logged that no record carries yet (varint; Batch.unlogged);
//              bit 4 = first chunk, bit 5 = last chunk (a value sent whole has both): a long kid
//              may be split over consecutive frames, its chunks in order
//   records, until the end of the frame:
//     seq    varint; the first record: its seq; later ones: seq - previous seq - 1
//     time   the first record: u32 LE; later ones: zigzag varint of (time - previous time)
//     a      1 byte: bits 7..6: 0 open, 1 deny, 2 attendant, 3 = a record of another kind
//              entry: bits 5..4 format (0 qg1, 1 divoc, 2 none), bits 3..0 reason (log.proto order)
//              other kinds: bits 5..4 which: 0 a drop counter (kind 'dropped') or, with bit 1
//              set, an exit (kind 'exit', issue 14); 1 an alarm (kind 'alarm'); bit 0 clock
//              untrusted, the other bits 0
//     entry: b  1 byte: bit 0 clock untrusted, bit 1 kid tag follows, bit 2 subject follows,
//                       bit 3 cert follows, bit 4 occupancy follows (issue 14), bits 7..5 = 0
//            [kid tag: u32 LE, FNV-1a-32 of the kid bytes] [subject: 16 bytes] [cert: 16 bytes]
//            [occupancy: varint]
//     drop counter: dropped, varint [unlogged, varint]
//     alarm: its code (log.proto Alarm), varint
//     exit: occupancy, varint
//   A frame of the header alone (1 byte; 6 sealed) asks for the pending downlink.
//   SEALED trailer (issue 13; README "Gate identity"): the low byte of the frame's counter, then
//     4 bytes: HMAC-SHA-256 under the up key (HMAC(batch key, "qg lora up")) of epoch u32 LE |
//     session u32 LE | counter u32 LE | the frame's bytes up to and including the counter byte,
//     truncated. The session is drawn at random once per boot; the counter counts the boot's
//     sealed uplinks from 1. The collector rebuilds the counter from its low byte (the smallest
//     above the last it accepted) and refuses a frame whose counter it has seen (a replay).
// The gate id and kids are not in each record: the collector learns them from definitions (per
// DevEUI) and asks again when it does not know them (after a restart):
//
// Downlink (FPort 2): header 1 byte: bits 7..6 = 01, bit 0 WHO (define the gate id), bit 1 KIDS
//   (a record named a kid tag the collector does not know: define kids again), bit 2 REFUSED (then
//   one byte, why: REFUSALS, and nothing else), bit 5 SEALED (below), bits 4..3 = 0;
//   [SEALED: the low byte of the counter of the uplink it answers]
//   then acknowledged ranges (the seqs now held durably): varint first, varint (last - first);
//   later ranges: varint (first - previous last - 1), varint (last - first);
//   [SEALED: 4 bytes, HMAC-SHA-256 under the ack key (HMAC(answer key, "qg lora ack")) of epoch u32
//   LE | session u32 LE | the answered uplink's counter u32 LE | the downlink's bytes before the
//   MAC, truncated]. The collector seals its answer to every frame it authenticated; a sealed gate
//   deletes records only on a sealed answer whose MAC checks for one of its recent uplinks, each
//   uplink's answer once (README "Gate identity"). A REFUSED answer, and the WHO to a frame the
//   collector could not check (it lost the session: a restart), cannot be sealed: they delete nothing.
//
// Time downlink (FPort 202, the answer to a TIME frame): time u32 LE (the collector's, when the
//   asking uplink arrived), then 16 bytes: HMAC-SHA-256 under the time key (HMAC(answer key,
//   "qg lora time")) of epoch u32 LE | session u32 LE | the asking frame's counter u32 LE | time u32 LE.
//
// A typical record: 44 bytes first in a frame (seq < 16384), 40..42 after (time delta < 2^13 s).
import { LogRecord, AckRange, DECISIONS, REASONS, FORMATS, alarmNames, varintSize, putVarint, textBytes } from './logrecord';
import { putU32le } from './bytes';

/** The LoRaWAN port of these frames. */
export var LORA_PORT = 2;
/** The collector's PPKM level for the gate's site (issue 14): a downlink of one byte, 1..9. */
export var LEVEL_PORT = 3;
export var LORA_VERSION = 1;
/** Trusted time over LoRa (issue 13): the collector's authenticated answer to a TIME frame. */
export var TIME_PORT = 202;
export var SEALED = 0x20;
export var TIME_ASK = 0x10;
/** Bytes a seal adds: the counter's low byte and the truncated MAC. */
export var SEAL_BYTES = 5;
export var LORA_MAC = 4;
export var TIME_MAC = 16;
export var DEF_SESSION = 3;
export var DEF_UNLOGGED = 4;
export var ACK_REFUSED = 4;
/** A sealed answer: the counter's low byte after the header, a LORA_MAC-byte MAC at the end. */
export var ACK_SEALED = 0x20;
/** Why the collector refused a frame (the byte after a REFUSED header). */
export var REFUSALS = ['', 'unknown gate', 'revoked gate', 'bad MAC', 'replayed frame', 'frame not authenticated'];
export var DEF_GATE_ID = 1;
export var DEF_KID = 2;
export var DEF_FIRST = 0x10;
export var DEF_LAST = 0x20;
export var ACK_WHO = 1;
export var ACK_KIDS = 2;
/** Largest number of definitions in one frame. */
export var MAX_DEFS = 15;
/** Bytes of each pseudonym. */
var PSEUDO = 16;

/** The kid's tag: FNV-1a-32 of its bytes. */
export function kidTag(kid: Uint8Array): number {
  var h = 2166136261;
  for (var i = 0; i < kid.length; i++) {
    h = (h ^ kid[i]) >>> 0;
    // h * 16777619 mod 2^32 without losing bits: 16777619 = 2^24 + 403
    h = (((h << 24) >>> 0) + h * 403) % 4294967296;
  }
  return h;
}


function zigzag(d: number): number {
  return d >= 0 ? d * 2 : -d * 2 - 1;
}

function checkPseudo(p: Uint8Array, what: string): void {
  if (p.length !== 0 && p.length !== PSEUDO) throw new Error('lorawire: ' + what + ' must be 0 or 16 bytes');
}

/**
 * Builds one uplink frame of at most maxBytes: definitions first, then records in seq order.
 * Each add* returns false (and adds nothing) when the item does not fit.
 */
export class LoraFrameWriter {
  max: number;
  buf: Uint8Array;
  len: number;
  defs: number;
  records: number;
  prevSeq: number;
  prevTime: number;

  constructor(maxBytes: number) {
    if (!(maxBytes >= 1)) throw new Error('lorawire: frame of at least 1 byte');
    this.max = maxBytes;
    this.buf = new Uint8Array(maxBytes);
    this.len = 1;
    this.defs = 0;
    this.records = 0;
    this.prevSeq = -1;
    this.prevTime = 0;
  }

  /** Bytes left. */
  room(): number {
    return this.max - this.len;
  }

  /** A definition of type (DEF_GATE_ID | DEF_KID, with DEF_FIRST / DEF_LAST) holding b[start..end). */
  define(type: number, b: Uint8Array, start: number, end: number): boolean {
    if (this.records) throw new Error('lorawire: definitions go before records');
    var n = end - start;
    if (n < 1 || n > 255) throw new Error('lorawire: a definition holds 1..255 bytes');
    if (this.defs >= MAX_DEFS || this.len + 2 + n > this.max) return false;
    this.buf[this.len++] = type;
    this.buf[this.len++] = n;
    this.buf.set(b.subarray(start, end), this.len);
    this.len += n;
    this.defs++;
    return true;
  }

  /** The gate id, whole. */
  defineGateId(gateId: string): boolean {
    var b = textBytes(gateId);
    return this.define(DEF_GATE_ID | DEF_FIRST | DEF_LAST, b, 0, b.length);
  }

  /**
   * As much of kid[start..] as fits (at most 255 bytes); returns the end of what went in (start
   * when nothing did). A chunk shorter than the rest of the kid is not the last.
   */
  defineKid(kid: Uint8Array, start: number): number {
    var room = this.max - this.len - 2;
    if (this.defs >= MAX_DEFS || room < 1) return start;
    var end = kid.length - start > room ? start + room : kid.length;
    if (end - start > 255) end = start + 255;
    var type = DEF_KID | (start === 0 ? DEF_FIRST : 0) | (end === kid.length ? DEF_LAST : 0);
    this.define(type, kid, start, end);
    return end;
  }

  /** Encoded size of r as the next record of this frame. */
  recordSize(r: LogRecord): number {
    var n: number;
    if (this.records === 0) n = varintSize(r.seq) + 4;
    else n = varintSize(r.seq - this.prevSeq - 1) + varintSize(zigzag(r.time - this.prevTime));
    n += 1;
    if (r.kind === 'dropped') return n + varintSize(r.dropped) + (r.unlogged ? varintSize(r.unlogged) : 0);
    if (r.kind === 'alarm') return n + 1;
    if (r.kind === 'exit') return n + varintSize(r.occupancy || 0);
    n += 1;
    if (r.kid.length) n += 4;
    if (r.occupancy) n += varintSize(r.occupancy);
    return n + r.subject.length + r.cert.length;
  }

  /** Appends r (throws when it cannot be encoded: seq not increasing, a value out of range). */
  addRecord(r: LogRecord): boolean {
    if (!(r.seq >= 0 && r.seq <= 4294967295 && Math.floor(r.seq) === r.seq)) throw new Error('lorawire: bad seq');
    if (!(r.time >= 0 && r.time <= 4294967295 && Math.floor(r.time) === r.time)) throw new Error('lorawire: bad time');
    if (this.records && r.seq <= this.prevSeq) throw new Error('lorawire: seqs must increase within a frame');
    var dropped = r.kind === 'dropped' || r.kind === 'exit', alarm = r.kind === 'alarm' ? alarmNames().indexOf(r.alarm || '') : -1;
    var a: number;
    if (dropped) {
      a = 0xc0 | (r.clockUntrusted ? 1 : 0) | (r.kind === 'exit' ? 2 : r.unlogged ? 4 : 0);
    } else if (r.kind === 'alarm') {
      if (alarm < 1) throw new Error('lorawire: unknown alarm ' + r.alarm);
      a = 0xd0 | (r.clockUntrusted ? 1 : 0);
    } else {
      if (r.kind !== 'entry') throw new Error('lorawire: unknown kind ' + r.kind);
      var d = DECISIONS.indexOf(r.decision), f = FORMATS.indexOf(r.format), re = REASONS.indexOf(r.reason);
      if (d < 0 || f < 0 || re < 0 || re > 15) throw new Error('lorawire: unknown decision, format or reason');
      checkPseudo(r.subject, 'subject');
      checkPseudo(r.cert, 'cert');
      a = (d << 6) | (f << 4) | re;
    }
    var n = this.recordSize(r);
    if (this.len + n > this.max) return false;
    var b = this.buf, o = this.len;
    if (this.records === 0) {
      o = putVarint(b, o, r.seq);
      var t = r.time;
      b[o++] = t % 256; t = Math.floor(t / 256);
      b[o++] = t % 256; t = Math.floor(t / 256);
      b[o++] = t % 256; t = Math.floor(t / 256);
      b[o++] = t;
    } else {
      o = putVarint(b, o, r.seq - this.prevSeq - 1);
      o = putVarint(b, o, zigzag(r.time - this.prevTime));
    }
    b[o++] = a;
    if (dropped) {
      o = putVarint(b, o, r.kind === 'exit' ? r.occupancy || 0 : r.dropped);
      if (a & 4) o = putVarint(b, o, r.unlogged || 0);
    } else if (alarm > 0) {
      b[o++] = alarm;
    } else {
      b[o++] = (r.clockUntrusted ? 1 : 0) | (r.kid.length ? 2 : 0) | (r.subject.length ? 4 : 0) | (r.cert.length ? 8 : 0) | (r.occupancy ? 16 : 0);
      if (r.kid.length) {
        var tag = kidTag(r.kid);
        b[o++] = tag % 256; tag = Math.floor(tag / 256);
        b[o++] = tag % 256; tag = Math.floor(tag / 256);
        b[o++] = tag % 256; tag = Math.floor(tag / 256);
        b[o++] = tag;
      }
      b.set(r.subject, o); o += r.subject.length;
      b.set(r.cert, o); o += r.cert.length;
      if (r.occupancy) o = putVarint(b, o, r.occupancy);
    }
    this.len = o;
    this.records++;
    this.prevSeq = r.seq;
    this.prevTime = r.time;
    return true;
  }

  /** The frame's bytes; flags: SEALED, TIME_ASK (the seal itself is sealFrame's). */
  finish(flags?: number): Uint8Array {
    this.buf[0] = (LORA_VERSION << 6) | (flags || 0) | this.defs;
    return new Uint8Array(this.buf.subarray(0, this.len));
  }
}

/** The collector's answer (downlink). */
export interface LoraAck {
  /** The collector does not know this device's gate id: define it. */
  who: boolean;
  /** A record named a kid the collector does not know: define kids again. */
  kids: boolean;
  /** The collector refused the frame: why (REFUSALS); absent when it did not. */
  refused?: number;
  ranges: AckRange[];
  /** Sealed: the low byte of the answered uplink's counter (ackSealOk checks the MAC). */
  ctrLow?: number;
}


/** The bytes a LoRa MAC covers: epoch, session and counter (u32 LE each), then data. */
export function macInput(epoch: number, session: number, counter: number, data: Uint8Array): Uint8Array {
  var m = new Uint8Array(12 + data.length);
  putU32le(m, 0, epoch);
  putU32le(m, 4, session);
  putU32le(m, 8, counter);
  m.set(data, 12);
  return m;
}

/** The session definition's 12 bytes. */
export function sessionBytes(epoch: number, session: number, counter: number): Uint8Array {
  return macInput(epoch, session, counter, new Uint8Array(0));
}

/** A frame (finished with SEALED) with its counter byte and MAC appended. */
export function sealFrame(frame: Uint8Array, epoch: number, session: number, counter: number, upKey: Uint8Array,
  hmac: (k: Uint8Array, d: Uint8Array) => Uint8Array): Uint8Array {
  var out = new Uint8Array(frame.length + SEAL_BYTES);
  out.set(frame, 0);
  out[frame.length] = counter % 256;
  var mac = hmac(upKey, macInput(epoch, session, counter, out.subarray(0, frame.length + 1)));
  out.set(mac.subarray(0, LORA_MAC), frame.length + 1);
  return out;
}

/**
 * The time of a time downlink (FPort 202) when it is the collector's answer to the frame with
 * this counter (its MAC checks, in constant time), else -1.
 */
export function timeDownlink(d: Uint8Array, epoch: number, session: number, counter: number, timeKey: Uint8Array,
  hmac: (k: Uint8Array, d: Uint8Array) => Uint8Array): number {
  if (d.length !== 4 + TIME_MAC) return -1;
  var want = hmac(timeKey, macInput(epoch, session, counter, d.subarray(0, 4))), x = 0;
  for (var i = 0; i < TIME_MAC; i++) x |= want[i] ^ d[4 + i];
  return x ? -1 : d[0] + d[1] * 256 + d[2] * 65536 + d[3] * 16777216;
}

/** Whether the MAC of a sealed answer checks for the uplink with this counter (constant time). */
export function ackSealOk(d: Uint8Array, epoch: number, session: number, counter: number, ackKey: Uint8Array,
  hmac: (k: Uint8Array, d: Uint8Array) => Uint8Array): boolean {
  var n = d.length - LORA_MAC;
  if (n < 2 || !(d[0] & ACK_SEALED) || d[1] !== counter % 256) return false;
  var want = hmac(ackKey, macInput(epoch, session, counter, d.subarray(0, n))), x = 0;
  for (var i = 0; i < LORA_MAC; i++) x |= want[i] ^ d[n + i];
  return !x;
}

/** Decodes a downlink; throws Error on malformed input. */
export function decodeLoraAck(b: Uint8Array): LoraAck {
  if (b.length < 1) throw new Error('lorawire: empty downlink');
  var h = b[0];
  if (h >> 6 !== LORA_VERSION) throw new Error('lorawire: downlink version ' + (h >> 6));
  if (h & 0x18) throw new Error('lorawire: reserved downlink bits set');
  var out: LoraAck = { who: (h & ACK_WHO) !== 0, kids: (h & ACK_KIDS) !== 0, ranges: [] };
  if (h & ACK_REFUSED) {
    if (b.length !== 2 || !b[1] || h & ACK_SEALED) throw new Error('lorawire: a refusal is 2 bytes');
    out.refused = b[1];
    return out;
  }
  var o = 1, prev = -1, end = b.length;
  if (h & ACK_SEALED) {
    if (end < 2 + LORA_MAC) throw new Error('lorawire: truncated seal');
    out.ctrLow = b[1];
    o = 2;
    end -= LORA_MAC;
  }
  function varint(): number {
    var v = 0, mul = 1;
    for (var i = 0; i < 5; i++) {
      if (o >= end) throw new Error('lorawire: truncated varint');
      var c = b[o++];
      v += (c & 127) * mul;
      mul *= 128;
      if (c < 128) return v;
    }
    throw new Error('lorawire: varint too long');
  }
  while (o < end) {
    var first = varint();
    if (prev >= 0) first += prev + 1;
    var last = first + varint();
    if (last > 4294967295) throw new Error('lorawire: seq out of range');
    out.ranges.push({ first: first, last: last });
    prev = last;
  }
  return out;
}

/** Encodes a downlink (the collector has its own encoder; this one is for tests and tools). */
export function encodeLoraAck(who: boolean, kids: boolean, ranges: AckRange[]): Uint8Array {
  var n = 1, i: number, prev = -1;
  for (i = 0; i < ranges.length; i++) {
    n += varintSize(prev < 0 ? ranges[i].first : ranges[i].first - prev - 1) + varintSize(ranges[i].last - ranges[i].first);
    prev = ranges[i].last;
  }
  var b = new Uint8Array(n), o = 1;
  b[0] = (LORA_VERSION << 6) | (who ? ACK_WHO : 0) | (kids ? ACK_KIDS : 0);
  prev = -1;
  for (i = 0; i < ranges.length; i++) {
    var r = ranges[i];
    if (r.last < r.first || r.first <= prev) throw new Error('lorawire: ranges must be ascending and disjoint');
    o = putVarint(b, o, prev < 0 ? r.first : r.first - prev - 1);
    o = putVarint(b, o, r.last - r.first);
    prev = r.last;
  }
  return b;
}
