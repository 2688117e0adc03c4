// Host-side builders of QG1 test messages, independent of the device codecs: CBOR by cbor-x,
// signatures by tweetnacl.
import nacl from 'tweetnacl';
import { Encoder } from 'cbor-x';

export const cborEncoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false } as any);

/** CBOR of a JS value (Map for maps, Uint8Array/Buffer for bytes, string for text). */
export function cbor(v: any): Uint8Array {
  return new Uint8Array(cborEncoder.encode(v));
}

export function keyPair(seedByte: number): nacl.SignKeyPair {
  return nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(seedByte));
}

export interface Sign1Spec {
  secretKey: Uint8Array;
  /** The protected header map (default {1: -8, 4: kid}). */
  protectedMap?: Map<any, any>;
  /** Raw protected bytes (overrides protectedMap). */
  protectedBytes?: Uint8Array;
  kid?: Uint8Array;
  unprotected?: Map<any, any>;
  payload: Uint8Array;
  /** Wrap in tag 18 (default true). */
  tag?: boolean;
  /** Replace the signature with these bytes. */
  signature?: Uint8Array;
}

/** The Sig_structure as cbor-x encodes it. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return cbor(['Signature1', Buffer.from(protectedBytes), Buffer.alloc(0), Buffer.from(payload)]);
}

/** A signed COSE_Sign1, encoded by cbor-x and signed by tweetnacl. */
export function sign1(s: Sign1Spec): Uint8Array {
  const kid = s.kid || new Uint8Array([0x6b, 0x31]);
  const prot = s.protectedBytes || cbor(s.protectedMap || new Map<any, any>([[1, -8], [4, Buffer.from(kid)]]));
  const sig = s.signature || nacl.sign.detached(sigStructure(prot, s.payload), s.secretKey);
  const arr = cbor([Buffer.from(prot), s.unprotected || new Map(), Buffer.from(s.payload), Buffer.from(sig)]);
  if (s.tag === false) return arr;
  const out = new Uint8Array(arr.length + 1);
  out[0] = 0xd2;
  out.set(arr, 1);
  return out;
}

export interface ClaimSpec {
  iss?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  cti?: Uint8Array;
  sub?: Uint8Array;
  kind?: number;
  dose?: number;
  series?: number;
  date?: number;
  product?: string;
}

export const DEFAULT_CLAIMS: ClaimSpec = {
  iss: 'Dinas Kesehatan',
  exp: 1767225600,
  nbf: 1704067200,
  iat: 1704067200,
  cti: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  sub: new Uint8Array(16).fill(0x5a),
  kind: 0,
  dose: 2,
  series: 2,
  date: 19700,
  product: 'EU/1/20/1528',
};

/** The claims map as a JS Map (undefined fields left out). `extra` adds/overrides raw entries. */
export function claimsMap(c: ClaimSpec, extra?: [any, any][], hcExtra?: [any, any][]): Map<any, any> {
  const hc = new Map<any, any>();
  if (c.sub !== undefined) hc.set(1, Buffer.from(c.sub));
  if (c.kind !== undefined) hc.set(2, c.kind);
  if (c.dose !== undefined) hc.set(3, c.dose);
  if (c.series !== undefined) hc.set(4, c.series);
  if (c.date !== undefined) hc.set(5, c.date);
  if (c.product !== undefined) hc.set(6, c.product);
  for (const [k, v] of hcExtra || []) hc.set(k, v);
  const m = new Map<any, any>();
  if (c.iss !== undefined) m.set(1, c.iss);
  if (c.exp !== undefined) m.set(4, c.exp);
  if (c.nbf !== undefined) m.set(5, c.nbf);
  if (c.iat !== undefined) m.set(6, c.iat);
  if (c.cti !== undefined) m.set(7, Buffer.from(c.cti));
  m.set(-100, hc);
  for (const [k, v] of extra || []) m.set(k, v);
  return m;
}
