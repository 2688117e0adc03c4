// A scanned text read into the fields the decision needs, the same for every format. The format
// comes from the registry (proto/formats.ts); each format's parser entry is its branch below, a
// build flag first so that a board built without the format drops its parser (QG_DIVOC: the DIVOC
// reader, a lazy part that exists only during a call).
import { decodeQg1, Qg1Claims } from '../proto/qg1';
import { sigStructureOf } from '../proto/cose';
import { readDivoc } from './divoc-read';
import type { NativeInflate } from '../proto/zip';
import { formatOfText, FORMAT_PREFIX_LENGTH, FORMAT_QG1, FORMAT_DIVOC, FORMAT_NAMES } from '../proto/formats';
import { QG_DIVOC, QG_JS_INFLATE } from './build-flags';

/**
 * What the checks after the signature read: the certificate's claims, the same for every format.
 * The repeat-visitor cache (firmware/cache.ts) keeps exactly this (copied) for a verified text.
 */
export interface Claims {
  /** The format's name (FORMAT_NAMES, proto/formats.ts). */
  format: string;
  kid: Uint8Array;
  cti: Uint8Array;
  sub: Uint8Array;
  nbf?: number;
  exp?: number;
  /** Issue time (QG1 iat, DIVOC issuanceDate), seconds since 1970. */
  iat?: number;
  kind: number;
  dose?: number;
  series?: number;
  date: number;
}

/** A parsed certificate: its claims, what its signature covers, and its revocation ids. */
export interface Parsed extends Claims {
  message: Uint8Array;
  signature: Uint8Array;
  /** Ids to look up in the revocation list (DIVOC: every value bound like certificateId); default [cti]. */
  revocationIds?: Uint8Array[];
}

/**
 * The longest scanned text worth reading (the scanner's frame limit: longer frames are dropped as
 * too long, never buffered, and shown red) for a site's scanner.maxLen `maxLen`: that, except on a
 * board built without DIVOC (`divoc` false), where no text it can decide is longer than a QG1 one
 * (its prefix and QG1_MAX_TEXT: 772 chars). There it is at most FRAME_MAX_WITHOUT_DIVOC (1,024),
 * so that an oversized QG1 text still gets its reason (malformed) and a DIVOC text as short its
 * own (unsupported), and a longer text is not held to be refused: on the boards with the least
 * RAM a 4 KB text held is what runs out (README "Memory").
 */
export function frameLimit(maxLen: number, divoc: boolean): number {
  return divoc || maxLen < FRAME_MAX_WITHOUT_DIVOC ? maxLen : FRAME_MAX_WITHOUT_DIVOC;
}

/** frameLimit's bound on a board without DIVOC: above the longest QG1 text (772 chars). */
export var FRAME_MAX_WITHOUT_DIVOC = 1024;

/**
 * Parse a scanned text into the common fields; throws on malformed input, returns null if
 * unsupported: neither format, a DIVOC text in a firmware built without DIVOC, or in one built
 * without the JavaScript inflate when `inflate` (the native one) is null (firmware/main.ts: it
 * is null when the native inflate or DIVOC's table file failed at boot).
 */
export function parseScan(text: string, sha256: (d: Uint8Array) => Uint8Array, inflate?: NativeInflate | null, sha256Text?: ((text: string) => Uint8Array) | null): Parsed | null {
  var f = formatOfText(text);
  if (f === FORMAT_QG1) {
    var q = decodeQg1(text, FORMAT_PREFIX_LENGTH);
    var c: Qg1Claims = q.claims;
    return {
      format: FORMAT_NAMES[f], kid: q.cose.kid, cti: c.cti, sub: c.sub, message: sigStructureOf(q.cose),
      signature: q.cose.signature, nbf: c.nbf, exp: c.exp, iat: c.iat, kind: c.kind, dose: c.dose, series: c.series, date: c.date,
    };
  }
  // not built in, or (a firmware without the JavaScript inflate) no native inflate: 'unsupported'
  if (QG_DIVOC && f === FORMAT_DIVOC && (QG_JS_INFLATE || inflate)) {
    var d = readDivoc(text.substr(FORMAT_PREFIX_LENGTH), sha256, inflate, sha256Text);
    return {
      format: FORMAT_NAMES[f], kid: d.kid, cti: d.cti, sub: d.claims.sub, message: d.signingInput, signature: d.signature,
      revocationIds: d.revocationIds, iat: d.claims.iat,
      kind: d.claims.kind, dose: d.claims.dose, series: d.claims.series, date: d.claims.date,
    };
  }
  return null;
}
