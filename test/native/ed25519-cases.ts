// The native Ed25519 verifier's differential fuzz (test/native/ed25519-fuzz.ts in make fuzz,
// test/native/ed25519.fuzz.test.ts in make test): seeded random and mutated cases and every
// published vector, each decided by
//   - the native code (the committed bytes of firmware/crypto/native-code.generated.ts, or any
//     other build with `bin`) under qemu-arm, a batch of cases per qemu-arm run;
//   - the TypeScript reference, firmware/crypto/ed25519.ts verify (ed25519-ref.ts);
//   - the TypeScript table verifier the ESP32 runs (ed25519-fast.ts, with the base point's table);
//   - an independent oracle of the strict profile (spec/qg1.md section 1): @noble/curves' strict
//     decoding (y < p, no x = 0 with the sign bit) and small-order test, S < L by BigInt, and
//     node:crypto (OpenSSL) for the cofactorless equation, itself checked against @noble/curves'
//     point arithmetic on every 16th case and every vector;
//   - where the case is built to have one, the known answer (a fresh signature is valid, S >= L
//     is not, a mixed-order key is valid exactly when its torsion part is killed by k ...).
// Every case on which these do not all agree is a disagreement.
import * as crypto from 'crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { verify as tsVerify } from '../../firmware/crypto/ed25519';
import { makeBaseTable, openTable, TABLE_KIND_BASE, EdTable } from '../../firmware/crypto/ed25519-fast';
import { readSharedJson, hex, toHex } from '../util/shared';
import { rng } from './inflate-cases';
import { startHarness } from './qemu';

export interface FuzzCase {
  pub: Uint8Array;
  sig: Uint8Array;
  msg: Uint8Array;
  /** What the case is (the tally's key): 'valid', 'flip-S', 'S+L', 'A-mixed-order', 'vector:rfc8032' ... */
  kind: string;
  /** The known answer, where the construction has one. */
  expected?: boolean;
}

const P = ed25519.Point;
type Pt = InstanceType<typeof P>;
export const L = P.Fn.ORDER;
const FIELD_P = (1n << 255n) - 19n;

export function leNum(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}

export function le(n: bigint, len = 32): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    b[i] = Number(n & 255n);
    n >>= 8n;
  }
  return b;
}

const sha512 = (...parts: Uint8Array[]) => new Uint8Array(crypto.createHash('sha512').update(Buffer.concat(parts)).digest());
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
/** k = SHA-512(R || A || M) mod L. */
export const kOf = (R: Uint8Array, A: Uint8Array, m: Uint8Array) => leNum(sha512(R, A, m)) % L;

/** The canonical encodings of the 8 points of order dividing 8, with each one's order. */
export const SMALL_ORDER: { enc: string; order: number }[] = [
  { enc: '0100000000000000000000000000000000000000000000000000000000000000', order: 1 },
  { enc: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', order: 2 },
  { enc: '0000000000000000000000000000000000000000000000000000000000000000', order: 4 },
  { enc: '0000000000000000000000000000000000000000000000000000000000000080', order: 4 },
  { enc: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', order: 8 },
  { enc: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', order: 8 },
  { enc: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', order: 8 },
  { enc: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', order: 8 },
];

/**
 * Non-canonical encodings: y = p + i (i = 0..18, so y mod p = i) with either sign bit, and the
 * two x = 0 points (y = 1, y = p - 1) with the sign bit set.
 */
export const NON_CANONICAL: string[] = (() => {
  const out: string[] = [];
  for (let i = 0n; i < 19n; i++) {
    const e = le(FIELD_P + i);
    out.push(toHex(e));
    e[31] |= 0x80;
    out.push(toHex(e));
  }
  out.push('0100000000000000000000000000000000000000000000000000000000000080');
  out.push('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff');
  return out;
})();

// ---------------------------------------------------------------------------------------------
// The witnesses.

let baseTable: EdTable | null = null;

/** The TypeScript verifiers: the reference (ed25519-ref.ts) and the ESP32's table verifier. */
export function tsVerdicts(c: FuzzCase): { ref: boolean; tables: boolean } {
  if (!baseTable) baseTable = openTable(makeBaseTable(), TABLE_KIND_BASE);
  if (!baseTable) throw new Error('cannot open the base table');
  return { ref: tsVerify(c.pub, c.msg, c.sig), tables: tsVerify(c.pub, c.msg, c.sig, undefined, { baseTable }) };
}

function decodeStrict(b: Uint8Array): Pt | null {
  try {
    return P.fromBytes(b, false);
  } catch (e) {
    return null;
  }
}

/** node:crypto (OpenSSL): [S]B - [k]A encoded and compared with R, S < L. */
export function opensslVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
    return crypto.verify(null, msg, key, sig);
  } catch (e) {
    return false;
  }
}

/**
 * The independent strict oracle. `crossCheck`: also decide the equation with @noble/curves'
 * arithmetic; `mismatch` says so when it differs from OpenSSL's.
 */
export function oracle(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, crossCheck = false): { ok: boolean; mismatch?: string } {
  if (pub.length !== 32 || sig.length !== 64) return { ok: false };
  const S = leNum(sig.subarray(32));
  if (S >= L) return { ok: false };
  const A = decodeStrict(pub), R = decodeStrict(sig.subarray(0, 32));
  if (!A || !R) return { ok: false };
  if (A.isSmallOrder() || R.isSmallOrder()) return { ok: false };
  const ok = opensslVerify(pub, msg, sig);
  if (!crossCheck) return { ok };
  const k = kOf(sig.subarray(0, 32), pub, msg);
  const noble = P.BASE.multiplyUnsafe(S).equals(R.add(A.multiplyUnsafe(k)));
  return noble === ok ? { ok } : { ok, mismatch: `oracle: OpenSSL says ${ok}, @noble/curves' cofactorless equation ${noble}` };
}

// ---------------------------------------------------------------------------------------------
// The cases.

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

interface Key {
  pub: Uint8Array;
  priv: crypto.KeyObject;
}

function keyFromSeed(seed: Uint8Array): Key {
  const priv = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(priv).export({ format: 'der', type: 'spki' }) as Buffer;
  return { pub: new Uint8Array(spki.subarray(spki.length - 32)), priv };
}

class Gen {
  private next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(x: number): boolean {
    return this.next() / 4294967296 < x;
  }
  pick<T>(a: T[]): T {
    return a[this.int(a.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 255;
    return b;
  }
  /** A message length: 0 and 1 often, mostly short, some past the firmware's NATIVE_MAX_MSG (1024). */
  msgLen(): number {
    const r = this.int(100);
    if (r < 8) return 0;
    if (r < 12) return 1;
    if (r < 60) return this.int(65);
    if (r < 90) return this.int(400);
    if (r < 97) return 400 + this.int(700);
    return 1024 + this.int(3073);
  }
  scalar(): bigint {
    return (leNum(this.bytes(64)) % (L - 1n)) + 1n;
  }
}

function signed(g: Gen, len = g.msgLen()): { key: Key; msg: Uint8Array; sig: Uint8Array } {
  const key = keyFromSeed(g.bytes(32));
  const msg = g.bytes(len);
  return { key, msg, sig: new Uint8Array(crypto.sign(null, msg, key.priv)) };
}

function flipBit(b: Uint8Array, bit: number): Uint8Array<ArrayBufferLike> {
  const c = new Uint8Array(b);
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
}

function withS(sig: Uint8Array, S: bigint): Uint8Array {
  const c = new Uint8Array(sig);
  c.set(le(S), 32);
  return c;
}

function withR(sig: Uint8Array, R: Uint8Array): Uint8Array {
  const c = new Uint8Array(sig);
  c.set(R, 0);
  return c;
}

/** A 32-byte string that @noble/curves does not decode (y with no x on the curve, or y >= p). */
function offCurve(g: Gen): Uint8Array {
  for (;;) {
    const b = g.bytes(32);
    if (!decodeStrict(b)) return b;
  }
}

/** Signature (R = [r]B, S = r + k a) under an arbitrary key encoding `A` with secret part a. */
function craft(g: Gen, Aenc: Uint8Array, a: bigint, msg: Uint8Array, rTorsion?: Pt): Uint8Array {
  const r = g.scalar();
  let Rp = P.BASE.multiply(r);
  if (rTorsion) Rp = Rp.add(rTorsion);
  const R = Rp.toBytes();
  const S = (r + kOf(R, Aenc, msg) * a) % L;
  return cat(R, le(S));
}

type Maker = (g: Gen) => FuzzCase;

const MAKERS: [number, string, Maker][] = [
  [20, 'valid', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: s.sig, kind: 'valid', expected: true }; }],
  [2, 'valid-long', (g) => { const s = signed(g, 1025 + g.int(3072)); return { pub: s.key.pub, msg: s.msg, sig: s.sig, kind: 'valid-long', expected: true }; }],
  [6, 'flip-R', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: flipBit(s.sig, g.int(256)), kind: 'flip-R', expected: false }; }],
  [6, 'flip-S', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: flipBit(s.sig, 256 + g.int(256)), kind: 'flip-S', expected: false }; }],
  [6, 'flip-A', (g) => { const s = signed(g); return { pub: flipBit(s.key.pub, g.int(256)), msg: s.msg, sig: s.sig, kind: 'flip-A', expected: false }; }],
  [6, 'flip-msg', (g) => { const s = signed(g, 1 + g.int(300)); return { pub: s.key.pub, msg: flipBit(s.msg, g.int(s.msg.length * 8)), sig: s.sig, kind: 'flip-msg', expected: false }; }],
  [4, 'flip-many', (g) => {
    const s = signed(g);
    let all: Uint8Array<ArrayBufferLike> = cat(s.key.pub, s.sig, s.msg);
    const bits = new Set<number>();
    const n = 2 + g.int(7);
    while (bits.size < n) bits.add(g.int(all.length * 8));
    bits.forEach((b) => (all = flipBit(all, b)));
    return { pub: all.subarray(0, 32), sig: all.subarray(32, 96), msg: all.subarray(96), kind: 'flip-many', expected: false };
  }],
  [2, 'byte-random', (g) => {
    const s = signed(g);
    const all = cat(s.key.pub, s.sig, s.msg);
    const at = g.int(all.length), was = all[at];
    all[at] = (was + 1 + g.int(255)) & 255;
    return { pub: all.subarray(0, 32), sig: all.subarray(32, 96), msg: all.subarray(96), kind: 'byte-random', expected: false };
  }],
  [3, 'S+L', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: withS(s.sig, leNum(s.sig.subarray(32)) + L), kind: 'S+L', expected: false }; }],
  [2, 'S>=L', (g) => {
    const s = signed(g);
    const choice = g.int(5);
    const S = choice === 0 ? L : choice === 1 ? L + BigInt(g.int(1 << 16)) : choice === 2 ? (1n << 256n) - 1n
      : choice === 3 ? leNum(s.sig.subarray(32)) + (1n << 255n) : L + (leNum(g.bytes(32)) % ((1n << 256n) - L));
    return { pub: s.key.pub, msg: s.msg, sig: withS(s.sig, S), kind: 'S>=L', expected: false };
  }],
  [1, 'S-edge', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: withS(s.sig, g.pick([0n, 1n, L - 1n, L - 2n])), kind: 'S-edge', expected: false }; }],
  [3, 'A-noncanonical', (g) => { const s = signed(g); return { pub: hex(g.pick(NON_CANONICAL)), msg: s.msg, sig: s.sig, kind: 'A-noncanonical', expected: false }; }],
  [3, 'R-noncanonical', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: withR(s.sig, hex(g.pick(NON_CANONICAL))), kind: 'R-noncanonical', expected: false }; }],
  [1, 'noncanonical-equation', (g) => {
    // y = p + 1 encodes the identity (and y = p the order-4 point) non-canonically: R so, with
    // the equation holding for the canonical R (R = identity, S = k a).
    const a = g.scalar(), A = P.BASE.multiply(a).toBytes(), msg = g.bytes(g.msgLen());
    const R = le(FIELD_P + 1n);
    return { pub: A, msg, sig: cat(R, le((kOf(R, A, msg) * a) % L)), kind: 'noncanonical-equation', expected: false };
  }],
  [3, 'A-small-order', (g) => { const s = signed(g); return { pub: hex(g.pick(SMALL_ORDER).enc), msg: s.msg, sig: s.sig, kind: 'A-small-order', expected: false }; }],
  [3, 'R-small-order', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: withR(s.sig, hex(g.pick(SMALL_ORDER).enc)), kind: 'R-small-order', expected: false }; }],
  [1, 'R-identity-equation', (g) => {
    // R = identity, A = [a]B, S = k a: [S]B = R + [k]A holds, the strict profile refuses R.
    const a = g.scalar(), A = P.BASE.multiply(a).toBytes(), msg = g.bytes(g.msgLen());
    const R = hex(SMALL_ORDER[0].enc);
    return { pub: A, msg, sig: cat(R, le((kOf(R, A, msg) * a) % L)), kind: 'R-identity-equation', expected: false };
  }],
  [1, 'A-small-order-equation', (g) => {
    // A = T of small order, R = [r]B, S = r, a message with ord(T) | k: [S]B = R + [k]T holds.
    const t = g.pick(SMALL_ORDER), T = hex(t.enc), r = g.scalar(), R = P.BASE.multiply(r).toBytes();
    let msg = g.bytes(g.msgLen());
    while (kOf(R, T, msg) % BigInt(t.order) !== 0n) msg = g.bytes(msg.length || 1);
    return { pub: T, msg, sig: cat(R, le(r)), kind: 'A-small-order-equation', expected: false };
  }],
  [2, 'A-mixed-order', (g) => {
    // A = [a]B + T (T of small order, not the identity): valid exactly when ord(T) divides k
    // (cofactorless), which half of the cases are made to satisfy.
    const t = SMALL_ORDER[1 + g.int(7)], a = g.scalar();
    const A = P.BASE.multiply(a).add(P.fromBytes(hex(t.enc))).toBytes();
    const want = g.chance(0.5);
    let msg = g.bytes(g.msgLen()), sig = craft(g, A, a, msg);
    for (let i = 0; want && i < 200 && kOf(sig.subarray(0, 32), A, msg) % BigInt(t.order) !== 0n; i++) {
      msg = g.bytes(msg.length);
      sig = craft(g, A, a, msg);
    }
    return { pub: A, msg, sig, kind: 'A-mixed-order', expected: kOf(sig.subarray(0, 32), A, msg) % BigInt(t.order) === 0n };
  }],
  [1, 'R-mixed-order', (g) => {
    // R = [r]B + T: the cofactored equation holds, the cofactorless one does not.
    const a = g.scalar(), A = P.BASE.multiply(a).toBytes(), msg = g.bytes(g.msgLen());
    return { pub: A, msg, sig: craft(g, A, a, msg, P.fromBytes(hex(SMALL_ORDER[1 + g.int(7)].enc))), kind: 'R-mixed-order', expected: false };
  }],
  [2, 'A-off-curve', (g) => { const s = signed(g); return { pub: offCurve(g), msg: s.msg, sig: s.sig, kind: 'A-off-curve', expected: false }; }],
  [2, 'R-off-curve', (g) => { const s = signed(g); return { pub: s.key.pub, msg: s.msg, sig: withR(s.sig, offCurve(g)), kind: 'R-off-curve', expected: false }; }],
  [1, 'A-negated', (g) => { const s = signed(g); return { pub: flipBit(s.key.pub, 255), msg: s.msg, sig: s.sig, kind: 'A-negated', expected: false }; }],
  [2, 'fixed-bytes', (g) => {
    // All-zero / all-FF keys and signatures, and a signature with both.
    const s = signed(g);
    const z = new Uint8Array(32), f = new Uint8Array(32).fill(255);
    const v = g.int(6);
    const pub = v === 0 ? z : v === 1 ? f : s.key.pub;
    const sig = v === 2 ? new Uint8Array(64) : v === 3 ? new Uint8Array(64).fill(255) : v === 4 ? cat(z, s.sig.subarray(32)) : v === 5 ? cat(f, s.sig.subarray(32)) : s.sig;
    return { pub, msg: s.msg, sig, kind: 'fixed-bytes', expected: false };
  }],
  [2, 'random', (g) => {
    // Random key or signature bytes (S reduced below L half the time, so that more reach the equation).
    const s = signed(g);
    const v = g.int(3);
    let sig = v === 0 ? s.sig : g.bytes(64);
    if (v > 0 && g.chance(0.5)) sig = withS(sig, leNum(sig.subarray(32)) % L);
    return { pub: v === 1 ? s.key.pub : g.bytes(32), msg: s.msg, sig, kind: 'random', expected: false };
  }],
  [2, 'other-key-or-message', (g) => {
    const s = signed(g), t = signed(g);
    return g.chance(0.5) ? { pub: t.key.pub, msg: s.msg, sig: s.sig, kind: 'other-key-or-message', expected: false }
      : { pub: s.key.pub, msg: t.msg, sig: s.sig, kind: 'other-key-or-message', expected: t.msg.length === s.msg.length && Buffer.compare(t.msg, s.msg) === 0 ? true : false };
  }],
  [1, 'wrong-length', (g) => {
    // The native entry takes exactly 32 + 64 bytes: the firmware's wrapper (firmware/main.ts
    // nativeOrJs) refuses other lengths before calling it; the TypeScript ones and the oracle must refuse too.
    const s = signed(g);
    const v = g.int(6);
    const sig = v === 0 ? s.sig.subarray(0, 63) : v === 1 ? cat(s.sig, g.bytes(1 + g.int(64))) : v === 2 ? s.sig.subarray(0, g.int(64)) : s.sig;
    const pub = v === 3 ? s.key.pub.subarray(0, 31) : v === 4 ? cat(s.key.pub, g.bytes(1)) : v === 5 ? new Uint8Array(0) : s.key.pub;
    return { pub, msg: s.msg, sig, kind: 'wrong-length', expected: false };
  }],
];
const TOTAL_WEIGHT = MAKERS.reduce((a, m) => a + m[0], 0);

/** The kinds of random case (the tally's keys besides the vectors'). */
export const RANDOM_KINDS = MAKERS.map((m) => m[1]);

/** `n` seeded random and mutated cases. */
export function randomCases(seed: number, n: number): FuzzCase[] {
  const g = new Gen(seed);
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    let w = g.int(TOTAL_WEIGHT), j = 0;
    while (w >= MAKERS[j][0]) w -= MAKERS[j++][0];
    out.push(MAKERS[j][2](g));
  }
  return out;
}

/**
 * Every published Ed25519 vector in data/vectors with the strict profile's verdict: RFC 8032 7.1,
 * Wycheproof (both files; signatures of a wrong length included), ed25519-speccheck and CCTV
 * (column strict_no_small_order), and the COSE WG's Ed25519 examples.
 */
export function vectorCases(): FuzzCase[] {
  const out: FuzzCase[] = [];
  const rfc = readSharedJson('vectors/rfc8032-ed25519/rfc8032_7_1_ed25519.json');
  for (const c of rfc.cases.concat(rfc.negative_cases)) {
    out.push({ pub: hex(c.public_key), sig: hex(c.signature), msg: hex(c.message), kind: 'vector:rfc8032', expected: c.expected === 'valid' });
  }
  for (const file of ['ed25519_test.json', 'eddsa_test_legacy.json']) {
    const f = readSharedJson(`vectors/wycheproof-ed25519/${file}`);
    for (const grp of f.testGroups) {
      const key = grp.publicKey || grp.key;
      for (const t of grp.tests) out.push({ pub: hex(key.pk), sig: hex(t.sig), msg: hex(t.msg), kind: 'vector:wycheproof', expected: t.result === 'valid' });
    }
  }
  const sc = readSharedJson('vectors/ed25519-speccheck/cases.json');
  const scx = readSharedJson('vectors/ed25519-speccheck/cases_expected.json');
  sc.forEach((c: any, i: number) => {
    out.push({ pub: hex(c.pub_key), sig: hex(c.signature), msg: hex(c.message), kind: 'vector:speccheck', expected: scx.cases[i].expected.strict_no_small_order === 'valid' });
  });
  const cc = readSharedJson('vectors/cctv-ed25519/ed25519vectors.json');
  const ccx = readSharedJson('vectors/cctv-ed25519/ed25519vectors_expected.json');
  cc.forEach((r: any, i: number) => {
    out.push({ pub: hex(r.key), sig: hex(r.sig), msg: new Uint8Array(Buffer.from(r.msg, 'latin1')), kind: 'vector:cctv', expected: ccx.vectors[i].expected.strict_no_small_order === 'valid' });
  });
  // The COSE WG examples signed with Ed25519: the message is the Sig_structure (ToBeSign), the
  // signature the last 64-byte string of the structure (after any countersignatures).
  const cose = readSharedJson('vectors/cose-wg-examples/cose_index.json');
  for (const e of cose.examples) {
    if (!e.key || e.key.crv !== 'Ed25519') continue;
    const sigs = (e.cbor_diag as string).match(/h'[0-9A-F]{128}'/g) || [];
    out.push({ pub: hex(e.key.x_hex), sig: hex(sigs[sigs.length - 1].slice(2, -1)), msg: hex(e.tobesign_hex), kind: 'vector:cose', expected: e.expected === 'pass' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run.

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Another build of the verifier (flat binary) instead of the committed bytes. */
  bin?: string;
  /** Put every published vector first (they count towards `count`). */
  vectors?: boolean;
  batch?: number;
  /** Each disagreement as found, and progress lines. */
  log?: (line: string) => void;
  progressEvery?: number;
}

export interface FuzzResult {
  seed: number;
  done: number;
  /** Of which run by the native code (the others have a wrong length: refused before the call). */
  native: number;
  disagreements: string[];
  tally: { [kind: string]: { n: number; valid: number } };
  stack: number;
  seconds: number;
}

function describeCase(i: number, c: FuzzCase, v: { [who: string]: string }): string {
  const who = Object.keys(v).map((k) => `${k} ${v[k]}`).join(', ');
  const m = toHex(c.msg);
  return `case ${i} (${c.kind}): ${who}; pub ${toHex(c.pub)} sig ${toHex(c.sig)} msg[${c.msg.length}] ${m.length > 200 ? m.slice(0, 200) + '...' : m}`;
}

/** Runs `count` cases in batches (one qemu-arm process per batch, working while the TypeScript verdicts are computed). */
export async function fuzzEd25519(o: FuzzOptions): Promise<FuzzResult> {
  const batch = o.batch || 1000;
  const log = o.log || (() => undefined);
  const t0 = Date.now();
  const res: FuzzResult = { seed: o.seed, done: 0, native: 0, disagreements: [], tally: {}, stack: 0, seconds: 0 };
  let vectors = o.vectors ? vectorCases() : [];
  let lastProgress = 0;
  for (let b = 0; res.done < o.count; b++) {
    const n = Math.min(batch, o.count - res.done);
    const fromVectors = vectors.slice(0, n);
    vectors = vectors.slice(n);
    const cases = fromVectors.concat(randomCases(((o.seed * 1000) + b) >>> 0, n - fromVectors.length));
    const runnable: number[] = [];
    cases.forEach((c, i) => { if (c.pub.length === 32 && c.sig.length === 64) runnable.push(i); });
    const pending = startHarness(runnable.map((i) => cases[i]), { bin: o.bin });
    pending.catch(() => undefined); // awaited below
    const ts = cases.map((c, i) => {
      const t = tsVerdicts(c);
      const or = oracle(c.pub, c.msg, c.sig, i % 16 === 0 || c.kind.startsWith('vector:'));
      return { ref: t.ref, tables: t.tables, oracle: or.ok, mismatch: or.mismatch };
    });
    const run = await pending;
    res.stack = Math.max(res.stack, run.stack);
    const native: string[] = cases.map(() => 'refused (length)');
    runnable.forEach((ci, k) => (native[ci] = run.answers[k] === '1' ? 'true' : run.answers[k] === '0' ? 'false' : `answer ${JSON.stringify(run.answers[k])}`));
    cases.forEach((c, i) => {
      const t = ts[i];
      const nat = native[i] === 'refused (length)' ? 'false' : native[i];
      const v: { [who: string]: string } = { native: native[i], ref: String(t.ref), tables: String(t.tables), oracle: String(t.oracle) };
      if (c.expected !== undefined) v.expected = String(c.expected);
      const agree = nat === v.ref && nat === v.tables && nat === v.oracle && (c.expected === undefined || nat === v.expected);
      if (!agree || t.mismatch) {
        const line = `seed ${o.seed} batch ${b} ${describeCase(i, c, v)}${t.mismatch ? ` [${t.mismatch}]` : ''}`;
        res.disagreements.push(line);
        log(`DISAGREEMENT ${line}`);
      }
      const e = res.tally[c.kind] || (res.tally[c.kind] = { n: 0, valid: 0 });
      e.n++;
      if (nat === 'true') e.valid++;
    });
    res.done += n;
    res.native += runnable.length;
    if (o.progressEvery && res.done - lastProgress >= o.progressEvery) {
      lastProgress = res.done;
      const s = (Date.now() - t0) / 1000;
      log(`  ${res.done} cases, ${res.disagreements.length} disagreements, ${(res.done / s).toFixed(0)} cases/s, ${s.toFixed(0)} s`);
    }
  }
  res.seconds = (Date.now() - t0) / 1000;
  return res;
}
