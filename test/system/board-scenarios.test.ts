// Every scenario in test/scenarios/*.json on each ARM board's own bundle (dist/gate-<board>.js),
// flashed with its planned layout (tools/board/layout.ts: the image in the board's free area, the
// loader in its Storage, both of the board's own geometry) and its native verifier emulated
// (sim/board.ts); and the occupancy scenarios (test/scenarios-crowd) on the boards built with
// occupancy counting. A scenario needing a feature the board's bundle is built without must get,
// instead of its expectations (boards/<name>.ts features): DIVOC, `unsupported` for each of its
// certificates; occupancy counting or the door contact, the configuration refused (a `config`
// fault naming it, the door never opened); the scanner module's configuration, the module used
// as it is (`unbuilt`, nothing sent to it); an uplink transport, an `uplink` fault.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario } from '../../sim/scenario';
import { BOARD_FILES } from '../../boards/index';
import { bundlePath } from '../../tools/build/boards';
import { INDEX, sampleText } from '../util/divoc';
import { worstWithin } from '../util/worst-inputs';

const DIR = path.resolve(__dirname, '..', 'scenarios');
const CROWD_DIR = path.resolve(__dirname, '..', 'scenarios-crowd');
const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f)) : []);
const files = list(DIR).concat(list(CROWD_DIR));

/** A scenario's configuration (a path relative to its file, or inline). */
function configOf(file: string, sc: any): any {
  if (typeof sc.config === 'string') return JSON.parse(fs.readFileSync(path.resolve(path.dirname(file), sc.config), 'utf8'));
  return sc.config || {};
}

/** The optional features (boards/types.ts BoardFeatures) a scenario's configuration and steps ask for. */
function asks(file: string, sc: any): string[] {
  const c = configOf(file, sc);
  const out: string[] = [];
  if (c.capacity || c.passback) out.push('crowd');
  if (c.door && (c.door.contact || c.door.button)) out.push('door');
  if (sc.scanner || sc.steps.some((st: any) => st.gm65 !== undefined || st.show !== undefined)) out.push('scannerModule');
  const t = c.uplink && c.uplink.transport;
  if (t === 'wifi' || t === 'lora') out.push(t);
  return out;
}

/** Does a scenario expect a DIVOC decision (a format the bundle may lack)? */
function needsDivoc(file: string, sc: any): boolean {
  return /divoc/.test(file) || sc.steps.some((st: any) => (st.expect && st.expect.format === 'divoc') ||
    (typeof st.scan === 'string' && st.scan.indexOf('B64:') === 0));
}

describe('scenarios on each ARM board\'s own bundle and flash layout', function () {
  this.timeout(600000);
  for (const bf of BOARD_FILES.filter((b) => b.features.native && b.features.fits)) {
    describe(bf.name, () => {
      it('boots from its layout: the loader in Storage, the image in its free area', async function () {
        if (!fs.existsSync(bundlePath(bf.name))) this.skip(); // make build-device
        const lines: string[] = [];
        const res = await runScenario({ board: bf.name, config: 'gate.json', trust: 'trust.bin', clock: '2021-09-27T08:00:00Z', steps: [{ wait: 10 }] },
          { baseDir: path.join(DIR, '..', 'fixtures'), out: (l) => lines.push(l) });
        assert.ok(res.ok, res.failures.join('\n'));
        const ready = res.events.find((e) => e.event === 'ready')!;
        assert.ok(ready && !ready.fault, lines.join('\n'));
      });
      for (const file of files) {
        const f = path.relative(path.join(DIR, '..'), file);
        it(f, async function () {
          if (!fs.existsSync(bundlePath(bf.name))) this.skip(); // make build-device
          const sc = JSON.parse(fs.readFileSync(file, 'utf8'));
          sc.board = bf.name;
          const lines: string[] = [];
          // The occupancy scenarios put the exit scanner on Serial1 (free on the ESP32, the simulator's
          // default board): on a board whose scanner is there, on its other UART (the LoRa modem's).
          const cap = typeof sc.config === 'object' && sc.config.capacity;
          if (cap && cap.exitSerial === bf.pins.scanner.serial && bf.features.crowd) {
            const other = bf.pins.lora;
            if (!other || sc.config.uplink.transport === 'lora') this.skip(); // (no free UART for it)
            sc.config = { ...sc.config, capacity: { ...cap, exitSerial: other!.serial, exitRx: other!.rx, exitTx: other!.tx } };
          }
          const lacksDivoc = needsDivoc(f, sc) && !bf.features.divoc;
          const missing = asks(file, sc).filter((k) => !(bf.features as any)[k]);
          const refused = missing.filter((k) => k === 'crowd' || k === 'door');
          if (lacksDivoc || missing.length) sc.steps = sc.steps.map((st: any) => (st.expect ? { wait: 0 } : st));
          const res = await runScenario(sc, { baseDir: path.dirname(file), out: (l) => lines.push(l) });
          assert.ok(res.ok, `${bf.name} ${f}:\n  ${res.failures.join('\n  ')}\n--- events:\n${lines.slice(-30).join('\n')}`);
          const ev = (name: string) => res.events.filter((e) => e.event === name);
          if (refused.length) {
            // the configuration is refused: a config fault naming what is missing, never ready, never open
            const faults = ev('fault').filter((e) => e.what === 'config');
            assert.equal(faults.length > 0, true, lines.join('\n'));
            assert.match(faults[0].why, /is not built into the firmware for board /);
            assert.match(faults[0].why, refused[0] === 'crowd' ? /^occupancy counting/ : /^the door contact and exit button/);
            assert.equal(ev('ready').length, 0, lines.join('\n'));
            assert.ok(ev('decision').every((e) => e.decision === 'deny'), lines.join('\n'));
            assert.ok(!ev('relay').some((e) => e.on), lines.join('\n'));
            return;
          }
          if (missing.indexOf('scannerModule') >= 0) {
            assert.ok(ev('scanner').some((e) => e.module === 'gm65' && e.state === 'unbuilt'), lines.join('\n'));
            assert.ok(!ev('scanner').some((e) => e.state === 'configured' || e.state === 'configuring'), lines.join('\n'));
          }
          for (const t of missing.filter((k) => k === 'wifi' || k === 'lora')) {
            assert.ok(ev('fault').some((e) => e.what === 'uplink' && e.why.indexOf('uplink.transport ' + t + ' is not built') === 0), lines.join('\n'));
          }
          if (lacksDivoc) {
            // refused: `unsupported`, or (a text longer than any QG1 one: firmware/parse.ts
            // frameLimit) dropped as too long, red either way
            const d = ev('decision');
            const long = ev('drop').filter((e) => e.why === 'too-long');
            assert.ok(d.length + long.length > 0 && d.every((e) => e.decision === 'deny' && e.reason === 'unsupported'), lines.join('\n'));
            assert.ok(!ev('relay').some((e) => e.on), lines.join('\n'));
          }
        });
      }
    });
  }
  // A board that carries DIVOC decides the published samples, and the worst texts within its own
  // bounds (boards/<name>.ts features.divocMax), as the ESP32's bundle does (which has the global
  // limits and the JavaScript inflate): same decision and reason, one after the other on one gate.
  for (const bf of BOARD_FILES.filter((b) => b.features.native && b.features.fits && b.features.divoc)) {
    it(`${bf.name}: decides the DIVOC samples and the worst texts within its bounds as the ESP32 does`, async function () {
      if (!fs.existsSync(bundlePath(bf.name)) || !fs.existsSync(bundlePath('esp32'))) this.skip(); // make build-device
      const texts = INDEX.samples.map((x: { file: string }) => sampleText(x.file))
        .concat(bf.features.divocMax ? worstWithin(bf.features.divocMax).map((w) => w.text) : []);
      const steps: any[] = [];
      for (const t of texts) steps.push({ scan: t }, { wait: 2000 });
      let LAST: string[] = [];
      const decisions = async (board: string) => {
        const lines: string[] = [];
        const res = await runScenario({ board, config: 'gate.json', trust: 'trust.bin', clock: '2021-09-27T08:00:00Z', steps },
          { baseDir: path.join(DIR, '..', 'fixtures'), out: (l) => lines.push(l) });
        assert.ok(res.ok, res.failures.join('\n'));
        LAST = lines;
        return res.events.filter((e) => e.event === 'decision').map((e) => `${e.decision}/${e.reason}/${e.format}`);
      };
      const esp32 = await decisions('esp32');
      const mine = await decisions(bf.name);
      assert.equal(mine.length, texts.length, mine.join('\n') + '\n' + LAST.join('\n'));
      assert.deepEqual(mine, esp32);
      assert.ok(mine.slice(0, INDEX.samples.length).some((d) => d === 'open/ok/divoc'), mine.join('\n'));
    });
  }
});
