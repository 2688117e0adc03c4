// The decision of spec/qg1.md section 4: every scanned text ends in exactly one decision with one
// reason, checked in the spec's order. Plain functions over bytes and numbers: no IO.
// decide() returns everything it found (the Decision); it writes nothing into its arguments but
// the repeat-visitor cache it is given.
import { Policy } from './config';
import { TrustBundle, TrustKey, findKeys, isRevoked, revocationPrefix, REVOCATION_PREFIX_BYTES } from '../proto/trustbundle';
import { formatOfText, FORMAT_NAMES, FORMAT_DIVOC } from '../proto/formats';
import { QG_DIVOC, QG_JS_INFLATE } from './build-flags';
import { byteStringToBytes } from '../proto/bytes';
import { Claims, Parsed, parseScan } from './parse';
import { VerifiedCache } from './cache';
import type { NativeInflate } from '../proto/zip';

export type Verdict = 'open' | 'deny' | 'attendant';

export interface Decision {
  decision: Verdict;
  reason: string;
  /** The format's name (proto/formats.ts: 'qg1', 'divoc'), or '' (not recognised). */
  format: string;
  /** The kid the certificate names (bytes), when it could be read. */
  kid: Uint8Array | null;
  /** Certificate id (QG1 cti; DIVOC evidence[0].certificateId as UTF-8), when read. */
  cti: Uint8Array | null;
  /** Pseudonymous subject id (QG1 sub; DIVOC credentialSubject.id as UTF-8), when read. */
  sub: Uint8Array | null;
  /** A short explanation for people; never names, NIK, addresses or birth dates. */
  detail: string;
  /**
   * The trusted key the certificate's signature verified under (on a repeat visit: the one it
   * verified under then); null when the decision came before a signature verified.
   */
  key: TrustKey | null;
  /** Whether the repeat-visitor cache answered (the text was not parsed nor its signature checked). */
  cached: boolean;
  /** Whether the trust bundle revokes the certificate; null when the decision came before that check. */
  revoked: boolean | null;
}

export interface DecideContext {
  /** Seconds since 1970, or null when the gate does not know the time. */
  now: number | null;
  trust: TrustBundle | null;
  policy: Policy;
  verify: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;
  sha256: (data: Uint8Array) => Uint8Array;
  /**
   * SHA-256 of the scanned byte string as it is (Hashes.sha256Text), the repeat-visitor cache's
   * key: a board's native hash takes the string without a copy into bytes. Default: `sha256` of
   * its bytes.
   */
  sha256Text?: (text: string) => Uint8Array;
  /** A board's native inflate for DIVOC's zip (firmware/native-inflate.ts); default proto/inflate.ts. */
  inflate?: NativeInflate | null;
  /** Repeat visitors (firmware/cache.ts): used only for texts verified under this same `trust`. */
  cache?: VerifiedCache;
  /**
   * Called once the cache did not answer (or was not asked), before the text is parsed: the gate
   * frees memory for the decision there (firmware/gate.ts). Its errors are ignored.
   */
  beforeParse?: (text: string) => void;
}

/** Seconds in a day. */
var DAY = 86400;

/**
 * How far in the future (seconds) an issue time or a test/recovery/exemption date may lie, for
 * the clocks of issuer and gate to disagree a little: 300 s (the 5 minutes JWT validators commonly
 * allow). Beyond it a certificate is refused: one issued after now is `not-yet-valid`; a test,
 * recovery or exemption dated after today is `policy` (it could otherwise stay valid for as long
 * as its date lies ahead). See README "Dates in the future".
 */
export var CLOCK_SKEW = 300;

function result(v: Verdict, reason: string, p: Claims | null, detail: string): Decision {
  return {
    decision: v, reason: reason, format: p ? p.format : '', kid: p ? p.kid : null,
    cti: p ? p.cti : null, sub: p ? p.sub : null, detail: detail, key: null, cached: false, revoked: null,
  };
}

/** The health-claim policy (spec/qg1.md section 4). Returns '' when met, else why not. */
export function policyCheck(p: Claims, now: number, pol: Policy): { verdict: Verdict; detail: string } {
  var day0 = p.date * DAY;
  switch (p.kind) {
    case 0: {
      var dose = p.dose || 0;
      if (dose < pol.minDoses) return { verdict: 'deny', detail: 'vaccination: ' + dose + ' dose(s), policy needs ' + pol.minDoses };
      if (now < day0 + pol.daysAfterLastDose * DAY) {
        return { verdict: 'deny', detail: 'vaccination: last dose less than ' + pol.daysAfterLastDose + ' days ago' };
      }
      return { verdict: 'open', detail: 'vaccination: ' + dose + ' dose(s)' };
    }
    case 1:
      if (now + CLOCK_SKEW < day0) return { verdict: 'deny', detail: 'negative test dated in the future' };
      if (now < day0 + pol.testValidHours * 3600) return { verdict: 'open', detail: 'negative test' };
      return { verdict: 'deny', detail: 'negative test older than ' + pol.testValidHours + ' hours' };
    case 2:
      if (now + CLOCK_SKEW < day0) return { verdict: 'deny', detail: 'recovery dated in the future' };
      if (now < day0 + pol.recoveryValidDays * DAY) return { verdict: 'open', detail: 'recovery' };
      return { verdict: 'deny', detail: 'recovery older than ' + pol.recoveryValidDays + ' days' };
    case 3:
      if (now + CLOCK_SKEW < day0) return { verdict: 'attendant', detail: 'medical exemption starting in the future: ask the attendant' };
      if (pol.acceptExemptions) return { verdict: 'open', detail: 'medical exemption accepted' };
      return { verdict: 'attendant', detail: 'medical exemption: ask the attendant' };
  }
  return { verdict: 'deny', detail: 'unknown certificate kind' };
}

/**
 * The checks after the signature, in the spec's order, on a certificate whose signature verified
 * under `key` (a trusted key of ctx.trust): key window, validity dates, revocation (`prefixes`:
 * its revocation prefixes, concatenated; null when ctx.trust has no revoked list), stale trust,
 * policy.
 */
function afterSignature(p: Claims, key: TrustKey, prefixes: Uint8Array | null, ctx: DecideContext, now: number): Decision {
  if ((key.nbf !== undefined && now < key.nbf) || (key.exp !== undefined && now >= key.exp)) {
    return result('deny', 'key-expired', p, 'the issuer key is not valid now');
  }
  if (p.nbf !== undefined && now < p.nbf) return result('deny', 'not-yet-valid', p, 'certificate not valid yet');
  if (p.iat !== undefined && p.iat > now + CLOCK_SKEW) return result('deny', 'not-yet-valid', p, 'certificate issued in the future');
  if (p.exp !== undefined && now >= p.exp) return result('deny', 'expired', p, 'certificate expired');
  var trust = ctx.trust as TrustBundle;
  var revoked = false;
  for (var r = 0; prefixes && r < prefixes.length && !revoked; r += REVOCATION_PREFIX_BYTES) {
    revoked = isRevoked(trust, prefixes.subarray(r, r + REVOCATION_PREFIX_BYTES));
  }
  var d: Decision;
  if (revoked) d = result('deny', 'revoked', p, 'certificate revoked');
  else if (trust.maxAge !== undefined && now > trust.iat + trust.maxAge) {
    d = result('attendant', 'stale-trust', p, 'trust list is out of date');
  } else {
    var pc = policyCheck(p, now, ctx.policy);
    d = result(pc.verdict, pc.verdict !== 'open' ? 'policy' : 'ok', p, pc.detail);
  }
  d.revoked = revoked;
  return d;
}

/** The whole decision on one scanned text. Never throws. */
export function decide(text: string, ctx: DecideContext): Decision {
  var now = ctx.now;
  var trust = ctx.trust;
  var cache = ctx.cache;
  var digest: Uint8Array | null = null;
  var d: Decision;
  if (cache && now !== null && trust) {
    try {
      digest = ctx.sha256Text ? ctx.sha256Text(text) : ctx.sha256(byteStringToBytes(text));
      var hit = cache.lookup(digest, trust);
      if (hit) {
        d = afterSignature(hit.claims, hit.key, hit.revocation, ctx, now);
        d.key = hit.key;
        d.cached = true;
        return d;
      }
    } catch (e) {
      digest = null;
    }
  }
  if (ctx.beforeParse) {
    try { ctx.beforeParse(text); } catch (e) { /* (only memory given back: the decision goes on) */ }
  }
  var p: Parsed | null;
  try {
    p = parseScan(text, ctx.sha256, ctx.inflate, ctx.sha256Text);
  } catch (e) {
    d = result('deny', 'malformed', null, 'malformed certificate');
    d.format = FORMAT_NAMES[formatOfText(text)];
    return d;
  }
  if (!p) {
    // (a DIVOC text that a firmware without the JavaScript inflate cannot read: its native inflate
    // or table file failed at boot, where the `inflate` or `divoc` fault says why)
    return result('deny', 'unsupported', null, QG_DIVOC && !QG_JS_INFLATE && !ctx.inflate && formatOfText(text) === FORMAT_DIVOC ?
      'DIVOC cannot be read: see the boot fault (inflate or divoc-table)' : 'not a certificate this gate reads');
  }
  if (now === null) return result('attendant', 'clock-unset', p, 'the gate does not know the time');
  try {
    // Several entries may share a kid (key rotation): the one whose signature verifies counts.
    var keys: TrustKey[] = trust ? findKeys(trust, p.kid, p.format) : [];
    if (!keys.length) return result('deny', 'unknown-key', p, 'no trusted ' + p.format + ' key with this kid');
    var key: TrustKey | null = null;
    for (var i = 0; i < keys.length && !key; i++) if (ctx.verify(keys[i].key, p.message, p.signature)) key = keys[i];
    if (!key) return result('deny', 'bad-signature', p, 'signature does not verify');
    var tb = trust as TrustBundle;
    var prefixes: Uint8Array | null = null;
    if (tb.revoked) {
      var ids = p.revocationIds || [p.cti];
      prefixes = new Uint8Array(ids.length * REVOCATION_PREFIX_BYTES);
      for (var r = 0; r < ids.length; r++) prefixes.set(revocationPrefix(p.kid, ids[r], ctx.sha256), r * REVOCATION_PREFIX_BYTES);
    }
    d = afterSignature(p, key, prefixes, ctx, now);
    if (digest && cache) cache.store(digest, tb, p, key, prefixes);
    d.key = key;
    return d;
  } catch (e) {
    // A fault in the checks must never open the door.
    return result('deny', 'malformed', p, 'could not check the certificate');
  }
}
