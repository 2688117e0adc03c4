// Hardware abstraction: interfaces only. `hal/espruino/` implements them over Espruino's
// globals, `sim/` over virtual devices. Device code (firmware/, drivers/) sees only these.
//
// Rules (after Tock's HIL and ECMA-419):
//  - small interfaces, one concern each;
//  - callbacks are "client" callbacks registered once (on* setters), never called synchronously
//    from the method that starts an operation;
//  - bytes are Uint8Array, text from a UART is a string of char codes 0..255 (as Espruino gives it).

/** A UART. `onData` receives chunks as the interpreter delivers them (up to ~32 chars on boards). */
export interface SerialPort {
  write(data: string): void;
  /** Register (or clear with null) the receiver of incoming chunks. */
  onData(cb: ((chunk: string) => void) | null): void;
}

/** One digital output pin. */
export interface OutputPin {
  write(on: boolean): void;
  read(): boolean;
}

/**
 * A line that is driven only while asked to and is otherwise released (an input: high
 * impedance), so that the wiring's pull resistor sets its level. The door relay's line: the
 * relay module is wired so that a released line leaves its coil de-energised whatever its
 * polarity (README "Wiring"), hence the gate drives it only to energise the coil.
 */
export interface RelayLine {
  /** Drive the line to this level (an output). */
  drive(level: boolean): void;
  /** Let go of the line (an input, no pull): the wiring decides its level. */
  release(): void;
}

/** One digital input pin with edge notification (door contact, exit button). */
export interface InputPin {
  read(): boolean;
  /** Called on every debounced edge with the new level; returns an id for `unwatch`. */
  watch(cb: (level: boolean) => void, debounceMs: number): number;
  unwatch(id: number): void;
}

/** Wall clock. Espruino's getTime()/setTime(). */
export interface Clock {
  /** Seconds since 1970 (fractional). A board that was never set counts from 0 at boot. */
  now(): number;
  set(seconds: number): void;
}

/** Monotonic-enough timers (Espruino setTimeout/setInterval). */
export interface Timers {
  setTimeout(cb: () => void, ms: number): number;
  clearTimeout(id: number): void;
  setInterval(cb: () => void, ms: number): number;
  clearInterval(id: number): void;
}

/**
 * Named files in flash with Espruino Storage's rules: a file is written once (bytes that were
 * not erased cannot be rewritten with different data); `write` with `size` creates a file of that
 * size whose later parts are filled by further writes at an offset; `erase` removes it.
 * Names are at most 28 characters.
 */
export interface FlashStorage {
  /** File contents as bytes, read in place where the platform can (zero RAM), or undefined. */
  readBytes(name: string): Uint8Array | undefined;
  /** File contents as a (byte) string, read in place where possible, or undefined. */
  readText(name: string): string | undefined;
  /** Write data (bytes or byte string) at offset; `size` when creating a larger file to fill later. */
  write(name: string, data: Uint8Array | string, offset?: number, size?: number): void;
  erase(name: string): void;
  list(prefix?: string): string[];
  /** Free bytes for new files. */
  getFree(): number;
}

/** Hashes, native where the board has them. */
export interface Hashes {
  sha256(data: Uint8Array): Uint8Array;
  /** SHA-256 of a byte string (one char per byte), hashed as it is: no copy into bytes. */
  sha256Text(text: string): Uint8Array;
  sha512(data: Uint8Array): Uint8Array;
}

/**
 * Espruino's built-ins that DIVOC's reading uses where the board's firmware has them (builds with
 * SAVE_ON_FLASH leave them out): atob and btoa over byte strings, E.toUint8Array of a byte string,
 * E.CRC32 (unsigned), E.toString of bytes, JSON.parse/stringify, Object.keys/values.
 * proto/base64.ts, proto/zip.ts and proto/jsonnative.ts use them with the same answers as their
 * TypeScript code (proto/divoc/verify.ts DivocBuiltins).
 */
export interface Builtins {
  atob(s: string): string;
  btoa(s: string): string;
  bytes(s: string): Uint8Array;
  crc32(b: Uint8Array): number;
  text(b: Uint8Array): string;
  parse(s: string): any;
  stringify(v: any): string;
  keys(o: any): string[];
  values(o: any): any[];
}

/** The console line sink (USB console on a board), used for event lines and status. */
export interface Console {
  log(line: string): void;
}

/** Memory figures (Espruino process.memory()). */
export interface MemoryInfo {
  usage(): number;
  total(): number;
  /** Variables free now (total - usage), in one reading (Espruino's process.memory() collects garbage first). */
  free?(): number;
}

/** Watchdog (E.enableWatchdog / E.kickWatchdog); may be a no-op. */
export interface Watchdog {
  enable(seconds: number): void;
  kick(): void;
}

/**
 * An HTTP client (Espruino's require('http') on a board, Node's in the simulator). One request
 * at a time is the caller's business. `cb` is always called exactly once and never synchronously
 * from `request`: with the status and body of the answer, or with status 0 and an error text when
 * no answer came (connection refused, timeout, network down).
 */
export interface HttpClient {
  request(url: string, method: string, headers: { [name: string]: string }, body: Uint8Array,
    cb: (status: number, body: Uint8Array, error: string) => void): void;
}
