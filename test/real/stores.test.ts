// The gate's memory on the REAL interpreter built with a board's fixed variable store (issue 12 item
// 5, issue 17 item 5): ESPRUINO_5100=/path/to/espruino (the Linux build with 'variables': 5100, a
// Pico's store) and ESPRUINO_8190=/path/to/espruino (8190, an Espruino WiFi's). Each shipped bundle
// (dist/, after `make build`) the Linux interpreter can run is flashed with the 64-key memory
// fixture (tools/build/memory-fixture.ts) in the worst configuration (scanner.maxLen 4096, no
// duplicate suppression, no repeat-visitor cache), boots, and decides a QG1 certificate, every
// published DIVOC sample and every worst unsigned input of test/util/worst-inputs.ts, one after the
// other, without running out: no interpreter error or assertion, no MEMORY error flag, the expected
// decision each time; the peak of each is printed (test/real/storerun.ts: the driver, shared with
// test/real/arm-stores.test.ts, which runs the ARM boards' own bundles under qemu-arm).
//
// Which bundle runs where: dist/gate.js (every feature; the bundle the boot budget is for) and
// dist/gate-linux.js (byte-identical to gate-esp32.js but for its board table: DIVOC, the
// JavaScript verifier; an ESP32 has up to 16,383 variables) on the 8,190 store, the smallest they
// must fit with margin. On the 5,100 store (a Pico's), the Pico's features (DIVOC within its own
// bounds) on the Linux board, which the test builds. dist/gate-pico.js (5,100) and
// dist/gate-wifi.js (8,190) call the native ARM verifier, which the x86 Linux interpreter cannot
// run: the JavaScript verifier, a lazy part with its tables, needs more RAM than the native one, so
// these runs bound them (test/real/arm-stores.test.ts runs the ARM boards' own features, native
// code included, on ARM interpreters). Skipped, saying why, without the variables or without a
// build. No timing: each step waits for the gate's events.
import * as path from 'path';
import { worstInputs, worstWithin } from '../util/worst-inputs';
import { buildBundle, boardFile, DEFAULT_ENTRY } from '../../tools/build/boards';
import { BoardFeatures } from '../../boards/types';
import { chosen, divocInputs, qg1Input, storeSuite, StoreRun, worstAsInputs, worstMemoryFiles } from './storerun';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The Pico's features on the Linux board (DIVOC included): the JavaScript verifier instead of the
 * native one (ARM code), and boot's checks in the core as on the ARM boards (armParts).
 */
function picoOnLinux(): Partial<BoardFeatures> {
  const f = boardFile('pico').features;
  return { divoc: f.divoc, divocMax: f.divocMax, wifi: f.wifi, lora: f.lora, crowd: f.crowd, scannerModule: f.scannerModule, door: f.door, native: false, jsVerify: true };
}

/**
 * The runs: (store, bundle). A variant is a bundle the test builds (from build/device, after `make
 * build`) into the run's folder: the Linux board with some features changed. Every input: a QG1
 * certificate, the DIVOC samples, the worst unsigned inputs, and the worst within the Pico's own
 * DIVOC bounds (boards/pico.ts features.divocMax).
 */
function run(env: string, vars: number, bundle: string, variant?: Partial<BoardFeatures>): StoreRun {
  const divoc = !variant || variant.divoc !== false;
  return {
    key: `${vars}-${bundle}`, label: `${bundle} on ${vars} variables, 64 keys`, env, vars,
    inputs: chosen([qg1Input()].concat(divocInputs(divoc), worstAsInputs(worstInputs(), divoc),
      worstAsInputs(worstWithin(boardFile('pico').features.divocMax!), divoc))),
    files: worstMemoryFiles(),
    needs: [variant ? DEFAULT_ENTRY : path.join(ROOT, 'dist', bundle)],
    bundle: async (dir) => {
      if (!variant) return path.join(ROOT, 'dist', bundle);
      const out = path.join(dir, bundle);
      await buildBundle('linux', { out, features: variant, armParts: true });
      return out;
    },
  };
}

storeSuite({
  title: 'espruino: every bundle the Linux interpreter runs, on a board\'s fixed variable store',
  unset: 'set ESPRUINO_5100 and/or ESPRUINO_8190 to Linux interpreters built with that many variables',
  runs: [
    run('ESPRUINO_5100', 5100, 'gate-linux-pico.js', picoOnLinux()),
    run('ESPRUINO_8190', 8190, 'gate.js'),
    run('ESPRUINO_8190', 8190, 'gate-linux.js'),
  ],
});
