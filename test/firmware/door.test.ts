// firmware/door.ts with the real relay and LED drivers on fake pins and virtual time: what each
// request shows and drives, and that refusals never touch the relay.
import { strict as assert } from 'assert';
import { Door } from '../../firmware/door';
import { Relay } from '../../drivers/relay';
import { Leds } from '../../drivers/leds';
import { FakePin, FakeRelayLine, FakeTimers } from '../fakes/hal';

function rig(openMs = 2000, showMs?: number) {
  const timers = new FakeTimers();
  const line = new FakeRelayLine(timers);
  const relay = new Relay({ pin: line, timers, openMs: 9999 });
  const leds = new Leds({ green: new FakePin(timers), red: new FakePin(timers), amber: new FakePin(timers), timers });
  const door = new Door({ relay, leds, openMs, showMs });
  return { timers, line, relay, leds, door };
}

describe('firmware/door: the relay and lights, one owner', () => {
  it('open: the relay for openMs (the configuration\'s, not the driver default), green as long; then locked and dark', () => {
    const r = rig(2000);
    r.door.signal('open');
    assert.equal(r.line.energised, true);
    assert.equal(r.leds.current(), 'green');
    r.timers.advance(1999);
    assert.equal(r.line.energised, true);
    r.timers.advance(1);
    assert.equal(r.line.energised, false);
    assert.equal(r.leds.current(), 'off');
  });

  it('a refusal shows red (amber for the attendant) for showMs and never drives the relay', () => {
    for (const [what, color] of [['deny', 'red'], ['attendant', 'amber'], ['booth', 'amber'], ['anything', 'red']]) {
      const r = rig(2000, 500);
      r.door.signal(what);
      assert.equal(r.leds.current(), color);
      assert.equal(r.line.history.filter((h) => h.driven).length, 0);
      r.timers.advance(500);
      assert.equal(r.leds.current(), 'off');
    }
    const d = rig(2000);
    d.door.signal('deny');
    d.timers.advance(2999);
    assert.equal(d.leds.current(), 'red', 'showMs defaults to 3000');
    d.timers.advance(1);
    assert.equal(d.leds.current(), 'off');
  });

  it('a refusal during an opening neither shortens nor extends it; a second open restarts the time', () => {
    const r = rig(2000, 300);
    r.door.signal('open');
    r.timers.advance(1000);
    r.door.signal('deny');
    assert.equal(r.leds.current(), 'red');
    assert.equal(r.line.energised, true);
    r.timers.advance(1000);
    assert.equal(r.line.energised, false);
    r.door.signal('open');
    r.timers.advance(1500);
    r.door.signal('open');
    r.timers.advance(1500);
    assert.equal(r.line.energised, true);
    r.timers.advance(500);
    assert.equal(r.line.energised, false);
  });

  it('ready: dark; fault: red blinking until the next light', () => {
    const r = rig();
    r.door.signal('ready');
    assert.equal(r.leds.current(), 'off');
    r.door.signal('fault');
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) { seen.add(r.leds.current()); r.timers.advance(100); }
    assert.deepEqual([...seen].sort(), ['off', 'red']);
    assert.equal(r.line.history.filter((h) => h.driven).length, 0);
  });

  it('while an alarm is on (doorwatch sets it), an opening still opens the relay but no light replaces the alarm\'s', () => {
    const r = rig(2000, 500);
    r.leds.blink('red', 100, 100);
    r.door.alarm = 'forced';
    r.door.signal('open');
    assert.equal(r.line.energised, true);
    r.door.signal('deny');
    r.door.signal('attendant');
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) { seen.add(r.leds.current()); r.timers.advance(50); }
    assert.deepEqual([...seen].sort(), ['off', 'red'], 'still the alarm pattern, no green, no amber');
    r.door.alarm = '';
    r.door.signal('open');
    assert.equal(r.leds.current(), 'green');
  });
});
