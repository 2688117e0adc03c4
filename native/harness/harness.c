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
 * sig (64 bytes), msg (msglen bytes). Output: one line per case, "1" valid or "0" invalid, then a
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
    const uint32_t len = u32(h);
    if (len > n - pos - 100) fail("truncated message");
    uint32_t depth;
    const int r = call_measured(fn, h + 4, h + 36, h + 100, len, &depth);
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
