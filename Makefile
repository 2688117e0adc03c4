# QR gate: build, test, demo, bench. Every target installs what it needs (npm ci) first.
SHELL := /bin/bash
BIN   := node_modules/.bin

.PHONY: all build build-host build-device test demo bench bench-collector fuzz clean deps native native-tools pg-tools browser-tools size readme-tables

all: build

deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: deps build-host build-device

# tsc compiles the TypeScript; the plain JavaScript modules that host code requires (the bundler's
# tools/build/*.js: the simulator reads latevars.js) are copied beside it, so that build/host runs alone.
build-host:
	@# sim/espruino.ts became sim/espruino/: an old build's sim/espruino.js would shadow sim/espruino/index.js
	rm -f build/host/sim/espruino.js build/host/sim/espruino.js.map
	$(BIN)/tsc -p tsconfig.json
	mkdir -p build/host/tools/build && cp tools/build/*.js build/host/tools/build/

build-device:
	rm -rf build/device
	$(BIN)/tsc -p tsconfig.device.json
	$(BIN)/tsx tools/build/boards.ts build/device/firmware/main.js dist
	$(BIN)/tsx tools/build/bench-espruino.ts dist/bench-espruino.js

# The ARM toolchain and qemu-user (Debian) for the native verifier: installed when missing and
# root (CI is); otherwise the native tests say they skipped.
native-tools:
	@if ! command -v arm-none-eabi-gcc >/dev/null || ! command -v qemu-arm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-arm-none-eabi binutils-arm-none-eabi qemu-user >/dev/null; \
	  else echo "native-tools: toolchain/qemu missing and not root: native tests will skip"; fi; fi

# PostgreSQL (Debian's package) for the collector's province store: its tests start a private
# server. Installed when missing and root (CI is); otherwise those tests say they skipped.
pg-tools:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "pg-tools: PostgreSQL missing and not root: its tests will skip"; fi; fi

# Chromium (Debian's package) for the collector's web page test (puppeteer-core drives it).
browser-tools:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser-tools: chromium missing and not root: the web page test will skip"; fi; fi

# Rebuild the native code committed as TypeScript modules: the verifier
# (firmware/crypto/native-code.generated.ts) and inflate (firmware/native-inflate.generated.ts).
native: deps native-tools
	tools/native/build.sh --write
	tools/native/build-inflate.sh --write

test: build native-tools pg-tools browser-tools
	$(BIN)/mocha 'test/**/*.test.ts'

demo: build
	node build/host/tools/demo.js

# With env ESPRUINO (the Linux interpreter) it also runs dist/bench-espruino.js, and with env
# ESPRUINO_ARM (the Linux interpreter built for ARM, README "Speed") counts whole decisions under
# qemu-arm: the board-time model (tools/build/board-time.ts).
bench: build native-tools
	node build/host/tools/bench.js
	tools/native/build.sh
	node build/host/tools/native/count.js

# The collector under a province's load (SQLite and PostgreSQL side by side): BENCH_SECONDS,
# BENCH_GATES, BENCH_PHASES (database:factor or database:capacity, the pinned per-core ramp),
# BENCH_WORKERS, BENCH_PROFILE ... (tools/bench-collector.ts; README "Load: what a province needs").
bench-collector: build pg-tools
	node build/host/tools/bench-collector.js

# Long property runs, then the oracle fuzz of the gate's decision (test/system/decide-fuzz.ts):
# FUZZ_DECISIONS (default 1,000,000) mutated certificates, every open checked by an independent
# oracle; FUZZ_SEED repeats a run (the seed is printed). Then each native routine against its
# TypeScript reference under qemu-arm on FUZZ_NATIVE (default 100,000) random and mutated inputs:
# the inflate (test/native/inflate-fuzz.ts), the Ed25519 verifier (test/native/ed25519-fuzz.ts,
# also against the table verifier and an independent oracle, every published vector first).
fuzz: build native-tools
	FUZZ_RUNS=$${FUZZ_RUNS:-20000} $(BIN)/mocha --grep property 'test/**/*.test.ts'
	$(BIN)/tsx test/system/decide-fuzz.ts --count $${FUZZ_DECISIONS:-1000000} $${FUZZ_SEED:+--seed $$FUZZ_SEED}
	$(BIN)/tsx test/native/inflate-fuzz.ts --count $${FUZZ_NATIVE:-100000} $${FUZZ_SEED:+--seed $$FUZZ_SEED}
	$(BIN)/tsx test/native/ed25519-fuzz.ts --count $${FUZZ_NATIVE:-100000} $${FUZZ_SEED:+--seed $$FUZZ_SEED}

clean:
	rm -rf build dist

# README.md's board tables (pins, LoRa, notes, files, flash budget and geometry) from boards/*.ts
# and the built bundles (tools/build/readme-tables.ts; test/tools/build/readme-tables.test.ts checks them).
readme-tables: deps build-device
	$(BIN)/tsx tools/build/readme-tables.ts

# What takes room in the device bundles (per module, per board) and each board's flash budget.
size: deps
	rm -rf build/device
	$(BIN)/tsc -p tsconfig.device.json
	$(BIN)/tsx tools/build/size-report.ts build/device/firmware/main.js
