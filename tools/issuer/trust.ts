// Trust bundles (section 3) (host-side QG1 issuing: tools/issuer/index.ts)
import * as crypto from 'crypto';
import { CliError } from '../cli';
import { KeyLike, kidBytes as kidBytesOf, toKey } from '../keys';
import { CborValue, encodeCbor, decodeCbor, cborProblem } from './cbor';
import { checkUint, checkBytes, getUint, getBytes } from './fields';
import { ALG_EDDSA, DecodedSign1, Sign1Options, encodeProtected, sign1, decodeSign1 } from './cose';


export interface TrustKey {
  /** bytes for a QG1 key (a string is taken as its UTF-8 bytes); for DIVOC the text kid */
  kid: Uint8Array | string;
  alg?: number;
  key: Uint8Array;
  nbf?: number;
  exp?: number;
  format?: 'qg1' | 'divoc';
}

export interface TrustBundle {
  version: number;
  iat: number;
  keys: TrustKey[];
  /** sorted, concatenated 8-byte prefixes (see revocationPrefix), or the prefixes as a list */
  revoked?: Uint8Array | Uint8Array[];
  maxAge?: number;
}

/** The revocation list entry: first 8 bytes of SHA-256(kid bytes || 0x00 || cti bytes). A string
 *  kid or cti is taken as its UTF-8 bytes (DIVOC: kid = verificationMethod, cti = certificateId). */
export function revocationPrefix(kid: Uint8Array | string, cti: Uint8Array | string): Uint8Array {
  const kb = typeof kid === 'string' ? Buffer.from(kid, 'utf8') : Buffer.from(kid);
  const cb = typeof cti === 'string' ? Buffer.from(cti, 'utf8') : Buffer.from(cti);
  return new Uint8Array(crypto.createHash('sha256').update(kb).update(Buffer.from([0])).update(cb).digest().subarray(0, 8));
}

/** Sorts and concatenates revocation prefixes (duplicates dropped). */
export function revocationList(prefixes: Uint8Array[]): Uint8Array {
  const hexes = prefixes.map((p) => {
    if (p.length !== 8) throw new CliError(`revocation prefix is ${p.length} bytes, expected 8`);
    return Buffer.from(p).toString('hex');
  });
  const sorted = Array.from(new Set(hexes)).sort();
  return new Uint8Array(Buffer.from(sorted.join(''), 'hex'));
}

/** The trust bundle payload map (validated: section 3 types, at most 64 keys, sorted revocations). */
export function trustBundleMap(b: TrustBundle): Map<number, CborValue> {
  checkUint(b.version, 'version');
  checkUint(b.iat, 'iat');
  if (!Array.isArray(b.keys)) throw new CliError('keys must be a list');
  if (b.keys.length > 64) throw new CliError(`${b.keys.length} keys, a bundle holds at most 64`);
  const keys = b.keys.map((k, i) => {
    const format = k.format || 'qg1';
    if (format !== 'qg1' && format !== 'divoc') throw new CliError(`key ${i}: format must be qg1 or divoc`);
    let kid: Uint8Array | string;
    if (format === 'divoc') {
      kid = typeof k.kid === 'string' ? k.kid : Buffer.from(k.kid).toString('utf8');
      if (kid.length === 0) throw new CliError(`key ${i}: empty kid`);
    } else {
      kid = typeof k.kid === 'string' ? kidBytesOf(k.kid) : k.kid;
      checkBytes(kid, `key ${i}: kid`, 1, 16);
    }
    const alg = k.alg === undefined ? ALG_EDDSA : k.alg;
    if (typeof alg !== 'number' || !Number.isInteger(alg)) throw new CliError(`key ${i}: alg must be an integer`);
    checkBytes(k.key, `key ${i}: key`, 32, 32);
    const e = new Map<number, CborValue>([[1, kid], [2, alg], [3, k.key]]);
    if (k.nbf !== undefined) { checkUint(k.nbf, `key ${i}: nbf`); e.set(4, k.nbf); }
    if (k.exp !== undefined) { checkUint(k.exp, `key ${i}: exp`); e.set(5, k.exp); }
    if (k.format !== undefined) e.set(6, format);
    return e;
  });
  const m = new Map<number, CborValue>([[1, b.version], [2, b.iat], [3, keys]]);
  if (b.revoked !== undefined) {
    let list: Uint8Array;
    if (Array.isArray(b.revoked)) list = revocationList(b.revoked);
    else {
      if (b.revoked.length % 8 !== 0) throw new CliError('revoked must be a multiple of 8 bytes');
      const parts: Uint8Array[] = [];
      for (let i = 0; i < b.revoked.length; i += 8) parts.push(b.revoked.subarray(i, i + 8));
      list = revocationList(parts);
      if (list.length !== b.revoked.length) throw new CliError('revoked holds a duplicate prefix');
    }
    m.set(4, list);
  }
  if (b.maxAge !== undefined) { checkUint(b.maxAge, 'maxAge'); m.set(5, b.maxAge); }
  return m;
}

/** A signed trust bundle: COSE_Sign1 by the root key (kid = UTF-8 of the root JWK kid). No 512-byte
 *  limit applies to bundles. */
export function encodeTrustBundle(b: TrustBundle, root: KeyLike, opts: Sign1Options = {}): Uint8Array {
  const k = toKey(root);
  return sign1(encodeProtected(kidBytesOf(k)), encodeCbor(trustBundleMap(b)), k, opts);
}

export interface DecodedTrustKey {
  kid: Uint8Array | string;
  alg: number;
  key: Uint8Array;
  nbf?: number;
  exp?: number;
  format: 'qg1' | 'divoc' | string;
  formatGiven: boolean;
}

export interface DecodedTrustBundle {
  sign1: DecodedSign1;
  version: number;
  iat: number;
  keys: DecodedTrustKey[];
  revoked: Uint8Array[];
  maxAge?: number;
}

/** Host decoding of a trust bundle (no signature check: see verifySign1). Throws Error on a
 *  malformed bundle. */
export function decodeTrustBundle(bytes: Uint8Array): DecodedTrustBundle {
  const s = decodeSign1(bytes, { maxLength: Infinity });
  const p = cborProblem(s.payload, { maxDepth: 4 });
  if (p) throw new Error(`bundle payload: ${p}`);
  const m = decodeCbor(s.payload);
  if (!(m instanceof Map)) throw new Error('bundle payload is not a map');
  const version = getUint(m, 1, 'version', true) as number;
  const iat = getUint(m, 2, 'iat', true) as number;
  const keysV = m.get(3);
  if (!Array.isArray(keysV)) throw new Error('keys missing or not an array');
  if (keysV.length > 64) throw new Error(`${keysV.length} keys, over 64`);
  const keys = keysV.map((e: any, i: number) => {
    if (!(e instanceof Map)) throw new Error(`key ${i} is not a map`);
    const kid = e.get(1);
    if (!(kid instanceof Uint8Array) && typeof kid !== 'string') throw new Error(`key ${i}: kid missing or not bytes/text`);
    const alg = e.get(2);
    if (typeof alg !== 'number' || !Number.isInteger(alg)) throw new Error(`key ${i}: alg missing or not an integer`);
    const key = getBytes(e, 3, `key ${i}: key`, 32, 32, true) as Uint8Array;
    const fv = e.get(6);
    if (fv !== undefined && typeof fv !== 'string') throw new Error(`key ${i}: format is not text`);
    const k: DecodedTrustKey = {
      kid: typeof kid === 'string' ? kid : new Uint8Array(kid), alg, key,
      format: fv === undefined ? 'qg1' : fv, formatGiven: fv !== undefined,
    };
    const nbf = getUint(e, 4, `key ${i}: nbf`, false);
    if (nbf !== undefined) k.nbf = nbf;
    const exp = getUint(e, 5, `key ${i}: exp`, false);
    if (exp !== undefined) k.exp = exp;
    return k;
  });
  const revoked: Uint8Array[] = [];
  const rv = m.get(4);
  if (rv !== undefined) {
    if (!(rv instanceof Uint8Array) || rv.length % 8 !== 0) throw new Error('revoked is not a multiple of 8 bytes');
    for (let i = 0; i < rv.length; i += 8) revoked.push(new Uint8Array(rv.subarray(i, i + 8)));
    for (let i = 1; i < revoked.length; i++) {
      if (Buffer.compare(Buffer.from(revoked[i - 1]), Buffer.from(revoked[i])) >= 0) throw new Error('revoked is not sorted');
    }
  }
  const out: DecodedTrustBundle = { sign1: s, version, iat, keys, revoked };
  const maxAge = getUint(m, 5, 'maxAge', false);
  if (maxAge !== undefined) out.maxAge = maxAge;
  return out;
}
