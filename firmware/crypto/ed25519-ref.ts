// The reference Ed25519 verifier (strict profile: see ed25519.ts, which dispatches to it when no
// base table is given). Its own module so that the gate's bundle can make it a lazy part
// (tools/build/bundle.js): a gate verifying with tables never needs its code in RAM.
import { Point, pointDecode, pointIsSmallOrder, pointEqual, doubleScalarMultBase } from './ed25519-curve';
import { scalarIsCanonical, scalarReduce64 } from './ed25519-scalar';
import { isCanonicalEncoding } from './ed25519-checks';

/** May throw on inputs of the wrong type (ed25519.ts verify() catches). */
export function verifyStrict(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, hash: (d: Uint8Array) => Uint8Array): boolean {
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
