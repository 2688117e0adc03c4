/* edwards25519 group operations: see ge25519.h (ref10-derived formulas, public domain origin;
 * this file is part of qrgate). */
#include "ge25519.h"

#include "consts.h"

static void ge_p1p1_to_p2(ge_p2 *r, const ge_p1p1 *p) {
  fe_mul(r->X, p->X, p->T);
  fe_mul(r->Y, p->Y, p->Z);
  fe_mul(r->Z, p->Z, p->T);
}

static void ge_p1p1_to_p3(ge_p3 *r, const ge_p1p1 *p) {
  fe_mul(r->X, p->X, p->T);
  fe_mul(r->Y, p->Y, p->Z);
  fe_mul(r->Z, p->Z, p->T);
  fe_mul(r->T, p->X, p->Y);
}

static void ge_p3_to_cached(ge_cached *r, const ge_p3 *p) {
  fe_add(r->YplusX, p->Y, p->X);
  fe_sub(r->YminusX, p->Y, p->X);
  fe_copy(r->Z, p->Z);
  fe_mul(r->T2d, p->T, FE_D2);
}

/* r = 2 p (dbl-2008-hwcd). The input only needs X, Y, Z, so a ge_p3 may be passed as a ge_p2. */
static void ge_p2_dbl(ge_p1p1 *r, const fe X, const fe Y, const fe Z) {
  fe t0;
  fe_sq(r->X, X);
  fe_sq(r->Z, Y);
  fe_sq2(r->T, Z);
  fe_add(r->Y, X, Y);
  fe_sq(t0, r->Y);
  fe_add(r->Y, r->Z, r->X);
  fe_sub(r->Z, r->Z, r->X);
  fe_sub(r->X, t0, r->Y);
  fe_sub(r->T, r->T, r->Z);
}

/* r = p + q (neg = 0) or p - q (neg = 1), q given as (Y+X, Y-X, 2dT) and Z (qZ = 0 for Z = 1).
 * Negating q swaps Y+X and Y-X and negates T, which swaps the last two outputs. */
static void ge_add_any(ge_p1p1 *r, const ge_p3 *p, const fe qYplusX, const fe qYminusX, const fe qT2d,
                       const int32_t *qZ, int neg) {
  fe t0;
  fe_add(r->X, p->Y, p->X);
  fe_sub(r->Y, p->Y, p->X);
  fe_mul(r->Z, r->X, neg ? qYminusX : qYplusX);
  fe_mul(r->Y, r->Y, neg ? qYplusX : qYminusX);
  fe_mul(r->T, qT2d, p->T);
  if (qZ) {
    fe_mul(r->X, p->Z, qZ);
    fe_add(t0, r->X, r->X);
  } else {
    fe_add(t0, p->Z, p->Z);
  }
  fe_sub(r->X, r->Z, r->Y);
  fe_add(r->Y, r->Z, r->Y);
  if (neg) {
    fe_sub(r->Z, t0, r->T);
    fe_add(r->T, t0, r->T);
  } else {
    fe_add(r->Z, t0, r->T);
    fe_sub(r->T, t0, r->T);
  }
}

int ge_frombytes_negate_strict(ge_p3 *h, const uint8_t s[32]) {
  fe u, v, v3, vxx, check;
  /* y < p: y >= p only for 2^255 - 19 .. 2^255 - 1, i.e. ed ff .. ff 7f and above. */
  int top = 1;
  if ((s[31] & 0x7f) != 0x7f) top = 0;
  for (int i = 30; i > 0 && top; i--)
    if (s[i] != 0xff) top = 0;
  if (top && s[0] >= 0xed) return 0;

  fe_frombytes(h->Y, s);
  fe_1(h->Z);
  fe_sq(u, h->Y);
  fe_mul(v, u, FE_D);
  fe_sub(u, u, h->Z);      /* u = y^2 - 1 */
  fe_add(v, v, h->Z);      /* v = d y^2 + 1 */
  fe_sq(v3, v);
  fe_mul(v3, v3, v);       /* v^3 */
  fe_sq(h->X, v3);
  fe_mul(h->X, h->X, v);
  fe_mul(h->X, h->X, u);   /* u v^7 */
  fe_pow22523(h->X, h->X); /* (u v^7)^((p-5)/8) */
  fe_mul(h->X, h->X, v3);
  fe_mul(h->X, h->X, u);   /* x = u v^3 (u v^7)^((p-5)/8) */
  fe_sq(vxx, h->X);
  fe_mul(vxx, vxx, v);
  fe_sub(check, vxx, u);   /* v x^2 - u */
  if (!fe_iszero(check)) {
    fe_add(check, vxx, u); /* v x^2 + u */
    if (!fe_iszero(check)) return 0;
    fe_mul(h->X, h->X, FE_SQRTM1);
  }
  if (fe_iszero(h->X) && (s[31] >> 7)) return 0; /* x = 0 with the sign bit: non-canonical */
  if (fe_isnegative(h->X) == (s[31] >> 7)) fe_neg(h->X, h->X);
  fe_mul(h->T, h->X, h->Y);
  return 1;
}

void ge_tobytes(uint8_t s[32], const ge_p2 *h) {
  fe recip, x, y;
  fe_invert(recip, h->Z);
  fe_mul(x, h->X, recip);
  fe_mul(y, h->Y, recip);
  fe_tobytes(s, y);
  s[31] ^= (uint8_t)(fe_isnegative(x) << 7);
}

/* Sliding-window signed digits (ref10's slide, with the bound 7): digit i of the scalar a
 * becomes d_i odd in [-7, 7] or 0, with sum d_i 2^i = a and nonzero digits at least 4 apart.
 * Two digit strings share one array: d_i is a signed nibble of r[i], the low one (hi = 0) or the
 * high one (hi = 1). */
static int digit(const uint8_t r[256], int i, int hi) {
  const int v = hi ? (r[i] >> 4) : (r[i] & 15);
  return v >= 8 ? v - 16 : v;
}

static void set_digit(uint8_t r[256], int i, int hi, int v) {
  v &= 15;
  r[i] = (uint8_t)(hi ? ((r[i] & 0x0f) | (v << 4)) : ((r[i] & 0xf0) | v));
}

static void slide(uint8_t r[256], const uint8_t a[32], int hi) {
  for (int i = 0; i < 256; i++) set_digit(r, i, hi, 1 & (a[i >> 3] >> (i & 7)));
  for (int i = 0; i < 256; i++) {
    int ri = digit(r, i, hi);
    if (!ri) continue;
    for (int b = 1; b <= 3 && i + b < 256; b++) {
      if (!digit(r, i + b, hi)) continue; /* positions above i still hold single bits */
      if (ri + (1 << b) <= 7) {
        ri += 1 << b;
        set_digit(r, i + b, hi, 0);
      } else if (ri - (1 << b) >= -7) {
        ri -= 1 << b;
        for (int k = i + b; k < 256; k++) {
          if (!digit(r, k, hi)) {
            set_digit(r, k, hi, 1);
            break;
          }
          set_digit(r, k, hi, 0);
        }
      } else {
        break;
      }
    }
    set_digit(r, i, hi, ri);
  }
}

/* r = a A + b B: Straus-Shamir, one doubling chain for both scalars, signed digits in [-7, 7],
 * odd multiples A..7A computed here (projective, cached form), B..7B from the table. */
void ge_double_scalarmult_vartime(ge_p2 *r, const uint8_t a[32], const ge_p3 *A, const uint8_t b[32]) {
  uint8_t digits[256];
  ge_cached Ai[4]; /* A, 3A, 5A, 7A */
  ge_p1p1 t;
  ge_p3 u, A2;
  int i;

  for (i = 0; i < 256; i++) digits[i] = 0;
  slide(digits, a, 0);
  slide(digits, b, 1);

  ge_p3_to_cached(&Ai[0], A);
  ge_p2_dbl(&t, A->X, A->Y, A->Z);
  ge_p1p1_to_p3(&A2, &t);
  for (i = 1; i < 4; i++) {
    ge_add_any(&t, &A2, Ai[i - 1].YplusX, Ai[i - 1].YminusX, Ai[i - 1].T2d, Ai[i - 1].Z, 0);
    ge_p1p1_to_p3(&u, &t);
    ge_p3_to_cached(&Ai[i], &u);
  }

  fe_0(r->X);
  fe_1(r->Y);
  fe_1(r->Z);
  for (i = 255; i >= 0; i--)
    if (digits[i]) break;
  for (; i >= 0; i--) {
    ge_p2_dbl(&t, r->X, r->Y, r->Z);
    const int da = digit(digits, i, 0), db = digit(digits, i, 1);
    if (da) {
      const ge_cached *q = &Ai[(da > 0 ? da : -da) >> 1];
      ge_p1p1_to_p3(&u, &t);
      ge_add_any(&t, &u, q->YplusX, q->YminusX, q->T2d, q->Z, da < 0);
    }
    if (db) {
      const ge_precomp *q = &BASE_ODD[(db > 0 ? db : -db) >> 1];
      ge_p1p1_to_p3(&u, &t);
      ge_add_any(&t, &u, q->yplusx, q->yminusx, q->xy2d, 0, db < 0);
    }
    ge_p1p1_to_p2(r, &t);
  }
}
