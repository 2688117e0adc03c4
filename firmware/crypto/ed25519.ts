// Ed25519 signature verification, STRICT profile (spec/qg1.md section 1):
//   - reject S >= L;
//   - reject a non-canonical encoding of A or R: y >= p, or x = 0 with the sign bit set;
//   - reject A or R of small order (the 8 points of order dividing 8);
//   - accept only if [S]B = R + [k]A with k = SHA-512(R || A || M) mod L (cofactorless).
// This is the `strict_no_small_order` column of the vectors in ../shared/vectors (CCTV: 43 of 914
// valid; speccheck: only index 3). The checks on encodings are done on the bytes, so that the
// field/curve arithmetic (ed25519-field.ts, ed25519-curve.ts) can be replaced without touching them.
// The reference verifier itself is ed25519-ref.ts (its own module: the gate's bundle loads it
// lazily, since with tables it never runs).

import { sha512 as jsSha512 } from './sha512';
import { isCanonicalEncoding } from './ed25519-checks';
import { EdTable, verifyWithTables } from './ed25519-fast';
import { verifyStrict } from './ed25519-ref';

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
