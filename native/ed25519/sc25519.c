/* Scalar reduction mod L. The algorithm is TweetNaCl's modL (public domain: D. J. Bernstein,
 * B. van Gastel, W. Janssen, T. Lange, P. Schwabe, S. Smetsers), rewritten with 32-bit limbs:
 * every intermediate value stays below 2^26 in magnitude, so int32 suffices. This file is part
 * of qrgate. */
#include "sc25519.h"

static const uint8_t L_BYTES[32] = {
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

void sc_reduce64(uint8_t r[32], const uint8_t in[64]) {
  int32_t x[64];
  int32_t carry;
  int i, j;
  for (i = 0; i < 64; i++) x[i] = in[i];
  /* Fold byte i (weight 2^(8i), i >= 32) down: 2^(8i) = 2^(8(i-32)) * 2^256 and
   * 2^256 = 16 * 2^252 = -16 (L - 2^252) mod L; L - 2^252 has 16 bytes (L_BYTES[0..15]). */
  for (i = 63; i >= 32; i--) {
    carry = 0;
    for (j = i - 32; j < i - 12; j++) {
      x[j] += carry - 16 * x[i] * L_BYTES[j - (i - 32)];
      carry = (x[j] + 128) >> 8;
      x[j] -= carry * 256;
    }
    x[j] += carry;
    x[i] = 0;
  }
  /* Now x < 2^256 or so: fold the bits at and above 2^252 (x[31] >> 4) once more. */
  carry = 0;
  for (j = 0; j < 32; j++) {
    x[j] += carry - (x[31] >> 4) * L_BYTES[j];
    carry = x[j] >> 8;
    x[j] &= 255;
  }
  for (j = 0; j < 32; j++) x[j] -= carry * L_BYTES[j];
  for (i = 0; i < 32; i++) {
    x[i + 1] += x[i] >> 8;
    r[i] = (uint8_t)(x[i] & 255);
  }
}

int sc_is_canonical(const uint8_t s[32]) {
  for (int i = 31; i >= 0; i--) {
    if (s[i] < L_BYTES[i]) return 1;
    if (s[i] > L_BYTES[i]) return 0;
  }
  return 0; /* s == L */
}
