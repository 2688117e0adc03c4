// The native (ARM machine code) Ed25519 verifier: the device-side plumbing. The code itself is
// native/ed25519 (C), built by tools/native/build.sh into firmware/crypto/native-code.generated.ts.
// This file never touches Espruino globals: hal/espruino loads the code (E.nativeCall) and hands
// a `NativeCall` in; everything else (argument checks, the result convention, the self-test) is
// here, pure and testable in Node (test/native/native.test.ts runs it against qemu-arm).
import {
  NATIVE_ED25519_BASE64,
  NATIVE_ED25519_ENTRY,
  NATIVE_ED25519_SIZE,
  NATIVE_ED25519_SIGNATURE,
} from './native-code.generated';

/**
 * Runs the native code once: `code` is the binary as a byte string (nativeEd25519Code()),
 * `entry` the byte offset of qg_verify in it (call (address of code + entry) | 1, the Thumb
 * bit), and the result is qg_verify's return value (1 valid, 0 invalid).
 */
export type NativeCall = (code: string, entry: number, pub: Uint8Array, sig: Uint8Array, msg: Uint8Array) => number;

/** Same argument order as firmware/crypto/ed25519.ts `verify`. */
export type Verifier = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function b64ToByteString(s: string): string {
  var parts: string[] = [];
  var chunk = '';
  var acc = 0;
  var bits = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charAt(i);
    if (c === '=') break;
    var v = B64.indexOf(c);
    if (v < 0) throw new Error('native: bad code');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      chunk += String.fromCharCode((acc >> bits) & 255);
      if (chunk.length === 256) {
        parts.push(chunk);
        chunk = '';
      }
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/**
 * The verifier's machine code as a byte string (7.9 KB). Decoded on each call and not kept:
 * the board stores it once in flash (hal/espruino nativeFunction) and runs it from there.
 */
export function nativeEd25519Code(): string {
  var c = b64ToByteString(NATIVE_ED25519_BASE64);
  if (c.length !== NATIVE_ED25519_SIZE) throw new Error('native: bad code length');
  return c;
}

export var NATIVE_SIZE = NATIVE_ED25519_SIZE;
export var NATIVE_ENTRY = NATIVE_ED25519_ENTRY;
/** The E.nativeCall signature of qg_verify: int(pub32 address, sig64 address, msg address, msglen). */
export var NATIVE_SIGNATURE = NATIVE_ED25519_SIGNATURE;

/** A strict Ed25519 verifier (spec/qg1.md section 1) that runs the native code through `call`. */
export function nativeVerifier(call: NativeCall): Verifier {
  return function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
    if (pub.length !== 32 || sig.length !== 64) return false;
    return call(nativeEd25519Code(), NATIVE_ED25519_ENTRY, pub, sig, msg) === 1;
  };
}

function fromHex(h: string): Uint8Array {
  var out = new Uint8Array(h.length >> 1);
  for (var i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/**
 * Boot self-test of a verifier (meant for the native one before it replaces the JavaScript
 * one): RFC 8032 section 7.1 TEST 2 verifies; the same with one bit of S flipped, of R flipped,
 * or of the message flipped does not.
 */
export function verifierSelfTest(v: Verifier): boolean {
  var pub = fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
  var sig = fromHex(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  );
  var msg = fromHex('72');
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
