// Repeat visitors: a certificate whose exact bytes were seen recently, and whose signature then
// verified under a trusted key, is decided again without parsing or verifying it again.
//
// Safety rules:
//  - only a verified signature is remembered: a text that was malformed, unknown or forged is
//    never cached, so it is checked in full every time;
//  - the key is SHA-256 of the whole scanned text: two texts share an entry only if they are the
//    same bytes;
//  - every check after the signature (key window, nbf/exp, revocation, stale trust, policy) runs
//    again on each scan, with the current time and the current trust bundle: a cached
//    certificate that expired, or whose key's window closed, is refused;
//  - the cache belongs to one trust bundle: an entry answers only for the very bundle its key came
//    from (another bundle empties the cache on the next lookup, and `reset` empties it at once),
//    so a key no longer trusted or a revoked list that changed is never answered from memory;
//  - it is bounded (least recently used entries go first) and lives in RAM only; it also gives
//    entries back, least recently used first, when a decision needs the memory (firmware/gate.ts:
//    a board's MemReserve), so it never makes a decision run out.
//
// What an entry keeps is what a repeat visit needs and no more: the claims the checks read (small
// copies, not views into the scanned text), the key it verified under, and its revocation prefixes
// (8 bytes each, computed once; none when the bundle revokes nothing): not the signed message, the
// signature or the revocation ids.
import { Claims } from './parse';
import { TrustBundle, TrustKey } from '../proto/trustbundle';
import { bytesEqual } from '../proto/bytes';

export interface CacheEntry {
  digest: Uint8Array;
  claims: Claims;
  key: TrustKey;
  /** The certificate's revocation prefixes, concatenated; null when the bundle has no revoked list. */
  revocation: Uint8Array | null;
}

export class VerifiedCache {
  size: number;
  entries: CacheEntry[];
  hits: number;
  misses: number;
  /** The bundle the entries belong to (unset: none yet; not set at boot: one variable less). */
  trust?: TrustBundle;

  constructor(size: number) {
    this.size = size;
    this.entries = [];
    this.hits = 0;
    this.misses = 0;
  }

  /** The entry for this digest verified under `trust`, moved to the front, or null. */
  lookup(digest: Uint8Array, trust: TrustBundle): CacheEntry | null {
    if (trust !== this.trust) this.reset();
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

  /**
   * Remember a certificate whose signature verified under `key`, a key of `trust`, with its
   * revocation prefixes (null when `trust` has no revoked list). Copies what it keeps.
   */
  store(digest: Uint8Array, trust: TrustBundle, p: Claims, key: TrustKey, revocation: Uint8Array | null): void {
    if (this.size <= 0) return;
    if (trust !== this.trust) {
      this.reset();
      this.trust = trust;
    }
    // The claims only (not the message, signature or revocation ids of a Parsed): byte fields as
    // small copies, not views into the scanned text.
    var kept: any = {};
    for (var k in p) {
      var v = (p as any)[k];
      if (v !== undefined && k !== 'message' && k !== 'signature' && k !== 'revocationIds') {
        kept[k] = v instanceof Uint8Array ? new Uint8Array(v) : v;
      }
    }
    this.entries.unshift({ digest: new Uint8Array(digest), claims: kept, key: key, revocation: revocation });
    while (this.entries.length > this.size) this.entries.pop();
  }

  /** Forget the least recently used entry (memory for a decision: firmware/gate.ts); false when empty. */
  evict(): boolean {
    if (!this.entries.length) return false;
    this.entries.pop();
    return true;
  }

  /** Forget everything (a new trust bundle). */
  reset(): void {
    this.entries = [];
    this.trust = undefined;
  }
}
