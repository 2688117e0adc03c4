// Issue 17.2: single-bit flips of qg.cfg on both relay polarities (see relay-sweep.ts): the relay
// coil is never energised without an `open` decision. A boot of the real bundle in the simulator
// takes 0.1 to 0.7 s, so `make test` runs a fixed sample: every bit of the polarity's own text
// ("activeHigh": false, and the relay section around it) and every 53rd bit of the rest; `make
// fuzz` (FUZZ_RUNS set) and RELAY_FLIP_STRIDE=1 run every bit of the file (4,144 and 4,304 flips).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { defaultBundleFor } from '../../sim/scenario';
import { tableFiles } from '../../tools/tables';
import { BOARD, FIX, bootAndScan, fixtureConfig, okCert } from './relay-sweep';

const STRIDE = Math.max(1, Number(process.env.RELAY_FLIP_STRIDE) || (process.env.FUZZ_RUNS ? 1 : 53));

/** The bits to flip: every STRIDE-th bit, plus every bit of the polarity's own text. */
function bitsToFlip(cfg: Buffer): number[] {
  const text = cfg.toString('latin1');
  const out: number[] = [];
  for (let bit = 0; bit < cfg.length * 8; bit++) if (bit % STRIDE === 0 || isPolarityText(text, bit >> 3)) out.push(bit);
  return out;
}

/** Bytes of `"activeHigh": <value>` (the polarity source itself). */
function isPolarityText(text: string, byte: number): boolean {
  const k = text.indexOf('"activeHigh"');
  if (k < 0) return false;
  const end = text.indexOf(',', k) > 0 ? text.indexOf(',', k) : text.indexOf('}', k);
  return byte >= k && byte < end;
}

describe('relay: single-bit flips of qg.cfg, both polarities (issue 17.2, property)', function () {
  this.timeout(3 * 3600 * 1000);
  const bundlePath = defaultBundleFor(BOARD);
  if (!fs.existsSync(bundlePath)) {
    it('needs the device bundle', function () { this.skip(); });
    // eslint-disable-next-line no-console
    console.log(`  relay bit-flip sweep skipped: ${bundlePath} is missing (make build-device)`);
    return;
  }
  const bundle = fs.readFileSync(bundlePath, 'latin1');
  const trust = fs.readFileSync(path.join(FIX, 'trust.bin'));
  const cert = okCert();
  const tables = tableFiles(new Uint8Array(trust), 8);
  for (const activeHigh of [true, false]) {
    it(`property: ${activeHigh ? 'active-high' : 'active-low'} module, qg.cfg with one bit flipped: never energised without an open decision`, () => {
      const cfg = fixtureConfig(activeHigh);
      assert.equal(JSON.parse(cfg.toString('latin1')).relay.activeHigh !== false, activeHigh);
      // the unflipped configuration opens the door (so the sweep exercises the opening path)
      const base = bootAndScan(bundle, trust, tables, cfg, activeHigh, cert);
      assert.equal(base.decision, 'open/ok');
      assert.ok(base.events.some((e) => e.event === 'relay' && e.on === true), 'the unflipped configuration energises the relay');
      // no configuration at all
      const none = bootAndScan(bundle, trust, tables, null, activeHigh, cert);
      assert.equal(none.energisedWithoutOpen, null);
      assert.equal(none.events.filter((e) => e.event === 'relay').length, 0, 'no configuration: the coil never moves');
      const tally: { [k: string]: number } = {};
      const bits = bitsToFlip(cfg);
      for (const bit of bits) {
        const c = Buffer.from(cfg);
        c[bit >> 3] ^= 1 << (bit & 7);
        const r = bootAndScan(bundle, trust, tables, c, activeHigh, cert);
        const where = `bit ${bit} (byte ${bit >> 3} ${JSON.stringify(cfg.toString('latin1').charAt(bit >> 3))} -> ${JSON.stringify(c.toString('latin1').charAt(bit >> 3))})`;
        assert.equal(r.energisedWithoutOpen, null, `${where}: ${r.energisedWithoutOpen}`);
        assert.equal(r.onAtEnd, false, `${where}: relay still energised after relay.openMs`);
        const k = r.fault ? 'fault ' + r.fault : String(r.decision);
        tally[k] = (tally[k] || 0) + 1;
      }
      // eslint-disable-next-line no-console
      console.log(`      ${bits.length} flips of ${cfg.length * 8}: ${Object.keys(tally).sort().map((k) => `${k} ${tally[k]}`).join(', ')}`);
    });
  }
});
