// Scalars modulo the group order L = 2^252 + 27742317777372353535851937790883648493.
// modL is TweetNaCl's (nacl-fast.js, public domain).

/** L, little-endian bytes, as a byte string (a few variables on Espruino, where an array of 32
 * numbers costs ~64): byte i is L.charCodeAt(i). */
var L = '\xed\xd3\xf5\x5c\x1a\x63\x12\x58\xd6\x9c\xf7\xa2\xde\xf9\xde\x14' +
  '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10';

/** True when the 32 little-endian bytes s[off..off+32] encode an integer < L. */
export function scalarIsCanonical(s: Uint8Array, off: number): boolean {
  // Compare from the most significant byte down.
  for (var i = 31; i >= 0; i--) {
    var a = s[off + i], b = L.charCodeAt(i);
    if (a < b) return true;
    if (a > b) return false;
  }
  return false; // equal to L
}

/** The 64 little-endian bytes h (e.g. a SHA-512 digest) reduced mod L: 32 bytes. */
export function scalarReduce64(h: Uint8Array): Uint8Array {
  var x = new Float64Array(64), r = new Uint8Array(32), carry: number, i: number, j: number, k: number;
  for (i = 0; i < 64; i++) x[i] = h[i];
  for (i = 63; i >= 32; --i) {
    carry = 0;
    for (j = i - 32, k = i - 12; j < k; ++j) {
      x[j] += carry - 16 * x[i] * L.charCodeAt(j - (i - 32));
      carry = Math.floor((x[j] + 128) / 256);
      x[j] -= carry * 256;
    }
    x[j] += carry;
    x[i] = 0;
  }
  carry = 0;
  for (j = 0; j < 32; j++) {
    x[j] += carry - (x[31] >> 4) * L.charCodeAt(j);
    carry = x[j] >> 8;
    x[j] = x[j] & 255;
  }
  for (j = 0; j < 32; j++) x[j] -= carry * L.charCodeAt(j);
  for (i = 0; i < 32; i++) {
    x[i + 1] += x[i] >> 8;
    r[i] = x[i] & 255;
  }
  return r;
}
