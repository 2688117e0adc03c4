// firmware/occupancy.ts: the count of people inside (admissions, door openings, exits), the
// capacity by PPKM level, anti-passback, the daily reset, and the count kept in flash.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { Occupancy, OccupancyOptions, CountingConfig, startOccupancy, subKey, OCC_FILE, PASSBACK_MAX, Judged } from '../../firmware/occupancy';
import { validateConfig, parseLevels, GateConfig } from '../../firmware/config';
import { LogEntry } from '../../proto/logrecord';
import { kidTag } from '../../proto/lorawire';
import { configOf } from './fixtures';
import { flashStorage, recordingEvents } from './owners-util';
import { FakeTimers } from '../fakes/hal';

const RUNS = Number(process.env.FUZZ_RUNS || 100);
const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;

function cfg(over: any): GateConfig {
  const base = configOf('gate.json') as any;
  const raw: any = { gateId: base.gateId, rootKeys: [{ kty: 'OKP', crv: 'Ed25519', x: '-Bc5dtQZ4qWRc-lgP1UCS0PTgTQ7cIjh1qbC4_xJz08', kid: 'root-1' }],
    'site.secret': '00112233445566778899aabbccddeeff', ...over };
  const v = validateConfig(raw);
  if (!v.config) throw new Error(v.error);
  return v.config;
}

function rig(over: any, opts: Partial<OccupancyOptions> = {}, storage = flashStorage()) {
  const events = recordingEvents();
  const timers = new FakeTimers();
  const journal: LogEntry[] = [];
  const o: OccupancyOptions = {
    config: cfg(over) as CountingConfig, storage, timers, events, journal: { append(e: LogEntry) { journal.push(e); return journal.length - 1; } }, ...opts,
  };
  return { occ: new Occupancy(o), events, timers, storage, journal, o };
}

const open = (sub?: string): Judged => ({ decision: 'open', reason: 'ok', detail: 'vaccination', sub: sub ? new Uint8Array(Buffer.from(sub)) : null });

describe('firmware/occupancy', () => {
  it('counts admissions and refuses deny/capacity at capacity.max; an exit frees a place', () => {
    const r = rig({ 'capacity.max': 3 });
    for (let i = 0; i < 3; i++) {
      const d = open();
      r.occ.judge(d, T0 + i);
      assert.equal(d.decision, 'open');
    }
    assert.equal(r.occ.n, 3);
    const full = open();
    r.occ.judge(full, T0 + 10);
    assert.deepEqual([full.decision, full.reason], ['deny', 'capacity']);
    assert.match(full.detail, /3 of 3/);
    assert.equal(r.occ.n, 3);
    r.occ.exited(T0 + 11, null);
    assert.equal(r.occ.n, 2);
    const again = open();
    r.occ.judge(again, T0 + 12);
    assert.equal(again.decision, 'open');
    // the exit is a journal record of kind exit with the count after it
    assert.deepEqual(r.journal.map((e) => [e.kind, e.occupancy]), [['exit', 2]]);
    assert.deepEqual(r.events.of('occupancy').map((e) => e.n), [1, 2, 3, 2, 3]);
  });

  it('never turns a refusal into an opening, and the count never goes below 0 (property)', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('scan'), v: fc.constantFrom('open', 'deny', 'attendant'), sub: fc.constantFrom('', 'a', 'b', 'c') }),
      fc.record({ k: fc.constant('exit'), sub: fc.constantFrom('', 'a', 'b') }),
      fc.record({ k: fc.constant('door') }),
      fc.record({ k: fc.constant('level'), v: fc.integer({ min: 0, max: 5 }) }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.array(op, { maxLength: 40 }), (max, contact, ops) => {
      const r = rig({ 'capacity.max': max, 'capacity.levels': '2:50%,3:1', 'passback.windowS': 600 }, { contact });
      let t = T0;
      for (const x of ops as any[]) {
        t += 7;
        if (x.k === 'scan') {
          const d: Judged = { decision: x.v, reason: x.v === 'open' ? 'ok' : 'policy', detail: '', sub: x.sub ? new Uint8Array(Buffer.from(x.sub)) : null };
          const before = r.occ.n;
          r.occ.judge(d, t);
          if (x.v !== 'open') assert.deepEqual([d.decision, d.reason], [x.v, 'policy']);
          if (d.decision === 'open') {
            const lim = r.occ.limit();
            assert.ok(!lim || before + (contact ? r.occ.p - 1 : 0) < lim, 'opened at the limit');
          }
        } else if (x.k === 'exit') r.occ.exited(t, x.sub ? new Uint8Array(Buffer.from(x.sub)) : null);
        else if (x.k === 'door') r.occ.doorOpened(t);
        else r.occ.setLevel(x.v);
        assert.ok(r.occ.n >= 0);
        const lim = r.occ.limit();
        if (lim) assert.ok(r.occ.n <= lim + 0 || ops.some((y: any) => y.k === 'level'), 'over the limit without a level change');
      }
    }), { numRuns: RUNS });
  });

  it('the limit follows the PPKM level: a share of capacity.max or a number; the level is kept in flash', () => {
    const r = rig({ 'capacity.max': 40, 'capacity.levels': '3:50%,4:25%,2:30', 'capacity.level': 3 });
    assert.equal(r.occ.limit(), 20);
    r.occ.setLevel(4);
    assert.equal(r.occ.limit(), 10);
    r.occ.setLevel(2);
    assert.equal(r.occ.limit(), 30);
    r.occ.setLevel(1); // not listed: capacity.max
    assert.equal(r.occ.limit(), 40);
    r.occ.setLevel(0); // none: keep the current one
    assert.equal(r.occ.level, 1);
    r.occ.setLevel(4);
    const after = new Occupancy({ ...r.o });
    assert.equal(after.level, 4);
    assert.equal(after.limit(), 10);
    assert.deepEqual(r.events.of('occupancy').filter((e) => e.why === 'level').map((e) => [e.level, e.max]), [[4, 10], [2, 30], [1, 40], [4, 10]]);
    // at the lowered limit, those already inside stay, nobody more comes in
    for (let i = 0; i < 12; i++) { r.occ.admitted(T0 + i); }
    r.occ.setLevel(4);
    const d = open();
    r.occ.judge(d, T0 + 100);
    assert.equal(d.reason, 'capacity');
  });

  it('capacity.levels: parsed by hand, malformed text refused by the configuration', () => {
    assert.deepEqual(parseLevels('3:50%,4:10'), { 3: [50, 1], 4: [10, 0] });
    assert.deepEqual(parseLevels(' 1 : 100% '), { 1: [100, 1] });
    for (const bad of ['3', '3:', ':5', '3:50%%', '0:5', '10:5', '3:x', '3:101%', '3:5,', 'a:1']) {
      assert.equal(parseLevels(bad), null, bad);
      assert.match(String(validateConfig({ gateId: 'g', rootKeys: [{ kty: 'OKP', crv: 'Ed25519', x: '-Bc5dtQZ4qWRc-lgP1UCS0PTgTQ7cIjh1qbC4_xJz08' }],
        'site.secret': '00112233445566778899aabbccddeeff', 'capacity.levels': bad }).error), /capacity.levels/);
    }
    assert.match(String(validateConfig({ gateId: 'g', rootKeys: [{ kty: 'OKP', crv: 'Ed25519', x: '-Bc5dtQZ4qWRc-lgP1UCS0PTgTQ7cIjh1qbC4_xJz08' }],
      'site.secret': '00112233445566778899aabbccddeeff', 'capacity.exitSerial': 'Serial1' }).error), /exitSerial/);
  });

  it('with a door contact an admission counts when the door opens within the relay time, not otherwise', () => {
    const r = rig({ 'capacity.max': 2, 'relay.openMs': 3000 }, { contact: true });
    r.occ.judge(open(), T0);
    assert.equal(r.occ.n, 0);
    r.occ.doorOpened(T0 + 2);
    assert.equal(r.occ.n, 1);
    r.occ.doorOpened(T0 + 3); // nobody waiting (a forced door: the door's alarm, not a count)
    assert.equal(r.occ.n, 1);
    r.occ.judge(open(), T0 + 10);
    r.occ.doorOpened(T0 + 20); // too late: the admitted person did not go in
    assert.equal(r.occ.n, 1);
    // admissions waiting for the door count toward the limit
    r.occ.judge(open(), T0 + 30);
    const d = open();
    r.occ.judge(d, T0 + 30);
    assert.equal(d.reason, 'capacity');
  });

  it('the count survives a restart; count changes are written at most every capacity.saveS seconds', () => {
    const r = rig({ 'capacity.max': 10, 'capacity.saveS': 10 });
    r.occ.judge(open(), T0);
    r.occ.judge(open(), T0 + 1);
    assert.equal(r.storage.readText(OCC_FILE), undefined, 'written before saveS');
    r.timers.advance(10000);
    assert.equal(JSON.parse(r.storage.readText(OCC_FILE)!).n, 2);
    r.occ.judge(open(), T0 + 2);
    // a power cut now loses the last change (less than saveS old), never the saved count
    assert.equal(new Occupancy({ ...r.o }).n, 2);
    r.timers.advance(10000);
    assert.equal(new Occupancy({ ...r.o }).n, 3);
    assert.equal(r.timers.log.length, 2, 'one timer per saveS window');
    // saveS 0: every change at once
    const z = rig({ 'capacity.max': 10, 'capacity.saveS': 0 });
    z.occ.judge(open(), T0);
    assert.equal(new Occupancy({ ...z.o }).n, 1);
    // a damaged file: a fault, counting from 0
    z.storage.write(OCC_FILE, '{not json');
    const d = new Occupancy({ ...z.o });
    assert.equal(d.n, 0);
    assert.equal(z.events.of('fault')[0].what, 'occupancy');
  });

  it('the count goes back to 0 at capacity.resetHour, local time', () => {
    // 03:00 WIB (UTC+7) is 20:00 UTC the day before
    const r = rig({ 'capacity.max': 10, 'capacity.resetHour': 3, 'capacity.utcOffsetMin': 420, 'capacity.saveS': 0 });
    const t = Date.parse('2021-09-27T12:00:00Z') / 1000; // 19:00 WIB
    for (let i = 0; i < 4; i++) r.occ.judge(open(), t + i);
    assert.equal(r.occ.n, 4);
    r.occ.judge(open(), Date.parse('2021-09-27T19:59:00Z') / 1000);
    assert.equal(r.occ.n, 5);
    r.occ.exited(Date.parse('2021-09-27T20:01:00Z') / 1000, null); // after 03:00 WIB: reset, then the exit
    assert.equal(r.occ.n, 0);
    assert.equal(r.events.of('occupancy').filter((e) => e.why === 'reset').length, 1);
    // across a restart the reset is not repeated the same day
    const again = new Occupancy({ ...r.o });
    again.judge(open(), Date.parse('2021-09-27T23:00:00Z') / 1000);
    assert.equal(again.n, 1);
  });

  it('anti-passback: the same subject again within the window without leaving goes to the attendant', () => {
    const r = rig({ 'passback.windowS': 600 });
    const a1 = open('person-1');
    r.occ.judge(a1, T0);
    assert.equal(a1.decision, 'open');
    const a2 = open('person-1');
    r.occ.judge(a2, T0 + 60);
    assert.deepEqual([a2.decision, a2.reason], ['attendant', 'passback']);
    const b = open('person-2');
    r.occ.judge(b, T0 + 61);
    assert.equal(b.decision, 'open');
    r.occ.exited(T0 + 100, new Uint8Array(Buffer.from('person-1')));
    const a3 = open('person-1');
    r.occ.judge(a3, T0 + 120);
    assert.equal(a3.decision, 'open');
    const b2 = open('person-2');
    r.occ.judge(b2, T0 + 61 + 600); // the window is over
    assert.equal(b2.decision, 'open');
    // off (windowS 0): never
    const off = rig({ 'capacity.max': 5 });
    off.occ.judge(open('x'), T0);
    const x2 = open('x');
    off.occ.judge(x2, T0 + 1);
    assert.equal(x2.decision, 'open');
  });

  it('subKey is FNV-1a-32 (the published vectors, and proto/lorawire.ts kidTag)', () => {
    assert.equal(subKey(new Uint8Array(Buffer.from('a'))), 's' + 0xe40c292c);
    assert.equal(subKey(new Uint8Array(Buffer.from('foobar'))), 's' + 0xbf9cf968);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (b) => subKey(b) === 's' + kidTag(b)), { numRuns: RUNS });
  });

  it('anti-passback tells apart subjects that share a long prefix (DIVOC ids), whatever their length', () => {
    const r = rig({ 'passback.windowS': 600 });
    const subs = ['did:in.gov.uidai.aadhaar:000000000001', 'did:in.gov.uidai.aadhaar:000000000002', 'p', 'person-01'];
    for (const s of subs) {
      const d = open(s);
      r.occ.judge(d, T0);
      assert.equal(d.decision, 'open', s);
    }
    for (const s of subs) {
      const d = open(s);
      r.occ.judge(d, T0 + 1);
      assert.equal(d.reason, 'passback', s);
    }
    // an exit scan of one of them lets only that one in again
    r.occ.exited(T0 + 2, new Uint8Array(Buffer.from(subs[1])));
    const again = subs.map((s) => { const d = open(s); r.occ.judge(d, T0 + 3); return d.reason; });
    assert.deepEqual(again, ['passback', 'ok', 'passback', 'passback']);
  });

  it('anti-passback remembers at most PASSBACK_MAX subjects, forgetting the oldest', () => {
    const r = rig({ 'passback.windowS': 3600 });
    for (let i = 0; i <= PASSBACK_MAX; i++) r.occ.judge(open('p' + i), T0 + i);
    assert.equal(Object.keys(r.occ.inside).length, PASSBACK_MAX);
    const first = open('p0');
    r.occ.judge(first, T0 + 1000);
    assert.equal(first.decision, 'open', 'the oldest was forgotten');
    const last = open('p' + PASSBACK_MAX);
    r.occ.judge(last, T0 + 1001);
    assert.equal(last.reason, 'passback');
  });

  it('a decision made without a clock is left alone; startOccupancy only where configured', () => {
    const r = rig({ 'capacity.max': 1 });
    const d = open();
    r.occ.judge(d, null);
    assert.equal(r.occ.n, 0);
    const events = recordingEvents();
    const base = { storage: flashStorage(), timers: new FakeTimers(), events };
    assert.equal(startOccupancy({ ...base, config: cfg({}) }), null);
    const occ = startOccupancy({ ...base, config: cfg({ 'capacity.max': 5 }) });
    assert.ok(occ);
    assert.deepEqual(events.of('occupancy'), [{ n: 0, max: 5, level: 0, why: 'boot' }]);
  });
});
