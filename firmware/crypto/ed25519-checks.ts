// Byte-level checks of the strict Ed25519 profile (spec/qg1.md section 1), shared by the reference
// verifier (ed25519.ts) and the table-driven one (ed25519-fast.ts). Pure functions on bytes.

/** The bytes of a hex string (constants of firmware/crypto: curve points, known-answer vectors). */
export function hexBytes(h: string): Uint8Array {
  var b = new Uint8Array(h.length >> 1);
  for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
  return b;
}

/**
 * True when the 32 bytes at b[off..] are the canonical encoding of some y with the RFC 8032 rule
 * on x = 0: y < p = 2^255 - 19, and not (y in {1, p-1} with the sign bit set), the two y with x = 0.
 * (Whether y belongs to a curve point at all is decided by decoding.)
 */
export function isCanonicalEncoding(b: Uint8Array, off: number): boolean {
  var i: number, top = b[off + 31] & 0x7f, sign = b[off + 31] >> 7;
  // Bytes 1..30 all 0xff and the top 7 bits of byte 31 all set: y is within 19 + ... of 2^255.
  var midFF = true, midZero = true;
  for (i = 1; i < 31; i++) {
    if (b[off + i] !== 0xff) midFF = false;
    if (b[off + i] !== 0) midZero = false;
  }
  if (midFF && top === 0x7f) {
    // y >= p: the low byte is 0xed (p) .. 0xff (p + 18). Non-canonical.
    if (b[off] >= 0xed) return false;
    // y = p - 1 = -1: x = 0, so the sign bit must be clear.
    if (b[off] === 0xec && sign === 1) return false;
  }
  // y = 1: x = 0, so the sign bit must be clear.
  if (midZero && top === 0 && b[off] === 1 && sign === 1) return false;
  return true;
}

// The canonical encodings of the 8 points of order dividing 8, as (byte 0, bytes 1..30 pattern,
// byte 31): identity (1, 0..., 0), (0, -1) (0xec, 0xff..., 0x7f), the two of order 4 (0, 0..., 0 or
// 0x80) and the four of order 8 below.
var ORDER8 = [
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
];

function sameHexIgnoringSign(b: Uint8Array, off: number, h: string): boolean {
  for (var i = 0; i < 32; i++) {
    var v = parseInt(h.substr(i * 2, 2), 16);
    if ((i === 31 ? b[off + i] & 0x7f : b[off + i]) !== v) return false;
  }
  return true;
}

/**
 * True when the 32 bytes at b[off..] are the canonical encoding of a point of small order (one of
 * the 8 points of order dividing 8). For a canonical encoding (isCanonicalEncoding) this is the
 * same as decoding it and testing [8]P = identity, since each point has one canonical encoding.
 */
export function isSmallOrderEncoding(b: Uint8Array, off: number): boolean {
  var i: number, mid = 0, midFF = true;
  for (i = 1; i < 31; i++) {
    mid |= b[off + i];
    if (b[off + i] !== 0xff) midFF = false;
  }
  var b0 = b[off], b31 = b[off + 31];
  if (mid === 0 && (b31 & 0x7f) === 0 && (b0 === 0 || b0 === 1)) return true; // order 4 (both signs), identity
  if (midFF && b0 === 0xec && b31 === 0x7f) return true; // (0, -1)
  // Order 8: x != 0, both signs of x are small-order points.
  return sameHexIgnoringSign(b, off, ORDER8[0]) || sameHexIgnoringSign(b, off, ORDER8[1]);
}
