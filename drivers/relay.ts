// Door relay (device code, ES5 rules: see docs/CONVENTIONS.md).
//
// Safety rules
//  - The line is driven only while the relay is open: "off" is a released line (an input, high
//    impedance), never a driven "off" level, and the wiring's pull resistor keeps the coil
//    de-energised (README "Wiring"). So the polarity (`activeHigh`) matters only while open: a
//    wrong or corrupt polarity makes an opening drive the de-energising level (the door stays
//    locked), and no polarity, right or wrong, can energise the coil without open().
//  - The constructor releases the line before anything else: boot state is locked.
//  - `open(ms)` arms the off-timeout and the safety check BEFORE it energises the coil, so the
//    relay goes off after its time whatever happens afterwards: an exception thrown by the pin
//    write, by the caller after open() returns, or by any other code cannot keep the door open.
//  - Safety check: while open, a `setInterval` every `checkMs` (1000) counts down; when it runs
//    out (at most 2 x checkMs after the deadline) it forces the relay off. This guards against a
//    lost or wrongly cleared timeout. The countdown runs on timers, not on the wall clock, so
//    setting the clock cannot shorten or stretch an opening. The interval exists only while the
//    relay is open (or while an off write keeps failing: it retries every tick).
//  - Re-opening while open restarts the time: the relay stays on for `ms` from the latest open()
//    (a shorter `ms` shortens it).
//  - `ms` is capped at `maxMs` (60000): no call can hold the door open indefinitely.
//  - Active-low wiring (`activeHigh: false`) drives a low level to open; `isOpen()` is the logical state.

import { RelayLine, Timers } from '../hal/types';

export interface RelayOptions {
  /** The relay's line: driven while open, released otherwise. */
  pin: RelayLine;
  timers: Timers;
  /** Default opening time, ms (3000). */
  openMs?: number;
  /** true (default): coil energised by a high level; false: by a low level. Only used to open. */
  activeHigh?: boolean;
  /** Longest opening accepted, ms (60000); longer requests are capped. */
  maxMs?: number;
  /** Safety check period, ms (1000). */
  checkMs?: number;
}

export var RELAY_DEFAULTS = { openMs: 3000, maxMs: 60000, checkMs: 1000 };

function optNum(v: number | undefined, dflt: number, min: number): number {
  return typeof v === 'number' && v >= min && v < Infinity ? v : dflt;
}

export class Relay {
  private _pin: RelayLine;
  private _timers: Timers;
  /** The level that energises the coil. */
  private _on: boolean;
  private _openMs: number;
  private _maxMs: number;
  private _checkMs: number;
  private _open: boolean;
  private _offId: number | null;
  private _checkId: number | null;
  /** Safety ticks left before a forced off. */
  private _ticks: number;
  private _offFn: () => void;
  private _checkFn: () => void;

  constructor(opts: RelayOptions) {
    var self = this;
    this._pin = opts.pin;
    // Locked first, before anything else can fail.
    this._pin.release();
    this._on = opts.activeHigh !== false;
    this._open = false;
    this._timers = opts.timers;
    this._maxMs = optNum(opts.maxMs, RELAY_DEFAULTS.maxMs, 1);
    this._openMs = Math.min(optNum(opts.openMs, RELAY_DEFAULTS.openMs, 1), this._maxMs);
    this._checkMs = optNum(opts.checkMs, RELAY_DEFAULTS.checkMs, 1);
    this._offId = null;
    this._checkId = null;
    this._ticks = 0;
    this._offFn = function () {
      self._offId = null;
      self._off();
    };
    this._checkFn = function () {
      self._ticks--;
      if (!self._open || self._ticks <= 0) self._off();
    };
  }

  /** Energise for `ms` (default openMs, capped at maxMs); restarts the time when already open. */
  open(ms?: number): void {
    var d = optNum(ms, this._openMs, 1);
    if (d > this._maxMs) d = this._maxMs;
    var old = this._offId;
    // Arm the way back to "off" first.
    this._offId = this._timers.setTimeout(this._offFn, d);
    this._ticks = Math.ceil(d / this._checkMs) + 1;
    if (this._checkId === null) this._checkId = this._timers.setInterval(this._checkFn, this._checkMs);
    this._open = true;
    if (old !== null) this._timers.clearTimeout(old);
    this._pin.drive(this._on);
  }

  /** De-energise now. */
  close(): void {
    this._off();
  }

  /** Whether the relay is (logically) energised. */
  isOpen(): boolean {
    return this._open;
  }

  private _off(): void {
    this._open = false;
    // The release comes first: if it throws, the safety interval stays armed and retries.
    this._pin.release();
    if (this._offId !== null) {
      var t = this._offId;
      this._offId = null;
      this._timers.clearTimeout(t);
    }
    if (this._checkId !== null) {
      var c = this._checkId;
      this._checkId = null;
      this._timers.clearInterval(c);
    }
  }
}
