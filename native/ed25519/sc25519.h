/* Scalars mod L = 2^252 + 27742317777372353535851937790883648493 for the native verifier. */
#ifndef QG_SC25519_H
#define QG_SC25519_H
#include "fe25519.h"

/* r = x mod L for a 64-byte little-endian x; r fully reduced. */
QG_HIDDEN void sc_reduce64(uint8_t r[32], const uint8_t x[64]);
/* 1 when the 32-byte little-endian s is below L. */
QG_HIDDEN int sc_is_canonical(const uint8_t s[32]);

#endif
