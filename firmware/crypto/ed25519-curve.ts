// Points of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2) in extended coordinates (X:Y:Z:T) with
// x = X/Z, y = Y/Z, x*y = T/Z. Addition as in TweetNaCl (nacl-fast.js, public domain); doubling is
// the dedicated "dbl-2008-hwcd" formula; both are complete on this curve (d is not a square).
//
// Together with ed25519-field.ts this is the swappable arithmetic of the verifier. Not
// constant-time: the verifier handles public data only.

import {
  Fe, fe, feCopy, feAdd, feSub, feMul, feSqr, fePow2523, feFromBytes, feEqual, feIsZero, feIsOdd,
  FE_ZERO, FE_ONE, FE_D, FE_D2, FE_SQRTM1,
} from './ed25519-field';

export class Point {
  X: Fe;
  Y: Fe;
  Z: Fe;
  T: Fe;
  constructor() {
    this.X = fe();
    this.Y = fe([1]);
    this.Z = fe([1]);
    this.T = fe();
  }
}

/** The base point B (y = 4/5, x even). */
export var BASE = new Point();
feCopy(BASE.X, fe([0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c, 0xdc5c, 0xfdd6, 0xe231, 0xc0a4, 0x53fe, 0xcd6e, 0x36d3, 0x2169]));
feCopy(BASE.Y, fe([0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666]));
feMul(BASE.T, BASE.X, BASE.Y);

export function pointCopy(o: Point, p: Point): void {
  feCopy(o.X, p.X);
  feCopy(o.Y, p.Y);
  feCopy(o.Z, p.Z);
  feCopy(o.T, p.T);
}

export function pointSetIdentity(o: Point): void {
  feCopy(o.X, FE_ZERO);
  feCopy(o.Y, FE_ONE);
  feCopy(o.Z, FE_ONE);
  feCopy(o.T, FE_ZERO);
}

/** o = -p. */
export function pointNegate(o: Point, p: Point): void {
  pointCopy(o, p);
  feSub(o.X, FE_ZERO, o.X);
  feSub(o.T, FE_ZERO, o.T);
}

// Scratch elements for add/double (outputs are written last, so o may alias p or q).
var ta = fe(), tb = fe(), tc = fe(), td = fe(), te = fe(), tf = fe(), tg = fe(), th = fe(), tt = fe();

/** o = p + q. */
export function pointAdd(o: Point, p: Point, q: Point): void {
  feSub(ta, p.Y, p.X);
  feSub(tt, q.Y, q.X);
  feMul(ta, ta, tt);          // A = (Y1 - X1)(Y2 - X2)
  feAdd(tb, p.X, p.Y);
  feAdd(tt, q.X, q.Y);
  feMul(tb, tb, tt);          // B = (Y1 + X1)(Y2 + X2)
  feMul(tc, p.T, q.T);
  feMul(tc, tc, FE_D2);       // C = 2d T1 T2
  feMul(td, p.Z, q.Z);
  feAdd(td, td, td);          // D = 2 Z1 Z2
  feSub(te, tb, ta);          // E = B - A
  feSub(tf, td, tc);          // F = D - C
  feAdd(tg, td, tc);          // G = D + C
  feAdd(th, tb, ta);          // H = B + A
  feMul(o.X, te, tf);
  feMul(o.Y, th, tg);
  feMul(o.Z, tg, tf);
  feMul(o.T, te, th);
}

/** o = 2p. */
export function pointDouble(o: Point, p: Point): void {
  feSqr(ta, p.X);             // A = X^2
  feSqr(tb, p.Y);             // B = Y^2
  feSqr(tc, p.Z);
  feAdd(tc, tc, tc);          // C = 2 Z^2
  feAdd(te, p.X, p.Y);
  feSqr(te, te);
  feSub(te, te, ta);
  feSub(te, te, tb);          // E = (X + Y)^2 - A - B
  feSub(tg, tb, ta);          // G = B - A      (a = -1: D = -A, G = D + B)
  feSub(tf, tg, tc);          // F = G - C
  feAdd(th, ta, tb);
  feSub(th, FE_ZERO, th);     // H = -A - B     (D - B)
  feMul(o.X, te, tf);
  feMul(o.Y, tg, th);
  feMul(o.T, te, th);
  feMul(o.Z, tf, tg);
}

var du = fe(), dv = fe(), dt = fe(), dchk = fe(), dv3 = fe();

/**
 * Decode 32 bytes as in RFC 8032 5.1.3, but WITHOUT the canonicality checks (the caller does
 * them on the bytes): y is the low 255 bits (not reduced), bit 255 the sign of x. Sets o to the
 * point, or to its negation when `negate`. Returns false when y is not the y of a curve point.
 */
export function pointDecode(o: Point, s: Uint8Array, negate: boolean): boolean {
  feFromBytes(o.Y, s);
  feCopy(o.Z, FE_ONE);
  // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1
  feSqr(du, o.Y);
  feMul(dv, du, FE_D);
  feSub(du, du, FE_ONE);
  feAdd(dv, dv, FE_ONE);
  // candidate x = u v^3 (u v^7)^((p-5)/8)
  feSqr(dv3, dv);
  feMul(dv3, dv3, dv);        // v^3
  feSqr(dt, dv3);
  feMul(dt, dt, dv);          // v^7
  feMul(dt, dt, du);          // u v^7
  fePow2523(dt, dt);
  feMul(dt, dt, du);
  feMul(o.X, dt, dv3);
  // v x^2 == u: x is a root; v x^2 == -u: x * sqrt(-1) is; else no point.
  feSqr(dchk, o.X);
  feMul(dchk, dchk, dv);
  if (!feEqual(dchk, du)) {
    feMul(o.X, o.X, FE_SQRTM1);
    feSqr(dchk, o.X);
    feMul(dchk, dchk, dv);
    if (!feEqual(dchk, du)) return false;
  }
  // Pick the root whose parity is the sign bit (or the other one to negate).
  var wantOdd = (s[31] >> 7) ^ (negate ? 1 : 0);
  if (feIsOdd(o.X) !== wantOdd) feSub(o.X, FE_ZERO, o.X);
  feMul(o.T, o.X, o.Y);
  return true;
}

var q8 = new Point();

/** True when p has order dividing 8 (one of the 8 small-order points): [8]p is the identity. */
export function pointIsSmallOrder(p: Point): boolean {
  pointDouble(q8, p);
  pointDouble(q8, q8);
  pointDouble(q8, q8);
  // The identity is (0 : Z : Z : 0).
  return feIsZero(q8.X) && feEqual(q8.Y, q8.Z);
}

var ex1 = fe(), ex2 = fe();

/** p == q as points (projective comparison: X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1). */
export function pointEqual(p: Point, q: Point): boolean {
  feMul(ex1, p.X, q.Z);
  feMul(ex2, q.X, p.Z);
  if (!feEqual(ex1, ex2)) return false;
  feMul(ex1, p.Y, q.Z);
  feMul(ex2, q.Y, p.Z);
  return feEqual(ex1, ex2);
}

var bp = new Point();

/**
 * o = [s]B + [k]P for 32-byte little-endian scalars s and k (Straus/Shamir: one shared chain of
 * doublings, adding B, P or B+P per bit pair). Variable time.
 */
export function doubleScalarMultBase(o: Point, s: Uint8Array, k: Uint8Array, p: Point): void {
  pointAdd(bp, BASE, p);
  pointSetIdentity(o);
  var started = false, i: number, bs: number, bk: number;
  for (i = 255; i >= 0; i--) {
    bs = (s[i >> 3] >> (i & 7)) & 1;
    bk = (k[i >> 3] >> (i & 7)) & 1;
    if (started) pointDouble(o, o);
    if (bs && bk) pointAdd(o, o, bp);
    else if (bs) pointAdd(o, o, BASE);
    else if (bk) pointAdd(o, o, p);
    if (bs || bk) started = true;
  }
}
