/* Field arithmetic mod p = 2^255 - 19 for the native Ed25519 verifier.
 *
 * Representation and formulas follow the public-domain ref10 implementation of Ed25519
 * (SUPERCOP, D. J. Bernstein, N. Duif, T. Lange, P. Schwabe, B.-Y. Yang): 10 signed 32-bit limbs,
 * radix 2^25.5, limb i weighted 2^ceil(25.5 i). The code here is written anew (loops that GCC
 * unrolls instead of ref10's hand-expanded products), so only the ideas and bounds are ref10's.
 *
 * Bounds (ref10's): outputs of fe_mul/fe_sq/fe_frombytes have |limb| <= 1.1*2^25 (even limbs) /
 * 1.1*2^24 (odd); fe_add/fe_sub of two such values may be fed straight into fe_mul/fe_sq (which
 * accept up to 1.65*2^26 / 1.65*2^25).
 */
#ifndef QG_FE25519_H
#define QG_FE25519_H
#include <stdint.h>

typedef int32_t fe[10];

#define QG_HIDDEN __attribute__((visibility("hidden")))

QG_HIDDEN void fe_0(fe h);
QG_HIDDEN void fe_1(fe h);
QG_HIDDEN void fe_copy(fe h, const fe f);
QG_HIDDEN void fe_add(fe h, const fe f, const fe g);
QG_HIDDEN void fe_sub(fe h, const fe f, const fe g);
QG_HIDDEN void fe_neg(fe h, const fe f);
QG_HIDDEN void fe_mul(fe h, const fe f, const fe g);
QG_HIDDEN void fe_sq(fe h, const fe f);
QG_HIDDEN void fe_sq2(fe h, const fe f);             /* 2 f^2 */
QG_HIDDEN void fe_frombytes(fe h, const uint8_t s[32]); /* ignores bit 255 */
QG_HIDDEN void fe_tobytes(uint8_t s[32], const fe h);   /* canonical (fully reduced) */
QG_HIDDEN int fe_isnegative(const fe f);              /* low bit of the canonical encoding */
QG_HIDDEN int fe_iszero(const fe f);
QG_HIDDEN void fe_invert(fe out, const fe z);         /* z^(p-2) */
QG_HIDDEN void fe_pow22523(fe out, const fe z);       /* z^((p-5)/8) */

#endif
