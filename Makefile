# QR gate: build, test, demo, bench. Every target installs what it needs (npm ci) first.
SHELL := /bin/bash
BIN   := node_modules/.bin
SHARED ?= $(abspath ../shared)
export QRGATE_SHARED := $(SHARED)

.PHONY: all build build-host build-device test demo bench fuzz clean deps check-device

all: build

deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: deps build-host build-device

build-host:
	$(BIN)/tsc -p tsconfig.json

build-device:
	rm -rf build/device
	$(BIN)/tsc -p tsconfig.device.json
	node tools/build/bundle.js build/device/firmware/main.js dist/gate.js

test: build
	$(BIN)/mocha 'test/**/*.test.ts'

demo: build
	node tools/demo.js

bench: build
	node build/host/tools/bench.js

fuzz: build
	FUZZ_RUNS=$${FUZZ_RUNS:-200000} $(BIN)/mocha --grep property 'test/**/*.test.ts'

clean:
	rm -rf build dist
