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

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A JSON object: parallel arrays of keys (byte strings) and values, in document order. */
export class JsonObject {
  keys: string[];
  values: JsonValue[];
  constructor() {
    this.keys = [];
    this.values = [];
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

class Parser {
  b: Uint8Array;
  p: number;
  maxDepth: number;
  /** Values still allowed (JSON_MAX_VALUES counts down). */
  left: number;
  constructor(b: Uint8Array, maxDepth: number) {
    this.b = b;
    this.p = 0;
    this.maxDepth = maxDepth;
    this.left = JSON_MAX_VALUES;
  }

  fail(what: string): never {
    throw new Error('json: ' + what + ' at ' + this.p);
  }

  ws(): void {
    var b = this.b;
    while (this.p < b.length) {
      var c = b[this.p];
      if (c === 32 || c === 9 || c === 10 || c === 13) this.p++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    this.ws();
    if (this.p >= this.b.length) this.fail('unexpected end');
    if (--this.left < 0) this.fail('too many values');
    var c = this.b[this.p];
    if (c === 123) return this.object(depth + 1);
    if (c === 91) return this.array(depth + 1);
    if (c === 34) return this.string();
    if (c === 116) return this.word('true', true);
    if (c === 102) return this.word('false', false);
    if (c === 110) return this.word('null', null);
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    return this.fail('unexpected char');
  }

  word(w: string, v: boolean | null): boolean | null {
    for (var i = 0; i < w.length; i++) {
      if (this.b[this.p + i] !== w.charCodeAt(i)) this.fail('bad literal');
    }
    this.p += w.length;
    return v;
  }

  object(depth: number): JsonObject {
    if (depth > this.maxDepth) this.fail('too deep');
    this.p++; // {
    var o = new JsonObject();
    this.ws();
    if (this.b[this.p] === 125) {
      this.p++;
      return o;
    }
    for (;;) {
      this.ws();
      if (this.b[this.p] !== 34) this.fail('expected key');
      if (o.keys.length >= JSON_MAX_KEYS) this.fail('too many keys');
      var k = this.string();
      if (o.indexOf(k) >= 0) this.fail('duplicate key');
      this.ws();
      if (this.b[this.p] !== 58) this.fail('expected colon');
      this.p++;
      var v = this.value(depth);
      o.keys.push(k);
      o.values.push(v);
      this.ws();
      var c = this.b[this.p];
      this.p++;
      if (c === 125) return o;
      if (c !== 44) {
        this.p--;
        this.fail('expected comma');
      }
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > this.maxDepth) this.fail('too deep');
    this.p++; // [
    var a: JsonValue[] = [];
    this.ws();
    if (this.b[this.p] === 93) {
      this.p++;
      return a;
    }
    for (;;) {
      a.push(this.value(depth));
      this.ws();
      var c = this.b[this.p];
      this.p++;
      if (c === 93) return a;
      if (c !== 44) {
        this.p--;
        this.fail('expected comma');
      }
    }
  }

  hex4(): number {
    var v = 0;
    for (var i = 0; i < 4; i++) {
      var c = this.b[this.p++];
      var d;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return this.fail('bad \\u escape');
      v = (v << 4) | d;
    }
    return v;
  }

  string(): string {
    var b = this.b;
    this.p++; // opening quote
    var s = '';
    var start = this.p;
    for (;;) {
      if (this.p >= b.length) this.fail('unterminated string');
      var c = b[this.p];
      if (c === 34) {
        s += chunk(b, start, this.p);
        this.p++;
        return s;
      }
      if (c < 0x20) this.fail('control char in string');
      if (c === 92) {
        s += chunk(b, start, this.p);
        this.p++;
        var e = b[this.p++];
        if (e === 34) s += '"';
        else if (e === 92) s += '\\';
        else if (e === 47) s += '/';
        else if (e === 98) s += '\b';
        else if (e === 102) s += '\f';
        else if (e === 110) s += '\n';
        else if (e === 114) s += '\r';
        else if (e === 116) s += '\t';
        else if (e === 117) {
          var cp = this.hex4();
          if (cp >= 0xdc00 && cp <= 0xdfff) this.fail('lone low surrogate');
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (b[this.p] !== 92 || b[this.p + 1] !== 117) this.fail('lone high surrogate');
            this.p += 2;
            var lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone high surrogate');
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          s += utf8Chars(cp);
        } else this.fail('bad escape');
        start = this.p;
      } else if (c < 0x80) {
        this.p++;
      } else {
        this.p += utf8SeqLen(b, this.p);
      }
    }
  }

  number(): number {
    var b = this.b;
    var start = this.p;
    if (b[this.p] === 45) this.p++;
    if (b[this.p] === 48) {
      this.p++;
    } else if (b[this.p] >= 49 && b[this.p] <= 57) {
      while (b[this.p] >= 48 && b[this.p] <= 57) this.p++;
    } else this.fail('bad number');
    var integer = true;
    if (b[this.p] === 46) {
      integer = false;
      this.p++;
      if (!(b[this.p] >= 48 && b[this.p] <= 57)) this.fail('bad number');
      while (b[this.p] >= 48 && b[this.p] <= 57) this.p++;
    }
    if (b[this.p] === 101 || b[this.p] === 69) {
      integer = false;
      this.p++;
      if (b[this.p] === 43 || b[this.p] === 45) this.p++;
      if (!(b[this.p] >= 48 && b[this.p] <= 57)) this.fail('bad number');
      while (b[this.p] >= 48 && b[this.p] <= 57) this.p++;
    }
    var text = chunk(b, start, this.p);
    if (!integer) {
      // Only integer literals are used by the certificates; anything else is kept out so that no
      // float formatting question can arise downstream.
      this.fail('non-integer number');
    }
    var digits = text.charCodeAt(0) === 45 ? text.length - 1 : text.length;
    if (digits > 15) this.fail('number too long');
    return parseInt(text, 10);
  }
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
  } else throw new Error('json: bad UTF-8 at ' + p);
  if (p + need >= b.length) throw new Error('json: bad UTF-8 at ' + p);
  var d = b[p + 1];
  if (d < lo || d > hi) throw new Error('json: bad UTF-8 at ' + p);
  for (var k = 2; k <= need; k++) {
    d = b[p + k];
    if (d < 0x80 || d > 0xbf) throw new Error('json: bad UTF-8 at ' + p);
  }
  return need + 1;
}

/**
 * Parses one JSON text from bytes (UTF-8, no BOM). Strings in the result are byte strings.
 * Only integer number literals of at most 15 digits are accepted. Throws Error when malformed or
 * past a limit (JSON_MAX_BYTES, `maxDepth` (at most JSON_MAX_DEPTH), JSON_MAX_VALUES, JSON_MAX_KEYS).
 */
export function parseJsonBytes(b: Uint8Array, maxDepth?: number): JsonValue {
  if (b.length > JSON_MAX_BYTES) throw new Error('json: too large');
  var p = new Parser(b, maxDepth === undefined || maxDepth > JSON_MAX_DEPTH ? JSON_MAX_DEPTH : maxDepth);
  var v = p.value(0);
  p.ws();
  if (p.p !== b.length) p.fail('trailing data');
  return v;
}
