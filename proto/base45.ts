// Base45 (RFC 9285). Strict decoder: only the 45 alphabet chars (upper case), no whitespace,
// length % 3 != 1, every 3-char group <= 0xFFFF and a 2-char tail <= 0xFF.

import { qgError } from './error';
var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// Char code (0..127) -> value, 255 = not in the alphabet. Built once at load time.
var DECODE_TABLE = new Uint8Array(128);
(function () {
  var i;
  for (i = 0; i < 128; i++) DECODE_TABLE[i] = 255;
  for (i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;
})();

function b45Value(s: string, i: number): number {
  var c = s.charCodeAt(i);
  var v = c < 128 ? DECODE_TABLE[c] : 255;
  if (v === 255) throw qgError('base45: bad char');
  return v;
}

/** Decoded length of a base45 text of n chars, or -1 when n % 3 == 1. */
export function base45DecodedLength(n: number): number {
  var r = n % 3;
  if (r === 1) return -1;
  return ((n - r) / 3) * 2 + (r === 2 ? 1 : 0);
}

/**
 * Bytes of a base45 text (from char `start`, default 0: a scanned text after its prefix is read
 * where it lies, not copied first); throws Error on any invalid input.
 */
export function base45Decode(s: string, start?: number): Uint8Array {
  var i = start || 0;
  var n = s.length;
  var outLen = base45DecodedLength(n - i);
  if (outLen < 0) throw qgError('base45: bad length');
  var out = new Uint8Array(outLen);
  var o = 0;
  for (; i + 3 <= n; i += 3) {
    var v = b45Value(s, i) + b45Value(s, i + 1) * 45 + b45Value(s, i + 2) * 2025;
    if (v > 0xffff) throw qgError('base45: group too large');
    out[o++] = v >> 8;
    out[o++] = v & 255;
  }
  if (i < n) {
    var w = b45Value(s, i) + b45Value(s, i + 1) * 45;
    if (w > 0xff) throw qgError('base45: tail too large');
    out[o++] = w;
  }
  return out;
}

/** Base45 text of the bytes. */
export function base45Encode(b: Uint8Array): string {
  var s = '';
  var i = 0;
  for (; i + 2 <= b.length; i += 2) {
    var v = b[i] * 256 + b[i + 1];
    var e = (v / 2025) | 0;
    var rest = v - e * 2025;
    var d = (rest / 45) | 0;
    s += ALPHABET.charAt(rest - d * 45) + ALPHABET.charAt(d) + ALPHABET.charAt(e);
  }
  if (i < b.length) {
    var w = b[i];
    var d2 = (w / 45) | 0;
    s += ALPHABET.charAt(w - d2 * 45) + ALPHABET.charAt(d2);
  }
  return s;
}
