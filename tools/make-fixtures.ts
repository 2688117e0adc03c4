// Writes the shared test fixtures (test/fixtures/) and the simulator scenarios (test/scenarios/)
// with the host issuing code (tools/issuer/), independent of the device codecs.
//
//   npx tsx tools/make-fixtures.ts [--out DIR]      (DIR defaults to test/; writes DIR/fixtures/*
//                                                    and DIR/scenarios/*)
//
// Deterministic: keys come from fixed seeds, every time and id is fixed, so a rerun writes identical
// bytes (test/tools/fixtures.test.ts checks that the committed files are what this script makes).
// Every entry of certs.json names the decision and reason spec/qg1.md section 4 gives for it at the
// clock 2021-09-27T08:00:00Z with gate.json and trust.bin, unless the entry overrides them.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Jwk, makeJwk, parseJwk, publicJwk, publicKeyFromSpki, Ed25519Key } from './keys';
import {
  Claims, CborValue, ALG_EDDSA, assembleSign1, claimsMap, dayNumber, encodeCbor, encodeProtected,
  encodeTrustBundle, qg1Text, revocationPrefix, sign1, sigStructure, TrustBundle,
} from './issuer';
import { sign } from './keys';
import { ROOT as REPO, DATA } from './root';


export const CLOCK = '2021-09-27T08:00:00Z';
const T = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const NOW = T(CLOCK);
const DAY = 86400;

function sha(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}
/** A fixed 32-byte seed per name. */
function seed(name: string): Uint8Array {
  return new Uint8Array(sha('qrgate fixture seed: ' + name));
}
/** Fixed ids: the first n bytes of SHA-256 of a label. */
function id(label: string, n = 16): Uint8Array {
  return new Uint8Array(sha('qrgate fixture id: ' + label).subarray(0, n));
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p as any))));
}

// ---- raw CBOR pieces for the malformed variants -----------------------------------------------
function head(major: number, n: number): Uint8Array {
  if (n < 24) return new Uint8Array([(major << 5) | n]);
  if (n < 256) return new Uint8Array([(major << 5) | 24, n]);
  if (n < 65536) return new Uint8Array([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1);
  return new Uint8Array(b);
}
type Entry = [Uint8Array, Uint8Array]; // encoded key, encoded value
function rawMap(entries: Entry[], indefinite = false): Uint8Array {
  const body = concat(...entries.map(([k, v]) => concat(k, v)));
  return indefinite ? concat([0xbf], body, [0xff]) : concat(head(5, entries.length), body);
}
function bstr(b: Uint8Array): Uint8Array {
  return concat(head(2, b.length), b);
}
function float64(x: number): Uint8Array {
  const b = Buffer.alloc(9); b[0] = 0xfb; b.writeDoubleBE(x, 1);
  return new Uint8Array(b);
}
function float32(x: number): Uint8Array {
  const b = Buffer.alloc(5); b[0] = 0xfa; b.writeFloatBE(x, 1);
  return new Uint8Array(b);
}
/** The entries of a CBOR map value, each encoded, in deterministic order. */
function entriesOf(m: Map<number | string, CborValue>): Entry[] {
  const out = Array.from(m.entries()).map(([k, v]) => [encodeCbor(k), encodeCbor(v)] as Entry);
  out.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  // the same bytes encodeCbor writes for the whole map
  if (Buffer.compare(Buffer.from(rawMap(out)), Buffer.from(encodeCbor(m))) !== 0) throw new Error('entriesOf: mismatch');
  return out;
}
function key(k: number | string): Uint8Array {
  return encodeCbor(k);
}
/** The COSE_Sign1 array from raw parts (tag 18 in front unless untagged). */
function rawSign1(prot: Uint8Array, unprot: Uint8Array, payload: Uint8Array, sig: Uint8Array, tag = true): Uint8Array {
  const body = concat([0x84], bstr(prot), unprot, bstr(payload), bstr(sig));
  return tag ? concat([0xd2], body) : body;
}

// ---- keys -------------------------------------------------------------------------------------
export interface FixtureKeys { [name: string]: Ed25519Key }

function keys(): { jwks: { [file: string]: Jwk }; k: FixtureKeys } {
  const jwks: { [file: string]: Jwk } = {
    'root.jwk': makeJwk(seed('root'), 'root-1'),
    'issuer.jwk': makeJwk(seed('issuer-1'), 'issuer-1'),
    'issuer2.jwk': makeJwk(seed('issuer-2'), 'issuer-2'),
    'issuer-old.jwk': makeJwk(seed('issuer-old'), 'issuer-old'),
    'issuer-future.jwk': makeJwk(seed('issuer-future'), 'issuer-future'),
    'issuer-es256.jwk': makeJwk(seed('issuer-es256'), 'issuer-es256'),
  };
  const k: FixtureKeys = {};
  for (const f of Object.keys(jwks)) k[jwks[f].kid as string] = parseJwk(jwks[f], f);
  return { jwks, k };
}

// ---- certificates -----------------------------------------------------------------------------
export interface CertEntry {
  text: string;
  decision: 'open' | 'deny' | 'attendant';
  reason: string;
  format: 'qg1' | 'divoc' | null;
  /** the issuer kid as text (QG1: UTF-8 of the kid bytes; DIVOC: verificationMethod) */
  kid?: string;
  kidHex?: string;
  ctiHex?: string;
  /** overrides: another configuration or bundle (file names in fixtures/), clock null = never set */
  config?: string;
  trust?: string;
  clock?: string | null;
  note: string;
}

function baseClaims(label: string, over: Partial<Claims> = {}, hc: Partial<Claims['hc']> = {}): Claims {
  return {
    iss: 'QRGate Test Issuer',
    iat: T('2021-08-02T00:00:00Z'),
    exp: T('2022-08-02T00:00:00Z'),
    cti: id('cti ' + label),
    ...over,
    hc: { sub: id('sub ' + label), kind: 0, dose: 2, series: 2, date: dayNumber('2021-08-01'), ...hc },
  };
}

export function generate(): { [relPath: string]: Buffer } {
  const files: { [relPath: string]: Buffer } = {};
  const { jwks, k } = keys();
  for (const f of Object.keys(jwks)) files['fixtures/' + f] = Buffer.from(JSON.stringify(jwks[f], null, 2) + '\n');
  const I1 = k['issuer-1'];

  // gate configurations
  const policy = { minDoses: 2, daysAfterLastDose: 14, testValidHours: 24, recoveryValidDays: 180, acceptExemptions: false };
  const gate = {
    gateId: 'gate-test-1',
    rootKeys: [publicJwk(k['root-1'])],
    relay: { openMs: 3000 },
    policy,
    site: { secret: hex(new Uint8Array(sha('qrgate fixture site secret'))) },
    uplink: { transport: 'none' },
  };
  files['fixtures/gate.json'] = Buffer.from(JSON.stringify(gate, null, 2) + '\n');
  const gateEx = { ...gate, gateId: 'gate-test-exemptions', policy: { ...policy, acceptExemptions: true } };
  files['fixtures/gate-exemptions.json'] = Buffer.from(JSON.stringify(gateEx, null, 2) + '\n');

  // trust bundles
  const divoc = JSON.parse(fs.readFileSync(path.join(DATA, 'divoc', 'samples', 'index.json'), 'utf8'));
  const divocKid: string = divoc.verificationMethod;
  const revokedCti = id('cti revoked');
  const revokedExpiredCti = id('cti expired-revoked');
  const bundle: TrustBundle = {
    version: 1,
    iat: T('2021-09-01T00:00:00Z'),
    keys: [
      { kid: utf8('issuer-1'), alg: ALG_EDDSA, key: I1.publicKey },
      { kid: divocKid, alg: ALG_EDDSA, key: publicKeyFromSpki(divoc.publicKeySpkiBase64), format: 'divoc' },
      { kid: utf8('issuer-old'), alg: ALG_EDDSA, key: k['issuer-old'].publicKey, exp: T('2021-06-01T00:00:00Z'), format: 'qg1' },
      { kid: utf8('issuer-future'), alg: ALG_EDDSA, key: k['issuer-future'].publicKey, nbf: T('2022-01-01T00:00:00Z') },
      // an entry with another algorithm: skipped by a gate, so its certificates have an unknown key
      { kid: utf8('issuer-es256'), alg: -7, key: k['issuer-es256'].publicKey },
    ],
    revoked: [revocationPrefix(utf8('issuer-1'), revokedCti), revocationPrefix(utf8('issuer-1'), revokedExpiredCti)],
    maxAge: 400 * DAY,
  };
  const root = k['root-1'];
  const trust = encodeTrustBundle(bundle, root);
  files['fixtures/trust.bin'] = Buffer.from(trust);
  files['fixtures/trust-stale.bin'] = Buffer.from(encodeTrustBundle({ ...bundle, maxAge: 7 * DAY }, root));
  const badsig = new Uint8Array(trust);
  badsig[badsig.length - 1] ^= 0x01;
  files['fixtures/trust-badsig.bin'] = Buffer.from(badsig);
  files['fixtures/trust-unsigned-by-root.bin'] = Buffer.from(encodeTrustBundle(bundle, makeJwk(seed('not-a-root'), 'root-1')));

  const certs: { [name: string]: CertEntry } = {};
  function addQg1(name: string, bytes: Uint8Array, decision: CertEntry['decision'], reason: string, note: string,
    extra: Partial<CertEntry> = {}, kid?: string, cti?: Uint8Array): void {
    if (certs[name]) throw new Error('duplicate fixture ' + name);
    const e: CertEntry = { text: qg1Text(bytes), decision, reason, format: 'qg1', note };
    if (kid !== undefined) { e.kid = kid; e.kidHex = hex(utf8(kid)); }
    if (cti !== undefined) e.ctiHex = hex(cti);
    certs[name] = { ...e, ...extra };
  }
  function addText(name: string, text: string, decision: CertEntry['decision'], reason: string, note: string,
    extra: Partial<CertEntry> = {}): void {
    if (certs[name]) throw new Error('duplicate fixture ' + name);
    certs[name] = { text, decision, reason, format: text.startsWith('QG1:') ? 'qg1' : text.startsWith('B64:') ? 'divoc' : null, note, ...extra };
  }
  /** A well-formed, correctly signed certificate. */
  function cert(name: string, c: Claims, decision: CertEntry['decision'], reason: string, note: string,
    opts: { key?: Ed25519Key; tag?: boolean; extra?: Partial<CertEntry> } = {}): Uint8Array {
    const signer = opts.key || I1;
    const prot = encodeProtected(utf8(signer.kid));
    const bytes = sign1(prot, encodeCbor(claimsMap(c)), signer, { tag: opts.tag });
    addQg1(name, bytes, decision, reason, note, opts.extra, signer.kid, c.cti);
    return bytes;
  }
  /** A message signed correctly over raw (possibly malformed) protected and payload bytes. */
  function rawCert(prot: Uint8Array, payload: Uint8Array, opts: { unprot?: Uint8Array; tag?: boolean; signer?: Ed25519Key } = {}): Uint8Array {
    const sig = sign(sigStructure(prot, payload), opts.signer || I1);
    return rawSign1(prot, opts.unprot || new Uint8Array([0xa0]), payload, sig, opts.tag !== false);
  }
  const malformed = (name: string, bytes: Uint8Array, note: string, extra: Partial<CertEntry> = {}): void =>
    addQg1(name, bytes, 'deny', 'malformed', note, extra);

  // -- ok
  const ok = cert('ok', baseClaims('ok'), 'open', 'ok', 'vaccination 2 of 2, last dose 2021-08-01, tag 18');
  cert('ok-untagged', baseClaims('ok-untagged'), 'open', 'ok', 'as ok, COSE_Sign1 without tag 18', { tag: false });
  cert('ok-booster', baseClaims('ok-booster', {}, { dose: 3, series: 2, product: 'COMIRNATY' }), 'open', 'ok',
    'vaccination 3 of 2 with a product text');
  cert('ok-minimal', baseClaims('ok-minimal', { iss: undefined }), 'open', 'ok', 'no iss, no nbf, no product');
  cert('ok-test', baseClaims('ok-test', {}, { kind: 1, dose: undefined, series: undefined, date: dayNumber('2021-09-27') }),
    'open', 'ok', 'negative test sampled 2021-09-27 (valid until 2021-09-28T00:00Z)');
  cert('ok-recovery', baseClaims('ok-recovery', {}, { kind: 2, dose: undefined, series: undefined, date: dayNumber('2021-07-01') }),
    'open', 'ok', 'recovery, positive test 2021-07-01 (valid 180 days)');
  cert('ok-14-days', baseClaims('ok-14-days', {}, { date: dayNumber('2021-09-13') }), 'open', 'ok',
    'last dose 2021-09-13: now >= date + 14 days exactly (2021-09-27T00:00Z <= clock)');
  cert('ok-at-nbf', baseClaims('ok-at-nbf', { nbf: NOW }), 'open', 'ok', 'nbf equals the clock: valid from that instant');
  cert('ok-nbf-past', baseClaims('ok-nbf-past', { nbf: T('2021-08-02T00:00:00Z') }), 'open', 'ok', 'nbf in the past');
  {
    const c = baseClaims('ok-unknown-claims');
    const m = claimsMap(c, new Map<number | string, CborValue>([[99, 'ignored'], [-260, new Map<number, CborValue>([[1, 1]])], ['x', utf8('y')]]));
    const hc = m.get(-100) as Map<number, CborValue>;
    hc.set(7, 'unknown health claim key');
    const bytes = sign1(encodeProtected(utf8('issuer-1')), encodeCbor(m), I1, { unprotected: new Map<number, CborValue>([[4, utf8('issuer-2')], [1, -7]]) });
    addQg1('ok-unknown-claims', bytes, 'open', 'ok',
      'unknown claim keys (99, -260, "x", hc 7) are ignored; the unprotected header holds another kid and alg, which are ignored',
      {}, 'issuer-1', c.cti);
  }
  {
    // exactly 512 bytes: pad with an ignored claim
    const c = baseClaims('ok-512');
    const padded = (n: number): Uint8Array => encodeCbor(claimsMap(c, new Map([[99, new Uint8Array(n)]])));
    let pad = 0;
    for (let n = 256; n < 512 && !pad; n++) {
      // the length does not depend on the signature's value: size with zeros, sign once
      if (assembleSign1(encodeProtected(utf8('issuer-1')), padded(n), new Uint8Array(64)).length === 512) pad = n;
    }
    if (!pad) throw new Error('cannot pad to 512');
    const bytes = sign1(encodeProtected(utf8('issuer-1')), padded(pad), I1);
    addQg1('ok-512', bytes, 'open', 'ok', 'a message of exactly 512 bytes (an ignored claim 99 pads it)', {}, 'issuer-1', c.cti);
    const c2 = baseClaims('malformed-oversize');
    const big = sign1(encodeProtected(utf8('issuer-1')), encodeCbor(claimsMap(c2, new Map([[99, new Uint8Array(pad + 1)]]))), I1);
    if (big.length !== 513) throw new Error('oversize is not 513');
    malformed('malformed-oversize', big, 'a message of 513 bytes (over 512), otherwise valid');
  }
  cert('ok-exemption-accepted', baseClaims('ok-exemption-accepted', {}, { kind: 3, dose: undefined, series: undefined, date: dayNumber('2021-06-01') }),
    'open', 'ok', 'medical exemption with policy.acceptExemptions true', { extra: { config: 'gate-exemptions.json' } });

  // -- policy
  cert('policy', baseClaims('policy', {}, { dose: 1, series: 2 }), 'deny', 'policy', 'vaccination 1 of 2 (minDoses 2)');
  cert('policy-exemption', baseClaims('policy-exemption', {}, { kind: 3, dose: undefined, series: undefined, date: dayNumber('2021-06-01') }),
    'attendant', 'policy', 'medical exemption, policy.acceptExemptions false: a person decides');
  cert('policy-unknown-kind', baseClaims('policy-unknown-kind', {}, { kind: 4, dose: undefined, series: undefined }),
    'deny', 'policy', 'kind 4 (none of 0..3): well formed, and no policy admits it');
  cert('policy-too-recent', baseClaims('policy-too-recent', {}, { date: dayNumber('2021-09-14') }), 'deny', 'policy',
    'last dose 2021-09-14: 14 days end 2021-09-28T00:00Z, after the clock');
  cert('policy-test-old', baseClaims('policy-test-old', {}, { kind: 1, dose: undefined, series: undefined, date: dayNumber('2021-09-26') }),
    'deny', 'policy', 'negative test sampled 2021-09-26: valid until 2021-09-27T00:00Z, before the clock');
  cert('policy-recovery-old', baseClaims('policy-recovery-old', {}, { kind: 2, dose: undefined, series: undefined, date: dayNumber('2021-03-01') }),
    'deny', 'policy', 'recovery from 2021-03-01: 180 days ended 2021-08-28');
  // (kind 4, outside 0..3, is left out: deny either way, but spec/qg1.md does not say whether as policy or malformed)

  // -- time
  cert('expired', baseClaims('expired', { iat: T('2020-09-01T00:00:00Z'), exp: T('2021-09-01T00:00:00Z') }), 'deny', 'expired',
    'exp 2021-09-01');
  cert('expired-at-exp', baseClaims('expired-at-exp', { exp: NOW }), 'deny', 'expired', 'exp equals the clock: not valid at that instant');
  cert('not-yet-valid', baseClaims('not-yet-valid', { nbf: T('2021-10-01T00:00:00Z') }), 'deny', 'not-yet-valid', 'nbf 2021-10-01');
  cert('not-yet-valid-policy', baseClaims('not-yet-valid-policy', { nbf: T('2021-10-01T00:00:00Z') }, { dose: 1 }), 'deny', 'not-yet-valid',
    'nbf in the future and dose 1: not-yet-valid comes before policy');

  // -- keys
  cert('key-expired', baseClaims('key-expired', { iat: T('2021-05-01T00:00:00Z'), exp: T('2022-05-01T00:00:00Z') }), 'deny', 'key-expired',
    'signed by issuer-old, whose bundle entry has exp 2021-06-01', { key: k['issuer-old'] });
  cert('key-expired-nbf', baseClaims('key-expired-nbf'), 'deny', 'key-expired',
    'signed by issuer-future, whose bundle entry has nbf 2022-01-01', { key: k['issuer-future'] });
  cert('key-expired-and-expired', baseClaims('key-expired-and-expired', { iat: T('2021-05-01T00:00:00Z'), exp: T('2021-07-01T00:00:00Z') }),
    'deny', 'key-expired', 'issuer-old key expired and the certificate expired: key-expired comes first', { key: k['issuer-old'] });
  cert('unknown-key', baseClaims('unknown-key'), 'deny', 'unknown-key', 'signed by issuer-2, not in the bundle', { key: k['issuer-2'] });
  {
    const c = baseClaims('unknown-key-format');
    const bytes = sign1(encodeProtected(utf8(divocKid)), encodeCbor(claimsMap(c)), k['issuer-2']);
    addQg1('unknown-key-format', bytes, 'deny', 'unknown-key',
      `a QG1 certificate with kid "${divocKid}": the bundle has that kid only as a divoc key`, {}, divocKid, c.cti);
  }
  cert('unknown-key-alg', baseClaims('unknown-key-alg'), 'deny', 'unknown-key',
    'signed by issuer-es256, whose bundle entry has alg -7 and is skipped', { key: k['issuer-es256'] });
  {
    const c = baseClaims('unknown-key-bad-signature');
    const good = sign1(encodeProtected(utf8('issuer-2')), encodeCbor(claimsMap(c)), k['issuer-2']);
    const bad = new Uint8Array(good); bad[bad.length - 1] ^= 0x80;
    addQg1('unknown-key-bad-signature', bad, 'deny', 'unknown-key', 'unknown kid and a broken signature: unknown-key comes first',
      {}, 'issuer-2', c.cti);
  }

  // -- signatures
  function tamper(name: string, c: Claims, note: string, change: (b: Uint8Array) => Uint8Array, reason = 'bad-signature'): void {
    const good = sign1(encodeProtected(utf8('issuer-1')), encodeCbor(claimsMap(c)), I1);
    addQg1(name, change(new Uint8Array(good)), 'deny', reason, note, {}, 'issuer-1', c.cti);
  }
  tamper('bad-signature', baseClaims('bad-signature'), 'a bit of the signature flipped', (b) => { b[b.length - 1] ^= 0x01; return b; });
  tamper('bad-signature-r', baseClaims('bad-signature-r'), 'a bit of R (first signature byte) flipped', (b) => { b[b.length - 64] ^= 0x01; return b; });
  {
    // payload changed after signing: dose 1 became dose 2
    const c = baseClaims('bad-signature-payload', {}, { dose: 1 });
    const prot = encodeProtected(utf8('issuer-1'));
    const sig = sign(sigStructure(prot, encodeCbor(claimsMap(c))), I1);
    const forged = encodeCbor(claimsMap({ ...c, hc: { ...c.hc, dose: 2 } }));
    addQg1('bad-signature-payload', assembleSign1(prot, forged, sig), 'deny', 'bad-signature',
      'signed with dose 1, then the payload changed to dose 2', {}, 'issuer-1', c.cti);
  }
  {
    // kid names issuer-1, signed by issuer-2
    const c = baseClaims('bad-signature-wrong-key');
    const bytes = sign1(encodeProtected(utf8('issuer-1')), encodeCbor(claimsMap(c)), k['issuer-2']);
    addQg1('bad-signature-wrong-key', bytes, 'deny', 'bad-signature', 'kid issuer-1 but signed by issuer-2', {}, 'issuer-1', c.cti);
  }
  {
    // S + L: the same signature with a non-reduced scalar (accepted by lax verifiers, not by strict)
    const c = baseClaims('bad-signature-s-plus-l');
    const prot = encodeProtected(utf8('issuer-1'));
    const payload = encodeCbor(claimsMap(c));
    const sig = sign(sigStructure(prot, payload), I1);
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]);
    s += L;
    if (s >= 1n << 256n) throw new Error('S + L does not fit');
    const mall = new Uint8Array(sig);
    for (let i = 0; i < 32; i++) { mall[32 + i] = Number(s & 255n); s >>= 8n; }
    addQg1('bad-signature-s-plus-l', assembleSign1(prot, payload, mall), 'deny', 'bad-signature',
      'valid signature with S replaced by S + L (S >= L is rejected by the strict profile)', {}, 'issuer-1', c.cti);
  }
  tamper('bad-signature-expired', baseClaims('bad-signature-expired', { iat: T('2020-09-01T00:00:00Z'), exp: T('2021-09-01T00:00:00Z') }),
    'broken signature on an expired certificate: bad-signature comes first', (b) => { b[b.length - 1] ^= 0x01; return b; });

  // -- revocation
  cert('revoked', baseClaims('revoked', { cti: revokedCti }), 'deny', 'revoked', 'cti is in the bundle revocation list');
  cert('expired-revoked', baseClaims('expired-revoked', { cti: revokedExpiredCti, iat: T('2020-09-01T00:00:00Z'), exp: T('2021-09-01T00:00:00Z') }),
    'deny', 'expired', 'revoked and expired: expired comes first');
  cert('revoked-stale-trust', baseClaims('revoked-stale-trust', { cti: revokedCti }), 'deny', 'revoked',
    'revoked, checked with a stale bundle: revoked comes before stale-trust', { extra: { trust: 'trust-stale.bin' } });

  // -- gate state
  addQg1('stale-trust', ok, 'attendant', 'stale-trust', 'the ok certificate with trust-stale.bin (iat 2021-09-01, maxAge 7 days)',
    { trust: 'trust-stale.bin' }, 'issuer-1', baseClaims('ok').cti);
  cert('stale-trust-policy', baseClaims('stale-trust-policy', {}, { dose: 1 }), 'attendant', 'stale-trust',
    'dose 1 with a stale bundle: stale-trust comes before policy', { extra: { trust: 'trust-stale.bin' } });
  addQg1('clock-unset', ok, 'attendant', 'clock-unset', 'the ok certificate on a gate whose clock was never set',
    { clock: null }, 'issuer-1', baseClaims('ok').cti);
  cert('clock-unset-unknown-key', baseClaims('clock-unset-unknown-key'), 'attendant', 'clock-unset',
    'unknown key on a gate without a clock: clock-unset comes before unknown-key', { key: k['issuer-2'], extra: { clock: null } });

  // -- unsupported
  addText('unsupported', 'https://example.org', 'deny', 'unsupported', 'a web address');
  addText('unsupported-venue', 'VENUE:12345', 'deny', 'unsupported', 'a venue code');
  addText('unsupported-lowercase-prefix', 'qg1:' + qg1Text(ok).slice(4), 'deny', 'unsupported', 'prefix in lower case is not QG1:');
  addText('unsupported-hc1', 'HC1:' + qg1Text(ok).slice(4), 'deny', 'unsupported', 'an EU DCC prefix');
  addText('unsupported-clock-unset', 'https://example.org', 'deny', 'unsupported', 'unsupported comes before clock-unset', { clock: null });

  // -- malformed: base45 and framing
  const okText = qg1Text(ok);
  addText('malformed', okText.slice(0, 10) + 'a' + okText.slice(11), 'deny', 'malformed', 'base45: a lower-case letter, outside the alphabet');
  addText('malformed-base45-value', 'QG1:' + ':::' + okText.slice(7), 'deny', 'malformed', 'base45: a triple worth 91124 > 65535');
  {
    let body = okText.slice(4);
    while (body.length % 3 !== 1) body = body.slice(0, -1);
    addText('malformed-base45-length', 'QG1:' + body, 'deny', 'malformed', 'base45: length leaves one character over');
  }
  addText('malformed-empty', 'QG1:', 'deny', 'malformed', 'QG1: and nothing after it');
  addText('malformed-clock-unset', okText.slice(0, 10) + 'a' + okText.slice(11), 'deny', 'malformed',
    'bad base45 on a gate without a clock: malformed comes before clock-unset', { clock: null });
  malformed('malformed-not-cbor', new Uint8Array(sha('not cbor').subarray(0, 24)).map((x, i) => (i === 0 ? 0xff : x)), 'bytes that are not CBOR (0xff break)');
  malformed('malformed-truncated', ok.subarray(0, ok.length - 10), 'the ok certificate cut short');

  // -- malformed: CBOR level
  const c0 = baseClaims('malformed-variant');
  const E = entriesOf(claimsMap(c0)); // keys 1, 4, 6, 7, -100
  const P = encodeProtected(utf8('issuer-1'));
  const replaceValue = (k: number, v: Uint8Array): Entry[] => E.map(([kk, vv]) => [kk, Buffer.compare(Buffer.from(kk), Buffer.from(key(k))) === 0 ? v : vv] as Entry);
  const without = (k: number): Entry[] => E.filter(([kk]) => Buffer.compare(Buffer.from(kk), Buffer.from(key(k))) !== 0);
  const good = rawCert(P, rawMap(E));
  malformed('malformed-trailing', concat(good, [0x00]), 'one byte after the COSE_Sign1 item');
  malformed('malformed-payload-trailing', rawCert(P, concat(rawMap(E), [0x00])), 'payload holds the claims map and then one more byte');
  malformed('malformed-protected-trailing', rawCert(concat(P, [0x00]), rawMap(E)), 'protected holds the header map and then one more byte');
  malformed('malformed-indefinite-map', rawCert(P, rawMap(E, true)), 'claims map with indefinite length');
  {
    const body = concat([0x9f], bstr(P), [0xa0], bstr(rawMap(E)), bstr(sign(sigStructure(P, rawMap(E)), I1)), [0xff]);
    malformed('malformed-indefinite-array', concat([0xd2], body), 'COSE_Sign1 array with indefinite length');
  }
  {
    const sig = sign(sigStructure(P, rawMap(E)), I1);
    const payloadChunks = concat([0x5f], bstr(rawMap(E)), [0xff]);
    malformed('malformed-indefinite-bstr', concat([0xd2, 0x84], bstr(P), [0xa0], payloadChunks, bstr(sig)),
      'payload as an indefinite-length byte string (one chunk)');
  }
  malformed('malformed-duplicate-key', rawCert(P, rawMap([...E.slice(0, 2), [key(4), encodeCbor(c0.exp)], ...E.slice(2)])),
    'claims map with key 4 (exp) twice, same value');
  {
    const hcE = entriesOf(claimsMap(c0).get(-100) as Map<number, CborValue>);
    const hcDup = rawMap([...hcE, [key(3), encodeCbor(1)]]);
    malformed('malformed-duplicate-hc-key', rawCert(P, rawMap(replaceValue(-100, hcDup))), 'health claim with key 3 (dose) twice: 2, then 1');
  }
  malformed('malformed-duplicate-protected', rawCert(rawMap([[key(1), encodeCbor(-8)], [key(4), bstr(utf8('issuer-1'))], [key(4), bstr(utf8('issuer-1'))]]), rawMap(E)),
    'protected header with label 4 (kid) twice');
  malformed('malformed-float', rawCert(P, rawMap(replaceValue(4, float64(c0.exp)))), 'exp as a float64 holding an integral value');
  {
    const hcE = entriesOf(claimsMap(c0).get(-100) as Map<number, CborValue>);
    const hcF = rawMap(hcE.map(([kk, vv]) => [kk, Buffer.compare(Buffer.from(kk), Buffer.from(key(5))) === 0 ? float32(c0.hc.date) : vv] as Entry));
    malformed('malformed-float32-date', rawCert(P, rawMap(replaceValue(-100, hcF))), 'hc date as a float32 holding an integral value');
  }
  malformed('malformed-float-unknown-claim', rawCert(P, rawMap([...E.slice(0, 4), [key(99), float64(1.5)], E[4]])),
    'a floating-point value in an unknown claim (99): floats are malformed anywhere');
  malformed('malformed-tag-inside', rawCert(P, rawMap(replaceValue(6, concat([0xc1], encodeCbor(c0.iat))))), 'iat wrapped in tag 1 (epoch time)');
  malformed('malformed-tag-payload', concat([0xd2, 0x84], bstr(P), [0xa0], [0xd8, 0x18], bstr(rawMap(E)), bstr(sign(sigStructure(P, rawMap(E)), I1))),
    'payload byte string wrapped in tag 24');
  {
    const sig = sign(sigStructure(P, rawMap(E)), I1);
    malformed('malformed-tag-top', concat([0xd8, 0x62, 0x84], bstr(P), [0xa0], bstr(rawMap(E)), bstr(sig)), 'tag 98 at the top instead of 18');
    malformed('malformed-tag-twice', concat([0xd2, 0xd2, 0x84], bstr(P), [0xa0], bstr(rawMap(E)), bstr(sig)), 'tag 18 twice');
  }
  malformed('malformed-depth', rawCert(P, rawMap([...E.slice(0, 4), [key(99), new Uint8Array([0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00])], E[4]])),
    'an unknown claim holding six nested arrays: nesting deeper than 4');

  // -- malformed: COSE structure and header
  malformed('malformed-kid-missing', rawCert(rawMap([[key(1), encodeCbor(-8)]]), rawMap(E)), 'protected header without kid');
  malformed('malformed-kid-unprotected', rawCert(rawMap([[key(1), encodeCbor(-8)]]), rawMap(E), { unprot: rawMap([[key(4), bstr(utf8('issuer-1'))]]) }),
    'kid only in the unprotected header');
  malformed('malformed-alg-missing', rawCert(rawMap([[key(4), bstr(utf8('issuer-1'))]]), rawMap(E)), 'protected header without alg');
  malformed('malformed-alg-unprotected', rawCert(rawMap([[key(4), bstr(utf8('issuer-1'))]]), rawMap(E), { unprot: rawMap([[key(1), encodeCbor(-8)]]) }),
    'alg -8 only in the unprotected header');
  malformed('malformed-alg-wrong', rawCert(rawMap([[key(1), encodeCbor(-7)], [key(4), bstr(utf8('issuer-1'))]]), rawMap(E)), 'alg -7 (ES256) in the protected header');
  malformed('malformed-alg-text', rawCert(rawMap([[key(1), encodeCbor('EdDSA')], [key(4), bstr(utf8('issuer-1'))]]), rawMap(E)), 'alg as text "EdDSA"');
  malformed('malformed-crit', rawCert(rawMap([[key(1), encodeCbor(-8)], [key(2), encodeCbor([99])], [key(4), bstr(utf8('issuer-1'))], [key(99), encodeCbor(0)]]), rawMap(E)),
    'protected crit [99] naming a label no gate understands');
  malformed('malformed-kid-17', rawCert(rawMap([[key(1), encodeCbor(-8)], [key(4), bstr(utf8('issuer-1-abcdefgh'))]]), rawMap(E)), 'kid of 17 bytes');
  malformed('malformed-kid-empty', rawCert(rawMap([[key(1), encodeCbor(-8)], [key(4), bstr(new Uint8Array(0))]]), rawMap(E)), 'kid of 0 bytes');
  malformed('malformed-kid-text', rawCert(rawMap([[key(1), encodeCbor(-8)], [key(4), encodeCbor('issuer-1')]]), rawMap(E)), 'kid as text, not bytes');
  malformed('malformed-protected-not-map', rawCert(encodeCbor([-8, utf8('issuer-1')]), rawMap(E)), 'protected bytes hold an array');
  malformed('malformed-protected-empty', rawCert(new Uint8Array(0), rawMap(E)), 'protected is an empty byte string');
  malformed('malformed-unprotected-not-map', rawCert(P, rawMap(E), { unprot: encodeCbor([]) }), 'unprotected is an array');
  malformed('malformed-payload-not-map', rawCert(P, encodeCbor([1, 2, 3])), 'payload holds an array');
  {
    const full = sign(sigStructure(P, rawMap(E)), I1);
    malformed('malformed-sig-63', concat([0xd2, 0x84], bstr(P), [0xa0], bstr(rawMap(E)), bstr(full.subarray(0, 63))), 'signature of 63 bytes');
    malformed('malformed-sig-65', concat([0xd2, 0x84], bstr(P), [0xa0], bstr(rawMap(E)), bstr(concat(full, [0]))), 'signature of 65 bytes');
    malformed('malformed-sig-text', concat([0xd2, 0x84], bstr(P), [0xa0], bstr(rawMap(E)), concat(head(3, 64), new Uint8Array(64).fill(0x41))),
      'signature as a text string');
    malformed('malformed-array-3', concat([0xd2, 0x83], bstr(P), [0xa0], bstr(rawMap(E))), 'COSE_Sign1 array of 3 items');
    malformed('malformed-array-5', concat([0xd2, 0x85], bstr(P), [0xa0], bstr(rawMap(E)), bstr(full), [0x00]), 'COSE_Sign1 array of 5 items');
  }

  // -- malformed: claims
  /** The health claim map of c0 with key k's value replaced (or dropped, for null); keys 1..5. */
  const hcOf = (over: { [k: number]: Uint8Array | null }, add: Entry[] = []): Uint8Array => {
    const out: Entry[] = [];
    for (let kn = 1; kn <= 5; kn++) {
      const v = (claimsMap(c0).get(-100) as Map<number, CborValue>).get(kn);
      if (!(kn in over)) out.push([key(kn), encodeCbor(v as CborValue)]);
      else if (over[kn] !== null) out.push([key(kn), over[kn] as Uint8Array]);
    }
    return rawMap(out.concat(add));
  };
  if (Buffer.compare(Buffer.from(hcOf({})), Buffer.from(encodeCbor(claimsMap(c0).get(-100) as CborValue))) !== 0) throw new Error('hcOf');
  malformed('malformed-exp-missing', rawCert(P, rawMap(without(4))), 'no exp');
  malformed('malformed-iat-missing', rawCert(P, rawMap(without(6))), 'no iat');
  malformed('malformed-cti-missing', rawCert(P, rawMap(without(7))), 'no cti');
  malformed('malformed-hc-missing', rawCert(P, rawMap(without(-100))), 'no health claim');
  malformed('malformed-hc-not-map', rawCert(P, rawMap(replaceValue(-100, encodeCbor([1, 2])))), 'health claim is an array');
  malformed('malformed-sub-missing', rawCert(P, rawMap(replaceValue(-100, hcOf({ 1: null })))), 'no sub');
  malformed('malformed-kind-missing', rawCert(P, rawMap(replaceValue(-100, hcOf({ 2: null })))), 'no kind');
  malformed('malformed-date-missing', rawCert(P, rawMap(replaceValue(-100, hcOf({ 5: null })))), 'no date');
  malformed('malformed-dose-missing', rawCert(P, rawMap(replaceValue(-100, hcOf({ 3: null })))), 'vaccination without dose');
  malformed('malformed-series-missing', rawCert(P, rawMap(replaceValue(-100, hcOf({ 4: null })))), 'vaccination without series');
  malformed('malformed-sub-33', rawCert(P, rawMap(replaceValue(-100, hcOf({ 1: encodeCbor(concat(id('sub 33', 32), [1])) })))),
    'sub of 33 bytes');
  malformed('malformed-sub-empty', rawCert(P, rawMap(replaceValue(-100, hcOf({ 1: encodeCbor(new Uint8Array(0)) })))), 'sub of 0 bytes');
  malformed('malformed-sub-text', rawCert(P, rawMap(replaceValue(-100, hcOf({ 1: encodeCbor('subject') })))), 'sub as text');
  malformed('malformed-kind-negative', rawCert(P, rawMap(replaceValue(-100, hcOf({ 2: encodeCbor(-1) })))), 'kind -1 (not unsigned)');
  malformed('malformed-dose-text', rawCert(P, rawMap(replaceValue(-100, hcOf({ 3: encodeCbor('2') })))), 'dose as text "2"');
  malformed('malformed-date-negative', rawCert(P, rawMap(replaceValue(-100, hcOf({ 5: encodeCbor(-5) })))), 'date -5 (not unsigned)');
  malformed('malformed-product-33', rawCert(P, rawMap(replaceValue(-100, hcOf({}, [[key(6), encodeCbor('P'.repeat(33))]])))),
    'product of 33 bytes');
  malformed('malformed-cti-17', rawCert(P, rawMap(replaceValue(7, encodeCbor(id('cti 17', 17))))), 'cti of 17 bytes');
  malformed('malformed-cti-empty', rawCert(P, rawMap(replaceValue(7, encodeCbor(new Uint8Array(0))))), 'cti of 0 bytes');
  malformed('malformed-cti-text', rawCert(P, rawMap(replaceValue(7, encodeCbor('cti')))), 'cti as text');
  malformed('malformed-iss-65', rawCert(P, rawMap(replaceValue(1, encodeCbor('I'.repeat(65))))), 'iss of 65 bytes');
  malformed('malformed-iss-bytes', rawCert(P, rawMap(replaceValue(1, encodeCbor(utf8('issuer'))))), 'iss as bytes, not text');
  malformed('malformed-exp-negative', rawCert(P, rawMap(replaceValue(4, encodeCbor(-1)))), 'exp -1 (not unsigned)');
  malformed('malformed-exp-text', rawCert(P, rawMap(replaceValue(4, encodeCbor('2022-08-02')))), 'exp as text');
  malformed('malformed-nbf-text', rawCert(P, rawMap([...E.slice(0, 2), [key(5), encodeCbor('now')], ...E.slice(2)])), 'nbf as text');
  malformed('malformed-exp-bool', rawCert(P, rawMap(replaceValue(4, new Uint8Array([0xf5])))), 'exp as true');
  malformed('malformed-exp-null', rawCert(P, rawMap(replaceValue(4, new Uint8Array([0xf6])))), 'exp as null');

  // -- DIVOC samples (from data/divoc/samples)
  const sample = (f: string): string => fs.readFileSync(path.join(DATA, 'divoc', 'samples', f + '.qr.txt'), 'utf8').trim();
  const certId = (f: string): string => (divoc.samples.find((s: any) => s.file === f) || {}).certificateId;
  addText('ok-divoc', sample('dose2'), 'open', 'ok', 'PeduliLindungi sample dose2 (2 of 2, 2021-08-01)',
    { kid: divocKid, kidHex: hex(utf8(divocKid)), ctiHex: hex(utf8(certId('dose2'))) });
  addText('policy-divoc', sample('dose1'), 'deny', 'policy', 'PeduliLindungi sample dose1 (1 of 2, 2021-09-01)',
    { kid: divocKid, kidHex: hex(utf8(divocKid)), ctiHex: hex(utf8(certId('dose1'))) });
  addText('bad-signature-divoc', sample('tampered-dose'), 'deny', 'bad-signature', 'PeduliLindungi sample with the dose changed after signing',
    { kid: divocKid, kidHex: hex(utf8(divocKid)) });
  addText('malformed-divoc-base64', 'B64:' + sample('dose2').slice(4, 200) + '!!!', 'deny', 'malformed', 'B64: with characters outside base64');
  addText('malformed-divoc-zip', 'B64:' + Buffer.from('not a zip archive at all').toString('base64'), 'deny', 'malformed', 'B64: of bytes that are not a zip archive');

  for (const n of Object.keys(certs)) {
    const e = certs[n];
    if (e.text.startsWith('QG1:') && e.reason !== 'malformed' && e.reason !== 'unsupported') {
      const len = Math.floor(((e.text.length - 4) * 2) / 3);
      if (len > 512) throw new Error(`${n}: over 512 bytes`);
    }
  }
  const certsJson = {
    about: 'QG1/DIVOC texts and the decision spec/qg1.md section 4 gives for each, made by tools/make-fixtures.ts. ' +
      'Defaults: clock, config and trust below; an entry may override config/trust (file names in this folder) ' +
      'or set clock null (a gate whose clock was never set). kid is the issuer kid as text, kidHex its bytes, ctiHex the cti.',
    clock: CLOCK,
    config: 'gate.json',
    trust: 'trust.bin',
    certs,
  };
  files['fixtures/certs.json'] = Buffer.from(JSON.stringify(certsJson, null, 2) + '\n');

  // -- scenarios: one per entry except the finer malformed variants (certs.json covers those)
  const SCENARIO_MALFORMED = ['malformed', 'malformed-clock-unset', 'malformed-trailing', 'malformed-oversize', 'malformed-sig-63',
    'malformed-indefinite-map', 'malformed-duplicate-key', 'malformed-float', 'malformed-tag-inside', 'malformed-depth',
    'malformed-kid-missing', 'malformed-alg-wrong', 'malformed-crit', 'malformed-divoc-zip'];
  const LED: { [d: string]: string } = { open: 'green', deny: 'red', attendant: 'amber' };
  for (const n of Object.keys(certs)) {
    const e = certs[n];
    if (e.reason === 'malformed' && SCENARIO_MALFORMED.indexOf(n) < 0) continue;
    const sc: any = {
      description: `${n}: ${e.note} -> ${e.decision}/${e.reason}`,
      config: '../fixtures/' + (e.config || 'gate.json'),
      trust: '../fixtures/' + (e.trust || 'trust.bin'),
    };
    if (e.clock !== null) sc.clock = e.clock || CLOCK;
    const steps: any[] = [
      { scan: e.text },
      { wait: 300 },
      { expect: { decision: e.decision, reason: e.reason, relay: e.decision === 'open', led: LED[e.decision] } },
      { wait: 3000 },
      { expect: { relay: false } },
    ];
    sc.steps = steps;
    files['scenarios/' + n + '.json'] = Buffer.from(JSON.stringify(sc, null, 2) + '\n');
  }
  return files;
}

export function writeAll(dir: string): string[] {
  const files = generate();
  const names = Object.keys(files).sort();
  for (const rel of names) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, files[rel]);
  }
  return names;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  let out = path.join(REPO, 'test');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = path.resolve(args[++i]);
    else { process.stderr.write('usage: make-fixtures [--out DIR]\n'); process.exit(2); }
  }
  const names = writeAll(out);
  process.stdout.write(`wrote ${names.length} files under ${out}\n`);
}
