// The one timer model (sim/vtime.ts): its semantics (Espruino 2v29's), the sandbox and the unit-test
// fakes agreeing on it, and (with ESPRUINO=/path/to/espruino) the real interpreter agreeing too.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { MIN_INTERVAL_MS, TimerQueue, VirtualClock } from '../../sim/vtime';
import { SimBoard } from '../../sim/board';
import { FakeTimers } from '../fakes/hal';
import { runEspruino } from '../real/interp';

const RUNS = Number(process.env.FUZZ_RUNS) || 30;

/** Take and run everything due by `limit`, returning labels with the time each ran at. */
function drain(q: TimerQueue<string>, limit: number): string[] {
  const out: string[] = [];
  for (let t = q.take(limit); t; t = q.take(limit)) out.push(t.fn + '@' + q.clock.ms);
  return out;
}

describe('sim/vtime TimerQueue (Espruino semantics)', () => {
  it('runs by due time, then in the order queued; nothing runs until taken', () => {
    const q = new TimerQueue<string>();
    q.timeout('b20', 20);
    q.timeout('a0', 0);
    q.event('e0', 0);
    q.timeout('c20', 20);
    q.timeout('d0', 0);
    assert.equal(q.clock.ms, 0);
    assert.deepEqual(drain(q, 0), ['a0@0', 'e0@0', 'd0@0']);
    assert.deepEqual(drain(q, 19), []);
    assert.equal(q.clock.ms, 0, 'the owner moves the clock to its limit, not the queue');
    assert.deepEqual(drain(q, 100), ['b20@20', 'c20@20']);
  });

  it('an interval re-queued after it ran goes after entries already waiting for that time', () => {
    const q = new TimerQueue<string>();
    q.interval('iv', 10);
    q.timeout('t20', 20);
    assert.deepEqual(drain(q, 20), ['iv@10', 't20@20', 'iv@20']);
  });

  it('an interval does not drift: each due time is the previous one plus the interval', () => {
    const clock = new VirtualClock();
    const q = new TimerQueue<string>(clock);
    q.interval('iv', 30);
    clock.ms = 95; // the owner was late (a long callback)
    assert.deepEqual(drain(q, 95), ['iv@95', 'iv@95', 'iv@95']);
    assert.equal(q.nextDue(), 120);
    assert.deepEqual(drain(q, 150), ['iv@120', 'iv@150']);
  });

  it('ids are the highest live id + 1 (reused once freed); events take none', () => {
    const q = new TimerQueue<string>();
    const a = q.timeout('a', 10).id;
    const ev = q.event('ev', 5).id;
    const b = q.timeout('b', 20).id;
    assert.deepEqual([a, ev, b], [1, 0, 2]);
    assert.equal(q.clear(b), true);
    assert.equal(q.timeout('c', 30).id, 2, 'a cleared id comes back');
    drain(q, 30);
    assert.equal(q.count(), 0);
    assert.equal(q.timeout('d', 5).id, 1, 'a fired id comes back');
    const x = q.timeout('x', 50).id;
    q.clear(1);
    assert.equal(q.timeout('y', 5).id, x + 1, 'a lower freed id is not reused while a higher one lives');
  });

  it('delays: a negative or NaN timeout is 0, an interval of 0 or less repeats every MIN_INTERVAL_MS', () => {
    const q = new TimerQueue<string>();
    assert.equal(q.timeout('neg', -5).due, 0);
    assert.equal(q.timeout('nan', NaN).due, 0);
    const iv = q.interval('iv0', 0);
    assert.equal(iv.interval, MIN_INTERVAL_MS);
    assert.equal(q.interval('ivn', NaN).interval, MIN_INTERVAL_MS);
    assert.ok(MIN_INTERVAL_MS > 0);
    drain(q, 0);
    assert.ok(q.nextDue()! > 0, 'time passes between two runs of an interval');
  });

  it('clear of an id that is not live does nothing; clearAll keeps events; change restarts an interval', () => {
    const q = new TimerQueue<string>();
    q.timeout('a', 10);
    q.event('ev', 10);
    assert.equal(q.clear(7), false);
    assert.equal(q.clear(undefined), false);
    assert.equal(q.clear(0), false, 'an event cannot be cleared by id');
    assert.equal(q.size(), 2);
    const iv = q.interval('iv', 100).id;
    q.clock.ms = 5;
    assert.equal(q.change(iv, 40), true);
    assert.equal(q.change(99, 40), false);
    assert.equal(q.find(iv)!.due, 45);
    q.clearAll();
    assert.deepEqual([q.count(), q.size()], [0, 1]);
    assert.deepEqual(drain(q, 100), ['ev@10']);
  });

  it('a one-shot entry is gone and an interval re-queued before its callback runs', () => {
    const q = new TimerQueue<() => void>();
    const seen: string[] = [];
    const once = q.timeout(() => seen.push('once live: ' + (q.find(once.id) !== undefined)), 1);
    const iv = q.interval(() => { seen.push('iv live: ' + (q.find(iv.id) !== undefined)); q.clear(iv.id); }, 2);
    for (let t = q.take(10); t; t = q.take(10)) t.fn();
    assert.deepEqual(seen, ['once live: false', 'iv live: true']);
    assert.equal(q.size(), 0);
  });
});

// ---------------------------------------------------------------------------- one model

type Op =
  | { op: 'timeout'; ms: number; label: number; throws: boolean }
  | { op: 'interval'; ms: number; label: number; throws: boolean }
  | { op: 'clear'; pick: number; stale: boolean; interval: boolean }
  | { op: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('timeout' as const), ms: fc.integer({ min: -5, max: 60 }), label: fc.nat(99), throws: fc.boolean() }),
  fc.record({ op: fc.constant('interval' as const), ms: fc.integer({ min: 1, max: 40 }), label: fc.nat(99), throws: fc.boolean() }),
  fc.record({ op: fc.constant('clear' as const), pick: fc.nat(20), stale: fc.boolean(), interval: fc.boolean() }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 80 }) }),
);

/** The trace of `ops` run by a program in the sandbox (SimBoard). */
function sandboxTrace(ops: Op[]): string[] {
  const b = new SimBoard();
  b.boot(`var ids = [];
    function cb(label, throws) { return function () {
      print(label + '@' + Math.round(getTime() * 1000)); if (throws) throw new Error('boom ' + label); }; }`);
  const sb = b.sandbox!;
  for (const o of ops) {
    if (o.op === 'timeout') sb.run(`ids.push(setTimeout(cb('t${o.label}', ${o.throws}), ${o.ms})); print('id ' + ids[ids.length - 1]);`);
    else if (o.op === 'interval') sb.run(`ids.push(setInterval(cb('i${o.label}', ${o.throws}), ${o.ms})); print('id ' + ids[ids.length - 1]);`);
    else if (o.op === 'clear') {
      const fn = o.interval ? 'clearInterval' : 'clearTimeout';
      sb.run(o.stale ? `${fn}(${o.pick});` : `if (ids.length) ${fn}(ids[${o.pick} % ids.length]);`);
    } else b.advance(o.ms);
  }
  return b.lines.slice();
}

/** The trace of `ops` run on FakeTimers by the same rules. */
function fakeTrace(ops: Op[]): string[] {
  const t = new FakeTimers({ onError: 'record' });
  const lines: string[] = [];
  const ids: number[] = [];
  const cb = (label: string, throws: boolean) => () => {
    lines.push(label + '@' + Math.round(t.now));
    if (throws) {
      lines.push('Uncaught Error: boom ' + label); // as the sandbox prints it
      throw new Error('boom ' + label);
    }
  };
  for (const o of ops) {
    if (o.op === 'timeout') { ids.push(t.setTimeout(cb('t' + o.label, o.throws), o.ms)); lines.push('id ' + ids[ids.length - 1]); }
    else if (o.op === 'interval') { ids.push(t.setInterval(cb('i' + o.label, o.throws), o.ms)); lines.push('id ' + ids[ids.length - 1]); }
    else if (o.op === 'clear') {
      const id = o.stale ? o.pick : ids.length ? ids[o.pick % ids.length] : undefined;
      if (id !== undefined) (o.interval ? t.clearInterval(id) : t.clearTimeout(id));
    } else t.advance(o.ms);
  }
  assert.equal(t.errors.length, lines.filter((l) => l.startsWith('Uncaught')).length);
  return lines;
}

describe('sim/vtime: the sandbox and the unit-test fakes run one timer model', () => {
  it('a fixed program gives the same trace in both (order, ids, stale clears, exceptions)', () => {
    const ops: Op[] = [
      { op: 'timeout', ms: 20, label: 1, throws: false },
      { op: 'timeout', ms: 0, label: 2, throws: true },
      { op: 'interval', ms: 10, label: 3, throws: true },
      { op: 'timeout', ms: 20, label: 4, throws: false },
      { op: 'clear', pick: 0, stale: false, interval: false },
      { op: 'clear', pick: 9, stale: true, interval: true },
      { op: 'timeout', ms: 5, label: 5, throws: false },
      { op: 'advance', ms: 35 },
      { op: 'timeout', ms: -1, label: 6, throws: false },
      { op: 'advance', ms: 0 },
    ];
    const got = sandboxTrace(ops);
    // t1 cleared; t5 takes id 5; t4 was queued before i3 re-queued itself for 20; t6 reuses the id t4 freed
    assert.deepEqual(got, ['id 1', 'id 2', 'id 3', 'id 4', 'id 5', 't2@0', 'Uncaught Error: boom t2', 't5@5', 'i3@10',
      'Uncaught Error: boom i3', 't4@20', 'i3@20', 'Uncaught Error: boom i3', 'i3@30', 'Uncaught Error: boom i3', 'id 4', 't6@35']);
    assert.deepEqual(fakeTrace(ops), got);
  });

  it('property: any sequence of set, clear (live or stale) and advance gives the same trace in both', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
      assert.deepEqual(fakeTrace(ops), sandboxTrace(ops));
    }), { numRuns: RUNS });
  });
});

// ---------------------------------------------------------------------------- the real interpreter

describe('sim/vtime semantics on the real interpreter (ESPRUINO)', function () {
  this.timeout(30000);
  // Due times 100 ms apart, so that a busy machine does not reorder them on the real interpreter.
  const PROGRAM = `
    function p(s) { print('T ' + s); }
    clearTimeout(99); clearInterval(98); p('unknown ids: no error');
    try { clearTimeout(undefined); } catch (e) { p(e.message); }
    var a = setTimeout(function () { p('a'); }, 200);
    var b = setTimeout(function () { p('b'); }, 100);
    var c = setTimeout(function () { p('c'); }, 100);
    clearTimeout(c);
    var d = setTimeout(function () { p('d'); }, 350);
    p('ids ' + [a, b, c, d].join());
    setTimeout(function () { p('z1'); }, 0);
    setTimeout(function () { p('z2'); }, 0);
    var n = 0;
    var iv = setInterval(function () { n++; p('iv' + n); if (n === 2) throw new Error('boom'); if (n === 4) clearInterval(iv); }, 150);
    setTimeout(function () { p('end'); }, 900);
  `;

  it('prints what the sandbox prints (order, ids, clears, an exception in an interval)', async function () {
    const bin = process.env.ESPRUINO;
    if (!bin) {
      console.log('      skipped: set ESPRUINO=/path/to/espruino to compare with the real interpreter');
      this.skip();
    }
    const b = new SimBoard();
    b.boot(PROGRAM);
    b.advance(1000);
    const want = b.lines.filter((l) => /^(T |Uncaught)/.test(l));
    assert.deepEqual(want, ['T unknown ids: no error', 'T clearTimeout(undefined) not allowed. Use clearTimeout() instead',
      'T ids 1,2,3,3', 'T z1', 'T z2', 'T b', 'T iv1', 'T a', 'T iv2', 'Uncaught Error: boom', 'T d', 'T iv3', 'T iv4', 'T end']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-vtime-'));
    try {
      const script = path.join(dir, 'timers.js');
      fs.writeFileSync(script, PROGRAM);
      const out = await runEspruino(bin!, dir, script, /T end/, 20000);
      const got = out.split('\n').map((l) => l.replace(/^>+/, '')).filter((l) => /^(T |Uncaught)/.test(l));
      assert.deepEqual(got, want);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
