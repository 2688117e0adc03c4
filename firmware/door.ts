// The door: the one owner of the relay (drivers/relay.ts) and the LEDs (drivers/leds.ts). Whoever
// wants the door open or a light shown asks the door; nothing else drives those drivers.
//
// Arbitration (what wins when several ask):
//  - An opening is an opening, whoever asks (a scan today; issue 14's exit button later): the
//    relay opens for openMs from the latest request (drivers/relay.ts restarts its time), green
//    shows as long.
//  - The door is locked whenever nobody holds it open: the relay releases on its own after its
//    time (and its safety check), a refusal never shortens an opening nor extends it.
//  - Lights, by rank: an alarm pattern (issue 14: held open, forced) outranks a refusal light
//    (red, amber for the attendant), which replaces the previous light for `showMs`; the boot
//    fault pattern (red blinking) shows until the next light.
//  - While an alarm is on (`alarm` set: held open, forced), its pattern stays: an opening still
//    opens the relay, but no light replaces the alarm's until it is cleared. The alarm buzzer
//    (door.buzzer, optional) is the alarm's alone: it sounds its pattern (500 ms on, 500 ms off)
//    while an alarm is on and is silent otherwise; no refusal, opening or boot fault sounds it
//    (firmware/doorwatch.ts drives it: alarms exist only where the door is watched).
// The door contact and exit button (issue 14) are watched by firmware/doorwatch.ts, the door's
// half that exists only on gates that have them (a lazy part): it raises and clears the alarm
// here, releases the relay early when the door has opened and closed again, and opens for the
// exit button through signal('open'), like a scan.
import { LedColor } from '../drivers/leds';

/** What the door needs of a relay and of the LEDs (drivers/relay.ts, drivers/leds.ts). */
export interface RelayLike { open(ms?: number): void; close(): void; isOpen(): boolean }
export interface LedsLike {
  show(color: LedColor, ms?: number): void;
  idle(color: LedColor): void;
  blink(color: LedColor, onMs: number, offMs: number, times?: number): void;
}

/** What the gate needs of the door. */
export interface DoorLike {
  signal(what: string): void;
}

export interface DoorOptions {
  relay: RelayLike;
  leds: LedsLike;
  /** How long the door opens, ms (configuration relay.openMs). */
  openMs: number;
  /** How long a refusal light stays, ms (3000). */
  showMs?: number;
  /**
   * Told (never synchronously from a call into the door) what the door did: 'opened', 'closed'
   * (the contact), 'exit' (the exit button opened it), 'forced', 'held' (alarms). Needs a door
   * contact or exit button (firmware/doorwatch.ts); `f` holds the event's fields.
   */
  onDoor?: (what: string, f: any) => void;
}

export class Door implements DoorLike {
  relay: RelayLike;
  leds: LedsLike;
  openMs: number;
  /** Set only when given (default 3000 in signal()): the options object is not kept (RAM). */
  showMs?: number;
  /** The alarm on now ('held', 'forced'); '' or unset: none (firmware/doorwatch.ts sets it). */
  alarm?: string;
  /** Told of each opening (firmware/doorwatch.ts: the authorised window); set only when watched. */
  w?: (what: string) => void;
  onDoor?: (what: string, f: any) => void;

  constructor(o: DoorOptions) {
    this.relay = o.relay;
    this.leds = o.leds;
    this.openMs = o.openMs;
    if (o.showMs) this.showMs = o.showMs;
    if (o.onDoor) this.onDoor = o.onDoor;
  }

  /**
   * What someone asks of the door: 'open' (the relay for openMs, green as long), 'attendant'
   * (amber for showMs: see the attendant; 'booth' the same: go to the vaccination booth), 'ready' (boot is over: no light), 'fault' (boot found
   * something wrong: red blinking until the next light), anything else a refusal (red for showMs).
   * Only 'open' touches the relay. While an alarm is on, no light replaces its pattern.
   */
  signal(what: string): void {
    var o = this;
    if (what === 'open') {
      o.relay.open(o.openMs);
      if (o.w) o.w(what);
      if (!o.alarm) o.leds.show('green', o.openMs);
    } else if (o.alarm) {
      return;
    } else if (what === 'ready') {
      o.leds.idle('off');
    } else if (what === 'fault') {
      o.leds.blink('red', 200, 800);
    } else {
      o.leds.show(what === 'attendant' || what === 'booth' ? 'amber' : 'red', o.showMs || 3000);
    }
  }
}
