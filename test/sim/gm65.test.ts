// The GM65-style module model (sim/gm65.ts) under the gate's bundle, through inline scenarios.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario, DEFAULT_BUNDLE, defaultBundleFor, DEFAULT_SCENARIO_BOARD } from '../../sim/scenario';

const BASE = path.resolve(__dirname, '..', 'scenarios');
const OK = JSON.parse(fs.readFileSync(path.join(BASE, 'ok.json'), 'utf8')).steps[0].scan as string;

function scenario(scanner: string, steps: any[], config: any = '../fixtures/gate.json') {
  return { config, trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z', scanner, steps };
}

async function play(sc: any) {
  const res = await runScenario(sc, { baseDir: BASE });
  assert.ok(res.ok, res.failures.join('\n') + '\n' + res.events.map((e) => JSON.stringify(e)).join('\n').slice(-4000));
  return res;
}

describe('sim/gm65 (the scanner module model, with the gate)', function () {
  this.timeout(60000);
  before(function () {
    if (!fs.existsSync(defaultBundleFor(DEFAULT_SCENARIO_BOARD)) && !fs.existsSync(DEFAULT_BUNDLE)) {
      console.log('      skipped: no device bundle (make build-device)');
      this.skip();
    }
  });

  it('a refused write (nak) leaves the module partly configured; the gate says which zone bit', async () => {
    const res = await play(scenario('gm65', [
      { gm65: { fail: 'nak', count: 1 } },
      { power: 'cut' }, { power: 'on' },
      { wait: 3000 },
      { expect: { scanner: { state: 'partial', mode: 'manual', qrOnly: true, saves: 0 } } },
    ]));
    const ev = res.events.filter((e) => e.event === 'scanner').pop()!;
    assert.deepEqual(ev.failed, ['0x0000']);
  });

  it('a damaged answer is asked again; answers damaged for good end partial', async () => {
    await play(scenario('gm65', [
      { gm65: { fail: 'badcrc', count: 1 } },
      { power: 'cut' }, { power: 'on' }, { wait: 3000 },
      { expect: { scanner: { state: 'configured', qrOnly: true } } },
      { gm65: { fail: 'badcrc', count: 100 } },
      { power: 'cut' }, { power: 'on' }, { wait: 5000 },
      // (the QR write's answer was damaged too: every symbology on again, to be sure QR is read)
      { expect: { scanner: { state: 'partial', mode: 'continuous', qrOnly: false } } },
    ]));
  });

  it('a module whose answers stop (silent fault) is used as it is and scans still decide', async () => {
    await play(scenario('gm65', [
      { gm65: { fail: 'silent', count: 100 } },
      { power: 'cut' }, { power: 'on' },
      { show: OK }, { wait: 300 },
      { expect: { decision: 'open', reason: 'ok' } },
      { wait: 3000 },
      { expect: { scanner: { state: 'silent' }, events: { decision: 1 } } },
    ]));
  });

  it('the site\'s settings reach the module: sensor mode, light off, muted, no same-code delay', async () => {
    await play(scenario('gm65', [
      { wait: 3000 },
      { expect: { scanner: { state: 'configured', mode: 'sensor', light: 'off', beep: false, sameCodeMs: 0, qrOnly: true, saves: 0 } } },
    ], { ...JSON.parse(fs.readFileSync(path.join(BASE, '../fixtures/gate.json'), 'utf8')), 'scanner.mode': 'sensor', 'scanner.light': 'off', 'scanner.beep': false, 'scanner.dedupMs': 0 }));
  });

  it('scanner.module none: nothing is sent, the module keeps its own settings', async () => {
    const res = await play(scenario('gm65', [
      { wait: 3000 },
      { expect: { scanner: { state: 'none', mode: 'manual', qrOnly: false } } },
      { show: OK, trigger: true }, { wait: 300 },
      { expect: { decision: 'open' } },
    ], { ...JSON.parse(fs.readFileSync(path.join(BASE, '../fixtures/gate.json'), 'utf8')), 'scanner.module': 'none' }));
    assert.equal(res.module!.log.length, 0);
  });

  it('the module\'s own same-code delay (from scanner.dedupMs) keeps a held code from being sent again', async () => {
    const res = await play(scenario('gm65', [
      { wait: 3000 },
      { show: OK }, { wait: 1000 }, { show: OK }, { wait: 1000 },
      { expect: { events: { decision: 1 } } },
      { wait: 2000 }, { show: OK }, { wait: 300 },
      { expect: { events: { decision: 2 } } },
    ]));
    assert.equal(res.module!.saves, 0);
  });
});
