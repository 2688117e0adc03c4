// COSE_Sign1 (RFC 9052) as QG1 profiles it (host-side QG1 issuing: tools/issuer/index.ts)
import { Tag } from 'cbor-x';
import { KeyLike, sign, verify } from '../keys';
import { CborValue, encodeCbor, decodeCbor, cborProblem } from './cbor';


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
