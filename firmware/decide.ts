// The decision of spec/qg1.md section 4: every scanned text ends in exactly one decision with one
// reason, checked in the spec's order. Plain functions over bytes and numbers: no IO.
import { Policy } from './config';
import { decodeQg1, Qg1Claims } from '../proto/qg1';
import { sigStructureOf } from '../proto/cose';
import { TrustBundle, TrustKey, findKeys, isRevoked, revocationPrefix } from '../proto/trustbundle';
import { decodeDivoc } from '../proto/divoc/verify';
import { byteStringToBytes } from '../proto/bytes';
import { VerifiedCache } from './cache';
import { QG_DIVOC } from './build-flags';

export type Verdict = 'open' | 'deny' | 'attendant';

export interface Decision {
  decision: Verdict;
  reason: string;
  /** 'qg1', 'divoc' or '' (not recognised). */
  format: string;
  /** The kid the certificate names (bytes), when it could be read. */
  kid: Uint8Array | null;
  /** Certificate id (QG1 cti; DIVOC evidence[0].certificateId as UTF-8), when read. */
  cti: Uint8Array | null;
  /** Pseudonymous subject id (QG1 sub; DIVOC credentialSubject.id as UTF-8), when read. */
  sub: Uint8Array | null;
  /** A short explanation for people; never names, NIK, addresses or birth dates. */
  detail: string;
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
  /** Repeat visitors (firmware/cache.ts); must belong to `trust`. */
  cache?: VerifiedCache;
  /** Set by decide(): whether the last decision came from the cache. */
  cacheHit?: boolean;
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

/** The fields the checks after parsing need, the same for both formats. */
export interface Parsed {
  format: string;
  kid: Uint8Array;
  cti: Uint8Array;
  sub: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  /** Ids to look up in the revocation list (DIVOC: every value bound like certificateId). */
  revocationIds?: Uint8Array[];
  /** Whether the trust bundle revokes it, once looked up (kept by the repeat-visitor cache). */
  revoked?: boolean;
  nbf?: number;
  exp?: number;
  /** Issue time (QG1 iat, DIVOC issuanceDate), seconds since 1970. */
  iat?: number;
  kind: number;
  dose?: number;
  series?: number;
  date: number;
}

function result(v: Verdict, reason: string, p: Parsed | null, detail: string): Decision {
  return {
    decision: v, reason: reason, format: p ? p.format : '', kid: p ? p.kid : null,
    cti: p ? p.cti : null, sub: p ? p.sub : null, detail: detail,
  };
}

function startsWith(s: string, prefix: string): boolean {
  return s.substr(0, prefix.length) === prefix;
}

/** Parse a scanned text into the common fields; throws on malformed input, returns null if unsupported. */
export function parseScan(text: string, sha256: (d: Uint8Array) => Uint8Array): Parsed | null {
  if (startsWith(text, 'QG1:')) {
    var q = decodeQg1(text.substr(4));
    var c: Qg1Claims = q.claims;
    return {
      format: 'qg1', kid: q.cose.kid, cti: c.cti, sub: c.sub, message: sigStructureOf(q.cose),
      signature: q.cose.signature, nbf: c.nbf, exp: c.exp, iat: c.iat, kind: c.kind, dose: c.dose, series: c.series, date: c.date,
    };
  }
  if (QG_DIVOC && startsWith(text, 'B64:')) { // not built in: 'unsupported'
    var d = decodeDivoc(text.substr(4), sha256);
    return {
      format: 'divoc', kid: d.kid, cti: d.cti, sub: d.claims.sub, message: d.signingInput, signature: d.signature,
      revocationIds: d.revocationIds, iat: d.claims.iat,
      kind: d.claims.kind, dose: d.claims.dose, series: d.claims.series, date: d.claims.date,
    };
  }
  return null;
}

/** The health-claim policy (spec/qg1.md section 4). Returns '' when met, else why not. */
export function policyCheck(p: Parsed, now: number, pol: Policy): { verdict: Verdict; detail: string } {
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
 * Decide on an already parsed certificate (everything after "malformed" and "unsupported").
 * `verified`: the trusted key under which this very text's signature already verified (cache);
 * `onVerified` is told the key when a signature verifies here.
 */
export function decideParsed(p: Parsed, ctx: DecideContext, verified?: TrustKey | null,
  onVerified?: (key: TrustKey) => void): Decision {
  var now = ctx.now;
  if (now === null) return result('attendant', 'clock-unset', p, 'the gate does not know the time');
  var key: TrustKey | null = verified || null;
  if (!key) {
    // Several entries may share a kid (key rotation): the one whose signature verifies counts.
    var keys: TrustKey[] = ctx.trust ? findKeys(ctx.trust, p.kid, p.format) : [];
    if (!keys.length) return result('deny', 'unknown-key', p, 'no trusted ' + p.format + ' key with this kid');
    for (var i = 0; i < keys.length && !key; i++) if (ctx.verify(keys[i].key, p.message, p.signature)) key = keys[i];
    if (!key) return result('deny', 'bad-signature', p, 'signature does not verify');
    if (onVerified) onVerified(key);
  }
  if ((key.nbf !== undefined && now < key.nbf) || (key.exp !== undefined && now >= key.exp)) {
    return result('deny', 'key-expired', p, 'the issuer key is not valid now');
  }
  if (p.nbf !== undefined && now < p.nbf) return result('deny', 'not-yet-valid', p, 'certificate not valid yet');
  if (p.iat !== undefined && p.iat > now + CLOCK_SKEW) return result('deny', 'not-yet-valid', p, 'certificate issued in the future');
  if (p.exp !== undefined && now >= p.exp) return result('deny', 'expired', p, 'certificate expired');
  var trust = ctx.trust as TrustBundle;
  if (p.revoked === undefined) {
    p.revoked = false;
    var ids = trust.revoked ? p.revocationIds || [p.cti] : [];
    for (var r = 0; r < ids.length && !p.revoked; r++) p.revoked = isRevoked(trust, revocationPrefix(p.kid, ids[r], ctx.sha256));
  }
  if (p.revoked) return result('deny', 'revoked', p, 'certificate revoked');
  if (trust.maxAge !== undefined && now > trust.iat + trust.maxAge) {
    return result('attendant', 'stale-trust', p, 'trust list is out of date');
  }
  var pc = policyCheck(p, now, ctx.policy);
  if (pc.verdict !== 'open') return result(pc.verdict, 'policy', p, pc.detail);
  return result('open', 'ok', p, pc.detail);
}

/** The whole decision on one scanned text. Never throws. */
export function decide(text: string, ctx: DecideContext): Decision {
  var p: Parsed | null;
  ctx.cacheHit = false;
  var cache = ctx.cache;
  var digest: Uint8Array | null = null;
  if (cache && ctx.now !== null && ctx.trust) {
    try {
      digest = ctx.sha256Text ? ctx.sha256Text(text) : ctx.sha256(byteStringToBytes(text));
      var hit = cache.lookup(digest);
      if (hit) {
        ctx.cacheHit = true;
        return decideParsed(hit.parsed, ctx, hit.key);
      }
    } catch (e) {
      digest = null;
    }
  }
  try {
    p = parseScan(text, ctx.sha256);
  } catch (e) {
    var m = result('deny', 'malformed', null, 'malformed certificate');
    m.format = startsWith(text, 'QG1:') ? 'qg1' : 'divoc';
    return m;
  }
  if (!p) return result('deny', 'unsupported', null, 'not a certificate this gate reads');
  try {
    var verifiedKey: TrustKey | null = null;
    var d = decideParsed(p, ctx, null, function (key: TrustKey) { verifiedKey = key; });
    if (verifiedKey && digest && cache) cache.store(digest, p, verifiedKey);
    return d;
  } catch (e) {
    // A fault in the checks must never open the door.
    return result('deny', 'malformed', p, 'could not check the certificate');
  }
}
