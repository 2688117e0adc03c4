// The scenario player (sim/scenario.ts runScenario, qrgate sim), driven with the hand-written
// bundle of fixtures.ts.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as sinon from 'sinon';
import { runScenario, ScenarioError } from '../../sim/scenario';
import { run as simCommand } from '../../tools/cmd/sim';
import { ECHO_GATE } from './fixtures';

describe('sim/scenario runScenario', () => {
  let dir: string;
  let bundle: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qgsim-'));
    bundle = path.join(dir, 'gate.js');
    fs.writeFileSync(bundle, ECHO_GATE);
    fs.writeFileSync(path.join(dir, 'gate.json'), JSON.stringify({ gateId: 't', relay: { openMs: 3000 } }));
    fs.writeFileSync(path.join(dir, 'trust.bin'), Buffer.from([1, 2, 3]));
  });
  // The first run loads the simulator's modules (as the SimBoard tests did when they shared this
  // file), so that the timing check below measures a scenario, not module loading.
  before(() => runScenario({ board: 'wifi', config: 'gate.json', trust: 'trust.bin', steps: [] }, { bundle, baseDir: dir }));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const good = {
    board: 'wifi', config: 'gate.json', trust: 'trust.bin', clock: '2021-09-27T08:00:00Z',
    steps: [
      { scan: 'OKab' }, { wait: 300 },
      { expect: { decision: 'open', reason: 'ok', relay: true, led: 'green', events: { decision: 1, ready: 1 }, flash: { 'qg.trust': true } } },
      { wait: 3000 }, { expect: { relay: false, led: 'off' } },
      { scanRaw: '68740d' }, { expect: { decision: 'deny', reason: 'unsupported', led: 'red' } },
      { power: 'cut' }, { expect: { relay: false, led: 'off' } }, { power: 'on' }, { wait: 10 },
      { expect: { events: { ready: 2, power: 3 }, console: '"ev":"ready"', maxMemory: 8190 } },
    ],
  };

  it('plays a scenario file and prints one JSON line per event', async () => {
    const file = path.join(dir, 'good.json');
    fs.writeFileSync(file, JSON.stringify(good));
    const lines: string[] = [];
    const t0 = Date.now();
    const res = await runScenario(file, { bundle, out: (l) => lines.push(l) });
    assert.ok(Date.now() - t0 < 1000);
    assert.deepEqual(res.failures, []);
    assert.equal(res.ok, true);
    const evs = lines.map((l) => JSON.parse(l));
    assert.deepEqual(evs.filter((e) => e.event === 'scan').map((e) => [e.t, e.text || e.hex]), [[0, 'OKab'], [3300, '68740d']]);
    assert.deepEqual(evs.filter((e) => e.event === 'relay').map((e) => [e.t, e.on]), [[0, true], [3000, false]]);
    assert.ok(evs.every((e) => typeof e.t === 'number' && typeof e.event === 'string'));
  });

  it('reports failed expectations naming the step', async () => {
    const sc = { ...good, steps: [{ scan: 'nope' }, { wait: 10 }, { expect: { decision: 'open', relay: true, led: 'green' } }] };
    const res = await runScenario(sc, { bundle, baseDir: dir });
    assert.equal(res.ok, false);
    assert.deepEqual(res.failures, [
      'step 3: expected decision "open", got "deny"', 'step 3: expected relay true, got false', 'step 3: expected led green, got red',
    ]);
  });

  it('rejects bad scenarios', async () => {
    const cases: [any, RegExp][] = [
      [{ steps: [{ wait: 1 }, { foo: 1 }] }, /step 2: unknown step 'foo'/],
      [{ steps: [], extra: 1 }, /unknown key 'extra'/],
      [{ steps: [{ expect: { colour: 'red' } }] }, /step 1: unknown expectation 'colour'/],
      [{ steps: [{ power: 'off' }] }, /step 1: power must be/],
      [{ steps: [{ wait: 5, scan: 'x' }] }, /step 1: more than one step/],
      [{ clock: 'yesterday', steps: [] }, /clock: not a time/],
      [{ config: 'missing.json', steps: [] }, /cannot read config/],
      [{ steps: [{ door: 'ajar' }] }, /step 1: door must be "open" or "close"/],
      [{ steps: [{ button: 'tap' }] }, /step 1: button must be/],
      [{ steps: [{ expect: { alarm: 'fire' } }] }, /step 1: alarm must be forced, held or none/],
      [{ steps: [{ door: 'open' }] }, /step 1: a door step needs door.contact/],
      [{ steps: [{ button: 'press' }] }, /step 1: a button step needs door.button/],
    ];
    for (const [sc, re] of cases) {
      await assert.rejects(runScenario(sc, { bundle, baseDir: dir }), (e: any) => e instanceof ScenarioError && re.test(e.message));
    }
  });

  it('qrgate sim: exit 0 / 1 / 2 and --trace', async () => {
    const file = path.join(dir, 'cli.json');
    fs.writeFileSync(file, JSON.stringify(good));
    const trace = path.join(dir, 'trace.jsonl');
    const out = sinon.stub(process.stdout, 'write');
    const err = sinon.stub(process.stderr, 'write');
    let codes: number[];
    try {
      codes = [await simCommand([file, '--bundle', bundle, '--trace', trace])];
      fs.writeFileSync(file, JSON.stringify({ ...good, steps: [{ expect: { relay: true } }] }));
      codes.push(await simCommand([file, '--bundle', bundle]));
      fs.writeFileSync(file, JSON.stringify({ steps: [{ jump: 1 }] }));
      codes.push(await simCommand([file, '--bundle', bundle]).catch((e) => (/unknown step 'jump'/.test(e.message) ? 2 : -1)));
    } finally {
      out.restore();
      err.restore();
    }
    assert.deepEqual(codes, [0, 1, 2]);
    const traced = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(traced.some((e) => e.event === 'decision' && e.decision === 'open'));
    assert.ok(err.args.some((a) => /step 1: expected relay true, got false/.test(String(a[0]))));
  });
});
