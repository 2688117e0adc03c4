// The native (ARM machine code) inflate's glue: native/inflate/qg_inflate.c, built by
// tools/native/build-inflate.sh into firmware/native-inflate.generated.ts. hal/espruino
// nativeFunction loads the code (the flash file qg.inflate: written by `qrgate flash`, whose
// SHA-256 firmware/main.ts checks first; or, in a bundle built with QG_NATIVE_EMBED, written by
// this part from its own copy) and gives E.nativeCall's function;
// this wraps it into proto/inflate.ts inflateRaw's contract (which stays the reference and the
// path for every other board) after a boot self-test. Never touches Espruino globals.
import { NATIVE_INFLATE_BASE64, NATIVE_INFLATE_SIZE } from './native-inflate.generated';
import { hexBytes } from './crypto/ed25519-checks';
import { QG_NATIVE_EMBED } from './build-flags';

/** The native inflate's machine code: the flash file `qrgate flash` writes (boards/types.ts INFLATE_FILE_NAME). */
export var INFLATE_FILE = 'qg.inflate';

/** inflateRaw's contract, except that null means "cannot run here" (the caller inflates in JavaScript). */
export type InflateFn = (src: Uint8Array, maxOut: number) => { data: Uint8Array; used: number } | null;

/** hal/espruino nativeFunction's shape. */
export type NativeLoader = (file: string, base64: (() => string) | null, size: number, entry: number,
  signature: string) => ((a: number, b: number, c: number, d: number) => number) | null;

/**
 * Loads qg_inflate with `load` (hal/espruino nativeFunction: the file qg.inflate as `qrgate flash`
 * wrote it, or, with QG_NATIVE_EMBED, written from the embedded code when it differs) and wraps it, with a per-call flat buffer from `flat`
 * (hal/espruino flatBuffer): exactly maxOut bytes when the input is flat (a zip decoded by
 * E.toUint8Array is) and is read where it lies; else the output then a copy of the input (a small
 * array is never flat: the self-test's). Addresses come from
 * `addr` (hal/espruino flatAddress, 0 when not flat) right before the call, after every
 * allocation: flatBuffer may have defragmented memory, which moves flat buffers, so no address is
 * kept. (Memory: no copy of the input; and an output of exactly maxOut bytes, the zip's declared
 * size, is its own flat string, which E.toString gives back without a copy: proto/jsonnative.ts.)
 * The call is qg_inflate(src address, srclen, out address, maxout): (used << 16) | outlen, or < 0
 * for a malformed stream or one over maxout. Returns null when the code cannot be loaded or fails
 * the self-test (a fixed-Huffman stream with a match inflates exactly; one byte short of room is refused).
 * (A lazy part of the bundle, tools/build/bundle.js: loaded at boot on ARM boards only.)
 */
export function nativeInflater(load: NativeLoader, flat: (n: number) => Uint8Array | null, addr: (b: Uint8Array) => number): InflateFn | null {
  var f = load(INFLATE_FILE, QG_NATIVE_EMBED ? function () { return NATIVE_INFLATE_BASE64; } : null, NATIVE_INFLATE_SIZE, 0, 'int(int,int,int,int)');
  if (!f) return null;
  var fn = function (src: Uint8Array, max: number) {
    // (The code takes srclen < 32768 and maxout < 65536: a zip is at most 3 KB, an entry 4 KB.)
    if (src.length >= 32768 || max >= 65536) return null;
    var inPlace = addr(src) !== 0; // (still flat after a defragmentation: only moved)
    var out = flat(inPlace ? max : max + src.length);
    if (!out) return null;
    if (!inPlace) out.set(src, max);
    var a = addr(out);
    var s = inPlace ? addr(src) : a + max;
    if (!a || !s) return null;
    var r = f!(s, src.length, a, max);
    if (r < 0) throw new Error('inflate: malformed or too large (' + r + ')');
    var n = r & 0xffff;
    return { data: inPlace && n === max ? out : out.subarray(0, n), used: r >>> 16 };
  };
  var s = hexBytes('ab562a4c57b2522a4c8740a55a00'); // deflate of {"qg":"qgqgqgqg"}
  var ok = false;
  try {
    var r = fn(s, 17);
    ok = !!r && r.used === 14 && r.data.length === 17 && r.data[3] === 0x67 && r.data[15] === 0x22 && r.data[16] === 0x7d;
    fn(s, 16);
    ok = false;
  } catch (e) { /* refused: as it should be */ }
  return ok ? fn : null;
}
