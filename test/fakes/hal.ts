// Hand-written fakes of the hal interfaces (hal/types.ts) on virtual time, for unit tests.
//
//   const timers = new FakeTimers();            // virtual ms, starts at 0
//   const clock = new FakeClock(timers, 1.6e9); // wall clock driven by the same virtual time
//   const serial = new FakeSerial();            // serial.inject('QG1:...\r')
//   const pin = new FakePin(timers);            // pin.history: [{t, level}]
//   timers.advance(50);                         // runs every timer due in the next 50 ms
//
// FakeTimers is the simulator's timer queue (sim/vtime.ts, the one the Espruino sandbox runs the
// bundle on) behind the hal Timers interface, so it has Espruino's semantics (test/sim/vtime.test.ts):
//  - ids are reused the way Espruino reuses them (a new id is the highest live id + 1, so an id
//    freed by a fired timer comes back): a driver that clears a stale id hits someone else's timer;
//  - clearTimeout/clearInterval of an id that is not live does nothing, as on Espruino (option
//    `strict: true` makes it throw 'Unknown Timeout' / 'Unknown Interval' to catch a driver doing
//    it); a clear with undefined throws, as on Espruino (where clearTimeout() clears ALL timers);
//  - setTimeout(cb, 0) never runs synchronously: only advance()/flush() run timers;
//  - timers due at the same instant run in the order they were set; an interval runs every `ms`
//    counted from its previous due time (no drift); setInterval(cb, 0) repeats every 0.001 ms.
// An exception in a timer callback is rethrown from advance() (the timer bookkeeping is already
// consistent: an interval is re-queued; later timers run on the next advance), or recorded in
// `errors` and skipped like Espruino does (it prints it) with `onError: 'record'`.

import { Clock, InputPin, OutputPin, RelayLine, SerialPort, Timers } from '../../hal/types';
import { TimerQueue, VirtualClock, VTimer } from '../../sim/vtime';

export interface FakeTimersOptions {
  /** Throw on clearing an id that is not live (default false: Espruino ignores it). */
  strict?: boolean;
  /** 'throw' (default): rethrow a callback's exception from advance(); 'record': push to errors. */
  onError?: 'throw' | 'record';
  /** Virtual time at start, ms (0). */
  start?: number;
}

export class FakeTimers implements Timers {
  /** Virtual time (ms), shared with the queue. */
  readonly clock = new VirtualClock();
  /** Exceptions thrown by callbacks (onError: 'record'). */
  errors: unknown[] = [];
  /** Every setTimeout/setInterval call: [kind, ms, id]. */
  log: Array<{ kind: 'timeout' | 'interval'; ms: number; id: number; at: number }> = [];
  private queue: TimerQueue<() => void>;
  private strict: boolean;
  private onError: 'throw' | 'record';

  constructor(opts: FakeTimersOptions = {}) {
    this.clock.ms = opts.start || 0;
    this.queue = new TimerQueue<() => void>(this.clock);
    this.strict = opts.strict === true;
    this.onError = opts.onError || 'throw';
  }

  /** Virtual time, ms. */
  get now(): number {
    return this.clock.ms;
  }

  setTimeout(cb: () => void, ms: number): number {
    return this.add(cb, ms, false);
  }
  setInterval(cb: () => void, ms: number): number {
    return this.add(cb, ms, true);
  }
  clearTimeout(id: number): void {
    this.remove(id, 'Timeout');
  }
  clearInterval(id: number): void {
    this.remove(id, 'Interval');
  }

  /** Number of live timers (timeouts + intervals). */
  pending(): number {
    return this.queue.count();
  }
  /** Live timer ids. */
  ids(): number[] {
    return this.queue.ids();
  }
  /** Whether `id` is live. */
  has(id: number): boolean {
    return this.queue.find(id) !== undefined;
  }
  /** Due time of the next timer, or undefined. */
  nextDue(): number | undefined {
    return this.queue.nextDue();
  }

  /** Advance virtual time by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('FakeTimers.advance: bad ms ' + ms);
    this.runUntil(this.now + ms);
  }
  /** Run what is due now (zero-delay timers, and the zero-delay timers they set). */
  flush(): void {
    this.runUntil(this.now);
  }
  /** Advance until no timer is left (intervals make this throw after `limit` callbacks). */
  runAll(limit = 10000): void {
    let n = 0;
    for (;;) {
      if (this.queue.nextDue() === undefined) return;
      if (++n > limit) throw new Error('FakeTimers.runAll: more than ' + limit + ' callbacks');
      this.runOne(this.queue.take(Infinity)!);
    }
  }

  private add(cb: () => void, ms: number, repeat: boolean): number {
    if (typeof cb !== 'function') throw new Error('FakeTimers: callback is not a function');
    const d = typeof ms === 'number' ? ms : NaN;
    const id = (repeat ? this.queue.interval(cb, d) : this.queue.timeout(cb, d)).id;
    this.log.push({ kind: repeat ? 'interval' : 'timeout', ms, id, at: this.now });
    return id;
  }

  private remove(id: number, what: string): void {
    if (id === undefined) {
      // Espruino's words; clearTimeout() with no argument would clear ALL timers
      throw new Error(`clear${what}(undefined) not allowed. Use clear${what}() instead`);
    }
    if (!this.queue.clear(id) && this.strict) throw new Error('Unknown ' + what + ' (FakeTimers strict: id ' + id + ' is not live)');
  }

  private runUntil(target: number): void {
    let guard = 0;
    for (;;) {
      const t = this.queue.take(target);
      if (!t) break;
      if (++guard > 1000000) throw new Error('FakeTimers: runaway timers');
      this.runOne(t);
    }
    if (target > this.now) this.clock.ms = target;
  }

  private runOne(t: VTimer<() => void>): void {
    try {
      t.fn();
    } catch (e) {
      if (this.onError === 'throw') throw e;
      this.errors.push(e);
    }
  }
}

/** Wall clock on a FakeTimers' virtual time; `set` jumps it without moving the timers. */
export class FakeClock implements Clock {
  private offset: number;
  /** Every set(seconds) call. */
  sets: number[] = [];
  constructor(private timers: FakeTimers, startSeconds = 0) {
    this.offset = startSeconds - timers.now / 1000;
  }
  now(): number {
    return this.offset + this.timers.now / 1000;
  }
  set(seconds: number): void {
    this.sets.push(seconds);
    this.offset = seconds - this.timers.now / 1000;
  }
}

/** A UART: `inject` delivers a chunk to the registered receiver synchronously, as Espruino's event does. */
export class FakeSerial implements SerialPort {
  /** Everything written, in order. */
  written: string[] = [];
  /** How many times onData was called with a function / with null. */
  registrations = 0;
  unregistrations = 0;
  private handler: ((chunk: string) => void) | null = null;

  write(data: string): void {
    this.written.push(data);
  }
  onData(cb: ((chunk: string) => void) | null): void {
    if (cb) this.registrations++;
    else this.unregistrations++;
    this.handler = cb;
  }
  hasReceiver(): boolean {
    return this.handler !== null;
  }
  /** Deliver one chunk (a byte string). Returns false when nobody listens (the chunk is lost). */
  inject(chunk: string): boolean {
    if (!this.handler) return false;
    this.handler(chunk);
    return true;
  }
  /** Deliver bytes as a byte string chunk. */
  injectBytes(bytes: ArrayLike<number>): boolean {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] & 0xff);
    return this.inject(s);
  }
  /** Deliver `text` in chunks of at most `size` chars (32, as boards deliver). */
  injectChunked(text: string, size = 32): void {
    for (let i = 0; i < text.length; i += size) this.inject(text.substring(i, i + size));
  }
}

/** An output pin that remembers every write with the virtual time (when given timers). */
export class FakePin implements OutputPin {
  level: boolean;
  history: Array<{ t: number; level: boolean }> = [];
  constructor(private timers?: FakeTimers, initial = false) {
    this.level = initial;
  }
  write(on: boolean): void {
    if (typeof on !== 'boolean') throw new Error('FakePin.write: not a boolean: ' + on);
    this.level = on;
    this.history.push({ t: this.timers ? this.timers.now : 0, level: on });
  }
  read(): boolean {
    return this.level;
  }
  /** The levels written, in order. */
  levels(): boolean[] {
    return this.history.map((h) => h.level);
  }
}

/**
 * A relay's line (hal RelayLine) wired to a relay module of the given polarity, with the pull
 * resistor of README "Wiring": a released line sits at the module's de-energising level (low for
 * an active-high module, high for an active-low one). `level` is the electrical level, `driven`
 * whether the board drives it, `energised` whether the coil is on; history records each change.
 */
export class FakeRelayLine implements RelayLine {
  driven: boolean;
  private out: boolean;
  history: Array<{ t: number; level: boolean; driven: boolean }> = [];
  /** `initial`: the level the board drove before the driver took the line (driven until released). */
  constructor(private timers?: FakeTimers, readonly wiringActiveHigh = true, initial?: boolean) {
    this.driven = initial !== undefined;
    this.out = initial === undefined ? !wiringActiveHigh : initial;
  }
  get level(): boolean { return this.driven ? this.out : !this.wiringActiveHigh; }
  get energised(): boolean { return this.driven && this.out === this.wiringActiveHigh; }
  drive(level: boolean): void {
    if (typeof level !== 'boolean') throw new Error('FakeRelayLine.drive: not a boolean: ' + level);
    this.out = level;
    this.driven = true;
    this.history.push({ t: this.timers ? this.timers.now : 0, level, driven: true });
  }
  release(): void {
    this.driven = false;
    this.history.push({ t: this.timers ? this.timers.now : 0, level: this.level, driven: false });
  }
  /** The levels, in order. */
  levels(): boolean[] {
    return this.history.map((h) => h.level);
  }
}

/**
 * An input pin driven by the test (`set`). Watches report debounced edges asynchronously through
 * the timers: an edge is reported `debounceMs` after the level last changed, if it still differs
 * from the level last reported to that watch (Espruino's setWatch debounce).
 */
export class FakeInputPin implements InputPin {
  level: boolean;
  private watches: Array<{ id: number; cb: (level: boolean) => void; debounce: number; reported: boolean; tid: number | null }> = [];
  private nextId = 1;
  constructor(private timers: FakeTimers, initial = false) {
    this.level = initial;
  }
  read(): boolean {
    return this.level;
  }
  watch(cb: (level: boolean) => void, debounceMs: number): number {
    const id = this.nextId++;
    this.watches.push({ id, cb, debounce: debounceMs > 0 ? debounceMs : 0, reported: this.level, tid: null });
    return id;
  }
  unwatch(id: number): void {
    const i = this.watches.findIndex((w) => w.id === id);
    if (i < 0) throw new Error('FakeInputPin.unwatch: unknown id ' + id);
    const w = this.watches[i];
    if (w.tid !== null) this.timers.clearTimeout(w.tid);
    this.watches.splice(i, 1);
  }
  /** Drive the pin to `level` now. */
  set(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    for (const w of this.watches) {
      if (w.tid !== null) this.timers.clearTimeout(w.tid);
      w.tid = this.timers.setTimeout(() => {
        w.tid = null;
        if (this.level !== w.reported) {
          w.reported = this.level;
          w.cb(this.level);
        }
      }, w.debounce);
    }
  }
}
