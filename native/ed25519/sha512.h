/* SHA-512 (FIPS 180-4) for the native verifier: streaming, no global state. */
#ifndef QG_SHA512_H
#define QG_SHA512_H
#include "fe25519.h"

typedef struct {
  uint64_t h[8];
  uint8_t buf[128];
  uint32_t fill;      /* bytes in buf */
  uint32_t total_lo;  /* message length in bytes (low 32 bits: messages here are small) */
  uint32_t total_hi;
} sha512_ctx;

QG_HIDDEN void sha512_init(sha512_ctx *c);
QG_HIDDEN void sha512_update(sha512_ctx *c, const uint8_t *p, uint32_t n);
QG_HIDDEN void sha512_final(sha512_ctx *c, uint8_t out[64]);

#endif
