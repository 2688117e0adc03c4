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
# The steps it shares with tools/native/build-inflate.sh are tools/native/flat.sh.
set -euo pipefail
. "$(dirname "$0")/flat.sh"
SRC="$ROOT/native/ed25519"
mkdir -p "$OUT/obj"
rm -f "$OUT"/obj/*.o "$OUT"/obj/*.su

for f in fe25519 ge25519 sc25519 sha512 qg_verify; do
  (cd "$OUT/obj" && "$CC" "${FLAT_CFLAGS[@]}" -c "$SRC/$f.c" -o "$f.o")
done
flat_link "$OUT/obj" "$SRC/flat.ld" "$OUT" qg_verify

# The harness (a static ARM Linux program, no libc) that loads qg_verify.bin under qemu-arm.
flat_harness "$OUT" harness "$HAR/harness.c"

TOOLCHAIN=$("$CC" --version | head -n 1)
(cd "$ROOT" && node_modules/.bin/tsx tools/native/gen-module.ts "$OUT/qg_verify.bin" "$ENTRY" "$TOOLCHAIN" "$OUT/native-code.generated.ts")
if [ "$WRITE" = 1 ]; then
  cp "$OUT/native-code.generated.ts" "$ROOT/firmware/crypto/native-code.generated.ts"
fi
echo "native: $(stat -c %s "$OUT/qg_verify.bin") bytes, entry $ENTRY -> $OUT"
