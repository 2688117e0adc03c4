/* Field arithmetic mod 2^255 - 19: see fe25519.h (ref10-derived representation, public domain
 * origin; this file is part of qrgate). */
#include "fe25519.h"

void fe_0(fe h) { for (int i = 0; i < 10; i++) h[i] = 0; }
void fe_1(fe h) { h[0] = 1; for (int i = 1; i < 10; i++) h[i] = 0; }
void fe_copy(fe h, const fe f) { for (int i = 0; i < 10; i++) h[i] = f[i]; }
void fe_add(fe h, const fe f, const fe g) { for (int i = 0; i < 10; i++) h[i] = f[i] + g[i]; }
void fe_sub(fe h, const fe f, const fe g) { for (int i = 0; i < 10; i++) h[i] = f[i] - g[i]; }
void fe_neg(fe h, const fe f) { for (int i = 0; i < 10; i++) h[i] = -f[i]; }

/* Signed (rounding) carry of limb i into limb i+1 (limb 9 wraps into limb 0 times 19). */
#define CARRY(i)                                                                  \
  do {                                                                            \
    const int sh = ((i) & 1) ? 25 : 26;                                           \
    int64_t c = (t[i] + ((int64_t)1 << (sh - 1))) >> sh;                          \
    t[i] -= c * ((int64_t)1 << sh);                                               \
    if ((i) == 9) t[0] += c * 19; else t[((i) + 1) % 10] += c;                     \
  } while (0)

/* Reduce the 10 wide column sums into h, ref10's carry order. */
static inline void fe_carry_wide(fe h, int64_t t[10]) {
  CARRY(0); CARRY(4);
  CARRY(1); CARRY(5);
  CARRY(2); CARRY(6);
  CARRY(3); CARRY(7);
  CARRY(4); CARRY(8);
  CARRY(9);
  CARRY(0);
  for (int i = 0; i < 10; i++) h[i] = (int32_t)t[i];
}

/* h = f * g. Column k of the product sums f[i] g[j] with i + j = k (mod 10); a term whose
 * i + j >= 10 is multiplied by 19 (2^255 = 19), and by 2 when i and j are both odd (the
 * weights of odd limbs are 2^0.5 short). */
void fe_mul(fe h, const fe f, const fe g) {
  int32_t g19[10], f2[10];
  int64_t t[10];
#pragma GCC unroll 10
  for (int i = 0; i < 10; i++) {
    g19[i] = 19 * g[i];
    f2[i] = 2 * f[i];
  }
#pragma GCC unroll 10
  for (int k = 0; k < 10; k++) {
    int64_t acc = 0;
#pragma GCC unroll 10
    for (int i = 0; i < 10; i++) {
      const int j = (k - i + 10) % 10;
      const int32_t a = ((i & 1) && (j & 1)) ? f2[i] : f[i];
      const int32_t b = (i > k) ? g19[j] : g[j];
      acc += (int64_t)a * b;
    }
    t[k] = acc;
  }
  fe_carry_wide(h, t);
}

/* Squaring: the products f[i] f[j] and f[j] f[i] (i < j) are taken once, doubled. */
static inline void fe_sq_wide(int64_t t[10], const fe f) {
  int32_t f2[10], f19[10];
#pragma GCC unroll 10
  for (int i = 0; i < 10; i++) {
    f2[i] = 2 * f[i];
    f19[i] = 19 * f[i];
  }
#pragma GCC unroll 10
  for (int k = 0; k < 10; k++) {
    int64_t acc = 0;
#pragma GCC unroll 10
    for (int i = 0; i < 10; i++) {
      const int j = (k - i + 10) % 10;
      if (j < i) continue; /* pairs (i, j) with i <= j only */
      int m = (i == j) ? 1 : 2;
      if ((i & 1) && (j & 1)) m *= 2;
      /* a carries the factor 1, 2 or 4; b carries the 19 when the column wraps. */
      const int32_t a = (m == 1) ? f[i] : (m == 2) ? f2[i] : 2 * f2[i];
      const int32_t b = (i + j >= 10) ? f19[j] : f[j];
      acc += (int64_t)a * b;
    }
    t[k] = acc;
  }
}

void fe_sq(fe h, const fe f) {
  int64_t t[10];
  fe_sq_wide(t, f);
  fe_carry_wide(h, t);
}

void fe_sq2(fe h, const fe f) {
  int64_t t[10];
  fe_sq_wide(t, f);
  for (int i = 0; i < 10; i++) t[i] += t[i];
  fe_carry_wide(h, t);
}

static const uint8_t LIMB_POS[11] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230, 255};

void fe_frombytes(fe h, const uint8_t s[32]) {
  for (int i = 0; i < 10; i++) {
    const int pos = LIMB_POS[i], byte = pos >> 3, width = LIMB_POS[i + 1] - pos;
    uint32_t v = (uint32_t)s[byte] | ((uint32_t)s[byte + 1] << 8) | ((uint32_t)s[byte + 2] << 16) |
                 ((uint32_t)s[byte + 3] << 24);
    h[i] = (int32_t)((v >> (pos & 7)) & ((1u << width) - 1));
  }
}

/* Canonical encoding: ref10's method. q = floor(h / p) is found from the top (h is close
 * to reduced), h - q p is then carried with floor carries. */
void fe_tobytes(uint8_t s[32], const fe f) {
  int32_t h[10];
  int32_t q = (19 * f[9] + (1 << 24)) >> 25;
  for (int i = 0; i < 10; i++) q = (f[i] + q) >> ((i & 1) ? 25 : 26);
  for (int i = 0; i < 10; i++) h[i] = f[i];
  h[0] += 19 * q;
  for (int i = 0; i < 9; i++) {
    const int sh = (i & 1) ? 25 : 26;
    const int32_t c = h[i] >> sh;
    h[i + 1] += c;
    h[i] -= (int32_t)((uint32_t)c << sh);
  }
  h[9] &= (1 << 25) - 1; /* drops the final carry, i.e. subtracts q * 2^255 */
  for (int i = 0; i < 32; i++) s[i] = 0;
  for (int i = 0; i < 10; i++) {
    uint32_t v = (uint32_t)h[i];
    int p = LIMB_POS[i];
    const int end = LIMB_POS[i + 1];
    s[p >> 3] |= (uint8_t)(v << (p & 7));
    v >>= 8 - (p & 7);
    p += 8 - (p & 7);
    while (p < end) {
      s[p >> 3] |= (uint8_t)v;
      v >>= 8;
      p += 8;
    }
  }
}

int fe_isnegative(const fe f) {
  uint8_t s[32];
  fe_tobytes(s, f);
  return s[0] & 1;
}

int fe_iszero(const fe f) {
  uint8_t s[32];
  uint8_t r = 0;
  fe_tobytes(s, f);
  for (int i = 0; i < 32; i++) r |= s[i];
  return r == 0;
}

static void fe_sqn(fe h, const fe f, int n) {
  fe_sq(h, f);
  while (--n > 0) fe_sq(h, h);
}

/* z11 = z^11, out = z^(2^250 - 1): the common prefix of ref10's two addition chains. */
static void fe_pow2250m1(fe out, fe z11, const fe z) {
  fe t0, t1, t2;
  fe_sq(t0, z);            /* 2 */
  fe_sqn(t1, t0, 2);       /* 8 */
  fe_mul(t1, z, t1);       /* 9 */
  fe_mul(z11, t0, t1);     /* 11 */
  fe_sq(t0, z11);          /* 22 */
  fe_mul(t1, t1, t0);      /* 2^5 - 1 */
  fe_sqn(t0, t1, 5);
  fe_mul(t1, t0, t1);      /* 2^10 - 1 */
  fe_sqn(t0, t1, 10);
  fe_mul(t0, t0, t1);      /* 2^20 - 1 */
  fe_sqn(t2, t0, 20);
  fe_mul(t0, t2, t0);      /* 2^40 - 1 */
  fe_sqn(t0, t0, 10);
  fe_mul(t1, t0, t1);      /* 2^50 - 1 */
  fe_sqn(t0, t1, 50);
  fe_mul(t0, t0, t1);      /* 2^100 - 1 */
  fe_sqn(t2, t0, 100);
  fe_mul(t0, t2, t0);      /* 2^200 - 1 */
  fe_sqn(t0, t0, 50);
  fe_mul(out, t0, t1);     /* 2^250 - 1 */
}

void fe_invert(fe out, const fe z) {
  fe t, z11;
  fe_pow2250m1(t, z11, z);
  fe_sqn(t, t, 5);         /* 2^255 - 32 */
  fe_mul(out, t, z11);     /* 2^255 - 21 = p - 2 */
}

void fe_pow22523(fe out, const fe z) {
  fe t, z11;
  fe_pow2250m1(t, z11, z);
  fe_sqn(t, t, 2);         /* 2^252 - 4 */
  fe_mul(out, t, z);       /* 2^252 - 3 = (p - 5) / 8 */
}
