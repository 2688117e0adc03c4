// Ed25519 signature verification, STRICT profile (spec/qg1.md section 1):
//   - reject S >= L;
//   - reject a non-canonical encoding of A or R: y >= p, or x = 0 with the sign bit set;
//   - reject A or R of small order (the 8 points of order dividing 8);
//   - accept only if [S]B = R + [k]A with k = SHA-512(R || A || M) mod L (cofactorless).
// This is the `strict_no_small_order` column of the vectors in ../shared/vectors (CCTV: 43 of 914
// valid; speccheck: only index 3). The checks on encodings are done on the bytes, so that the
// field/curve arithmetic (ed25519-field.ts, ed25519-curve.ts) can be replaced without touching them.

import { sha512 as jsSha512 } from './sha512';
import { Point, pointDecode, pointIsSmallOrder, pointEqual, doubleScalarMultBase } from './ed25519-curve';
import { scalarIsCanonical, scalarReduce64 } from './ed25519-scalar';
import { isCanonicalEncoding } from './ed25519-checks';
import { EdTable, verifyWithTables } from './ed25519-fast';

/**
 * Precomputed tables for the fast path (ed25519-fast.ts), as returned by openTable: the base
 * point's, and optionally the public key's (else one is computed for the call).
 */
export interface VerifyTables {
  baseTable?: EdTable | null;
  keyTable?: EdTable | null;
}

export { isCanonicalEncoding };

/**
 * Verify an Ed25519 signature under the strict profile. `sha512` replaces the JS SHA-512 (a
 * board's native one). With `tables.baseTable` (an opened base point table) the table-driven
 * verifier of ed25519-fast.ts decides, with the same verdicts. Never throws: wrong lengths or
 * types give false.
 */
export function verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, sha512?: (d: Uint8Array) => Uint8Array,
  tables?: VerifyTables): boolean {
  try {
    if (tables && tables.baseTable) return verifyWithTables(pub, msg, sig, sha512 || jsSha512, tables.baseTable, tables.keyTable || null);
    return verifyStrict(pub, msg, sig, sha512 || jsSha512);
  } catch (e) {
    return false;
  }
}

function verifyStrict(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, hash: (d: Uint8Array) => Uint8Array): boolean {
  if (!pub || !msg || !sig || pub.length !== 32 || sig.length !== 64 || typeof msg.length !== 'number') return false;
  // S = sig[32..64] must be < L (no malleable S + L).
  if (!scalarIsCanonical(sig, 32)) return false;
  // A and R must be canonical encodings (y < p; x = 0 only with the sign bit clear).
  if (!isCanonicalEncoding(pub, 0) || !isCanonicalEncoding(sig, 0)) return false;
  // Both must decode to curve points. A is kept negated for [S]B + [k](-A).
  var R = sig.subarray(0, 32);
  // Points made per call (not kept at module level: a gate that verifies with tables holds none).
  var negA = new Point(), pR = new Point(), chk = new Point();
  if (!pointDecode(negA, pub, true)) return false;
  if (!pointDecode(pR, R, false)) return false;
  // Neither may have small order ([8]P = identity; -A has small order iff A does).
  if (pointIsSmallOrder(negA) || pointIsSmallOrder(pR)) return false;
  // k = SHA-512(R || A || M) mod L
  var m = new Uint8Array(64 + msg.length);
  m.set(R, 0);
  m.set(pub, 32);
  m.set(msg, 64);
  var h = hash(m);
  if (!h || h.length !== 64) return false;
  var k = scalarReduce64(h);
  // Cofactorless equation: [S]B - [k]A == R, compared as points (R is canonical, so this is the
  // same as comparing its encoding with the encoding of the left side).
  doubleScalarMultBase(chk, sig.subarray(32, 64), k, negA);
  return pointEqual(chk, pR);
}

/**
 * verify() with options: the fast path when `baseTable` is given (and `keyTable` when the key has
 * one), the reference verifier otherwise (or when the base table is null: e.g. openTable rejected
 * a corrupted one).
 */
export function verifyFast(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array,
  opts: { sha512?: (d: Uint8Array) => Uint8Array; baseTable?: EdTable | null; keyTable?: EdTable | null }): boolean {
  return verify(pub, msg, sig, opts ? opts.sha512 : undefined, opts);
}

function fromHex(s: string): Uint8Array {
  var out = new Uint8Array(s.length >> 1);
  for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/**
 * Boot self-test: RFC 8032 section 7.1 TEST 1 verifies, and the same signature with one bit
 * flipped does not.
 */
export function verifyKnownVector(sha512?: (d: Uint8Array) => Uint8Array): boolean {
  var pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  var sig = fromHex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
  var msg = new Uint8Array(0);
  if (!verify(pub, msg, sig, sha512)) return false;
  sig[40] ^= 0x04;
  return !verify(pub, msg, sig, sha512);
}
