// Host helpers for the DIVOC tests: build zip archives and QR texts, sign certificates the way
// DIVOC does (reference canonicalization by npm jsonld), read the samples.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import nacl from 'tweetnacl';
import { DATA, readSharedJson } from './shared';
import { divocDocumentLoader } from '../../tools/build/divoc-table';
import { crc32 } from '../../proto/zip';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const jsonld = require('jsonld');

export const SAMPLES = path.join(DATA, 'divoc', 'samples');
export const INDEX = readSharedJson('divoc/samples/index.json');
export const SAMPLE_PUB = new Uint8Array(Buffer.from(INDEX.publicKeyHex, 'hex'));

export function sampleText(name: string): string {
  return fs.readFileSync(path.join(SAMPLES, name + '.qr.txt'), 'utf8').trim();
}
export function sampleJson(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES, name + '.json'), 'utf8'));
}

export const loader = divocDocumentLoader();

/** jsonld.canonize (URDNA2015, N-Quads) with the stored contexts, as UTF-8 bytes. */
export async function refCanon(doc: any): Promise<Buffer> {
  const s: string = await jsonld.canonize(doc, { algorithm: 'URDNA2015', format: 'application/n-quads', documentLoader: loader });
  return Buffer.from(s, 'utf8');
}

export interface ZipOpts {
  name?: string;
  method?: number;
  flags?: number;
  crc?: number;
  usize?: number;
  extra?: Buffer;
  trailing?: Buffer;
  /** Replace the compressed data. */
  data?: Buffer;
}

/** A one-entry zip archive as DIVOC makes it (local header, data, central directory, end). */
export function makeZip(content: Buffer, o: ZipOpts = {}): Buffer {
  const name = Buffer.from(o.name ?? 'certificate.json');
  const method = o.method ?? 8;
  const data = o.data ?? (method === 8 ? zlib.deflateRawSync(content) : content);
  const crc = o.crc ?? crc32(new Uint8Array(content));
  const usize = o.usize ?? content.length;
  const flags = o.flags ?? 0;
  const extra = o.extra ?? Buffer.alloc(0);
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(20, 4);
  lh.writeUInt16LE(flags, 6);
  lh.writeUInt16LE(method, 8);
  lh.writeUInt32LE(crc, 14);
  lh.writeUInt32LE(data.length, 18);
  lh.writeUInt32LE(usize, 22);
  lh.writeUInt16LE(name.length, 26);
  lh.writeUInt16LE(extra.length, 28);
  const local = Buffer.concat([lh, name, extra, data]);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(0x0314, 4);
  cd.writeUInt16LE(20, 6);
  cd.writeUInt16LE(flags, 8);
  cd.writeUInt16LE(method, 10);
  cd.writeUInt32LE(crc, 16);
  cd.writeUInt32LE(data.length, 20);
  cd.writeUInt32LE(usize, 24);
  cd.writeUInt16LE(name.length, 28);
  cd.writeUInt32LE(0, 42);
  const central = Buffer.concat([cd, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(local.length, 16);
  return Buffer.concat([local, central, end, o.trailing ?? Buffer.alloc(0)]);
}

/** The text after `B64:` for a certificate JSON text. */
export function qrPayload(json: string | Buffer): string {
  return makeZip(Buffer.isBuffer(json) ? json : Buffer.from(json, 'utf8')).toString('base64');
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export const JWS_HEADER = b64url(Buffer.from('{"alg":"EdDSA","b64":false,"crit":["b64"]}'));

/** Signs cert (its proof without jws) as DIVOC does, with jsonld as the canonicalizer. */
export async function signDivoc(cert: any, secretKey: Uint8Array): Promise<any> {
  const doc = JSON.parse(JSON.stringify(cert));
  const proof = doc.proof;
  delete doc.proof;
  const options = Object.assign({ '@context': 'https://w3id.org/security/v2' }, proof);
  delete options.jws;
  const crypto = await import('crypto');
  const h = (b: Buffer) => crypto.createHash('sha256').update(b).digest();
  const data = Buffer.concat([Buffer.from(JWS_HEADER + '.'), h(await refCanon(options)), h(await refCanon(doc))]);
  const sig = nacl.sign.detached(new Uint8Array(data), secretKey);
  return Object.assign({}, cert, { proof: Object.assign({}, proof, { jws: JWS_HEADER + '..' + b64url(sig) }) });
}

/** JSON text with every non-ASCII char written as \u escapes (surrogate pairs for astral ones). */
export function asciiJson(v: any, indent?: number): string {
  return JSON.stringify(v, null, indent).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// ---- signed certificates and trust bundles for decision tests (swap, rearrangement, simulator) ----

/** A DIVOC test issuer key: verificationMethod did:indonesia, beside the samples' key. */
export const TEST_ISSUER = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(42));
export const DIVOC_KID = 'did:indonesia';
export const POLICY = { minDoses: 2, daysAfterLastDose: 14, testValidHours: 24, recoveryValidDays: 180, acceptExemptions: false };

/** A copy of the sample `base` changed by `mutate`, signed by TEST_ISSUER (JSON). */
export async function signedJson(mutate: (c: any) => void, base = 'dose2'): Promise<any> {
  const cert = sampleJson(base);
  delete cert.proof.jws;
  mutate(cert);
  return signDivoc(cert, TEST_ISSUER.secretKey);
}
/** A certificate JSON as QR text. */
export function divocText(cert: any): string {
  return 'B64:' + qrPayload(JSON.stringify(cert));
}
/** signedJson as QR text. */
export async function signedText(mutate: (c: any) => void, base = 'dose2'): Promise<string> {
  return divocText(await signedJson(mutate, base));
}

/**
 * A trust bundle (bytes, signed by test/fixtures/root.jwk as gate.json expects) trusting the
 * samples' key and TEST_ISSUER under did:indonesia, revoking these certificate ids.
 */
export function divocTrustBytes(revokedIds: string[]): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const issuer = require('../../tools/issuer');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const keys = require('../../tools/keys');
  const root = keys.readPrivateJwkFile(path.join(__dirname, '..', 'fixtures', 'root.jwk'));
  const bundle: any = {
    version: 1,
    iat: Date.parse('2021-09-01T00:00:00Z') / 1000,
    keys: [
      { kid: DIVOC_KID, alg: -8, key: SAMPLE_PUB, format: 'divoc' },
      { kid: DIVOC_KID, alg: -8, key: TEST_ISSUER.publicKey, format: 'divoc' },
    ],
  };
  if (revokedIds.length) bundle.revoked = revokedIds.map((id) => issuer.revocationPrefix(DIVOC_KID, id));
  return issuer.encodeTrustBundle(bundle, root);
}

/** A DIVOC case for the decision tests on the real interpreter (test/real/conformance.test.ts). */
export interface RearrangedCase { name: string; text: string; clock: string; decision: string; reason: string }

/**
 * Issue 17's DIVOC reproductions, to be decided with gate.json and divocTrustBytes(['100000001']):
 * values moved between fields that share a predicate (the signature still holds), and a dose date
 * with a +07:00 offset.
 */
export async function rearrangedCases(): Promise<RearrangedCase[]> {
  const at = '2021-09-27T08:00:00Z';
  const swapped = sampleJson('dose2');
  swapped.evidence[0].certificateId = 'TEST123';
  swapped.evidence[0].batch = ['100000001'];
  const recent = await signedJson((c) => { c.evidence[0].certificateId = 'C-2'; c.evidence[0].effectiveUntil = '2021-09-20'; });
  recent.evidence[0].effectiveUntil = ['2021-09-20'];
  const offset = await signedJson((c) => {
    c.evidence[0].certificateId = 'C-3';
    c.evidence[0].date = '2021-08-01T05:00:00+07:00';
    c.evidence[0].effectiveStart = c.evidence[0].effectiveUntil = '2021-07-01';
  });
  const fewer = sampleJson('dose1'); // 1 of 2: the doses as one array
  fewer.evidence[0].totalDoses = [2, 1];
  delete fewer.evidence[0].dose;
  return [
    { name: 'divoc-revoked-sample', text: divocText(sampleJson('dose2')), clock: at, decision: 'deny', reason: 'revoked' },
    { name: 'divoc-revoked-id-moved-to-batch-array', text: divocText(swapped), clock: at, decision: 'deny', reason: 'revoked' },
    { name: 'divoc-recent-date-in-array', text: divocText(recent), clock: at, decision: 'deny', reason: 'policy' },
    { name: 'divoc-doses-as-one-array', text: divocText(fewer), clock: at, decision: 'deny', reason: 'policy' },
    { name: 'divoc-offset-plus7-day-13', text: divocText(offset), clock: '2021-08-14T12:00:00Z', decision: 'deny', reason: 'policy' },
    { name: 'divoc-offset-plus7-day-14', text: divocText(offset), clock: '2021-08-15T00:00:01Z', decision: 'open', reason: 'ok' },
  ];
}
