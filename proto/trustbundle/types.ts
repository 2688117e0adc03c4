// The trust bundle's types and limits (docs/qg1.md section 3); the codec is split along its jobs:
// decode.ts (the bundle and its payload), scan.ts (the payload checked one item at a time),
// keyentry.ts (one key entry), keyindex.ts (the key index and lookups), revocation.ts (the revoked
// list). index.ts re-exports them all.
import { CoseSign1 } from '../cose';

export var TRUST_BUNDLE_MAX_BYTES = 16384;
export var TRUST_MAX_KEYS = 64;
export var REVOCATION_PREFIX_BYTES = 8;

/** A key's format: a name of proto/formats.ts ('qg1', 'divoc'). */
export type KeyFormat = string;

export interface TrustKey {
  /** Raw kid bytes; for a text kid, its UTF-8 bytes. */
  kid: Uint8Array;
  kidIsText: boolean;
  alg: number;
  /** Raw Ed25519 public key, 32 bytes. */
  key: Uint8Array;
  nbf?: number;
  exp?: number;
  format: KeyFormat;
}

/**
 * The trusted keys of a bundle, kept in place: the payload bytes (a view, e.g. of a flash file)
 * and an index of the alg -8 entries (three numbers per key: the entry's offset in the payload,
 * the kid's offset, kid length * 2 + format (CertFormat.index, proto/formats.ts)). TrustKey objects are only made for
 * the keys asked for (findKeys, trustKeyAt), so a bundle of 64 keys costs a few variables in RAM.
 */
export interface TrustKeys {
  payload: Uint8Array;
  /** Number of alg -8 keys (skipped entries are not counted). */
  keyCount: number;
  keyIndex: Uint16Array | Uint32Array;
}

export interface TrustBundle extends TrustKeys {
  cose: CoseSign1;
  version: number;
  iat: number;
  /** Entries skipped because their alg is not -8. */
  skipped: number;
  /** Concatenated sorted 8-byte prefixes (absent when the bundle has none). */
  revoked?: Uint8Array;
  maxAge?: number;
}

/** What decodeTrustPayload returns: the bundle's fields without its COSE envelope. */
export interface TrustPayload extends TrustKeys {
  version: number;
  iat: number;
  skipped: number;
  revoked?: Uint8Array;
  maxAge?: number;
}

export interface TrustDecodeOptions {
  /** Largest accepted bundle in bytes (default TRUST_BUNDLE_MAX_BYTES). */
  maxBytes?: number;
}
