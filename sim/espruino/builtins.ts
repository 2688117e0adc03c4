// Espruino 2v29's atob, btoa and E.CRC32 over bytes, as its C code does them (not as Node's):
// src/jswrap_functions.c jswrap_atob / jswrap_btoa, src/jswrap_espruino.c jswrap_espruino_CRC32.
// Firmwares built with SAVE_ON_FLASH have none of the three (the sandbox's `saveOnFlash`).
// The gate uses them for DIVOC's base64 and zip CRC-32 (hal/espruino builtins(), proto/base64.ts).

/** src/jsutils.h isWhitespaceInline: tab, vertical tab, form feed, space, LF, CR. */
function isWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0b || c === 0x0c || c === 0x20 || c === 0x0a || c === 0x0d;
}

/** jswrap_atob_decode: the sextet of a char, or -1 (the char as a byte: c & 0xff). */
function sextet(c: number): number {
  c &= 0xff;
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return 26 + c - 97;
  if (c >= 48 && c <= 57) return 52 + c - 48;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return -1;
}

/** Thrown where Espruino's atob would never return (or run out of memory): its output size underflows. */
export const ATOB_UNDERFLOW = 'atob: output size underflows (Espruino 2v29 never returns)';

/**
 * jswrap_atob over the string's bytes: lenient. Whitespace is skipped; the output has
 * (chars that are not whitespace) * 3 / 4 bytes (rounded down), one less for each of the last two
 * such chars that is '=', zero-filled; the chars are then taken in groups of four (whitespace
 * skipped), chars outside the alphabet ('=' included) count as zero bits, and a group gives as
 * many bytes as the index of its last valid char (writes past the output's end are dropped).
 * A size below zero ("=", "  ==") throws ATOB_UNDERFLOW: the real one hangs.
 */
export function espruinoAtob(b: Uint8Array): Uint8Array {
  let n = 0;
  let prev = 0;
  let prevPrev = 0;
  for (let i = 0; i < b.length; i++) {
    if (!isWhitespace(b[i])) { prevPrev = prev; prev = b[i]; n++; }
  }
  let size = Math.floor((n * 3) / 4);
  if (prev === 61) size--;
  if (prevPrev === 61) size--;
  if (size < 0) throw new Error(ATOB_UNDERFLOW);
  const out = new Uint8Array(size);
  let o = 0;
  let p = 0;
  const put = (v: number) => { if (o < size) out[o] = v & 0xff; o++; };
  while (p < b.length) {
    let triple = 0;
    let valid = 0;
    for (let i = 0; i < 4; i++) {
      if (p < b.length) {
        let ch = 0x20;
        while (ch && isWhitespace(ch)) ch = p < b.length ? b[p++] : 0;
        const s = sextet(ch);
        if (s >= 0) { triple |= s << ((3 - i) * 6); valid = i; }
      }
    }
    if (valid > 0) put(triple >>> 16);
    if (valid > 1) put(triple >>> 8);
    if (valid > 2) put(triple);
  }
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** jswrap_btoa: standard base64 with '=' padding, each element taken as a byte. */
export function espruinoBtoa(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const left = b.length - i;
    const t = (b[i] << 16) | ((left > 1 ? b[i + 1] : 0) << 8) | (left > 2 ? b[i + 2] : 0);
    s += ALPHABET.charAt((t >> 18) & 63) + ALPHABET.charAt((t >> 12) & 63) +
      (left > 1 ? ALPHABET.charAt((t >> 6) & 63) : '=') + (left > 2 ? ALPHABET.charAt(t & 63) : '=');
  }
  return s;
}

/** jswrap_espruino_CRC32: CRC-32 (ISO-HDLC) of the bytes, unsigned. */
export function espruinoCrc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (~c) >>> 0;
}

/**
 * Espruino 2v29's JSON.stringify(v) (src/jswrap_json.c jswrap_json_stringify, no replacer, no
 * space) where it differs from Node's for JSON values: the keys `__proto__` and `constructor` and
 * hidden ones (a first char 0xFF) are left out (jsvIsInternalObjectKey), and strings escape as
 * src/jsutils.c escapeCharacter does in JSON style: \n \t \b \f \r \\ \" short, every other char
 * below 0x20 or from 0x7f up as \uXXXX with upper-case hex (`\u000B`, `\u007F`, `\u00E9`;
 * surrogate pairs above 0xFFFF), where Node writes lower-case hex and leaves 0x7f and up as they
 * are. (Not modelled: Espruino prints non-integer numbers with about 12 significant digits and
 * dumps typed arrays as arrays.) The sandbox's JSON.stringify (globals.ts).
 * JSON.parse stays Node's in the sandbox: Espruino's also accepts trailing commas, trailing
 * garbage, comments, single quotes, `\x` escapes, hex numbers, and keeps both of a duplicate key
 * (Object.keys lists it once, Object.values twice); proto/jsonnative.ts takes a native reading
 * only of a text that JSON.stringify gives back exactly and that its walk accepts, which no such
 * leniency survives on either, so the simulator takes the native path exactly where a board does
 * (test/proto/jsonnative.test.ts, test/real/jsonnative.test.ts).
 */
export function espruinoJsonStringify(v: any, nodeStringify: (v: any, r: any) => string | undefined = JSON.stringify): string | undefined {
  const s = nodeStringify(v, function (this: any, k: string, x: any) {
    return (k === '__proto__' || k === 'constructor' || k.charCodeAt(0) === 0xff) && !Array.isArray(this) ? undefined : x;
  });
  if (typeof s !== 'string') return s;
  return s.replace(/\\u[0-9a-fA-F]{4}|\\[^u]|[\u007f-\uffff]/g, (m) =>
    m.length === 6 ? '\\u' + m.slice(2).toUpperCase() : m.length === 2 ? m : '\\u' + m.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'));
}
