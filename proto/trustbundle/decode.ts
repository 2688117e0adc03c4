// Decoding a trust bundle and its payload (docs/qg1.md section 3).
// optional, protected alg -8 and kid) whose payload lists the trusted issuer keys and the revoked
// certificates. This file only DECODES: checking the bundle's signature against the root keys is
// done by the caller (firmware/trust.ts): verify sigStructureOf(bundle.cose) before trusting it.
//
// Choices made here:
//  - size: a bundle may be larger than a certificate's 512 bytes; the default limit is
//    TRUST_BUNDLE_MAX_BYTES (16384: 64 keys of ~60-90 bytes plus ~1400 revocation prefixes); pass
//    opts.maxBytes to change it;
//  - keys: at most 64 entries in the array (skipped ones count). An entry with alg != -8 is skipped
//    (not counted in `keyCount`), but must still be a map with a kid (bytes or text, non-empty), an integer alg,
//    key bytes (any length), unsigned nbf/exp and a known format when present;
//  - an alg -8 entry needs key = exactly 32 bytes;
//  - a kid's type is not tied to its format: findKey matches kid bytes (text kids as their UTF-8
//    bytes) and format; kidIsText says which it was;
//  - format: text 'qg1' (default) or 'divoc'; any other text or type is malformed;
//  - revoked: length a multiple of 8 and strictly ascending 8-byte prefixes, else malformed.
// Byte fields are views into the input (see cose.ts).
// Memory: every entry is validated once by decodeTrustBundle, but the keys are not kept as objects:
// the bundle keeps its payload bytes and a small index (TrustKeys), and findKeys/trustKeyAt decode
// the entries asked for. Read from a flash file, a 64-key bundle then costs a few variables.
import { decodeCbor, cborGet, isCborMap, CborMap } from '../cbor';
import { decodeCoseSign1 } from '../cose';
import { TRUST_BUNDLE_MAX_BYTES, TRUST_MAX_KEYS, REVOCATION_PREFIX_BYTES, TrustBundle, TrustPayload, TrustDecodeOptions } from './types';
import { fail, optUint, reqUint, decodeKeyEntry } from './keyentry';
import { scanPayload, PayloadScan } from './scan';
import { indexKeys } from './keyindex';
import { comparePrefix } from './revocation';

/**
 * The bundle fields from its payload (CBOR bytes of the payload map); throws Error when malformed.
 * Every entry is validated here; the keys are then only indexed (see TrustKeys).
 */
export function decodeTrustPayload(payload: Uint8Array): TrustPayload {
  var s: PayloadScan | null = null;
  try {
    s = scanPayload(payload);
  } catch (e) {
    s = null; // malformed somewhere: the whole-payload decode below says what, as it always did
  }
  var m: CborMap;
  var accepted: Uint8Array = new Uint8Array(0);
  var keyCount = 0;
  var skipped = 0;
  if (s) {
    m = s.map;
    accepted = s.accepted;
    keyCount = s.keyCount;
    skipped = s.skipped;
  } else {
    m = decodeCbor(payload);
    if (!isCborMap(m)) fail('payload is not a map');
  }
  var version = reqUint(m, 1, 'version');
  var iat = reqUint(m, 2, 'iat');
  if (!s) {
    var arr = cborGet(m, 3);
    if (arr === undefined) fail('keys missing');
    if (!(arr instanceof Array)) fail('keys is not an array');
    if (arr.length > TRUST_MAX_KEYS) fail('too many keys');
    accepted = new Uint8Array(arr.length);
    for (var i = 0; i < arr.length; i++) {
      var ok = decodeKeyEntry(arr[i]) !== null;
      accepted[i] = ok ? 1 : 0;
      if (ok) keyCount++;
      else skipped++;
    }
  }
  var out: TrustPayload = {
    payload: payload, keyCount: keyCount, keyIndex: indexKeys(payload, accepted, keyCount),
    version: version, iat: iat, skipped: skipped,
  };
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
  var b: TrustBundle = {
    cose: cose, payload: p.payload, keyCount: p.keyCount, keyIndex: p.keyIndex,
    version: p.version, iat: p.iat, skipped: p.skipped,
  };
  if (p.revoked !== undefined) b.revoked = p.revoked;
  if (p.maxAge !== undefined) b.maxAge = p.maxAge;
  return b;
}
