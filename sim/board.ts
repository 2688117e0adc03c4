// A simulated board (the test-side API, like Zephyr's emulators): an Espruino sandbox
// (sim/espruino.ts) with a board profile's pins and UARTs, flash that survives power cuts, a
// battery-backed clock, virtual time, and the gate's event lines.
//
// The gate firmware reports through console lines `@qg {json}` ({"ev":"decision",...}); the board
// parses them into events {t, event: ev, ...fields}. The board adds its own: relay {on}, led
// {led}, power {state: 'on'|'cut'|'reboot', ...}, watchdog, console {line} (other console lines).
// t is virtual milliseconds since the board was made.
import { BoardProfile, boardProfile } from '../firmware/boards';
import { boardFileOf } from '../boards/index';
import * as crypto from 'crypto';
import { FlashChip, FlashImage, FreeFlash, NativeEmulator } from './flash';
import { EspruinoSandbox, SandboxHost, VirtualClock } from './espruino';
import { NATIVE_ED25519_BASE64, NATIVE_ED25519_ENTRY, NATIVE_ED25519_SIGNATURE } from '../firmware/crypto/native-code.generated';
import { verify } from '../firmware/crypto/ed25519';
import { NATIVE_INFLATE_BASE64 } from '../firmware/native-inflate.generated';
import { inflateRaw } from '../proto/inflate';
import { FlashPlan, reportedOf } from '../tools/board/layout';

export interface BoardEvent { t: number; event: string; [k: string]: any }
/** The watchdog's state in a sandbox (sim/espruino/core.ts). */
type SandboxWatchdog = { timeoutMs: number; auto: boolean; lastKick: number };

/** The Storage geometry of a board (profile name or board id): its board file's (boards/<name>.ts). */
export function flashGeometry(board: string): { size: number; pageSize: number } {
  const b = boardFileOf(board);
  if (!b) throw new Error(`unknown board '${board}'`);
  return { size: b.flash.storageSize, pageSize: b.flash.pageSize };
}

/** The free areas of a board's flash outside Storage as the board reports them (boards/<name>.ts flash.free, with their guards), erased. */
export function freeFlashOf(board: string): FreeFlash {
  const b = boardFileOf(board);
  if (!b) throw new Error(`unknown board '${board}'`);
  return new FreeFlash(reportedOf(b), b.flash.pageSize);
}

/**
 * The machine code the simulator runs in place of Thumb-2 (which it cannot execute): the native
 * Ed25519 verifier (native/ed25519, firmware/crypto/native-code.generated.ts), recognised by its
 * exact bytes at the called address and run as the strict JavaScript verifier it is tested
 * against under qemu-arm (test/native); and the native inflate (native/inflate,
 * firmware/native-inflate.generated.ts), run as proto/inflate.ts inflateRaw with qg_inflate's
 * contract: (used << 16) | outlen, the output written to RAM, or -1 for a stream it refuses. Any
 * other code: undefined (E.nativeCall throws).
 */
export function nativeVerifierEmulator(): NativeEmulator {
  const code = Buffer.from(NATIVE_ED25519_BASE64, 'base64');
  const inflateCode = Buffer.from(NATIVE_INFLATE_BASE64, 'base64');
  const sha512 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha512').update(d).digest());
  return (addr, signature, mem, write) => {
    if (signature === 'int(int,int,int,int)' && Buffer.from(mem(addr, inflateCode.length)).equals(inflateCode)) {
      return (src: number, srclen: number, out: number, maxout: number) => {
        let r;
        try { r = inflateRaw(mem(src, srclen), maxout); } catch (e) { return -1; }
        write(out, r.data);
        return (r.used << 16) | r.data.length;
      };
    }
    if (signature !== NATIVE_ED25519_SIGNATURE || !Buffer.from(mem(addr - NATIVE_ED25519_ENTRY, code.length)).equals(code)) return undefined;
    return (pub: number, sig: number, msg: number, len: number) => {
      let m: Uint8Array;
      if (len & 0x80000000) {
        // the message in pieces (native/ed25519/qg_verify.c): (address, length) pairs at msg
        const n = len & 0xff;
        if ((len & 0x7fffff00) || n === 0 || n > 4) return 0;
        const d = Buffer.from(mem(msg, 8 * n));
        m = Buffer.concat(Array.from({ length: n }, (_, i) => mem(d.readUInt32LE(8 * i), d.readUInt32LE(8 * i + 4))));
      } else m = mem(msg, len);
      return verify(mem(pub, 32), m, mem(sig, 64), sha512) ? 1 : 0;
    };
  };
}

/**
 * Flash a layout (tools/board/layout.ts) as `qrgate flash` leaves it: the image's pages erased and
 * programmed, the Storage files the plan keeps in Storage, then .bootcde (the firmware, or the
 * loader and the firmware's tail).
 */
export function writeLayout(board: SimBoard, plan: FlashPlan, files: { [name: string]: Uint8Array }): void {
  if (plan.image) {
    for (const p of plan.image.pages) board.chip.erasePage(p);
    board.chip.write(plan.image.data, plan.image.addr);
  }
  for (const f of plan.storage) if (f.name !== '.bootcde' && files[f.name]) board.flash.write(f.name, files[f.name]);
  board.flash.write('.bootcde', plan.bootcde);
}

export interface SimBoardOptions {
  /** Profile name or Espruino board id (firmware/boards.ts); default the Espruino WiFi. */
  board?: string;
  /** Flash to use (kept by the caller across boards); default a fresh image of the profile's size. */
  flash?: FlashImage;
  /** The free areas outside Storage (kept by the caller across boards); default erased ones (freeFlashOf). */
  freeFlash?: FreeFlash;
  /** E.nativeCall runs the native verifier's code where it lies in flash (nativeVerifierEmulator); ARM boards only. */
  native?: boolean;
  /** Wall clock at start, seconds since 1970; null/undefined = never set (getTime() counts from boot). */
  clock?: number | null;
  /** The relay input is active high (configuration relay.activeHigh, default true). */
  relayActiveHigh?: boolean;
  /** Extra require() modules (e.g. 'http' from the uplink simulation). */
  modules?: SandboxHost['modules'];
  nativeCall?: SandboxHost['nativeCall'];
  /** An Espruino built with SAVE_ON_FLASH: no atob, btoa, E.CRC32 (SandboxHost.saveOnFlash). */
  saveOnFlash?: boolean;
  seed?: number;
  onConsoleLine?: (line: string) => void;
  onEvent?: (ev: BoardEvent) => void;
}

export class UartHandle {
  constructor(private board: SimBoard, readonly name: string) {}
  /** Bytes arrive on the board's RX (see SimSerial.inject). Lost when the board is off. */
  inject(data: string | Uint8Array, opts: { paced?: boolean } = {}): void {
    const sb = this.board.sandbox;
    if (!sb || sb.dead) return;
    sb.serials[this.name].inject(data, !!opts.paced);
  }
  /**
   * From the next boot on, the program's setup() of this UART throws `message` (null: works
   * again), as Espruino does for pins that cannot carry the UART.
   */
  failSetup(message: string | null): void { this.board.uartSetupErrors[this.name] = message; }
  /** Everything the program wrote to this UART since the board was made. */
  get written(): string { return this.board.uartOut[this.name] || ''; }
  /** Returns and clears what was written. */
  take(): string { const s = this.written; this.board.uartOut[this.name] = ''; return s; }
  /** Baud rate and options of the current setup, or null. */
  get setup(): { baud: number; options: any } | null {
    const sb = this.board.sandbox;
    const s = sb && sb.serials[this.name];
    return s && s.options !== null ? { baud: s.baud, options: s.options } : null;
  }
}

export class PinHandle {
  constructor(private board: SimBoard, readonly name: string) {}
  /** The level on the pin now (what digitalRead would give; false when the board is off). */
  get level(): boolean {
    const sb = this.board.sandbox;
    if (!sb || sb.dead) return false;
    return !!sb.digitalRead(this.name);
  }
  /** True when the program drives the pin as an output. */
  get isOutput(): boolean {
    const sb = this.board.sandbox;
    const p = sb && !sb.dead ? sb.pins.get(this.name) : undefined;
    return !!p && /output|opendrain/.test(p.mode);
  }
  get mode(): string {
    const sb = this.board.sandbox;
    const p = sb && !sb.dead ? sb.pins.get(this.name) : undefined;
    return p ? p.mode : 'input';
  }
  /** Level changes (outputs and driven inputs) since the board was made. */
  get history(): { t: number; level: boolean }[] { return this.board.pinHistory[this.name] || []; }
  /** Drive the pin from outside (a button, a door contact); kept across boots. */
  set(level: boolean): void {
    this.board.inputs[this.name] = level;
    (this.board.pinHistory[this.name] = this.board.pinHistory[this.name] || []).push({ t: this.board.clock.ms, level });
    const sb = this.board.sandbox;
    if (sb && !sb.dead) sb.driveInput(this.name, level);
  }
}

export class SimBoard {
  readonly profile: BoardProfile;
  readonly flash: FlashImage;
  /** The flash outside Storage (require('Flash'), E.memoryArea). */
  readonly freeFlash: FreeFlash;
  /** Storage, the free areas and what Espruino reserves, at their addresses. */
  readonly chip: FlashChip;
  readonly clock = new VirtualClock();
  sandbox: EspruinoSandbox | null = null;
  readonly events: BoardEvent[] = [];
  readonly lines: string[] = [];
  readonly uartOut: { [name: string]: string } = {};
  /** UARTs whose setup() throws (UartHandle.failSetup). */
  readonly uartSetupErrors: { [name: string]: string | null } = {};
  readonly pinHistory: { [name: string]: { t: number; level: boolean }[] } = {};
  readonly inputs: { [name: string]: boolean } = {};
  relayActiveHigh: boolean;
  onConsoleLine: ((line: string) => void) | null;
  onEvent: ((ev: BoardEvent) => void) | null;
  /** Device models on the board's UARTs (a LoRa modem) hear what the program writes, as it writes it. */
  onUartWrite: ((uart: string, data: string) => void) | null = null;
  /** The uplink's network is reachable (scenario `network` steps; uplink simulations read it). */
  network = true;
  private rtcBase: number | null;
  private rtcAt = 0;
  private bootAt = 0;
  private opts: SimBoardOptions;
  private pendingReboot: string | null = null;
  private relayOn = false;
  private ledState = 'off';
  private codeInFlash = false;

  constructor(opts: SimBoardOptions = {}) {
    this.opts = opts;
    this.profile = boardProfile(opts.board);
    if (opts.board && this.profile.name !== opts.board && this.profile.ids.indexOf(opts.board) < 0) {
      throw new Error(`unknown board '${opts.board}'`);
    }
    this.flash = opts.flash || new FlashImage(flashGeometry(this.profile.name));
    this.freeFlash = opts.freeFlash || freeFlashOf(this.profile.name);
    const bf = boardFileOf(this.profile.name)!;
    this.chip = new FlashChip(this.flash, bf.flash.storageStart, this.freeFlash, bf.flash.reserved,
      opts.native && this.profile.arm ? nativeVerifierEmulator() : undefined);
    this.rtcBase = opts.clock === undefined ? null : opts.clock;
    this.relayActiveHigh = opts.relayActiveHigh === undefined ? true : opts.relayActiveHigh;
    this.onConsoleLine = opts.onConsoleLine || null;
    this.onEvent = opts.onEvent || null;
    this.flash.onTear = () => this.cutPower(true);
  }

  // ------------------------------------------------------------------ clock

  /** getTime(): seconds since 1970, or since boot when the clock was never set. */
  now(): number {
    if (this.rtcBase === null) return (this.clock.ms - this.bootAt) / 1000;
    return this.rtcBase + (this.clock.ms - this.rtcAt) / 1000;
  }
  /** Set the battery-backed clock (seconds since 1970), or null: never set. */
  setClock(seconds: number | null): void {
    this.rtcBase = seconds;
    this.rtcAt = this.clock.ms;
  }
  get clockSet(): boolean { return this.rtcBase !== null; }

  // ------------------------------------------------------------------ power

  get powered(): boolean { return !!this.sandbox && !this.sandbox.dead; }

  /** Power on (RAM fresh, flash kept) and run `code` as the program; then E.on('init'). */
  boot(code: string, opts: { codeInFlash?: boolean; filename?: string; soft?: boolean } = {}): void {
    this.start(opts.codeInFlash || false, opts.soft ? this.liveWatchdog() : null);
    this.emit({ event: 'power', state: 'on' });
    this.sandbox!.run(code, opts.filename || 'code.js');
    this.afterLoad();
  }

  /**
   * Power on and boot from flash as Espruino does: .boot0 .. .boot3, then .bootcde (each file's
   * exception aborts only that file), then E.on('init'). Returns false when flash holds no code.
   */
  powerOn(opts: { soft?: boolean } = {}): boolean {
    this.start(true, opts.soft ? this.liveWatchdog() : null);
    this.emit({ event: 'power', state: 'on' });
    return this.loadFromFlash();
  }

  private loadFromFlash(): boolean {
    let any = false;
    for (const f of ['.boot0', '.boot1', '.boot2', '.boot3', '.bootcde']) {
      const code = this.flash.readString(f);
      if (code === undefined) continue;
      any = true;
      this.sandbox!.run(code, f);
      if (!this.powered) return any;
    }
    this.afterLoad();
    return any;
  }

  private afterLoad(): void {
    const sb = this.sandbox;
    if (!sb || sb.dead) return;
    sb.emitE('init');
  }

  /** The running interpreter's watchdog (none after a power cut), for a soft restart to keep. */
  private liveWatchdog(): SandboxWatchdog | null {
    return this.sandbox && !this.sandbox.dead ? this.sandbox.watchdog : null;
  }

  /**
   * A fresh interpreter. A soft restart (reset(), load(): Espruino's soft init) passes the
   * hardware watchdog it keeps, auto-kicking or not (Espruino's JSIS_SOFTINIT_MASK keeps
   * JSIS_WATCHDOG_AUTO: "watchdog can't be reset without a reboot"); a power-on or a hardware
   * restart has none.
   */
  private start(codeInFlash: boolean, wd: SandboxWatchdog | null = null): void {
    if (this.sandbox) this.sandbox.kill();
    this.flash.repower();
    this.codeInFlash = codeInFlash;
    this.bootAt = this.clock.ms;
    this.pendingReboot = null;
    const board = this;
    const host: SandboxHost = {
      profile: this.profile,
      flash: this.flash,
      clock: this.clock,
      wallSeconds: () => board.now(),
      setWallSeconds: (s) => board.setClock(s),
      print: (line) => board.consoleLine(line),
      onPin: (pin, level) => board.pinChanged(pin, level),
      onPinMode: () => board.updateOutputs(),
      onUartWrite: (uart, data) => {
        board.uartOut[uart] = (board.uartOut[uart] || '') + data;
        if (board.onUartWrite) board.onUartWrite(uart, data);
      },
      uartSetupError: (uart) => board.uartSetupErrors[uart] || null,
      modules: this.opts.modules,
      onReboot: (reason) => { board.pendingReboot = reason; },
      codeInFlash,
      nativeCall: this.opts.nativeCall,
      saveOnFlash: this.opts.saveOnFlash,
      chip: this.chip,
      seed: this.opts.seed,
    };
    this.sandbox = new EspruinoSandbox(host);
    if (wd) this.sandbox.watchdog = { timeoutMs: wd.timeoutMs, auto: wd.auto, lastKick: wd.auto ? this.clock.ms : wd.lastKick };
    for (const name of Object.keys(this.inputs)) this.sandbox.driveInput(name, this.inputs[name]);
    this.updateOutputs();
  }

  /** Remove power at once: RAM and timers are lost, flash keeps what was written. */
  powerCut(): void {
    this.cutPower(false);
  }

  private cutPower(torn: boolean): void {
    if (!this.sandbox || this.sandbox.dead) return;
    this.sandbox.kill();
    this.emit({ event: 'power', state: 'cut', ...(torn ? { torn: true } : {}) });
    this.updateOutputs();
  }

  /** The next flash write is cut after `bytes` bytes of data and power is lost (FlashImage.armTear). */
  armTear(bytes: number, mode: 'data' | 'flash' = 'data'): void {
    this.flash.armTear(bytes, mode);
  }

  private reboot(reason: string): void {
    this.emit({ event: 'power', state: 'reboot', reason });
    const sb = this.sandbox!;
    if (reason !== 'watchdog') sb.emitE('kill');
    const wd = sb.watchdog;
    sb.kill();
    if (reason === 'reset') {
      this.start(false, wd);
      this.afterLoad();
    } else {
      this.start(true);
      this.loadFromFlash();
    }
  }

  // ------------------------------------------------------------------ time

  /**
   * The program is stuck for `ms` of virtual time (a loop that never ends, a decision far too
   * long for the board): no timer, event or scan runs meanwhile; what is due runs late, after it,
   * as on a board. The hardware goes on: a watchdog not kicked for its timeout restarts the
   * board (one that auto-kicks is kicked only from the idle loop, which does not run either).
   */
  hang(ms: number): void {
    if (!(ms >= 0)) throw new Error('hang: ms must be >= 0');
    const end = this.clock.ms + ms;
    const sb = this.sandbox;
    if (sb && !sb.dead && sb.watchdog.timeoutMs > 0) {
      const since = sb.watchdog.auto ? this.clock.ms : sb.watchdog.lastKick;
      const fire = since + sb.watchdog.timeoutMs;
      if (fire <= end) {
        this.clock.ms = Math.max(this.clock.ms, fire);
        this.emit({ event: 'watchdog' });
        this.reboot('watchdog');
        this.advance(end - this.clock.ms);
        return;
      }
    }
    this.clock.ms = end;
  }

  /** Run the program for `ms` of virtual time (0: run what is due now). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('advance: ms must be >= 0');
    const target = this.clock.ms + ms;
    let n = 0;
    // A firmware that restarts the board as it boots is a reboot loop: one restart per instant
    // of virtual time, the next one at the next call (a board restarting takes time too), never
    // an endless loop here.
    let rebootedAt = -1;
    const rebootNow = (): boolean => {
      if (!this.pendingReboot || !this.sandbox || this.sandbox.dead) return false;
      if (rebootedAt === this.clock.ms) return false;
      rebootedAt = this.clock.ms;
      const r = this.pendingReboot;
      this.pendingReboot = null;
      this.reboot(r);
      return true;
    };
    for (;;) {
      if (this.pendingReboot && rebootedAt === this.clock.ms) break;
      rebootNow();
      const sb = this.sandbox;
      if (!sb || sb.dead) break;
      const wd = sb.watchdog;
      if (wd.timeoutMs > 0 && !wd.auto) {
        const deadline = wd.lastKick + wd.timeoutMs;
        const next = sb.nextDue();
        if (deadline <= target && (next === undefined || deadline < next)) {
          this.clock.ms = Math.max(this.clock.ms, deadline);
          this.emit({ event: 'watchdog' });
          this.reboot('watchdog');
          continue;
        }
      }
      if (!sb.runNext(target)) break;
      if (++n > 2000000) throw new Error('advance: more than 2000000 callbacks (a runaway interval?)');
    }
    if (rebootNow()) this.advance(0);
    if (this.clock.ms < target) this.clock.ms = target;
  }

  /** Run everything due now. */
  run(): void { this.advance(0); }

  // ------------------------------------------------------------------ devices

  uart(name: string): UartHandle { return new UartHandle(this, name); }
  pin(name: string): PinHandle { return new PinHandle(this, name); }
  /** The scanner's UART (from the profile). */
  scanner(): UartHandle { return this.uart(this.profile.scanner.serial); }

  /**
   * Is the relay coil energised? The relay module is wired as README "Wiring" says: its input has
   * a pull resistor to its de-energising level (a pull-down on an active-high module, a pull-up on
   * an active-low one), stronger than the MCU's internal pulls. So the coil is energised only
   * when the pin DRIVES the active level: a push-pull output at that level, or an open-drain
   * output pulling low into an active-low module. An input (high impedance, with or without the
   * MCU's weak pull), an open-drain output left high, or a board without power: de-energised,
   * whichever the polarity.
   */
  relay(): boolean { return this.relayOn; }
  /** 'green' | 'red' | 'amber' | 'off', or several joined with '+'. */
  led(): string { return this.ledState; }

  /**
   * A buzzer on an output pin (door.buzzer), sounding while the pin is at `activeHigh`: did it
   * sound at any time within the last `windowMs` (a pattern's period: an alarm's is 500 ms on,
   * 500 ms off)? False when the program does not drive the pin.
   */
  buzzing(pin: string, activeHigh = true, windowMs = 1000): boolean {
    const now = this.outputLevel(pin);
    if (now === null) return false;
    if (now === activeHigh) return true;
    const since = this.clock.ms - windowMs;
    return (this.pinHistory[pin] || []).some((h) => h.t > since && h.level === activeHigh);
  }

  memory(): { usage: number; total: number } {
    const sb = this.sandbox;
    return { usage: sb && !sb.dead ? sb.memoryUsage() : 0, total: this.profile.vars };
  }

  /** The latest decision event, if any. */
  lastDecision(): BoardEvent | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].event === 'decision') return this.events[i];
    return undefined;
  }

  private pinChanged(pin: string, level: boolean): void {
    (this.pinHistory[pin] = this.pinHistory[pin] || []).push({ t: this.clock.ms, level });
    this.updateOutputs();
  }

  private outputLevel(pin: string): boolean | null {
    const sb = this.sandbox;
    if (!sb || sb.dead) return null;
    const p = sb.pins.get(pin);
    if (!p || !/output|opendrain/.test(p.mode)) return null;
    return p.out;
  }

  /** The level the program drives on a pin (null: not driven, high impedance). */
  private drivenLevel(pin: string): boolean | null {
    const sb = this.sandbox;
    if (!sb || sb.dead) return null;
    const p = sb.pins.get(pin);
    if (!p) return null;
    if (p.mode === 'output' || p.mode === 'af_output') return p.out;
    if (/opendrain/.test(p.mode)) return p.out ? null : false; // open drain: only low is driven
    return null;
  }

  /** Recompute the relay coil and the LEDs from the pins (after a level or mode change). */
  updateOutputs(): void {
    const r = this.drivenLevel(this.profile.relay);
    const relay = r !== null && r === this.relayActiveHigh;
    if (relay !== this.relayOn) {
      this.relayOn = relay;
      this.emit({ event: 'relay', on: relay });
    }
    const on: string[] = [];
    for (const c of ['green', 'red', 'amber'] as const) if (this.outputLevel(this.profile.led[c]) === true) on.push(c);
    const led = on.length ? on.join('+') : 'off';
    if (led !== this.ledState) {
      this.ledState = led;
      this.emit({ event: 'led', led });
    }
  }

  // ------------------------------------------------------------------ console and events

  private consoleLine(text: string): void {
    if (!this.powered) return;
    for (const line of String(text).split(/\r?\n/)) {
      this.lines.push(line);
      if (this.onConsoleLine) this.onConsoleLine(line);
      if (line.indexOf('@qg ') === 0) {
        let o: any;
        try { o = JSON.parse(line.slice(4)); } catch (e) { o = null; }
        if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.ev === 'string') {
          const ev: BoardEvent = { t: 0, event: o.ev };
          for (const k of Object.keys(o)) if (k !== 'ev' && k !== 't' && k !== 'event') ev[k] = o[k];
          this.emit(ev);
          continue;
        }
        this.emit({ event: 'console', line, bad: true });
        continue;
      }
      this.emit({ event: 'console', line });
    }
  }

  /** Record an event (board-made or from a scenario player) at the current virtual time. */
  emit(ev: { event: string; [k: string]: any }): BoardEvent {
    const e: BoardEvent = { ...ev, t: this.clock.ms } as BoardEvent;
    const ordered: BoardEvent = { t: e.t, event: e.event } as BoardEvent;
    for (const k of Object.keys(e)) if (k !== 't' && k !== 'event') ordered[k] = e[k];
    this.events.push(ordered);
    if (this.onEvent) this.onEvent(ordered);
    return ordered;
  }
}
