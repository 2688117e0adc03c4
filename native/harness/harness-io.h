/* What the qemu-arm harnesses (harness.c: the verifier; inflate-harness.c: the inflate) share:
 * Linux syscalls with no libc, buffered output, errors, reading input, loading CODE.bin at an
 * offset into a read/write/execute mapping, and painting the stack to measure a call's use.
 * Included once by each harness (static functions). */
#include <stdint.h>

long sys(long n, long a, long b, long c, long d, long e, long f);
void *current_sp(void);

#define SYS_EXIT 1
#define SYS_READ 3
#define SYS_WRITE 4
#define SYS_OPEN 5
#define SYS_CLOSE 6
#define SYS_MMAP2 192

#define OFFSET_MAX 65536u
#define PAINT_BYTES 16384u
#define PAINT_WORD 0x5aa5c33cu

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

/* The program's arguments (sp: as the kernel left them): CODE.bin [OFFSET], read into a fresh
 * read/write/execute mapping at byte OFFSET (default 36: neither 0 nor page aligned, so
 * position-dependent code would fail). The code's address; its length in *len. */
static uint8_t *load_code(uint32_t *sp, const char *usage, uint32_t code_max, uint32_t *len) {
  const uint32_t argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (argc < 2) fail(usage);
  const uint32_t offset = argc > 2 ? parse_num(argv[2]) : 36;
  if ((offset & 3) || offset >= OFFSET_MAX) fail("OFFSET must be a multiple of 4 below 65536");
  uint8_t *mem = (uint8_t *)sys(SYS_MMAP2, 0, (long)(code_max + OFFSET_MAX), 7 /* RWX */, 0x22 /* PRIVATE|ANON */, -1, 0);
  if ((uintptr_t)mem >= (uintptr_t)-4096) fail("mmap");
  long fd = sys(SYS_OPEN, (long)argv[1], 0, 0, 0, 0, 0);
  if (fd < 0) fail("cannot open CODE.bin");
  uint8_t *code = mem + offset;
  *len = read_all(fd, code, code_max);
  sys(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
  if (*len == 0) fail("empty CODE.bin");
  return code;
}

/* Paints PAINT_BYTES below the current stack pointer (less 64 words: the caller's own frame) and
 * returns the painted area's top. always_inline: it runs in the frame of the (noinline) function
 * that then makes the measured call. */
static inline __attribute__((always_inline)) volatile uint32_t *stack_paint(void) {
  volatile uint32_t *top = (volatile uint32_t *)((uintptr_t)current_sp() & ~(uintptr_t)3) - 64;
  volatile uint32_t *bottom = top - PAINT_BYTES / 4;
  for (volatile uint32_t *p = bottom; p < top; p++) *p = PAINT_WORD;
  return top;
}

/* How deep below the caller's stack pointer (top + 64 words) a call since stack_paint wrote. */
static inline __attribute__((always_inline)) uint32_t stack_depth(volatile uint32_t *top) {
  volatile uint32_t *p = top - PAINT_BYTES / 4;
  while (p < top && *p == PAINT_WORD) p++;
  return (uint32_t)((uintptr_t)(top + 64) - (uintptr_t)p);
}
