#!/usr/bin/env bash
# Builds the native inflate (native/inflate) into one flat, position-independent Thumb-2 binary
# for Cortex-M3, plus its qemu-arm harness (native/harness/inflate-harness.c), and generates the
# TypeScript module that embeds the binary. Same rules as tools/native/build.sh (the verifier's):
# freestanding, no libc/libgcc, PC-relative references only, no writable data, entry at offset 0.
#
#   tools/native/build-inflate.sh [--write] [OUTDIR]
#
# OUTDIR (default build/native) receives qg_inflate.elf, .bin, .map, .su, inflate-harness and
# native-inflate.generated.ts. With --write the module is also copied to
# firmware/native-inflate.generated.ts (what `make native` does).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WRITE=0
if [ "${1:-}" = "--write" ]; then WRITE=1; shift; fi
OUT="${1:-$ROOT/build/native}"
SRC="$ROOT/native/inflate"
HAR="$ROOT/native/harness"
CC=arm-none-eabi-gcc
if ! command -v "$CC" >/dev/null; then
  echo "native: $CC not found (apt-get install -y gcc-arm-none-eabi binutils-arm-none-eabi)" >&2
  exit 3
fi
mkdir -p "$OUT/objinf"
rm -f "$OUT"/objinf/*.o "$OUT"/objinf/*.su

CFLAGS=(-mthumb -mcpu=cortex-m3 -Os -fPIE -ffreestanding -fno-builtin -nostdlib -fno-common
  -fvisibility=hidden -ffunction-sections -fdata-sections -fno-tree-loop-distribute-patterns
  -fno-unwind-tables -fno-asynchronous-unwind-tables -fno-stack-protector -fstack-usage
  -std=c11 -Wall -Wextra -Werror)
(cd "$OUT/objinf" && "$CC" "${CFLAGS[@]}" -c "$SRC/qg_inflate.c" -o qg_inflate.o)

BAD=$(arm-none-eabi-readelf -rW "$OUT"/objinf/*.o | awk '$3 ~ /^R_ARM_/ {print $3}' |
  grep -v -E '^R_ARM_(THM_CALL|THM_JUMP24|THM_JUMP19|THM_JUMP11|THM_JUMP8|THM_PC8|THM_PC12|REL32|THM_MOVW_PREL_NC|THM_MOVT_PREL|THM_ALU_PREL_11_0)$' | sort -u || true)
if [ -n "$BAD" ]; then
  echo "native: position-dependent relocations: $BAD" >&2
  exit 4
fi

"$CC" -mthumb -mcpu=cortex-m3 -nostdlib -nostartfiles -static -T "$SRC/flat.ld" -Wl,--gc-sections \
  -Wl,-Map="$OUT/qg_inflate.map" -o "$OUT/qg_inflate.elf" "$OUT"/objinf/*.o
ENTRY=$((16#$(arm-none-eabi-nm "$OUT/qg_inflate.elf" | awk '$3 == "qg_inflate" {print $1}')))
[ "$ENTRY" = 0 ] || { echo "native: qg_inflate not at offset 0" >&2; exit 5; }
arm-none-eabi-readelf -A "$OUT/qg_inflate.elf" | grep -q 'Tag_CPU_arch: v7' || { echo "native: not ARMv7 code" >&2; exit 5; }
arm-none-eabi-readelf -A "$OUT/qg_inflate.elf" | grep -q 'Tag_CPU_arch_profile: Microcontroller' || { echo "native: not M-profile code" >&2; exit 5; }
EXTRA=$(arm-none-eabi-readelf -SW "$OUT/qg_inflate.elf" | awk '$2 ~ /^\./ && $0 ~ / A/ {print $2}' | grep -v '^\.text$' || true)
if [ -n "$EXTRA" ]; then echo "native: unexpected allocated sections: $EXTRA" >&2; exit 5; fi
arm-none-eabi-objcopy -O binary -j .text "$OUT/qg_inflate.elf" "$OUT/qg_inflate.bin"
cat "$OUT"/objinf/*.su > "$OUT/qg_inflate.su"

"$CC" -mthumb -mcpu=cortex-m3 -O2 -ffreestanding -fno-builtin -nostdlib -nostartfiles -static \
  -fno-tree-loop-distribute-patterns -fno-unwind-tables -fno-asynchronous-unwind-tables -Wall -Wextra \
  -T "$HAR/harness.ld" -o "$OUT/inflate-harness" "$HAR/start.S" "$HAR/inflate-harness.c"

TOOLCHAIN=$("$CC" --version | head -n 1)
(cd "$ROOT" && node_modules/.bin/tsx tools/native/gen-inflate-module.ts "$OUT/qg_inflate.bin" "$TOOLCHAIN" "$OUT/native-inflate.generated.ts")
if [ "$WRITE" = 1 ]; then
  cp "$OUT/native-inflate.generated.ts" "$ROOT/firmware/native-inflate.generated.ts"
fi
echo "native: qg_inflate $(stat -c %s "$OUT/qg_inflate.bin") bytes -> $OUT"
