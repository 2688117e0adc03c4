// Host-side QG1 issuing (spec/qg1.md sections 1 to 3): certificates and trust bundles as COSE_Sign1,
// written with cbor-x and signed with tweetnacl. This is deliberately an independent implementation:
// it shares no code with the device codecs in proto/, so that tests can check one against the other.
import * as crypto from 'crypto';
import { Encoder, Decoder, Tag } from 'cbor-x';
import { CliError } from './cli';
import { KeyLike, kidBytes as kidBytesOf, sign, toKey, verify } from './keys';

// ---------------------------------------------------------------------------------------------
// CBOR: cbor-x with the options that give plain RFC 8949 items: Maps stay maps with integer keys,
// Uint8Array is a byte string (no tag 64), no record extension; integers are checked to stay below
// 2^32 in magnitude, where cbor-x writes CBOR integers (above that it would fall back to floats).

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  useFloat32: 0,
  structuredClone: false,
  pack: false,
} as any);
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false } as any);

export type CborValue = number | string | boolean | Uint8Array | CborValue[] | Map<number | string, CborValue>;

const U32 = 0x100000000;

/** Throws unless `v` is made only of what QG1 allows (integers below 2^32 in magnitude, no floats). */
export function checkCborValue(v: any, path = '$'): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`${path}: ${v} is not an integer (QG1 has no floating point)`);
    if (v >= U32 || v < -U32) throw new Error(`${path}: ${v} is outside -2^32..2^32-1`);
  } else if (typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) {
    // fine
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkCborValue(x, `${path}[${i}]`));
  } else if (v instanceof Map) {
    v.forEach((x, k) => {
      if (typeof k !== 'number' && typeof k !== 'string') throw new Error(`${path}: map key of type ${typeof k}`);
      checkCborValue(k, `${path}.key`);
      checkCborValue(x, `${path}[${String(k)}]`);
    });
  } else {
    throw new Error(`${path}: cannot encode ${v === null ? 'null' : typeof v} in QG1`);
  }
}

/** Rebuilds maps with keys in deterministic order (RFC 8949 4.2.1: bytewise order of encoded keys). */
function canonical(v: any): any {
  if (Array.isArray(v)) return v.map(canonical);
  if (v instanceof Map) {
    const entries = Array.from(v.entries()).map(([k, x]) => ({ k, kb: Buffer.from(encoder.encode(k)), x: canonical(x) }));
    entries.sort((a, b) => Buffer.compare(a.kb, b.kb));
    for (let i = 1; i < entries.length; i++) {
      if (Buffer.compare(entries[i - 1].kb, entries[i].kb) === 0) throw new Error(`duplicate map key ${String(entries[i].k)}`);
    }
    return new Map(entries.map((e) => [e.k, e.x] as [any, any]));
  }
  return v;
}

/** Deterministic CBOR encoding of a QG1 value (definite lengths, shortest heads, sorted map keys). */
export function encodeCbor(v: CborValue): Uint8Array {
  checkCborValue(v);
  return new Uint8Array(encoder.encode(canonical(v)));
}

/** A strict well-formedness check (no cbor-x involved): returns the first problem, or null. Rejects
 *  what spec/qg1.md section 1 calls malformed at the CBOR level: trailing bytes, indefinite lengths,
 *  non-shortest heads, duplicate map keys, floats and simple values other than false/true/null, tags
 *  (tag 18 allowed only at the very top when `allowTopTag18`), nesting deeper than `maxDepth`. */
export function cborProblem(bytes: Uint8Array, opts: { allowTopTag18?: boolean; maxDepth?: number } = {}): string | null {
  const maxDepth = opts.maxDepth === undefined ? 64 : opts.maxDepth;
  let pos = 0;
  function fail(msg: string): never {
    throw new Error(`${msg} at byte ${pos}`);
  }
  function head(): { major: number; value: number } {
    if (pos >= bytes.length) fail('truncated');
    const ib = bytes[pos++];
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai < 24) return { major, value: ai };
    if (ai === 31) fail('indefinite length');
    if (ai > 27) fail('reserved additional information');
    const n = 1 << (ai - 24);
    if (major === 7) fail(n === 1 ? 'simple value' : 'floating-point value');
    if (pos + n > bytes.length) fail('truncated');
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 256 + bytes[pos + i];
    pos += n;
    const min = n === 1 ? 24 : n === 2 ? 256 : n === 4 ? 65536 : U32;
    if (value < min) fail('non-shortest head');
    return { major, value };
  }
  function item(depth: number, top: boolean): void {
    const start = pos;
    const h = head();
    switch (h.major) {
      case 0: case 1: return;
      case 2: case 3:
        if (pos + h.value > bytes.length) fail('truncated string');
        pos += h.value;
        return;
      case 4:
        if (depth + 1 > maxDepth) fail(`nesting deeper than ${maxDepth}`);
        for (let i = 0; i < h.value; i++) item(depth + 1, false);
        return;
      case 5: {
        if (depth + 1 > maxDepth) fail(`nesting deeper than ${maxDepth}`);
        const seen: { [hex: string]: boolean } = {};
        for (let i = 0; i < h.value; i++) {
          const ks = pos;
          item(depth + 1, false);
          const key = Buffer.from(bytes.subarray(ks, pos)).toString('hex');
          if (seen[key]) fail('duplicate map key');
          seen[key] = true;
          item(depth + 1, false);
        }
        return;
      }
      case 6:
        if (!(top && opts.allowTopTag18 && h.value === 18)) { pos = start; fail(`tag ${h.value}`); }
        item(depth, false);
        return;
      case 7:
        if (h.value < 20 || h.value > 22) fail(`simple value ${h.value}`);
        return;
    }
  }
  try {
    item(0, true);
    if (pos !== bytes.length) fail('trailing bytes');
    return null;
  } catch (e: any) {
    return e.message;
  }
}

/** Decodes one CBOR item with cbor-x (maps as Map, byte strings as Buffer); no strictness. */
export function decodeCbor(bytes: Uint8Array): any {
  return decoder.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

// ---------------------------------------------------------------------------------------------
// base45, RFC 9285 (host implementation, independent of proto/base45.ts)

export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export function base45Encode(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    let n = b[i] * 256 + b[i + 1];
    const c = n % 45; n = (n - c) / 45;
    const d = n % 45; const e = (n - d) / 45;
    out += BASE45_ALPHABET[c] + BASE45_ALPHABET[d] + BASE45_ALPHABET[e];
  }
  if (b.length % 2 === 1) {
    const n = b[b.length - 1];
    out += BASE45_ALPHABET[n % 45] + BASE45_ALPHABET[Math.floor(n / 45)];
  }
  return out;
}

export function base45Decode(s: string): Uint8Array {
  if (s.length % 3 === 1) throw new Error('base45: length leaves a single character');
  const v: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const x = BASE45_ALPHABET.indexOf(s[i]);
    if (x < 0) throw new Error(`base45: character ${JSON.stringify(s[i])} at ${i}`);
    v.push(x);
  }
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 3) {
    if (i + 2 < v.length) {
      const n = v[i] + v[i + 1] * 45 + v[i + 2] * 2025;
      if (n > 0xffff) throw new Error(`base45: triple at ${i} is ${n} > 65535`);
      out.push(n >> 8, n & 255);
    } else {
      const n = v[i] + v[i + 1] * 45;
      if (n > 0xff) throw new Error(`base45: pair at ${i} is ${n} > 255`);
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

export function qg1Text(bytes: Uint8Array): string {
  return 'QG1:' + base45Encode(bytes);
}

export function qg1FromText(text: string): Uint8Array {
  if (!text.startsWith('QG1:')) throw new Error('not a QG1 text (no "QG1:" prefix)');
  return base45Decode(text.slice(4));
}

// ---------------------------------------------------------------------------------------------
// COSE_Sign1 (RFC 9052) as QG1 profiles it

export const ALG_EDDSA = -8;
export const MAX_MESSAGE = 512;

/** The protected header bytes: {1: alg, 4: kid}, deterministic. */
export function encodeProtected(kid: Uint8Array, alg = ALG_EDDSA): Uint8Array {
  return encodeCbor(new Map<number, CborValue>([[1, alg], [4, kid]]));
}

/** The bytes an Ed25519 signature covers: ["Signature1", protected, h'', payload]. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

export interface Sign1Options {
  /** wrap in tag 18 (default true) */
  tag?: boolean;
  /** the unprotected header (default empty map) */
  unprotected?: Map<number | string, CborValue>;
}

/** Assembles and signs a COSE_Sign1 from raw protected and payload bytes. No validation of the
 *  contents: the test fixtures use it to build deliberately malformed messages. */
export function sign1(protectedBytes: Uint8Array, payload: Uint8Array, key: KeyLike, opts: Sign1Options = {}): Uint8Array {
  const signature = sign(sigStructure(protectedBytes, payload), key);
  return assembleSign1(protectedBytes, payload, signature, opts);
}

/** A COSE_Sign1 from its four parts (signature given, e.g. tampered). */
export function assembleSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array, opts: Sign1Options = {}): Uint8Array {
  const body = encodeCbor([protectedBytes, opts.unprotected || new Map(), payload, signature]);
  if (opts.tag === false) return body;
  const out = new Uint8Array(body.length + 1);
  out[0] = 0xd2; // tag 18
  out.set(body, 1);
  return out;
}

export interface DecodedSign1 {
  tagged: boolean;
  protectedBytes: Uint8Array;
  protected: Map<any, any>;
  unprotected: Map<any, any>;
  payload: Uint8Array;
  signature: Uint8Array;
  alg: any;
  kid: Uint8Array;
}

/** Host decoding of a QG1-profile COSE_Sign1 (strictly well-formed, protected alg -8 and kid
 *  1..16 bytes, 64-byte signature, at most 512 bytes). Throws Error naming the problem. */
export function decodeSign1(bytes: Uint8Array, opts: { maxLength?: number } = {}): DecodedSign1 {
  const max = opts.maxLength === undefined ? MAX_MESSAGE : opts.maxLength;
  if (bytes.length > max) throw new Error(`message is ${bytes.length} bytes, over ${max}`);
  const p = cborProblem(bytes, { allowTopTag18: true, maxDepth: 4 });
  if (p) throw new Error(`COSE_Sign1: ${p}`);
  let v = decodeCbor(bytes);
  let tagged = false;
  if (v instanceof Tag) { tagged = true; v = v.value; }
  if (!Array.isArray(v) || v.length !== 4) throw new Error('COSE_Sign1: not an array of 4');
  const [pb, unprotected, payload, signature] = v;
  if (!(pb instanceof Uint8Array)) throw new Error('COSE_Sign1: protected is not a byte string');
  if (!(unprotected instanceof Map)) throw new Error('COSE_Sign1: unprotected is not a map');
  if (!(payload instanceof Uint8Array)) throw new Error('COSE_Sign1: payload is not a byte string');
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new Error('COSE_Sign1: signature is not 64 bytes');
  const pp = cborProblem(pb, { maxDepth: 4 });
  if (pp) throw new Error(`protected header: ${pp}`);
  const prot = decodeCbor(pb);
  if (!(prot instanceof Map)) throw new Error('protected header is not a map');
  if (prot.get(1) !== ALG_EDDSA) throw new Error('protected header: alg is not -8 (EdDSA)');
  const kid = prot.get(4);
  if (!(kid instanceof Uint8Array) || kid.length < 1 || kid.length > 16) throw new Error('protected header: kid is not 1..16 bytes');
  if (prot.has(2)) throw new Error('protected header: crit present');
  return {
    tagged, protectedBytes: new Uint8Array(pb), protected: prot, unprotected,
    payload: new Uint8Array(payload), signature: new Uint8Array(signature), alg: prot.get(1), kid: new Uint8Array(kid),
  };
}

/** tweetnacl verification of a decoded COSE_Sign1 (host cross-check, not the strict profile). */
export function verifySign1(d: DecodedSign1, publicKey: Uint8Array): boolean {
  return verify(sigStructure(d.protectedBytes, d.payload), d.signature, publicKey);
}

// ---------------------------------------------------------------------------------------------
// Certificates (section 2)

export const KINDS: { [name: string]: number } = { vaccination: 0, test: 1, recovery: 2, exemption: 3 };

export interface HealthClaim {
  sub: Uint8Array;
  kind: number;
  dose?: number;
  series?: number;
  /** days since 1970-01-01 */
  date: number;
  product?: string;
}

export interface Claims {
  iss?: string;
  exp: number;
  nbf?: number;
  iat: number;
  cti: Uint8Array;
  hc: HealthClaim;
}

function checkUint(v: any, name: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= U32) throw new CliError(`${name} must be an unsigned integer below 2^32 (got ${v})`);
}
function checkBytes(v: any, name: string, min: number, max: number): void {
  if (!(v instanceof Uint8Array)) throw new CliError(`${name} must be bytes`);
  if (v.length < min || v.length > max) throw new CliError(`${name} is ${v.length} bytes, must be ${min}..${max}`);
}
function checkText(v: any, name: string, max: number): void {
  if (typeof v !== 'string') throw new CliError(`${name} must be text`);
  const n = Buffer.byteLength(v, 'utf8');
  if (n > max) throw new CliError(`${name} is ${n} bytes as UTF-8, at most ${max}`);
}

/** Validates claims against spec/qg1.md section 2 (types and length limits). */
export function validateClaims(c: Claims): void {
  if (c.iss !== undefined) checkText(c.iss, 'iss', 64);
  checkUint(c.exp, 'exp');
  if (c.nbf !== undefined) checkUint(c.nbf, 'nbf');
  checkUint(c.iat, 'iat');
  checkBytes(c.cti, 'cti', 1, 16);
  if (!c.hc) throw new CliError('health claim missing');
  checkBytes(c.hc.sub, 'sub', 1, 32);
  checkUint(c.hc.kind, 'kind');
  if (c.hc.kind === 0) {
    checkUint(c.hc.dose, 'dose');
    checkUint(c.hc.series, 'series');
  } else {
    if (c.hc.dose !== undefined) checkUint(c.hc.dose, 'dose');
    if (c.hc.series !== undefined) checkUint(c.hc.series, 'series');
  }
  checkUint(c.hc.date, 'date');
  if (c.hc.product !== undefined) checkText(c.hc.product, 'product', 32);
}

/** The claims as the CBOR map of section 2 (no validation; `extra` entries are added as given). */
export function claimsMap(c: Claims, extra?: Map<number | string, CborValue>): Map<number | string, CborValue> {
  const hc = new Map<number, CborValue>([[1, c.hc.sub], [2, c.hc.kind]]);
  if (c.hc.dose !== undefined) hc.set(3, c.hc.dose);
  if (c.hc.series !== undefined) hc.set(4, c.hc.series);
  hc.set(5, c.hc.date);
  if (c.hc.product !== undefined) hc.set(6, c.hc.product);
  const m = new Map<number | string, CborValue>();
  if (c.iss !== undefined) m.set(1, c.iss);
  m.set(4, c.exp);
  if (c.nbf !== undefined) m.set(5, c.nbf);
  m.set(6, c.iat);
  m.set(7, c.cti);
  m.set(-100, hc);
  if (extra) extra.forEach((v, k) => m.set(k, v));
  return m;
}

export interface CertificateOptions extends Sign1Options {}

/**
 * A signed QG1 certificate: COSE_Sign1 with protected {1: -8, 4: kid}, the claims map as payload,
 * tag 18 unless `opts.tag === false`. `kid` defaults to the UTF-8 bytes of the key's JWK kid.
 * Throws CliError when a claim is out of the spec's limits or the result is over 512 bytes.
 */
export function encodeCertificate(claims: Claims, key: KeyLike, kid?: Uint8Array, opts: CertificateOptions = {}): Uint8Array {
  validateClaims(claims);
  const k = toKey(key);
  const kb = kid || kidBytesOf(k);
  checkBytes(kb, 'kid', 1, 16);
  const msg = sign1(encodeProtected(kb), encodeCbor(claimsMap(claims)), k, opts);
  if (msg.length > MAX_MESSAGE) throw new CliError(`certificate is ${msg.length} bytes, over the ${MAX_MESSAGE} a gate accepts`);
  return msg;
}

function getUint(m: Map<any, any>, k: number, name: string, required: boolean): number | undefined {
  const v = m.get(k);
  if (v === undefined) { if (required) throw new Error(`${name} missing`); return undefined; }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${name} is not an unsigned integer`);
  return v;
}
function getBytes(m: Map<any, any>, k: number, name: string, min: number, max: number, required: boolean): Uint8Array | undefined {
  const v = m.get(k);
  if (v === undefined) { if (required) throw new Error(`${name} missing`); return undefined; }
  if (!(v instanceof Uint8Array) || v.length < min || v.length > max) throw new Error(`${name} is not ${min}..${max} bytes`);
  return new Uint8Array(v);
}
function getText(m: Map<any, any>, k: number, name: string, max: number): string | undefined {
  const v = m.get(k);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || Buffer.byteLength(v, 'utf8') > max) throw new Error(`${name} is not text of at most ${max} bytes`);
  return v;
}

/** Host decoding of a certificate's claims payload (section 2 types and limits). */
export function decodeClaims(payload: Uint8Array): Claims {
  const p = cborProblem(payload, { maxDepth: 4 });
  if (p) throw new Error(`claims: ${p}`);
  const m = decodeCbor(payload);
  if (!(m instanceof Map)) throw new Error('claims: not a map');
  const hcm = m.get(-100);
  if (!(hcm instanceof Map)) throw new Error('hc missing or not a map');
  const kind = getUint(hcm, 2, 'kind', true) as number;
  const hc: HealthClaim = {
    sub: getBytes(hcm, 1, 'sub', 1, 32, true) as Uint8Array,
    kind,
    date: getUint(hcm, 5, 'date', true) as number,
  };
  const dose = getUint(hcm, 3, 'dose', kind === 0);
  if (dose !== undefined) hc.dose = dose;
  const series = getUint(hcm, 4, 'series', kind === 0);
  if (series !== undefined) hc.series = series;
  const product = getText(hcm, 6, 'product', 32);
  if (product !== undefined) hc.product = product;
  const c: Claims = {
    exp: getUint(m, 4, 'exp', true) as number,
    iat: getUint(m, 6, 'iat', true) as number,
    cti: getBytes(m, 7, 'cti', 1, 16, true) as Uint8Array,
    hc,
  };
  const iss = getText(m, 1, 'iss', 64);
  if (iss !== undefined) c.iss = iss;
  const nbf = getUint(m, 5, 'nbf', false);
  if (nbf !== undefined) c.nbf = nbf;
  return c;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date (UTC). */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new CliError(`not a date (YYYY-MM-DD): ${date}`);
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== +m[1] || back.getUTCMonth() !== +m[2] - 1 || back.getUTCDate() !== +m[3]) {
    throw new CliError(`not a calendar date: ${date}`);
  }
  if (ms < 0) throw new CliError(`date before 1970: ${date}`);
  return ms / 86400000;
}

export function dayToIso(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Trust bundles (section 3)

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
