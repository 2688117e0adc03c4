// PeduliLindungi (DIVOC) certificate reader (spec/qg1.md section 6): the text after `B64:` ->
// base64 -> zip -> certificate.json -> strict JSON over bytes -> canonical N-Quads of the proof
// options and of the document -> the Ed25519 signing input, the 64-byte signature, the key id,
// the certificate id and the health claim. Signature verification, the trust lookup and the
// policy are the caller's (firmware). Nothing that names the person (name, NIK, address, date of
// birth) is returned, and no error message quotes a field value.

import { qgError } from '../error';
import { base64Decode, base64UrlDecode, base64DecodeNative, base64UrlDecodeNative, NativeBase64 } from '../base64';
import { unzipCertificate, NativeInflate, NativeCrc32 } from '../zip';
import { parseJsonBytes, JsonObject, JsonValue } from '../json';
import { parseJsonNative, NativeJson } from '../jsonnative';
import { byteStringToBytes, concatBytes, indexOfText } from '../bytes';
import { canonicalHash, documentGraph, Graph, literalText, objectsAbout, proofOptionsGraph, Sha256 } from './nquads';

/** Longest `B64:` payload read (chars): scanner.maxLen's top; a real one has 1,152 (3.6x margin). */
export var DIVOC_MAX_TEXT = 4096;

/**
 * A board's own bounds, tighter than the global limits (boards/<name>.ts features.divocMax, through
 * firmware/build-flags.ts divocMax): `text` chars of the `B64:` payload (before base64), `inflated`
 * bytes of certificate.json (the zip's declared size, before inflating), `values` JSON values
 * (counted while parsing); 0 for the global limit. Past one: malformed, before its memory is spent.
 */
export interface DivocLimits { text: number; inflated: number; values: number }

export interface DivocClaims {
  kind: number;
  dose: number;
  series: number;
  /** Day of the last dose, days since 1970-01-01: the latest schema:date of the evidence (doseDay). */
  date: number;
  /** UTF-8 of credentialSubject.id. */
  sub: Uint8Array;
  /** issuanceDate in seconds since 1970. */
  iat: number;
}

export interface DivocCert {
  /** UTF-8 of proof.verificationMethod. */
  kid: Uint8Array;
  /** UTF-8 of evidence[0].certificateId (a label for logs: see revocationIds). */
  cti: Uint8Array;
  /**
   * Every non-empty value the signed statements give the evidence node under certificateId's
   * predicate (schema:id: batch, vaccine, manufacturer, icd11Code too; arrays included). The
   * signature does not say which field holds which, so a revocation check must try them all or a
   * swap would escape it.
   */
  revocationIds: Uint8Array[];
  /** The bytes the Ed25519 signature covers. */
  signingInput: Uint8Array;
  signature: Uint8Array;
  claims: DivocClaims;
}

/**
 * Espruino's built-ins on a board that has them (hal/espruino builtins(): atob, btoa,
 * E.toUint8Array, E.CRC32, E.toString, JSON, Object.keys/values): base64, the zip's CRC-32 and
 * the JSON natively, with the same answers as the TypeScript ones (proto/base64.ts, proto/zip.ts,
 * proto/json.ts through proto/jsonnative.ts), which run where they are absent.
 */
export interface DivocBuiltins extends NativeBase64, NativeJson {
  crc32: NativeCrc32;
}

var XSD_INTEGER = 'http://www.w3.org/2001/XMLSchema#integer';

function fail(what: string): never {
  throw qgError('divoc: ' + what);
}

function obj(v: JsonValue | undefined, what: string): JsonObject {
  if (!(v instanceof JsonObject)) fail(what + ' missing');
  return v as JsonObject;
}

function str(v: JsonValue | undefined, what: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(what + ' missing');
  return v as string;
}

function digits(s: string, at: number, n: number): number {
  var v = 0;
  for (var i = 0; i < n; i++) {
    var c = s.charCodeAt(at + i);
    if (!(c >= 48 && c <= 57)) fail('bad date');
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  var yy = m <= 2 ? y - 1 : y;
  var era = Math.floor(yy / 400);
  var yoe = yy - era * 400;
  var mp = m > 2 ? m - 3 : m + 9;
  var doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Seconds since 1970 of an ISO 8601 date `YYYY-MM-DD` (midnight UTC) or date-time
 * `YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)` (fractions are truncated). Throws otherwise.
 */
export function parseIsoSeconds(s: string): number {
  if (s.length < 10 || s.charAt(4) !== '-' || s.charAt(7) !== '-') fail('bad date');
  var y = digits(s, 0, 4);
  var mo = digits(s, 5, 2);
  var d = digits(s, 8, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) fail('bad date');
  var t = daysFromCivil(y, mo, d) * 86400;
  if (s.length === 10) return t;
  if (s.charAt(10) !== 'T' || s.length < 20 || s.charAt(13) !== ':' || s.charAt(16) !== ':') fail('bad date');
  var h = digits(s, 11, 2);
  var mi = digits(s, 14, 2);
  var se = digits(s, 17, 2);
  if (h > 23 || mi > 59 || se > 59) fail('bad date');
  var p = 19;
  if (s.charAt(p) === '.') {
    p++;
    var start = p;
    while (p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
    if (p === start || p - start > 9) fail('bad date');
  }
  var off = 0;
  var z = s.charAt(p);
  if (z === 'Z' && p + 1 === s.length) off = 0;
  else if ((z === '+' || z === '-') && p + 6 === s.length && s.charAt(p + 3) === ':') {
    var oh = digits(s, p + 1, 2);
    var om = digits(s, p + 4, 2);
    if (oh > 23 || om > 59) fail('bad date');
    off = (oh * 60 + om) * 60;
    if (z === '-') off = -off;
  } else fail('bad date');
  return t + h * 3600 + mi * 60 + se - off;
}

/**
 * The day (days since 1970-01-01) a dose date counts from: the later of the calendar day it writes
 * and the UTC day of its instant, so that an offset never shortens the wait (2021-08-01T05:00+07:00
 * is 2021-07-31 in UTC, but counts from 2021-08-01; 2021-08-01T20:00-05:00 counts from 2021-08-02).
 */
export function doseDay(s: string): number {
  var utc = Math.floor(parseIsoSeconds(s) / 86400);
  var local = daysFromCivil(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2));
  return local > utc ? local : utc;
}

/** The JWS of an Ed25519Signature2018 proof: detached, header exactly {alg EdDSA, b64 false, crit [b64]}. */
function parseJws(jws: string, nat: DivocBuiltins | null | undefined): { header: string; signature: Uint8Array } {
  var dot = indexOfText(jws, '..');
  if (dot <= 0) fail('bad jws');
  var h = jws.substring(0, dot);
  var s = jws.substring(dot + 2);
  if (h.indexOf('.') >= 0 || s.indexOf('.') >= 0) fail('bad jws');
  var header = nat ? parseJsonNative(base64UrlDecodeNative(h, nat), nat, 4) : parseJsonBytes(base64UrlDecode(h), 4);
  if (!(header instanceof JsonObject) || header.keys.length !== 3) fail('bad jws header');
  var ho = header as JsonObject;
  var crit = ho.get('crit');
  if (ho.get('alg') !== 'EdDSA' || ho.get('b64') !== false) fail('bad jws header');
  if (!(crit instanceof Array) || crit.length !== 1 || crit[0] !== 'b64') fail('bad jws header');
  var sig = nat ? base64UrlDecodeNative(s, nat) : base64UrlDecode(s);
  if (sig.length !== 64) fail('bad signature length');
  return { header: h, signature: sig };
}

/**
 * Reads a DIVOC certificate from the QR text after `B64:`. Throws Error when anything is
 * malformed or outside what the compiled contexts cover. `sha256` hashes the canonical N-Quads;
 * `inflate` is a board's native inflate (proto/zip.ts unzipCertificate); `nat` its built-ins.
 */
export function decodeDivoc(b64Text: string, sha256: Sha256, inflate?: NativeInflate | null, nat?: DivocBuiltins | null,
  max?: DivocLimits | null, sha256Text?: ((text: string) => Uint8Array) | null): DivocCert {
  if (b64Text.length > DIVOC_MAX_TEXT || (max && max.text && b64Text.length > max.text)) fail('too long');
  // (Memory: each stage's input is dropped as soon as the next stage has its output.)
  var zip: Uint8Array | null = nat ? base64DecodeNative(b64Text, nat) : base64Decode(b64Text);
  b64Text = '';
  var json: Uint8Array | null = unzipCertificate(zip, max && max.inflated || undefined, inflate, nat && nat.crc32);
  zip = null;
  var doc: JsonObject | null = obj(nat ? parseJsonNative(json, nat, undefined, max && max.values || undefined) : parseJsonBytes(json, undefined, max && max.values || undefined), 'document');
  json = null;
  var proof: JsonObject | null = obj(doc.get('proof'), 'proof');
  if (proof.get('type') !== 'Ed25519Signature2018') fail('unsupported proof type');
  var jws = parseJws(str(proof.get('jws'), 'jws'), nat);
  var toBytes = nat ? nat.bytes : null; // (E.toUint8Array: the canonical N-Quads made natively, nquads.ts canonicalBytes)
  nat = null; // (the built-ins are not needed past here: not held through the graphs)

  var subject: JsonObject | null = obj(doc.get('credentialSubject'), 'credentialSubject');
  var sub = byteStringToBytes(str(subject.get('id'), 'credentialSubject.id'));
  var iat = parseIsoSeconds(str(doc.get('issuanceDate'), 'issuanceDate'));
  var kid = byteStringToBytes(str(proof.get('verificationMethod'), 'verificationMethod'));
  var ev = doc.get('evidence');
  if (ev instanceof Array) {
    if (ev.length !== 1) fail('expected one evidence');
    ev = ev[0];
  }
  // The id a log names the certificate by (a label only: the signature does not say which
  // schema:id value is the certificateId; revocation checks them all, below).
  var cti = byteStringToBytes(str(obj(ev, 'evidence').get('certificateId'), 'certificateId'));

  // The document's statements, made while the JSON tree is emptied (no other reference into it is
  // left but the proof node, which they leave out), then their canonical N-Quads; the proof
  // options' last. (Memory: the largest working set of a check, the tree and a graph, is then never
  // held together with another graph or the tree's strings.)
  subject = null;
  ev = undefined;
  var document: Graph | null = documentGraph(doc, true);
  doc = null;

  // The health claim, read from the statements the signature covers about the evidence node (not
  // from the JSON: fields sharing a predicate can swap values, and "x", ["x"] and ["x", "x"] give
  // the same statements). Each predicate is read as the set of all its values, and the reading is
  // the one no rearrangement can loosen: every schema:id value (certificateId, batch, vaccine,
  // manufacturer, icd11Code) is looked up in the revocation list, the dose day is the latest
  // schema:date (date, effectiveStart, effectiveUntil), the dose the smallest schema:doseValue
  // (dose, totalDoses). A value of another kind (a number where an id is, ...) is refused.
  var vals = objectsAbout(document as Graph, '<https://www.w3.org/2018/credentials#evidence>',
    ['<https://schema.org/id>', '<https://schema.org/date>', '<https://schema.org/doseValue>']);
  if (!vals[1].length || !vals[2].length) fail('dose or date missing');
  var revocationIds: Uint8Array[] = [];
  var i;
  for (i = 0; i < vals[0].length; i++) {
    var id = literalText(vals[0][i], '');
    if (id.length) revocationIds.push(byteStringToBytes(id));
  }
  var date = -1e9;
  for (i = 0; i < vals[1].length; i++) {
    var day = doseDay(literalText(vals[1][i], ''));
    if (day > date) date = day;
  }
  var dose = 256;
  var series = -1;
  for (i = 0; i < vals[2].length; i++) {
    var t = literalText(vals[2][i], XSD_INTEGER);
    var n = parseInt(t, 10);
    if (!(n >= 0 && n <= 255) || String(n) !== t) fail('bad dose');
    if (n < dose) dose = n;
    if (n > series) series = n;
  }
  vals = [];
  var claims: DivocClaims = { kind: 0, dose: dose, series: series, date: date, sub: sub, iat: iat };
  // (sha256Text, with the built-ins: the canonical N-Quads hashed as text, never copied into bytes)
  var documentHash = canonicalHash(document as Graph, sha256, toBytes, sha256Text);
  document = null;
  var optionsHash = canonicalHash(proofOptionsGraph(proof), sha256, toBytes, sha256Text);
  proof = null;
  var signingInput = concatBytes([byteStringToBytes(jws.header + '.'), optionsHash, documentHash]);
  return { kid: kid, cti: cti, revocationIds: revocationIds, signingInput: signingInput, signature: jws.signature, claims: claims };
}
