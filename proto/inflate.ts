// RFC 1951 raw inflate (stored, fixed and dynamic Huffman blocks), after zlib's puff.c.
// Strict and bounded: the output may not exceed `maxOut` bytes, every malformed stream throws
// Error (incomplete or over-subscribed code sets, distances before the start, bad lengths,
// reading past the input), and the work is linear in input + output (each decoded symbol
// costs at most 15 bit reads). Device code: ES5, no Node APIs.
// Work bound: every symbol is a literal (one output byte), a length/distance pair (at least 3
// output bytes) or an end of block, so symbols <= maxOut + blocks; a block's header builds its
// codes once (about 700 steps); and at most INFLATE_MAX_BLOCKS blocks are read, so a stream of
// empty blocks cannot loop for long either. The output buffer is `maxOut` bytes, allocated once.

import { qgError } from './error';
var MAXBITS = 15;
var MAXLCODES = 286;
var MAXDCODES = 30;
var FIXLCODES = 288;
/** Most deflate blocks in one stream: zlib writes a certificate (1.5 KB) as 1 block. */
export var INFLATE_MAX_BLOCKS = 8;

// (Typed arrays: a plain array costs ~2 variables per element on Espruino.)
// Length base and extra bits for codes 257..285; distance base and extra bits for codes 0..29.
var LBASE = new Uint16Array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
var LEXT = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
var DBASE = new Uint16Array([1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]);
var DEXT = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
// Order of code length code lengths in a dynamic block header.
var CLORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/** A canonical Huffman code: count[len] symbols of each length, symbols sorted by code. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

/**
 * Builds a code from lengths[0..n). Returns 0 for a complete code, > 0 for an incomplete one;
 * throws for an over-subscribed one.
 */
function construct(h: Huffman, lengths: Uint8Array, n: number): number {
  var len;
  var sym;
  for (len = 0; len <= MAXBITS; len++) h.count[len] = 0;
  for (sym = 0; sym < n; sym++) h.count[lengths[sym]]++;
  if (h.count[0] === n) return 0; // no codes: complete, but decoding will fail
  var left = 1;
  for (len = 1; len <= MAXBITS; len++) {
    left <<= 1;
    left -= h.count[len];
    if (left < 0) throw qgError('inflate: over-subscribed code');
  }
  var offs = new Uint16Array(MAXBITS + 1);
  offs[1] = 0;
  for (len = 1; len < MAXBITS; len++) offs[len + 1] = offs[len] + h.count[len];
  for (sym = 0; sym < n; sym++) {
    if (lengths[sym] !== 0) h.symbol[offs[lengths[sym]]++] = sym;
  }
  return left;
}

function newHuffman(n: number): Huffman {
  return { count: new Uint16Array(MAXBITS + 1), symbol: new Uint16Array(n) };
}

/** Decoder state. */
class Inflater {
  src: Uint8Array;
  pos: number;
  bitbuf: number;
  bitcnt: number;
  out: Uint8Array;
  outLen: number;

  constructor(src: Uint8Array, max: number) {
    this.src = src;
    this.pos = 0;
    this.bitbuf = 0;
    this.bitcnt = 0;
    this.out = new Uint8Array(max);
    this.outLen = 0;
  }

  bits(need: number): number {
    var val = this.bitbuf;
    while (this.bitcnt < need) {
      if (this.pos >= this.src.length) throw qgError('inflate: input ends early');
      val |= this.src[this.pos++] << this.bitcnt;
      this.bitcnt += 8;
    }
    this.bitbuf = val >>> need;
    this.bitcnt -= need;
    return val & ((1 << need) - 1);
  }

  put(b: number): void {
    if (this.outLen >= this.out.length) throw qgError('inflate: output too large');
    this.out[this.outLen++] = b;
  }

  stored(): void {
    this.bitbuf = 0;
    this.bitcnt = 0;
    if (this.pos + 4 > this.src.length) throw qgError('inflate: input ends early');
    var s = this.src;
    var p = this.pos;
    var len = s[p] | (s[p + 1] << 8);
    var nlen = s[p + 2] | (s[p + 3] << 8);
    if (len !== (~nlen & 0xffff)) throw qgError('inflate: bad stored length');
    p += 4;
    if (p + len > s.length) throw qgError('inflate: input ends early');
    if (this.outLen + len > this.out.length) throw qgError('inflate: output too large');
    this.out.set(s.subarray(p, p + len), this.outLen);
    this.outLen += len;
    this.pos = p + len;
  }

  decode(h: Huffman): number {
    var code = 0;
    var first = 0;
    var index = 0;
    for (var len = 1; len <= MAXBITS; len++) {
      code |= this.bits(1);
      var count = h.count[len];
      if (code - count < first) return h.symbol[index + (code - first)];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    throw qgError('inflate: bad code');
  }

  codes(lencode: Huffman, distcode: Huffman): void {
    for (;;) {
      var sym = this.decode(lencode);
      if (sym < 256) {
        this.put(sym);
      } else if (sym === 256) {
        return;
      } else {
        sym -= 257;
        if (sym >= 29) throw qgError('inflate: bad length code');
        var len = LBASE[sym] + this.bits(LEXT[sym]);
        var dsym = this.decode(distcode);
        if (dsym >= 30) throw qgError('inflate: bad distance code');
        var dist = DBASE[dsym] + this.bits(DEXT[dsym]);
        if (dist > this.outLen) throw qgError('inflate: distance too far');
        if (this.outLen + len > this.out.length) throw qgError('inflate: output too large');
        var o = this.out;
        var at = this.outLen;
        for (var k = 0; k < len; k++) o[at + k] = o[at + k - dist];
        this.outLen = at + len;
      }
    }
  }

  fixed(): void {
    var lengths = new Uint8Array(FIXLCODES);
    var sym;
    for (sym = 0; sym < 144; sym++) lengths[sym] = 8;
    for (; sym < 256; sym++) lengths[sym] = 9;
    for (; sym < 280; sym++) lengths[sym] = 7;
    for (; sym < FIXLCODES; sym++) lengths[sym] = 8;
    var lencode = newHuffman(FIXLCODES);
    construct(lencode, lengths, FIXLCODES);
    var dl = new Uint8Array(MAXDCODES);
    for (sym = 0; sym < MAXDCODES; sym++) dl[sym] = 5;
    var distcode = newHuffman(MAXDCODES);
    construct(distcode, dl, MAXDCODES);
    this.codes(lencode, distcode);
  }

  dynamic(): void {
    var nlen = this.bits(5) + 257;
    var ndist = this.bits(5) + 1;
    var ncode = this.bits(4) + 4;
    if (nlen > MAXLCODES || ndist > MAXDCODES) throw qgError('inflate: bad counts');
    var lengths = new Uint8Array(MAXLCODES + MAXDCODES);
    var index;
    for (index = 0; index < ncode; index++) lengths[CLORDER[index]] = this.bits(3);
    var lencode = newHuffman(MAXLCODES);
    var distcode = newHuffman(MAXDCODES);
    if (construct(lencode, lengths, 19) !== 0) throw qgError('inflate: incomplete code length code');
    index = 0;
    while (index < nlen + ndist) {
      var sym = this.decode(lencode);
      if (sym < 16) {
        lengths[index++] = sym;
      } else {
        var len = 0;
        var rep;
        if (sym === 16) {
          if (index === 0) throw qgError('inflate: repeat with no first length');
          len = lengths[index - 1];
          rep = 3 + this.bits(2);
        } else if (sym === 17) {
          rep = 3 + this.bits(3);
        } else {
          rep = 11 + this.bits(7);
        }
        if (index + rep > nlen + ndist) throw qgError('inflate: too many lengths');
        while (rep--) lengths[index++] = len;
      }
    }
    if (lengths[256] === 0) throw qgError('inflate: no end-of-block code');
    var err = construct(lencode, lengths, nlen);
    // An incomplete literal/length code is allowed only if it is a single length-1 code.
    if (err !== 0 && nlen - lencode.count[0] !== 1) throw qgError('inflate: incomplete literal code');
    err = construct(distcode, lengths.subarray(nlen, nlen + ndist), ndist);
    if (err !== 0 && ndist - distcode.count[0] !== 1) throw qgError('inflate: incomplete distance code');
    this.codes(lencode, distcode);
  }
}

/** Result of inflateRaw: the data and how many input bytes the deflate stream used. */
export interface Inflated {
  data: Uint8Array;
  used: number;
}

/**
 * Inflates the raw deflate stream at the start of `src`. Throws Error on a malformed stream, when
 * the output would exceed `maxOut` bytes or the stream has more than INFLATE_MAX_BLOCKS blocks.
 * Bytes after the final block are not read.
 */
export function inflateRaw(src: Uint8Array, maxOut: number): Inflated {
  var s = new Inflater(src, maxOut);
  var last;
  var blocks = 0;
  do {
    if (++blocks > INFLATE_MAX_BLOCKS) throw qgError('inflate: too many blocks');
    last = s.bits(1);
    var type = s.bits(2);
    if (type === 0) s.stored();
    else if (type === 1) s.fixed();
    else if (type === 2) s.dynamic();
    else throw qgError('inflate: bad block type');
  } while (!last);
  var out = s.out;
  return { data: s.outLen === out.length ? out : new Uint8Array(out.subarray(0, s.outLen)), used: s.pos };
}
