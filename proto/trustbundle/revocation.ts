// The revoked list of a trust bundle: sorted 8-byte prefixes of SHA-256(kid || 0x00 || id).
import { concatBytes } from '../bytes';
import { REVOCATION_PREFIX_BYTES } from './types';

// Compares the 8-byte windows a[ia..ia+8) and b[ib..ib+8).
export function comparePrefix(a: Uint8Array, ia: number, b: Uint8Array, ib: number): number {
  for (var i = 0; i < REVOCATION_PREFIX_BYTES; i++) {
    var d = a[ia + i] - b[ib + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether the 8-byte prefix is in the bundle's sorted revoked list (binary search). */
export function isRevoked(bundle: { revoked?: Uint8Array }, prefix8: Uint8Array): boolean {
  var rev = bundle.revoked;
  if (prefix8.length !== REVOCATION_PREFIX_BYTES) throw new Error('trust: prefix length');
  if (rev === undefined) return false;
  var lo = 0;
  var hi = rev.length / REVOCATION_PREFIX_BYTES - 1;
  while (lo <= hi) {
    var mid = (lo + hi) >> 1;
    var c = comparePrefix(rev, mid * REVOCATION_PREFIX_BYTES, prefix8, 0);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** First 8 bytes of SHA-256(kid || 0x00 || cti): a certificate's revocation prefix. */
export function revocationPrefix(kid: Uint8Array, cti: Uint8Array, sha256: (d: Uint8Array) => Uint8Array): Uint8Array {
  var h = sha256(concatBytes([kid, new Uint8Array(1), cti]));
  return new Uint8Array(h.subarray(0, REVOCATION_PREFIX_BYTES));
}
