// Base64 (RFC 4648 section 4, with strict padding) and base64url (section 5, no padding), both
// strict: any char outside the alphabet, a wrong length, wrong padding or non-zero unused bits
// in the last group throws. So every accepted text has exactly one byte sequence and back.
// Input is a string of chars (byte string or ASCII text); output is a Uint8Array.
// A board whose Espruino has the built-ins (hal/espruino builtins(): atob, btoa, E.toUint8Array)
// decodes natively: Espruino's atob is lenient (it skips whitespace and unknown chars, and sizes
// its output from the count of chars and trailing '='), so its answer is taken only when btoa of
// it gives back exactly the text. btoa writes only canonical padded base64, so that equality holds
// for exactly the texts this decoder accepts, and then both give the same bytes (test/proto/
// base64.test.ts, test/real/builtins.test.ts). The TypeScript decoder stays the reference and the
// path where the built-ins are absent (Espruino built with SAVE_ON_FLASH).

import { qgError } from './error';
var STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Espruino's base64 built-ins over byte strings, and a byte string into a Uint8Array. */
export interface NativeBase64 {
  atob: (s: string) => string;
  btoa: (s: string) => string;
  bytes: (s: string) => Uint8Array;
}

// Espruino's whitespace (src/jsutils.h isWhitespaceInline): atob skips it.
var WHITESPACE = '\t\x0b\x0c \n\r';

/** The canonical standard base64 text `s` decoded natively; throws as the reference would. */
function nativeDecode(s: string, n: NativeBase64): Uint8Array {
  // atob sizes its output as (chars that are not whitespace) * 3 / 4, less one for each of the
  // last two of them that is '=': with whitespace, a short text ending in '=' ("  ==") makes that
  // size negative, and atob never returns (the Linux build) or runs out of memory. So whole groups
  // of 4 chars and no whitespace first (then the size is at least 1 when there is a '=').
  if (s.length % 4 !== 0) throw qgError('base64: bad length');
  for (var i = 0; i < 6; i++) if (s.indexOf(WHITESPACE.charAt(i)) >= 0) throw qgError('base64: bad char');
  var b = n.atob(s);
  if (n.btoa(b) !== s) throw qgError('base64: not canonical');
  return n.bytes(b);
}

function sextet(c: number, url: boolean): number {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  if (url) {
    if (c === 45) return 62; // -
    if (c === 95) return 63; // _
  } else {
    if (c === 43) return 62; // +
    if (c === 47) return 63; // /
  }
  return -1;
}

/** Decodes `n` chars of s (no padding among them) starting at 0; shared by both variants. */
function decodeChars(s: string, n: number, url: boolean): Uint8Array {
  var rem = n % 4;
  if (rem === 1) throw qgError('base64: bad length');
  var out = new Uint8Array(((n - rem) / 4) * 3 + (rem === 0 ? 0 : rem - 1));
  var o = 0;
  var acc = 0;
  var bits = 0;
  for (var i = 0; i < n; i++) {
    var v = sextet(s.charCodeAt(i), url);
    if (v < 0) throw qgError('base64: bad char');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  // Unused low bits of the last char must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw qgError('base64: non-zero pad bits');
  return out;
}

/** Standard base64 with mandatory '=' padding to a multiple of 4 chars. */
export function base64Decode(s: string): Uint8Array {
  var n = s.length;
  if (n % 4 !== 0) throw qgError('base64: bad length');
  var pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === 61) {
    pad = 1;
    if (s.charCodeAt(n - 2) === 61) pad = 2;
  }
  return decodeChars(s, n - pad, false);
}

/** base64url without padding (as in JWS). */
export function base64UrlDecode(s: string): Uint8Array {
  return decodeChars(s, s.length, true);
}

// The same two through a board's built-ins (separate functions: a bundle that never has them, the
// ARM boards' core, carries none of this).

/** base64Decode(s) through `native`: the same bytes, the same refusals. */
export function base64DecodeNative(s: string, native: NativeBase64): Uint8Array {
  return nativeDecode(s, native);
}

/**
 * base64UrlDecode(s) through `native`, given the text turned into standard base64 ('-' '_' to
 * '+' '/', padded) once it holds none of '+', '/', '=' (which the turning would otherwise make valid).
 */
export function base64UrlDecodeNative(s: string, native: NativeBase64): Uint8Array {
  var r = s.length % 4;
  if (r === 1 || s.indexOf('+') >= 0 || s.indexOf('/') >= 0 || s.indexOf('=') >= 0) throw qgError('base64: bad char');
  return nativeDecode(s.split('-').join('+').split('_').join('/') + (r === 2 ? '==' : r === 3 ? '=' : ''), native);
}

function encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  var s = '';
  var i = 0;
  for (; i + 2 < b.length; i += 3) {
    var v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += alphabet.charAt(v >> 18) + alphabet.charAt((v >> 12) & 63) + alphabet.charAt((v >> 6) & 63) + alphabet.charAt(v & 63);
  }
  var r = b.length - i;
  if (r === 1) {
    var w = b[i] << 16;
    s += alphabet.charAt(w >> 18) + alphabet.charAt((w >> 12) & 63) + (pad ? '==' : '');
  } else if (r === 2) {
    var x = (b[i] << 16) | (b[i + 1] << 8);
    s += alphabet.charAt(x >> 18) + alphabet.charAt((x >> 12) & 63) + alphabet.charAt((x >> 6) & 63) + (pad ? '=' : '');
  }
  return s;
}

/** Standard base64 with padding. */
export function base64Encode(b: Uint8Array): string {
  return encode(b, STD, true);
}

/** base64url without padding. */
export function base64UrlEncode(b: Uint8Array): string {
  return encode(b, URL_ALPHABET, false);
}
