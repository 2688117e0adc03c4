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
#include <stdint.h>

long sys(long n, long a, long b, long c, long d, long e, long f);
void *current_sp(void);

#define SYS_EXIT 1
#define SYS_READ 3
#define SYS_WRITE 4
#define SYS_OPEN 5
#define SYS_CLOSE 6
#define SYS_MMAP2 192

typedef int (*verify_fn)(const uint8_t *pub32, const uint8_t *sig64, const uint8_t *msg, uint32_t msglen);

#define INPUT_MAX (8u << 20)
#define CODE_MAX (256u << 10)
#define OFFSET_MAX 65536u
#define PAINT_BYTES 16384u
#define PAINT_WORD 0x5aa5c33cu

static uint8_t input[INPUT_MAX];
static char out[1 << 16];
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

static void put(const char *s) {
  while (*s) {
    if (out_len == sizeof out) flush();
    out[out_len++] = *s++;
  }
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

/* Paints PAINT_BYTES below the current stack pointer, calls the verifier, and returns how deep
 * below that stack pointer the call wrote. noinline: its own frame sits above the painted area. */
static __attribute__((noinline)) int call_measured(verify_fn fn, const uint8_t *pub, const uint8_t *sig,
                                                   const uint8_t *msg, uint32_t len, uint32_t *depth) {
  volatile uint32_t *top = (volatile uint32_t *)((uintptr_t)current_sp() & ~(uintptr_t)3) - 64;
  volatile uint32_t *bottom = top - PAINT_BYTES / 4;
  for (volatile uint32_t *p = bottom; p < top; p++) *p = PAINT_WORD;
  const int r = fn(pub, sig, msg, len);
  volatile uint32_t *p = bottom;
  while (p < top && *p == PAINT_WORD) p++;
  /* Distance from the caller's stack pointer (top + 64 words) to the deepest written word. */
  *depth = (uint32_t)((uintptr_t)(top + 64) - (uintptr_t)p);
  return r;
}

int harness_main(uint32_t *sp) {
  const uint32_t argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (argc < 2) fail("usage: harness CODE.bin [OFFSET] < cases");
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
  const verify_fn fn = (verify_fn)((uintptr_t)code | 1);

  const uint32_t n = read_all(0, input, INPUT_MAX);
  uint32_t pos = 0, max_depth = 0;
  while (pos < n) {
    if (n - pos < 100) fail("truncated case header");
    const uint8_t *h = input + pos;
    const uint32_t len = (uint32_t)h[0] | ((uint32_t)h[1] << 8) | ((uint32_t)h[2] << 16) | ((uint32_t)h[3] << 24);
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
