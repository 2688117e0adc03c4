import { strict as assert } from 'assert';
import fc from 'fast-check';
import { Leds, LedColor } from '../../drivers/leds';
import { FakePin, FakeTimers } from '../fakes/hal';

const RUNS = Number(process.env.FUZZ_RUNS) || 150;

/** Three pins that check, on every write, that at most one LED is lit. */
function setup(activeHigh = true) {
  const timers = new FakeTimers();
  const violations: string[] = [];
  const pins = {
    green: new FakePin(timers, activeHigh),
    red: new FakePin(timers, activeHigh),
    amber: new FakePin(timers, activeHigh),
  };
  const lit = (): LedColor[] =>
    (['green', 'red', 'amber'] as const).filter((c) => pins[c].level === activeHigh);
  for (const c of ['green', 'red', 'amber'] as const) {
    const p = pins[c];
    const orig = p.write.bind(p);
    p.write = (on: boolean) => {
      orig(on);
      const l = lit();
      if (l.length > 1 && constructed) violations.push(timers.now + ': ' + l.join('+'));
    };
  }
  let constructed = false;
  const leds = new Leds({ green: pins.green, red: pins.red, amber: pins.amber, timers, activeHigh });
  constructed = true;
  const shown = (): LedColor => {
    const l = lit();
    assert.ok(l.length <= 1, 'two LEDs lit: ' + l.join('+'));
    return l.length ? l[0] : 'off';
  };
  return { timers, pins, leds, shown, violations };
}

describe('drivers/leds', () => {
  it('turns every LED off at construction (all three lit before)', () => {
    const { leds, shown, pins } = setup();
    assert.equal(shown(), 'off');
    assert.equal(leds.current(), 'off');
    for (const p of Object.values(pins)) assert.deepEqual(p.levels(), [false]);
  });

  it('show(color) lights exactly that LED until the next call', () => {
    const { leds, shown, timers, violations } = setup();
    for (const c of ['green', 'red', 'amber', 'off', 'amber', 'green'] as LedColor[]) {
      leds.show(c);
      assert.equal(shown(), c);
      assert.equal(leds.current(), c);
      timers.advance(60000);
      assert.equal(shown(), c);
    }
    assert.deepEqual(violations, []);
    assert.equal(timers.pending(), 0);
  });

  it('show(color, ms) returns to the idle colour after ms', () => {
    const { leds, shown, timers } = setup();
    leds.show('red', 500);
    timers.advance(499);
    assert.equal(shown(), 'red');
    timers.advance(1);
    assert.equal(shown(), 'off');
    leds.idle('amber');
    assert.equal(shown(), 'amber');
    leds.show('green', 3000);
    assert.equal(shown(), 'green');
    timers.advance(3000);
    assert.equal(shown(), 'amber');
    assert.equal(leds.current(), 'amber');
    assert.equal(timers.pending(), 0);
  });

  it('a new show replaces a timed one (its timer no longer fires)', () => {
    const { leds, shown, timers } = setup();
    leds.idle('amber');
    leds.show('green', 1000);
    timers.advance(500);
    leds.show('red', 1000);
    timers.advance(999);
    assert.equal(shown(), 'red');
    timers.advance(1);
    assert.equal(shown(), 'amber');
  });

  it('idle() during a timed show waits for it; idle() replaces an untimed show', () => {
    const { leds, shown, timers } = setup();
    leds.show('red', 800);
    leds.idle('amber');
    assert.equal(shown(), 'red');
    timers.advance(800);
    assert.equal(shown(), 'amber');
    leds.show('green');
    leds.idle('off');
    assert.equal(shown(), 'off');
  });

  it('blink(color, onMs, offMs, times) flashes `times` times then shows the idle colour', () => {
    const { leds, pins, timers, shown } = setup();
    leds.idle('green');
    leds.blink('red', 100, 200, 3);
    assert.equal(leds.current(), 'red');
    timers.advance(5000);
    assert.equal(shown(), 'green');
    const redOn = pins.red.history.filter((h) => h.level).map((h) => h.t);
    const redOff = pins.red.history.filter((h, i) => i > 0 && !h.level).map((h) => h.t);
    assert.deepEqual(redOn, [0, 300, 600]);
    assert.deepEqual(redOff.filter((t, i, a) => a.indexOf(t) === i), [0, 100, 400, 700, 900]);
    const greenOn = pins.green.history.filter((h) => h.level).map((h) => h.t);
    assert.deepEqual(greenOn, [0, 900]);
    assert.equal(timers.pending(), 0);
  });

  it('current() follows the blink phases', () => {
    const { leds, timers } = setup();
    leds.blink('amber', 100, 100, 2);
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push(leds.current());
      timers.advance(100);
    }
    assert.deepEqual(seen, ['amber', 'off', 'amber', 'off', 'off']);
  });

  it('blink without times runs until the next call; idle() then stops it', () => {
    const { leds, pins, timers, shown } = setup();
    leds.blink('red', 200, 800);
    timers.advance(9999);
    assert.deepEqual(
      pins.red.history.filter((h) => h.level).map((h) => h.t),
      [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000],
    );
    leds.idle('amber');
    assert.equal(shown(), 'amber');
    assert.equal(timers.pending(), 0);
    leds.blink('red', 200, 800);
    leds.show('green', 100);
    timers.advance(100);
    assert.equal(shown(), 'amber');
    assert.equal(timers.pending(), 0);
  });

  it('blink with times <= 0 shows the idle colour at once', () => {
    const { leds, shown, timers } = setup();
    leds.idle('amber');
    leds.show('red');
    leds.blink('green', 100, 100, 0);
    assert.equal(shown(), 'amber');
    assert.equal(timers.pending(), 0);
  });

  it('rejects unknown colours and bad blink times', () => {
    const { leds, shown } = setup();
    leds.show('green');
    assert.throws(() => leds.show('blue' as LedColor), /color/);
    assert.throws(() => leds.idle('' as LedColor), /color/);
    assert.throws(() => leds.blink('red', 0, 100), /time/);
    assert.throws(() => leds.blink('red', 100, NaN), /time/);
    assert.equal(shown(), 'green');
  });

  it('active-low wiring lights an LED with a low level', () => {
    const { leds, pins, shown } = setup(false);
    assert.equal(shown(), 'off');
    assert.deepEqual([pins.green.level, pins.red.level, pins.amber.level], [true, true, true]);
    leds.show('red');
    assert.deepEqual([pins.green.level, pins.red.level, pins.amber.level], [true, false, true]);
    assert.equal(leds.current(), 'red');
  });

  it('property: any sequence of calls never lights two LEDs, current() matches the pins, at most one timer', () => {
    const color = fc.constantFrom<LedColor>('green', 'red', 'amber', 'off');
    const op = fc.oneof(
      fc.record({ k: fc.constant('show' as const), c: color, ms: fc.option(fc.integer({ min: 1, max: 2000 })) }),
      fc.record({
        k: fc.constant('blink' as const),
        c: color,
        on: fc.integer({ min: 1, max: 300 }),
        off: fc.integer({ min: 1, max: 300 }),
        n: fc.option(fc.integer({ min: 0, max: 5 })),
      }),
      fc.record({ k: fc.constant('idle' as const), c: color }),
      fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const { leds, shown, timers, violations } = setup();
        let idle: LedColor = 'off';
        for (const o of ops) {
          if (o.k === 'show') leds.show(o.c, o.ms === null ? undefined : o.ms);
          else if (o.k === 'blink') leds.blink(o.c, o.on, o.off, o.n === null ? undefined : o.n);
          else if (o.k === 'idle') {
            leds.idle(o.c);
            idle = o.c;
          } else timers.advance(o.ms);
          assert.equal(leds.current(), shown());
          assert.ok(timers.pending() <= 1);
        }
        // Anything finite ends in the idle colour.
        const last = ops.filter((o) => o.k !== 'wait').pop();
        const endless = last && ((last.k === 'blink' && last.n === null) || (last.k === 'show' && last.ms === null));
        if (!endless) {
          timers.advance(20000);
          assert.equal(shown(), idle);
          assert.equal(timers.pending(), 0);
        }
        assert.deepEqual(violations, []);
      }),
      { numRuns: RUNS },
    );
  });
});
