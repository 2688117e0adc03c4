// Scalars modulo the group order L = 2^252 + 27742317777372353535851937790883648493.
// modL is TweetNaCl's (nacl-fast.js, public domain).

/** L, little-endian bytes. */
var L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];

/** True when the 32 little-endian bytes s[off..off+32] encode an integer < L. */
export function scalarIsCanonical(s: Uint8Array, off: number): boolean {
  // Compare from the most significant byte down.
  for (var i = 31; i >= 0; i--) {
    var a = s[off + i], b = L[i];
    if (a < b) return true;
    if (a > b) return false;
  }
  return false; // equal to L
}

var X64 = new Float64Array(64);

/** The 64 little-endian bytes h (e.g. a SHA-512 digest) reduced mod L: 32 bytes. */
export function scalarReduce64(h: Uint8Array): Uint8Array {
  var x = X64, r = new Uint8Array(32), carry: number, i: number, j: number, k: number;
  for (i = 0; i < 64; i++) x[i] = h[i];
  for (i = 63; i >= 32; --i) {
    carry = 0;
    for (j = i - 32, k = i - 12; j < k; ++j) {
      x[j] += carry - 16 * x[i] * L[j - (i - 32)];
      carry = Math.floor((x[j] + 128) / 256);
      x[j] -= carry * 256;
    }
    x[j] += carry;
    x[i] = 0;
  }
  carry = 0;
  for (j = 0; j < 32; j++) {
    x[j] += carry - (x[31] >> 4) * L[j];
    carry = x[j] >> 8;
    x[j] = x[j] & 255;
  }
  for (j = 0; j < 32; j++) x[j] -= carry * L[j];
  for (i = 0; i < 32; i++) {
    x[i + 1] += x[i] >> 8;
    r[i] = x[i] & 255;
  }
  return r;
}
