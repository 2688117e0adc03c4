#!/usr/bin/env bash
# Builds Espruino's Linux interpreter, the binaries the real-interpreter tests and the board-time
# model use, from an Espruino checkout you point it at. Nothing of Espruino is committed here: the
# checkout and the binaries stay outside the repository (README "Tests and the real interpreter").
#
#   tools/espruino/build.sh CHECKOUT OUTDIR [VARIANT ...]
#
# CHECKOUT  an Espruino source tree (github.com/espruino/Espruino; the figures in the README are
#           from 2v29, commit c5ff787b1). Its build script asks git for the commit: when CHECKOUT
#           is not a git work tree, set GIT_DIR to a clone's git directory.
# OUTDIR    where the binaries go, one per VARIANT (default: x86 5100 8190 arm arm2756 arm2950
#           arm5100 arm8190):
#   x86      espruino: the x86 build, resizable store (env ESPRUINO)
#   N        espruino-vN: x86 with a fixed store of N variables (5100 a Pico's, 8190 an Espruino
#            WiFi's: env ESPRUINO_5100, ESPRUINO_8190)
#   arm      espruino_armsf: ARM Thumb-2, software floating point, static, resizable store (env
#            ESPRUINO_ARM: `make bench` counts its instructions under qemu-arm)
#   armN     espruino_arm-vN: the same with a fixed store of N variables (2756 an Original's, 2950
#            an MDBT42Q's, 5100, 8190) and Storage memory-mapped in executable memory, so that
#            E.nativeCall runs the gate's Thumb-2 code where it lies in Storage under qemu-arm, as
#            on a board (env ESPRUINO_ARM_N: test/real/arm-stores.test.ts)
# Each variant builds in its own copy of CHECKOUT under OUTDIR/src-VARIANT, with -Os (Espruino's
# Makefile gives a Linux build no optimisation of its own). All but `arm` are RELEASE=1 builds (no
# internal assertions), as Espruino's published board images are (scripts/create_zip_board.sh); `arm`
# keeps the assertions, as the build the board-time model's constants were counted on (README
# "Speed": 7,367 instructions an empty-loop iteration; a RELEASE=1 build counts about 6,500).
# Needs gcc, make, python3; the ARM variant Debian's gcc-arm-linux-gnueabi and qemu-user.
set -euo pipefail
if [ $# -lt 2 ]; then awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; fi
src=$(cd "$1" && pwd); out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
variants=("$@"); [ ${#variants[@]} -gt 0 ] || variants=(x86 5100 8190 arm arm2756 arm2950 arm5100 arm8190)
[ -f "$src/boards/LINUX.py" ] || { echo "build.sh: $src is not an Espruino checkout (no boards/LINUX.py)" >&2; exit 2; }
jobs=$(nproc 2>/dev/null || echo 2)

prepare() { # prepare VARIANT VARIABLES CHANGED: a copy of the checkout, its boards/LINUX.py changed when CHANGED
  local dir="$out/src-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$src" && tar --exclude=./obj --exclude=./bin -cf - .) | (cd "$dir" && tar -xf -)
  mkdir -p "$dir/gen" "$dir/bin"
  if [ "$3" = yes ]; then
    # A Linux build with a fixed variable store of N (boards/LINUX.py has 0: resizable). TENSORFLOW
    # is left out: it is C++ and the gate never calls it. The board keeps its name (each variant
    # has its own copy): process.env.BOARD is 'LINUX', the id boards/linux.ts answers to (a bundle
    # whose board table lacks the id falls back to its first board: dist/gate.js to the WiFi's pins).
    sed -e "s/'variables' *: *0,/'variables' : $2,/" -e "/'TENSORFLOW',/d" "$src/boards/LINUX.py" > "$dir/boards/LINUX.py"
    grep -q "'variables' : $2," "$dir/boards/LINUX.py" || { echo "build.sh: could not set variables in boards/LINUX.py" >&2; exit 1; }
  fi
  echo "$dir"
}

for v in "${variants[@]}"; do
  case "$v" in
    x86)
      dir=$(prepare x86 0 no)
      echo "build.sh: x86 (resizable store) in $dir"
      (cd "$dir" && make BOARD=LINUX RELEASE=1 OPTIMIZEFLAGS=-Os -j"$jobs" > build.log 2>&1) || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino" "$out/espruino" ;;
    [0-9]*)
      dir=$(prepare "v$v" "$v" yes)
      echo "build.sh: x86 with $v variables in $dir"
      (cd "$dir" && make BOARD=LINUX RELEASE=1 OPTIMIZEFLAGS=-Os -j"$jobs" > build.log 2>&1) || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino" "$out/espruino-v$v" ;;
    arm)
      command -v arm-linux-gnueabi-gcc >/dev/null || { echo "build.sh: arm-linux-gnueabi-gcc missing (apt-get install gcc-arm-linux-gnueabi)" >&2; exit 1; }
      dir=$(prepare arm 0 yes)
      echo "build.sh: ARM Thumb-2, soft float, static in $dir"
      (cd "$dir" && make BOARD=LINUX OPTIMIZEFLAGS=-Os CCPREFIX=arm-linux-gnueabi- \
          ARCHFLAGS="-march=armv7-a -mthumb -mfloat-abi=soft" LIBS="-lpthread -lm -static" -j"$jobs" > build.log 2>&1) \
        || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino" "$out/espruino_armsf" ;;
    arm[0-9]*)
      command -v arm-linux-gnueabi-gcc >/dev/null || { echo "build.sh: arm-linux-gnueabi-gcc missing (apt-get install gcc-arm-linux-gnueabi)" >&2; exit 1; }
      n=${v#arm}
      dir=$(prepare "arm-v$n" "$n" yes)
      # Storage memory-mapped as on a board: the Linux build reads its flash file on every access
      # (Storage.read gives a flash string, E.getAddressOf 0), so the native code the gate runs in
      # place (qg.ed25519, qg.inflate) could not be called. This copy keeps a mirror of the flash
      # file in a page-aligned mapping, executable (writable only while a write or an erase
      # refreshes it): Storage.read gives a string pointing into it (zero variables, as on an
      # STM32 or nRF52), E.nativeCall runs code there, and eval'd code references it as on a
      # board. (The store stays on the heap, not executable: code in a flat string in RAM cannot
      # be called; the gate never does that.)
      # -DUSE_X86_CDECL: src/jsnative.c, on 32-bit gnu_linux, moves a 32-bit argument that follows
      # a 64-bit one into the register the 64-bit one skipped (USE_ARG_REORDERING, for the
      # Raspberry Pi's hard-float ABI); soft-float EABI leaves that register unused, so every
      # built-in of that shape got garbage: setTimeout(fn, ms) read its `args` from the stack and
      # timers then ran with a random variable as their arguments (crashes, or worse). The define
      # turns the reordering off: plain AAPCS, as on a board.
      python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
p = d + '/targets/linux/jshardware.c'; s = open(p).read()
mapped = '''// qrgate build.sh: Storage memory-mapped (a mirror of the flash file, executable)
#include <sys/mman.h>
static unsigned char *qgFlash = 0;
static int qgFlashLoaded = 0;
static void qgFlashRefresh(uint32_t addr, uint32_t len) { // never writable and executable at once
  if (!qgFlashLoaded || addr < FLASH_START || addr + len > FLASH_START + FLASH_TOTAL) return;
  mprotect(qgFlash, FLASH_TOTAL, PROT_READ | PROT_WRITE);
  jshFlashRead(&qgFlash[addr - FLASH_START], addr, len);
  mprotect(qgFlash, FLASH_TOTAL, PROT_READ | PROT_EXEC);
}
void jshFlashErasePage(uint32_t addr) {
  uint32_t s, n;
  qgFileErasePage(addr);
  if (jshFlashGetPage(addr, &s, &n)) qgFlashRefresh(s, n);
}
void jshFlashWrite(void *buf, uint32_t addr, uint32_t len) {
  qgFileWrite(buf, addr, len);
  qgFlashRefresh(addr, len);
}
size_t jshFlashGetMemMapAddress(size_t ptr) {
  if (ptr < FLASH_START || ptr >= FLASH_START + FLASH_TOTAL) return 0;
  if (!qgFlashLoaded) {
    qgFlash = mmap(0, FLASH_TOTAL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (qgFlash == MAP_FAILED) { qgFlash = 0; return 0; }
    jshFlashRead(qgFlash, FLASH_START, FLASH_TOTAL);
    mprotect(qgFlash, FLASH_TOTAL, PROT_READ | PROT_EXEC);
    qgFlashLoaded = 1;
  }
  return (size_t)&qgFlash[ptr - FLASH_START];
}'''
for a, b in [('void jshFlashErasePage(uint32_t addr) {', 'static void qgFileErasePage(uint32_t addr) {'),
             ('void jshFlashWrite(void *buf, uint32_t addr, uint32_t len) {', 'static void qgFileWrite(void *buf, uint32_t addr, uint32_t len) {'),
             ('size_t jshFlashGetMemMapAddress(size_t ptr) {\n  return 0;\n}', mapped)]:
    assert s.count(a) == 1, 'jshardware.c: ' + a
    s = s.replace(a, b)
open(p, 'w').write(s)
p = d + '/src/jsflash.c'; s = open(p).read()
a = '#ifdef LINUX\n  // linux fakes flash with a file'
assert s.count(a) == 1, 'jsflash.c: ' + a
open(p, 'w').write(s.replace(a, '#if 0 // qrgate build.sh: the flash file is memory-mapped\n  // linux fakes flash with a file'))
PY
      echo "build.sh: ARM Thumb-2, soft float, static, $n variables, Storage memory-mapped in $dir"
      (cd "$dir" && make BOARD=LINUX RELEASE=1 OPTIMIZEFLAGS=-Os CCPREFIX=arm-linux-gnueabi- \
          ARCHFLAGS="-march=armv7-a -mthumb -mfloat-abi=soft -DUSE_X86_CDECL" LIBS="-lpthread -lm -static" -j"$jobs" > build.log 2>&1) \
        || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino" "$out/espruino_arm-v$n"
      ;;
    *) echo "build.sh: unknown variant $v (x86, N, arm, armN)" >&2; exit 2 ;;
  esac
done
ls -l "$out"/espruino*
