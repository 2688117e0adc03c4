// The pseudonyms of spec/qg1.md section 7: what the entry log keeps instead of a person's identity.
//   subject = HMAC-SHA-256(site.secret, sub)[0..16)
//   cert    = HMAC-SHA-256(site.secret, cti)[0..16)
// A missing sub or cti (the text could not be read) gives an empty pseudonym.
import { hmacSha256 } from './crypto/sha256';
import { QG_JS_SHA256 } from './build-flags';

/** Bytes of each pseudonym. */
export var PSEUDONYM_BYTES = 16;

export type Hmac = (key: Uint8Array, data: Uint8Array) => Uint8Array;

/** HMAC-SHA-256(secret, x) truncated to 16 bytes. `hmac` replaces the JS HMAC (e.g. one over native SHA-256). */
export function pseudonym(secret: Uint8Array, x: Uint8Array, hmac?: Hmac): Uint8Array {
  // (A firmware without the JavaScript SHA-256 always passes the board's: build-flags QG_JS_SHA256.)
  var mac = hmac ? hmac(secret, x) : QG_JS_SHA256 ? hmacSha256(secret, x) : null;
  if (!mac) throw new Error('pseudonym: no HMAC');
  if (mac.length < PSEUDONYM_BYTES) throw new Error('pseudonym: short HMAC');
  return new Uint8Array(mac.subarray(0, PSEUDONYM_BYTES));
}

/** Both pseudonyms of a scan; a null sub or cti gives an empty one. */
export function pseudonyms(secret: Uint8Array, sub: Uint8Array | null, cti: Uint8Array | null,
  hmac?: Hmac): { subject: Uint8Array; cert: Uint8Array } {
  return {
    subject: sub ? pseudonym(secret, sub, hmac) : new Uint8Array(0),
    cert: cti ? pseudonym(secret, cti, hmac) : new Uint8Array(0),
  };
}
