// A scenario `wait` that the player cannot finish (issue 17.7: a wait of 1e12 ms never ended) is a
// bad scenario, refused with a clear error (exit 2), never a player that hangs: one step waits at
// most MAX_WAIT_MS, and runs timers at no more than maxTimerRuns instants.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { runScenario, ScenarioError, DEFAULT_BUNDLE, MAX_WAIT_MS } from '../../sim/scenario';

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.join(REPO, 'bin', 'qrgate.js');
const FX = path.join(REPO, 'test', 'fixtures');
const DAY_MS = 86400000;

/** A gate without a configuration: it reports a fault and blinks its red LED for ever. */
function blinking(wait: number): any {
  return { trust: path.join(FX, 'trust.bin'), clock: '2021-09-27T08:00:00Z', steps: [{ wait }, { expect: { relay: false } }] };
}

describe('sim/scenario: waits the player cannot finish are refused', function () {
  this.timeout(60000);
  before(function () {
    if (!fs.existsSync(DEFAULT_BUNDLE)) this.skip(); // dist/gate.js missing: run make build-device
  });

  it('qrgate sim: a wait of 1e12 ms on a blinking gate ends at once with exit 2 (it ran for hours before)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-wait-'));
    const file = path.join(dir, 'wait.json');
    fs.writeFileSync(file, JSON.stringify(blinking(1e12)));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'sim', file], { encoding: 'utf8', timeout: 30000 });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2, `status ${r.status} signal ${r.signal} after ${Date.now() - t0} ms; stderr ${r.stderr}`);
    assert.match(r.stderr, /step 1: wait 1000000000000 ms is more than 2678400000 ms/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('a wait whose timers run at too many instants stops with a ScenarioError naming the step', async () => {
    // 1e7 ms of blinking is about 20,000 LED instants
    await assert.rejects(runScenario(blinking(1e7), { maxTimerRuns: 1000 }),
      (e: any) => e instanceof ScenarioError && /step 1: wait 10000000 ms runs timers at more than 1000 instants/.test(e.message));
  });

  it('the same wait within the limit plays to its end', async () => {
    const res = await runScenario(blinking(1e6), { maxTimerRuns: 10000 });
    assert.ok(res.ok, res.failures.join('\n'));
    assert.equal(res.events.filter((e) => e.event === 'led').slice(-1)[0].t <= 1e6, true);
  });

  it('an idle gate waits the longest step allowed (31 days) quickly, and the door stays locked', async () => {
    const sc = {
      config: path.join(FX, 'gate.json'), trust: path.join(FX, 'trust.bin'), clock: '2021-09-27T08:00:00Z',
      steps: [{ wait: MAX_WAIT_MS }, { expect: { relay: false, led: 'off' } }],
    };
    assert.equal(MAX_WAIT_MS, 31 * DAY_MS);
    const res = await runScenario(sc);
    assert.ok(res.ok, res.failures.join('\n'));
    await assert.rejects(runScenario({ ...sc, steps: [{ wait: MAX_WAIT_MS + 1 }] }), ScenarioError);
  });
});
