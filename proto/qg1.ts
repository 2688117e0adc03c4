// QG1 certificates (docs/qg1.md sections 1 and 2): "QG1:" + base45(COSE_Sign1), payload
// a CWT claims map with the health claim under -100.
//
// Choices the spec leaves open, made here:
//  - decodeQg1 takes the text AFTER the "QG1:" prefix (the caller dispatches on the prefix);
//  - kind is any unsigned number: 0..3 have meanings; another kind is well formed, and the
//    gate's policy refuses it (reason `policy`: spec/qg1.md lists no type rule it breaks);
//  - dose/series are required for kind 0 and type-checked (unsigned) when present otherwise;
//  - unknown claim keys (integer or not) and unknown health-claim keys are ignored, but their
//    values must still be valid strict CBOR;
//  - text fields (iss, product) are byte strings of validated UTF-8; limits are in bytes.
// Byte fields (cti, sub) are views into the decoded message (see cose.ts).

import { qgError } from './error';
import { base45Decode } from './base45';
import { decodeCbor, cborGet, isCborMap, CborMap } from './cbor';
import { decodeCoseSign1, CoseSign1, COSE_MAX_BYTES } from './cose';

// The registry's prefix of FORMAT_QG1 (proto/formats.ts; test/proto/formats.test.ts checks they agree).
// A literal: a call here would run at load time, before the bundle's last statement (qrgate flash).
export var QG1_PREFIX = 'QG1:';

export var CLAIM_ISS = 1;
export var CLAIM_EXP = 4;
export var CLAIM_NBF = 5;
export var CLAIM_IAT = 6;
export var CLAIM_CTI = 7;
export var CLAIM_HC = -100;
export var HC_SUB = 1;
export var HC_KIND = 2;
export var HC_DOSE = 3;
export var HC_SERIES = 4;
export var HC_DATE = 5;
export var HC_PRODUCT = 6;

export var KIND_VACCINATION = 0;
export var KIND_TEST = 1;
export var KIND_RECOVERY = 2;
export var KIND_EXEMPTION = 3;

export interface Qg1Claims {
  iss?: string;
  exp: number;
  nbf?: number;
  iat: number;
  cti: Uint8Array;
  sub: Uint8Array;
  kind: number;
  dose?: number;
  series?: number;
  date: number;
  product?: string;
}

export interface Qg1 {
  cose: CoseSign1;
  claims: Qg1Claims;
}

function fail(msg: string): never {
  throw qgError('qg1: ' + msg);
}

function isUint(v: any): boolean {
  return typeof v === 'number' && v >= 0;
}

function getUint(m: CborMap, key: number, name: string, required: boolean): number | undefined {
  var v = cborGet(m, key);
  if (v === undefined) {
    if (required) fail(name + ' missing');
    return undefined;
  }
  if (!isUint(v)) fail(name + ' is not unsigned');
  return v;
}

function getBytes(m: CborMap, key: number, name: string, min: number, max: number): Uint8Array {
  var v = cborGet(m, key);
  if (v === undefined) fail(name + ' missing');
  if (!(v instanceof Uint8Array)) fail(name + ' is not bytes');
  if (v.length < min || v.length > max) fail(name + ' length');
  return v;
}

function getText(m: CborMap, key: number, name: string, max: number): string | undefined {
  var v = cborGet(m, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(name + ' is not text');
  if (v.length > max) fail(name + ' too long');
  return v;
}

/** The claims of a QG1 payload (CBOR bytes of the claims map); throws Error when malformed. */
export function decodeQg1Claims(payload: Uint8Array): Qg1Claims {
  var m = decodeCbor(payload, { maxItems: QG1_MAX_CLAIM_ITEMS });
  if (!isCborMap(m)) fail('payload is not a map');
  var hc = cborGet(m, CLAIM_HC);
  if (hc === undefined) fail('hc missing');
  if (!isCborMap(hc)) fail('hc is not a map');
  var claims: Qg1Claims = {
    exp: getUint(m, CLAIM_EXP, 'exp', true) as number,
    iat: getUint(m, CLAIM_IAT, 'iat', true) as number,
    cti: getBytes(m, CLAIM_CTI, 'cti', 1, 16),
    sub: getBytes(hc, HC_SUB, 'sub', 1, 32),
    kind: getUint(hc, HC_KIND, 'kind', true) as number,
    date: getUint(hc, HC_DATE, 'date', true) as number,
  };
  var iss = getText(m, CLAIM_ISS, 'iss', 64);
  if (iss !== undefined) claims.iss = iss;
  var nbf = getUint(m, CLAIM_NBF, 'nbf', false);
  if (nbf !== undefined) claims.nbf = nbf;
  var vacc = claims.kind === KIND_VACCINATION;
  var dose = getUint(hc, HC_DOSE, 'dose', vacc);
  if (dose !== undefined) claims.dose = dose;
  var series = getUint(hc, HC_SERIES, 'series', vacc);
  if (series !== undefined) claims.series = series;
  var product = getText(hc, HC_PRODUCT, 'product', 32);
  if (product !== undefined) claims.product = product;
  return claims;
}

/** A QG1 certificate from its COSE_Sign1 bytes (at most 512); signature NOT checked. */
export function decodeQg1Bytes(cose: Uint8Array): Qg1 {
  var c = decodeCoseSign1(cose, { maxItems: QG1_MAX_ITEMS });
  return { cose: c, claims: decodeQg1Claims(c.payload) };
}

/**
 * Most CBOR data items in a QG1 message's COSE_Sign1 around its payload (QG1_MAX_ITEMS: the array,
 * its four items and the unprotected header's contents), and in its payload (QG1_MAX_CLAIM_ITEMS):
 * more is malformed ("cbor: too many items"). Not in qg1.md: implementation limits that bound the
 * memory an unsigned message can take before its signature is checked (a 512-byte array of 509
 * one-byte items took about 1,000 variables; README "Limits on unsigned input"). A certificate has
 * 5 items around its payload and about 25 in it.
 */
export var QG1_MAX_ITEMS = 16;
export var QG1_MAX_CLAIM_ITEMS = 48;

/** Longest base45 text of a message of at most COSE_MAX_BYTES (512 -> 768 chars). */
export var QG1_MAX_TEXT = (COSE_MAX_BYTES / 2) * 3;

/**
 * A QG1 certificate from the QR text AFTER the "QG1:" prefix (or from char `start` of the whole
 * text: the prefix's length); throws Error when malformed.
 * The signature is NOT checked: verify sigStructureOf(result.cose) with the issuer key.
 */
export function decodeQg1(text: string, start?: number): Qg1 {
  // Refuse an oversized text before decoding it (a 512-byte message is at most 768 chars).
  if (text.length - (start || 0) > QG1_MAX_TEXT) fail('message too large');
  return decodeQg1Bytes(base45Decode(text, start));
}

/** True when the scanned text starts with "QG1:". */
export function hasQg1Prefix(text: string): boolean {
  return text.length >= QG1_PREFIX.length && text.substring(0, QG1_PREFIX.length) === QG1_PREFIX;
}
