// Repeat visitors: a certificate whose exact bytes were seen recently, and whose signature then
// verified under a trusted key, is decided again without parsing or verifying it again.
//
// Safety rules:
//  - only a verified signature is remembered: a text that was malformed, unknown or forged is
//    never cached, so it is checked in full every time;
//  - the key is SHA-256 of the whole scanned text: two texts share an entry only if they are the
//    same bytes;
//  - every check after the signature (key window, nbf/exp, revocation, stale trust, policy) runs
//    again on each scan, with the current time: a cached certificate that expired is refused;
//  - the cache belongs to one trust bundle: a new bundle empties it (`reset`);
//  - it is bounded (least recently used entries go first) and lives in RAM only.
import { Parsed } from './decide';
import { TrustKey } from '../proto/trustbundle';
import { bytesEqual } from '../proto/bytes';

export interface CacheEntry {
  digest: Uint8Array;
  parsed: Parsed;
  key: TrustKey;
}

export class VerifiedCache {
  size: number;
  entries: CacheEntry[];
  hits: number;
  misses: number;

  constructor(size: number) {
    this.size = size;
    this.entries = [];
    this.hits = 0;
    this.misses = 0;
  }

  /** The entry for this digest, moved to the front, or null. */
  lookup(digest: Uint8Array): CacheEntry | null {
    for (var i = 0; i < this.entries.length; i++) {
      var e = this.entries[i];
      if (bytesEqual(e.digest, digest)) {
        if (i) {
          this.entries.splice(i, 1);
          this.entries.unshift(e);
        }
        this.hits++;
        return e;
      }
    }
    this.misses++;
    return null;
  }

  /** Remember a certificate whose signature verified under `key`. Copies what it keeps. */
  store(digest: Uint8Array, p: Parsed, key: TrustKey): void {
    if (this.size <= 0) return;
    // Keep only what the later checks read: small copies, not views into the scanned buffers.
    var kept: Parsed = {
      format: p.format, kid: new Uint8Array(p.kid), cti: new Uint8Array(p.cti), sub: new Uint8Array(p.sub),
      message: new Uint8Array(0), signature: new Uint8Array(0),
      kind: p.kind, date: p.date,
    };
    if (p.revocationIds) {
      kept.revocationIds = [];
      for (var i = 0; i < p.revocationIds.length; i++) kept.revocationIds.push(new Uint8Array(p.revocationIds[i]));
    }
    if (p.revoked !== undefined) kept.revoked = p.revoked; // same trust bundle: same answer
    if (p.nbf !== undefined) kept.nbf = p.nbf;
    if (p.exp !== undefined) kept.exp = p.exp;
    if (p.iat !== undefined) kept.iat = p.iat;
    if (p.dose !== undefined) kept.dose = p.dose;
    if (p.series !== undefined) kept.series = p.series;
    this.entries.unshift({ digest: new Uint8Array(digest), parsed: kept, key: key });
    while (this.entries.length > this.size) this.entries.pop();
  }

  /** Forget everything (a new trust bundle). */
  reset(): void {
    this.entries = [];
  }
}
