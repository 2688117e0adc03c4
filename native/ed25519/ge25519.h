/* Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 (edwards25519) group operations for the native
 * verifier. Point representations and the addition/doubling formulas are those of the
 * public-domain ref10 (SUPERCOP) implementation (Hisil-Wong-Carter-Dawson extended coordinates);
 * the code is written anew. */
#ifndef QG_GE25519_H
#define QG_GE25519_H
#include "fe25519.h"

typedef struct { fe X, Y, Z; } ge_p2;         /* x = X/Z, y = Y/Z */
typedef struct { fe X, Y, Z, T; } ge_p3;      /* also XY = ZT */
typedef struct { fe X, Y, Z, T; } ge_p1p1;    /* x = X/Z, y = Y/T */
typedef struct { fe YplusX, YminusX, Z, T2d; } ge_cached;
typedef struct { fe yplusx, yminusx, xy2d; } ge_precomp; /* affine, Z = 1 */

/* Strict decoding of a 32-byte encoding into -P (the negation, as ref10's verifier uses it).
 * Returns 0 when y >= p, when x = 0 with the sign bit set, or when no x exists. */
QG_HIDDEN int ge_frombytes_negate_strict(ge_p3 *h, const uint8_t s[32]);
QG_HIDDEN void ge_tobytes(uint8_t s[32], const ge_p2 *h);
/* r = a A + b B for B the base point, a and b little-endian 256-bit scalars below 2^253. */
QG_HIDDEN void ge_double_scalarmult_vartime(ge_p2 *r, const uint8_t a[32], const ge_p3 *A, const uint8_t b[32]);

#endif
