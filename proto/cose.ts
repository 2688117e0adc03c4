// COSE_Sign1 (RFC 9052) as QG1 uses it (docs/qg1.md section 1).
//
// Two levels:
//  - decodeCoseSign1Parts: the generic structure [protected bstr, unprotected map, payload bstr,
//    signature bstr], optional top tag 18, strict CBOR (see cbor.ts), a size limit; no header
//    policy. Used by tests on foreign COSE examples and by anything that needs the raw headers.
//  - decodeCoseSign1: the QG1 profile on top: protected header is a non-empty map holding
//    1 (alg) = -8 and 4 (kid) = bstr of 1..16 bytes; a crit (2) label makes it malformed; the
//    unprotected map must be well formed but is otherwise ignored (a kid/alg there never counts);
//    payload bstr; signature exactly 64 bytes.
//
// Size limit: qg1.md caps a certificate at 512 bytes (COSE_MAX_BYTES, the default). The trust
// bundle (section 3) is a COSE_Sign1 "exactly as in section 1" but holds up to 64 keys and a
// revocation list, so its callers pass a larger maxBytes (TRUST_BUNDLE_MAX_BYTES in trust.ts);
// everything else about the structure is identical.
//
// The returned byte arrays are subarray VIEWS of the input (no copies): keep the input alive and
// unmodified while they are in use.

import { qgError } from './error';
import { decodeCborItem, decodeCbor, cborGet, cborHas, isCborMap, encodeSigStructure, CborMap } from './cbor';

export var COSE_MAX_BYTES = 512;
export var COSE_ALG_EDDSA = -8;
export var COSE_HEADER_ALG = 1;
export var COSE_HEADER_CRIT = 2;
export var COSE_HEADER_KID = 4;
export var COSE_KID_MAX = 16;
export var ED25519_SIGNATURE_BYTES = 64;

export interface CoseDecodeOptions {
  /** Largest accepted message in bytes (default COSE_MAX_BYTES = 512). */
  maxBytes?: number;
  /** Deepest CBOR nesting of the outer structure (default 4, as qg1.md). */
  maxDepth?: number;
  /** Most CBOR data items in the outer structure (default: the message's length in bytes). */
  maxItems?: number;
}

export interface CoseSign1Parts {
  /** The protected header bstr exactly as on the wire (may be empty). */
  protectedBytes: Uint8Array;
  /** The decoded protected header (an empty map when protectedBytes is empty). */
  protectedMap: CborMap;
  unprotected: CborMap;
  payload: Uint8Array;
  signature: Uint8Array;
  /** Tag 18 was present. */
  tagged: boolean;
}

export interface CoseSign1 {
  protectedBytes: Uint8Array;
  /** Always -8 (EdDSA). */
  alg: number;
  /** 1..16 bytes, from the protected header. */
  kid: Uint8Array;
  payload: Uint8Array;
  /** 64 bytes. */
  signature: Uint8Array;
}

function fail(msg: string): never {
  throw qgError('cose: ' + msg);
}

/** Generic COSE_Sign1 structure under the strict CBOR profile; no header policy. */
export function decodeCoseSign1Parts(bytes: Uint8Array, opts?: CoseDecodeOptions): CoseSign1Parts {
  var maxBytes = opts && opts.maxBytes !== undefined ? opts.maxBytes : COSE_MAX_BYTES;
  if (bytes.length > maxBytes) fail('message too large');
  var item = decodeCborItem(bytes, 0, {
    allowTopTag18: true,
    maxDepth: opts && opts.maxDepth !== undefined ? opts.maxDepth : undefined,
    maxItems: opts && opts.maxItems !== undefined ? opts.maxItems : undefined,
  });
  if (item.end !== bytes.length) fail('trailing bytes');
  var a = item.value;
  if (!(a instanceof Array) || a.length !== 4) fail('not an array of 4');
  var prot = a[0];
  var unprot = a[1];
  var payload = a[2];
  var sig = a[3];
  if (!(prot instanceof Uint8Array)) fail('protected is not a bstr');
  if (!isCborMap(unprot)) fail('unprotected is not a map');
  if (!(payload instanceof Uint8Array)) fail('payload is not a bstr');
  if (!(sig instanceof Uint8Array)) fail('signature is not a bstr');
  var protMap: CborMap;
  if (prot.length === 0) {
    protMap = { keys: [], values: [] };
  } else {
    var pm = decodeCbor(prot);
    if (!isCborMap(pm)) fail('protected header is not a map');
    protMap = pm;
  }
  return {
    protectedBytes: prot,
    protectedMap: protMap,
    unprotected: unprot,
    payload: payload,
    signature: sig,
    tagged: item.tagged,
  };
}

/** A QG1 COSE_Sign1 (qg1.md section 1); throws Error on anything malformed. */
export function decodeCoseSign1(bytes: Uint8Array, opts?: CoseDecodeOptions): CoseSign1 {
  var p = decodeCoseSign1Parts(bytes, opts);
  var h = p.protectedMap;
  if (cborHas(h, COSE_HEADER_CRIT)) fail('crit header not understood');
  var alg = cborGet(h, COSE_HEADER_ALG);
  if (alg === undefined) fail('no alg in protected header');
  if (alg !== COSE_ALG_EDDSA) fail('alg is not EdDSA');
  var kid = cborGet(h, COSE_HEADER_KID);
  if (kid === undefined) fail('no kid in protected header');
  if (!(kid instanceof Uint8Array)) fail('kid is not a bstr');
  if (kid.length < 1 || kid.length > COSE_KID_MAX) fail('kid length');
  if (p.signature.length !== ED25519_SIGNATURE_BYTES) fail('signature length');
  return {
    protectedBytes: p.protectedBytes,
    alg: alg,
    kid: kid,
    payload: p.payload,
    signature: p.signature,
  };
}

/** The bytes Ed25519 signs: CBOR of [ "Signature1", protected, h'', payload ]. */
export function sigStructureOf(c: { protectedBytes: Uint8Array; payload: Uint8Array }): Uint8Array {
  return encodeSigStructure(c.protectedBytes, c.payload);
}
