// SHA-512 (FIPS 180-4) in plain ES5 for the device.
//
// 64-bit words are kept as two 32-bit halves (hi, lo). Additions sum the unsigned low halves as
// doubles (exact below 2^53), take the carry with Math.floor and wrap with `>>> 0` / `| 0`; no
// Math.imul, no BigInt. Used by the Ed25519 verifier (k = SHA-512(R || A || M)) when the board has
// no native SHA-512.

// The round constants, initial value and message schedule, made on the first hash (lazyState):
// a gate whose board hashes natively never holds them.

/** Round constants K[0..79], as (hi, lo) pairs. */
function makeK512(): Int32Array {
  return new Int32Array([
    0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
    0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019, 0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
    0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
    0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
    0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3, 0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
    0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483, 0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
    0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
    0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725, 0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
    0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
    0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
    0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001, 0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
    0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
    0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
    0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb, 0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
    0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
    0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
    0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207, 0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
    0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
    0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
    0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a, 0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817,
  ]);
}

/** Initial hash value H(0), as (hi, lo) pairs. */
function makeIV512(): Int32Array {
  return new Int32Array([
    0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
    0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
  ]);
}

var TWO32 = 4294967296;

interface Sha512State {
  k: Int32Array;
  iv: Int32Array;
  /** Message schedule, shared by all hashes (the device is single-threaded and a block is
   * processed without yielding). */
  wh: Int32Array;
  wl: Int32Array;
}

var S512: Sha512State | null = null;

function lazyState(): Sha512State {
  if (!S512) S512 = { k: makeK512(), iv: makeIV512(), wh: new Int32Array(80), wl: new Int32Array(80) };
  return S512;
}

/** Process one 128-byte block of `buf` at `off` into the state `h` (16 words: hi, lo, hi, lo ...). */
function block512(h: Int32Array, buf: Uint8Array, off: number): void {
  var st = lazyState(), K512 = st.k, WH = st.wh, WL = st.wl, i: number, j: number;
  for (i = 0; i < 16; i++) {
    j = off + i * 8;
    WH[i] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
    WL[i] = (buf[j + 4] << 24) | (buf[j + 5] << 16) | (buf[j + 6] << 8) | buf[j + 7];
  }
  var xh: number, xl: number, s0h: number, s0l: number, s1h: number, s1l: number, lo: number;
  for (i = 16; i < 80; i++) {
    // sigma0(W[i-15]) = rotr1 ^ rotr8 ^ shr7
    xh = WH[i - 15]; xl = WL[i - 15];
    s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
    s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
    // sigma1(W[i-2]) = rotr19 ^ rotr61 ^ shr6
    xh = WH[i - 2]; xl = WL[i - 2];
    s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
    s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
    lo = (s1l >>> 0) + (WL[i - 7] >>> 0) + (s0l >>> 0) + (WL[i - 16] >>> 0);
    WL[i] = lo | 0;
    WH[i] = (s1h + WH[i - 7] + s0h + WH[i - 16] + Math.floor(lo / TWO32)) | 0;
  }

  var ah = h[0], al = h[1], bh = h[2], bl = h[3], ch = h[4], cl = h[5], dh = h[6], dl = h[7];
  var eh = h[8], el = h[9], fh = h[10], fl = h[11], gh = h[12], gl = h[13], hh = h[14], hl = h[15];
  var t1h: number, t1l: number, t2h: number, t2l: number, chh: number, chl: number, mjh: number, mjl: number;
  for (i = 0; i < 80; i++) {
    // Sigma1(e) = rotr14 ^ rotr18 ^ rotr41
    s1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
    s1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
    // Ch(e, f, g)
    chh = (eh & fh) ^ (~eh & gh);
    chl = (el & fl) ^ (~el & gl);
    // T1 = h + Sigma1(e) + Ch(e, f, g) + K[i] + W[i]
    lo = (hl >>> 0) + (s1l >>> 0) + (chl >>> 0) + (K512[i * 2 + 1] >>> 0) + (WL[i] >>> 0);
    t1l = lo | 0;
    t1h = (hh + s1h + chh + K512[i * 2] + WH[i] + Math.floor(lo / TWO32)) | 0;
    // Sigma0(a) = rotr28 ^ rotr34 ^ rotr39
    s0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
    s0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
    // Maj(a, b, c)
    mjh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
    mjl = (al & bl) ^ (al & cl) ^ (bl & cl);
    // T2 = Sigma0(a) + Maj(a, b, c)
    lo = (s0l >>> 0) + (mjl >>> 0);
    t2l = lo | 0;
    t2h = (s0h + mjh + Math.floor(lo / TWO32)) | 0;
    hh = gh; hl = gl;
    gh = fh; gl = fl;
    fh = eh; fl = el;
    // e = d + T1
    lo = (dl >>> 0) + (t1l >>> 0);
    el = lo | 0;
    eh = (dh + t1h + Math.floor(lo / TWO32)) | 0;
    dh = ch; dl = cl;
    ch = bh; cl = bl;
    bh = ah; bl = al;
    // a = T1 + T2
    lo = (t1l >>> 0) + (t2l >>> 0);
    al = lo | 0;
    ah = (t1h + t2h + Math.floor(lo / TWO32)) | 0;
  }
  add64(h, 0, ah, al); add64(h, 2, bh, bl); add64(h, 4, ch, cl); add64(h, 6, dh, dl);
  add64(h, 8, eh, el); add64(h, 10, fh, fl); add64(h, 12, gh, gl); add64(h, 14, hh, hl);
}

function add64(h: Int32Array, i: number, xh: number, xl: number): void {
  var lo = (h[i + 1] >>> 0) + (xl >>> 0);
  h[i + 1] = lo | 0;
  h[i] = (h[i] + xh + Math.floor(lo / TWO32)) | 0;
}

/** Incremental SHA-512: `new Sha512().update(a).update(b).digest()`. A digested object is spent. */
export class Sha512 {
  private h: Int32Array;
  private buf: Uint8Array;
  private used: number;
  private total: number;

  constructor() {
    this.h = new Int32Array(16);
    this.h.set(lazyState().iv);
    this.buf = new Uint8Array(128);
    this.used = 0;
    this.total = 0;
  }

  update(data: Uint8Array): Sha512 {
    var n = data.length, i = 0, take: number;
    this.total += n;
    if (this.used > 0) {
      take = 128 - this.used;
      if (take > n) take = n;
      this.buf.set(data.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < 128) return this;
      block512(this.h, this.buf, 0);
      this.used = 0;
    }
    while (n - i >= 128) {
      block512(this.h, data, i);
      i += 128;
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
    if (used > 112) {
      for (i = used; i < 128; i++) buf[i] = 0;
      block512(this.h, buf, 0);
      used = 0;
    }
    for (i = used; i < 120; i++) buf[i] = 0;
    // 128-bit big-endian bit length; the top 64 bits are 0 for any length a board can hold.
    var bits = this.total * 8;
    var hiBits = Math.floor(bits / TWO32), loBits = bits % TWO32;
    buf[120] = hiBits >>> 24; buf[121] = (hiBits >>> 16) & 255; buf[122] = (hiBits >>> 8) & 255; buf[123] = hiBits & 255;
    buf[124] = loBits >>> 24; buf[125] = (loBits >>> 16) & 255; buf[126] = (loBits >>> 8) & 255; buf[127] = loBits & 255;
    block512(this.h, buf, 0);
    var out = new Uint8Array(64), w: number;
    for (i = 0; i < 16; i++) {
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

/** SHA-512 of several parts, as if concatenated. */
export function sha512Chunks(parts: Uint8Array[]): Uint8Array {
  var s = new Sha512();
  for (var i = 0; i < parts.length; i++) s.update(parts[i]);
  return s.digest();
}

/** SHA-512 of `data` (64 bytes). */
export function sha512(data: Uint8Array): Uint8Array {
  return new Sha512().update(data).digest();
}
