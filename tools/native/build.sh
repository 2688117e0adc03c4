#!/usr/bin/env bash
# Builds the native Ed25519 verifier (native/ed25519) into one flat, position-independent
# Thumb-2 binary for Cortex-M3, plus the qemu-arm test harness (native/harness), and generates
# the TypeScript module that embeds the binary.
#
#   tools/native/build.sh [--write] [OUTDIR]
#
# OUTDIR (default build/native) receives qg_verify.elf, qg_verify.bin, qg_verify.map, harness,
# *.su (per-function stack use) and native-code.generated.ts. With --write the module is also
# copied to firmware/crypto/native-code.generated.ts (what `make native` does).
# Needs Debian's gcc-arm-none-eabi (and binutils-arm-none-eabi); fails with a message without it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WRITE=0
if [ "${1:-}" = "--write" ]; then WRITE=1; shift; fi
OUT="${1:-$ROOT/build/native}"
SRC="$ROOT/native/ed25519"
HAR="$ROOT/native/harness"
CC=arm-none-eabi-gcc
if ! command -v "$CC" >/dev/null; then
  echo "native: $CC not found (apt-get install -y gcc-arm-none-eabi binutils-arm-none-eabi)" >&2
  exit 3
fi
mkdir -p "$OUT/obj"
rm -f "$OUT"/obj/*.o "$OUT"/obj/*.su

# Freestanding, position independent: -fPIE makes every access to the read-only tables
# PC-relative (gcc's default -mpic-data-is-text-relative), all symbols are hidden so nothing
# goes through a GOT; no libc or libgcc is linked, so any call to one fails the link.
CFLAGS=(-mthumb -mcpu=cortex-m3 -Os -fPIE -ffreestanding -fno-builtin -nostdlib -fno-common
  -fvisibility=hidden -ffunction-sections -fdata-sections -fno-tree-loop-distribute-patterns
  -fno-unwind-tables -fno-asynchronous-unwind-tables -fno-stack-protector -fstack-usage
  -std=c11 -Wall -Wextra)
for f in fe25519 ge25519 sc25519 sha512 qg_verify; do
  (cd "$OUT/obj" && "$CC" "${CFLAGS[@]}" -c "$SRC/$f.c" -o "$f.o")
done

# Only PC-relative relocations may appear (calls, branches, PC-relative data offsets).
BAD=$(arm-none-eabi-readelf -rW "$OUT"/obj/*.o | awk '$3 ~ /^R_ARM_/ {print $3}' |
  grep -v -E '^R_ARM_(THM_CALL|THM_JUMP24|THM_JUMP19|THM_JUMP11|THM_JUMP8|THM_PC8|THM_PC12|REL32|THM_MOVW_PREL_NC|THM_MOVT_PREL|THM_ALU_PREL_11_0)$' | sort -u || true)
if [ -n "$BAD" ]; then
  echo "native: position-dependent relocations: $BAD" >&2
  exit 4
fi

"$CC" -mthumb -mcpu=cortex-m3 -nostdlib -nostartfiles -static -T "$SRC/flat.ld" -Wl,--gc-sections \
  -Wl,-Map="$OUT/qg_verify.map" -o "$OUT/qg_verify.elf" "$OUT"/obj/*.o
ENTRY=$((16#$(arm-none-eabi-nm "$OUT/qg_verify.elf" | awk '$3 == "qg_verify" {print $1}')))
# The linked image must be Cortex-M3 (ARMv7-M) Thumb code and have no sections but .text.
arm-none-eabi-readelf -A "$OUT/qg_verify.elf" | grep -q 'Tag_CPU_arch: v7' || { echo "native: not ARMv7 code" >&2; exit 5; }
arm-none-eabi-readelf -A "$OUT/qg_verify.elf" | grep -q 'Tag_CPU_arch_profile: Microcontroller' || { echo "native: not M-profile code" >&2; exit 5; }
EXTRA=$(arm-none-eabi-readelf -SW "$OUT/qg_verify.elf" | awk '$2 ~ /^\./ && $0 ~ / A/ {print $2}' | grep -v '^\.text$' || true)
if [ -n "$EXTRA" ]; then echo "native: unexpected allocated sections: $EXTRA" >&2; exit 5; fi
arm-none-eabi-objcopy -O binary -j .text "$OUT/qg_verify.elf" "$OUT/qg_verify.bin"
cat "$OUT"/obj/*.su > "$OUT/qg_verify.su"

# The harness (a static ARM Linux program, no libc) that loads qg_verify.bin under qemu-arm.
"$CC" -mthumb -mcpu=cortex-m3 -O2 -ffreestanding -fno-builtin -nostdlib -nostartfiles -static \
  -fno-tree-loop-distribute-patterns -fno-unwind-tables -fno-asynchronous-unwind-tables -Wall -Wextra \
  -T "$HAR/harness.ld" -o "$OUT/harness" "$HAR/start.S" "$HAR/harness.c"

TOOLCHAIN=$("$CC" --version | head -n 1)
(cd "$ROOT" && node_modules/.bin/tsx tools/native/gen-module.ts "$OUT/qg_verify.bin" "$ENTRY" "$TOOLCHAIN" "$OUT/native-code.generated.ts")
if [ "$WRITE" = 1 ]; then
  cp "$OUT/native-code.generated.ts" "$ROOT/firmware/crypto/native-code.generated.ts"
fi
echo "native: $(stat -c %s "$OUT/qg_verify.bin") bytes, entry $ENTRY -> $OUT"
