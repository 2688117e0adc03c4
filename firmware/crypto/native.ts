// The native (ARM machine code) Ed25519 verifier: the device-side constants and its boot
// self-test. The code itself is native/ed25519 (C), built by tools/native/build.sh into
// firmware/crypto/native-code.generated.ts. This file never touches Espruino globals:
// hal/espruino nativeFunction decodes the code (atob), keeps it in a Storage file and calls it
// through E.nativeCall; firmware/main.ts wraps that call into a Verifier and checks it here.
import {
  NATIVE_ED25519_BASE64,
  NATIVE_ED25519_ENTRY,
  NATIVE_ED25519_SIZE,
  NATIVE_ED25519_SIGNATURE,
} from './native-code.generated';
import { hexBytes } from './ed25519-checks';

/** Same argument order as firmware/crypto/ed25519.ts `verify`. */
export type Verifier = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

/**
 * The verifier's machine code (NATIVE_SIZE bytes), as base64 text: hal/espruino nativeFunction
 * decodes it with the interpreter's own atob when the Storage file has to be compared or written.
 */
export function nativeEd25519Code(): string {
  return NATIVE_ED25519_BASE64;
}

export var NATIVE_SIZE = NATIVE_ED25519_SIZE;
export var NATIVE_ENTRY = NATIVE_ED25519_ENTRY;
/** The E.nativeCall signature of qg_verify: int(pub32 address, sig64 address, msg address, msglen). */
export var NATIVE_SIGNATURE = NATIVE_ED25519_SIGNATURE;

/**
 * Boot self-test of a verifier (meant for the native one before it replaces the JavaScript
 * one): RFC 8032 section 7.1 TEST 2 verifies; the same with one bit of S flipped, of R flipped,
 * or of the message flipped does not.
 */
export function verifierSelfTest(v: Verifier): boolean {
  var pub = hexBytes('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
  var sig = hexBytes(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  );
  var msg = hexBytes('72');
  if (!v(pub, msg, sig)) return false;
  sig[40] ^= 0x04;
  if (v(pub, msg, sig)) return false;
  sig[40] ^= 0x04;
  sig[3] ^= 0x10;
  if (v(pub, msg, sig)) return false;
  sig[3] ^= 0x10;
  msg[0] ^= 1;
  if (v(pub, msg, sig)) return false;
  msg[0] ^= 1;
  return v(pub, msg, sig);
}
