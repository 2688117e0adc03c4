// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain ES5 for the device.
//
// 32-bit arithmetic only: sums of a few int32 values are exact as doubles and wrapped with `| 0`.
// Boards with a native SHA-256 (require('crypto')) may pass it as `sha` to hmacSha256; their own
// firmware carries none of this (firmware/build-flags.ts QG_JS_SHA256: crypto/hmac.ts instead).
import { hmacWith } from './hmac';

// The round constants, initial value and message schedule, made when a hash starts (lazyState) and
// let go when it ends (Sha256.digest): a board that hashes in JavaScript holds them only while it
// hashes (about 55 variables on a 32-bit board), and a board that hashes natively never.
// K (the first 32 bits of the fractional parts of the cube roots of the first 64 primes, FIPS
// 180-4 4.2.2) is read from a byte string literal, big-endian, 4 chars a word: an array literal
// of 64 numbers would make a 64-element array (64 variables) on the way, and a hex string twice
// the chars and a substring per parse (about 110 ms a hash on the Original).
function makeK256(): Int32Array {
  var bin = '\x42\x8a\x2f\x98\x71\x37\x44\x91\xb5\xc0\xfb\xcf\xe9\xb5\xdb\xa5\x39\x56\xc2\x5b\x59\xf1\x11\xf1\x92\x3f\x82\xa4\xab\x1c\x5e\xd5' +
    '\xd8\x07\xaa\x98\x12\x83\x5b\x01\x24\x31\x85\xbe\x55\x0c\x7d\xc3\x72\xbe\x5d\x74\x80\xde\xb1\xfe\x9b\xdc\x06\xa7\xc1\x9b\xf1\x74' +
    '\xe4\x9b\x69\xc1\xef\xbe\x47\x86\x0f\xc1\x9d\xc6\x24\x0c\xa1\xcc\x2d\xe9\x2c\x6f\x4a\x74\x84\xaa\x5c\xb0\xa9\xdc\x76\xf9\x88\xda' +
    '\x98\x3e\x51\x52\xa8\x31\xc6\x6d\xb0\x03\x27\xc8\xbf\x59\x7f\xc7\xc6\xe0\x0b\xf3\xd5\xa7\x91\x47\x06\xca\x63\x51\x14\x29\x29\x67' +
    '\x27\xb7\x0a\x85\x2e\x1b\x21\x38\x4d\x2c\x6d\xfc\x53\x38\x0d\x13\x65\x0a\x73\x54\x76\x6a\x0a\xbb\x81\xc2\xc9\x2e\x92\x72\x2c\x85' +
    '\xa2\xbf\xe8\xa1\xa8\x1a\x66\x4b\xc2\x4b\x8b\x70\xc7\x6c\x51\xa3\xd1\x92\xe8\x19\xd6\x99\x06\x24\xf4\x0e\x35\x85\x10\x6a\xa0\x70' +
    '\x19\xa4\xc1\x16\x1e\x37\x6c\x08\x27\x48\x77\x4c\x34\xb0\xbc\xb5\x39\x1c\x0c\xb3\x4e\xd8\xaa\x4a\x5b\x9c\xca\x4f\x68\x2e\x6f\xf3' +
    '\x74\x8f\x82\xee\x78\xa5\x63\x6f\x84\xc8\x78\x14\x8c\xc7\x02\x08\x90\xbe\xff\xfa\xa4\x50\x6c\xeb\xbe\xf9\xa3\xf7\xc6\x71\x78\xf2';
  var k = new Int32Array(64);
  for (var i = 0, j = 0; i < 64; i++, j += 4) {
    k[i] = (bin.charCodeAt(j) << 24) | (bin.charCodeAt(j + 1) << 16) | (bin.charCodeAt(j + 2) << 8) | bin.charCodeAt(j + 3);
  }
  return k;
}

function makeIV256(): Int32Array {
  return new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
}

interface Sha256State {
  k: Int32Array;
  iv: Int32Array;
  /** Message schedule, shared by all hashes (a block is processed without yielding). */
  w: Int32Array;
}

var S256: Sha256State | null = null;

/** Whether the constants are held now (for tests: none once every hash begun has been digested). */
export function sha256StateHeld(): boolean {
  return S256 !== null;
}

function lazyState(): Sha256State {
  if (!S256) S256 = { k: makeK256(), iv: makeIV256(), w: new Int32Array(64) };
  return S256;
}

/** Process one 64-byte block of `buf` at `off` into the state `h` (8 words). */
function block256(h: Int32Array, buf: Uint8Array, off: number): void {
  var st = lazyState(), w = st.w, K256 = st.k, i: number, j: number, x: number, y: number;
  for (i = 0; i < 16; i++) {
    j = off + i * 4;
    w[i] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
  }
  for (i = 16; i < 64; i++) {
    x = w[i - 15];
    y = w[i - 2];
    // sigma1(W[i-2]) + W[i-7] + sigma0(W[i-15]) + W[i-16]
    w[i] = ((((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[i - 7] +
      (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w[i - 16]) | 0;
  }
  var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  var t1: number, t2: number;
  for (i = 0; i < 64; i++) {
    // T1 = h + Sigma1(e) + Ch(e, f, g) + K[i] + W[i]
    t1 = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
      ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
    // T2 = Sigma0(a) + Maj(a, b, c)
    t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
      ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g; g = f; f = e;
    e = (d + t1) | 0;
    d = c; c = b; b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
}

/** Incremental SHA-256: `new Sha256().update(a).update(b).digest()`. A digested object is spent. */
export class Sha256 {
  private h: Int32Array;
  private buf: Uint8Array;
  private used: number;
  private total: number;

  constructor() {
    this.h = new Int32Array(8);
    this.h.set(lazyState().iv);
    this.buf = new Uint8Array(64);
    this.used = 0;
    this.total = 0;
  }

  update(data: Uint8Array): Sha256 {
    var n = data.length, i = 0, take: number;
    this.total += n;
    if (this.used > 0) {
      take = 64 - this.used;
      if (take > n) take = n;
      this.buf.set(data.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < 64) return this;
      block256(this.h, this.buf, 0);
      this.used = 0;
    }
    while (n - i >= 64) {
      block256(this.h, data, i);
      i += 64;
    }
    if (i < n) {
      this.buf.set(data.subarray(i, n), 0);
      this.used = n - i;
    }
    return this;
  }

  digest(): Uint8Array {
    var buf = this.buf, used = this.used, i: number;
    buf[used++] = 0x80;
    if (used > 56) {
      for (i = used; i < 64; i++) buf[i] = 0;
      block256(this.h, buf, 0);
      used = 0;
    }
    for (i = used; i < 56; i++) buf[i] = 0;
    // 64-bit big-endian bit length.
    var bits = this.total * 8;
    var hiBits = Math.floor(bits / 4294967296), loBits = bits % 4294967296;
    buf[56] = hiBits >>> 24; buf[57] = (hiBits >>> 16) & 255; buf[58] = (hiBits >>> 8) & 255; buf[59] = hiBits & 255;
    buf[60] = loBits >>> 24; buf[61] = (loBits >>> 16) & 255; buf[62] = (loBits >>> 8) & 255; buf[63] = loBits & 255;
    block256(this.h, buf, 0);
    var out = new Uint8Array(32), w: number;
    for (i = 0; i < 8; i++) {
      w = this.h[i];
      out[i * 4] = (w >>> 24) & 255;
      out[i * 4 + 1] = (w >>> 16) & 255;
      out[i * 4 + 2] = (w >>> 8) & 255;
      out[i * 4 + 3] = w & 255;
    }
    this.used = 0;
    S256 = null; // (remade by the next hash: see lazyState)
    return out;
  }
}

/** SHA-256 of several parts, as if concatenated. */
export function sha256Chunks(parts: Uint8Array[]): Uint8Array {
  var s = new Sha256();
  for (var i = 0; i < parts.length; i++) s.update(parts[i]);
  return s.digest();
}

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

/**
 * HMAC-SHA-256(key, data), 32 bytes. `sha` replaces the JS SHA-256 (e.g. a board's native one):
 * firmware/crypto/hmac.ts hmacWith, given the concatenated inner and outer messages.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array, sha?: (d: Uint8Array) => Uint8Array): Uint8Array {
  if (sha) return hmacWith(key, data, sha);
  var i: number;
  // Keys longer than the block are hashed first; shorter ones are zero-padded to 64 bytes.
  if (key.length > 64) key = sha256(key);
  var ipad = new Uint8Array(64), opad = new Uint8Array(64);
  for (i = 0; i < 64; i++) {
    var k = i < key.length ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  var inner = new Sha256().update(ipad).update(data).digest();
  return new Sha256().update(opad).update(inner).digest();
}
