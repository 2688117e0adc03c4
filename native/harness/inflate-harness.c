/* qrgate native-inflate harness: a static ARM Linux program (no libc, Linux syscalls only) that
 * runs THE SAME flat binary the firmware embeds (firmware/native-inflate.generated.ts) under
 * qemu-arm.
 *
 *   qemu-arm -cpu cortex-m3 inflate-harness CODE.bin [OFFSET] < cases
 *
 * CODE.bin is read into a fresh read/write/execute mapping at byte OFFSET (default 36) and called
 * as a Thumb function at (base + 0) | 1 (tools/native/build.sh asserts qg_inflate is at offset 0).
 *
 * Input, repeated until end of file: srclen (uint32 little-endian), maxout (uint32 LE), src
 * (srclen bytes). Output, per case: the return value (int32 LE), then, when it is >= 0, the
 * (ret & 0xffff) output bytes. After the last case one text line
 * "stack N base 0x... size N\n": the deepest stack use of any call in bytes (painted), where the
 * code was loaded and its size. The output buffer is followed by guard bytes and the input is
 * copied into a buffer followed by guard bytes: a write past out[maxout - 1] or into the input
 * stops the harness with "error: ..." (exit 2).
 */
#include "harness-io.h"

typedef int32_t (*inflate_fn)(const uint8_t *src, uint32_t srclen, uint8_t *out, uint32_t maxout);

#define INPUT_MAX (64u << 20)
#define CODE_MAX (64u << 10)
#define GUARD 64u
#define GUARD_BYTE 0xa5u

static uint8_t input[INPUT_MAX];
static uint8_t srcbuf[32768u + GUARD];
static uint8_t outbuf[65536u + GUARD];
static __attribute__((noinline)) int32_t call_measured(inflate_fn fn, const uint8_t *src, uint32_t srclen,
                                                       uint8_t *dst, uint32_t maxout, uint32_t *depth) {
  volatile uint32_t *top = stack_paint();
  const int32_t r = fn(src, srclen, dst, maxout);
  *depth = stack_depth(top);
  return r;
}

int harness_main(uint32_t *sp) {
  uint32_t code_len;
  uint8_t *code = load_code(sp, "usage: inflate-harness CODE.bin [OFFSET] < cases", CODE_MAX, &code_len);
  const inflate_fn fn = (inflate_fn)((uintptr_t)code | 1);

  const uint32_t n = read_all(0, input, INPUT_MAX);
  uint32_t pos = 0, max_depth = 0;
  while (pos < n) {
    if (n - pos < 8) fail("truncated case header");
    const uint32_t srclen = u32(input + pos), maxout = u32(input + pos + 4);
    if (srclen > n - pos - 8) fail("truncated case");
    if (srclen > 32768u || maxout > 65536u) fail("case too large for the harness");
    /* The input right before its guard bytes, the output buffer's guard right after maxout. */
    for (uint32_t i = 0; i < srclen; i++) srcbuf[i] = input[pos + 8 + i];
    for (uint32_t i = 0; i < GUARD; i++) srcbuf[srclen + i] = GUARD_BYTE;
    for (uint32_t i = 0; i < maxout + GUARD; i++) outbuf[i] = GUARD_BYTE;
    uint32_t depth;
    const int32_t r = call_measured(fn, srcbuf, srclen, outbuf, maxout, &depth);
    if (depth > max_depth) max_depth = depth;
    for (uint32_t i = 0; i < srclen; i++)
      if (srcbuf[i] != input[pos + 8 + i]) fail("the input was written");
    for (uint32_t i = 0; i < GUARD; i++)
      if (outbuf[maxout + i] != GUARD_BYTE) fail("a write past the output limit");
    const uint8_t rb[4] = {(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24)};
    put_bytes(rb, 4);
    if (r >= 0) {
      const uint32_t len = (uint32_t)r & 0xffffu;
      if (len > maxout || ((uint32_t)r >> 16) > srclen) fail("result out of range");
      put_bytes(outbuf, len);
    }
    pos += 8 + srclen;
  }
  put("stack ");
  put_num(max_depth, 0);
  put(" base 0x");
  put_num((uint32_t)(uintptr_t)code, 1);
  put(" size ");
  put_num(code_len, 0);
  put("\n");
  flush();
  return 0;
}
