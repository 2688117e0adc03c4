// The entry log's wire format (proto/log.proto) for the device: a small protobuf encoder for
// LogRecord and Batch, and decoders for LogRecord (the journal reads its own records back) and Ack
// (the collector's answer). Tested byte for byte against protobufjs on proto/log.proto.
//
// Only what log.proto needs: varints (uint32, enums, bool), fixed32 and length-delimited fields.
// Decoders skip unknown fields of every wire type but groups, and throw Error on malformed input.
import { byteStringToBytes, utf8Encode, bytesToByteString } from './bytes';
import { FORMAT_NAMES } from './formats';

/** Decision names, indexed by their code in log.proto. */
export var DECISIONS = ['open', 'deny', 'attendant'];
/** Reason names (spec/qg1.md section 4), indexed by their code in log.proto. */
export var REASONS = ['ok', 'malformed', 'unsupported', 'clock-unset', 'unknown-key', 'bad-signature',
  'key-expired', 'not-yet-valid', 'expired', 'revoked', 'stale-trust', 'policy',
  // gate-level refusals after the decision (firmware/occupancy.ts)
  'capacity', 'booth', 'passback'];
/** Format names, indexed by their code ('' = the text was not recognised): proto/formats.ts. */
export var FORMATS = FORMAT_NAMES;
/** Record kinds, indexed by their code. */
export var KINDS = ['entry', 'dropped', 'alarm', 'exit'];
/** Alarm names (kind 'alarm'), indexed by their code ('' = none); made per call (no RAM kept on a board). */
export function alarmNames(): string[] {
  return ['', 'forced', 'held', 'cleared', 'button-stuck'];
}
/** alarmNames(), for host code (tree-shaken out of the device bundle). */
export var ALARMS: string[] = /* @__PURE__ */ alarmNames();

/** Largest encoded LogRecord the device produces or accepts (it fits a one-byte length). */
export var MAX_RECORD_BYTES = 250;

/** One log record (decoded form). Names are those of the tables above. */
export interface LogRecord {
  seq: number;
  /** Seconds since 1970 (integer, 0..2^32-1). */
  time: number;
  /** 'entry', 'dropped' or 'alarm'. */
  kind: string;
  decision: string;
  reason: string;
  format: string;
  kid: Uint8Array;
  subject: Uint8Array;
  cert: Uint8Array;
  clockUntrusted: boolean;
  /** Kind 'dropped': records the journal has dropped since it was made (cumulative). */
  dropped: number;
  /** Kind 'dropped': entries not logged (Storage full) since the previous such record (a delta; 0 when absent). */
  unlogged?: number;
  /** Kind 'alarm': which (ALARMS); absent when the record has none. */
  alarm?: string;
  /** People inside after this record (gates that count); 0 when absent. */
  occupancy?: number;
  /** Host side only (the collector): the Batch's epoch the record came in (0 when absent). */
  epoch?: number;
}

/** A record as the gate makes it, before the journal gives it a sequence number. */
export interface LogEntry {
  time: number;
  kind?: string;
  decision?: string;
  reason?: string;
  format?: string;
  kid?: Uint8Array | null;
  subject?: Uint8Array | null;
  cert?: Uint8Array | null;
  clockUntrusted?: boolean;
  dropped?: number;
  unlogged?: number;
  alarm?: string;
  occupancy?: number;
}

export interface AckRange { first: number; last: number }
/**
 * time, nonce: the collector's clock and the request's nonce (undefined when absent); mac (field
 * 5, undefined when absent) covers b[0..macAt), every byte before it: it must be the Ack's last field.
 * level: the PPKM level the collector holds for the gate's site (Ack field 7); 0 when none.
 * trust: Ack field 6, a newer trust bundle for the gate (issue 13), else absent.
 */
export interface Ack { gateId: string; ranges: AckRange[]; time?: number; nonce?: number; mac?: Uint8Array | null; macAt?: number; level?: number; trust?: Uint8Array }

function codeOf(table: string[], name: string | undefined, what: string): number {
  if (name === undefined) return 0;
  var i = table.indexOf(name);
  if (i < 0) throw new Error('log: unknown ' + what + ' ' + name);
  return i;
}

function nameOf(table: string[], code: number, what: string): string {
  if (code < table.length) return table[code];
  throw new Error('log: unknown ' + what + ' code ' + code);
}

function checkU32(v: number, what: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 4294967295) || Math.floor(v) !== v) {
    throw new Error('log: ' + what + ' is not a uint32: ' + v);
  }
  return v;
}

// ---- writer

/** Bytes of the protobuf varint of v (v >= 0, exact to 2^53). */
export function varintSize(v: number): number {
  var n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes varint v at b[o]; returns the next offset. */
export function putVarint(b: Uint8Array, o: number, v: number): number {
  while (v >= 128) {
    b[o++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  b[o++] = v;
  return o;
}

/** Bytes of a text field: a byte string as is, JS text above U+00FF as UTF-8. */
export function textBytes(s: string): Uint8Array {
  for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return utf8Encode(s);
  return byteStringToBytes(s);
}

var EMPTY = new Uint8Array(0);

/** The record's fields as codes (validated), in field order. */
interface Fields {
  seq: number; time: number; decision: number; reason: number; kid: Uint8Array; format: number;
  subject: Uint8Array; cert: Uint8Array; clock: number; kind: number; dropped: number; unlogged: number; alarm: number;
  occupancy: number;
}

function fieldsOf(r: LogEntry, seq: number): Fields {
  var kind = codeOf(KINDS, r.kind, 'kind');
  var f: Fields = {
    seq: checkU32(seq, 'seq'),
    time: checkU32(r.time, 'time'),
    decision: codeOf(DECISIONS, r.decision, 'decision'),
    reason: codeOf(REASONS, r.reason, 'reason'),
    kid: r.kid || EMPTY,
    format: codeOf(FORMATS, r.format, 'format'),
    subject: r.subject || EMPTY,
    cert: r.cert || EMPTY,
    clock: r.clockUntrusted ? 1 : 0,
    kind: kind,
    dropped: checkU32(r.dropped || 0, 'dropped'),
    unlogged: checkU32(r.unlogged || 0, 'unlogged'),
    alarm: r.alarm ? codeOf(alarmNames(), r.alarm, 'alarm') : 0,
    occupancy: checkU32(r.occupancy || 0, 'occupancy'),
  };
  return f;
}

function lenField(n: number): number {
  return n ? 1 + varintSize(n) + n : 0;
}

function fieldsSize(f: Fields): number {
  var n = 0;
  if (f.seq) n += 1 + varintSize(f.seq);
  if (f.time) n += 5;
  if (f.decision) n += 2;
  if (f.reason) n += 2;
  n += lenField(f.kid.length);
  if (f.format) n += 2;
  n += lenField(f.subject.length);
  n += lenField(f.cert.length);
  if (f.clock) n += 2;
  if (f.kind) n += 2;
  if (f.dropped) n += 1 + varintSize(f.dropped);
  if (f.unlogged) n += 1 + varintSize(f.unlogged);
  if (f.alarm) n += 2;
  if (f.occupancy) n += 1 + varintSize(f.occupancy);
  return n;
}

function putBytesField(b: Uint8Array, o: number, tag: number, v: Uint8Array): number {
  if (!v.length) return o;
  b[o++] = tag;
  o = putVarint(b, o, v.length);
  b.set(v, o);
  return o + v.length;
}

function putFields(b: Uint8Array, o: number, f: Fields): number {
  if (f.seq) { b[o++] = 0x08; o = putVarint(b, o, f.seq); }
  if (f.time) {
    b[o++] = 0x15;
    var t = f.time;
    b[o++] = t % 256; t = Math.floor(t / 256);
    b[o++] = t % 256; t = Math.floor(t / 256);
    b[o++] = t % 256; t = Math.floor(t / 256);
    b[o++] = t;
  }
  if (f.decision) { b[o++] = 0x18; b[o++] = f.decision; }
  if (f.reason) { b[o++] = 0x20; b[o++] = f.reason; }
  o = putBytesField(b, o, 0x2a, f.kid);
  if (f.format) { b[o++] = 0x30; b[o++] = f.format; }
  o = putBytesField(b, o, 0x3a, f.subject);
  o = putBytesField(b, o, 0x42, f.cert);
  if (f.clock) { b[o++] = 0x48; b[o++] = 1; }
  if (f.kind) { b[o++] = 0x50; b[o++] = f.kind; }
  if (f.dropped) { b[o++] = 0x58; o = putVarint(b, o, f.dropped); }
  if (f.unlogged) { b[o++] = 0x60; o = putVarint(b, o, f.unlogged); }
  if (f.alarm) { b[o++] = 0x70; b[o++] = f.alarm; }
  if (f.occupancy) { b[o++] = 0x78; o = putVarint(b, o, f.occupancy); }
  return o;
}

/** The LogRecord message for `r` with sequence number `seq`. Throws on a value log.proto cannot hold. */
export function encodeLogRecord(r: LogEntry, seq: number): Uint8Array {
  var f = fieldsOf(r, seq);
  var out = new Uint8Array(fieldsSize(f));
  putFields(out, 0, f);
  return out;
}

/**
 * A Batch of already-encoded LogRecord messages (as the journal stores them), without copying
 * or re-encoding them. An empty gateId is left out (LoRaWAN: the network server names the device).
 * `unlogged` (Batch field 3): entries the gate could not log that no record carries yet.
 */
export function encodeBatch(gateId: string, records: Uint8Array[], unlogged?: number): Uint8Array {
  var id = textBytes(gateId);
  var n = lenField(id.length), i: number;
  for (i = 0; i < records.length; i++) n += 1 + varintSize(records[i].length) + records[i].length;
  if (unlogged) n += 1 + varintSize(unlogged);
  var out = new Uint8Array(n);
  var o = putBytesField(out, 0, 0x0a, id);
  for (i = 0; i < records.length; i++) {
    // An empty record (every field zero) is still a record: write its tag and zero length.
    out[o++] = 0x12;
    o = putVarint(out, o, records[i].length);
    out.set(records[i], o);
    o += records[i].length;
  }
  if (unlogged) { out[o++] = 0x18; putVarint(out, o, unlogged); }
  return out;
}

/** Size of encodeBatch(gateId, records) for records of these encoded lengths, without building it. */
export function batchSize(gateId: string, recordLengths: number[]): number {
  var n = lenField(textBytes(gateId).length);
  for (var i = 0; i < recordLengths.length; i++) n += 1 + varintSize(recordLengths[i]) + recordLengths[i];
  return n;
}

/** An Ack message (the collector normally makes these; here for the device's tests and the sim). */
export function encodeAck(gateId: string, ranges: AckRange[], level?: number, trust?: Uint8Array): Uint8Array {
  var id = textBytes(gateId), i: number, r: AckRange, m: number;
  var n = lenField(id.length) + (level ? 1 + varintSize(checkU32(level, 'level')) : 0) + (trust ? lenField(trust.length) : 0);
  var sizes: number[] = [];
  for (i = 0; i < ranges.length; i++) {
    r = ranges[i];
    m = (r.first ? 1 + varintSize(checkU32(r.first, 'first')) : 0) + (r.last ? 1 + varintSize(checkU32(r.last, 'last')) : 0);
    sizes.push(m);
    n += 1 + varintSize(m) + m;
  }
  var out = new Uint8Array(n);
  var o = putBytesField(out, 0, 0x0a, id);
  for (i = 0; i < ranges.length; i++) {
    r = ranges[i];
    out[o++] = 0x12;
    o = putVarint(out, o, sizes[i]);
    if (r.first) { out[o++] = 0x08; o = putVarint(out, o, r.first); }
    if (r.last) { out[o++] = 0x10; o = putVarint(out, o, r.last); }
  }
  if (trust) o = putBytesField(out, o, 0x32, trust);
  if (level) { out[o++] = 0x38; putVarint(out, o, level); }
  return out;
}

/**
 * An encoded Batch with field 7 (trust_version: the version of the bundle the gate uses) and
 * field 8 (backlog: records the gate still holds unsent beyond this batch) appended (protobuf
 * fields may come in any order), each when not 0; the body itself when both are 0.
 */
export function withTrustVersion(body: Uint8Array, v: number, backlog?: number): Uint8Array {
  if (!v && !backlog) return body;
  var out = new Uint8Array(body.length + (v ? 1 + varintSize(checkU32(v, 'trust version')) : 0) + (backlog ? 1 + varintSize(checkU32(backlog, 'backlog')) : 0));
  out.set(body, 0);
  var o = body.length;
  if (v) { out[o++] = 0x38; o = putVarint(out, o, v); }
  if (backlog) { out[o++] = 0x40; putVarint(out, o, backlog); }
  return out;
}

// ---- reader

/** A cursor over b[pos..end). */
class Reader {
  b: Uint8Array;
  pos: number;
  end: number;
  constructor(b: Uint8Array, start: number, end: number) {
    if (start < 0 || end > b.length || start > end) throw new Error('log: bad range');
    this.b = b;
    this.pos = start;
    this.end = end;
  }

  /** A varint; values above 32 bits keep their low 32 bits (as protobuf does for uint32). */
  varint(): number {
    var v = 0, mul = 1, i = 0, c: number;
    for (;;) {
      if (this.pos >= this.end) throw new Error('log: truncated varint');
      if (i >= 10) throw new Error('log: varint too long');
      c = this.b[this.pos++];
      if (i < 5) {
        // bits 0..34 of which the low 32 are kept
        v += (i === 4 ? (c & 15) : (c & 127)) * mul;
        mul *= 128;
      }
      i++;
      if (c < 128) break;
    }
    return v;
  }

  fixed32(): number {
    if (this.end - this.pos < 4) throw new Error('log: truncated fixed32');
    var b = this.b, p = this.pos;
    this.pos += 4;
    return b[p] + b[p + 1] * 256 + b[p + 2] * 65536 + b[p + 3] * 16777216;
  }

  /** Start of a length-delimited field's contents; advances past it. */
  lenStart(): number {
    var n = this.varint();
    if (n > this.end - this.pos) throw new Error('log: truncated field');
    var s = this.pos;
    this.pos += n;
    return s;
  }

  bytes(): Uint8Array {
    var s = this.lenStart();
    return new Uint8Array(this.b.subarray(s, this.pos));
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.ahead(8);
    else if (wire === 2) this.lenStart();
    else if (wire === 5) this.ahead(4);
    else throw new Error('log: unsupported wire type ' + wire);
  }

  ahead(n: number): void {
    if (this.end - this.pos < n) throw new Error('log: truncated field');
    this.pos += n;
  }
}

/** Decodes a LogRecord message held in b[start..end) (the whole array by default). */
export function decodeLogRecord(b: Uint8Array, start?: number, end?: number): LogRecord {
  var r = new Reader(b, start === undefined ? 0 : start, end === undefined ? b.length : end);
  var rec: LogRecord = {
    seq: 0, time: 0, kind: 'entry', decision: 'open', reason: 'ok', format: FORMATS[0], // the protobuf default: log code 0
    kid: EMPTY, subject: EMPTY, cert: EMPTY, clockUntrusted: false, dropped: 0, unlogged: 0,
  }; // (occupancy: set only when the record carries it)
  while (r.pos < r.end) {
    var key = r.varint();
    var field = Math.floor(key / 8), wire = key & 7;
    if (field === 0) throw new Error('log: field number 0');
    if (field === 2 && wire === 5) { rec.time = r.fixed32(); continue; }
    if (wire === 0 && field === 14) { rec.alarm = nameOf(alarmNames(), r.varint(), 'alarm'); continue; }
    if (wire === 0 && (field === 1 || field === 3 || field === 4 || field === 6 || field >= 9 && field <= 12 || field === 15)) {
      var v = r.varint();
      if (field === 1) rec.seq = v;
      else if (field === 3) rec.decision = nameOf(DECISIONS, v, 'decision');
      else if (field === 4) rec.reason = nameOf(REASONS, v, 'reason');
      else if (field === 6) rec.format = nameOf(FORMATS, v, 'format');
      else if (field === 9) rec.clockUntrusted = v !== 0;
      else if (field === 10) rec.kind = nameOf(KINDS, v, 'kind');
      else if (field === 11) rec.dropped = v;
      else if (field === 15) rec.occupancy = v;
      else rec.unlogged = v;
      continue;
    }
    if (wire === 2 && (field === 5 || field === 7 || field === 8)) {
      var bytes = r.bytes();
      if (field === 5) rec.kid = bytes;
      else if (field === 7) rec.subject = bytes;
      else rec.cert = bytes;
      continue;
    }
    // A known field with another wire type is malformed; an unknown field is skipped.
    if (field <= 12 || field === 14 || field === 15) throw new Error('log: field ' + field + ' has wire type ' + wire);
    r.skip(wire);
  }
  return rec;
}

/** The seq of an encoded LogRecord, without decoding the rest (0 when absent). */
export function recordSeq(b: Uint8Array, start: number, end: number): number {
  // The encoder writes seq first; a record from elsewhere is decoded in full.
  if (start < end && b[start] === 0x08) {
    var r = new Reader(b, start + 1, end);
    return r.varint();
  }
  return decodeLogRecord(b, start, end).seq;
}

/** Decodes a Batch: the gate id (byte string) and its records. */
export function decodeBatch(b: Uint8Array): { gateId: string; records: LogRecord[] } {
  var r = new Reader(b, 0, b.length);
  var out = { gateId: '', records: [] as LogRecord[] };
  while (r.pos < r.end) {
    var key = r.varint();
    var field = Math.floor(key / 8), wire = key & 7;
    if (field === 0) throw new Error('log: field number 0');
    if ((field === 1 || field === 2) && wire !== 2) throw new Error('log: field ' + field + ' has wire type ' + wire);
    if (field === 1) {
      var s = r.lenStart();
      out.gateId = bytesToByteString(b, s, r.pos);
    } else if (field === 2) {
      var rs = r.lenStart();
      out.records.push(decodeLogRecord(b, rs, r.pos));
    } else r.skip(wire);
  }
  return out;
}

/** Decodes an Ack (the collector's answer to a batch). The gate id is a byte string. */
export function decodeAck(b: Uint8Array): Ack {
  var r = new Reader(b, 0, b.length);
  var out: Ack = { gateId: '', ranges: [] };
  while (r.pos < r.end) {
    var at = r.pos;
    var key = r.varint();
    var field = Math.floor(key / 8), wire = key & 7;
    if (field === 0) throw new Error('log: field number 0');
    if (field >= 1 && field <= 5 && wire !== [0, 2, 2, 5, 0, 2][field]) throw new Error('log: field ' + field + ' has wire type ' + wire);
    if (field === 3) out.time = r.fixed32();
    else if (field === 4) out.nonce = r.varint();
    else if (field === 5) {
      out.mac = r.bytes();
      out.macAt = at;
      if (r.pos !== r.end) throw new Error('log: ack mac is not the last field');
    } else if (field === 1) {
      var s = r.lenStart();
      out.gateId = bytesToByteString(b, s, r.pos);
    } else if (field === 2) {
      var rs = r.lenStart();
      var sub = new Reader(b, rs, r.pos);
      var range: AckRange = { first: 0, last: 0 };
      while (sub.pos < sub.end) {
        var k2 = sub.varint();
        var f2 = Math.floor(k2 / 8), w2 = k2 & 7;
        if (f2 === 0) throw new Error('log: field number 0');
        if ((f2 === 1 || f2 === 2) && w2 !== 0) throw new Error('log: range field ' + f2 + ' has wire type ' + w2);
        if (f2 === 1) range.first = sub.varint();
        else if (f2 === 2) range.last = sub.varint();
        else sub.skip(w2);
      }
      out.ranges.push(range);
    } else if (field === 7 && wire === 0) out.level = r.varint();
    else if (field === 6 && wire === 2) {
      var ts = r.lenStart();
      out.trust = new Uint8Array(b.subarray(ts, r.pos));
    } else r.skip(wire);
  }
  return out;
}
