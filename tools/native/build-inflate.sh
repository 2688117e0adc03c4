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
. "$(dirname "$0")/flat.sh"
SRC="$ROOT/native/inflate"
mkdir -p "$OUT/objinf"
rm -f "$OUT"/objinf/*.o "$OUT"/objinf/*.su

(cd "$OUT/objinf" && "$CC" "${FLAT_CFLAGS[@]}" -Werror -c "$SRC/qg_inflate.c" -o qg_inflate.o)
flat_link "$OUT/objinf" "$SRC/flat.ld" "$OUT" qg_inflate
[ "$ENTRY" = 0 ] || { echo "native: qg_inflate not at offset 0" >&2; exit 5; }

flat_harness "$OUT" inflate-harness "$HAR/inflate-harness.c"

TOOLCHAIN=$("$CC" --version | head -n 1)
(cd "$ROOT" && node_modules/.bin/tsx tools/native/gen-inflate-module.ts "$OUT/qg_inflate.bin" "$TOOLCHAIN" "$OUT/native-inflate.generated.ts")
if [ "$WRITE" = 1 ]; then
  cp "$OUT/native-inflate.generated.ts" "$ROOT/firmware/native-inflate.generated.ts"
fi
echo "native: qg_inflate $(stat -c %s "$OUT/qg_inflate.bin") bytes -> $OUT"
