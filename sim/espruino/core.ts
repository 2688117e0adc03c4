// The sandbox's core: its vm context and realm, its state, running program code and callbacks
// (exceptions printed as Espruino prints an uncaught one), and its event loop on virtual time
// (the timer queue of sim/vtime.ts, shared with the unit-test fakes). See index.ts for the whole.
import * as vm from 'vm';
import { BoardProfile } from '../../firmware/boards';
import { FlashChip, FlashImage, PowerCutError, bytesOf } from '../flash';
import { TimerQueue, VirtualClock } from '../vtime';
import { espruinoCode, espruinoMessage } from './code';

export const ESPRUINO_VERSION = '2v29';
export const BASE_VARS = 60;

/** What the board gives its sandbox; S is the sandbox type handed to module factories. */
export interface SandboxHostOf<S> {
  profile: BoardProfile;
  flash: FlashImage;
  clock: VirtualClock;
  /** getTime(): seconds since 1970 (or since boot for a board whose clock was never set). */
  wallSeconds(): number;
  /** setTime(s). */
  setWallSeconds(s: number): void;
  /** A console line (console.log, print, Uncaught errors, Storage messages). */
  print(line: string): void;
  /** Pin level changes made by the program (after the change). */
  onPin?(pin: string, level: boolean): void;
  /** Pin mode changes made by the program (pinMode; digitalWrite making an automatic pin an output). */
  onPinMode?(pin: string, mode: string): void;
  /** Bytes the program wrote to a UART. */
  onUartWrite?(uart: string, data: string): void;
  /**
   * A UART whose setup() throws, with the message (as Espruino's "Pin ... is not capable of USART
   * RX" for pins that cannot carry it): a test-side fault (SimBoard.uart(name).failSetup).
   */
  uartSetupError?(uart: string): string | null;
  /** Extra modules for require(): name -> factory (called once per boot). */
  modules?: { [name: string]: (sb: S) => any };
  /** E.reboot(), load(), reset(): the board restarts the program. */
  onReboot?(reason: string): void;
  /** save(): not supported on the board; called so the board can record it. */
  onSave?(): void;
  /** Functions keep their code in flash (the bundle was run from Storage). */
  codeInFlash?: boolean;
  /** E.nativeCall emulation; absent = E.nativeCall is undefined. */
  nativeCall?: (addr: number, signature: string, data: string) => any;
  /**
   * The chip's flash around Storage (sim/flash.ts FlashChip): with it, E.memoryArea reads flash,
   * require('Flash') exists, E.getAddressOf gives addresses, and E.nativeCall runs the machine
   * code the chip emulates (FlashChip.native).
   */
  chip?: FlashChip;
  /**
   * The firmware was built with SAVE_ON_FLASH: no atob, btoa, E.CRC32 (sim/espruino/builtins.ts).
   * No board in boards/ is (Espruino 2v29's boards/*.py for them do not set it).
   */
  saveOnFlash?: boolean;
  /** PRNG seed for Math.random / E.hwRand. */
  seed?: number;
}

/** Constructors of the sandbox's realm (objects handed to the program must come from it). */
export interface Realm {
  Object: ObjectConstructor; Array: ArrayConstructor; Error: ErrorConstructor; JSON: JSON;
  Uint8Array: typeof Uint8Array; ArrayBuffer: typeof ArrayBuffer; TypeError: TypeErrorConstructor;
}

export class SandboxCore {
  readonly context: vm.Context;
  /** The sandbox's global object. */
  readonly global: any;
  readonly host: SandboxHostOf<any>;
  /** The program's timers and the simulator's events, on host.clock. */
  readonly queue: TimerQueue;
  /** E.on handlers, by event (internal to sim/espruino). */
  eHandlers: { [ev: string]: any[] } = {};
  /** Modules require() returned (internal). */
  moduleCache: { [name: string]: any } = {};
  /** Espruino error flags set (internal). */
  errorFlags = new Set<string>();
  private rng: number;
  /** E.hwRand's own generator: seeded from the seed and the virtual wall clock at power-on, so
   *  that (like a hardware generator) it differs from one boot to the next, deterministically. */
  private hwRng: number;
  /** Strings returned by Storage.read (memory-mapped on a board: no RAM). */
  readonly mapped = new Set<string>();
  /**
   * The console lock (E.setPassword / E.lockConsole, src/jswrap_espruino.c): the password kept
   * (Espruino keeps it in its hidden root; a power cycle or reset() loses it) and whether the
   * console is locked. sim/console.ts (through sim/console-lock.ts) refuses input while locked.
   */
  readonly consoleLock: { password: string | null; locked: boolean } = { password: null, locked: false };
  /**
   * Network consoles as the program left them. telnet: 'on' | 'off' on boards with TelnetServer
   * (ESP32: on at every boot, port 23; Linux: the --telnet console), else null. bleUart: the
   * Bluetooth UART console offered; bleAdvertising: advertising (both null without Bluetooth).
   */
  readonly netConsoles: { telnet: string | null; bleUart: boolean | null; bleAdvertising: boolean | null } = { telnet: null, bleUart: null, bleAdvertising: null };
  /**
   * RAM too fragmented for a flat buffer (a test's fault): a typed array made while it is set is in
   * pieces, E.getAddressOf(b, true) answers 0, until E.defrag() packs memory (Espruino 2v29
   * src/jsvar.c jsvDefragment).
   */
  ramFragmented = false;
  /** E.defrag() calls so far. */
  defrags = 0;
  /** What E.defrag() moves besides (globals.ts: the chip's flat RAM buffers get new addresses). */
  readonly onDefrag: (() => void)[] = [];
  /** Watchdog state: timeout in ms (0 = off), auto-kicked, last kick (virtual ms). */
  watchdog = { timeoutMs: 0, auto: true, lastKick: 0 };
  /** Set when the program is stopped (power cut / reboot): nothing runs any more. */
  dead = false;
  timeZone = 0;
  /** The realm's constructors (internal). */
  readonly R: Realm;
  lastUncaught: string | null = null;

  constructor(host: SandboxHostOf<any>) {
    this.host = host;
    this.queue = new TimerQueue(host.clock);
    this.rng = (host.seed === undefined ? 0x2545f491 : host.seed) >>> 0 || 1;
    this.hwRng = ((this.rng ^ Math.floor(host.wallSeconds() * 1000) % 4294967296) >>> 0) || 1;
    this.context = vm.createContext({}, { name: 'espruino', codeGeneration: { strings: true, wasm: false } });
    this.global = vm.runInContext('this', this.context);
    this.R = vm.runInContext('({Object:Object, Array:Array, Error:Error, JSON:JSON, Uint8Array:Uint8Array, ArrayBuffer:ArrayBuffer, TypeError:TypeError})', this.context);
  }

  // ------------------------------------------------------------------ helpers

  /** An Error of the sandbox's realm (internal). */
  err(msg: string): Error { return new this.R.Error(msg); }
  /** A plain JSON value copied into the sandbox's realm (internal). */
  plain(x: any): any { return this.R.JSON.parse(JSON.stringify(x)); }

  /** Math.random: xorshift32 from host.seed. */
  random(): number {
    let x = this.rng;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.rng = x;
    return x / 4294967296;
  }

  /** E.hwRand: 32 bits (signed, as Espruino returns them). */
  hwRand(): number {
    let x = this.hwRng;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.hwRng = x;
    return x | 0;
  }

  wallMs(): number { return this.host.wallSeconds() * 1000; }

  /** Espruino-ish formatting of a value for console output. */
  format(v: any): string {
    if (typeof v === 'string') return v;
    if (v === undefined) return 'undefined';
    if (typeof v === 'function') return 'function () { [code] }';
    if (v && typeof v === 'object' && typeof v.message === 'string' && 'stack' in v) return String(v);
    try {
      const s = JSON.stringify(v, (_k, x) => (typeof x === 'function' ? undefined : x));
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  }

  /** Print an exception the way Espruino reports an uncaught one. */
  uncaught(e: any): void {
    if (e instanceof PowerCutError || this.dead) return;
    let msg: string;
    if (e && typeof e === 'object' && typeof e.message === 'string') {
      const ctor = e.constructor && e.constructor.name;
      msg = (ctor && ctor !== 'Object' ? ctor : 'Error') + ': ' + e.message;
    } else msg = this.format(e);
    msg = espruinoMessage(msg);
    this.host.print('Uncaught ' + msg);
    this.errorFlags.add('UNCAUGHT'); // not an Espruino flag; visible through lastUncaught
    this.lastUncaught = msg;
  }

  /** Run a callback from the event loop: exceptions are printed, never thrown. */
  call(fn: any, thisArg: any, args: any[]): void {
    if (this.dead) return;
    try {
      if (typeof fn === 'string') vm.runInContext(fn, this.context);
      else fn.apply(thisArg, args);
    } catch (e) {
      this.uncaught(e);
    }
  }

  /**
   * Run program text (a file): an exception aborts the rest of it, and is printed. The text is
   * first rewritten so that Node runs its late `var`s as Espruino does (no hoisting: see
   * espruinoCode).
   */
  run(code: string, filename = 'code.js'): boolean {
    try {
      vm.runInContext(espruinoCode(code), this.context, { filename });
      return true;
    } catch (e) {
      this.uncaught(e);
      return false;
    }
  }

  /** Bytes of a string / array / typed array / ArrayBuffer value from the program. */
  toBytes(data: any): Uint8Array {
    if (typeof data === 'string') return bytesOf(data);
    if (data && Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data);
    if (data && ArrayBuffer.isView(data)) return new Uint8Array((data as any).buffer, (data as any).byteOffset, (data as any).byteLength);
    if (Array.isArray(data)) return Uint8Array.from(data, (x: any) => Number(x) & 0xff);
    if (typeof data === 'number') return new Uint8Array([data & 0xff]);
    return bytesOf(String(data));
  }

  // ------------------------------------------------------------------ timers / event queue

  /**
   * Queue fn after ms (virtual). internal=true: an event, not a JS timer (promise reactions,
   * device IO). interval > 0: a JS interval. Returns the timer's id (0 for an event).
   */
  schedule(fn: any, ms: number, args: any[] = [], internal = false, interval = 0): number {
    if (internal) return this.queue.event(fn, ms, args).id;
    return (interval > 0 ? this.queue.interval(fn, interval, args) : this.queue.timeout(fn, ms, args)).id;
  }

  /** The due time of the next queued entry, or undefined. */
  nextDue(): number | undefined {
    return this.queue.nextDue();
  }

  /** Run the next entry due at or before `limit` (setting the clock to its due time). */
  runNext(limit: number): boolean {
    if (this.dead) return false;
    const t = this.queue.take(limit);
    if (!t) return false;
    if (t.internal) {
      try { t.fn(); } catch (e) { this.uncaught(e); }
    } else this.call(t.fn, this.global, t.args);
    return true;
  }

  /** Pending JS timers (for tests/diagnostics). */
  timerCount(): number { return this.queue.count(); }

  /** clearTimeout / clearInterval with the program's arguments (internal). */
  clearTimer(args: IArguments | any[], what: string): void {
    if (args.length === 0) {
      this.queue.clearAll();
      return;
    }
    const id = args[0];
    if (id === undefined) throw this.err(`clear${what}(undefined) not allowed. Use clear${what}() instead`);
    this.queue.clear(id);
  }

  // ------------------------------------------------------------------ events

  /** Emit an E event (init, kill, errorFlag ...) to the program's handlers. */
  emitE(ev: string, args: any[] = []): void {
    const l = this.eHandlers[ev];
    if (!l) return;
    for (const fn of l.slice()) this.call(fn, this.global, args);
  }

  /** Set an Espruino error flag (FIFO_FULL, BUFFER_FULL, UART_OVERFLOW, ...) and tell E.on('errorFlag'). */
  raiseErrorFlag(flag: string): void {
    if (this.errorFlags.has(flag)) return;
    this.errorFlags.add(flag);
    const flags = this.plain(Array.from(this.errorFlags).filter((f) => f !== 'UNCAUGHT'));
    this.schedule(() => this.emitE('errorFlag', [flags]), 0, [], true);
  }

  /** Stop everything: no timer, watch or callback runs any more. */
  kill(): void {
    this.dead = true;
    this.queue.reset();
  }
}
