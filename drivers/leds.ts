// Status LEDs: green, red, amber (device code, ES5 rules: see docs/CONVENTIONS.md).
//
// At most one LED is lit at any moment: every change writes the unlit LEDs off first and only then
// lights the chosen one. The constructor turns all three off.
//
// What shows:
//  - the idle colour (`idle(c)`, initially 'off') between decisions;
//  - `show(c, ms)`: c for ms (> 0), then the idle colour; without ms, c until the next call;
//  - `blink(c, onMs, offMs, times)`: c on for onMs, all off for offMs, `times` flashes, then the
//    idle colour; without `times` it blinks until the next call (fault patterns).
// Each show/blink/idle call replaces whatever was running. `idle(c)` takes effect at once, except
// during a timed show or a finite blink: those end in the (new) idle colour.
// A colour other than 'green', 'red', 'amber', 'off' throws Error.

import { OutputPin, Timers } from '../hal/types';

export type LedColor = 'green' | 'red' | 'amber' | 'off';

export interface LedsOptions {
  green: OutputPin;
  red: OutputPin;
  amber: OutputPin;
  timers: Timers;
  /** true (default): an LED lights on a high level; false: on a low level (sinking wiring). */
  activeHigh?: boolean;
}

function checkColor(c: string): void {
  if (c !== 'green' && c !== 'red' && c !== 'amber' && c !== 'off') throw new Error('bad LED color ' + c);
}

function checkMs(v: number): void {
  if (!(typeof v === 'number' && v > 0 && v < Infinity)) throw new Error('bad LED time');
}

export class Leds {
  private _green: OutputPin;
  private _red: OutputPin;
  private _amber: OutputPin;
  private _timers: Timers;
  private _on: boolean;
  private _lit: LedColor;
  private _idle: LedColor;
  /** The pending step of a timed show or a blink. */
  private _tid: number | null;
  /** A timed show or finite blink is running (it ends in the idle colour). */
  private _transient: boolean;
  private _bColor: LedColor;
  private _bOnMs: number;
  private _bOffMs: number;
  /** Flashes left including the current one; -1: forever. */
  private _bLeft: number;
  private _bPhaseOn: boolean;
  private _toIdleFn: () => void;
  private _stepFn: () => void;

  constructor(opts: LedsOptions) {
    var self = this;
    this._green = opts.green;
    this._red = opts.red;
    this._amber = opts.amber;
    this._timers = opts.timers;
    this._on = opts.activeHigh !== false;
    this._lit = 'off';
    this._idle = 'off';
    this._tid = null;
    this._transient = false;
    this._bColor = 'off';
    this._bOnMs = 0;
    this._bOffMs = 0;
    this._bLeft = 0;
    this._bPhaseOn = false;
    this._toIdleFn = function () {
      self._tid = null;
      self._transient = false;
      self._light(self._idle);
    };
    this._stepFn = function () {
      self._tid = null;
      self._step();
    };
    this._light('off');
  }

  /** Light exactly `color` (or none for 'off'); after `ms` (> 0) return to the idle colour. */
  show(color: LedColor, ms?: number): void {
    checkColor(color);
    var timed = typeof ms === 'number' && ms > 0 && ms < Infinity;
    this._cancel();
    this._light(color);
    if (timed) {
      this._transient = true;
      this._tid = this._timers.setTimeout(this._toIdleFn, ms as number);
    }
  }

  /** Flash `color` `times` times (onMs lit, offMs dark), then the idle colour; forever without times. */
  blink(color: LedColor, onMs: number, offMs: number, times?: number): void {
    checkColor(color);
    checkMs(onMs);
    checkMs(offMs);
    var forever = typeof times !== 'number';
    var n = forever ? -1 : Math.floor(times as number);
    this._cancel();
    if (!forever && n <= 0) {
      this._light(this._idle);
      return;
    }
    this._bColor = color;
    this._bOnMs = onMs;
    this._bOffMs = offMs;
    this._bLeft = n;
    this._bPhaseOn = true;
    this._transient = !forever;
    this._light(color);
    this._tid = this._timers.setTimeout(this._stepFn, onMs);
  }

  /** Set the colour shown between decisions (see the header for when it takes effect). */
  idle(color: LedColor): void {
    checkColor(color);
    this._idle = color;
    if (this._transient) return;
    this._cancel();
    this._light(color);
  }

  /** The colour lit now: 'green', 'red', 'amber' or 'off'. */
  current(): LedColor {
    return this._lit;
  }

  private _cancel(): void {
    this._transient = false;
    if (this._tid !== null) {
      var id = this._tid;
      this._tid = null;
      this._timers.clearTimeout(id);
    }
  }

  private _step(): void {
    if (this._bPhaseOn) {
      this._bPhaseOn = false;
      this._light('off');
      this._tid = this._timers.setTimeout(this._stepFn, this._bOffMs);
      return;
    }
    if (this._bLeft > 0) this._bLeft--;
    if (this._bLeft === 0) {
      this._transient = false;
      this._light(this._idle);
      return;
    }
    this._bPhaseOn = true;
    this._light(this._bColor);
    this._tid = this._timers.setTimeout(this._stepFn, this._bOnMs);
  }

  /** Unlit LEDs off first, then the lit one on: never two at once. */
  private _light(color: LedColor): void {
    var on = this._on;
    if (color !== 'green') this._green.write(!on);
    if (color !== 'red') this._red.write(!on);
    if (color !== 'amber') this._amber.write(!on);
    if (color === 'green') this._green.write(on);
    else if (color === 'red') this._red.write(on);
    else if (color === 'amber') this._amber.write(on);
    this._lit = color;
  }
}
