// Arithmetic modulo p = 2^255 - 19, ported from TweetNaCl (nacl-fast.js, public domain).
//
// An element is a Float64Array of 16 limbs of 16 bits (radix 2^16), little-endian; limbs may go
// out of range (negative, or above 2^16) between operations and are brought back by the carry in
// feMul. Only feToBytes produces the canonical (fully reduced) value. Products of 16 limbs of up to
// ~2^18 sum to well below 2^53, so doubles stay exact.
//
// This module and ed25519-curve.ts are the swappable arithmetic of the verifier: ed25519.ts only
// uses the exported functions below and never looks inside an element.
//
// Not constant-time: the verifier handles public data only.

export type Fe = Float64Array;

/** A new element, optionally from 16 limbs. */
export function fe(init?: number[]): Fe {
  var r = new Float64Array(16);
  if (init) for (var i = 0; i < init.length; i++) r[i] = init[i];
  return r;
}

/** The constants and scratch of this module and ed25519-curve.ts, made on first use (feK()). */
export interface FieldK {
  zero: Fe;
  one: Fe;
  /** d = -121665/121666, the curve constant. */
  d: Fe;
  /** 2d. */
  d2: Fe;
  /** sqrt(-1) = 2^((p-1)/4). */
  sqrtm1: Fe;
  /** Scratch for the 31-limb product (o may alias a or b). */
  mt: Fe;
  pt: Fe;
  pm: Fe;
  ea: Uint8Array;
  eb: Uint8Array;
}

var K: FieldK | null = null;

/** The field's constants and scratch: made on the first call (a gate that never runs this verifier holds none of it). */
export function feK(): FieldK {
  if (K) return K;
  K = {
    zero: fe(),
    one: fe([1]),
    d: fe([0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141, 0x0a4d, 0x0070, 0xe898, 0x7779, 0x4079, 0x8cc7, 0xfe73, 0x2b6f, 0x6cee, 0x5203]),
    d2: fe([0xf159, 0x26b2, 0x9b94, 0xebd6, 0xb156, 0x8283, 0x149a, 0x00e0, 0xd130, 0xeef3, 0x80f2, 0x198e, 0xfce7, 0x56df, 0xd9dc, 0x2406]),
    sqrtm1: fe([0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43, 0xd7a7, 0x3dfb, 0x0099, 0x2b4d, 0xdf0b, 0x4fc1, 0x2480, 0x2b83]),
    mt: new Float64Array(31),
    pt: fe(),
    pm: fe(),
    ea: new Uint8Array(32),
    eb: new Uint8Array(32),
  };
  return K;
}

export function feCopy(o: Fe, a: Fe): void {
  for (var i = 0; i < 16; i++) o[i] = a[i];
}

/** Propagate carries so every limb is in [0, 2^16) (the top carry wraps around times 38). */
function carry(o: Fe): void {
  var i: number, v: number, c = 1;
  for (i = 0; i < 16; i++) {
    v = o[i] + c + 65535;
    c = Math.floor(v / 65536);
    o[i] = v - c * 65536;
  }
  o[0] += c - 1 + 37 * (c - 1);
}

/** o = a + b (no carry). */
export function feAdd(o: Fe, a: Fe, b: Fe): void {
  for (var i = 0; i < 16; i++) o[i] = a[i] + b[i];
}

/** o = a - b (no carry). */
export function feSub(o: Fe, a: Fe, b: Fe): void {
  for (var i = 0; i < 16; i++) o[i] = a[i] - b[i];
}

/** o = a * b. */
export function feMul(o: Fe, a: Fe, b: Fe): void {
  var t = feK().mt, i: number, j: number, ai: number;
  for (i = 0; i < 31; i++) t[i] = 0;
  for (i = 0; i < 16; i++) {
    ai = a[i];
    for (j = 0; j < 16; j++) t[i + j] += ai * b[j];
  }
  // 2^256 = 38 (mod p): fold the upper limbs down.
  for (i = 0; i < 15; i++) t[i] += 38 * t[i + 16];
  for (i = 0; i < 16; i++) o[i] = t[i];
  carry(o);
  carry(o);
}

/** o = a^2. */
export function feSqr(o: Fe, a: Fe): void {
  feMul(o, a, a);
}

/** o = a^(2^252 - 3), the exponent of the square root. */
export function fePow2523(o: Fe, a: Fe): void {
  var c = fe(), i: number;
  feCopy(c, a);
  for (i = 250; i >= 0; i--) {
    feSqr(c, c);
    if (i !== 1) feMul(c, c, a);
  }
  feCopy(o, c);
}

/** o = 1/a = a^(p-2) (0 for 0). */
export function feInv(o: Fe, a: Fe): void {
  var c = fe(), i: number;
  feCopy(c, a);
  for (i = 253; i >= 0; i--) {
    feSqr(c, c);
    if (i !== 2 && i !== 4) feMul(c, c, a);
  }
  feCopy(o, c);
}

/** o = the 255 low bits of the 32 little-endian bytes (bit 255 ignored; NOT reduced mod p). */
export function feFromBytes(o: Fe, n: Uint8Array): void {
  for (var i = 0; i < 16; i++) o[i] = n[2 * i] + (n[2 * i + 1] << 8);
  o[15] = o[15] & 0x7fff;
}

/** out[0..32] = the canonical little-endian encoding of a (fully reduced mod p). */
export function feToBytes(out: Uint8Array, a: Fe): void {
  var k = feK(), t = k.pt, m = k.pm, i: number, j: number, b: number;
  feCopy(t, a);
  carry(t);
  carry(t);
  carry(t);
  // Subtract p up to twice, keeping the result when it does not go negative.
  for (j = 0; j < 2; j++) {
    m[0] = t[0] - 0xffed;
    for (i = 1; i < 15; i++) {
      m[i] = t[i] - 0xffff - ((m[i - 1] >> 16) & 1);
      m[i - 1] = m[i - 1] & 0xffff;
    }
    m[15] = t[15] - 0x7fff - ((m[14] >> 16) & 1);
    b = (m[15] >> 16) & 1;
    m[14] = m[14] & 0xffff;
    if (b === 0) feCopy(t, m);
  }
  for (i = 0; i < 16; i++) {
    out[2 * i] = t[i] & 0xff;
    out[2 * i + 1] = t[i] >> 8;
  }
}

/** a == b (mod p). */
export function feEqual(a: Fe, b: Fe): boolean {
  var k = feK();
  feToBytes(k.ea, a);
  feToBytes(k.eb, b);
  for (var i = 0; i < 32; i++) if (k.ea[i] !== k.eb[i]) return false;
  return true;
}

/** a == 0 (mod p). */
export function feIsZero(a: Fe): boolean {
  var ea = feK().ea;
  feToBytes(ea, a);
  for (var i = 0; i < 32; i++) if (ea[i] !== 0) return false;
  return true;
}

/** The low bit of the canonical value ("negative" in RFC 8032 terms). */
export function feIsOdd(a: Fe): number {
  var ea = feK().ea;
  feToBytes(ea, a);
  return ea[0] & 1;
}
