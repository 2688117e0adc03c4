/* qrgate native Ed25519 verifier: the entry point.
 *
 *   int qg_verify(const uint8_t *pub32, const uint8_t *sig64, const uint8_t *msg, uint32_t msglen)
 *
 * returns 1 when sig64 is a valid signature of msg under pub32 in the STRICT profile of
 * spec/qg1.md section 1, 0 otherwise:
 *   - S (sig64[32..63]) < L;
 *   - A (pub32) and R (sig64[0..31]) canonical: y < p, not (x = 0 with the sign bit);
 *   - neither A nor R of small order (one of the 8 points of order dividing 8);
 *   - cofactorless [S]B = R + [k]A, k = SHA-512(R || A || msg) mod L.
 *
 * The last check is made as ref10 does: R' = [k](-A) + [S]B is encoded and compared with the
 * bytes of R. An encoding is always canonical, so the comparison also rejects a non-canonical R.
 * A canonical encoding names one point, so "small order" is a comparison with the 8 canonical
 * encodings of those points (for A after its canonical check, for R because R must equal a
 * canonical encoding anyway).
 *
 * The message in pieces: with bit 31 of msglen set, `msg` points at QG_PIECES_MAX or fewer
 * (address, length) pairs of 32-bit words, their count in msglen's low byte, and the message is
 * the pieces one after the other. The firmware passes a long message so, its head in RAM and the
 * rest where it lies (a trust bundle's payload, in flash): no contiguous copy of it in RAM. A
 * count of 0 or over QG_PIECES_MAX is refused (0 returned).
 *
 * Built as position-independent Thumb-2 code for Cortex-M3 (see tools/native/build.sh):
 * no libc, no writable globals, no heap; everything lives on the caller's stack.
 */
#include "ge25519.h"
#include "sc25519.h"
#include "sha512.h"

/* The 8 points of order dividing 8, canonical encodings, byte 0 / 31 distinguish most:
 * stored whole to keep the test obvious. */
static const uint8_t SMALL_ORDER[8][32] = {
  {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
  {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
  {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
  {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80},
  {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
   0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
  {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
   0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa},
  {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
   0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
  {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
   0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x85}};

static int bytes_equal(const uint8_t *a, const uint8_t *b, int n) {
  uint8_t d = 0;
  for (int i = 0; i < n; i++) d |= (uint8_t)(a[i] ^ b[i]);
  return d == 0;
}

static int is_small_order(const uint8_t enc[32]) {
  for (int i = 0; i < 8; i++)
    if (bytes_equal(enc, SMALL_ORDER[i], 32)) return 1;
  return 0;
}

#define QG_PIECES 0x80000000u
#define QG_PIECES_MAX 4u

/* k = SHA-512(R || A || msg) mod L, msg whole or in pieces (see above; the count already
 * checked). Its own frame, so the hash state is off the stack before the scalar multiplication
 * runs. */
static __attribute__((noinline)) void hash_k(uint8_t k[32], const uint8_t *R, const uint8_t *A,
                                             const uint8_t *msg, uint32_t msglen) {
  sha512_ctx c;
  uint8_t h[64];
  sha512_init(&c);
  sha512_update(&c, R, 32);
  sha512_update(&c, A, 32);
  if (msglen & QG_PIECES) {
    const uint32_t *d = (const uint32_t *)msg;
    for (uint32_t i = 0; i < (msglen & 0xffu); i++)
      sha512_update(&c, (const uint8_t *)(uintptr_t)d[2 * i], d[2 * i + 1]);
  } else {
    sha512_update(&c, msg, msglen);
  }
  sha512_final(&c, h);
  sc_reduce64(k, h);
}

static __attribute__((noinline)) int check_equation(const uint8_t *R, const uint8_t k[32], const ge_p3 *negA,
                                                    const uint8_t *S) {
  ge_p2 r;
  uint8_t enc[32];
  ge_double_scalarmult_vartime(&r, k, negA, S);
  ge_tobytes(enc, &r);
  return bytes_equal(enc, R, 32);
}

__attribute__((section(".text.qg_verify"), visibility("default")))
int qg_verify(const uint8_t *pub32, const uint8_t *sig64, const uint8_t *msg, uint32_t msglen) {
  uint8_t k[32];
  ge_p3 negA;
  const uint8_t *R = sig64, *S = sig64 + 32;

  if ((msglen & QG_PIECES) && ((msglen & 0x7fffff00u) || (msglen & 0xffu) == 0 || (msglen & 0xffu) > QG_PIECES_MAX)) return 0;
  if (!sc_is_canonical(S)) return 0;
  if (is_small_order(pub32) || is_small_order(R)) return 0;
  if (!ge_frombytes_negate_strict(&negA, pub32)) return 0;
  hash_k(k, R, pub32, msg, msglen);
  return check_equation(R, k, &negA, S);
}
