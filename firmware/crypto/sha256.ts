// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain ES5 for the device.
//
// 32-bit arithmetic only: sums of a few int32 values are exact as doubles and wrapped with `| 0`.
// Boards with a native SHA-256 (require('crypto')) may pass it as `sha` to hmacSha256; their own
// firmware carries none of this (firmware/build-flags.ts QG_JS_SHA256: crypto/hmac.ts instead).
import { hmacWith } from './hmac';

// The round constants, initial value and message schedule, made on the first hash (lazyState):
// a gate whose board hashes natively never holds them.
function makeK256(): Int32Array {
  return new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
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
