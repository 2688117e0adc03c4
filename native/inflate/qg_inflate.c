/* qg_inflate: RFC 1951 raw inflate for ARM boards, a line-by-line port of proto/inflate.ts
 * (itself after zlib's puff.c), which stays the reference: the same checks in the same order,
 * so the same input gives the same output, the same `used` count or the same error.
 *
 *   int32_t qg_inflate(const uint8_t *src, uint32_t srclen, uint8_t *out, uint32_t maxout)
 *
 * Returns (used << 16) | outlen on success (used: input bytes the stream took, outlen: bytes
 * written to out, at most maxout), or a negative error code (QGI_E_*, below; the TypeScript
 * glue maps each to proto/inflate.ts' message). srclen must be below 32768 and maxout below
 * 65536 (QGI_E_ARGS otherwise). Bounded: never writes beyond out[maxout - 1], never reads
 * beyond src[srclen - 1], at most QGI_MAX_BLOCKS blocks, work linear in input + output.
 * Freestanding: no libc, no writable static data, about 1.3 KB of stack. */
#include <stdint.h>

#define MAXBITS 15
#define MAXLCODES 286
#define MAXDCODES 30
#define FIXLCODES 288
#define QGI_MAX_BLOCKS 8 /* proto/inflate.ts INFLATE_MAX_BLOCKS */

#define QGI_E_ARGS (-1)
#define QGI_E_EARLY (-2)        /* inflate: input ends early */
#define QGI_E_TOO_LARGE (-3)    /* inflate: output too large */
#define QGI_E_STORED_LEN (-4)   /* inflate: bad stored length */
#define QGI_E_BAD_CODE (-5)     /* inflate: bad code */
#define QGI_E_LEN_CODE (-6)     /* inflate: bad length code */
#define QGI_E_DIST_CODE (-7)    /* inflate: bad distance code */
#define QGI_E_DIST_FAR (-8)     /* inflate: distance too far */
#define QGI_E_COUNTS (-9)       /* inflate: bad counts */
#define QGI_E_OVERSUB (-10)     /* inflate: over-subscribed code */
#define QGI_E_CL_INCOMPLETE (-11)  /* inflate: incomplete code length code */
#define QGI_E_REPEAT_FIRST (-12)   /* inflate: repeat with no first length */
#define QGI_E_TOO_MANY_LENS (-13)  /* inflate: too many lengths */
#define QGI_E_NO_EOB (-14)         /* inflate: no end-of-block code */
#define QGI_E_LIT_INCOMPLETE (-15) /* inflate: incomplete literal code */
#define QGI_E_DIST_INCOMPLETE (-16) /* inflate: incomplete distance code */
#define QGI_E_BLOCKS (-17)         /* inflate: too many blocks */
#define QGI_E_BLOCK_TYPE (-18)     /* inflate: bad block type */

static const uint16_t LBASE[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LEXT[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t DBASE[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t DEXT[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t CLORDER[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

struct huffman {
  uint16_t count[MAXBITS + 1];
  uint16_t *symbol;
};

struct state {
  const uint8_t *src;
  uint32_t srclen;
  uint32_t pos;
  uint32_t bitbuf;
  uint32_t bitcnt;
  uint8_t *out;
  uint32_t outmax;
  uint32_t outlen;
  int err; /* first error; once set every step returns at once */
};

/* (Every routine below checks s->err after each call that may fail: no setjmp, no libc.) */

static uint32_t bits(struct state *s, uint32_t need) {
  uint32_t val = s->bitbuf;
  while (s->bitcnt < need) {
    if (s->pos >= s->srclen) {
      s->err = QGI_E_EARLY;
      return 0;
    }
    val |= (uint32_t)s->src[s->pos++] << s->bitcnt;
    s->bitcnt += 8;
  }
  s->bitbuf = val >> need;
  s->bitcnt -= need;
  return val & ((1u << need) - 1u);
}

/* 0 complete, > 0 incomplete, < 0 over-subscribed (the error is set). */
static int construct(struct state *s, struct huffman *h, const uint8_t *lengths, int n) {
  int len, sym, left;
  uint16_t offs[MAXBITS + 1];
  for (len = 0; len <= MAXBITS; len++) h->count[len] = 0;
  for (sym = 0; sym < n; sym++) h->count[lengths[sym]]++;
  if (h->count[0] == n) return 0;
  left = 1;
  for (len = 1; len <= MAXBITS; len++) {
    left <<= 1;
    left -= h->count[len];
    if (left < 0) {
      s->err = QGI_E_OVERSUB;
      return -1;
    }
  }
  offs[1] = 0;
  for (len = 1; len < MAXBITS; len++) offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
  for (sym = 0; sym < n; sym++) {
    if (lengths[sym] != 0) h->symbol[offs[lengths[sym]]++] = (uint16_t)sym;
  }
  return left;
}

static int decode(struct state *s, const struct huffman *h) {
  int code = 0, first = 0, index = 0, len, count;
  for (len = 1; len <= MAXBITS; len++) {
    code |= (int)bits(s, 1);
    if (s->err) return -1;
    count = h->count[len];
    if (code - count < first) return h->symbol[index + (code - first)];
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  s->err = QGI_E_BAD_CODE;
  return -1;
}

static void stored(struct state *s) {
  uint32_t p = s->pos, len, nlen, k;
  const uint8_t *src = s->src;
  s->bitbuf = 0;
  s->bitcnt = 0;
  if (p + 4 > s->srclen) {
    s->err = QGI_E_EARLY;
    return;
  }
  len = (uint32_t)src[p] | ((uint32_t)src[p + 1] << 8);
  nlen = (uint32_t)src[p + 2] | ((uint32_t)src[p + 3] << 8);
  if (len != (~nlen & 0xffffu)) {
    s->err = QGI_E_STORED_LEN;
    return;
  }
  p += 4;
  if (p + len > s->srclen) {
    s->err = QGI_E_EARLY;
    return;
  }
  if (s->outlen + len > s->outmax) {
    s->err = QGI_E_TOO_LARGE;
    return;
  }
  for (k = 0; k < len; k++) s->out[s->outlen + k] = src[p + k];
  s->outlen += len;
  s->pos = p + len;
}

static void codes(struct state *s, const struct huffman *lencode, const struct huffman *distcode) {
  for (;;) {
    int sym = decode(s, lencode);
    if (s->err) return;
    if (sym < 256) {
      if (s->outlen >= s->outmax) {
        s->err = QGI_E_TOO_LARGE;
        return;
      }
      s->out[s->outlen++] = (uint8_t)sym;
    } else if (sym == 256) {
      return;
    } else {
      uint32_t len, dist, at, k;
      int dsym;
      sym -= 257;
      if (sym >= 29) {
        s->err = QGI_E_LEN_CODE;
        return;
      }
      len = LBASE[sym] + bits(s, LEXT[sym]);
      if (s->err) return;
      dsym = decode(s, distcode);
      if (s->err) return;
      if (dsym >= 30) {
        s->err = QGI_E_DIST_CODE;
        return;
      }
      dist = DBASE[dsym] + bits(s, DEXT[dsym]);
      if (s->err) return;
      if (dist > s->outlen) {
        s->err = QGI_E_DIST_FAR;
        return;
      }
      if (s->outlen + len > s->outmax) {
        s->err = QGI_E_TOO_LARGE;
        return;
      }
      at = s->outlen;
      for (k = 0; k < len; k++) s->out[at + k] = s->out[at + k - dist];
      s->outlen = at + len;
    }
  }
}

static void fixed(struct state *s) {
  uint8_t lengths[FIXLCODES];
  uint16_t lsym[FIXLCODES], dsym[MAXDCODES];
  struct huffman lencode, distcode;
  int sym;
  lencode.symbol = lsym;
  distcode.symbol = dsym;
  for (sym = 0; sym < 144; sym++) lengths[sym] = 8;
  for (; sym < 256; sym++) lengths[sym] = 9;
  for (; sym < 280; sym++) lengths[sym] = 7;
  for (; sym < FIXLCODES; sym++) lengths[sym] = 8;
  construct(s, &lencode, lengths, FIXLCODES);
  for (sym = 0; sym < MAXDCODES; sym++) lengths[sym] = 5;
  construct(s, &distcode, lengths, MAXDCODES);
  codes(s, &lencode, &distcode);
}

static void dynamic(struct state *s) {
  uint8_t lengths[MAXLCODES + MAXDCODES];
  uint16_t lsym[MAXLCODES], dsym[MAXDCODES];
  struct huffman lencode, distcode;
  int nlen, ndist, ncode, index, err;
  lencode.symbol = lsym;
  distcode.symbol = dsym;
  nlen = (int)bits(s, 5) + 257;
  if (s->err) return;
  ndist = (int)bits(s, 5) + 1;
  if (s->err) return;
  ncode = (int)bits(s, 4) + 4;
  if (s->err) return;
  if (nlen > MAXLCODES || ndist > MAXDCODES) {
    s->err = QGI_E_COUNTS;
    return;
  }
  for (index = 0; index < MAXLCODES + MAXDCODES; index++) lengths[index] = 0;
  for (index = 0; index < ncode; index++) {
    lengths[CLORDER[index]] = (uint8_t)bits(s, 3);
    if (s->err) return;
  }
  err = construct(s, &lencode, lengths, 19);
  if (s->err) return;
  if (err != 0) {
    s->err = QGI_E_CL_INCOMPLETE;
    return;
  }
  index = 0;
  while (index < nlen + ndist) {
    int sym = decode(s, &lencode);
    if (s->err) return;
    if (sym < 16) {
      lengths[index++] = (uint8_t)sym;
    } else {
      uint8_t len = 0;
      int rep;
      if (sym == 16) {
        if (index == 0) {
          s->err = QGI_E_REPEAT_FIRST;
          return;
        }
        len = lengths[index - 1];
        rep = 3 + (int)bits(s, 2);
      } else if (sym == 17) {
        rep = 3 + (int)bits(s, 3);
      } else {
        rep = 11 + (int)bits(s, 7);
      }
      if (s->err) return;
      if (index + rep > nlen + ndist) {
        s->err = QGI_E_TOO_MANY_LENS;
        return;
      }
      while (rep--) lengths[index++] = len;
    }
  }
  if (lengths[256] == 0) {
    s->err = QGI_E_NO_EOB;
    return;
  }
  err = construct(s, &lencode, lengths, nlen);
  if (s->err) return;
  if (err != 0 && nlen - lencode.count[0] != 1) {
    s->err = QGI_E_LIT_INCOMPLETE;
    return;
  }
  err = construct(s, &distcode, lengths + nlen, ndist);
  if (s->err) return;
  if (err != 0 && ndist - distcode.count[0] != 1) {
    s->err = QGI_E_DIST_INCOMPLETE;
    return;
  }
  codes(s, &lencode, &distcode);
}

__attribute__((section(".text.qg_inflate"), used))
int32_t qg_inflate(const uint8_t *src, uint32_t srclen, uint8_t *out, uint32_t maxout) {
  struct state s;
  uint32_t last, type;
  int blocks = 0;
  if (srclen >= 32768u || maxout >= 65536u) return QGI_E_ARGS;
  s.src = src;
  s.srclen = srclen;
  s.pos = 0;
  s.bitbuf = 0;
  s.bitcnt = 0;
  s.out = out;
  s.outmax = maxout;
  s.outlen = 0;
  s.err = 0;
  do {
    if (++blocks > QGI_MAX_BLOCKS) return QGI_E_BLOCKS;
    last = bits(&s, 1);
    if (s.err) return s.err;
    type = bits(&s, 2);
    if (s.err) return s.err;
    if (type == 0) stored(&s);
    else if (type == 1) fixed(&s);
    else if (type == 2) dynamic(&s);
    else return QGI_E_BLOCK_TYPE;
    if (s.err) return s.err;
  } while (!last);
  return (int32_t)((s.pos << 16) | s.outlen);
}
