// Oracle fuzz of the gate's decision (issue 17, "Done when"): mutated QG1 and DIVOC certificates are
// decided by the gate's own host decision code (firmware/decide.ts with the table-driven Ed25519
// verifier, trust bundles accepted by firmware/trust.ts, the repeat-visitor cache), and every
// `open` is checked by an INDEPENDENT oracle:
//   - QG1: base45, strict CBOR and COSE_Sign1 decoded by the host issuer code (tools/issuer/,
//     cbor-x; no device codec), the Sig_structure rebuilt by cbor-x, the signature checked by
//     node:crypto (OpenSSL) under the keys of the trust bundle as the host decodes it (its root
//     signature checked by node:crypto too), revocation by node:crypto SHA-256, and the key window,
//     nbf/exp/iat, staleness and the policy recomputed here from spec/qg1.md section 4;
//   - DIVOC: base64 and zip read with Node, the JSON canonicalized by npm jsonld (URDNA2015, the
//     stored contexts, safe mode), the JWS checked by node:crypto, and revocation, doses, dates and
//     issuanceDate read from the canonical N-Quads as SETS (every value of the shared predicates).
// An open the oracle cannot justify is a violation. Mutations: claim level (re-signed: doses,
// dates, kinds, revoked cti, missing or mistyped fields, unknown claims), CBOR level (duplicate
// keys, floats, tags, indefinite or non-shortest heads, deep nesting, huge integers), COSE level
// (kid, alg, crit, unprotected header, tag, array length, wrong signer, signature over other bytes,
// swapped parts), byte level (bit flips, bytes set, inserted, deleted, truncated, extended,
// spliced from another certificate), base45/text level; DIVOC at text, base64, zip and JSON level
// (values changed, swapped between fields, wrapped in arrays, duplicated keys, proof fields).
//
//   npx tsx test/system/decide-fuzz.ts [--count N] [--seed S] [--divoc-share F]   (make fuzz: 1,000,000)
//
// Prints progress lines and one summary JSON line (count, opens, rate in decisions/s, reasons,
// mutations, violations); exit status 1 on any violation. test/system/decide-fuzz.test.ts runs a few
// thousand decisions of the same fuzz inside `make test`.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { validateConfig, Policy, GateConfig } from '../../firmware/config';
import { acceptTrustBundle } from '../../firmware/trustcheck';
import { decide, Decision } from '../../firmware/decide';
import { VerifiedCache } from '../../firmware/cache';
import { tableVerifier } from '../../firmware/verifier';
import { verify as refVerify } from '../../firmware/crypto/ed25519';
import { sha256 as jsSha256 } from '../../firmware/crypto/sha256';
import { sha512 as jsSha512 } from '../../firmware/crypto/sha512';
import { TrustBundle as GateBundle } from '../../proto/trustbundle';
import { FlashStorage } from '../../hal/types';
import {
  base45Decode, base45Encode, decodeCbor, decodeTrustBundle, DecodedTrustBundle,
  encodeTrustBundle, sigStructure, TrustBundle as HostBundle, revocationPrefix as hostRevocationPrefix,
} from '../../tools/issuer';
import { readPrivateJwkFile, Ed25519Key } from '../../tools/keys';
import { divocDocumentLoader } from '../../tools/build/divoc-table';
import { DATA } from '../../tools/root';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const jsonld = require('jsonld');

const REPO = path.resolve(__dirname, '..', '..');
const FX = path.join(REPO, 'test', 'fixtures');
const DAY = 86400;
/** The oracle's clock-skew allowance for iat and test/recovery/exemption dates (README "Dates in the future"). */
const SKEW = 300;
const NOW0 = Date.parse('2021-09-27T08:00:00Z') / 1000;
const TODAY0 = Math.floor(NOW0 / DAY);

// ------------------------------------------------------------------------------ random numbers

/** A small seeded generator (mulberry32): every run of a seed makes the same cases. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(a: T[]): T { return a[Math.floor(this.next() * a.length)]; }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.int(0, 255); return b; }
}

// ------------------------------------------------------------------------------ raw CBOR writer
// A tree written exactly as given (maps as lists of pairs, so duplicates, any order), with knobs
// for malformed forms. Independent of proto/cbor.ts and of cbor-x.

type Raw =
  | { t: 'u'; v: number; w?: number } // unsigned (w: force head width 1/2/4/8 bytes)
  | { t: 'n'; v: number } // negative: -1 - v
  | { t: 'b'; v: Uint8Array; indef?: boolean }
  | { t: 's'; v: string }
  | { t: 'a'; v: Raw[]; indef?: boolean }
  | { t: 'm'; v: [Raw, Raw][]; indef?: boolean }
  | { t: 'tag'; tag: number; v: Raw }
  | { t: 'f64'; v: number }
  | { t: 'simple'; v: number }
  | { t: 'raw'; v: Uint8Array };

function headBytes(major: number, n: number, w?: number): number[] {
  const width = w !== undefined ? w : n < 24 ? 0 : n < 256 ? 1 : n < 65536 ? 2 : n < 4294967296 ? 4 : 8;
  if (width === 0) return [(major << 5) | n];
  const out = [(major << 5) | (width === 1 ? 24 : width === 2 ? 25 : width === 4 ? 26 : 27)];
  let x = BigInt(Math.floor(n));
  const bs: number[] = [];
  for (let i = 0; i < width; i++) { bs.unshift(Number(x & 255n)); x >>= 8n; }
  return out.concat(bs);
}

function writeRaw(r: Raw, out: number[]): void {
  switch (r.t) {
    case 'u': out.push(...headBytes(0, r.v, r.w)); return;
    case 'n': out.push(...headBytes(1, r.v)); return;
    case 'b':
      if (r.indef) { out.push(0x5f, ...headBytes(2, r.v.length), ...r.v, 0xff); return; }
      out.push(...headBytes(2, r.v.length), ...r.v); return;
    case 's': { const b = Buffer.from(r.v, 'utf8'); out.push(...headBytes(3, b.length), ...b); return; }
    case 'a':
      out.push(...(r.indef ? [0x9f] : headBytes(4, r.v.length)));
      for (const x of r.v) writeRaw(x, out);
      if (r.indef) out.push(0xff);
      return;
    case 'm':
      out.push(...(r.indef ? [0xbf] : headBytes(5, r.v.length)));
      for (const [k, v] of r.v) { writeRaw(k, out); writeRaw(v, out); }
      if (r.indef) out.push(0xff);
      return;
    case 'tag': out.push(...headBytes(6, r.tag)); writeRaw(r.v, out); return;
    case 'f64': { const b = Buffer.alloc(9); b[0] = 0xfb; b.writeDoubleBE(r.v, 1); out.push(...b); return; }
    case 'simple': out.push(0xe0 | r.v); return;
    case 'raw': out.push(...r.v); return;
  }
}
function enc(r: Raw): Uint8Array { const out: number[] = []; writeRaw(r, out); return new Uint8Array(out); }
const U = (v: number): Raw => ({ t: 'u', v });
const I = (v: number): Raw => (v >= 0 ? { t: 'u', v } : { t: 'n', v: -1 - v });
const B = (v: Uint8Array): Raw => ({ t: 'b', v });
const S = (v: string): Raw => ({ t: 's', v });
const M = (v: [Raw, Raw][]): Raw => ({ t: 'm', v });

// ------------------------------------------------------------------------------ keys and bundles

interface Signer { name: string; kid: Uint8Array; key: crypto.KeyObject; pub: Uint8Array }

function signerOf(k: Ed25519Key): Signer {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(k.seed as Uint8Array)]);
  return { name: k.kid, kid: new Uint8Array(Buffer.from(k.kid, 'utf8')), key: crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), pub: k.publicKey };
}
function nodeSign(s: Signer, msg: Uint8Array): Uint8Array { return new Uint8Array(crypto.sign(null, msg, s.key)); }
const pubKeyObjects: { [hex: string]: crypto.KeyObject } = {};
function nodeVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pub.length !== 32 || sig.length !== 64) return false;
  const hex = Buffer.from(pub).toString('hex');
  let k = pubKeyObjects[hex];
  if (!k) {
    k = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pub)]), format: 'der', type: 'spki' });
    pubKeyObjects[hex] = k;
  }
  try { return crypto.verify(null, msg, k, sig); } catch (e) { return false; }
}
const sha256n = (b: Uint8Array | string): Buffer => crypto.createHash('sha256').update(b).digest();
const fixtureId = (label: string): Uint8Array => new Uint8Array(sha256n('qrgate fixture id: ' + label).subarray(0, 16));

/** A gate's view (accepted by the gate's code) and the oracle's view (host decoding) of one bundle. */
interface Bundle {
  name: string;
  gate: GateBundle;
  oracle: DecodedTrustBundle;
  revokedHex: Set<string>;
  verify: (p: Uint8Array, m: Uint8Array, s: Uint8Array) => boolean;
  cache: VerifiedCache;
}

class MemStorage implements FlashStorage {
  files: { [n: string]: Uint8Array } = {};
  readBytes(n: string) { return this.files[n]; }
  readText(n: string) { const b = this.files[n]; return b ? Buffer.from(b).toString('latin1') : undefined; }
  write(n: string, d: Uint8Array | string, offset = 0, size?: number) {
    const b = typeof d === 'string' ? new Uint8Array(Buffer.from(d, 'latin1')) : d;
    const cur = this.files[n] || new Uint8Array(size || offset + b.length);
    const out = cur.length >= offset + b.length ? cur : (() => { const x = new Uint8Array(offset + b.length); x.set(cur); return x; })();
    out.set(b, offset);
    this.files[n] = out;
  }
  erase(n: string) { delete this.files[n]; }
  list(prefix?: string) { return Object.keys(this.files).filter((n) => !prefix || n.indexOf(prefix) === 0); }
  getFree() { return 1 << 20; }
}

function loadBundle(name: string, bytes: Uint8Array, cfg: GateConfig): Bundle {
  const t = acceptTrustBundle(bytes, cfg.rootKeys, -1, (p, m, s) => refVerify(p, m, s));
  if (!t.bundle) throw new Error(`${name}: the gate refuses it: ${t.detail}`);
  const oracle = decodeTrustBundle(bytes);
  const rootOk = cfg.rootKeys.some((r) => nodeVerify(r.key, sigStructure(oracle.sign1.protectedBytes, oracle.sign1.payload), oracle.sign1.signature));
  if (!rootOk) throw new Error(`${name}: the oracle finds no root signature`);
  // The verifier an ESP32 runs: tables in flash (made here by the same device code).
  const tv = tableVerifier({ storage: new MemStorage(), sha256: jsSha256, sha512: jsSha512, maxKeyTables: 8 });
  tv.setKeys(t.bundle);
  return {
    name, gate: t.bundle, oracle, verify: tv.verify, cache: new VerifiedCache(16),
    revokedHex: new Set(oracle.revoked.map((r) => Buffer.from(r).toString('hex'))),
  };
}

// ------------------------------------------------------------------------------ the oracle

export interface OracleVerdict { open: boolean; why: string }
const NO = (why: string): OracleVerdict => ({ open: false, why });

function kidEquals(k: Uint8Array | string, kid: Uint8Array): boolean {
  const kb = typeof k === 'string' ? Buffer.from(k, 'utf8') : Buffer.from(k);
  return kb.equals(Buffer.from(kid));
}
function num(v: any): number | undefined {
  if (typeof v === 'bigint') return v >= 0n ? Number(v) : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return undefined;
}

/** The time, revocation, staleness and policy checks shared by both formats (spec/qg1.md 4). */
function laterChecks(b: Bundle, key: { nbf?: number; exp?: number }, kid: Uint8Array, ids: Uint8Array[], now: number,
  c: { nbf?: number; exp?: number; iat: number; kind: number; dose?: number; date: number }, pol: Policy): OracleVerdict {
  if (key.nbf !== undefined && now < key.nbf) return NO('key not yet valid');
  if (key.exp !== undefined && now >= key.exp) return NO('key expired');
  if (c.nbf !== undefined && now < c.nbf) return NO('nbf');
  if (c.exp !== undefined && now >= c.exp) return NO('exp');
  if (c.iat > now + SKEW) return NO('iat in the future');
  for (const id of ids) if (b.revokedHex.has(Buffer.from(hostRevocationPrefix(kid, id)).toString('hex'))) return NO('revoked');
  if (b.oracle.maxAge !== undefined && now > b.oracle.iat + b.oracle.maxAge) return NO('stale trust');
  const day0 = c.date * DAY;
  switch (c.kind) {
    case 0: return (c.dose || 0) >= pol.minDoses && now >= day0 + pol.daysAfterLastDose * DAY ? { open: true, why: 'vaccination' } : NO('policy');
    case 1: return now + SKEW >= day0 && now < day0 + pol.testValidHours * 3600 ? { open: true, why: 'test' } : NO('policy');
    case 2: return now + SKEW >= day0 && now < day0 + pol.recoveryValidDays * DAY ? { open: true, why: 'recovery' } : NO('policy');
    case 3: return pol.acceptExemptions && now + SKEW >= day0 ? { open: true, why: 'exemption' } : NO('policy');
  }
  return NO('unknown kind');
}

/**
 * What spec/qg1.md section 1 calls malformed at the CBOR level, checked here (not by cbor-x, not by
 * proto/cbor.ts): trailing bytes, indefinite lengths, duplicate map keys, floats and simple values
 * other than false/true/null, tags (18 only at the top when allowed), nesting deeper than 4. A
 * head that is not the shortest is NOT listed there, so it is allowed. Returns a problem or null.
 */
export function specCborProblem(bytes: Uint8Array, allowTopTag18: boolean): string | null {
  let pos = 0;
  const fail = (m: string): never => { throw new Error(m + ' at ' + pos); };
  const head = () => {
    if (pos >= bytes.length) fail('truncated');
    const ib = bytes[pos++]; const major = ib >> 5; const ai = ib & 31;
    if (ai < 24) return { major, value: ai };
    if (ai === 31) fail('indefinite');
    if (ai > 27) fail('reserved');
    const n = 1 << (ai - 24);
    if (major === 7) fail('float');
    if (pos + n > bytes.length) fail('truncated');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + bytes[pos + i];
    pos += n;
    return { major, value: v };
  };
  const item = (depth: number, top: boolean): void => {
    const h = head();
    switch (h.major) {
      case 0: case 1: return;
      case 2: case 3: if (pos + h.value > bytes.length) fail('truncated'); pos += h.value; return;
      case 4: if (depth + 1 > 4) fail('deep'); for (let i = 0; i < h.value; i++) item(depth + 1, false); return;
      case 5: {
        if (depth + 1 > 4) fail('deep');
        const seen = new Set<string>();
        for (let i = 0; i < h.value; i++) {
          const ks = pos; item(depth + 1, false);
          // duplicate keys by value: the same integer or text however its head is written
          const key = JSON.stringify(keyValue(decodeCbor(bytes.subarray(ks, pos))));
          if (seen.has(key)) fail('duplicate key');
          seen.add(key);
          item(depth + 1, false);
        }
        return;
      }
      case 6: if (!(top && allowTopTag18 && h.value === 18)) fail('tag'); item(depth, false); return;
      case 7: if (h.value < 20 || h.value > 22) fail('simple'); return;
    }
  };
  try { item(0, true); if (pos !== bytes.length) fail('trailing'); return null; } catch (e: any) { return e.message; }
}
function keyValue(k: any): any {
  if (typeof k === 'bigint') return 'n' + k.toString();
  if (typeof k === 'number') return 'n' + k;
  if (k instanceof Uint8Array) return 'b' + Buffer.from(k).toString('hex');
  return ['x', k];
}

/** The four parts of a QG1 COSE_Sign1 by the oracle's reading (spec/qg1.md section 1), or a problem. */
function oracleSign1(bytes: Uint8Array): { prot: Uint8Array; payload: Uint8Array; sig: Uint8Array; kid: Uint8Array } | string {
  if (bytes.length > 512) return 'over 512 bytes';
  const p = specCborProblem(bytes, true);
  if (p) return 'COSE: ' + p;
  let v = decodeCbor(bytes);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v) && 'tag' in v && 'value' in v) v = v.value;
  if (!Array.isArray(v) || v.length !== 4) return 'not an array of 4';
  const [pb, un, payload, sig] = v;
  if (!(pb instanceof Uint8Array) || !(un instanceof Map) || !(payload instanceof Uint8Array) || !(sig instanceof Uint8Array) || sig.length !== 64) return 'parts';
  const pp = specCborProblem(pb, false);
  if (pp) return 'protected: ' + pp;
  const prot = decodeCbor(pb);
  if (!(prot instanceof Map)) return 'protected not a map';
  const alg = prot.get(1);
  if (!(alg === -8 || alg === -8n)) return 'alg';
  const kid = prot.get(4);
  if (!(kid instanceof Uint8Array) || kid.length < 1 || kid.length > 16) return 'kid';
  if (prot.has(2)) return 'crit';
  const pl = specCborProblem(payload, false);
  if (pl) return 'payload: ' + pl;
  return { prot: new Uint8Array(pb), payload: new Uint8Array(payload), sig: new Uint8Array(sig), kid: new Uint8Array(kid) };
}

/** Whether spec/qg1.md allows `open` for this QG1 text, by the host's own reading. */
export function oracleQg1(text: string, now: number | null, b: Bundle, pol: Policy): OracleVerdict {
  if (now === null) return NO('clock unset');
  if (text.substr(0, 4) !== 'QG1:') return NO('not QG1');
  let bytes: Uint8Array;
  try { bytes = base45Decode(text.substr(4)); } catch (e: any) { return NO('base45: ' + e.message); }
  const d = oracleSign1(bytes);
  if (typeof d === 'string') return NO('malformed: ' + d);
  const m = decodeCbor(d.payload);
  if (!(m instanceof Map)) return NO('payload not a map');
  const hc = m.get(-100);
  if (!(hc instanceof Map)) return NO('hc');
  const exp = num(m.get(4)); const iat = num(m.get(6)); const nbfV = m.get(5); const nbf = num(nbfV);
  const cti = m.get(7); const sub = hc.get(1); const kind = num(hc.get(2)); const date = num(hc.get(5));
  if (exp === undefined || iat === undefined || kind === undefined || date === undefined) return NO('claim missing or mistyped');
  if (nbfV !== undefined && nbf === undefined) return NO('nbf mistyped');
  if (!(cti instanceof Uint8Array) || cti.length < 1 || cti.length > 16) return NO('cti');
  if (!(sub instanceof Uint8Array) || sub.length < 1 || sub.length > 32) return NO('sub');
  const doseV = hc.get(3); const dose = num(doseV); const seriesV = hc.get(4);
  if (kind === 0 && (dose === undefined || num(seriesV) === undefined)) return NO('dose/series');
  if ((doseV !== undefined && dose === undefined) || (seriesV !== undefined && num(seriesV) === undefined)) return NO('dose/series type');
  const iss = m.get(1); const product = hc.get(6);
  if (iss !== undefined && (typeof iss !== 'string' || Buffer.byteLength(iss) > 64)) return NO('iss');
  if (product !== undefined && (typeof product !== 'string' || Buffer.byteLength(product) > 32)) return NO('product');
  const msg = sigStructure(d.prot, d.payload);
  const key = b.oracle.keys.find((k) => k.format === 'qg1' && k.alg === -8 && kidEquals(k.kid, d.kid) && nodeVerify(k.key, msg, d.sig));
  if (!key) return NO('no trusted key verifies it');
  return laterChecks(b, key, d.kid, [cti], now, { nbf, exp, iat, kind, dose, date }, pol);
}

/** Predicates (IRIs) of the DIVOC fields, found in the N-Quads of a marked document. */
interface DivocPredicates { id: string[]; dose: string[]; date: string[]; issued: string[] }
let PRED: DivocPredicates | null = null;

function quads(nq: string): { p: string; lit: string | null }[] {
  const out: { p: string; lit: string | null }[] = [];
  for (const line of nq.split('\n')) {
    if (!line) continue;
    const m = /^(\S+) <([^>]*)> (.*) \.$/.exec(line);
    if (!m) continue;
    const lm = /^"((?:[^"\\]|\\.)*)"/.exec(m[3]);
    out.push({ p: m[2], lit: lm ? JSON.parse('"' + lm[1] + '"') : null });
  }
  return out;
}

export const divocLoader = divocDocumentLoader();
async function canon(doc: any): Promise<string> {
  return jsonld.canonize(doc, { algorithm: 'URDNA2015', format: 'application/n-quads', documentLoader: divocLoader, safe: true });
}

async function findPredicates(sample: any): Promise<DivocPredicates> {
  const d = JSON.parse(JSON.stringify(sample));
  delete d.proof;
  const ev = d.evidence[0];
  ev.certificateId = 'MARK-ID'; ev.dose = 7; ev.totalDoses = 8;
  ev.date = '2031-03-04T00:00:00.000Z'; d.issuanceDate = '2032-05-06T00:00:00.000Z';
  const q = quads(await canon(d));
  const preds = (f: (l: string) => boolean) => Array.from(new Set(q.filter((x) => x.lit !== null && f(x.lit)).map((x) => x.p)));
  const p = {
    id: preds((l) => l === 'MARK-ID'), dose: preds((l) => l === '7' || l === '8'),
    date: preds((l) => l.indexOf('2031-03-04') === 0), issued: preds((l) => l.indexOf('2032-05-06') === 0),
  };
  for (const k of Object.keys(p)) if ((p as any)[k].length === 0) throw new Error('DIVOC oracle: no predicate for ' + k);
  return p;
}

function unzipLocal(z: Buffer): Buffer {
  if (z.length < 30 || z.readUInt32LE(0) !== 0x04034b50) throw new Error('no local header');
  const method = z.readUInt16LE(8); const csize = z.readUInt32LE(18); const usize = z.readUInt32LE(22);
  const nlen = z.readUInt16LE(26); const xlen = z.readUInt16LE(28);
  if (z.toString('latin1', 30, 30 + nlen) !== 'certificate.json') throw new Error('entry name');
  const data = z.subarray(30 + nlen + xlen, 30 + nlen + xlen + csize);
  const out = method === 8 ? zlib.inflateRawSync(data) : method === 0 ? data : null;
  if (!out || out.length !== usize) throw new Error('entry data');
  return out;
}

const divocOracleCache = new Map<string, any>();

/** Whether an `open` is justified for this DIVOC text, by jsonld and node:crypto. */
export async function oracleDivoc(text: string, now: number | null, b: Bundle, pol: Policy): Promise<OracleVerdict> {
  if (now === null) return NO('clock unset');
  if (text.substr(0, 4) !== 'B64:') return NO('not B64');
  const b64 = text.substr(4);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return NO('base64');
  let doc: any; let key: string;
  try {
    const json = unzipLocal(Buffer.from(b64, 'base64')).toString('utf8');
    doc = JSON.parse(json);
    key = JSON.stringify(doc);
  } catch (e: any) { return NO('unreadable: ' + e.message); }
  let r: any = divocOracleCache.get(key);
  if (!r) {
    r = await divocRead(doc, b);
    divocOracleCache.set(key, r);
  }
  if (!r.ok) return NO(r.why);
  const ids = (r.ids as string[]).map((s) => new Uint8Array(Buffer.from(s, 'utf8')));
  const kid = r.kid as Uint8Array;
  const keys = b.oracle.keys.filter((k) => k.format === 'divoc' && k.alg === -8 && kidEquals(k.kid, kid));
  // the key that verified (divocRead checked the signature against each trusted divoc key)
  const k = keys.find((x) => Buffer.from(x.key).toString('hex') === (r as any).keyHex);
  if (!k) return NO('no trusted key verifies it');
  return laterChecks(b, k, kid, ids, now, { iat: r.iat as number, kind: 0, dose: r.dose, date: r.day as number }, pol);
}

async function divocRead(doc: any, b: Bundle): Promise<any> {
  try {
    const P = PRED as DivocPredicates;
    if (!doc || typeof doc !== 'object' || !doc.proof || typeof doc.proof !== 'object') return { ok: false, why: 'no proof' };
    const proof = doc.proof;
    if (proof.type !== 'Ed25519Signature2018' || typeof proof.jws !== 'string' || typeof proof.verificationMethod !== 'string') return { ok: false, why: 'proof' };
    const parts = proof.jws.split('.');
    if (parts.length !== 3 || parts[1] !== '') return { ok: false, why: 'jws form' };
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== 'EdDSA' || header.b64 !== false || !Array.isArray(header.crit) || header.crit.length !== 1 || header.crit[0] !== 'b64') return { ok: false, why: 'jws header' };
    const sig = Buffer.from(parts[2], 'base64url');
    const body = JSON.parse(JSON.stringify(doc)); delete body.proof;
    const options = Object.assign({ '@context': 'https://w3id.org/security/v2' }, proof); delete options.jws;
    const nq = await canon(body);
    const data = Buffer.concat([Buffer.from(parts[0] + '.'), sha256n(await canon(options)), sha256n(nq)]);
    const kid = new Uint8Array(Buffer.from(proof.verificationMethod, 'utf8'));
    const k = b.oracle.keys.find((x) => x.format === 'divoc' && x.alg === -8 && kidEquals(x.kid, kid) && nodeVerify(x.key, data, sig));
    if (!k) return { ok: false, why: 'no trusted key verifies it' };
    // Read as sets: every value of each field's predicate.
    const q = quads(nq);
    const vals = (ps: string[]) => q.filter((x) => x.lit !== null && ps.indexOf(x.p) >= 0).map((x) => x.lit as string);
    const doses = vals(P.dose).map(Number);
    const days = vals(P.date).map((s) => Math.floor(Date.parse(s.length === 10 ? s + 'T00:00:00Z' : s) / 86400000));
    const issued = vals(P.issued).map((s) => Date.parse(s) / 1000);
    if (!doses.length || !days.length || !issued.length || doses.some(isNaN) || days.some(isNaN) || issued.some(isNaN)) return { ok: false, why: 'claims' };
    return {
      ok: true, why: '', kid, keyHex: Buffer.from(k.key).toString('hex'), ids: vals(P.id),
      dose: Math.min(...doses), day: Math.max(...days), iat: Math.max(...issued),
    };
  } catch (e: any) {
    return { ok: false, why: 'oracle cannot read it: ' + (e && e.message) };
  }
}

// ------------------------------------------------------------------------------ QG1 cases

interface Setup {
  signers: Signer[]; trustedSigner: Signer; cfg: GateConfig; bundles: Bundle[];
  revokedCtis: Uint8Array[]; divoc: DivocPool;
}

/** A QG1 certificate as parts, for mutation before assembly. */
interface Qg1Parts {
  claims: [Raw, Raw][];
  hc: [Raw, Raw][];
  prot: [Raw, Raw][];
  unprot: [Raw, Raw][];
  signer: Signer;
  tag: boolean;
}

function randomParts(r: Rng, s: Setup): Qg1Parts {
  const kind = r.pick([0, 0, 0, 0, 1, 1, 2, 2, 3, 4]);
  const iat = NOW0 + r.pick([-400 * DAY, -30 * DAY, -DAY, 0, SKEW, SKEW + 1, DAY, r.int(-500, 500) * DAY]) + r.int(-3, 3) * r.int(0, 1);
  const exp = r.chance(0.1) ? NOW0 + r.int(-600, 600) : iat + r.pick([DAY, 30 * DAY, 365 * DAY, 5000 * DAY]);
  const date = TODAY0 + r.pick([0, -1, 1, -14, -13, -15, -180, -179, r.int(-400, 40)]);
  const cti = r.chance(0.15) ? r.pick(s.revokedCtis) : r.bytes(r.int(1, 16));
  const claims: [Raw, Raw][] = [];
  if (r.chance(0.7)) claims.push([U(1), S('fuzz issuer')]);
  claims.push([U(4), U(exp)]);
  if (r.chance(0.3)) claims.push([U(5), U(NOW0 + r.pick([-DAY, 0, 1, 60, DAY, r.int(-100, 100) * DAY]))]);
  claims.push([U(6), U(iat)], [U(7), B(cti)]);
  const hc: [Raw, Raw][] = [[U(1), B(r.bytes(r.int(1, 32)))], [U(2), U(kind)]];
  if (kind === 0 || r.chance(0.2)) hc.push([U(3), U(r.pick([0, 1, 2, 2, 3, 4]))], [U(4), U(r.pick([1, 2, 2, 3]))]);
  hc.push([U(5), U(date)]);
  if (r.chance(0.3)) hc.push([U(6), S('COMIRNATY')]);
  const signer = r.chance(0.8) ? s.trustedSigner : r.pick(s.signers);
  return { claims, hc, prot: [[U(1), I(-8)], [U(4), B(signer.kid)]], unprot: [], signer, tag: r.chance(0.8) };
}

const RAW_VALUES = (r: Rng): Raw => r.pick<() => Raw>([
  () => U(r.int(0, 30)), () => I(-r.int(1, 1000)), () => S('x'), () => B(r.bytes(r.int(0, 20))),
  () => ({ t: 'f64', v: NOW0 + DAY }), () => ({ t: 'simple', v: r.pick([20, 21, 22, 23]) }), () => M([]),
  () => ({ t: 'a', v: [U(1)] }), () => ({ t: 'u', v: 2 ** 32 + r.int(0, 5), w: 8 }), () => ({ t: 'u', v: Number.MAX_SAFE_INTEGER, w: 8 }),
  () => ({ t: 'u', v: 2, w: r.pick([1, 2, 4, 8]) }), () => ({ t: 'tag', tag: 1, v: U(NOW0) }),
])();

/** Claim- and CBOR-level changes (the certificate is signed after them). */
function mutateClaims(r: Rng, p: Qg1Parts, tags: string[]): void {
  const lists = [p.claims, p.hc];
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    const l = r.pick(lists);
    const op = r.int(0, 13);
    const at = r.int(0, Math.max(0, l.length - 1));
    switch (op) {
      case 0: if (l.length) { l.splice(at, 1); tags.push('claim-drop'); } break;
      case 1: if (l.length) { l.push([l[at][0], RAW_VALUES(r)]); tags.push('claim-dup-key'); } break;
      case 2: if (l.length) { l[at] = [l[at][0], RAW_VALUES(r)]; tags.push('claim-retype'); } break;
      case 3: l.push([r.chance(0.5) ? U(r.int(8, 200)) : I(-r.int(1, 300)), RAW_VALUES(r)]); tags.push('claim-unknown'); break;
      case 4: { // numbers moved a little: boundaries
        const k = l[at]; if (k && k[1].t === 'u') { l[at] = [k[0], U(Math.max(0, (k[1] as any).v + r.pick([-DAY, -1, 1, DAY, -SKEW, SKEW])))]; tags.push('claim-nudge'); }
        break;
      }
      case 5: { const a = r.int(0, l.length - 1); const b2 = r.int(0, l.length - 1); if (l.length > 1) { const t = l[a][1]; l[a] = [l[a][0], l[b2][1]]; l[b2] = [l[b2][0], t]; tags.push('claim-swap-values'); } break; }
      case 6: if (l.length > 1) { l.reverse(); tags.push('claim-reorder'); } break;
      case 7: { const k = l[at]; if (k && k[1].t === 'u') { l[at] = [k[0], { t: 'u', v: (k[1] as any).v, w: 8 }]; tags.push('cbor-long-head'); } break; }
      case 8: { const k = l[at]; if (k) { l[at] = [k[0], { t: 'f64', v: (k[1] as any).v || 0 }]; tags.push('cbor-float'); } break; }
      case 9: { const k = l[at]; if (k) { l[at] = [k[0], { t: 'tag', tag: r.pick([0, 1, 18, 24]), v: k[1] }]; tags.push('cbor-tag'); } break; }
      case 10: (p as any).indef = r.pick(['claims', 'hc']); tags.push('cbor-indefinite'); break;
      case 11: l.push([U(99), { t: 'a', v: [{ t: 'a', v: [{ t: 'a', v: [{ t: 'a', v: [U(1)] }] }] }] }]); tags.push('cbor-deep'); break;
      case 12: { const k = l[at]; if (k && k[1].t === 'u') { l[at] = [k[0], r.chance(0.5) ? { t: 'u', v: 2 ** 53 + 2, w: 8 } : { t: 'u', v: 2 ** 63, w: 8 }]; tags.push('cbor-huge'); } break; }
      case 13: { const k = l[at]; if (k && k[1].t === 'u') { l[at] = [k[0], I(-1 - (k[1] as any).v)]; tags.push('claim-negative'); } break; }
    }
  }
}

function assemble(p: Qg1Parts, sigOver?: (prot: Uint8Array, payload: Uint8Array) => Uint8Array, tags?: string[]):
  { bytes: Uint8Array; prot: Uint8Array; payload: Uint8Array; sig: Uint8Array } {
  const indef = (p as any).indef;
  const hcRaw: Raw = { t: 'm', v: p.hc, indef: indef === 'hc' };
  const payload = enc({ t: 'm', v: p.claims.concat([[I(-100), hcRaw]]), indef: indef === 'claims' });
  const prot = enc(M(p.prot));
  const tbs = sigOver ? sigOver(prot, payload) : sigStructure(prot, payload);
  const sig = nodeSign(p.signer, tbs);
  const body: Raw = { t: 'a', v: [B(prot), M(p.unprot), B(payload), B(sig)] };
  return { bytes: enc(p.tag ? { t: 'tag', tag: 18, v: body } : body), prot, payload, sig };
}

/** COSE-level changes: some before signing (signed), some after (unsigned). */
function coseMutation(r: Rng, p: Qg1Parts, s: Setup, tags: string[]): Uint8Array {
  const op = r.int(0, 15);
  const kids = [s.trustedSigner.kid, ...s.signers.map((x) => x.kid), new Uint8Array(Buffer.from('did:indonesia')), new Uint8Array(0), r.bytes(17)];
  switch (op) {
    case 0: p.prot = [[U(1), I(-8)], [U(4), B(r.pick(kids))]]; tags.push('cose-kid'); break;
    case 1: p.prot = [[U(1), r.pick([I(-7), I(-35), S('EdDSA'), I(8), U(0)])], [U(4), B(p.signer.kid)]]; tags.push('cose-alg'); break;
    case 2: p.prot = [[U(4), B(p.signer.kid)]]; p.unprot = [[U(1), I(-8)]]; tags.push('cose-alg-unprotected'); break;
    case 3: p.prot = [[U(1), I(-8)]]; p.unprot = [[U(4), B(p.signer.kid)]]; tags.push('cose-kid-unprotected'); break;
    case 4: p.prot.push([U(2), { t: 'a', v: [U(r.pick([1, 4, 99]))] }]); tags.push('cose-crit'); break;
    case 5: p.unprot = [[U(4), B(r.pick(kids))], [U(1), I(-7)]]; tags.push('cose-unprotected'); break;
    case 6: p.prot.push([U(4), B(r.pick(kids))]); tags.push('cose-dup-kid'); break;
    case 7: p.signer = r.pick(s.signers); tags.push('cose-wrong-signer'); break; // kid stays, another key signs
    case 8: { // signature over other bytes
      tags.push('cose-sig-other');
      const a = assemble(p, (prot, payload) => r.pick([
        () => enc({ t: 'a', v: [S('Signature'), B(prot), B(new Uint8Array(0)), B(payload)] }),
        () => enc({ t: 'a', v: [S('Signature1'), B(prot), B(new Uint8Array([1])), B(payload)] }),
        () => payload, () => enc({ t: 'a', v: [S('Signature1'), B(prot), B(new Uint8Array(0)), B(payload)] }),
      ])());
      return a.bytes;
    }
    case 9: { // array of 3 or 5
      const a = assemble(p);
      tags.push('cose-array-length');
      const items: Raw[] = [B(a.prot), M(p.unprot), B(a.payload), B(a.sig)];
      if (r.chance(0.5)) items.pop(); else items.push(U(0));
      return enc({ t: 'tag', tag: 18, v: { t: 'a', v: items } });
    }
    case 10: { const a = assemble(p); tags.push('cose-swap-parts'); return enc({ t: 'a', v: [B(a.payload), M([]), B(a.prot), B(a.sig)] }); }
    case 11: { const a = assemble(p); tags.push('cose-other-tag'); return enc({ t: 'tag', tag: r.pick([17, 98, 61, 96]), v: { t: 'a', v: [B(a.prot), M([]), B(a.payload), B(a.sig)] } }); }
    case 12: { const a = assemble(p); tags.push('cose-sig-length'); const sig = r.chance(0.5) ? a.sig.subarray(0, 63) : new Uint8Array([...a.sig, 0]); return enc({ t: 'a', v: [B(a.prot), M([]), B(a.payload), B(sig)] }); }
    case 13: { const a = assemble(p); tags.push('cose-protected-map-direct'); return enc({ t: 'a', v: [M(p.prot), M([]), B(a.payload), B(a.sig)] }); }
    case 14: { const a = assemble(p); tags.push('cose-indef-bstr'); return enc({ t: 'a', v: [B(a.prot), M([]), { t: 'b', v: a.payload, indef: true }, B(a.sig)] }); }
    case 15: { // signature of a valid certificate moved onto another payload
      const other = randomParts(r, s); other.signer = s.trustedSigner; other.prot = p.prot;
      const a = assemble(p); const o = assemble(other);
      tags.push('cose-sig-transplant');
      return enc({ t: 'tag', tag: 18, v: { t: 'a', v: [B(a.prot), M([]), B(o.payload), B(a.sig)] } });
    }
  }
  return assemble(p).bytes;
}

function mutateBytes(r: Rng, b: Uint8Array, pool: Uint8Array[], tags: string[]): Uint8Array {
  const a = Array.from(b);
  const n = r.chance(0.7) ? 1 : r.int(2, 6);
  for (let i = 0; i < n; i++) {
    const at = r.int(0, Math.max(0, a.length - 1));
    switch (r.int(0, 8)) {
      case 0: a[at] ^= 1 << r.int(0, 7); tags.push('byte-flip-bit'); break;
      case 1: a[at] = r.int(0, 255); tags.push('byte-set'); break;
      case 2: a.splice(at, 0, r.int(0, 255)); tags.push('byte-insert'); break;
      case 3: a.splice(at, r.int(1, 4)); tags.push('byte-delete'); break;
      case 4: a.length = r.int(0, a.length); tags.push('byte-truncate'); break;
      case 5: a.push(...Array.from(r.bytes(r.int(1, 8)))); tags.push('byte-extend'); break;
      case 6: { const len = r.int(1, 16); a.splice(at, 0, ...a.slice(at, at + len)); tags.push('byte-duplicate'); break; }
      case 7: { const o = r.pick(pool); if (o) { const from = r.int(0, o.length - 1); const len = r.int(1, 40); a.splice(at, len, ...Array.from(o.subarray(from, from + len))); tags.push('byte-splice'); } break; }
      case 8: a[at] = r.pick([0x00, 0xff, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xf9, 0xfa, 0xfb, 0xd2, 0x1b]); tags.push('byte-special'); break;
    }
  }
  return new Uint8Array(a);
}

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
function mutateText(r: Rng, t: string, tags: string[]): string {
  const at = r.int(4, Math.max(4, t.length - 1));
  switch (r.int(0, 9)) {
    case 0: tags.push('text-char'); return t.slice(0, at) + r.pick(B45.split('')) + t.slice(at + 1);
    case 1: tags.push('text-delete'); return t.slice(0, at) + t.slice(at + r.int(1, 3));
    case 2: tags.push('text-insert'); return t.slice(0, at) + r.pick(B45.split('')) + t.slice(at);
    case 3: tags.push('text-lowercase'); return t.slice(0, at) + t.slice(at, at + 5).toLowerCase() + t.slice(at + 5);
    case 4: tags.push('text-prefix'); return r.pick(['QG1', 'qg1:', 'QG1:QG1:', 'B64:', ' QG1:', 'HC1:', '']) + t.slice(4);
    case 5: tags.push('text-suffix'); return t + r.pick(['\r', '\n', ' ', '\x00', '=', 'Z', '\xff']);
    case 6: tags.push('text-truncate'); return t.slice(0, r.int(0, t.length));
    case 7: tags.push('text-garbage'); return Buffer.from(r.bytes(r.int(0, 300))).toString('latin1');
    case 8: tags.push('text-repeat'); return t + t.slice(4);
    default: tags.push('text-high-bytes'); return t.slice(0, at) + '\xc3\xa9' + t.slice(at + 2);
  }
}

// ------------------------------------------------------------------------------ DIVOC cases

interface DivocPool { docs: any[] /* signed JSON documents */; texts: string[] /* ministry samples */; kp: crypto.KeyObject }

function zipOf(json: Buffer, stored = false): Buffer {
  const data = stored ? json : zlib.deflateRawSync(json);
  const name = Buffer.from('certificate.json');
  const crc = crc32(json);
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(stored ? 0 : 8, 8);
  lh.writeUInt32LE(crc >>> 0, 14); lh.writeUInt32LE(data.length, 18); lh.writeUInt32LE(json.length, 22); lh.writeUInt16LE(name.length, 26);
  const local = Buffer.concat([lh, name, data]);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(0x0314, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(stored ? 0 : 8, 10);
  cd.writeUInt32LE(crc >>> 0, 16); cd.writeUInt32LE(data.length, 20); cd.writeUInt32LE(json.length, 24); cd.writeUInt16LE(name.length, 28);
  const central = Buffer.concat([cd, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length, 12); end.writeUInt32LE(local.length, 16);
  return Buffer.concat([local, central, end]);
}
let CRC_TABLE: Int32Array | null = null;
function crc32(b: Buffer): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Int32Array(256);
    for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; CRC_TABLE[n] = c; }
  }
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const EV_FIELDS = ['certificateId', 'batch', 'vaccine', 'manufacturer', 'icd11Code', 'date', 'effectiveStart', 'effectiveUntil', 'dose', 'totalDoses', 'prophylaxis'];

function mutateDivocDoc(r: Rng, doc: any, s: Setup, tags: string[]): { json: string } {
  const d = JSON.parse(JSON.stringify(doc));
  const ev = d.evidence[0];
  const n = r.int(1, 2);
  let dupKey: string | null = null;
  for (let i = 0; i < n; i++) {
    switch (r.int(0, 10)) {
      case 0: { const a = r.pick(EV_FIELDS); const b = r.pick(EV_FIELDS); const t = ev[a]; ev[a] = ev[b]; ev[b] = t; tags.push('divoc-swap'); break; }
      case 1: { const a = r.pick(EV_FIELDS); if (ev[a] !== undefined) ev[a] = [ev[a]]; tags.push('divoc-wrap-array'); break; }
      case 2: { const a = r.pick(EV_FIELDS); if (ev[a] !== undefined) ev[a] = [ev[a], r.pick(['100000001', 'REVOKED-1', 1, 3, '2021-01-01'])]; tags.push('divoc-extra-value'); break; }
      case 3: ev.dose = r.pick([1, 2, 3, '2', 2.5, -1, null]); tags.push('divoc-dose'); break;
      case 4: ev.date = r.pick(['2021-01-01T00:00:00.000Z', '2021-09-26T00:00:00.000Z', '2022-01-01', 'x']); tags.push('divoc-date'); break;
      case 5: ev.certificateId = r.pick(['100000009', 'REVOKED-1', '']); tags.push('divoc-cti'); break;
      case 6: d.proof.verificationMethod = r.pick(['did:other', 'did:indonesia ', 'did:indonesia']); tags.push('divoc-kid'); break;
      case 7: { const j: string = d.proof.jws; const at = r.int(0, j.length - 1); d.proof.jws = j.slice(0, at) + r.pick(['A', '_', '-', '.', '']) + j.slice(at + 1); tags.push('divoc-jws'); break; }
      case 8: d.issuanceDate = r.pick(['2021-08-01T10:00:00.000Z', '2030-01-01T00:00:00.000Z', '2021-09-27T08:04:00Z']); tags.push('divoc-issued'); break;
      case 9: dupKey = r.pick(EV_FIELDS); tags.push('divoc-dup-key'); break;
      case 10: d.evidence = r.chance(0.5) ? ev : [ev, ev]; tags.push('divoc-evidence-shape'); break;
    }
  }
  let json = JSON.stringify(d, null, r.chance(0.3) ? 1 : undefined);
  if (dupKey) {
    // a second value for a key, earlier in the same object: JSON.parse keeps the last
    json = json.replace('"certificateId":', `"${dupKey}":${JSON.stringify(r.pick(['REVOKED-1', '100000001', 1, 3, '2021-01-01']))},"certificateId":`);
  }
  void s;
  return { json };
}

function divocCase(r: Rng, s: Setup, tags: string[]): string {
  const pool = s.divoc;
  if (r.chance(0.25)) {
    // the ministry samples, tampered as text
    let t = r.pick(pool.texts);
    tags.push('divoc-sample');
    if (r.chance(0.7)) {
      const at = r.int(4, t.length - 1);
      t = r.pick([
        () => t.slice(0, at) + r.pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/='.split('')) + t.slice(at + 1),
        () => t.slice(0, at), () => t.slice(0, at) + t.slice(at + 4), () => t + 'AAAA', () => t.slice(0, at) + '====',
      ])();
      tags.push('divoc-text');
    }
    return t;
  }
  const doc = r.pick(pool.docs);
  tags.push('divoc-signed');
  let json = JSON.stringify(doc);
  if (r.chance(0.6)) json = mutateDivocDoc(r, doc, s, tags).json;
  let z = zipOf(Buffer.from(json, 'utf8'), r.chance(0.2));
  if (r.chance(0.15)) { z = Buffer.from(mutateBytes(r, new Uint8Array(z), [], tags)); tags.push('divoc-zip-bytes'); }
  return 'B64:' + z.toString('base64');
}

async function makeDivocPool(): Promise<DivocPool> {
  const SAMPLES = path.join(sharedDir(), 'divoc', 'samples');
  const texts = ['dose1', 'dose2', 'dose3', 'tampered-dose'].map((f) => fs.readFileSync(path.join(SAMPLES, f + '.qr.txt'), 'utf8').trim());
  const base = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'dose2.json'), 'utf8'));
  PRED = await findPredicates(base);
  const kp = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 42)]), format: 'der', type: 'pkcs8' });
  const variants: ((ev: any, d: any) => void)[] = [
    () => undefined,
    (ev) => { ev.certificateId = 'REVOKED-1'; },
    (ev) => { ev.batch = 'REVOKED-2'; },
    (ev) => { ev.vaccine = 'REVOKED-1'; ev.certificateId = '100000010'; },
    (ev) => { ev.dose = 1; },
    (ev) => { ev.totalDoses = 1; },
    (ev) => { ev.date = '2021-09-20T00:00:00.000Z'; ev.effectiveStart = '2021-09-20'; ev.effectiveUntil = '2021-09-20'; },
    (ev) => { ev.effectiveUntil = '2021-09-25'; },
    (_ev, d) => { d.issuanceDate = '2021-12-01T00:00:00.000Z'; },
    (ev) => { ev.dose = 3; ev.totalDoses = 3; ev.certificateId = '100000011'; },
  ];
  const docs: any[] = [];
  for (const v of variants) {
    const d = JSON.parse(JSON.stringify(base));
    delete d.proof.jws;
    v(d.evidence[0], d);
    const body = JSON.parse(JSON.stringify(d)); delete body.proof;
    const options = Object.assign({ '@context': 'https://w3id.org/security/v2' }, d.proof);
    const header = Buffer.from('{"alg":"EdDSA","b64":false,"crit":["b64"]}').toString('base64url');
    const data = Buffer.concat([Buffer.from(header + '.'), sha256n(await canon(options)), sha256n(await canon(body))]);
    d.proof.jws = header + '..' + crypto.sign(null, data, kp).toString('base64url');
    docs.push(d);
  }
  return { docs, texts, kp };
}

function sharedDir(): string {
  return DATA;
}

// ------------------------------------------------------------------------------ setup

export async function makeSetup(): Promise<Setup> {
  const cfgRaw = JSON.parse(fs.readFileSync(path.join(FX, 'gate.json'), 'utf8'));
  const v = validateConfig(cfgRaw);
  if (!v.config) throw new Error('gate.json: ' + v.error);
  const cfg = v.config;
  const jwk = (f: string) => readPrivateJwkFile(path.join(FX, f));
  const signers = ['issuer.jwk', 'issuer2.jwk', 'issuer-old.jwk', 'issuer-future.jwk', 'issuer-es256.jwk', 'root.jwk'].map((f) => signerOf(jwk(f)));
  const trustedSigner = signers[0];
  const revokedCtis = [fixtureId('cti revoked'), fixtureId('cti expired-revoked'), new Uint8Array([0x5e, 0x1f]), new Uint8Array([7])];
  const divoc = await makeDivocPool();
  const index = JSON.parse(fs.readFileSync(path.join(sharedDir(), 'divoc', 'samples', 'index.json'), 'utf8'));
  const testDivocPub = new Uint8Array(crypto.createPublicKey(divoc.kp).export({ format: 'der', type: 'spki' }).subarray(12));
  const ministry = new Uint8Array(Buffer.from(index.publicKeyHex, 'hex'));
  const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
  const fuzzBundle: HostBundle = {
    version: 7, iat: NOW0 - 26 * DAY,
    keys: [
      { kid: utf8('issuer-1'), alg: -8, key: trustedSigner.pub },
      { kid: utf8('issuer-2'), alg: -8, key: signers[1].pub, nbf: NOW0 - 2 * DAY, exp: NOW0 + 2 * DAY },
      { kid: utf8('issuer-old'), alg: -8, key: signers[2].pub, exp: NOW0 - 100 * DAY },
      { kid: utf8('issuer-future'), alg: -8, key: signers[3].pub, nbf: NOW0 + 10 * DAY },
      { kid: utf8('issuer-es256'), alg: -7, key: signers[4].pub },
      { kid: 'did:indonesia', alg: -8, key: ministry, format: 'divoc' },
      { kid: 'did:indonesia', alg: -8, key: testDivocPub, format: 'divoc', exp: NOW0 + 200 * DAY },
    ],
    revoked: [
      ...revokedCtis.map((c) => hostRevocationPrefix(utf8('issuer-1'), c)),
      ...revokedCtis.map((c) => hostRevocationPrefix(utf8('issuer-2'), c)),
      ...['REVOKED-1', 'REVOKED-2', '100000002'].map((c) => hostRevocationPrefix('did:indonesia', c)),
    ],
    maxAge: 120 * DAY,
  };
  const fuzzBytes = encodeTrustBundle(fuzzBundle, readPrivateJwkFile(path.join(FX, 'root.jwk')));
  const bundles = [
    loadBundle('fuzz', fuzzBytes, cfg),
    loadBundle('trust.bin', new Uint8Array(fs.readFileSync(path.join(FX, 'trust.bin'))), cfg),
    loadBundle('trust-stale.bin', new Uint8Array(fs.readFileSync(path.join(FX, 'trust-stale.bin'))), cfg),
  ];
  return { signers, trustedSigner, cfg, bundles, revokedCtis, divoc };
}

// ------------------------------------------------------------------------------ the run

export interface Violation {
  index: number; format: string; tags: string[]; text: string; now: number | null; policy: Policy; bundle: string;
  decision: string; reason: string; oracle: string;
}
export interface FuzzReport {
  count: number; qg1: number; divoc: number; opens: number; divocOpens: number; oracleChecks: number;
  /** QG1 cases the oracle would open that the gate refused (not a safety problem; reported). */
  strictOnly: number;
  strictExamples: Violation[];
  reasons: { [r: string]: number }; mutations: { [m: string]: number };
  violations: Violation[]; violationCount: number; seconds: number; rate: number;
}
export interface FuzzOptions {
  count: number; seed?: number;
  /** Share of DIVOC cases (default 0.02). */
  divocShare?: number;
  progress?: (done: number, r: FuzzReport) => void;
  progressEvery?: number;
  setup?: Setup;
}

function randomPolicy(r: Rng): Policy {
  return r.chance(0.5)
    ? { minDoses: 2, daysAfterLastDose: 14, testValidHours: 24, recoveryValidDays: 180, acceptExemptions: r.chance(0.3) }
    : { minDoses: r.int(1, 4), daysAfterLastDose: r.int(0, 30), testValidHours: r.int(1, 72), recoveryValidDays: r.int(1, 365), acceptExemptions: r.chance(0.5) };
}

function randomNow(r: Rng, hint: number[]): number | null {
  if (r.chance(0.03)) return null;
  if (hint.length && r.chance(0.4)) return r.pick(hint) + r.pick([-1, 0, 0, 1, -SKEW, SKEW, -DAY, DAY]);
  if (r.chance(0.5)) return NOW0 + r.int(-5 * DAY, 5 * DAY);
  return NOW0 + r.int(-150 * DAY, 150 * DAY);
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const s = o.setup || await makeSetup();
  const r = new Rng(o.seed === undefined ? 1 : o.seed);
  const divocShare = o.divocShare === undefined ? 0.02 : o.divocShare;
  const rep: FuzzReport = {
    count: 0, qg1: 0, divoc: 0, opens: 0, divocOpens: 0, oracleChecks: 0, strictOnly: 0, strictExamples: [], reasons: {}, mutations: {},
    violations: [], violationCount: 0, seconds: 0, rate: 0,
  };
  const recent: { text: string; hint: number[] }[] = [];
  const pool: Uint8Array[] = [];
  const t0 = process.hrtime.bigint();
  const every = o.progressEvery || 100000;
  for (let i = 0; i < o.count; i++) {
    const tags: string[] = [];
    let text: string;
    let hint: number[] = [];
    let format: 'qg1' | 'divoc';
    if (recent.length && r.chance(0.08)) {
      // a repeat scan (the cache) at another time, policy or bundle
      const x = r.pick(recent);
      text = x.text; hint = x.hint; tags.push('repeat');
      format = text.substr(0, 4) === 'B64:' ? 'divoc' : 'qg1';
    } else if (r.chance(divocShare)) {
      format = 'divoc';
      text = divocCase(r, s, tags);
      hint = [Date.parse('2021-08-15T00:00:00Z') / 1000, Date.parse('2021-09-21T00:00:00Z') / 1000, Date.parse('2021-10-08T00:00:00Z') / 1000, NOW0 + 200 * DAY, NOW0 + 94 * DAY];
    } else {
      format = 'qg1';
      const p = randomParts(r, s);
      tags.push(p.signer === s.trustedSigner ? 'signer-trusted' : 'signer-' + p.signer.name);
      if (r.chance(0.4)) mutateClaims(r, p, tags);
      let bytes: Uint8Array;
      if (r.chance(0.25)) bytes = coseMutation(r, p, s, tags);
      else bytes = assemble(p).bytes;
      pool.length < 64 ? pool.push(bytes) : (pool[r.int(0, 63)] = bytes);
      if (r.chance(0.3)) bytes = mutateBytes(r, bytes, pool, tags);
      text = 'QG1:' + base45Encode(bytes);
      if (r.chance(0.12)) text = mutateText(r, text, tags);
      // instants where this certificate's checks change
      const num = (raw: [Raw, Raw][], k: number) => { const e = raw.find((x) => x[0].t === 'u' && (x[0] as any).v === k); return e && e[1].t === 'u' ? (e[1] as any).v : undefined; };
      for (const k of [4, 5, 6]) { const v = num(p.claims, k); if (v !== undefined) hint.push(v, v - SKEW); }
      const date = num(p.hc, 5);
      if (date !== undefined) hint.push(date * DAY, date * DAY + 14 * DAY, date * DAY + 24 * 3600, date * DAY + 180 * DAY);
      hint.push(NOW0 - 2 * DAY, NOW0 + 2 * DAY, NOW0 + 10 * DAY, NOW0 + 94 * DAY, NOW0 + 400 * DAY);
    }
    if (tags.length === 1 && (tags[0].indexOf('signer') === 0)) tags.push('none');
    if (recent.length < 256) recent.push({ text, hint }); else if (r.chance(0.05)) recent[r.int(0, 255)] = { text, hint };
    // the fuzz bundle (the only one with the test DIVOC key) most of the time for DIVOC
    const b = format === 'divoc' && r.chance(0.6) ? s.bundles[0] : r.pick(s.bundles);
    const now = randomNow(r, hint);
    const pol = randomPolicy(r);
    const d: Decision = decide(text, { now, trust: b.gate, policy: pol, verify: b.verify, sha256: jsSha256, cache: b.cache });
    rep.count++;
    if (format === 'qg1') rep.qg1++; else rep.divoc++;
    rep.reasons[d.reason] = (rep.reasons[d.reason] || 0) + 1;
    for (const t of tags) rep.mutations[t] = (rep.mutations[t] || 0) + 1;
    let verdict: OracleVerdict | null = null;
    if (d.decision === 'open' || format === 'qg1') {
      rep.oracleChecks++;
      verdict = format === 'qg1' ? oracleQg1(text, now, b, pol) : await oracleDivoc(text, now, b, pol);
    }
    if (d.decision === 'open') {
      rep.opens++;
      if (format === 'divoc') rep.divocOpens++;
      if (!verdict || !verdict.open) {
        rep.violationCount++;
        if (rep.violations.length < 20) {
          rep.violations.push({ index: i, format, tags, text, now, policy: pol, bundle: b.name, decision: d.decision, reason: d.reason, oracle: verdict ? verdict.why : '?' });
        }
      }
    } else if (verdict && verdict.open) {
      rep.strictOnly++;
      if (rep.strictExamples.length < 5) {
        rep.strictExamples.push({ index: i, format, tags, text, now, policy: pol, bundle: b.name, decision: d.decision, reason: d.reason, oracle: verdict.why });
      }
    }
    if (o.progress && (i + 1) % every === 0) {
      rep.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      rep.rate = rep.count / rep.seconds;
      o.progress(i + 1, rep);
    }
  }
  rep.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rep.rate = rep.count / rep.seconds;
  return rep;
}

// ------------------------------------------------------------------------------ command line

async function main(argv: string[]): Promise<number> {
  let count = 1000000; let seed = Date.now() % 1000000; let divocShare: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--count') count = Number(argv[++i]);
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--divoc-share') divocShare = Number(argv[++i]);
    else { process.stderr.write(`decide-fuzz: unknown argument ${a}\nusage: decide-fuzz [--count N] [--seed S] [--divoc-share F]\n`); return 2; }
  }
  if (!(count > 0) || !Number.isFinite(seed)) { process.stderr.write('decide-fuzz: --count must be > 0, --seed a number\n'); return 2; }
  process.stdout.write(`decide-fuzz: ${count} decisions, seed ${seed}\n`);
  const rep = await runFuzz({
    count, seed, divocShare, progressEvery: Math.max(1000, Math.floor(count / 20)),
    progress: (done, r) => process.stdout.write(`  ${done} decisions, ${r.opens} open, ${r.violationCount} violations, ${Math.round(r.rate)}/s\n`),
  });
  for (const v of rep.violations) process.stdout.write('VIOLATION ' + JSON.stringify(v) + '\n');
  for (const v of rep.strictExamples) process.stdout.write('refused, the oracle would open (not a safety problem) ' + JSON.stringify(v) + '\n');
  process.stdout.write(JSON.stringify({
    count: rep.count, qg1: rep.qg1, divoc: rep.divoc, opens: rep.opens, divocOpens: rep.divocOpens, violations: rep.violationCount, strictOnly: rep.strictOnly,
    seconds: Math.round(rep.seconds * 10) / 10, rate: Math.round(rep.rate), seed, reasons: rep.reasons, mutations: rep.mutations,
  }) + '\n');
  process.stdout.write(rep.violationCount ? `decide-fuzz: ${rep.violationCount} VIOLATIONS (open without a valid signature by a trusted unrevoked key and a passing policy)\n`
    : `decide-fuzz: ${rep.count} decisions, ${rep.opens} open, no violation; ${Math.round(rep.rate)} decisions/s, ${rep.seconds.toFixed(1)} s\n`);
  return rep.violationCount ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e) => { process.stderr.write(`decide-fuzz: ${e && e.stack || e}\n`); process.exit(2); });
}
