// The payload scan: the bundle's payload checked one top-level item and one key entry at a time.
import { decodeCborItem, CborMap } from '../cbor';
import { TRUST_MAX_KEYS } from './types';
import { headArg, headEnd } from './cborhead';
import { decodeKeyEntry } from './keyentry';

export interface PayloadScan {
  /** The top-level pairs, with key 3 (the key array) left out: its entries are already checked. */
  map: CborMap;
  accepted: Uint8Array;
  keyCount: number;
  skipped: number;
}

// A checked head argument for scanPayload (null: let the whole-payload decoder judge).
function scanHead(b: Uint8Array, p: number, major: number): number | null {
  if (p >= b.length || b[p] >> 5 !== major || (b[p] & 31) >= 27) return null;
  var n = headArg(b, p);
  return headEnd <= b.length ? n : null;
}

// The payload checked one top-level item and one key entry at a time, so that a bundle of 64 keys
// is never decoded into objects all at once (a board's RAM). It accepts only what decodeCbor and
// decodeKeyEntry accept (each item is decoded by them, at the depth it has in the payload); for
// anything unusual (malformed or not: a non-integer or repeated top-level key, more than 64
// entries, ...) it returns null or throws, and decodeTrustPayload decodes the whole payload
// instead, which gives the same answer or the same error as before this scan existed.
export function scanPayload(b: Uint8Array): PayloadScan | null {
  var pairs = scanHead(b, 0, 5);
  if (pairs === null || pairs > (b.length - headEnd) / 2) return null;
  var p = headEnd;
  var map: CborMap = { keys: [], values: [] };
  var accepted: Uint8Array | null = null;
  var keyCount = 0;
  var skipped = 0;
  for (var i = 0; i < pairs; i++) {
    if (p >= b.length || b[p] >> 5 !== 0) return null; // only unsigned integer keys here
    var k = decodeCborItem(b, p, { maxDepth: 3 });
    p = k.end;
    if (map.keys.indexOf(k.value) >= 0 || (k.value === 3 && accepted)) return null;
    if (k.value !== 3) {
      var v = decodeCborItem(b, p, { maxDepth: 3 });
      p = v.end;
      map.keys.push(k.value);
      map.values.push(v.value);
      continue;
    }
    var n = scanHead(b, p, 4);
    if (n === null || n > TRUST_MAX_KEYS || n > b.length - headEnd) return null;
    p = headEnd;
    accepted = new Uint8Array(n);
    for (var j = 0; j < n; j++) {
      var e = decodeCborItem(b, p, { maxDepth: 2 });
      p = e.end;
      if (decodeKeyEntry(e.value) !== null) {
        accepted[j] = 1;
        keyCount++;
      } else {
        skipped++;
      }
    }
  }
  if (p !== b.length || !accepted) return null;
  return { map: map, accepted: accepted, keyCount: keyCount, skipped: skipped };
}
