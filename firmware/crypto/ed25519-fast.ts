// Table-driven Ed25519 verification for an interpreter (strict profile, spec/qg1.md section 1).
//
// The keys a gate trusts are known in advance, so most of the work is done once, on the host
// (qrgate trust build) or at install, into tables kept in flash and read in place:
//
//   [S]B - [k]A  is computed with ONE chain of 31 doublings: each scalar is written in width-w NAF
//   (odd digits |d| < 2^(w-1)), and its 256 digits are split into 8 segments of 32; the table of a
//   point P holds, for each segment j = 0..7, the odd multiples 1, 3, .. 2^(w-1) - 1 of 2^(32 j) P,
//   in affine "Niels" form (y + x, y - x, 2 d x y), so that a digit costs one mixed addition
//   (7 multiplications). The base point B has a table (w = 5, 64 points); each trusted key A may
//   have one (w = 3, 16 points), else it is computed for the call. (With the same table sizes, 8
//   segments cost about 20 more additions than 4 segments (w = 6 and 4) and save 32 doublings.)
//
//   The result P = [S]B - [k]A is encoded (one inversion) and compared with the bytes of R; with R
//   canonical this is the same as decoding R and comparing points. The byte checks of the strict
//   profile (S < L, canonical A and R, A and R not of small order) are done on the bytes first.
//
// Field arithmetic: ed25519-fe12.ts (12 limbs, generated). Not constant-time: public data only.
//
// TABLE FORMAT, version 2 (little-endian; all multi-byte fields are aligned to 4 from the start):
//   0..3   'E' 'd' 'T' 0x02             magic and format version (version 1 had 13 limbs)
//   4      kind: 1 = base point table, 2 = key table
//   5      segments: 8                   (the chain length is 256 / segments = 32; version 1 had 4)
//   6      w: window width (3..7); each segment holds 2^(w-2) points
//   7      limbs per element: 12 (limb i weighs 2^ceil(255 i / 12))
//   8..39  the canonical encoding of the point P the table is for (B, or the public key A)
//   40..   segments * 2^(w-2) points; point i of segment j (multiple 2i + 1 of 2^(32 j) P) is
//          3 elements (y + x, y - x, 2 d x y) of the affine point, each element 12 signed 32-bit
//          integers: the limbs of its canonical value (0 <= limb < 2^bits(limb))
//   last 8 bytes: the first 8 bytes of SHA-256 of everything before them.
// Sizes: base table (w = 5) 40 + 64 * 144 + 8 = 9,264 bytes; key table (w = 3) 40 + 16 * 144 + 8
// = 2,352 bytes (w = 4: 4,656 bytes).

import {
  Fe, FE_LIMBS, FE_W, fmul, fmulT, fsqr, fadd, fsub, fdbl, fcopy, fneg,
} from './ed25519-fe12';
import { isCanonicalEncoding, isSmallOrderEncoding, hexBytes } from './ed25519-checks';
import { scalarIsCanonical, scalarReduce64 } from './ed25519-scalar';
import { sha256 as jsSha256 } from './sha256';
import { QG_JS_SHA256 } from '../build-flags';

var NL = FE_LIMBS;
/** Bytes before the points. */
export var TABLE_HEADER = 40;
/** Bytes of checksum after the points. */
export var TABLE_TRAILER = 8;
export var TABLE_KIND_BASE = 1;
export var TABLE_KIND_KEY = 2;
/** Window width of the base point table made by makeBaseTable. */
export var BASE_W = 5;
/** Default window width of key tables. */
export var KEY_W = 3;
/** Segments of the scalars (each with its part of every table): the chain is 256 / SEGS long. */
var SEGS = 8;

function fe(): Fe {
  return new Float64Array(NL);
}

// ---------------------------------------------------------------------------------------------
// Field helpers that are not hot: conversions, exponentiations.

// Scratch space exists only while a verification or a table build runs (scratchOn/scratchOff):
// nothing but code stays in RAM between calls.
var depth = 0;
var E0: Fe, E1: Fe, E2: Fe, E4: Fe, F_ONE: Fe, F_D: Fe, F_D2: Fe, F_SQRTM1: Fe;
var DA: Fe, DB: Fe, DC: Fe, DD: Fe, DE: Fe, DF: Fe, DG: Fe, DH: Fe, U: Fe, V: Fe, V3: Fe, CHK: Fe;
var NAFBITS: Int8Array, NAF_S: Int8Array, NAF_K: Int8Array, QX: Fe, QY: Fe, QZ: Fe, QT: Fe, ZI: Fe, XA: Fe, YA: Fe;

function scratchOn(): void {
  if (depth++ > 0) return;
  E0 = fe(); E1 = fe(); E2 = fe(); E4 = fe();
  F_ONE = fe();
  F_ONE[0] = 1;
  F_D = feFromHex('a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352');
  F_D2 = feFromHex('59f1b226949bd6eb56b183829a14e00030d1f3eef2808e19e7fcdf56dcd90624');
  F_SQRTM1 = feFromHex('b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b');
  DA = fe(); DB = fe(); DC = fe(); DD = fe(); DE = fe(); DF = fe(); DG = fe(); DH = fe();
  U = fe(); V = fe(); V3 = fe(); CHK = fe();
  NAFBITS = new Int8Array(264); NAF_S = new Int8Array(257); NAF_K = new Int8Array(257);
  QX = fe(); QY = fe(); QZ = fe(); QT = fe(); ZI = fe(); XA = fe(); YA = fe();
}

function scratchOff(): void {
  if (--depth > 0) return;
  var n: any = null;
  E0 = E1 = E2 = E4 = F_ONE = F_D = F_D2 = F_SQRTM1 = n;
  DA = DB = DC = DD = DE = DF = DG = DH = U = V = V3 = CHK = n;
  NAFBITS = NAF_S = NAF_K = QX = QY = QZ = QT = ZI = XA = YA = n;
}

/** o = the low 255 bits of the 32 bytes at b[off..] (bit 255 ignored, not reduced mod p). */
export function fFromBytes(o: Fe, b: Uint8Array, off: number): void {
  var acc = 0, nb = 0, k = 0, i: number, r: number;
  for (i = 0; i < NL; i++) {
    r = FE_W[i + 1] - FE_W[i];
    while (nb < r) {
      acc += (k < 32 ? b[off + k] : 0) * (1 << nb);
      k++;
      nb += 8;
    }
    o[i] = acc & ((1 << r) - 1);
    acc = Math.floor(acc / (1 << r));
    nb -= r;
  }
}

/** Carry t so that every limb is in [0, 2^bits) (top carry wraps times 19). */
function carryUnsigned(t: Fe): void {
  var i: number, c: number, r: number;
  for (i = 0; i < NL; i++) {
    r = FE_W[i + 1] - FE_W[i];
    c = Math.floor(t[i] / (1 << r));
    t[i] -= c * (1 << r);
    if (i + 1 < NL) t[i + 1] += c;
    else t[0] += 19 * c;
  }
}

/** out[off..off+32] = the canonical encoding of a (fully reduced mod p). */
export function fToBytes(out: Uint8Array, off: number, a: Fe): void {
  var t = fe(), m = fe(), i: number, c = 0, r: number;
  fcopy(t, a);
  carryUnsigned(t);
  carryUnsigned(t);
  carryUnsigned(t);
  // Now 0 <= t < 2^255 with every limb in range. t >= p exactly when t + 19 >= 2^255.
  fcopy(m, t);
  m[0] += 19;
  for (i = 0; i < NL; i++) {
    r = FE_W[i + 1] - FE_W[i];
    c = m[i] >= (1 << r) ? 1 : 0;
    m[i] -= c * (1 << r);
    if (i + 1 < NL) m[i + 1] += c;
  }
  if (c) fcopy(t, m); // t - p = t + 19 - 2^255 (the carry out of the top limb dropped)
  var acc = 0, nb = 0, k = 0;
  for (i = 0; i < NL; i++) {
    acc += t[i] * (1 << nb);
    nb += FE_W[i + 1] - FE_W[i];
    while (nb >= 8) {
      out[off + k++] = acc & 255;
      acc = Math.floor(acc / 256);
      nb -= 8;
    }
  }
  if (k < 32) out[off + k] = acc & 255;
}

function fEqual(a: Fe, b: Fe): boolean {
  var ea = new Uint8Array(32), eb = new Uint8Array(32);
  fToBytes(ea, 0, a);
  fToBytes(eb, 0, b);
  for (var i = 0; i < 32; i++) if (ea[i] !== eb[i]) return false;
  return true;
}

function fsqrN(o: Fe, a: Fe, n: number): void {
  fsqr(o, a);
  for (var i = 1; i < n; i++) fsqr(o, o);
}

/** o = a^(2^250 - 1) into E1, with a^11 left in E4 (the common part of inversion and sqrt). */
function pow250(a: Fe): void {
  fsqr(E0, a);          // 2
  fsqrN(E1, E0, 2);     // 8
  fmul(E1, E1, a);      // 9
  fmul(E4, E1, E0);     // 11
  fsqr(E0, E4);         // 22
  fmul(E1, E0, E1);     // 2^5 - 1
  fsqrN(E0, E1, 5);
  fmul(E1, E0, E1);     // 2^10 - 1
  fsqrN(E0, E1, 10);
  fmul(E2, E0, E1);     // 2^20 - 1
  fsqrN(E0, E2, 20);
  fmul(E0, E0, E2);     // 2^40 - 1
  fsqrN(E0, E0, 10);
  fmul(E1, E0, E1);     // 2^50 - 1
  fsqrN(E0, E1, 50);
  fmul(E2, E0, E1);     // 2^100 - 1
  fsqrN(E0, E2, 100);
  fmul(E0, E0, E2);     // 2^200 - 1
  fsqrN(E0, E0, 50);
  fmul(E1, E0, E1);     // 2^250 - 1
}

/** o = 1/a = a^(p - 2) = a^(2^255 - 21). */
export function fInvert(o: Fe, a: Fe): void {
  scratchOn();
  try {
    pow250(a);
    fsqrN(E0, E1, 5);
    fmul(o, E0, E4);
  } finally {
    scratchOff();
  }
}

/** o = a^(2^252 - 3) = a^((p - 5) / 8). */
function fPow2523(o: Fe, a: Fe): void {
  pow250(a);
  fsqrN(E0, E1, 2);
  fmul(o, E0, a);
}

function feFromHex(h: string): Fe {
  var o = fe();
  fFromBytes(o, hexBytes(h), 0);
  return o;
}

/** The encoding of the base point B. */
var B_ENC = '5866666666666666666666666666666666666666666666666666666666666666';

// ---------------------------------------------------------------------------------------------
// Points in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z, as 4 elements.

type Pt = Fe[];

function pt(): Pt {
  return [fe(), fe(), fe(), fe()];
}

/** p = 2p in place (dbl-2008-hwcd, a = -1). T is computed only when needT. */
function ptDouble(X: Fe, Y: Fe, Z: Fe, T: Fe, needT: boolean): void {
  // Locals first: Espruino looks names up linearly, and module scope is long.
  var sqr = fsqr, mul = fmul, add = fadd, sub = fsub;
  var a = DA, b = DB, c = DC, e = DE, f = DF, g = DG, h = DH;
  sqr(a, X);             // A = X^2
  sqr(b, Y);             // B = Y^2
  sqr(c, Z);
  add(e, X, Y);
  sqr(e, e);             // (X + Y)^2
  add(h, a, b);          // -H = A + B
  sub(e, h, e);          // -E = A + B - (X + Y)^2          (magnitude 3)
  sub(g, a, b);          // -G = A - B     (G = B - A)       (2)
  add(f, g, c);
  add(f, f, c);          // -F = -G + 2 Z^2 (F = G - 2 Z^2)  (4)
  // With H = -(A + B): X3 = E F = (-E)(-F), Y3 = G H = (-G)(A + B), Z3 = F G = (-F)(-G),
  // T3 = E H = (-E)(A + B).
  mul(X, e, f);
  mul(Y, g, h);
  mul(Z, f, g);
  if (needT) mul(T, e, h);
}

/**
 * p = p + (+-) the affine table point at tb[off..] ((y + x, y - x, 2 d x y), 3 * 12 integers).
 * neg subtracts it instead. T is computed only when needT.
 */
function ptAddTable(X: Fe, Y: Fe, Z: Fe, T: Fe, tb: Int32Array, off: number, neg: boolean, needT: boolean): void {
  var mulT = fmulT, mul = fmul, add = fadd, sub = fsub;
  var a = DA, b = DB, c = DC, d = DD, e = DE, f = DF, g = DG, h = DH;
  sub(a, Y, X);
  add(b, Y, X);
  if (neg) {
    mulT(a, a, tb, off);             // A = (Y - X)(y + x)   (-P = (-x, y): y - (-x) = y + x)
    mulT(b, b, tb, off + 12);        // B = (Y + X)(y - x)   (12 = FE_LIMBS)
  } else {
    mulT(a, a, tb, off + 12);        // A = (Y - X)(y - x)
    mulT(b, b, tb, off);             // B = (Y + X)(y + x)
  }
  mulT(c, T, tb, off + 24);          // C = T 2d x y  (negated for -P)
  fdbl(d, Z);                        // D = 2 Z
  sub(e, b, a);                      // E = B - A
  add(h, b, a);                      // H = B + A
  if (neg) {
    add(f, d, c);                    // F = D - C
    sub(g, d, c);                    // G = D + C
  } else {
    sub(f, d, c);
    add(g, d, c);
  }
  mul(X, e, f);
  mul(Y, g, h);
  mul(Z, f, g);
  if (needT) mul(T, e, h);
}

/** o = p + q, full extended addition (add-2008-hwcd-3); o may be p or q. */
function ptAdd(o: Pt, p: Pt, q: Pt): void {
  var a = DA, b = DB, c = DC, d = DD, e = DE, f = DF, g = DG, h = DH;
  fsub(a, p[1], p[0]);
  fsub(e, q[1], q[0]);
  fmul(a, a, e);
  fadd(b, p[1], p[0]);
  fadd(e, q[1], q[0]);
  fmul(b, b, e);
  fmul(c, p[3], q[3]);
  fmul(c, c, F_D2);
  fmul(d, p[2], q[2]);
  fdbl(d, d);
  fsub(e, b, a);
  fsub(f, d, c);
  fadd(g, d, c);
  fadd(h, b, a);
  fmul(o[0], e, f);
  fmul(o[1], g, h);
  fmul(o[2], f, g);
  fmul(o[3], e, h);
}

function ptCopy(o: Pt, p: Pt): void {
  for (var i = 0; i < 4; i++) fcopy(o[i], p[i]);
}


/**
 * Decode 32 bytes (RFC 8032 5.1.3) into p (Z = 1) with the strict checks done on the bytes:
 * false unless canonical, on the curve and not of small order.
 */
function ptDecodeStrict(p: Pt, s: Uint8Array): boolean {
  if (!isCanonicalEncoding(s, 0) || isSmallOrderEncoding(s, 0)) return false;
  var X = p[0], Y = p[1];
  fFromBytes(Y, s, 0);
  fcopy(p[2], F_ONE);
  fsqr(U, Y);
  fmul(V, U, F_D);
  fsub(U, U, F_ONE);                 // u = y^2 - 1
  fadd(V, V, F_ONE);                 // v = d y^2 + 1
  fsqr(V3, V);
  fmul(V3, V3, V);                   // v^3
  fsqr(X, V3);
  fmul(X, X, V);
  fmul(X, X, U);                     // u v^7
  fPow2523(X, X);
  fmul(X, X, U);
  fmul(X, X, V3);                    // u v^3 (u v^7)^((p-5)/8)
  fsqr(CHK, X);
  fmul(CHK, CHK, V);
  if (!fEqual(CHK, U)) {
    fmul(X, X, F_SQRTM1);
    fsqr(CHK, X);
    fmul(CHK, CHK, V);
    if (!fEqual(CHK, U)) return false;
  }
  var enc = new Uint8Array(32);
  fToBytes(enc, 0, X);
  if ((enc[0] & 1) !== (s[31] >> 7)) fneg(X, X);
  fmul(p[3], X, Y);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Tables.

/**
 * The table of odd multiples of the point encoded by `enc` (format above), or undefined when enc
 * is not a canonical encoding of a curve point of large order. Works on the host and the device.
 */
export function makeTable(enc: Uint8Array, kind: number, w: number, sha256?: (d: Uint8Array) => Uint8Array): Uint8Array | undefined {
  if (!enc || enc.length !== 32 || w < 3 || w > 7) return undefined;
  scratchOn();
  try {
    return buildTable(enc, kind, w, sha256 || (QG_JS_SHA256 ? jsSha256 : noSha256));
  } finally {
    scratchOff();
  }
}

function buildTable(enc: Uint8Array, kind: number, w: number, sha256: (d: Uint8Array) => Uint8Array): Uint8Array | undefined {
  var P = pt();
  if (!ptDecodeStrict(P, enc)) return undefined;
  var per = 1 << (w - 2), n = SEGS * per, i: number, j: number, k: number;
  var pts: Pt[] = [];
  var Q = pt(), Q2 = pt();
  ptCopy(Q, P);
  for (j = 0; j < SEGS; j++) {
    if (j > 0) for (i = 0; i < 256 / SEGS; i++) ptDouble(Q[0], Q[1], Q[2], Q[3], true);
    ptCopy(Q2, Q);
    ptDouble(Q2[0], Q2[1], Q2[2], Q2[3], true);
    var m = pt();
    ptCopy(m, Q);
    pts.push(m);
    for (i = 1; i < per; i++) {
      var m2 = pt();
      ptAdd(m2, pts[pts.length - 1], Q2);
      pts.push(m2);
    }
  }
  // Batch inversion of the Z (Montgomery's trick): one inversion for all points.
  var pre: Fe[] = [], acc = fe(), inv = fe(), zi = fe(), x = fe(), y = fe(), t = fe();
  fcopy(acc, F_ONE);
  for (i = 0; i < n; i++) {
    pre.push(fe());
    fcopy(pre[i], acc);
    fmul(acc, acc, pts[i][2]);
  }
  fInvert(inv, acc);
  var out = new Uint8Array(TABLE_HEADER + n * 3 * NL * 4 + TABLE_TRAILER);
  out[0] = 0x45; out[1] = 0x64; out[2] = 0x54; out[3] = 2;
  out[4] = kind; out[5] = SEGS; out[6] = w; out[7] = NL;
  out.set(enc, 8);
  var dv = new DataView(out.buffer, out.byteOffset, out.length), bytes = new Uint8Array(32), limbs = fe();
  for (i = n - 1; i >= 0; i--) {
    fmul(zi, inv, pre[i]);           // 1 / Z_i
    fmul(inv, inv, pts[i][2]);
    fmul(x, pts[i][0], zi);
    fmul(y, pts[i][1], zi);
    fmul(t, x, y);
    fmul(t, t, F_D2);
    for (k = 0; k < 3; k++) {
      if (k === 0) fadd(limbs, y, x);
      else if (k === 1) fsub(limbs, y, x);
      else fcopy(limbs, t);
      // Canonical limbs: via the canonical bytes.
      fToBytes(bytes, 0, limbs);
      fFromBytes(limbs, bytes, 0);
      var base = TABLE_HEADER + ((i * 3 + k) * NL) * 4;
      for (var l = 0; l < NL; l++) dv.setInt32(base + l * 4, limbs[l], true);
    }
  }
  var sum = sha256(out.subarray(0, out.length - TABLE_TRAILER));
  out.set(sum.subarray(0, TABLE_TRAILER), out.length - TABLE_TRAILER);
  return out;
}

/** The base point table (w = BASE_W, 9,264 bytes). Deterministic: the same bytes everywhere. */
export function makeBaseTable(sha256?: (d: Uint8Array) => Uint8Array): Uint8Array {
  return makeTable(hexBytes(B_ENC), TABLE_KIND_BASE, BASE_W, sha256) as Uint8Array;
}

/** The table of a public key (w = KEY_W unless given), or undefined for a key the strict profile rejects. */
export function makeKeyTable(pub: Uint8Array, w?: number, sha256?: (d: Uint8Array) => Uint8Array): Uint8Array | undefined {
  return makeTable(pub, TABLE_KIND_KEY, w || KEY_W, sha256);
}

/** An opened (checked) table: the points as 32-bit integers read in place. */
export interface EdTable {
  kind: number;
  w: number;
  /** The encoding of the table's point (B or the key), a view into the table. */
  point: Uint8Array;
  /** 2^(w-2) * 8 points of 3 * 12 integers. */
  pts: Int32Array;
}

/** A view of n 32-bit integers at b[off..]; copied only where the platform needs alignment. */
function int32View(b: Uint8Array, off: number, n: number): Int32Array {
  var at = b.byteOffset + off;
  if ((at & 3) === 0) return new Int32Array(b.buffer, at, n);
  // Host only (Node Buffers may start anywhere): copy. Tables are little-endian like the hosts.
  var c = new Uint8Array(n * 4);
  c.set(b.subarray(off, off + n * 4));
  return new Int32Array(c.buffer, 0, n);
}

/**
 * Check a table (magic, version, sizes, checksum; `kind` and, for a key table, the key it must be
 * for) and return a handle that reads the points in place, or null. `sha256` is the board's native
 * SHA-256 where it has one. Do this once (at boot or install) and keep the handle.
 */
export function openTable(b: Uint8Array | undefined, kind: number, pub?: Uint8Array, sha256?: (d: Uint8Array) => Uint8Array): EdTable | null {
  try {
    if (!b || b.length < TABLE_HEADER + TABLE_TRAILER) return null;
    if (b[0] !== 0x45 || b[1] !== 0x64 || b[2] !== 0x54 || b[3] !== 2) return null;
    var w = b[6];
    if (b[4] !== kind || b[5] !== SEGS || w < 3 || w > 7 || b[7] !== NL) return null;
    var n = SEGS * (1 << (w - 2)) * 3 * NL;
    if (b.length !== TABLE_HEADER + n * 4 + TABLE_TRAILER) return null;
    var i: number;
    if (pub) {
      if (pub.length !== 32) return null;
      for (i = 0; i < 32; i++) if (b[8 + i] !== pub[i]) return null;
    } else if (kind === TABLE_KIND_BASE) {
      var be = hexBytes(B_ENC);
      for (i = 0; i < 32; i++) if (b[8 + i] !== be[i]) return null;
    }
    var sum = (sha256 || (QG_JS_SHA256 ? jsSha256 : noSha256))(b.subarray(0, b.length - TABLE_TRAILER));
    for (i = 0; i < TABLE_TRAILER; i++) if (sum[i] !== b[b.length - TABLE_TRAILER + i]) return null;
    return { kind: kind, w: w, point: b.subarray(8, 40), pts: int32View(b, TABLE_HEADER, n) };
  } catch (e) {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Verification.

/** Width-w NAF of the 32-byte little-endian scalar s (< 2^253) into r[0..256]: odd digits or 0. */
function wnaf(r: Int8Array, s: Uint8Array, w: number): void {
  var bits = NAFBITS, i: number, j: number, v: number, half = 1 << (w - 1), full = 1 << w;
  for (i = 0; i < 256; i++) bits[i] = (s[i >> 3] >> (i & 7)) & 1;
  for (i = 256; i < 264; i++) bits[i] = 0;
  for (i = 0; i < 257; i++) r[i] = 0;
  i = 0;
  while (i < 257) {
    if (bits[i] === 0) { i++; continue; }
    v = 0;
    for (j = w - 1; j >= 0; j--) v = v * 2 + bits[i + j];
    if (v >= half) {
      v -= full;
      // add 2^w at bit i: carry into bit i + w
      j = i + w;
      while (bits[j] === 1) { bits[j] = 0; j++; }
      bits[j] = 1;
    }
    r[i] = v;
    i += w;
  }
}


/**
 * The cofactorless equation with tables: true when encode([S]B - [k]A) equals R (the 32 bytes
 * sig[0..32]). Assumes the byte checks were done.
 */
function equationHolds(sig: Uint8Array, k: Uint8Array, base: EdTable, key: EdTable): boolean {
  var ns = NAF_S, nk = NAF_K, bt = base.pts, kt = key.pts, bw = base.w, kw = key.w;
  wnaf(ns, sig.subarray(32, 64), bw);
  wnaf(nk, k, kw);
  var bper = (1 << (bw - 2)) * 3 * NL, kper = (1 << (kw - 2)) * 3 * NL, pstride = 3 * NL;
  var X = QX, Y = QY, Z = QZ, T = QT;
  // identity
  for (var i = 0; i < NL; i++) { X[i] = 0; Y[i] = 0; Z[i] = 0; T[i] = 0; }
  Y[0] = 1; Z[0] = 1;
  var started = false, s: number, j: number, d: number, next: number, idx: number;
  var segs = SEGS, len = 256 / segs;
  // The adds at chain step s: digits at bit len j + s for segments j (and bit 256, checked below).
  for (s = len - 1; s >= 0; s--) {
    // Does any add happen at this step? (T is needed after a doubling only then.)
    var any = false;
    for (j = s; j < 256; j += len) if (ns[j] !== 0 || nk[j] !== 0) { any = true; break; }
    if (started) ptDouble(X, Y, Z, T, any);
    if (!any) continue;
    // 2 * segs candidate adds in order (B segments 0.., then A segments 0..); T is needed before
    // each add except the last of this step.
    next = -1;
    for (j = 2 * segs - 1; j >= 0; j--) {
      d = j < segs ? ns[len * j + s] : nk[len * (j - segs) + s];
      if (d !== 0) { next = j; break; }
    }
    for (j = 0; j <= next; j++) {
      if (j < segs) {
        d = ns[len * j + s];
        if (d === 0) continue;
        idx = j * bper + ((d < 0 ? -d : d) >> 1) * pstride;
        ptAddTable(X, Y, Z, T, bt, idx, d < 0, j !== next);
      } else {
        d = nk[len * (j - segs) + s];
        if (d === 0) continue;
        idx = (j - segs) * kper + ((d < 0 ? -d : d) >> 1) * pstride;
        // -[k]A: subtract the positive digits, add the negative ones.
        ptAddTable(X, Y, Z, T, kt, idx, d > 0, j !== next);
      }
      started = true;
    }
  }
  // A scalar below 2^253 has no NAF digit at bit 256: nothing left over.
  if (ns[256] !== 0 || nk[256] !== 0) return false;
  fInvert(ZI, Z);
  fmul(XA, X, ZI);
  fmul(YA, Y, ZI);
  var out = new Uint8Array(32), ex = new Uint8Array(32);
  fToBytes(out, 0, YA);
  fToBytes(ex, 0, XA);
  out[31] |= (ex[0] & 1) << 7;
  for (i = 0; i < 32; i++) if (out[i] !== sig[i]) return false;
  return true;
}

/**
 * Strict verification with tables. `base` must be an opened base table; `key` an opened table for
 * `pub` or null (then one is computed for this call). Never throws.
 */
export function verifyWithTables(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, hash: (d: Uint8Array) => Uint8Array,
  base: EdTable, key: EdTable | null): boolean {
  try {
    if (!pub || !msg || !sig || pub.length !== 32 || sig.length !== 64 || typeof msg.length !== 'number') return false;
    if (!base || base.kind !== TABLE_KIND_BASE) return false;
    if (!scalarIsCanonical(sig, 32)) return false;
    if (!isCanonicalEncoding(pub, 0) || !isCanonicalEncoding(sig, 0)) return false;
    if (isSmallOrderEncoding(pub, 0) || isSmallOrderEncoding(sig, 0)) return false;
    var i: number;
    if (key) {
      if (key.kind !== TABLE_KIND_KEY) key = null;
      else for (i = 0; i < 32; i++) if (key.point[i] !== pub[i]) { key = null; break; }
    }
    if (!key) {
      // A missing (or foreign) key table: make one for this call. Also decides whether A decodes.
      var kt = makeKeyTable(pub, 0, jsSha256Stub);
      if (!kt) return false;
      key = { kind: TABLE_KIND_KEY, w: kt[6], point: kt.subarray(8, 40), pts: int32View(kt, TABLE_HEADER, (kt.length - TABLE_HEADER - TABLE_TRAILER) >> 2) };
    }
    var m = new Uint8Array(64 + msg.length);
    m.set(sig.subarray(0, 32), 0);
    m.set(pub, 32);
    m.set(msg, 64);
    var h = hash(m);
    if (!h || h.length !== 64) return false;
    var k = scalarReduce64(h);
    scratchOn();
    try {
      return equationHolds(sig, k, base, key);
    } finally {
      scratchOff();
    }
  } catch (e) {
    return false;
  }
}

/** Where the firmware has no JavaScript SHA-256 (build-flags QG_JS_SHA256) and none was given: nothing hashes. */
function noSha256(d: Uint8Array): Uint8Array {
  void d;
  throw new Error('ed25519: no SHA-256');
}

/** A table made for one call is never stored: no checksum needed. */
function jsSha256Stub(d: Uint8Array): Uint8Array {
  void d;
  return new Uint8Array(32);
}
