// Host-side Ed25519 keys: JWK files (RFC 8037, OKP/Ed25519), DER SubjectPublicKeyInfo as ministries
// publish them, key ids, and signing with tweetnacl. Host only (Node); the device has its own verifier.
import * as crypto from 'crypto';
import * as nacl from 'tweetnacl';
import { CliError, readFileOr } from './cli';

/** An Ed25519 JWK, RFC 8037. `d` (the 32-byte seed) only in a private key. */
export interface Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d?: string;
  kid?: string;
  [other: string]: any;
}

/** A parsed, validated key. `seed` only for a private key. */
export interface Ed25519Key {
  /** the JWK kid, or the default kid of the public key when the JWK has none */
  kid: string;
  publicKey: Uint8Array;
  seed?: Uint8Array;
  jwk: Jwk;
}

export type KeyLike = Jwk | Ed25519Key;

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function base64urlEncode(b: Uint8Array): string {
  return Buffer.from(b).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Strict base64url (RFC 4648 section 5, padding optional); throws CliError naming `what`. */
export function base64urlDecode(s: string, what: string): Uint8Array {
  if (typeof s !== 'string') throw new CliError(`${what}: not a string`);
  const body = s.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) throw new CliError(`${what}: not base64url`);
  const b = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  // reject non-canonical trailing bits (so that one key has exactly one text)
  if (base64urlEncode(b) !== body) throw new CliError(`${what}: not canonical base64url`);
  return new Uint8Array(b);
}

/** The default kid: base64url of the first 8 bytes of SHA-256 of the public key (11 characters). */
export function defaultKid(publicKey: Uint8Array): string {
  return base64urlEncode(crypto.createHash('sha256').update(publicKey).digest().subarray(0, 8));
}

function isEd25519Key(k: KeyLike): k is Ed25519Key {
  return (k as Ed25519Key).publicKey instanceof Uint8Array && typeof (k as Ed25519Key).jwk === 'object';
}

/** Validates a JWK object (private or public). `where` names it in errors (a file name). */
export function parseJwk(obj: any, where = 'JWK'): Ed25519Key {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new CliError(`${where}: not a JWK object`);
  if (obj.kty !== 'OKP') throw new CliError(`${where}: kty must be "OKP" (got ${JSON.stringify(obj.kty)})`);
  if (obj.crv !== 'Ed25519') throw new CliError(`${where}: crv must be "Ed25519" (got ${JSON.stringify(obj.crv)})`);
  if (obj.x === undefined) throw new CliError(`${where}: missing x`);
  const x = base64urlDecode(obj.x, `${where}: x`);
  if (x.length !== 32) throw new CliError(`${where}: x is ${x.length} bytes, expected 32`);
  let seed: Uint8Array | undefined;
  if (obj.d !== undefined) {
    seed = base64urlDecode(obj.d, `${where}: d`);
    if (seed.length !== 32) throw new CliError(`${where}: d is ${seed.length} bytes, expected 32`);
    const derived = nacl.sign.keyPair.fromSeed(seed).publicKey;
    if (Buffer.compare(Buffer.from(derived), Buffer.from(x)) !== 0) throw new CliError(`${where}: x is not the public key of d`);
  }
  if (obj.kid !== undefined && (typeof obj.kid !== 'string' || obj.kid.length === 0)) {
    throw new CliError(`${where}: kid must be a non-empty string`);
  }
  const kid = obj.kid !== undefined ? obj.kid : defaultKid(x);
  return { kid, publicKey: x, seed, jwk: obj as Jwk };
}

export function toKey(k: KeyLike, where = 'JWK'): Ed25519Key {
  return isEd25519Key(k) ? k : parseJwk(k, where);
}

/** Reads and validates a JWK file; every problem is a one-line CliError naming the file. */
export function readJwkFile(path: string): Ed25519Key {
  const text = readFileOr(path, 'key file').toString('utf8');
  let obj: any;
  try {
    obj = JSON.parse(text);
  } catch (e: any) {
    throw new CliError(`key file ${path} is not valid JSON: ${e.message}`);
  }
  return parseJwk(obj, `key file ${path}`);
}

/** Like readJwkFile, but the key must be private (have `d`). */
export function readPrivateJwkFile(path: string): Ed25519Key {
  const k = readJwkFile(path);
  if (!k.seed) throw new CliError(`key file ${path}: a public key (no d); a private key is needed to sign`);
  return k;
}

/** The raw 32-byte Ed25519 key in a DER SubjectPublicKeyInfo given as base64 (standard or url alphabet). */
export function publicKeyFromSpki(b64: string): Uint8Array {
  const s = (b64 || '').trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) throw new CliError('SPKI: not base64');
  const der = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (der.length !== 44) throw new CliError(`SPKI: ${der.length} bytes, expected 44 (an Ed25519 SubjectPublicKeyInfo)`);
  if (Buffer.compare(der.subarray(0, 12), SPKI_PREFIX) !== 0) {
    throw new CliError('SPKI: not an Ed25519 SubjectPublicKeyInfo (expected 302a300506032b6570032100...)');
  }
  return new Uint8Array(der.subarray(12));
}

export function spkiFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new CliError(`public key is ${publicKey.length} bytes, expected 32`);
  return Buffer.concat([SPKI_PREFIX, Buffer.from(publicKey)]).toString('base64');
}

/** A new private JWK: from `seed` (32 bytes, deterministic) or random; kid defaults to defaultKid. */
export function makeJwk(seed?: Uint8Array, kid?: string): Jwk {
  const s = seed || new Uint8Array(crypto.randomBytes(32));
  if (s.length !== 32) throw new CliError(`seed is ${s.length} bytes, expected 32`);
  const pair = nacl.sign.keyPair.fromSeed(s);
  if (kid !== undefined && kid.length === 0) throw new CliError('kid must not be empty');
  return {
    kty: 'OKP',
    crv: 'Ed25519',
    x: base64urlEncode(pair.publicKey),
    d: base64urlEncode(s),
    kid: kid !== undefined ? kid : defaultKid(pair.publicKey),
  };
}

/** The public half of a JWK (no d), keeping kid. */
export function publicJwk(k: KeyLike): Jwk {
  const key = toKey(k);
  return { kty: 'OKP', crv: 'Ed25519', x: base64urlEncode(key.publicKey), kid: key.kid };
}

/**
 * The kid bytes a QG1 certificate or bundle entry carries for this key: the UTF-8 of the JWK kid
 * (also for a base64url-looking default kid: the text is the kid, so that spec/qg1.md section 3's
 * "a root key whose JWK kid is the UTF-8 text of that kid" holds). Must be 1..16 bytes.
 */
export function kidBytes(k: KeyLike | string): Uint8Array {
  const kid = typeof k === 'string' ? k : toKey(k).kid;
  const b = new Uint8Array(Buffer.from(kid, 'utf8'));
  if (b.length < 1 || b.length > 16) throw new CliError(`kid "${kid}" is ${b.length} bytes as UTF-8, a QG1 kid must be 1..16`);
  return b;
}

const secretCache = new WeakMap<Uint8Array, Uint8Array>();

/** Ed25519 signature (64 bytes) of `message` by a private key. */
export function sign(message: Uint8Array, k: KeyLike): Uint8Array {
  const key = toKey(k);
  if (!key.seed) throw new CliError(`key ${key.kid} is public (no d); cannot sign`);
  let secret = secretCache.get(key.seed);
  if (!secret) {
    secret = nacl.sign.keyPair.fromSeed(key.seed).secretKey;
    secretCache.set(key.seed, secret);
  }
  return nacl.sign.detached(message, secret);
}

/** Plain (non-strict, tweetnacl) verification: a host cross-check, not the gate's profile. */
export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  return nacl.sign.detached.verify(message, signature, publicKey);
}
