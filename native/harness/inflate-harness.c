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
#include <stdint.h>

long sys(long n, long a, long b, long c, long d, long e, long f);
void *current_sp(void);

#define SYS_EXIT 1
#define SYS_READ 3
#define SYS_WRITE 4
#define SYS_OPEN 5
#define SYS_CLOSE 6
#define SYS_MMAP2 192

typedef int32_t (*inflate_fn)(const uint8_t *src, uint32_t srclen, uint8_t *out, uint32_t maxout);

#define INPUT_MAX (64u << 20)
#define CODE_MAX (64u << 10)
#define OFFSET_MAX 65536u
#define PAINT_BYTES 16384u
#define PAINT_WORD 0x5aa5c33cu
#define GUARD 64u
#define GUARD_BYTE 0xa5u

static uint8_t input[INPUT_MAX];
static uint8_t srcbuf[32768u + GUARD];
static uint8_t outbuf[65536u + GUARD];
static uint8_t out[1 << 16];
static uint32_t out_len;

static void flush(void) {
  uint32_t done = 0;
  while (done < out_len) {
    long n = sys(SYS_WRITE, 1, (long)(out + done), (long)(out_len - done), 0, 0, 0);
    if (n <= 0) sys(SYS_EXIT, 3, 0, 0, 0, 0, 0);
    done += (uint32_t)n;
  }
  out_len = 0;
}

static void put_bytes(const uint8_t *s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (out_len == sizeof out) flush();
    out[out_len++] = s[i];
  }
}

static void put(const char *s) {
  while (*s) put_bytes((const uint8_t *)s++, 1);
}

static void put_num(uint32_t v, int hexa) {
  char b[12];
  int i = 11;
  b[i] = 0;
  do {
    const uint32_t d = hexa ? (v & 15) : (v % 10);
    b[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v = hexa ? (v >> 4) : (v / 10);
  } while (v);
  put(b + i);
}

static void fail(const char *msg) {
  put("error: ");
  put(msg);
  put("\n");
  flush();
  sys(SYS_EXIT, 2, 0, 0, 0, 0, 0);
}

static uint32_t read_all(long fd, uint8_t *buf, uint32_t cap) {
  uint32_t n = 0;
  for (;;) {
    if (n == cap) fail("input too large");
    long r = sys(SYS_READ, fd, (long)(buf + n), (long)(cap - n), 0, 0, 0);
    if (r < 0) fail("read");
    if (r == 0) return n;
    n += (uint32_t)r;
  }
}

static uint32_t parse_num(const char *s) {
  uint32_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (uint32_t)(*s++ - '0');
  return v;
}

static uint32_t u32(const uint8_t *h) {
  return (uint32_t)h[0] | ((uint32_t)h[1] << 8) | ((uint32_t)h[2] << 16) | ((uint32_t)h[3] << 24);
}

static __attribute__((noinline)) int32_t call_measured(inflate_fn fn, const uint8_t *src, uint32_t srclen,
                                                       uint8_t *dst, uint32_t maxout, uint32_t *depth) {
  volatile uint32_t *top = (volatile uint32_t *)((uintptr_t)current_sp() & ~(uintptr_t)3) - 64;
  volatile uint32_t *bottom = top - PAINT_BYTES / 4;
  for (volatile uint32_t *p = bottom; p < top; p++) *p = PAINT_WORD;
  const int32_t r = fn(src, srclen, dst, maxout);
  volatile uint32_t *p = bottom;
  while (p < top && *p == PAINT_WORD) p++;
  *depth = (uint32_t)((uintptr_t)(top + 64) - (uintptr_t)p);
  return r;
}

int harness_main(uint32_t *sp) {
  const uint32_t argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (argc < 2) fail("usage: inflate-harness CODE.bin [OFFSET] < cases");
  const uint32_t offset = argc > 2 ? parse_num(argv[2]) : 36;
  if ((offset & 3) || offset >= OFFSET_MAX) fail("OFFSET must be a multiple of 4 below 65536");

  uint8_t *mem = (uint8_t *)sys(SYS_MMAP2, 0, (long)(CODE_MAX + OFFSET_MAX), 7 /* RWX */, 0x22 /* PRIVATE|ANON */, -1, 0);
  if ((uintptr_t)mem >= (uintptr_t)-4096) fail("mmap");
  long fd = sys(SYS_OPEN, (long)argv[1], 0, 0, 0, 0, 0);
  if (fd < 0) fail("cannot open CODE.bin");
  uint8_t *code = mem + offset;
  const uint32_t code_len = read_all(fd, code, CODE_MAX);
  sys(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
  if (code_len == 0) fail("empty CODE.bin");
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
