// Ed25519 signature verification, STRICT profile (spec/qg1.md section 1):
//   - reject S >= L;
//   - reject a non-canonical encoding of A or R: y >= p, or x = 0 with the sign bit set;
//   - reject A or R of small order (the 8 points of order dividing 8);
//   - accept only if [S]B = R + [k]A with k = SHA-512(R || A || M) mod L (cofactorless).
// This is the `strict_no_small_order` column of the vectors in data/vectors (CCTV: 43 of 914
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
