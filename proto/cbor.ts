// Strict CBOR (RFC 8949) decoder for the QG1 profile (docs/qg1.md, "Malformed input"),
// plus the small encoder the device needs (Sig_structure).
//
// Refused (Error thrown, message starting "cbor: "):
//  - indefinite-length items and a stray "break" (additional info 31);
//  - reserved additional info 28..30;
//  - any tag, except a single tag 18 wrapping the top-level item when opts.allowTopTag18 is set;
//  - floating-point values (major 7, ai 25..27), undefined (ai 23) and every other simple value:
//    only false, true and null are accepted;
//  - integers outside the safe range: unsigned above 2^53-1, negative below -(2^53-1);
//  - byte/text strings, arrays and maps whose announced length exceeds the remaining input
//    (checked before anything is allocated; an array element or map key/value takes >= 1 byte);
//  - text that is not strict UTF-8 (RFC 3629);
//  - duplicate map keys, and map keys that are arrays or maps;
//  - nesting deeper than opts.maxDepth (default 4): each array or map is one level, so a top-level
//    map holding a map is depth 2;
//  - more than opts.maxItems data items (default: the input length);
//  - trailing bytes after the item (decodeCbor).
// Accepted although not canonical: heads that are not in shortest form (e.g. 0x18 0x01 for 1),
// maps whose keys are not sorted. qg1.md does not list them as malformed; Sig_structure is built
// from the exact bytes on the wire, so this does not affect signatures.
//
// Representation: unsigned/negative integer -> number; byte string -> Uint8Array that is a
// subarray VIEW of the input (zero-copy: it aliases the input buffer); text -> byte string (the
// validated UTF-8 bytes, one char per byte); array -> Array; map -> CborMap {keys, values} in
// wire order; false/true -> boolean; null -> null.
//
// Work is linear in the input length: every item takes at least one input byte, lengths are
// checked before use, and the duplicate-key check of a map with more than 8 entries goes through
// an object keyed by type+value (smaller maps compare each key with the earlier ones).

import { qgError } from './error';
import { isValidUtf8, bytesToByteString, bytesEqual } from './bytes';

export interface CborMap {
  keys: any[];
  values: any[];
}

export interface CborDecodeOptions {
  /** Deepest allowed nesting of arrays/maps (default 4). */
  maxDepth?: number;
  /** Accept one tag 18 (COSE_Sign1) around the top-level item (default false). */
  allowTopTag18?: boolean;
  /** Most data items decoded (default: the input length). */
  maxItems?: number;
}

export interface CborItem {
  value: any;
  /** Offset just after the item. */
  end: number;
  /** A tag 18 wrapped the item (only with allowTopTag18). */
  tagged: boolean;
}

export var CBOR_DEFAULT_MAX_DEPTH = 4;

// 2^53 - 1
var MAX_SAFE = 9007199254740991;
var TWO32 = 4294967296;

interface DecodeState {
  b: Uint8Array;
  pos: number;
  end: number;
  items: number;
  maxItems: number;
  maxDepth: number;
  major: number;
  arg: number;
}

function fail(msg: string): never {
  throw qgError('cbor: ' + msg);
}

function read32(b: Uint8Array, p: number): number {
  return b[p] * 16777216 + b[p + 1] * 65536 + b[p + 2] * 256 + b[p + 3];
}

// Reads one head into st.major / st.arg. Rejects floats, simple values other than
// false/true/null, reserved and indefinite forms, and arguments above 2^53-1.
function readHead(st: DecodeState): void {
  var b = st.b;
  if (st.pos >= st.end) fail('truncated');
  var ib = b[st.pos++];
  var major = ib >> 5;
  var ai = ib & 31;
  if (major === 7) {
    if (ai === 31) fail('unexpected break');
    if (ai >= 25 && ai <= 27) fail('float');
    if (ai >= 28) fail('reserved additional info');
    if (ai !== 20 && ai !== 21 && ai !== 22) fail('simple value');
    st.major = 7;
    st.arg = ai;
    return;
  }
  var arg;
  var left = st.end - st.pos;
  if (ai < 24) {
    arg = ai;
  } else if (ai === 24) {
    if (left < 1) fail('truncated');
    arg = b[st.pos];
    st.pos += 1;
  } else if (ai === 25) {
    if (left < 2) fail('truncated');
    arg = b[st.pos] * 256 + b[st.pos + 1];
    st.pos += 2;
  } else if (ai === 26) {
    if (left < 4) fail('truncated');
    arg = read32(b, st.pos);
    st.pos += 4;
  } else if (ai === 27) {
    if (left < 8) fail('truncated');
    var hi = read32(b, st.pos);
    if (hi > 0x1fffff) fail('integer too large');
    arg = hi * TWO32 + read32(b, st.pos + 4);
    st.pos += 8;
  } else if (ai === 31) {
    fail('indefinite length');
  } else {
    fail('reserved additional info');
  }
  st.major = major;
  st.arg = arg as number;
}

/** Same key for the map-duplicate check and cborGet: same type and value (bytes by content). */
export function cborKeyEquals(a: any, b: any): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  return false;
}

// Maps with more entries than this check duplicates through keyId.
var SMALL_MAP = 8;

// A string naming the type and value of a map key (int, text, bytes, bool, null). The one-letter
// type prefix keeps ids apart across types and away from '__proto__'; lookups compare with === 1
// so inherited properties (e.g. 'toString') never count as seen.
function keyId(k: any): string {
  if (typeof k === 'number') return 'n' + k;
  if (typeof k === 'string') return 't' + k;
  if (typeof k === 'boolean') return k ? 'T' : 'F';
  if (k === null) return 'Z';
  return 'b' + bytesToByteString(k);
}

function decodeItem(st: DecodeState, depth: number): any {
  if (st.pos >= st.end) fail('truncated');
  st.items++;
  if (st.items > st.maxItems) fail('too many items');
  readHead(st);
  var major = st.major;
  var n = st.arg;
  var i;
  if (major === 0) return n;
  if (major === 1) {
    if (n > MAX_SAFE - 1) fail('integer too large');
    return -1 - n;
  }
  if (major === 2 || major === 3) {
    if (n > st.end - st.pos) fail('truncated');
    var start = st.pos;
    st.pos += n;
    if (major === 2) return st.b.subarray(start, start + n);
    if (!isValidUtf8(st.b, start, start + n)) fail('bad utf-8');
    return bytesToByteString(st.b, start, start + n);
  }
  if (major === 4) {
    if (depth + 1 > st.maxDepth) fail('too deep');
    if (n > st.end - st.pos) fail('truncated');
    var arr: any[] = [];
    for (i = 0; i < n; i++) arr.push(decodeItem(st, depth + 1));
    return arr;
  }
  if (major === 5) {
    if (depth + 1 > st.maxDepth) fail('too deep');
    if (n > (st.end - st.pos) / 2) fail('truncated');
    var keys: any[] = [];
    var values: any[] = [];
    // Duplicate check: compare with the earlier keys for small maps; for larger ones use an
    // object keyed by a type-tagged string, so the work stays near linear (a hash on Node, a
    // native property scan on Espruino) instead of n^2/2 interpreted comparisons.
    var seen: { [id: string]: number } | null = n > SMALL_MAP ? {} : null;
    for (i = 0; i < n; i++) {
      if (st.pos >= st.end) fail('truncated');
      var km = st.b[st.pos] >> 5;
      if (km === 4 || km === 5) fail('map key type');
      var k = decodeItem(st, depth + 1);
      if (seen !== null) {
        var id = keyId(k);
        if (seen[id] === 1) fail('duplicate key');
        seen[id] = 1;
      } else {
        for (var j = 0; j < keys.length; j++) {
          if (cborKeyEquals(keys[j], k)) fail('duplicate key');
        }
      }
      keys.push(k);
      values.push(decodeItem(st, depth + 1));
    }
    var m: CborMap = { keys: keys, values: values };
    return m;
  }
  if (major === 6) fail('tag');
  // major 7: only false (20), true (21), null (22) get past readHead
  if (n === 20) return false;
  if (n === 21) return true;
  return null;
}

/**
 * Decodes one item starting at `start` (default 0) and says where it ended; bytes after it are
 * left alone. Throws Error('cbor: ...') on anything outside the strict profile.
 */
export function decodeCborItem(bytes: Uint8Array, start?: number, opts?: CborDecodeOptions): CborItem {
  var pos = start === undefined ? 0 : start;
  if (pos < 0 || pos > bytes.length) fail('bad offset');
  var st: DecodeState = {
    b: bytes,
    pos: pos,
    end: bytes.length,
    items: 0,
    maxItems: opts && opts.maxItems !== undefined ? opts.maxItems : bytes.length,
    maxDepth: opts && opts.maxDepth !== undefined ? opts.maxDepth : CBOR_DEFAULT_MAX_DEPTH,
    major: 0,
    arg: 0,
  };
  var tagged = false;
  if (st.pos < st.end && st.b[st.pos] >> 5 === 6) {
    if (!(opts && opts.allowTopTag18)) fail('tag');
    readHead(st);
    if (st.arg !== 18) fail('tag');
    tagged = true;
  }
  var value = decodeItem(st, 0);
  return { value: value, end: st.pos, tagged: tagged };
}

/** Decodes exactly one item filling all of `bytes` (trailing bytes are malformed). */
export function decodeCbor(bytes: Uint8Array, opts?: CborDecodeOptions): any {
  var item = decodeCborItem(bytes, 0, opts);
  if (item.end !== bytes.length) fail('trailing bytes');
  return item.value;
}

/** True for the map representation of this decoder. */
export function isCborMap(v: any): boolean {
  return (
    v !== null &&
    typeof v === 'object' &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Array) &&
    v.keys instanceof Array &&
    v.values instanceof Array
  );
}

/**
 * Value under `key` (number, byte string for text, Uint8Array compared by content, boolean, null),
 * or undefined when absent.
 */
export function cborGet(map: CborMap, key: any): any {
  for (var i = 0; i < map.keys.length; i++) {
    if (cborKeyEquals(map.keys[i], key)) return map.values[i];
  }
  return undefined;
}

/** True when the map holds `key`. */
export function cborHas(map: CborMap, key: any): boolean {
  for (var i = 0; i < map.keys.length; i++) {
    if (cborKeyEquals(map.keys[i], key)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Encoder: definite lengths, shortest-form heads.

/** Bytes taken by a shortest-form head with argument n (0 <= n <= 2^53-1). */
export function cborHeadLength(n: number): number {
  if (n < 24) return 1;
  if (n < 256) return 2;
  if (n < 65536) return 3;
  if (n < TWO32) return 5;
  return 9;
}

function writeUint(out: Uint8Array, off: number, n: number, len: number): void {
  for (var i = off + len - 1; i >= off; i--) {
    var q = Math.floor(n / 256);
    out[i] = n - q * 256;
    n = q;
  }
}

/** Writes the shortest head for (major, n) at out[off]; returns the offset after it. */
export function writeCborHead(out: Uint8Array, off: number, major: number, n: number): number {
  if (n < 0 || n > MAX_SAFE || Math.floor(n) !== n) throw qgError('cbor: bad head argument');
  var m = major << 5;
  if (n < 24) {
    out[off] = m | n;
    return off + 1;
  }
  var len = cborHeadLength(n) - 1;
  out[off] = m | (len === 1 ? 24 : len === 2 ? 25 : len === 4 ? 26 : 27);
  writeUint(out, off + 1, n, len);
  return off + 1 + len;
}

/** The shortest head for (major, n). */
export function encodeCborHead(major: number, n: number): Uint8Array {
  if (n < 0 || n > MAX_SAFE || Math.floor(n) !== n) throw qgError('cbor: bad head argument');
  var out = new Uint8Array(cborHeadLength(n));
  writeCborHead(out, 0, major, n);
  return out;
}

/** CBOR byte string. */
export function encodeCborBytes(b: Uint8Array): Uint8Array {
  var h = cborHeadLength(b.length);
  var out = new Uint8Array(h + b.length);
  writeCborHead(out, 0, 2, b.length);
  out.set(b, h);
  return out;
}

/** CBOR text string from a byte string (UTF-8 bytes, one char per byte; not validated here). */
export function encodeCborText(byteString: string): Uint8Array {
  var n = byteString.length;
  var h = cborHeadLength(n);
  var out = new Uint8Array(h + n);
  writeCborHead(out, 0, 3, n);
  for (var i = 0; i < n; i++) {
    var c = byteString.charCodeAt(i);
    if (c > 255) throw qgError('cbor: text is not a byte string');
    out[h + i] = c;
  }
  return out;
}

/** Head of an array of n items. */
export function encodeCborArrayHead(n: number): Uint8Array {
  return encodeCborHead(4, n);
}

/** Head of a map of n pairs. */
export function encodeCborMapHead(n: number): Uint8Array {
  return encodeCborHead(5, n);
}

function encodeInto(v: any, parts: Uint8Array[]): void {
  if (typeof v === 'number') {
    if (Math.floor(v) !== v || v > MAX_SAFE || v < -MAX_SAFE) throw qgError('cbor: not a safe integer');
    parts.push(v >= 0 ? encodeCborHead(0, v) : encodeCborHead(1, -1 - v));
  } else if (typeof v === 'string') {
    parts.push(encodeCborText(v));
  } else if (typeof v === 'boolean') {
    parts.push(new Uint8Array([v ? 0xf5 : 0xf4]));
  } else if (v === null) {
    parts.push(new Uint8Array([0xf6]));
  } else if (v instanceof Uint8Array) {
    parts.push(encodeCborBytes(v));
  } else if (v instanceof Array) {
    parts.push(encodeCborArrayHead(v.length));
    for (var i = 0; i < v.length; i++) encodeInto(v[i], parts);
  } else if (isCborMap(v)) {
    if (v.keys.length !== v.values.length) throw qgError('cbor: bad map');
    parts.push(encodeCborMapHead(v.keys.length));
    for (var j = 0; j < v.keys.length; j++) {
      encodeInto(v.keys[j], parts);
      encodeInto(v.values[j], parts);
    }
  } else {
    throw qgError('cbor: cannot encode');
  }
}

/**
 * Encodes a value of this decoder's representation (safe integers, byte strings as text,
 * Uint8Array, Array, CborMap in its key order, booleans, null) with definite lengths and
 * shortest heads. decodeCbor(encodeCbor(v)) gives back v.
 */
export function encodeCbor(v: any): Uint8Array {
  var parts: Uint8Array[] = [];
  encodeInto(v, parts);
  var n = 0;
  var i;
  for (i = 0; i < parts.length; i++) n += parts[i].length;
  var out = new Uint8Array(n);
  var off = 0;
  for (i = 0; i < parts.length; i++) {
    out.set(parts[i], off);
    off += parts[i].length;
  }
  return out;
}

// "Signature1" as CBOR text: 0x6a then the 10 ASCII bytes.
var SIGNATURE1 = [0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31];

/**
 * CBOR of the COSE_Sign1 Sig_structure [ "Signature1", protected, h'', payload ] (RFC 9052 4.4,
 * empty external_aad), definite lengths and shortest heads, in one allocation.
 */
export function encodeSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  var pl = protectedBytes.length;
  var yl = payload.length;
  var out = new Uint8Array(1 + SIGNATURE1.length + cborHeadLength(pl) + pl + 1 + cborHeadLength(yl) + yl);
  var off = 0;
  out[off++] = 0x84; // array(4)
  for (var i = 0; i < SIGNATURE1.length; i++) out[off++] = SIGNATURE1[i];
  off = writeCborHead(out, off, 2, pl);
  out.set(protectedBytes, off);
  off += pl;
  out[off++] = 0x40; // h''
  off = writeCborHead(out, off, 2, yl);
  out.set(payload, off);
  return out;
}

/**
 * encodeSigStructure's bytes in four parts whose concatenation they are: the head (array, the
 * context, the protected bstr's head), the protected bytes themselves, the middle (h'', the
 * payload's head), the payload itself. The two large parts are the caller's own arrays (views of
 * flash, say): a verifier that copies the parts where it needs them never holds a joined copy.
 */
export function encodeSigStructureParts(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array[] {
  var pl = protectedBytes.length;
  var yl = payload.length;
  var head = new Uint8Array(1 + SIGNATURE1.length + cborHeadLength(pl));
  head[0] = 0x84; // array(4)
  for (var i = 0; i < SIGNATURE1.length; i++) head[1 + i] = SIGNATURE1[i];
  writeCborHead(head, 1 + SIGNATURE1.length, 2, pl);
  var mid = new Uint8Array(1 + cborHeadLength(yl));
  mid[0] = 0x40; // h''
  writeCborHead(mid, 1, 2, yl);
  return [head, protectedBytes, mid, payload];
}
