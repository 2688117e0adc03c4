// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain ES5 for the device.
//
// 32-bit arithmetic only: sums of a few int32 values are exact as doubles and wrapped with `| 0`.
// Boards with a native SHA-256 (require('crypto')) may pass it as `sha` to hmacSha256.

// The round constants, initial value and message schedule, made when a hash starts (lazyState) and
// let go when it ends (Sha256.digest): a board that hashes in JavaScript holds them only while it
// hashes (about 55 variables on a 32-bit board), and a board that hashes natively never.
// K (the first 32 bits of the fractional parts of the cube roots of the first 64 primes, FIPS
// 180-4 4.2.2) is read from a hex string literal 16 bits at a time (each an integer on every
// interpreter): an array literal of 64 numbers would make a 64-element array (64 variables) on the way.
function makeK256(): Int32Array {
  var hex = '428a2f9871374491b5c0fbcfe9b5dba53956c25b59f111f1923f82a4ab1c5ed5' +
    'd807aa9812835b01243185be550c7dc372be5d7480deb1fe9bdc06a7c19bf174' +
    'e49b69c1efbe47860fc19dc6240ca1cc2de92c6f4a7484aa5cb0a9dc76f988da' +
    '983e5152a831c66db00327c8bf597fc7c6e00bf3d5a7914706ca635114292967' +
    '27b70a852e1b21384d2c6dfc53380d13650a7354766a0abb81c2c92e92722c85' +
    'a2bfe8a1a81a664bc24b8b70c76c51a3d192e819d6990624f40e3585106aa070' +
    '19a4c1161e376c082748774c34b0bcb5391c0cb34ed8aa4a5b9cca4f682e6ff3' +
    '748f82ee78a5636f84c878148cc7020890befffaa4506cebbef9a3f7c67178f2';
  var k = new Int32Array(64);
  for (var i = 0; i < 64; i++) k[i] = (parseInt(hex.substr(i * 8, 4), 16) << 16) | parseInt(hex.substr(i * 8 + 4, 4), 16);
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
 * HMAC-SHA-256(key, data), 32 bytes. `sha` replaces the JS SHA-256 (e.g. a board's native one);
 * it is given the concatenated inner and outer messages.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array, sha?: (d: Uint8Array) => Uint8Array): Uint8Array {
  var i: number;
  // Keys longer than the block are hashed first; shorter ones are zero-padded to 64 bytes.
  if (key.length > 64) key = sha ? sha(key) : sha256(key);
  var ipad = new Uint8Array(64), opad = new Uint8Array(64);
  for (i = 0; i < 64; i++) {
    var k = i < key.length ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  var inner: Uint8Array, outer: Uint8Array;
  if (sha) {
    var m = new Uint8Array(64 + data.length);
    m.set(ipad, 0);
    m.set(data, 64);
    inner = sha(m);
    var m2 = new Uint8Array(64 + inner.length);
    m2.set(opad, 0);
    m2.set(inner, 64);
    outer = sha(m2);
  } else {
    inner = new Sha256().update(ipad).update(data).digest();
    outer = new Sha256().update(opad).update(inner).digest();
  }
  return outer;
}
