// Virtual pins: levels and modes as Espruino's jshPin* keep them, watches with debounce (on the
// event queue), digitalPulse. The test side drives inputs (driveInput). See index.ts.
import { VTimer } from '../vtime';
import { SandboxCore, SandboxHostOf } from './core';

export interface Watch {
  id: number;
  pin: string;
  fn: any;
  repeat: boolean;
  edge: 'rising' | 'falling' | 'both';
  debounce: number;
  lastTime: number;
  lastState: boolean;
  pending: VTimer | null;
}

export interface PinState {
  name: string;
  mode: string;
  /** The mode was set by pinMode (Espruino's "manual" pin state): digitalWrite then only sets the level. */
  manual?: boolean;
  /** Level driven by the program (outputs) or by the test (inputs). */
  out: boolean;
  input: boolean | null;
  history: { t: number; level: boolean }[];
}

export const PIN_NAME = /^[A-Z]{1,2}\d{1,2}$/;

const MODES = ['analog', 'input', 'input_pullup', 'input_pulldown', 'output', 'opendrain', 'opendrain_pullup', 'af_output', 'af_opendrain', 'auto'];

/** The valid, distinct pin names among `names`. */
export function pinSet(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) if (n && PIN_NAME.test(n) && out.indexOf(n) < 0) out.push(n);
  return out;
}

export class SandboxPins extends SandboxCore {
  readonly pins = new Map<string, PinState>();
  /** setWatch watches (internal to sim/espruino). */
  watches: Watch[] = [];
  private nextWatchId = 1;

  constructor(host: SandboxHostOf<any>) {
    super(host);
  }

  pin(name: string): PinState {
    let p = this.pins.get(name);
    if (!p) {
      p = { name, mode: 'input', out: false, input: null, history: [] };
      this.pins.set(name, p);
    }
    return p;
  }

  /** A pin argument's name, or the Espruino exception (internal). */
  pinName(p: any): string {
    const n = p === undefined || p === null ? '' : String(p);
    if (!PIN_NAME.test(n)) throw this.err(`Invalid pin: ${this.format(p)}`);
    return n;
  }

  private isOutput(p: PinState): boolean { return p.mode === 'output' || p.mode === 'opendrain' || p.mode === 'af_output'; }

  digitalRead(p: any): number {
    if (Array.isArray(p)) {
      let v = 0;
      for (const x of p) v = (v << 1) | this.digitalRead(x);
      return v;
    }
    const s = this.pin(this.pinName(p));
    if (this.isOutput(s)) return s.out ? 1 : 0;
    if (s.input !== null) return s.input ? 1 : 0;
    return s.mode === 'input_pullup' ? 1 : 0;
  }

  digitalWrite(p: any, v: any): void {
    if (Array.isArray(p)) {
      const n = Number(v) | 0;
      for (let i = 0; i < p.length; i++) this.digitalWrite(p[i], (n >> (p.length - 1 - i)) & 1);
      return;
    }
    const s = this.pin(this.pinName(p));
    // jshPinOutput: the level is latched; a pin whose mode pinMode set ("manual") keeps its mode
    // (an input stays an input: nothing is driven), an automatic one becomes an output.
    const becomesOutput = !s.manual && !this.isOutput(s) && !/^af_|^opendrain/.test(s.mode);
    this.setOut(s, !!(typeof v === 'number' ? v : v ? 1 : 0));
    if (becomesOutput) this.setMode(s, 'output');
  }

  private setOut(s: PinState, level: boolean): void {
    if (s.out === level && s.history.length > 0) return;
    s.out = level;
    s.history.push({ t: this.host.clock.ms, level });
    if (this.host.onPin) this.host.onPin(s.name, level);
    this.edge(s.name);
  }

  pinMode(p: any, m: any): void {
    const s = this.pin(this.pinName(p));
    const mode = String(m === undefined ? 'auto' : m);
    if (MODES.indexOf(mode) < 0) throw this.err(`Unknown pin mode: ${mode}`);
    // jswrap_io_pinMode: a mode given is "manual"; 'auto' (or none) hands the pin back to digitalWrite/Read
    s.manual = mode !== 'auto';
    this.setMode(s, mode === 'auto' ? 'input' : mode);
  }

  private setMode(s: PinState, mode: string): void {
    if (s.mode === mode) return;
    s.mode = mode;
    if (this.host.onPinMode) this.host.onPinMode(s.name, mode);
  }

  /** Test side: drive an input pin (an external signal). Watches fire after their debounce. */
  driveInput(name: string, level: boolean): void {
    const s = this.pin(name);
    if (s.input === level) return;
    s.input = level;
    s.history.push({ t: this.host.clock.ms, level });
    this.edge(name);
  }

  /** The level a pin reads (internal). */
  level(name: string): boolean { return !!this.digitalRead(name); }

  private edge(name: string): void {
    for (const w of this.watches.slice()) {
      if (w.pin !== name) continue;
      if (w.pending) { this.queue.remove(w.pending); w.pending = null; }
      const check = () => {
        w.pending = null;
        const now = this.level(name);
        if (now === w.lastState) return;
        w.lastState = now;
        if ((w.edge === 'rising' && !now) || (w.edge === 'falling' && now)) return;
        const t = this.host.wallSeconds();
        const ev = this.plain({ state: now, time: t, lastTime: w.lastTime });
        w.lastTime = t;
        if (!w.repeat) this.watches.splice(this.watches.indexOf(w), 1);
        this.call(w.fn, this.global, [ev]);
      };
      if (w.debounce > 0) w.pending = this.queue.event(check, w.debounce);
      else this.queue.event(check, 0);
    }
  }

  /** setWatch(fn, pin, opts): the watch's id. */
  setWatch(fn: any, p: any, opts: any): number {
    if (typeof fn !== 'function' && typeof fn !== 'string') throw this.err('Function or String not supplied!');
    const name = this.pinName(p);
    let o: any = opts;
    if (typeof opts !== 'object' || opts === null) o = { repeat: !!opts };
    let edge: any = o.edge === undefined ? 'both' : o.edge;
    if (edge === 1 || edge === 'rising') edge = 'rising';
    else if (edge === -1 || edge === 'falling') edge = 'falling';
    else edge = 'both';
    const w: Watch = { id: this.nextWatchId++, pin: name, fn, repeat: !!o.repeat, edge, debounce: Number(o.debounce) || 0,
      lastTime: this.host.wallSeconds(), lastState: this.level(name), pending: null };
    this.watches.push(w);
    return w.id;
  }

  /** clearWatch(...args): no argument clears all; undefined throws. */
  clearWatch(args: IArguments | any[]): void {
    if (args.length === 0) { this.watches = []; return; }
    const id = args[0];
    if (id === undefined) throw this.err('clearWatch(undefined) not allowed. Use clearWatch() instead');
    this.watches = this.watches.filter((w) => w.id !== id);
  }

  /** digitalPulse(pin, level, ms | ms[]): the level now, toggled after each time (events). */
  digitalPulse(p: any, v: any, ms: any): void {
    const times: number[] = Array.isArray(ms) ? ms.map(Number) : [Number(ms)];
    const name = this.pinName(p);
    let level = !!v;
    let at = 0;
    this.digitalWrite(name, level ? 1 : 0);
    for (const t of times) {
      at += t;
      level = !level;
      const l = level;
      this.schedule(() => this.digitalWrite(name, l ? 1 : 0), at, [], true);
    }
  }

  kill(): void {
    super.kill();
    this.watches = [];
  }
}
