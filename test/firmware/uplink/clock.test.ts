// firmware/uplink/clock.ts: the clock is set only through trustedTime's handler (which the uplink
// calls for authenticated, fresh answers only), never before the last good time kept in flash;
// that time is written sparingly; qgStatus says the clock is unsure and for how long.
import { strict as assert } from 'assert';
import { FakeTimers, FakeClock } from '../../fakes/hal';
import { FlashImage } from '../../../sim/flash';
import { trustedTime, clockFloor, TIME_FILE, TIME_WRITE_S } from '../../../firmware/uplink/clock';
import { status } from '../../../firmware/status';

const T = Date.parse('2022-03-01T10:00:00Z') / 1000;

function setup(startSeconds = 12) {
  const timers = new FakeTimers();
  const clock = new FakeClock(timers, startSeconds);
  const storage = new FlashImage({ size: 64 * 1024, pageSize: 4096 }).storage();
  const events: any[] = [];
  const faults: any = {};
  return { timers, clock, storage, events, faults, ev: { emit: (e: string, f: any) => events.push({ e, ...f }) } };
}

describe('firmware/uplink/clock (trusted time)', () => {
  it('sets an unset clock from an authenticated time, clears the fault, keeps the time in flash', () => {
    const s = setup();
    const onTime = trustedTime(s.storage, s.clock, s.ev as any, s.faults).onTime;
    assert.equal(s.faults.clock.what, 'clock');
    assert.equal(s.faults.clock.notBefore, null);
    onTime(T);
    assert.deepEqual(s.clock.sets, [T]);
    assert.equal(s.faults.clock, undefined);
    assert.equal(clockFloor(s.storage), T);
    assert.deepEqual(s.events.map((e) => e.set), ['2022-03-01T10:00:00Z']);
  });

  it('after a power cut: knows the time is not earlier than the last good one, and refuses earlier times', () => {
    const s = setup();
    s.storage.write(TIME_FILE, String(T));
    const onTime = trustedTime(s.storage, s.clock, s.ev as any, s.faults).onTime;
    assert.equal(s.faults.clock.notBefore, '2022-03-01T10:00:00Z');
    onTime(T - 3600);
    assert.deepEqual(s.clock.sets, [], 'a time before the last good one is refused');
    assert.ok(s.faults.clock, 'still unsure');
    assert.match(s.events[0].why, /earlier than the last good time/);
    onTime(T + 3600);
    assert.deepEqual(s.clock.sets, [T + 3600]);
  });

  it('writes the last good time at most every TIME_WRITE_S, and leaves a close clock alone', () => {
    const s = setup();
    const onTime = trustedTime(s.storage, s.clock, s.ev as any, s.faults).onTime;
    let writes = 0;
    const w = s.storage.write.bind(s.storage);
    s.storage.write = (...a: any[]) => { writes++; return (w as any)(...a); };
    onTime(T);
    for (let i = 1; i <= 100; i++) { s.timers.advance(60000); onTime(T + i * 60); }
    assert.equal(writes, 1, 'one write in 100 minutes');
    assert.equal(s.clock.sets.length, 1, 'the clock agreed within the slack');
    onTime(T + TIME_WRITE_S + 1);
    assert.equal(writes, 2);
  });

  it('wants the collector\'s time while unset, then again after TIME_WRITE_S', () => {
    const s = setup();
    const tt = trustedTime(s.storage, s.clock, s.ev as any, s.faults);
    assert.equal(tt.wantTime(), true);
    tt.onTime(T);
    assert.equal(tt.wantTime(), false);
    s.timers.advance((TIME_WRITE_S + 1) * 1000);
    assert.equal(tt.wantTime(), true);
  });

  it('qgStatus: clock null and how long it has been unsure (an unset clock counts from power-on)', () => {
    const s = setup(754.6);
    const st = status({
      storage: s.storage, sha256: () => new Uint8Array(32), memory: { usage: () => 1, total: () => 2 }, version: 'v', board: 'linux',
      config: null, trust: { bundle: null }, now: () => null, uptime: () => s.clock.now(), backlog: () => 0, fault: '',
      faults: s.faults,
    } as any);
    assert.equal(st.clock, null);
    assert.equal(st.clockUnsureS, 754);
  });
});
