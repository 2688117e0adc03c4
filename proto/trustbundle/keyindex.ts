// The key index of a trust bundle: the accepted (alg -8) entries found in the payload bytes,
// decoded into TrustKey objects only when asked for (findKeys, trustKeyAt).
import { decodeCborItem } from '../cbor';
import { bytesToByteString } from '../bytes';
import { FORMAT_NAMES, FORMAT_NONE } from '../formats';
import { TrustKey, TrustKeys } from './types';
import { headArg, headEnd, skipItem } from './cborhead';
import { decodeKeyEntry } from './keyentry';

// The index of the accepted entries of the (validated) payload's key array.
export function indexKeys(payload: Uint8Array, accepted: Uint8Array, keyCount: number): Uint16Array | Uint32Array {
  var idx = payload.length * FORMAT_NONE < 65536 ? new Uint16Array(keyCount * 3) : new Uint32Array(keyCount * 3);
  var pairs = headArg(payload, 0);
  var p = headEnd;
  for (var i = 0; i < pairs; i++) {
    var isKeys = payload[p] >> 5 === 0 && headArg(payload, p) === 3; // unsigned 3, any head length
    p = skipItem(payload, p);
    if (!isKeys) {
      p = skipItem(payload, p);
      continue;
    }
    var n = headArg(payload, p);
    p = headEnd;
    var at = 0;
    for (var j = 0; j < n; j++) {
      var entry = p;
      var fields = headArg(payload, p);
      p = headEnd;
      var kidAt = 0;
      var kidLen = 0;
      var fmt = 0;
      for (var f = 0; f < fields; f++) {
        var key = payload[p] >> 5 === 0 ? headArg(payload, p) : -1;
        p = skipItem(payload, p);
        if (key === 1) {
          kidLen = headArg(payload, p);
          kidAt = headEnd;
        } else if (key === 6) {
          var flen = headArg(payload, p); // validated text: a format's name
          fmt = FORMAT_NAMES.indexOf(bytesToByteString(payload, headEnd, headEnd + flen));
        }
        p = skipItem(payload, p);
      }
      if (accepted[j]) {
        idx[at++] = entry;
        idx[at++] = kidAt;
        idx[at++] = kidLen * FORMAT_NONE + fmt;
      }
    }
    return idx;
  }
  return idx;
}

/** The i-th alg -8 key (0 <= i < keyCount), in bundle order: a new TrustKey (views of the payload). */
export function trustKeyAt(keys: TrustKeys, i: number): TrustKey {
  if (i < 0 || i >= keys.keyCount) throw new Error('trust: no key ' + i);
  return decodeKeyEntry(decodeCborItem(keys.payload, keys.keyIndex[i * 3]).value) as TrustKey;
}

/** All alg -8 keys as TrustKey objects (host tools and tests; the gate asks for one kid at a time). */
export function trustKeys(keys: TrustKeys): TrustKey[] {
  var out: TrustKey[] = [];
  for (var i = 0; i < keys.keyCount; i++) out.push(trustKeyAt(keys, i));
  return out;
}

// Whether index entry i has this kid (raw bytes) and format code.
function keyMatches(keys: TrustKeys, i: number, kid: Uint8Array, fmt: number): boolean {
  var idx = keys.keyIndex;
  if (idx[i * 3 + 2] !== kid.length * FORMAT_NONE + fmt) return false;
  var at = idx[i * 3 + 1];
  var b = keys.payload;
  for (var j = 0; j < kid.length; j++) if (b[at + j] !== kid[j]) return false;
  return true;
}

/** All alg -8 keys with this kid (raw bytes) and format, in bundle order. */
export function findKeys(keys: TrustKeys, kid: Uint8Array, format: string): TrustKey[] {
  var out: TrustKey[] = [];
  var fmt = FORMAT_NAMES.indexOf(format);
  if (fmt < 0 || fmt === FORMAT_NONE) return out;
  for (var i = 0; i < keys.keyCount; i++) if (keyMatches(keys, i, kid, fmt)) out.push(trustKeyAt(keys, i));
  return out;
}

/** The first alg -8 key with this kid (raw bytes) and format, or null. */
export function findKey(keys: TrustKeys, kid: Uint8Array, format: string): TrustKey | null {
  var all = findKeys(keys, kid, format);
  return all.length ? all[0] : null;
}
