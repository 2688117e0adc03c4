# The steps tools/native/build.sh (the verifier) and tools/native/build-inflate.sh (the inflate)
# share: sourced by both. A flat, position-independent Thumb-2 binary for Cortex-M3: freestanding,
# no libc/libgcc, PC-relative references only, no allocated section but .text; and its qemu-arm
# harness (a static ARM Linux program, no libc: native/harness).
# The caller's arguments, [--write] [OUTDIR]: WRITE (1 with --write), OUT (default build/native).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WRITE=0
if [ "${1:-}" = "--write" ]; then WRITE=1; OUT="${2:-$ROOT/build/native}"; else OUT="${1:-$ROOT/build/native}"; fi
HAR="$ROOT/native/harness"
CC=arm-none-eabi-gcc
if ! command -v "$CC" >/dev/null; then
  echo "native: $CC not found (apt-get install -y gcc-arm-none-eabi binutils-arm-none-eabi)" >&2
  exit 3
fi

# Freestanding, position independent: -fPIE makes every access to the read-only tables
# PC-relative (gcc's default -mpic-data-is-text-relative), all symbols are hidden so nothing
# goes through a GOT; no libc or libgcc is linked, so any call to one fails the link.
FLAT_CFLAGS=(-mthumb -mcpu=cortex-m3 -Os -fPIE -ffreestanding -fno-builtin -nostdlib -fno-common
  -fvisibility=hidden -ffunction-sections -fdata-sections -fno-tree-loop-distribute-patterns
  -fno-unwind-tables -fno-asynchronous-unwind-tables -fno-stack-protector -fstack-usage
  -std=c11 -Wall -Wextra)

# flat_link OBJDIR LDSCRIPT OUT NAME: checks OBJDIR's objects carry only PC-relative relocations
# (calls, branches, PC-relative data offsets), links them to OUT/NAME.elf (and .map) with the
# entry symbol NAME, checks the image (ARMv7-M code, .text only), writes OUT/NAME.bin and
# OUT/NAME.su (stack use per function) and sets ENTRY to NAME's offset.
flat_link() {
  local obj="$1" ld="$2" out="$3" name="$4"
  local bad extra
  bad=$(arm-none-eabi-readelf -rW "$obj"/*.o | awk '$3 ~ /^R_ARM_/ {print $3}' |
    grep -v -E '^R_ARM_(THM_CALL|THM_JUMP24|THM_JUMP19|THM_JUMP11|THM_JUMP8|THM_PC8|THM_PC12|REL32|THM_MOVW_PREL_NC|THM_MOVT_PREL|THM_ALU_PREL_11_0)$' | sort -u || true)
  if [ -n "$bad" ]; then
    echo "native: position-dependent relocations: $bad" >&2
    exit 4
  fi
  "$CC" -mthumb -mcpu=cortex-m3 -nostdlib -nostartfiles -static -T "$ld" -Wl,--gc-sections \
    -Wl,-Map="$out/$name.map" -o "$out/$name.elf" "$obj"/*.o
  ENTRY=$((16#$(arm-none-eabi-nm "$out/$name.elf" | awk -v n="$name" '$3 == n {print $1}')))
  # The linked image must be Cortex-M3 (ARMv7-M) Thumb code and have no sections but .text.
  arm-none-eabi-readelf -A "$out/$name.elf" | grep -q 'Tag_CPU_arch: v7' || { echo "native: not ARMv7 code" >&2; exit 5; }
  arm-none-eabi-readelf -A "$out/$name.elf" | grep -q 'Tag_CPU_arch_profile: Microcontroller' || { echo "native: not M-profile code" >&2; exit 5; }
  extra=$(arm-none-eabi-readelf -SW "$out/$name.elf" | awk '$2 ~ /^\./ && $0 ~ / A/ {print $2}' | grep -v '^\.text$' || true)
  if [ -n "$extra" ]; then echo "native: unexpected allocated sections: $extra" >&2; exit 5; fi
  arm-none-eabi-objcopy -O binary -j .text "$out/$name.elf" "$out/$name.bin"
  cat "$obj"/*.su > "$out/$name.su"
}

# flat_harness OUT NAME SOURCE.c: the qemu-arm harness that loads a flat binary (OUT/NAME).
flat_harness() {
  local har
  har="$(dirname "$3")"
  "$CC" -mthumb -mcpu=cortex-m3 -O2 -ffreestanding -fno-builtin -nostdlib -nostartfiles -static \
    -fno-tree-loop-distribute-patterns -fno-unwind-tables -fno-asynchronous-unwind-tables -Wall -Wextra \
    -T "$har/harness.ld" -o "$1/$2" "$har/start.S" "$3"
}
