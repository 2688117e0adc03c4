/*
 * A qemu-user TCG plugin (QEMU plugin API version 1, qemu 7.2 and later) that counts the guest
 * instructions each guest thread executes, and prints the asking thread's count whenever the guest
 * stats a file by its path (stat64, fstatat64, statx): the board-time model's markers. A script run by
 * Espruino's Linux interpreter cross-compiled for ARM marks a point with
 *     require('fs').statSync('/qg-mark')
 * (undefined, no exception: an exception would cost millions of instructions, building its stack
 * trace by searching the globals), and the difference of two marks is the ARM instructions
 * executed between them. Only the thread that asked is counted (Espruino's Linux build polls its
 * console from a second thread); the interpreter stats no file on its own.
 *
 *   gcc -shared -fPIC -O2 -o insn-plugin.so tools/native/insn-plugin.c
 *   qemu-arm -plugin ./insn-plugin.so ESPRUINO_ARM script.js   (stderr: "qg-insn-mark <n> <count>")
 *
 * Written for this project against the plugin ABI (the few declarations below); host tool only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
typedef struct {
  const char *target_name;
  struct { int min; int cur; } version;
  bool system_emulation;
  union { struct { int smp_vcpus; int max_vcpus; } system; };
} qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*syscall_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index, int64_t num, uint64_t a1,
                             uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                             uint64_t a7, uint64_t a8);
extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb_t cb);
extern void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vcpu_udata_cb_t cb,
                                                 enum qemu_plugin_cb_flags flags, void *userdata);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t id, syscall_cb_t cb);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb_t cb, void *userdata);

EXPORT int qemu_plugin_version = 1;

#define AT_FDCWD (-100)
#define AT_EMPTY_PATH 0x1000
#define MAX_THREADS 64
static uint64_t counts[MAX_THREADS];
static unsigned marks;

static void on_exec(unsigned int vcpu, void *n) {
  counts[vcpu % MAX_THREADS] += (uint64_t)(uintptr_t)n;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS,
                                       (void *)(uintptr_t)qemu_plugin_tb_n_insns(tb));
}

/* ARM EABI numbers: stat64 195, fstatat64 327, statx 397 */
static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  (void)id; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5; (void)a6; (void)a7; (void)a8;
  /* only a path relative to the current directory (AT_FDCWD): the C library's fstat() of an open
     file (statx/fstatat64 with AT_EMPTY_PATH, e.g. the Linux build's flash file) is not a marker */
  if (num == 195 || ((num == 327 || num == 397) && (uint32_t)a1 == (uint32_t)AT_FDCWD &&
                     !((num == 397 ? a3 : a4) & AT_EMPTY_PATH))) {
    fprintf(stderr, "qg-insn-mark %u %llu\n", marks++, (unsigned long long)counts[vcpu % MAX_THREADS]);
    fflush(stderr);
  }
}

static void on_exit(qemu_plugin_id_t id, void *p) {
  uint64_t all = 0;
  unsigned i;
  (void)id; (void)p;
  for (i = 0; i < MAX_THREADS; i++) all += counts[i];
  fprintf(stderr, "qg-insn-total %llu %llu\n", (unsigned long long)counts[0], (unsigned long long)all);
  fflush(stderr);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  (void)info; (void)argc; (void)argv;
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
  qemu_plugin_register_atexit_cb(id, on_exit, NULL);
  return 0;
}
