// Trust bundle (docs/qg1.md section 3): a COSE_Sign1 exactly as a certificate (tag 18
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

import { byteStringToBytes, concatBytes } from './bytes';
import { decodeCbor, decodeCborItem, cborGet, isCborMap, CborMap } from './cbor';
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

/**
 * The trusted keys of a bundle, kept in place: the payload bytes (a view, e.g. of a flash file)
 * and an index of the alg -8 entries (three numbers per key: the entry's offset in the payload,
 * the kid's offset, kid length * 2 + format (0 qg1, 1 divoc)). TrustKey objects are only made for
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

// The argument of the CBOR head at b[p] (the payload was validated by decodeCbor first);
// the position after the head is left in `headEnd`.
var headEnd = 0;
function headArg(b: Uint8Array, p: number): number {
  var ai = b[p] & 31;
  headEnd = p + 1;
  if (ai < 24) return ai;
  if (ai === 24) { headEnd = p + 2; return b[p + 1]; }
  if (ai === 25) { headEnd = p + 3; return b[p + 1] * 256 + b[p + 2]; }
  if (ai === 26) { headEnd = p + 5; return b[p + 1] * 16777216 + b[p + 2] * 65536 + b[p + 3] * 256 + b[p + 4]; }
  headEnd = p + 9;
  return (b[p + 1] * 16777216 + b[p + 2] * 65536 + b[p + 3] * 256 + b[p + 4]) * 4294967296 +
    b[p + 5] * 16777216 + b[p + 6] * 65536 + b[p + 7] * 256 + b[p + 8];
}

// The offset just after the (validated, tag-free) item at b[p].
function skipItem(b: Uint8Array, p: number): number {
  var major = b[p] >> 5;
  var n = headArg(b, p);
  var q = headEnd;
  if (major === 2 || major === 3) return q + n;
  if (major === 4 || major === 5) {
    if (major === 5) n *= 2;
    for (var i = 0; i < n; i++) q = skipItem(b, q);
  }
  return q;
}

interface PayloadScan {
  /** The top-level pairs, with key 3 (the key array) left out: its entries are already checked. */
  map: CborMap;
  accepted: Uint8Array;
  keyCount: number;
  skipped: number;
}

// A checked head argument for scanPayload (null: let the whole-payload decoder judge).
function scanHead(b: Uint8Array, p: number, major: number): number | null {
  if (p >= b.length || b[p] >> 5 !== major || (b[p] & 31) >= 27) return null;
  var n = headArg(b, p);
  return headEnd <= b.length ? n : null;
}

// The payload checked one top-level item and one key entry at a time, so that a bundle of 64 keys
// is never decoded into objects all at once (a board's RAM). It accepts only what decodeCbor and
// decodeKeyEntry accept (each item is decoded by them, at the depth it has in the payload); for
// anything unusual (malformed or not: a non-integer or repeated top-level key, more than 64
// entries, ...) it returns null or throws, and decodeTrustPayload decodes the whole payload
// instead, which gives the same answer or the same error as before this scan existed.
function scanPayload(b: Uint8Array): PayloadScan | null {
  var pairs = scanHead(b, 0, 5);
  if (pairs === null || pairs > (b.length - headEnd) / 2) return null;
  var p = headEnd;
  var map: CborMap = { keys: [], values: [] };
  var accepted: Uint8Array | null = null;
  var keyCount = 0;
  var skipped = 0;
  for (var i = 0; i < pairs; i++) {
    if (p >= b.length || b[p] >> 5 !== 0) return null; // only unsigned integer keys here
    var k = decodeCborItem(b, p, { maxDepth: 3 });
    p = k.end;
    if (map.keys.indexOf(k.value) >= 0 || (k.value === 3 && accepted)) return null;
    if (k.value !== 3) {
      var v = decodeCborItem(b, p, { maxDepth: 3 });
      p = v.end;
      map.keys.push(k.value);
      map.values.push(v.value);
      continue;
    }
    var n = scanHead(b, p, 4);
    if (n === null || n > TRUST_MAX_KEYS || n > b.length - headEnd) return null;
    p = headEnd;
    accepted = new Uint8Array(n);
    for (var j = 0; j < n; j++) {
      var e = decodeCborItem(b, p, { maxDepth: 2 });
      p = e.end;
      if (decodeKeyEntry(e.value) !== null) {
        accepted[j] = 1;
        keyCount++;
      } else {
        skipped++;
      }
    }
  }
  if (p !== b.length || !accepted) return null;
  return { map: map, accepted: accepted, keyCount: keyCount, skipped: skipped };
}

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

// The index of the accepted entries of the (validated) payload's key array.
function indexKeys(payload: Uint8Array, accepted: Uint8Array, keyCount: number): Uint16Array | Uint32Array {
  var idx = payload.length < 32768 ? new Uint16Array(keyCount * 3) : new Uint32Array(keyCount * 3);
  var pairs = headArg(payload, 0);
  var p = headEnd;
  for (var i = 0; i < pairs; i++) {
    var isKeys = payload[p] >> 5 === 0 && headArg(payload, p) === 3; // unsigned 3, any head length
    p = skipItem(payload, p);
    if (!isKeys) {
      p = skipItem(payload, p);
      continue;
    }
    var n = headArg(payload, p);
    p = headEnd;
    var at = 0;
    for (var j = 0; j < n; j++) {
      var entry = p;
      var fields = headArg(payload, p);
      p = headEnd;
      var kidAt = 0;
      var kidLen = 0;
      var fmt = 0;
      for (var f = 0; f < fields; f++) {
        var key = payload[p] >> 5 === 0 ? headArg(payload, p) : -1;
        p = skipItem(payload, p);
        if (key === 1) {
          kidLen = headArg(payload, p);
          kidAt = headEnd;
        } else if (key === 6) {
          fmt = headArg(payload, p) === 5 ? 1 : 0; // validated text: 'divoc' (5 bytes) or 'qg1'
        }
        p = skipItem(payload, p);
      }
      if (accepted[j]) {
        idx[at++] = entry;
        idx[at++] = kidAt;
        idx[at++] = kidLen * 2 + fmt;
      }
    }
    return idx;
  }
  return idx;
}

/** The i-th alg -8 key (0 <= i < keyCount), in bundle order: a new TrustKey (views of the payload). */
export function trustKeyAt(keys: TrustKeys, i: number): TrustKey {
  if (i < 0 || i >= keys.keyCount) throw new Error('trust: no key ' + i);
  return decodeKeyEntry(decodeCborItem(keys.payload, keys.keyIndex[i * 3]).value) as TrustKey;
}

/** All alg -8 keys as TrustKey objects (host tools and tests; the gate asks for one kid at a time). */
export function trustKeys(keys: TrustKeys): TrustKey[] {
  var out: TrustKey[] = [];
  for (var i = 0; i < keys.keyCount; i++) out.push(trustKeyAt(keys, i));
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

// Whether index entry i has this kid (raw bytes) and format code.
function keyMatches(keys: TrustKeys, i: number, kid: Uint8Array, fmt: number): boolean {
  var idx = keys.keyIndex;
  if (idx[i * 3 + 2] !== kid.length * 2 + fmt) return false;
  var at = idx[i * 3 + 1];
  var b = keys.payload;
  for (var j = 0; j < kid.length; j++) if (b[at + j] !== kid[j]) return false;
  return true;
}

/** All alg -8 keys with this kid (raw bytes) and format, in bundle order. */
export function findKeys(keys: TrustKeys, kid: Uint8Array, format: string): TrustKey[] {
  var out: TrustKey[] = [];
  var fmt = format === 'qg1' ? 0 : format === 'divoc' ? 1 : -1;
  if (fmt < 0) return out;
  for (var i = 0; i < keys.keyCount; i++) if (keyMatches(keys, i, kid, fmt)) out.push(trustKeyAt(keys, i));
  return out;
}

/** The first alg -8 key with this kid (raw bytes) and format, or null. */
export function findKey(keys: TrustKeys, kid: Uint8Array, format: string): TrustKey | null {
  var all = findKeys(keys, kid, format);
  return all.length ? all[0] : null;
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
