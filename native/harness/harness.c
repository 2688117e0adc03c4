/* qrgate native-verifier harness: a static ARM Linux program (no libc, Linux syscalls only) that
 * runs THE SAME flat binary that the firmware embeds (firmware/crypto/native-code.generated.ts)
 * under qemu-arm.
 *
 *   qemu-arm -cpu cortex-m3 harness CODE.bin [OFFSET] < cases
 *
 * CODE.bin is read into a fresh read/write/execute mapping at byte OFFSET (default 36: neither 0
 * nor page aligned, so position-dependent code would fail) and called as a Thumb function at
 * (base + entry) | 1, entry being 0 (tools/native/build.sh asserts qg_verify is at offset 0).
 *
 * Input, repeated until end of file: msglen (uint32 little-endian), pub (32 bytes),
 * sig (64 bytes), msg (msglen bytes). With bit 31 of msglen set (its low 31 bits the message's
 * length), the message is passed in pieces as the firmware passes a long one (qg_verify.c): the
 * first third, then the rest, two (address, length) pairs; with bits 31 and 30 set, as 4 pieces:
 * an empty one, then thirds (the last the rest).
 * Output: one line per case, "1" valid or "0" invalid, then a
 * line "stack N" with the deepest stack use of any call in bytes (measured by painting the stack
 * below the caller before each call) and "base 0x..." the address the code was loaded at.
 */
#include "harness-io.h"

typedef int (*verify_fn)(const uint8_t *pub32, const uint8_t *sig64, const uint8_t *msg, uint32_t msglen);

#define INPUT_MAX (8u << 20)
#define CODE_MAX (256u << 10)
static uint8_t input[INPUT_MAX];

/* Calls the verifier on a painted stack; *depth: how deep below this function's stack pointer
 * the call wrote. noinline: its own frame sits above the painted area. */
static __attribute__((noinline)) int call_measured(verify_fn fn, const uint8_t *pub, const uint8_t *sig,
                                                   const uint8_t *msg, uint32_t len, uint32_t *depth) {
  volatile uint32_t *top = stack_paint();
  const int r = fn(pub, sig, msg, len);
  *depth = stack_depth(top);
  return r;
}

int harness_main(uint32_t *sp) {
  uint32_t code_len;
  uint8_t *code = load_code(sp, "usage: harness CODE.bin [OFFSET] < cases", CODE_MAX, &code_len);
  const verify_fn fn = (verify_fn)((uintptr_t)code | 1);

  const uint32_t n = read_all(0, input, INPUT_MAX);
  uint32_t pos = 0, max_depth = 0;
  while (pos < n) {
    if (n - pos < 100) fail("truncated case header");
    const uint8_t *h = input + pos;
    const uint32_t word = u32(h);
    const uint32_t len = word & 0x3fffffffu;
    if (len > n - pos - 100) fail("truncated message");
    uint32_t depth, d[10];
    const uint8_t *m = h + 100;
    int r;
    if (word & 0x80000000u) {
      if (word & 0x40000000u) {
        const uint32_t q = len / 3;
        d[0] = (uint32_t)(uintptr_t)m; d[1] = 0;
        for (uint32_t i = 0; i < 3; i++) {
          d[2 + 2 * i] = (uint32_t)(uintptr_t)(m + i * q);
          d[3 + 2 * i] = i < 2 ? q : len - 2 * q;
        }
        r = call_measured(fn, h + 4, h + 36, (const uint8_t *)d, 0x80000004u, &depth);
      } else {
        const uint32_t t = len / 3;
        d[0] = (uint32_t)(uintptr_t)m; d[1] = t;
        d[2] = (uint32_t)(uintptr_t)(m + t); d[3] = len - t;
        r = call_measured(fn, h + 4, h + 36, (const uint8_t *)d, 0x80000002u, &depth);
      }
    } else {
      r = call_measured(fn, h + 4, h + 36, m, len, &depth);
    }
    if (depth > max_depth) max_depth = depth;
    put(r == 1 ? "1\n" : r == 0 ? "0\n" : "?\n");
    pos += 100 + len;
  }
  put("stack ");
  put_num(max_depth, 0);
  put("\nbase 0x");
  put_num((uint32_t)(uintptr_t)code, 1);
  put("\nsize ");
  put_num(code_len, 0);
  put("\n");
  flush();
  return 0;
}
