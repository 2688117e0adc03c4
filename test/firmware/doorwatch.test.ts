// firmware/doorwatch.ts: the door contact and exit button, with the real door, relay and LED
// drivers on fake pins and virtual time (test/fakes/hal.ts FakeInputPin: debounced edges).
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { Door } from '../../firmware/door';
import { watchDoor, BUZZ_MS } from '../../firmware/doorwatch';
import { Relay } from '../../drivers/relay';
import { Leds } from '../../drivers/leds';
import { FakeInputPin, FakePin, FakeRelayLine, FakeTimers } from '../fakes/hal';

interface RigOptions { contact?: boolean; button?: boolean; openAtBoot?: boolean; pressedAtBoot?: boolean; heldOpenMs?: number; openMs?: number; buzzer?: boolean; buzzerOn?: boolean }

function rig(opts: RigOptions = {}) {
  const timers = new FakeTimers();
  const line = new FakeRelayLine(timers);
  const relay = new Relay({ pin: line, timers, openMs: 9999 });
  const leds = new Leds({ green: new FakePin(timers), red: new FakePin(timers), amber: new FakePin(timers), timers });
  const told: Array<[string, any]> = [];
  const door = new Door({ relay, leds, openMs: opts.openMs || 3000, onDoor: (what, f) => told.push([what, f]) });
  // Wired as README says: a contact that reads high when open, a button that reads low when pressed.
  const contact = opts.contact === false ? null : new FakeInputPin(timers, !!opts.openAtBoot);
  const button = opts.button === false ? null : new FakeInputPin(timers, !opts.pressedAtBoot);
  const events: Array<{ ev: string; [k: string]: any }> = [];
  const records: string[] = [];
  // a buzzer pin that starts at the level that sounds it: the watch must silence it at once
  const buzzerOn = opts.buzzerOn !== false;
  const buzzer = opts.buzzer ? new FakePin(timers, buzzerOn) : null;
  const watch = watchDoor({
    buzzer, buzzerOn,
    door, timers, events: { emit: (ev, f) => events.push({ ev, ...f }) },
    contact, contactOpen: true, button, buttonActive: false, debounceMs: 50, heldOpenMs: opts.heldOpenMs || 30000,
    record: (a) => records.push(a),
  });
  const openDoor = () => { contact!.set(true); timers.advance(60); };
  const closeDoor = () => { contact!.set(false); timers.advance(60); };
  const press = () => { button!.set(false); timers.advance(60); };
  const release = () => { button!.set(true); timers.advance(60); };
  const alarms = () => events.filter((e) => e.ev === 'alarm').map((e) => e.alarm);
    /** Is the buzzer sounding now? */
  const sounding = () => !!buzzer && buzzer.level === buzzerOn;
  return { timers, line, relay, leds, door, contact, button, events, records, told, watch, openDoor, closeDoor, press, release, alarms, buzzer, sounding };
}

describe('firmware/doorwatch: door contact and exit button', () => {
  it('a scan, the door opened and closed: no alarm, and the relay releases early (at the close, not after openMs)', () => {
    const r = rig();
    r.door.signal('open');
    r.timers.advance(500);
    r.openDoor();
    assert.equal(r.line.energised, true);
    r.timers.advance(500);
    r.closeDoor();
    assert.equal(r.line.energised, false, 'released when the door closed');
    assert.equal(r.leds.current(), 'off');
    assert.deepEqual(r.alarms(), []);
    assert.deepEqual(r.told.map((t) => t[0]), ['opened', 'closed']);
    assert.ok(r.timers.now < 3000);
  });

  it('the door opened without an opening is forced: alarm at once (red blinking over everything), cleared when it closes', () => {
    const r = rig();
    r.openDoor();
    assert.deepEqual(r.alarms(), ['forced']);
    assert.deepEqual(r.records, ['forced']);
    assert.equal(r.door.alarm, 'forced');
    assert.equal(r.line.energised, false, 'an alarm never opens anything');
    // the pattern: red and off, and a refusal does not replace it
    r.door.signal('deny');
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) { seen.add(r.leds.current()); r.timers.advance(100); }
    assert.deepEqual([...seen].sort(), ['off', 'red']);
    r.closeDoor();
    assert.deepEqual(r.alarms(), ['forced', 'cleared']);
    assert.deepEqual(r.records, ['forced', 'cleared']);
    assert.equal(r.door.alarm, '');
    assert.equal(r.leds.current(), 'off');
    r.timers.advance(1000);
    assert.equal(r.leds.current(), 'off', 'the pattern stopped');
    assert.deepEqual(r.told.map((t) => t[0]), ['opened', 'forced', 'closed']);
  });

  it('the buzzer: silent from the start and through an authorised opening; a forced door sounds it (500 ms on, 500 off) until the door closes', () => {
    for (const buzzerOn of [true, false]) {
      const r = rig({ buzzer: true, buzzerOn });
      assert.equal(r.sounding(), false, 'silenced at start');
      r.door.signal('open');
      r.openDoor();
      r.closeDoor();
      r.door.signal('deny');
      r.timers.advance(5000);
      assert.equal(r.buzzer!.levels().every((l) => l !== buzzerOn), true, 'never sounded without an alarm');
      r.openDoor(); // forced
      assert.equal(r.sounding(), true);
      const pattern: boolean[] = [];
      for (let i = 0; i < 6; i++) { pattern.push(r.sounding()); r.timers.advance(BUZZ_MS); }
      assert.deepEqual(pattern, [true, false, true, false, true, false]);
      r.closeDoor();
      assert.equal(r.sounding(), false, 'silent once cleared');
      const n = r.buzzer!.history.length;
      r.timers.advance(5000);
      assert.equal(r.buzzer!.history.length, n, 'the pattern stopped');
    }
  });

  it('the buzzer sounds for a held door too, and stop() silences it', () => {
    const r = rig({ buzzer: true, heldOpenMs: 1000 });
    r.door.signal('open');
    r.openDoor();
    r.timers.advance(900);
    assert.equal(r.sounding(), false);
    assert.deepEqual(r.alarms(), []);
    r.timers.advance(200);
    assert.deepEqual(r.alarms(), ['held']);
    assert.equal(r.sounding(), true);
    r.watch.stop();
    assert.equal(r.sounding(), false);
    const n = r.buzzer!.history.length;
    r.timers.advance(5000);
    assert.equal(r.buzzer!.history.length, n, 'the pattern stopped');
  });

  it('within the grace after an opening the door opens as authorised; after it, forced', () => {
    const a = rig({ openMs: 2000 });
    a.door.signal('open');
    a.timers.advance(2000 + 900);
    assert.equal(a.line.energised, false);
    a.openDoor();
    assert.deepEqual(a.alarms(), []);
    const b = rig({ openMs: 2000 });
    b.door.signal('open');
    b.timers.advance(2000 + 1001);
    b.openDoor();
    assert.deepEqual(b.alarms(), ['forced']);
  });

  it('an opening is used up when the door closes: opening again is forced', () => {
    const r = rig();
    r.door.signal('open');
    r.openDoor();
    r.closeDoor();
    r.openDoor();
    assert.deepEqual(r.alarms(), ['forced']);
  });

  it('held open longer than heldOpenMs: alarm held, cleared at the close; not before', () => {
    const r = rig({ heldOpenMs: 10000 });
    r.door.signal('open');
    r.openDoor();
    r.timers.advance(9900);
    assert.deepEqual(r.alarms(), []);
    r.timers.advance(200);
    assert.deepEqual(r.alarms(), ['held']);
    assert.equal(r.line.energised, false, 'the relay went off after openMs: held open is not kept open');
    r.closeDoor();
    assert.deepEqual(r.alarms(), ['held', 'cleared']);
    assert.deepEqual(r.records, ['held', 'cleared']);
  });

  it('the door open at boot: held alarm after heldOpenMs (nobody knows why it is open)', () => {
    const r = rig({ openAtBoot: true, heldOpenMs: 5000 });
    r.timers.advance(5001);
    assert.deepEqual(r.alarms(), ['held']);
  });

  it('the exit button opens without a scan, once per press, and tells onDoor "exit"', () => {
    const r = rig({ openMs: 2000 });
    r.press();
    assert.equal(r.line.energised, true);
    assert.equal(r.leds.current(), 'green');
    assert.deepEqual(r.told.map((t) => t[0]), ['exit']);
    r.release();
    r.openDoor();
    assert.deepEqual(r.alarms(), [], 'the button authorised the opening');
    r.closeDoor();
    assert.equal(r.line.energised, false);
    assert.deepEqual(r.told.map((t) => t[0]), ['exit', 'opened', 'closed']);
  });

  it('a button held (stuck) opens once, never again, and is a fault after heldOpenMs until released', () => {
    const r = rig({ openMs: 2000, heldOpenMs: 10000 });
    r.press();
    r.timers.advance(60000);
    assert.equal(r.line.energised, false, 'not held open by a held button');
    const driven = r.line.history.filter((h) => h.driven).length;
    assert.equal(driven, 1);
    assert.equal(r.events.filter((e) => e.ev === 'fault' && e.what === 'button').length, 1);
    assert.deepEqual(r.records, ['button-stuck']);
    r.release();
    assert.equal(r.events.filter((e) => e.ev === 'door' && e.door === 'button-released').length, 1);
    r.press();
    assert.equal(r.line.energised, true, 'works again once released');
  });

  it('a button active at boot is stuck: a fault, and the door does not open', () => {
    const r = rig({ pressedAtBoot: true });
    assert.equal(r.events.filter((e) => e.ev === 'fault' && e.what === 'button').length, 1);
    r.timers.advance(60000);
    assert.equal(r.line.history.filter((h) => h.driven).length, 0);
  });

  it('callbacks come from the pins\' events, never from watchDoor itself; stop() unwatches', () => {
    const r = rig();
    assert.equal(r.told.length, 0);
    r.watch.stop();
    r.contact!.set(true);
    r.timers.advance(100);
    assert.deepEqual(r.alarms(), []);
    assert.equal(r.timers.pending(), 0);
  });

  it('safety, any sequence of contact and button levels: the relay is driven only by presses and never beyond openMs of the last', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 4000 })), { maxLength: 30 }), (steps) => {
      const r = rig({ openMs: 2000, heldOpenMs: 5000 });
      let lastPress = -Infinity;
      let presses = 0;
      for (const [which, level, ms] of steps) {
        if (which) r.contact!.set(level);
        else r.button!.set(level);
        // watch the relay at each ms step of the wait
        for (let t = 0; t < ms; t += 250) {
          r.timers.advance(Math.min(250, ms - t));
          const n = r.told.filter((x) => x[0] === 'exit').length;
          if (n > presses) { presses = n; lastPress = r.timers.now; }
          if (r.line.energised) assert.ok(r.timers.now - lastPress <= 2000 + 250, 'energised beyond openMs of the last press');
        }
      }
      r.timers.advance(10000);
      assert.equal(r.line.energised, false);
    }), { numRuns: Number(process.env.FUZZ_RUNS) || 100 });
  });
});
