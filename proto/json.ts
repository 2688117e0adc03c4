// Strict JSON (RFC 8259) over BYTES for device code. Strings come out as *byte strings*: the UTF-8
// bytes of the text, one char per byte (see proto/bytes.ts), so the same bytes are hashed in Node
// and on a board without Unicode support. Strict: the input must be valid UTF-8 inside strings,
// \u escapes must form valid code points (a surrogate pair becomes one 4-byte UTF-8 sequence, a
// lone surrogate throws), duplicate keys, control chars in strings, leading zeros, trailing
// garbage and nesting deeper than `maxDepth` all throw Error. Objects keep their keys in order
// in a JsonObject (no prototype lookups, so "__proto__" or "constructor" are plain keys).
// Bounded (the text is parsed before any signature is checked, so an unsigned text must not be
// able to make a board allocate or loop without limit): at most JSON_MAX_BYTES of input,
// JSON_MAX_DEPTH levels of arrays/objects, JSON_MAX_VALUES values in all and JSON_MAX_KEYS keys in
// one object (the duplicate-key check is quadratic in it); each is refused with Error before the
// parser allocates past it. A real DIVOC certificate.json (../shared/divoc/samples, test/fixtures):
// 1,476 bytes, depth 5, 61 values, 15 keys in its largest object.
// Numbers: only integer literals (no fraction, no exponent) of at most 15 digits are accepted, so
// no question of float formatting can arise downstream; anything else throws.

import { qgError } from './error';
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A JSON object: parallel arrays of keys (byte strings) and values, in document order. */
export class JsonObject {
  keys: string[];
  values: JsonValue[];
  /** (keys and values: proto/jsonnative.ts's, taken as they are) */
  constructor(keys?: string[], values?: JsonValue[]) {
    this.keys = keys || [];
    this.values = values || [];
  }
  /** Index of key k, or -1. */
  indexOf(k: string): number {
    for (var i = 0; i < this.keys.length; i++) if (this.keys[i] === k) return i;
    return -1;
  }
  has(k: string): boolean {
    return this.indexOf(k) >= 0;
  }
  /** The value of key k, or undefined. */
  get(k: string): JsonValue | undefined {
    var i = this.indexOf(k);
    return i < 0 ? undefined : this.values[i];
  }
}

/** Longest JSON text parsed (bytes); a real certificate.json has 1,476 (2.8x margin). */
export var JSON_MAX_BYTES = 4096;
/** Deepest nesting of arrays and objects (the document is level 1); real: 5. */
export var JSON_MAX_DEPTH = 8;
/** Most values (objects, arrays, strings, numbers, literals) in one text; real: 61 (4.2x). */
export var JSON_MAX_VALUES = 256;
/** Most keys in one object; real: 15 (3.2x). */
export var JSON_MAX_KEYS = 48;

// The parser is plain functions over a state object, not methods: on Espruino 2v29, a chain of
// method calls through `this` (value -> object -> value ...) three or more levels deep left
// variables behind at every parse, and through them the parser and its bytes (a gate lost ~950
// variables per DIVOC check: its whole lazy part stayed reachable).
interface Parser {
  b: Uint8Array;
  p: number;
  maxDepth: number;
  /** Values still allowed (JSON_MAX_VALUES counts down). */
  left: number;
}

function p_fail(st: Parser, what: string): never {
  throw qgError('json: ' + what + ' at ' + st.p);
}

function p_ws(st: Parser): void {
  var b = st.b;
  while (st.p < b.length) {
    var c = b[st.p];
    if (c === 32 || c === 9 || c === 10 || c === 13) st.p++;
    else break;
  }
}

function p_value(st: Parser, depth: number): JsonValue {
  p_ws(st);
  if (st.p >= st.b.length) p_fail(st, 'unexpected end');
  if (--st.left < 0) p_fail(st, 'too many values');
  var c = st.b[st.p];
  if (c === 123) return p_object(st, depth + 1);
  if (c === 91) return p_array(st, depth + 1);
  if (c === 34) return p_string(st);
  if (c === 116) return p_word(st, 'true', true);
  if (c === 102) return p_word(st, 'false', false);
  if (c === 110) return p_word(st, 'null', null);
  if (c === 45 || (c >= 48 && c <= 57)) return p_number(st);
  return p_fail(st, 'unexpected char');
}

function p_word(st: Parser, w: string, v: boolean | null): boolean | null {
  for (var i = 0; i < w.length; i++) {
    if (st.b[st.p + i] !== w.charCodeAt(i)) p_fail(st, 'bad literal');
  }
  st.p += w.length;
  return v;
}

function p_object(st: Parser, depth: number): JsonObject {
  if (depth > st.maxDepth) p_fail(st, 'too deep');
  st.p++; // {
  var o = new JsonObject();
  p_ws(st);
  if (st.b[st.p] === 125) {
    st.p++;
    return o;
  }
  for (;;) {
    p_ws(st);
    if (st.b[st.p] !== 34) p_fail(st, 'expected key');
    if (o.keys.length >= JSON_MAX_KEYS) p_fail(st, 'too many keys');
    var k = p_string(st);
    if (o.indexOf(k) >= 0) p_fail(st, 'duplicate key');
    p_ws(st);
    if (st.b[st.p] !== 58) p_fail(st, 'expected colon');
    st.p++;
    var v = p_value(st, depth);
    o.keys.push(k);
    o.values.push(v);
    p_ws(st);
    var c = st.b[st.p];
    st.p++;
    if (c === 125) return o;
    if (c !== 44) {
      st.p--;
      p_fail(st, 'expected comma');
    }
  }
}

function p_array(st: Parser, depth: number): JsonValue[] {
  if (depth > st.maxDepth) p_fail(st, 'too deep');
  st.p++; // [
  var a: JsonValue[] = [];
  p_ws(st);
  if (st.b[st.p] === 93) {
    st.p++;
    return a;
  }
  for (;;) {
    a.push(p_value(st, depth));
    p_ws(st);
    var c = st.b[st.p];
    st.p++;
    if (c === 93) return a;
    if (c !== 44) {
      st.p--;
      p_fail(st, 'expected comma');
    }
  }
}

function p_hex4(st: Parser): number {
  var v = 0;
  for (var i = 0; i < 4; i++) {
    var c = st.b[st.p++];
    var d;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return p_fail(st, 'bad \\u escape');
    v = (v << 4) | d;
  }
  return v;
}

function p_string(st: Parser): string {
  var b = st.b;
  st.p++; // opening quote
  var s = '';
  var start = st.p;
  for (;;) {
    if (st.p >= b.length) p_fail(st, 'unterminated string');
    var c = b[st.p];
    if (c === 34) {
      s += chunk(b, start, st.p);
      st.p++;
      return s;
    }
    if (c < 0x20) p_fail(st, 'control char in string');
    if (c === 92) {
      s += chunk(b, start, st.p);
      st.p++;
      var e = b[st.p++];
      if (e === 34) s += '"';
      else if (e === 92) s += '\\';
      else if (e === 47) s += '/';
      else if (e === 98) s += '\b';
      else if (e === 102) s += '\f';
      else if (e === 110) s += '\n';
      else if (e === 114) s += '\r';
      else if (e === 116) s += '\t';
      else if (e === 117) {
        var cp = p_hex4(st);
        if (cp >= 0xdc00 && cp <= 0xdfff) p_fail(st, 'lone low surrogate');
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (b[st.p] !== 92 || b[st.p + 1] !== 117) p_fail(st, 'lone high surrogate');
          st.p += 2;
          var lo = p_hex4(st);
          if (lo < 0xdc00 || lo > 0xdfff) p_fail(st, 'lone high surrogate');
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        s += utf8Chars(cp);
      } else p_fail(st, 'bad escape');
      start = st.p;
    } else if (c < 0x80) {
      st.p++;
    } else {
      st.p += utf8SeqLen(b, st.p);
    }
  }
}

function p_number(st: Parser): number {
  var b = st.b;
  var start = st.p;
  if (b[st.p] === 45) st.p++;
  if (b[st.p] === 48) {
    st.p++;
  } else if (b[st.p] >= 49 && b[st.p] <= 57) {
    while (b[st.p] >= 48 && b[st.p] <= 57) st.p++;
  } else p_fail(st, 'bad number');
  var integer = true;
  if (b[st.p] === 46) {
    integer = false;
    st.p++;
    if (!(b[st.p] >= 48 && b[st.p] <= 57)) p_fail(st, 'bad number');
    while (b[st.p] >= 48 && b[st.p] <= 57) st.p++;
  }
  if (b[st.p] === 101 || b[st.p] === 69) {
    integer = false;
    st.p++;
    if (b[st.p] === 43 || b[st.p] === 45) st.p++;
    if (!(b[st.p] >= 48 && b[st.p] <= 57)) p_fail(st, 'bad number');
    while (b[st.p] >= 48 && b[st.p] <= 57) st.p++;
  }
  var text = chunk(b, start, st.p);
  if (!integer) {
    // Only integer literals are used by the certificates; anything else is kept out so that no
    // float formatting question can arise downstream.
    p_fail(st, 'non-integer number');
  }
  var digits = text.charCodeAt(0) === 45 ? text.length - 1 : text.length;
  if (digits > 15) p_fail(st, 'number too long');
  return parseInt(text, 10);
}

function chunk(b: Uint8Array, from: number, to: number): string {
  var s = '';
  for (var i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** The UTF-8 bytes of code point cp as a byte string. */
export function utf8Chars(cp: number): string {
  var f = String.fromCharCode;
  if (cp < 0x80) return f(cp);
  if (cp < 0x800) return f(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  if (cp < 0x10000) return f(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return f(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Length of the valid UTF-8 sequence starting at b[p] (lead byte >= 0x80); throws if invalid. */
function utf8SeqLen(b: Uint8Array, p: number): number {
  var c = b[p];
  var need;
  var lo = 0x80;
  var hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) need = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else throw qgError('json: bad UTF-8 at ' + p);
  if (p + need >= b.length) throw qgError('json: bad UTF-8 at ' + p);
  var d = b[p + 1];
  if (d < lo || d > hi) throw qgError('json: bad UTF-8 at ' + p);
  for (var k = 2; k <= need; k++) {
    d = b[p + k];
    if (d < 0x80 || d > 0xbf) throw qgError('json: bad UTF-8 at ' + p);
  }
  return need + 1;
}

/**
 * Parses one JSON text from bytes (UTF-8, no BOM). Strings in the result are byte strings.
 * Only integer number literals of at most 15 digits are accepted. Throws Error when malformed or
 * past a limit (JSON_MAX_BYTES, `maxDepth` (at most JSON_MAX_DEPTH), `maxValues` (at most
 * JSON_MAX_VALUES: a board's own bound), JSON_MAX_KEYS).
 */
export function parseJsonBytes(b: Uint8Array, maxDepth?: number, maxValues?: number): JsonValue {
  if (b.length > JSON_MAX_BYTES) throw qgError('json: too large');
  var st: Parser = { b: b, p: 0, maxDepth: maxDepth === undefined || maxDepth > JSON_MAX_DEPTH ? JSON_MAX_DEPTH : maxDepth,
    left: maxValues && maxValues < JSON_MAX_VALUES ? maxValues : JSON_MAX_VALUES };
  var v = p_value(st, 0);
  p_ws(st);
  if (st.p !== b.length) p_fail(st, 'trailing data');
  return v;
}
