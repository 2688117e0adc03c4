// Trust bundle (../shared/spec/qg1.md section 3): a COSE_Sign1 exactly as a certificate (tag 18
// optional, protected alg -8 and kid) whose payload lists the trusted issuer keys and the revoked
// certificates. This file only DECODES: checking the bundle's signature against the root keys is
// done by the caller (firmware/trust.ts): verify sigStructureOf(bundle.cose) before trusting it.
//
// Choices made here:
//  - size: a bundle may be larger than a certificate's 512 bytes; the default limit is
//    TRUST_BUNDLE_MAX_BYTES (16384: 64 keys of ~60-90 bytes plus ~1400 revocation prefixes); pass
//    opts.maxBytes to change it;
//  - keys: at most 64 entries in the array (skipped ones count). An entry with alg != -8 is skipped
//    (not in `keys`), but must still be a map with a kid (bytes or text, non-empty), an integer alg,
//    key bytes (any length), unsigned nbf/exp and a known format when present;
//  - an alg -8 entry needs key = exactly 32 bytes;
//  - a kid's type is not tied to its format: findKey matches kid bytes (text kids as their UTF-8
//    bytes) and format; kidIsText says which it was;
//  - format: text 'qg1' (default) or 'divoc'; any other text or type is malformed;
//  - revoked: length a multiple of 8 and strictly ascending 8-byte prefixes, else malformed.
// Byte fields are views into the input (see cose.ts).

import { byteStringToBytes, bytesEqual, concatBytes } from './bytes';
import { decodeCbor, cborGet, isCborMap, CborMap } from './cbor';
import { decodeCoseSign1, CoseSign1, COSE_ALG_EDDSA } from './cose';

export var TRUST_BUNDLE_MAX_BYTES = 16384;
export var TRUST_MAX_KEYS = 64;
export var REVOCATION_PREFIX_BYTES = 8;

export type KeyFormat = 'qg1' | 'divoc';

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

export interface TrustBundle {
  cose: CoseSign1;
  version: number;
  iat: number;
  keys: TrustKey[];
  /** Entries skipped because their alg is not -8. */
  skipped: number;
  /** Concatenated sorted 8-byte prefixes (absent when the bundle has none). */
  revoked?: Uint8Array;
  maxAge?: number;
}

export interface TrustDecodeOptions {
  /** Largest accepted bundle in bytes (default TRUST_BUNDLE_MAX_BYTES). */
  maxBytes?: number;
}

function fail(msg: string): never {
  throw new Error('trust: ' + msg);
}

function optUint(m: CborMap, key: number, name: string): number | undefined {
  var v = cborGet(m, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || v < 0) fail(name + ' is not unsigned');
  return v;
}

function reqUint(m: CborMap, key: number, name: string): number {
  var v = optUint(m, key, name);
  if (v === undefined) fail(name + ' missing');
  return v;
}

// One key entry; null when well formed but skipped (alg != -8).
function decodeKeyEntry(e: any): TrustKey | null {
  if (!isCborMap(e)) fail('key entry is not a map');
  var kidv = cborGet(e, 1);
  var kid: Uint8Array;
  var kidIsText: boolean;
  if (kidv instanceof Uint8Array) {
    kid = kidv;
    kidIsText = false;
  } else if (typeof kidv === 'string') {
    kid = byteStringToBytes(kidv);
    kidIsText = true;
  } else {
    fail(kidv === undefined ? 'kid missing' : 'kid type');
  }
  if (kid.length < 1) fail('kid empty');
  var alg = cborGet(e, 2);
  if (alg === undefined) fail('alg missing');
  if (typeof alg !== 'number') fail('alg is not an integer');
  var key = cborGet(e, 3);
  if (key === undefined) fail('key missing');
  if (!(key instanceof Uint8Array)) fail('key is not bytes');
  var nbf = optUint(e, 4, 'nbf');
  var exp = optUint(e, 5, 'exp');
  var fv = cborGet(e, 6);
  var format: KeyFormat = 'qg1';
  if (fv !== undefined) {
    if (fv === 'qg1') format = 'qg1';
    else if (fv === 'divoc') format = 'divoc';
    else fail('unknown format');
  }
  if (alg !== COSE_ALG_EDDSA) return null;
  if (key.length !== 32) fail('key length');
  var k: TrustKey = { kid: kid, kidIsText: kidIsText, alg: alg, key: key, format: format };
  if (nbf !== undefined) k.nbf = nbf;
  if (exp !== undefined) k.exp = exp;
  return k;
}

/** The bundle fields from its payload (CBOR bytes of the payload map); throws Error when malformed. */
export function decodeTrustPayload(payload: Uint8Array): {
  version: number;
  iat: number;
  keys: TrustKey[];
  skipped: number;
  revoked?: Uint8Array;
  maxAge?: number;
} {
  var m = decodeCbor(payload);
  if (!isCborMap(m)) fail('payload is not a map');
  var version = reqUint(m, 1, 'version');
  var iat = reqUint(m, 2, 'iat');
  var arr = cborGet(m, 3);
  if (arr === undefined) fail('keys missing');
  if (!(arr instanceof Array)) fail('keys is not an array');
  if (arr.length > TRUST_MAX_KEYS) fail('too many keys');
  var keys: TrustKey[] = [];
  var skipped = 0;
  for (var i = 0; i < arr.length; i++) {
    var k = decodeKeyEntry(arr[i]);
    if (k === null) skipped++;
    else keys.push(k);
  }
  var out: {
    version: number;
    iat: number;
    keys: TrustKey[];
    skipped: number;
    revoked?: Uint8Array;
    maxAge?: number;
  } = { version: version, iat: iat, keys: keys, skipped: skipped };
  var rev = cborGet(m, 4);
  if (rev !== undefined) {
    if (!(rev instanceof Uint8Array)) fail('revoked is not bytes');
    if (rev.length % REVOCATION_PREFIX_BYTES !== 0) fail('revoked length');
    for (var p = REVOCATION_PREFIX_BYTES; p < rev.length; p += REVOCATION_PREFIX_BYTES) {
      if (comparePrefix(rev, p - REVOCATION_PREFIX_BYTES, rev, p) >= 0) fail('revoked not sorted');
    }
    out.revoked = rev;
  }
  var maxAge = optUint(m, 5, 'maxAge');
  if (maxAge !== undefined) out.maxAge = maxAge;
  return out;
}

/** A trust bundle from its COSE_Sign1 bytes; the signature is NOT checked here. */
export function decodeTrustBundle(bytes: Uint8Array, opts?: TrustDecodeOptions): TrustBundle {
  var cose = decodeCoseSign1(bytes, { maxBytes: opts && opts.maxBytes !== undefined ? opts.maxBytes : TRUST_BUNDLE_MAX_BYTES });
  var p = decodeTrustPayload(cose.payload);
  var b: TrustBundle = { cose: cose, version: p.version, iat: p.iat, keys: p.keys, skipped: p.skipped };
  if (p.revoked !== undefined) b.revoked = p.revoked;
  if (p.maxAge !== undefined) b.maxAge = p.maxAge;
  return b;
}

/** All alg -8 keys with this kid (raw bytes) and format, in bundle order. */
export function findKeys(bundle: { keys: TrustKey[] }, kid: Uint8Array, format: string): TrustKey[] {
  var out: TrustKey[] = [];
  for (var i = 0; i < bundle.keys.length; i++) {
    var k = bundle.keys[i];
    if (k.format === format && bytesEqual(k.kid, kid)) out.push(k);
  }
  return out;
}

/** The first alg -8 key with this kid (raw bytes) and format, or null. */
export function findKey(bundle: { keys: TrustKey[] }, kid: Uint8Array, format: string): TrustKey | null {
  for (var i = 0; i < bundle.keys.length; i++) {
    var k = bundle.keys[i];
    if (k.format === format && bytesEqual(k.kid, kid)) return k;
  }
  return null;
}

// Compares the 8-byte windows a[ia..ia+8) and b[ib..ib+8).
function comparePrefix(a: Uint8Array, ia: number, b: Uint8Array, ib: number): number {
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
