// Small byte helpers shared by the device codecs (ES5, Espruino-safe: no TextEncoder, no
// Array.from, no negative typed-array indexes, copies made with new Uint8Array(subarray)).
//
// Two kinds of string meet here, and they must not be confused:
//  - a *byte string* has one char per byte (codes 0..255), e.g. UTF-8 bytes of CBOR text, UART
//    data; convert it with byteStringToBytes / bytesToByteString (no transcoding);
//  - *JS text* (code points above 255 possible, e.g. a literal in host code or a string built on
//    Espruino's Linux build) is turned into UTF-8 with utf8Encode.
// A string made only of chars 0..255 is ambiguous: utf8Encode('\u00e9') gives c3 a9, while
// byteStringToBytes('\u00e9') gives e9. Device code keeps text as byte strings and so normally
// needs byteStringToBytes. (On boards without Unicode support every string is already bytes.)

var HEX_DIGITS = '0123456789abcdef';

/** Lower-case hex of the bytes. */
export function hexOf(b: Uint8Array): string {
  var s = '';
  for (var i = 0; i < b.length; i++) {
    var v = b[i];
    s += HEX_DIGITS.charAt(v >> 4) + HEX_DIGITS.charAt(v & 15);
  }
  return s;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Bytes of a hex string (either case, no separators); throws on odd length or a non-hex char. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new Error('hex: odd length');
  var out = new Uint8Array(s.length / 2);
  for (var i = 0; i < out.length; i++) {
    var h = hexNibble(s.charCodeAt(2 * i));
    var l = hexNibble(s.charCodeAt(2 * i + 1));
    if (h < 0 || l < 0) throw new Error('hex: bad digit');
    out[i] = (h << 4) | l;
  }
  return out;
}

/** Same length and same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order: negative if a < b, 0 if equal, positive if a > b (a prefix sorts first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  var n = a.length < b.length ? a.length : b.length;
  for (var i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** One new array holding all parts in order. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
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

/** Writes v (0 to 2^32 - 1) at b[o..o+4), little-endian. */
export function putU32le(b: Uint8Array, o: number, v: number): void {
  for (var i = 0; i < 4; i++) { b[o + i] = v % 256; v = Math.floor(v / 256); }
}

/** Bytes of a byte string (one char per byte); throws on a char above 255. */
export function byteStringToBytes(s: string): Uint8Array {
  var out = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c > 255) throw new Error('byte string: char above 255');
    out[i] = c;
  }
  return out;
}

/** Byte string (one char per byte) of b[start..end) (whole array by default). */
export function bytesToByteString(b: Uint8Array, start?: number, end?: number): string {
  var i = start === undefined ? 0 : start;
  var e = end === undefined ? b.length : end;
  var s = '';
  for (; i < e; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * s.indexOf(needle, from), safe on Espruino: since 2v29 its String.prototype.indexOf also "finds" a
 * needle that would run past the end of s when the end of s matches the needle's beginning
 * ('|a|b|'.indexOf('|c|') is 4 there, not -1). A real match always comes before such a false
 * one, so an index that leaves no room for the whole needle means "not found".
 */
export function indexOfText(s: string, needle: string, from?: number): number {
  var i = from === undefined ? s.indexOf(needle) : s.indexOf(needle, from);
  return i >= 0 && i + needle.length <= s.length ? i : -1;
}

/**
 * UTF-8 of JS text (UTF-16 code units; surrogate pairs are combined, a lone surrogate becomes
 * U+FFFD). Not for byte strings: see the note at the top of this file.
 */
export function utf8Encode(s: string): Uint8Array {
  var n = 0;
  var i;
  var c;
  // First pass: length.
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // BMP char, or a lone surrogate written as U+FFFD
  }
  var out = new Uint8Array(n);
  var o = 0;
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      var cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
      i++;
      out[o++] = 0xf0 | (cp >> 18);
      out[o++] = 0x80 | ((cp >> 12) & 63);
      out[o++] = 0x80 | ((cp >> 6) & 63);
      out[o++] = 0x80 | (cp & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return out;
}

/**
 * Strict UTF-8 (RFC 3629) check of b[start..end): no overlong forms, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF, no truncated sequence.
 */
export function isValidUtf8(b: Uint8Array, start?: number, end?: number): boolean {
  var i = start === undefined ? 0 : start;
  var e = end === undefined ? b.length : end;
  while (i < e) {
    var c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    var need;
    var lo = 0x80;
    var hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      else if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      else if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return false; // 80..c1 (continuation or overlong lead), f5..ff
    if (i + need >= e) return false; // the sequence i..i+need does not fit: truncated
    var d = b[i + 1];
    if (d < lo || d > hi) return false;
    for (var k = 2; k <= need; k++) {
      d = b[i + k];
      if (d < 0x80 || d > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}
