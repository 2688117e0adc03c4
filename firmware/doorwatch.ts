// The door's watched half (issue 14): the door contact and the exit button, on gates that have
// them (configuration door.contact / door.button). A lazy part of the bundle (tools/build/bundle.js
// GATE_LAZY 'doorio'): its functions exist only on a gate whose configuration names a contact or a
// button, started once at boot by the board wiring (firmware/main.ts: startDoorWatch, which makes
// the pins here so that the core carries no input-pin code), and then as the running object it
// returns. It drives the relay and lights only through the door (firmware/door.ts).
//
// What it does:
//  - the contact (debounced, hal InputPin.watch) tells an authorised opening from a forced one: the
//    door opening while the relay is open, or within `graceMs` (1000) after an opening's time ran
//    out, is authorised; otherwise it is forced: alarm 'forced' at once. An authorised opening
//    that stays open longer than heldOpenMs: alarm 'held'. An alarm shows its pattern (red,
//    fast blinking, over any other light), is a console event {"ev":"alarm","alarm":"forced"|"held"},
//    a journal record (Kind ALARM: `record`) and onDoor(what); it is cleared when the door closes
//    ({"ev":"alarm","alarm":"cleared","was":...}, a journal record 'cleared');
//  - the door closing after it opened ends the opening: the relay releases at once (early
//    release) and the authorisation is used up (the door opening again is forced);
//  - the exit button opens the door (door.signal('open'), as a scan does) on its press, never on
//    its level: a button held (or stuck, or shorted) active opens once, and after heldOpenMs it is
//    a fault ({"ev":"fault","what":"button",...}, a journal record 'button-stuck') and is ignored
//    until released. A button active at boot is stuck from the start and never opens the door;
//  - each change is a console event {"ev":"door","door":"opened"|"closed"|"exit"} and onDoor(what);
//  - the alarm buzzer (configuration door.buzzer, optional): silent from the start; while an alarm
//    is on it sounds 500 ms, then is silent 500 ms, over and over, until the alarm is cleared. It
//    is the door's (firmware/door.ts: the alarm's pattern, LEDs and buzzer, outranks everything);
//    nothing else drives it.
// Safety: nothing here opens the relay but a button press; a contact that reads wrong (cut wire,
// stuck) can raise an alarm or release the relay sooner, never keep it open.
// Wiring (README "Door contact and exit button"): the contact's pin is pulled towards "open" (a cut
// wire reads open: an alarm, not a silent door), the button's towards "released" (a cut wire
// never presses it).
import { Clock, InputPin, OutputPin, Timers } from '../hal/types';
import { inputPin as esp_inputPin } from '../hal/espruino/input';
import { Events } from './events';
import { Door } from './door';
import { GateConfig } from './config';
import { Journal } from './journal';

export interface DoorWatchOptions {
  door: Door;
  timers: Timers;
  events: Events;
  /** The door contact, or null. */
  contact: InputPin | null;
  /** The level the contact reads when the door is open (configuration door.contactOpenHigh). */
  contactOpen: boolean;
  /** The exit button, or null. */
  button: InputPin | null;
  /** The level the button reads when pressed (configuration door.buttonActiveHigh). */
  buttonActive: boolean;
  /** Debounce of both inputs, ms (door.debounceMs). */
  debounceMs: number;
  /** Held open longer than this: alarm; a button active longer than this: stuck (door.heldOpenS). */
  heldOpenMs: number;
  /** After an opening's time, the door may still open as authorised for this long, ms (1000). */
  graceMs?: number;
  /** Writes the alarm's journal record ('forced', 'held', 'cleared', 'button-stuck'). */
  record?: (alarm: string) => void;
  /** The alarm buzzer (door.buzzer), or none; `buzzerOn`: the level that sounds it (door.buzzerActiveHigh). */
  buzzer?: OutputPin | null;
  buzzerOn?: boolean;
}

/** The alarm buzzer's pattern: on, then off, this long each, ms. */
export var BUZZ_MS = 500;

/** The running watch: its state for tests and status, and stop() (unwatches, clears timers). */
export interface DoorWatch {
  state(): { open: boolean; alarm: string; stuck: boolean; granted: boolean };
  stop(): void;
}

/** Starts watching the door's contact and exit button (either may be null). */
export function watchDoor(o: DoorWatchOptions): DoorWatch {
  var door = o.door, tm = o.timers, ev = o.events;
  var grace = o.graceMs === undefined ? 1000 : o.graceMs;
  var open = !!o.contact && o.contact.read() === o.contactOpen;
  var alarm = '', stuck = false, granted = false;
  var gT: number | null = null, hT: number | null = null, bT: number | null = null;
  var cId = -1, bId = -1;
  // the buzzer: its pattern's timer, and whether it sounds now
  var bz = o.buzzer || null, bzOn = o.buzzerOn !== false, zT: number | null = null, zNow = false;
  var buzz = function (on: boolean): void {
    zNow = on;
    if (bz) bz.write(on === bzOn);
  };
  var beep = function (): void {
    buzz(!zNow);
    zT = tm.setTimeout(beep, BUZZ_MS);
  };
  var clear = function (id: number | null): null {
    if (id !== null) tm.clearTimeout(id);
    return null;
  };
  var tell = function (what: string, f: any): void {
    ev.emit(what === 'forced' || what === 'held' ? 'alarm' : 'door', f);
    if (door.onDoor) door.onDoor(what, f);
  };
  var note = function (what: string): void {
    if (o.record) o.record(what);
  };
  var raise = function (what: string): void {
    alarm = what;
    door.alarm = what;
    door.leds.blink('red', 200, 200);
    if (bz && zT === null) beep();
    tell(what, { alarm: what });
    note(what);
  };
  var held = function (): void {
    hT = null;
    if (open && !alarm) raise('held');
  };
  var onContact = function (level: boolean): void {
    var nowOpen = level === o.contactOpen;
    if (nowOpen === open) return;
    open = nowOpen;
    if (open) {
      tell('opened', { door: 'opened' });
      if (granted || door.relay.isOpen()) hT = tm.setTimeout(held, o.heldOpenMs);
      else if (!alarm) raise('forced');
      return;
    }
    hT = clear(hT);
    gT = clear(gT);
    granted = false;
    // Early release: the visitor is through; the opening (and its green light) ends now.
    if (door.relay.isOpen()) {
      door.relay.close();
      if (!alarm) door.leds.show('off');
    }
    tell('closed', { door: 'closed' });
    if (alarm) {
      var was = alarm;
      alarm = '';
      door.alarm = '';
      door.leds.idle('off');
      zT = clear(zT);
      buzz(false);
      ev.emit('alarm', { alarm: 'cleared', was: was });
      note('cleared');
    }
  };
  var stuckNow = function (): void {
    bT = null;
    stuck = true;
    ev.emit('fault', { what: 'button', why: 'exit button active for over door.heldOpenS: ignored until released' });
    note('button-stuck');
  };
  var onButton = function (level: boolean): void {
    if (level !== o.buttonActive) {
      bT = clear(bT);
      if (stuck) {
        stuck = false;
        ev.emit('door', { door: 'button-released' });
      }
      return;
    }
    if (stuck || bT !== null) return;
    bT = tm.setTimeout(stuckNow, o.heldOpenMs);
    tell('exit', { door: 'exit' });
    door.signal('open');
  };
  // Each opening (a scan's or the button's) authorises the door to open until its time and the
  // grace are over, or until the door has opened and closed.
  door.w = function () {
    granted = true;
    gT = clear(gT);
    gT = tm.setTimeout(function () { gT = null; granted = false; }, door.openMs + grace);
  };
  buzz(false);
  if (o.contact) {
    cId = o.contact.watch(onContact, o.debounceMs);
    // Open at boot: nobody knows why; held open for long, it is an alarm.
    if (open) hT = tm.setTimeout(held, o.heldOpenMs);
  }
  if (o.button) {
    bId = o.button.watch(onButton, o.debounceMs);
    if (o.button.read() === o.buttonActive) stuckNow();
  }
  return {
    state: function () { return { open: open, alarm: alarm, stuck: stuck, granted: granted }; },
    stop: function () {
      if (o.contact) o.contact.unwatch(cId);
      if (o.button) o.button.unwatch(bId);
      hT = clear(hT);
      gT = clear(gT);
      bT = clear(bT);
      zT = clear(zT);
      buzz(false);
      door.w = undefined;
    },
  };
}

/** A time for the journal: whole seconds (0 for a clock that never ran). */
function journalTime(t: number): number {
  return t > 0 ? Math.floor(t) : 0;
}

/**
 * The board wiring's entry (firmware/main.ts, on gates whose configuration names door.contact or
 * door.button): the pins (the board's for "board"), pulled towards "open" (contact) and
 * "released" (button), watched; the buzzer's (door.buzzer) made an output by `outputPin` (the
 * core's hal function, so that this part carries no copy of it), silent; alarms go to the journal (when the entry log is open: `journal`)
 * as records of kind 'alarm'. A pin that cannot be set up is a fault event, and nothing is watched.
 */
export function startDoorWatch(door: Door, dc: GateConfig['door'], pins: { contact: string; button: string; buzzer: string }, timers: Timers,
  events: Events, journal: Journal | null, clock: Clock, clockValidAfter: number, outputPin: (pin: string) => OutputPin): DoorWatch | null {
  try {
    return watchDoor({
      buzzer: dc.buzzer ? outputPin(dc.buzzer === 'board' ? pins.buzzer : dc.buzzer) : null,
      buzzerOn: dc.buzzerActiveHigh,
      door: door, timers: timers, events: events,
      contact: dc.contact ? esp_inputPin(dc.contact === 'board' ? pins.contact : dc.contact, dc.contactOpenHigh ? 'up' : 'down') : null,
      contactOpen: dc.contactOpenHigh,
      button: dc.button ? esp_inputPin(dc.button === 'board' ? pins.button : dc.button, dc.buttonActiveHigh ? 'down' : 'up') : null,
      buttonActive: dc.buttonActiveHigh,
      debounceMs: dc.debounceMs, heldOpenMs: dc.heldOpenS * 1000,
      record: journal ? function (alarm: string) {
        var t = clock.now(), why = 'storage full';
        try {
          if (journal.append({ time: journalTime(t), kind: 'alarm', alarm: alarm, clockUntrusted: t < clockValidAfter }) >= 0) return;
        } catch (e) {
          why = String((e as any).message || e);
        }
        events.emit('fault', { what: 'log', why: 'alarm not logged: ' + why });
      } : undefined,
    });
  } catch (e) {
    events.emit('fault', { what: 'door', why: String((e as any).message || e) });
    return null;
  }
}
