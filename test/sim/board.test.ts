// SimBoard and the scenario player, driven with the hand-written bundle of fixtures.ts.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as sinon from 'sinon';
import { SimBoard } from '../../sim/board';
import { runScenario, ScenarioError } from '../../sim/scenario';
import { run as simCommand } from '../../tools/cmd/sim';
import { ECHO_GATE } from './fixtures';

describe('sim/board SimBoard', () => {
  it('runs a bundle: UART in, decisions as events, relay and LEDs from the profile pins', () => {
    const b = new SimBoard({ clock: 1632729600 });
    b.flash.write('qg.cfg', JSON.stringify({ relay: { openMs: 2000 } }));
    b.boot(ECHO_GATE);
    assert.equal(b.events.filter((e) => e.event === 'ready').length, 1);
    assert.equal(b.events.find((e) => e.event === 'ready')!.clock, true);
    b.scanner().inject('OKab\r');
    b.advance(10);
    assert.equal(b.scanner().written, 'OKab\r'); // the bundle echoes
    assert.deepEqual(b.lastDecision(), { t: 0, event: 'decision', decision: 'open', reason: 'ok', format: 'qg1', kid: '01', cti: 'ab' });
    assert.equal(b.relay(), true);
    assert.equal(b.led(), 'green');
    b.scanner().inject('OKcd\r');
    b.run();
    assert.equal(b.events.filter((e) => e.event === 'drop').length, 1);
    b.advance(1990);
    assert.equal(b.relay(), false);
    assert.equal(b.led(), 'off');
    assert.deepEqual(b.pin('B3').history.map((h) => h.level), [false, true, false]);
    b.scanner().inject('http://x\r');
    b.run();
    assert.equal(b.lastDecision()!.decision, 'deny');
    assert.equal(b.led(), 'red');
    b.advance(1000);
    assert.equal(b.led(), 'off');
    assert.equal(b.flash.readString('log', 0, 2), 'od');
  });

  it('delivers UART input in chunks of at most 32 chars, paced at the baud rate on request', () => {
    const b = new SimBoard();
    b.boot(`Serial1.setup(9600, {}); Serial1.on('data', function (d) { console.log(d.length + '@' + Date.now()); });`);
    b.scanner().inject('x'.repeat(70));
    b.run();
    assert.deepEqual(b.lines, ['32@0', '32@0', '6@0']);
    b.scanner().inject('y'.repeat(40), { paced: true });
    b.advance(100);
    // 9600 baud: 10 bits a byte, ~1.04 ms each
    const paced = b.lines.slice(3).map((l) => l.split('@').map(Number));
    assert.deepEqual(paced.map((p) => p[0]), [32, 8]);
    assert.ok(Math.abs(paced[0][1] - 32 * 10000 / 9600) < 1e-6 && Math.abs(paced[1][1] - 40 * 10000 / 9600) < 1e-6);
  });

  it('loses RAM on a power cut, keeps flash, and boots again from .bootcde', () => {
    const b = new SimBoard({ clock: 1000000000 });
    b.flash.write('.bootcde', ECHO_GATE);
    b.powerOn();
    b.scanner().inject('OK1\r');
    b.run();
    assert.equal(b.relay(), true);
    b.advance(1000);
    b.powerCut();
    assert.equal(b.relay(), false);
    assert.equal(b.powered, false);
    b.scanner().inject('OK2\r'); // lost: no power
    b.advance(5000);
    assert.equal(b.events.filter((e) => e.event === 'decision').length, 1);
    b.powerOn();
    assert.equal(b.events.filter((e) => e.event === 'ready').length, 2);
    assert.equal(Math.round(b.now()), 1000000006); // the clock kept running
    b.scanner().inject('OK3\r');
    b.run();
    assert.equal(b.relay(), true);
    assert.equal(b.flash.readString('log', 0, 2), 'oo');
  });

  it('a torn flash write cuts power at that moment', () => {
    const b = new SimBoard();
    b.boot(ECHO_GATE);
    b.scanner().inject('OK1\r');
    b.run();
    b.advance(3000);
    b.armTear(0);
    b.scanner().inject('OK2\r');
    b.run();
    assert.equal(b.powered, false);
    const cut = b.events.filter((e) => e.event === 'power' && e.state === 'cut');
    assert.equal(cut.length, 1);
    assert.equal(cut[0].torn, true);
    assert.equal(b.events.filter((e) => e.event === 'log').length, 1); // the second was never logged
    assert.equal(b.flash.readString('log', 0, 2), 'o\xff');
  });

  it('a watchdog that is not kicked reboots the board from flash', () => {
    const b = new SimBoard();
    b.flash.write('.bootcde', `E.enableWatchdog(2, false); var k = 0; var iv = setInterval(function () { k++; if (k < 3) E.kickWatchdog(); }, 1000); console.log('boot');`);
    b.powerOn();
    b.advance(4500);
    assert.deepEqual(b.events.filter((e) => e.event === 'watchdog').map((e) => e.t), [4000]);
    assert.equal(b.lines.filter((l) => l === 'boot').length, 2);
  });
});

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
