// The one-entry zip archive of a PeduliLindungi (DIVOC) QR code (spec/qg1.md section 6):
// a local file header for `certificate.json`, its deflated (or stored) data, the matching central
// directory entry and the end-of-central-directory record, and nothing else. Strict: every field
// that could disagree is checked (sizes, CRC-32 of the inflated data, name, offsets, counts); no
// encryption, no data descriptor, no zip64, no multi-disk. Throws Error on anything else.

import { qgError } from './error';
import { inflateRaw } from './inflate';
import { QG_JS_INFLATE } from '../firmware/build-flags';
import { JSON_MAX_BYTES } from './json';

/** inflateRaw's contract; null: not available now (firmware/native-inflate.ts). */
export type NativeInflate = (src: Uint8Array, maxOut: number) => { data: Uint8Array; used: number } | null;

/**
 * A board's native CRC-32 (Espruino's E.CRC32 through hal/espruino builtins(): ISO-HDLC, unsigned);
 * crc32() below stays the reference and the path where it is absent (SAVE_ON_FLASH).
 */
export type NativeCrc32 = (b: Uint8Array) => number;

/** Largest certificate.json accepted (bytes, inflated): JSON_MAX_BYTES; a real one has 1,476. */
export var ZIP_MAX_INFLATED = JSON_MAX_BYTES;
/**
 * Largest inflated size over compressed size accepted, checked on the headers before anything is
 * inflated (a zip bomb is refused without work); a real certificate deflates 2.0:1 (6x margin).
 */
export var ZIP_MAX_RATIO = 12;
/** Largest archive read (bytes): a 4096-char `B64:` text (scanner.maxLen's top) is 3072; real: 862. */
export var ZIP_MAX_BYTES = 3072;

// (Memory: the table is made for each call and not kept: on a board it would otherwise hold about
// 80 variables through the rest of a DIVOC check, the peak included. One check makes it once.)
function crcTable(): Uint32Array {
  var t = new Uint32Array(256);
  for (var n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 (ISO-HDLC, as zip uses) of the bytes, as an unsigned number. */
export function crc32(b: Uint8Array): number {
  var t = crcTable();
  var c = 0xffffffff;
  for (var i = 0; i < b.length; i++) c = t[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u16(b: Uint8Array, p: number): number {
  if (p + 2 > b.length) throw qgError('zip: truncated');
  return b[p] | (b[p + 1] << 8);
}

function u32(b: Uint8Array, p: number): number {
  if (p + 4 > b.length) throw qgError('zip: truncated');
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

var NAME = 'certificate.json';

function nameMatches(b: Uint8Array, p: number, n: number): boolean {
  if (n !== NAME.length || p + n > b.length) return false;
  for (var i = 0; i < n; i++) if (b[p + i] !== NAME.charCodeAt(i)) return false;
  return true;
}

// General purpose flags we tolerate: bits 1-2 (deflate speed hints) and 11 (UTF-8 names).
// Bit 0 (encrypted), 3 (data descriptor), 5, 6 (strong encryption), 13 and the rest are refused.
var FLAGS_OK = 0x0806;

/**
 * The inflated bytes of `certificate.json` in a one-entry archive. Throws Error when the archive
 * is malformed in any way, is over ZIP_MAX_BYTES, declares more than ZIP_MAX_RATIO times its
 * compressed size or more than `maxOut` (default ZIP_MAX_INFLATED = 4096) bytes inflated.
 * `inflate`: a board's native inflate (firmware/native-inflate.ts), same contract as inflateRaw;
 * when it returns null (cannot run now) the JavaScript one inflates (where the firmware has it:
 * firmware/build-flags.ts QG_JS_INFLATE; else the archive is refused). `crc`: a board's native CRC-32.
 */
export function unzipCertificate(zip: Uint8Array, maxOut?: number, inflate?: NativeInflate | null, crc?: NativeCrc32 | null): Uint8Array {
  var max = maxOut === undefined ? ZIP_MAX_INFLATED : maxOut;
  if (zip.length > ZIP_MAX_BYTES) throw qgError('zip: archive too large');
  // Local file header.
  if (u32(zip, 0) !== 0x04034b50) throw qgError('zip: not a local file header');
  var flags = u16(zip, 6);
  var method = u16(zip, 8);
  var sum = u32(zip, 14);
  var csize = u32(zip, 18);
  var usize = u32(zip, 22);
  var nameLen = u16(zip, 26);
  var extraLen = u16(zip, 28);
  if ((flags & ~FLAGS_OK) !== 0) throw qgError('zip: unsupported flags');
  if (method !== 8 && method !== 0) throw qgError('zip: unsupported method');
  if (!nameMatches(zip, 30, nameLen)) throw qgError('zip: unexpected entry name');
  if (usize > max) throw qgError('zip: entry too large');
  if (method === 8 && usize > csize * ZIP_MAX_RATIO) throw qgError('zip: compression ratio too high');
  var dataStart = 30 + nameLen + extraLen;
  if (dataStart + csize > zip.length) throw qgError('zip: truncated');
  var dataEnd = dataStart + csize;
  var data;
  if (method === 0) {
    if (csize !== usize) throw qgError('zip: stored sizes differ');
    data = new Uint8Array(zip.subarray(dataStart, dataEnd));
  } else {
    // (At most usize bytes: the output buffer is then exactly the data, not a copy of it.)
    var src = zip.subarray(dataStart, dataEnd);
    // (A firmware without the JavaScript inflate, build-flags QG_JS_INFLATE, has only the native
    // one: null from it, no memory for its buffers now, refuses the text.)
    var inf = (inflate && inflate(src, usize)) || (QG_JS_INFLATE ? inflateRaw(src, usize) : null);
    if (!inf) throw qgError('zip: cannot inflate now');
    if (inf.used !== csize) throw qgError('zip: compressed size mismatch');
    data = inf.data;
  }
  if (data.length !== usize) throw qgError('zip: size mismatch');
  if ((crc ? crc(data) : crc32(data)) !== sum) throw qgError('zip: CRC mismatch');

  // Central directory: exactly one entry describing the same file at offset 0.
  var cd = dataEnd;
  if (u32(zip, cd) !== 0x02014b50) throw qgError('zip: no central directory');
  if (u16(zip, cd + 8) !== flags || u16(zip, cd + 10) !== method) throw qgError('zip: directory mismatch');
  if (u32(zip, cd + 16) !== sum || u32(zip, cd + 20) !== csize || u32(zip, cd + 24) !== usize) {
    throw qgError('zip: directory mismatch');
  }
  var cNameLen = u16(zip, cd + 28);
  var cExtraLen = u16(zip, cd + 30);
  var cCommentLen = u16(zip, cd + 32);
  if (u16(zip, cd + 34) !== 0) throw qgError('zip: multi-disk');
  if (u32(zip, cd + 42) !== 0) throw qgError('zip: directory offset mismatch');
  if (!nameMatches(zip, cd + 46, cNameLen)) throw qgError('zip: directory name mismatch');
  var cdEnd = cd + 46 + cNameLen + cExtraLen + cCommentLen;

  // End of central directory record, then the end of the input.
  var e = cdEnd;
  if (u32(zip, e) !== 0x06054b50) throw qgError('zip: no end record');
  if (u16(zip, e + 4) !== 0 || u16(zip, e + 6) !== 0) throw qgError('zip: multi-disk');
  if (u16(zip, e + 8) !== 1 || u16(zip, e + 10) !== 1) throw qgError('zip: not one entry');
  if (u32(zip, e + 12) !== cdEnd - cd || u32(zip, e + 16) !== cd) throw qgError('zip: end record mismatch');
  var commentLen = u16(zip, e + 20);
  if (e + 22 + commentLen !== zip.length) throw qgError('zip: trailing bytes');
  return data;
}
