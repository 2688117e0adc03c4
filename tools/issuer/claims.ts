// Certificates (section 2) (host-side QG1 issuing: tools/issuer/index.ts)
import { CliError } from '../cli';
import { KeyLike, kidBytes as kidBytesOf, toKey } from '../keys';
import { CborValue, encodeCbor, decodeCbor, cborProblem } from './cbor';
import { checkUint, checkBytes, checkText, getUint, getBytes, getText } from './fields';
import { MAX_MESSAGE, Sign1Options, encodeProtected, sign1 } from './cose';


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
