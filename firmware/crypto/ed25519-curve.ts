// Points of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2) in extended coordinates (X:Y:Z:T) with
// x = X/Z, y = Y/Z, x*y = T/Z. Addition as in TweetNaCl (nacl-fast.js, public domain); doubling is
// the dedicated "dbl-2008-hwcd" formula; both are complete on this curve (d is not a square).
//
// Together with ed25519-field.ts this is the swappable arithmetic of the verifier. Not
// constant-time: the verifier handles public data only.

import {
  Fe, fe, feCopy, feAdd, feSub, feMul, feSqr, fePow2523, feFromBytes, feEqual, feIsZero, feIsOdd, feK,
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

// The base point and the scratch of this module, made on first use (a gate that verifies with
// tables or native code never holds them).
interface CurveScratch {
  base: Point;
  ta: Fe; tb: Fe; tc: Fe; td: Fe; te: Fe; tf: Fe; tg: Fe; th: Fe; tt: Fe;
  du: Fe; dv: Fe; dt: Fe; dchk: Fe; dv3: Fe;
  q8: Point;
  ex1: Fe; ex2: Fe;
  bp: Point;
}

var SC: CurveScratch | null = null;

function scratch(): CurveScratch {
  if (SC) return SC;
  var b = new Point();
  feCopy(b.X, fe([0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c, 0xdc5c, 0xfdd6, 0xe231, 0xc0a4, 0x53fe, 0xcd6e, 0x36d3, 0x2169]));
  feCopy(b.Y, fe([0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666]));
  feMul(b.T, b.X, b.Y);
  SC = {
    base: b,
    ta: fe(), tb: fe(), tc: fe(), td: fe(), te: fe(), tf: fe(), tg: fe(), th: fe(), tt: fe(),
    du: fe(), dv: fe(), dt: fe(), dchk: fe(), dv3: fe(),
    q8: new Point(),
    ex1: fe(), ex2: fe(),
    bp: new Point(),
  };
  return SC;
}

/** The base point B (y = 4/5, x even): made on the first call, then the same object. */
export function basePoint(): Point {
  return scratch().base;
}

export function pointCopy(o: Point, p: Point): void {
  feCopy(o.X, p.X);
  feCopy(o.Y, p.Y);
  feCopy(o.Z, p.Z);
  feCopy(o.T, p.T);
}

export function pointSetIdentity(o: Point): void {
  var k = feK();
  feCopy(o.X, k.zero);
  feCopy(o.Y, k.one);
  feCopy(o.Z, k.one);
  feCopy(o.T, k.zero);
}

/** o = -p. */
export function pointNegate(o: Point, p: Point): void {
  var zero = feK().zero;
  pointCopy(o, p);
  feSub(o.X, zero, o.X);
  feSub(o.T, zero, o.T);
}

// Scratch elements for add/double (outputs are written last, so o may alias p or q).

/** o = p + q. */
export function pointAdd(o: Point, p: Point, q: Point): void {
  var s = scratch(), ta = s.ta, tb = s.tb, tc = s.tc, td = s.td, te = s.te, tf = s.tf, tg = s.tg, th = s.th, tt = s.tt;
  feSub(ta, p.Y, p.X);
  feSub(tt, q.Y, q.X);
  feMul(ta, ta, tt);          // A = (Y1 - X1)(Y2 - X2)
  feAdd(tb, p.X, p.Y);
  feAdd(tt, q.X, q.Y);
  feMul(tb, tb, tt);          // B = (Y1 + X1)(Y2 + X2)
  feMul(tc, p.T, q.T);
  feMul(tc, tc, feK().d2);    // C = 2d T1 T2
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
  var s = scratch(), ta = s.ta, tb = s.tb, tc = s.tc, te = s.te, tf = s.tf, tg = s.tg, th = s.th;
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
  feSub(th, feK().zero, th);  // H = -A - B     (D - B)
  feMul(o.X, te, tf);
  feMul(o.Y, tg, th);
  feMul(o.T, te, th);
  feMul(o.Z, tf, tg);
}

/**
 * Decode 32 bytes as in RFC 8032 5.1.3, but WITHOUT the canonicality checks (the caller does
 * them on the bytes): y is the low 255 bits (not reduced), bit 255 the sign of x. Sets o to the
 * point, or to its negation when `negate`. Returns false when y is not the y of a curve point.
 */
export function pointDecode(o: Point, s: Uint8Array, negate: boolean): boolean {
  var c = scratch(), du = c.du, dv = c.dv, dt = c.dt, dchk = c.dchk, dv3 = c.dv3, k = feK();
  feFromBytes(o.Y, s);
  feCopy(o.Z, k.one);
  // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1
  feSqr(du, o.Y);
  feMul(dv, du, k.d);
  feSub(du, du, k.one);
  feAdd(dv, dv, k.one);
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
    feMul(o.X, o.X, k.sqrtm1);
    feSqr(dchk, o.X);
    feMul(dchk, dchk, dv);
    if (!feEqual(dchk, du)) return false;
  }
  // Pick the root whose parity is the sign bit (or the other one to negate).
  var wantOdd = (s[31] >> 7) ^ (negate ? 1 : 0);
  if (feIsOdd(o.X) !== wantOdd) feSub(o.X, k.zero, o.X);
  feMul(o.T, o.X, o.Y);
  return true;
}

/** True when p has order dividing 8 (one of the 8 small-order points): [8]p is the identity. */
export function pointIsSmallOrder(p: Point): boolean {
  var q8 = scratch().q8;
  pointDouble(q8, p);
  pointDouble(q8, q8);
  pointDouble(q8, q8);
  // The identity is (0 : Z : Z : 0).
  return feIsZero(q8.X) && feEqual(q8.Y, q8.Z);
}

/** p == q as points (projective comparison: X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1). */
export function pointEqual(p: Point, q: Point): boolean {
  var s = scratch(), ex1 = s.ex1, ex2 = s.ex2;
  feMul(ex1, p.X, q.Z);
  feMul(ex2, q.X, p.Z);
  if (!feEqual(ex1, ex2)) return false;
  feMul(ex1, p.Y, q.Z);
  feMul(ex2, q.Y, p.Z);
  return feEqual(ex1, ex2);
}

/**
 * o = [s]B + [k]P for 32-byte little-endian scalars s and k (Straus/Shamir: one shared chain of
 * doublings, adding B, P or B+P per bit pair). Variable time.
 */
export function doubleScalarMultBase(o: Point, s: Uint8Array, k: Uint8Array, p: Point): void {
  var c = scratch(), bp = c.bp, BASE = c.base;
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
