import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import fc from 'fast-check';
import { Relay, RelayOptions } from '../../drivers/relay';
import { FakeRelayLine, FakeTimers } from '../fakes/hal';
import { Timers } from '../../hal/types';

const RUNS = Number(process.env.FUZZ_RUNS) || 150;

function setup(extra: Partial<RelayOptions> = {}, timers = new FakeTimers()) {
  // driven "on" before construction (by whatever ran before): the driver must release it
  const pin = new FakeRelayLine(timers, extra.activeHigh !== false, extra.activeHigh !== false);
  const relay = new Relay(Object.assign({ pin, timers }, extra));
  return { pin, timers, relay };
}

/** Timers that lose every setTimeout (never fire; clearing them is accepted), to test the safety check. */
function losingTimeouts(base: FakeTimers): Timers & { lost: number } {
  const lostIds = new Set<number>();
  let next = 100000;
  const t = {
    lost: 0,
    setTimeout(_cb: () => void, _ms: number) {
      t.lost++;
      lostIds.add(++next);
      return next;
    },
    clearTimeout(id: number) {
      if (!lostIds.delete(id)) base.clearTimeout(id);
    },
    setInterval: (cb: () => void, ms: number) => base.setInterval(cb, ms),
    clearInterval: (id: number) => base.clearInterval(id),
  };
  return t;
}

describe('drivers/relay', () => {
  describe('boot', () => {
    it('releases the line first thing at construction (active high: pulled low)', () => {
      const timers = new FakeTimers();
      const pin = new FakeRelayLine(timers, true, true);
      const setT = sinon.spy(timers, 'setTimeout');
      const setI = sinon.spy(timers, 'setInterval');
      const relay = new Relay({ pin, timers });
      assert.deepEqual(pin.levels(), [false]);
      assert.equal(pin.driven, false);
      assert.equal(relay.isOpen(), false);
      sinon.assert.notCalled(setT);
      sinon.assert.notCalled(setI);
      assert.equal(timers.pending(), 0);
    });

    it('active-low wiring boots with the line released (pulled high)', () => {
      const { pin, relay } = setup({ activeHigh: false });
      assert.deepEqual(pin.levels(), [true]);
      assert.equal(pin.driven, false);
      assert.equal(relay.isOpen(), false);
    });

    it('either polarity setting leaves either wiring de-energised until open() (the setting is used only to open)', () => {
      for (const wiring of [true, false]) {
        for (const setting of [true, false, undefined]) {
          const timers = new FakeTimers();
          const pin = new FakeRelayLine(timers, wiring, wiring); // driven to the energising level before the driver
          assert.equal(pin.energised, true);
          const relay = new Relay({ pin, timers, activeHigh: setting });
          assert.equal(pin.energised, false, `wiring ${wiring} setting ${setting}`);
          assert.equal(pin.driven, false);
          timers.advance(10000);
          assert.equal(pin.energised, false);
          relay.open(500);
          // the right setting energises; a wrong one drives the de-energising level
          assert.equal(pin.energised, wiring === (setting !== false), `wiring ${wiring} setting ${setting}`);
          timers.advance(500);
          assert.equal(pin.energised, false);
          assert.equal(pin.driven, false);
        }
      }
    });
  });

  describe('open and close', () => {
    it('energises for openMs (default 3000) then turns off, leaving no timer', () => {
      const { pin, timers, relay } = setup();
      relay.open();
      assert.equal(pin.level, true);
      assert.equal(relay.isOpen(), true);
      timers.advance(2999);
      assert.equal(pin.level, true);
      timers.advance(1);
      assert.equal(pin.level, false);
      assert.equal(relay.isOpen(), false);
      assert.equal(timers.pending(), 0);
      assert.deepEqual(pin.history, [
        { t: 0, level: false, driven: false },
        { t: 0, level: true, driven: true },
        { t: 3000, level: false, driven: false },
      ]);
    });

    it('open(ms) uses ms; the constructor openMs is the default', () => {
      const { pin, timers, relay } = setup({ openMs: 1200 });
      relay.open(500);
      timers.advance(500);
      assert.equal(pin.level, false);
      relay.open();
      timers.advance(1199);
      assert.equal(pin.level, true);
      timers.advance(1);
      assert.equal(pin.level, false);
    });

    it('a bad ms (NaN, 0, negative, Infinity) falls back to openMs', () => {
      for (const bad of [NaN, 0, -5, Infinity]) {
        const { pin, timers, relay } = setup({ openMs: 700 });
        relay.open(bad);
        timers.advance(699);
        assert.equal(pin.level, true, String(bad));
        timers.advance(1);
        assert.equal(pin.level, false, String(bad));
      }
    });

    it('caps an opening at maxMs (default 60000)', () => {
      const { pin, timers, relay } = setup();
      relay.open(1e9);
      timers.advance(60000);
      assert.equal(pin.level, false);
      const b = setup({ maxMs: 5000, openMs: 9000 });
      b.relay.open();
      b.timers.advance(5000);
      assert.equal(b.pin.level, false);
    });

    it('re-opening while open restarts the time', () => {
      const { pin, timers, relay } = setup();
      relay.open();
      timers.advance(2000);
      relay.open();
      timers.advance(2999);
      assert.equal(pin.level, true);
      timers.advance(1);
      assert.equal(pin.level, false);
      assert.equal(timers.now, 5000);
      assert.equal(timers.pending(), 0);
    });

    it('re-opening with a shorter time shortens it', () => {
      const { pin, timers, relay } = setup();
      relay.open(5000);
      timers.advance(1000);
      relay.open(1000);
      timers.advance(1000);
      assert.equal(pin.level, false);
      assert.equal(timers.pending(), 0);
    });

    it('close() turns off at once and cancels its timers; repeated close is harmless', () => {
      const { pin, timers, relay } = setup();
      relay.open();
      timers.advance(100);
      relay.close();
      assert.equal(pin.level, false);
      assert.equal(relay.isOpen(), false);
      assert.equal(timers.pending(), 0);
      relay.close(); // strict FakeTimers: would throw on clearing an unknown id
      assert.equal(pin.level, false);
    });

    it('active-low wiring drives low to open and releases (pulled high) to close', () => {
      const { pin, timers, relay } = setup({ activeHigh: false });
      relay.open(300);
      assert.equal(pin.level, false);
      assert.equal(relay.isOpen(), true);
      timers.advance(300);
      assert.equal(pin.level, true);
      assert.equal(relay.isOpen(), false);
      relay.open();
      relay.close();
      assert.deepEqual(pin.levels(), [true, false, true, false, true]);
    });

    it('never clears a timer id that Espruino has handed to someone else', () => {
      const { timers, relay } = setup();
      relay.open(100);
      timers.advance(100); // relay off; its ids are free and get reused
      const other = sinon.spy();
      timers.setTimeout(other, 500);
      timers.setInterval(other, 400);
      relay.close();
      relay.open(50);
      timers.advance(500);
      sinon.assert.calledTwice(other);
    });
  });

  describe('forced off', () => {
    it('an exception thrown by the caller after open() still ends with the relay off after openMs', () => {
      const { pin, timers, relay } = setup();
      function admit() {
        relay.open();
        throw new Error('logging failed');
      }
      assert.throws(admit, /logging failed/);
      assert.equal(pin.level, true);
      timers.advance(3000);
      assert.equal(pin.level, false);
      assert.equal(relay.isOpen(), false);
    });

    it('arms the off-timeout before energising: a throwing on-write still ends off', () => {
      const timers = new FakeTimers();
      const pin = new FakeRelayLine(timers);
      const relay = new Relay({ pin, timers });
      const write = sinon.stub(pin, 'drive').callsFake(function (this: FakeRelayLine, on: boolean) {
        FakeRelayLine.prototype.drive.call(this, on); // the level may have changed before the fault
        if (on) throw new Error('I2C expander fault');
      });
      assert.throws(() => relay.open(), /expander/);
      assert.equal(timers.pending(), 2, 'off-timeout and safety check armed');
      timers.advance(3000);
      assert.equal(pin.level, false);
      assert.equal(timers.pending(), 0);
      write.restore();
    });

    it('a release that throws is retried by the safety check until it succeeds', () => {
      const timers = new FakeTimers({ onError: 'record' });
      const pin = new FakeRelayLine(timers);
      const relay = new Relay({ pin, timers, checkMs: 1000 });
      relay.open(3000);
      let failures = 2;
      const write = sinon.stub(pin, 'release').callsFake(function (this: FakeRelayLine) {
        if (failures > 0) {
          failures--;
          throw new Error('glitch');
        }
        FakeRelayLine.prototype.release.call(this);
      });
      timers.advance(3000); // timeout's write fails; the 3000 ms tick retries and fails too
      assert.equal(pin.level, true);
      timers.advance(1000); // next tick succeeds
      assert.equal(pin.level, false);
      assert.equal(relay.isOpen(), false);
      assert.equal(timers.errors.length, 2);
      assert.equal(timers.pending(), 0);
      write.restore();
    });

    it('a lost timeout: the safety interval forces off within 2 x checkMs of the deadline', () => {
      const base = new FakeTimers();
      const timers = losingTimeouts(base);
      const pin = new FakeRelayLine(base);
      const relay = new Relay({ pin, timers, checkMs: 1000 });
      relay.open(3000);
      assert.equal(timers.lost, 1);
      base.advance(2999);
      assert.equal(pin.level, true, 'never before the deadline');
      base.advance(2001);
      assert.equal(pin.level, false);
      assert.equal(relay.isOpen(), false);
      assert.equal(base.pending(), 0);
      const offAt = pin.history[pin.history.length - 1].t;
      assert.ok(offAt >= 3000 && offAt <= 5000, 'off at ' + offAt);
    });

    it('a lost timeout with re-opens: the safety check counts from the latest open', () => {
      const base = new FakeTimers();
      const timers = losingTimeouts(base);
      const pin = new FakeRelayLine(base);
      const relay = new Relay({ pin, timers, checkMs: 250 });
      relay.open(1000);
      base.advance(900);
      relay.open(1000); // deadline now 1900
      base.advance(999);
      assert.equal(pin.level, true);
      base.advance(501);
      assert.equal(pin.level, false);
    });

    it('property: with working timers the coil is on exactly until the latest open + ms', () => {
      const step = fc.record({
        wait: fc.integer({ min: 0, max: 4000 }),
        op: fc.constantFrom('open', 'openMs', 'close', 'none'),
        ms: fc.integer({ min: 1, max: 5000 }),
      });
      fc.assert(
        fc.property(fc.array(step, { maxLength: 25 }), fc.integer({ min: 1, max: 1500 }), (steps, checkMs) => {
          const timers = new FakeTimers();
          const pin = new FakeRelayLine(timers);
          const relay = new Relay({ pin, timers, openMs: 3000, checkMs });
          let deadline = -1; // model: on while now < deadline
          const check = () => {
            const on = timers.now < deadline;
            assert.equal(pin.level, on, 'at ' + timers.now);
            assert.equal(pin.driven, on, 'driven only while open, at ' + timers.now);
            assert.equal(relay.isOpen(), on);
          };
          for (const s of steps) {
            // advance in two halves so the model is checked inside the waits too
            timers.advance(Math.floor(s.wait / 2));
            check();
            timers.advance(s.wait - Math.floor(s.wait / 2));
            check();
            if (s.op === 'open') {
              relay.open();
              deadline = timers.now + 3000;
            } else if (s.op === 'openMs') {
              relay.open(s.ms);
              deadline = timers.now + s.ms;
            } else if (s.op === 'close') {
              relay.close();
              deadline = -1;
            }
            check();
          }
          timers.advance(5000);
          check();
          assert.equal(timers.pending(), 0);
        }),
        { numRuns: RUNS },
      );
    });

    it('property: with every timeout lost the coil is never off early and always off by deadline + 2 x checkMs', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ wait: fc.integer({ min: 0, max: 3000 }), ms: fc.integer({ min: 1, max: 4000 }) }), {
            minLength: 1,
            maxLength: 10,
          }),
          fc.integer({ min: 1, max: 1000 }),
          (opens, checkMs) => {
            const base = new FakeTimers();
            const pin = new FakeRelayLine(base);
            const relay = new Relay({ pin, timers: losingTimeouts(base), checkMs });
            let deadline = -1;
            let everOn = false;
            for (const o of opens) {
              for (let i = 0; i < o.wait; i += 97) {
                base.advance(Math.min(97, o.wait - i));
                if (base.now < deadline) assert.equal(pin.level, true, 'early off at ' + base.now);
                if (base.now >= deadline + 2 * checkMs) assert.equal(pin.level, false, 'late at ' + base.now);
              }
              relay.open(o.ms);
              everOn = true;
              deadline = base.now + o.ms;
            }
            base.advance(deadline + 2 * checkMs - base.now);
            assert.equal(pin.level, false);
            assert.equal(everOn, true);
            assert.equal(base.pending(), 0);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
});
