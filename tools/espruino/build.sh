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
#            an MDBT42Q's, 5100, 8190), kept in .bss and that segment marked executable, so that
#            E.nativeCall runs the gate's Thumb-2 code in it under qemu-arm as on a board (env
#            ESPRUINO_ARM_N: test/real/arm-stores.test.ts)
# Each variant builds in its own copy of CHECKOUT under OUTDIR/src-VARIANT, with -Os (Espruino's
# Makefile gives a Linux build no optimisation of its own). All but `arm` are RELEASE=1 builds (no
# internal assertions), as Espruino's published board images are (scripts/create_zip_board.sh); `arm`
# keeps the assertions, as the build the board-time model's constants were counted on (README
# "Speed": 7,367 instructions an empty-loop iteration; a RELEASE=1 build counts about 6,500).
# Needs gcc, make, python3; the ARM variant Debian's gcc-arm-linux-gnueabi and qemu-user.
set -euo pipefail
if [ $# -lt 2 ]; then sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
src=$(cd "$1" && pwd); out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
variants=("$@"); [ ${#variants[@]} -gt 0 ] || variants=(x86 5100 8190 arm arm2756 arm2950 arm5100 arm8190)
[ -f "$src/boards/LINUX.py" ] || { echo "build.sh: $src is not an Espruino checkout (no boards/LINUX.py)" >&2; exit 2; }
jobs=$(nproc 2>/dev/null || echo 2)

prepare() { # prepare VARIANT BOARD VARIABLES: a copy of the checkout with board file BOARD
  local dir="$out/src-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$src" && tar --exclude=./obj --exclude=./bin -cf - .) | (cd "$dir" && tar -xf -)
  mkdir -p "$dir/gen" "$dir/bin"
  if [ "$2" != LINUX ]; then
    # A Linux build with a fixed variable store of N (boards/LINUX.py has 0: resizable). TENSORFLOW
    # is left out: it is C++ and the gate never calls it.
    sed -e "s/'variables' *: *0,/'variables' : $3,/" -e "s/'binary_name' *: *'espruino'/'binary_name' : 'espruino_$2'/" \
        -e "/'TENSORFLOW',/d" "$src/boards/LINUX.py" > "$dir/boards/$2.py"
    grep -q "'variables' : $3," "$dir/boards/$2.py" || { echo "build.sh: could not set variables in boards/$2.py" >&2; exit 1; }
  fi
  echo "$dir"
}

for v in "${variants[@]}"; do
  case "$v" in
    x86)
      dir=$(prepare x86 LINUX 0)
      echo "build.sh: x86 (resizable store) in $dir"
      (cd "$dir" && make BOARD=LINUX RELEASE=1 OPTIMIZEFLAGS=-Os -j"$jobs" > build.log 2>&1) || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino" "$out/espruino" ;;
    [0-9]*)
      dir=$(prepare "v$v" "LINUX_V$v" "$v")
      echo "build.sh: x86 with $v variables in $dir"
      (cd "$dir" && make BOARD="LINUX_V$v" RELEASE=1 OPTIMIZEFLAGS=-Os -j"$jobs" > build.log 2>&1) || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino_LINUX_V$v" "$out/espruino-v$v" ;;
    arm)
      command -v arm-linux-gnueabi-gcc >/dev/null || { echo "build.sh: arm-linux-gnueabi-gcc missing (apt-get install gcc-arm-linux-gnueabi)" >&2; exit 1; }
      dir=$(prepare arm LINUX_ARMSF 0)
      echo "build.sh: ARM Thumb-2, soft float, static in $dir"
      (cd "$dir" && make BOARD=LINUX_ARMSF OPTIMIZEFLAGS=-Os CCPREFIX=arm-linux-gnueabi- \
          ARCHFLAGS="-march=armv7-a -mthumb -mfloat-abi=soft" LIBS="-lpthread -lm -static" -j"$jobs" > build.log 2>&1) \
        || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino_LINUX_ARMSF" "$out/espruino_armsf" ;;
    arm[0-9]*)
      command -v arm-linux-gnueabi-gcc >/dev/null || { echo "build.sh: arm-linux-gnueabi-gcc missing (apt-get install gcc-arm-linux-gnueabi)" >&2; exit 1; }
      n=${v#arm}
      dir=$(prepare "arm-v$n" "LINUX_ARMV$n" "$n")
      # A board's store is a static array; Linux builds malloc it (JSVAR_MALLOC), and qemu-arm maps
      # the heap without execute permission: E.nativeCall's code, a flat string in the store, would
      # fault. So this copy keeps the store in .bss, and the writable segment gets PF_X below.
      sed -i 's/^    codeOut("#define JSVAR_MALLOC 1")/    pass # qrgate build.sh: the store in .bss/' "$dir/scripts/build_platform_config.py"
      echo "build.sh: ARM Thumb-2, soft float, static, $n variables in .bss in $dir"
      (cd "$dir" && make BOARD="LINUX_ARMV$n" RELEASE=1 OPTIMIZEFLAGS=-Os CCPREFIX=arm-linux-gnueabi- \
          ARCHFLAGS="-march=armv7-a -mthumb -mfloat-abi=soft" LIBS="-lpthread -lm -static" -j"$jobs" > build.log 2>&1) \
        || { tail -20 "$dir/build.log"; exit 1; }
      cp "$dir/bin/espruino_LINUX_ARMV$n" "$out/espruino_arm-v$n"
      python3 - "$out/espruino_arm-v$n" <<'PY'
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
assert b[:4] == b'\x7fELF' and b[4] == 1, 'not a 32-bit ELF'
phoff, = struct.unpack_from('<I', b, 28); phentsize, phnum = struct.unpack_from('<HH', b, 42)
n = 0
for i in range(phnum):
    o = phoff + i * phentsize
    if struct.unpack_from('<I', b, o)[0] == 1 and struct.unpack_from('<I', b, o + 24)[0] & 2:  # PT_LOAD, PF_W
        struct.pack_into('<I', b, o + 24, struct.unpack_from('<I', b, o + 24)[0] | 1); n += 1  # | PF_X
assert n == 1, 'expected one writable segment, found %d' % n
open(p, 'wb').write(b)
PY
      ;;
    *) echo "build.sh: unknown variant $v (x86, N, arm, armN)" >&2; exit 2 ;;
  esac
done
ls -l "$out"/espruino*
