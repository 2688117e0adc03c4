// firmware/gate.ts: each scan decided at once with the trust store's current bundle, the door asked
// to signal the decision, events to the sink; a new bundle in the store empties the repeat-visitor
// cache; the entry log's hook and its failure.
import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import * as fs from 'fs';
import * as path from 'path';
import { Gate, CLOCK_VALID_AFTER } from '../../firmware/gate';
import { TrustStore } from '../../firmware/truststore';
import { Decision } from '../../firmware/decide';
import { sha256 } from '../../firmware/crypto/sha256';
import { configOf, fixtures } from './fixtures';
import { fixtureBytes, flashStorage, recordingEvents, strictVerify } from './owners-util';
import { FakeClock, FakeTimers } from '../fakes/hal';

const textOf = (name: string) => Buffer.from(fixtures.certs[name].text, 'utf8').toString('latin1');
const sha256Text = (t: string) => sha256(new Uint8Array(Buffer.from(t, 'latin1')));

function rig(opts: { clock?: number; install?: boolean; sink?: any; booth?: boolean; crowd?: any;
  reserve?: { qg1: number; divoc: number }; free?: () => number; cacheSize?: number } = {}) {
  let config = configOf('gate.json');
  if (opts.cacheSize !== undefined) config = { ...config, cache: { size: opts.cacheSize } };
  if (opts.booth) config = { ...config, policy: { ...config.policy, boothReferral: true } };
  const events = recordingEvents();
  const trust = new TrustStore({ storage: flashStorage(), verify: strictVerify, events });
  trust.roots = config.rootKeys;
  if (opts.install !== false) trust.install(fixtureBytes());
  const timers = new FakeTimers();
  const clock = new FakeClock(timers, opts.clock === undefined ? Date.parse(fixtures.clock) / 1000 : opts.clock);
  const signals: string[] = [];
  const gate = new Gate({
    config, trust, clock, events, door: { signal: (w: string) => signals.push(w) },
    verify: strictVerify, sha256, sha256Text, sink: opts.sink, crowd: opts.crowd, reserve: opts.reserve, free: opts.free,
  });
  return { gate, trust, events, signals, clock };
}

describe('firmware/gate', () => {
  it('a valid certificate: open, the door asked to open, one decision event', () => {
    const r = rig();
    const d = r.gate.scan(textOf('ok'));
    assert.equal(d.decision, 'open');
    assert.deepEqual(r.signals, ['open']);
    const ev = r.events.of('decision');
    assert.equal(ev.length, 1);
    assert.equal(ev[0].decision, 'open');
    assert.equal(ev[0].kid, 'issuer-1');
    assert.equal(ev[0].cached, undefined);
    assert.deepEqual(r.gate.stats, { scans: 1, dropped: 0, tooLong: 0, decisions: 1 });
  });

  it('the door is told each refusal as it is decided (deny, attendant)', () => {
    const r = rig();
    r.gate.scan('garbage');
    const unset = rig({ clock: 5 });
    unset.gate.scan(textOf('ok'));
    assert.equal(r.signals.length, 1);
    assert.notEqual(r.signals[0], 'open');
    assert.equal(r.signals[0], r.events.of('decision')[0].decision);
    assert.equal(unset.signals[0], unset.events.of('decision')[0].decision);
    assert.notEqual(unset.signals[0], 'open', 'a clock never set opens for nobody');
  });

  it('decides with the store\'s bundle of the moment: none installed refuses, installed later opens', () => {
    const r = rig({ install: false });
    assert.notEqual(r.gate.scan(textOf('ok')).decision, 'open');
    r.trust.install(fixtureBytes());
    assert.equal(r.gate.scan(textOf('ok')).decision, 'open');
  });

  it('a repeat visitor is served from the cache until the store installs a bundle, which empties it', () => {
    const r = rig();
    r.gate.scan(textOf('ok'));
    r.gate.scan(textOf('ok'));
    assert.equal(r.events.of('decision')[1].cached, true);
    r.trust.install(fixtureBytes());
    r.gate.scan(textOf('ok'));
    assert.equal(r.events.of('decision')[2].cached, undefined, 'verified again under the new bundle');
    assert.equal(r.events.of('decision')[2].decision, 'open');
  });

  it('now(): null before 2020 (a clock never set), whole seconds after', () => {
    assert.equal(rig({ clock: CLOCK_VALID_AFTER - 1 }).gate.now(), null);
    assert.equal(rig({ clock: CLOCK_VALID_AFTER + 0.75 }).gate.now(), CLOCK_VALID_AFTER);
  });

  it('drop(): counted by kind, one drop event each; a too-long text is refused where the visitor sees it (red)', () => {
    const r = rig();
    r.gate.drop('busy', 3, 80);
    assert.deepEqual(r.signals, [], 'a busy drop: the scans before it are still being decided');
    r.gate.drop('too-long', 1, 5000);
    assert.deepEqual(r.signals, ['deny']);
    assert.equal(r.gate.stats.dropped, 3);
    assert.equal(r.gate.stats.tooLong, 1);
    assert.deepEqual(r.events.of('drop'), [{ why: 'busy', count: 3, len: 80 }, { why: 'too-long', count: 1, len: 5000 }]);
  });

  it('the entry log: each decision recorded (log event with its seq; the time and whether it is trusted), a failure is a fault', () => {
    const got: Array<[Decision, number, boolean]> = [];
    const r = rig({ sink: { record: (d: Decision, now: number, ok: boolean) => { got.push([d, now, ok]); return 41 + got.length; } } });
    r.gate.scan(textOf('ok'));
    assert.deepEqual(r.events.of('log'), [{ seq: 42 }]);
    assert.equal(got[0][1], Date.parse(fixtures.clock) / 1000);
    assert.equal(got[0][2], true);
    const bad = rig({ clock: 7.5, sink: { record: () => { throw new Error('Storage full'); } } });
    bad.gate.scan(textOf('ok'));
    assert.deepEqual(bad.events.of('fault'), [{ what: 'log', why: 'Storage full' }]);
    const untrusted = rig({ clock: 7.5, sink: { record: (d: Decision, now: number, ok: boolean) => { got.push([d, now, ok]); return 1; } } });
    untrusted.gate.scan(textOf('ok'));
    assert.deepEqual(got[1].slice(1), [7, false]);
    assert.deepEqual(untrusted.events.seen.map((e) => e[0]), ['decision', 'log']);
  });

  it('policy.boothReferral: a policy refusal becomes deny/booth, signalled as booth (amber); other refusals unchanged', () => {
    const r = rig({ booth: true });
    const d = r.gate.scan(textOf('policy-too-recent'));
    assert.deepEqual([d.decision, d.reason], ['deny', 'booth']);
    assert.match(d.detail, /vaccination booth/);
    assert.deepEqual(r.signals, ['booth']);
    assert.equal(r.events.of('decision')[0].reason, 'booth');
    // an exemption sent to the attendant, a bad signature: not the booth's business
    assert.equal(r.gate.scan(textOf('policy-exemption')).reason, 'policy');
    assert.equal(r.gate.scan(textOf('bad-signature')).reason, 'bad-signature');
    assert.equal(r.gate.scan(textOf('ok')).decision, 'open');
    // off (the default): the spec's reason, red
    const off = rig();
    assert.equal(off.gate.scan(textOf('policy-too-recent')).reason, 'policy');
    assert.deepEqual(off.signals, ['deny']);
  });

  it('the crowd judges after decide(): its verdict is what the door, the event and the entry log get, with the count', () => {
    const got: any[] = [];
    const seen: string[] = [];
    const crowd = { n: 7, judge(d: Decision) { seen.push(d.decision); if (d.decision === 'open') { d.decision = 'deny'; d.reason = 'capacity'; } } };
    const r = rig({ crowd, sink: { record: (d: Decision, _n: number, _ok: boolean, occ?: number) => { got.push([d.reason, occ]); return 1; } } });
    r.gate.scan(textOf('ok'));
    r.gate.scan(textOf('expired'));
    assert.deepEqual(seen, ['open', 'deny']);
    assert.deepEqual(r.signals, ['deny', 'deny']);
    assert.equal(r.events.of('decision')[0].reason, 'capacity');
    assert.deepEqual(got, [['capacity', 7], ['expired', 7]]);
  });
  describe('the cache gives memory back before a decision (a board\'s memReserve)', () => {
    const OKS = ['ok', 'ok-untagged', 'ok-booster', 'ok-minimal', 'ok-test', 'ok-recovery'];
    const divocText = () => 'B64:' + fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'divoc', 'samples', 'dose2.qr.txt'), 'latin1').trim().slice(4);
    /** A gate whose free variables are `base` less 100 per cache entry (a model of a board's store). */
    function memRig(base: number, reserve = { qg1: 300, divoc: 2000 }) {
      let r: ReturnType<typeof rig>;
      const free = sinon.spy(() => base - 100 * r.gate.cache.entries.length);
      r = rig({ reserve, free });
      return { r, free };
    }
    const cti = (e: any) => Buffer.from(e.claims.cti).toString('hex');

    it('a DIVOC text: least recently used entries go until its reserve is free; hits stay for what memory allows', () => {
      const { r, free } = memRig(2300);
      for (const n of OKS) r.gate.scan(textOf(n));
      assert.equal(r.gate.cache.entries.length, OKS.length, 'QG1 texts: 300 free is reached with 6 entries (2300 - 600)');
      r.gate.scan(textOf('ok')); // a hit: ok is the most recent now, ok-untagged the least
      assert.equal(r.events.of('decision')[OKS.length].cached, true);
      const keep = r.gate.cache.entries.map(cti);
      free.resetHistory();
      r.gate.scan(divocText());
      // 2300 - 100 n >= 2000: 3 entries stay, the three least recently used went
      assert.deepEqual(r.gate.cache.entries.map(cti).slice(-3), keep.slice(0, 3));
      assert.equal(free.callCount, 4, 'one reading per entry given back, and the last one');
      // what stayed still answers
      r.gate.scan(textOf('ok'));
      assert.equal(r.events.of('decision').slice(-1)[0].cached, true);
    });

    it('not enough even when empty: every entry goes, and the decision is made as without a cache', () => {
      const { r } = memRig(1900);
      for (const n of OKS.slice(0, 3)) r.gate.scan(textOf(n));
      const d = r.gate.scan(divocText());
      assert.equal(d.format, 'divoc');
      assert.deepEqual(r.gate.cache.entries.map((e) => e.claims.format), d.key ? ['divoc'] : [], 'only the DIVOC certificate\'s own entry, stored after its decision');
      const again = r.gate.scan(textOf('ok'));
      assert.equal(again.cached, false, 'verified again');
      assert.equal(again.decision, 'open');
    });

    it('QG1 texts need their own (smaller) reserve; a hit and an empty cache never read the memory', () => {
      const { r, free } = memRig(1000, { qg1: 700, divoc: 2000 });
      r.gate.scan(textOf('ok'));
      assert.equal(free.callCount, 0, 'the cache was empty: no reading (a garbage collection on a board)');
      for (const n of OKS.slice(1)) r.gate.scan(textOf(n));
      // 1000 - 100 n >= 700 before each: at most 3 entries before a decision, 4 after it
      assert.equal(r.gate.cache.entries.length, 4);
      free.resetHistory();
      r.gate.scan(textOf(OKS[5]));
      assert.equal(r.events.of('decision').slice(-1)[0].cached, true);
      assert.equal(free.callCount, 0, 'a hit needs nothing');
      r.gate.scan('QG1:garbage');
      assert.equal(r.gate.cache.entries.length, 3);
    });

    it('without a reserve, or with the cache off, nothing is read or given back', () => {
      const free = sinon.spy(() => 0);
      const r = rig({ free });
      for (const n of OKS) r.gate.scan(textOf(n));
      r.gate.scan(divocText());
      assert.equal(r.gate.cache.entries.length, OKS.length + 1);
      const off = rig({ reserve: { qg1: 1, divoc: 1 }, free, cacheSize: 0 });
      off.gate.scan(textOf('ok'));
      off.gate.scan(divocText());
      assert.equal(free.callCount, 0);
      assert.equal(off.gate.room, undefined);
    });

    it('a failing memory reading never stops the decision', () => {
      const r = rig({ reserve: { qg1: 1, divoc: 1 }, free: () => { throw new Error('no process.memory'); } });
      r.gate.scan(textOf('ok'));
      assert.equal(r.gate.scan(textOf('ok-booster')).decision, 'open');
    });
  });
});
