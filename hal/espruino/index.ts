// The hal interfaces over Espruino's globals. This is the only device code that touches them;
// everything else receives these objects from the board wiring (firmware/main.ts).
import {
  SerialPort, OutputPin, InputPin, Clock, Timers, FlashStorage, Hashes, Console, MemoryInfo, Watchdog,
} from '../types';

// Espruino globals, declared here only (module scope: they do not leak into other files).
declare var Serial1: any;
declare var Serial2: any;
declare var Serial3: any;
declare var Serial4: any;
declare var E: any;
declare var process: any;
declare function require(name: string): any;
declare function digitalWrite(pin: any, value: any): void;
declare function digitalRead(pin: any): number;
declare function pinMode(pin: any, mode: string): void;
declare function setWatch(fn: (e: any) => void, pin: any, opts: any): number;
declare function clearWatch(id: number): void;
declare function getTime(): number;
declare function setTime(s: number): void;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;
declare function setInterval(fn: () => void, ms: number): number;
declare function clearInterval(id: number): void;
declare var console: { log(s: string): void };

/** Espruino's process.env.BOARD, e.g. "PICO_R1_3", "ESPRUINOWIFI", "LINUX". */
export function boardId(): string {
  return (process && process.env && process.env.BOARD) || '';
}

/** Firmware version of the interpreter (process.env.VERSION). */
export function interpreterVersion(): string {
  return (process && process.env && process.env.VERSION) || '';
}

function serialByName(name: string): any {
  switch (name) {
    case 'Serial1': return Serial1;
    case 'Serial2': return Serial2;
    case 'Serial3': return Serial3;
    case 'Serial4': return Serial4;
  }
  throw new Error('no UART ' + name);
}

function EspruinoSerial(this: any, name: string, baud: number, rx: string, tx: string) {
  var s = serialByName(name);
  s.setup(baud, { rx: rx, tx: tx });
  this.s = s;
  this.cb = null;
  var self = this;
  s.on('data', function (d: string) { if (self.cb) self.cb(d); });
}
EspruinoSerial.prototype.write = function (this: any, data: string) { this.s.write(data); };
EspruinoSerial.prototype.onData = function (this: any, cb: ((chunk: string) => void) | null) { this.cb = cb; };

/** A UART set up at `baud` on the given pins. */
export function serialPort(name: string, baud: number, rx: string, tx: string): SerialPort {
  return new (EspruinoSerial as any)(name, baud, rx, tx);
}

function EspruinoOutput(this: any, pin: string) {
  this.pin = pin;
  this.level = false;
  pinMode(pin, 'output');
}
EspruinoOutput.prototype.write = function (this: any, on: boolean) { this.level = on; digitalWrite(this.pin, on ? 1 : 0); };
EspruinoOutput.prototype.read = function (this: any) { return this.level; };

export function outputPin(pin: string): OutputPin {
  return new (EspruinoOutput as any)(pin);
}

function EspruinoInput(this: any, pin: string, pull: string) {
  this.pin = pin;
  pinMode(pin, pull === 'up' ? 'input_pullup' : pull === 'down' ? 'input_pulldown' : 'input');
}
EspruinoInput.prototype.read = function (this: any) { return !!digitalRead(this.pin); };
EspruinoInput.prototype.watch = function (this: any, cb: (level: boolean) => void, debounceMs: number) {
  return setWatch(function (e: any) { cb(!!e.state); }, this.pin, { repeat: true, edge: 'both', debounce: debounceMs });
};
EspruinoInput.prototype.unwatch = function (id: number) { clearWatch(id); };

export function inputPin(pin: string, pull?: string): InputPin {
  return new (EspruinoInput as any)(pin, pull || '');
}

export function clock(): Clock {
  return {
    now: function () { return getTime(); },
    set: function (s: number) { setTime(s); },
  };
}

export function timers(): Timers {
  return {
    setTimeout: function (cb: () => void, ms: number) { return setTimeout(cb, ms); },
    clearTimeout: function (id: number) { clearTimeout(id); },
    setInterval: function (cb: () => void, ms: number) { return setInterval(cb, ms); },
    clearInterval: function (id: number) { clearInterval(id); },
  };
}

function toByteString(data: Uint8Array | string): string {
  if (typeof data === 'string') return data;
  var s = '';
  for (var i = 0; i < data.length; i += 256) s += String.fromCharCode.apply(null, data.subarray(i, i + 256) as any);
  return s;
}

/** Espruino's Storage (flash) as FlashStorage; reads are memory-mapped (zero RAM). */
export function storage(): FlashStorage {
  var S = require('Storage');
  return {
    readBytes: function (name: string) {
      var ab = S.readArrayBuffer(name);
      return ab === undefined ? undefined : new Uint8Array(ab);
    },
    readText: function (name: string) { return S.read(name); },
    write: function (name: string, data: Uint8Array | string, offset?: number, size?: number) {
      var d = toByteString(data);
      if (offset === undefined) S.write(name, d);
      else if (size === undefined) S.write(name, d, offset);
      else S.write(name, d, offset, size);
    },
    erase: function (name: string) { S.erase(name); },
    list: function (prefix?: string) {
      var all: string[] = S.list();
      if (!prefix) return all;
      var out: string[] = [];
      for (var i = 0; i < all.length; i++) if (all[i].indexOf(prefix) === 0) out.push(all[i]);
      return out;
    },
    getFree: function () { return S.getFree(); },
  };
}

/**
 * Hashes through require('crypto') where the board has them natively, else the given JS ones.
 * Espruino's crypto.SHA256/SHA512 take a string or array and return an ArrayBuffer.
 */
export function hashes(js: Hashes): Hashes {
  var c: any = null;
  try { c = require('crypto'); } catch (e) { c = null; }
  var has256 = !!(c && c.SHA256);
  var has512 = !!(c && c.SHA512);
  return {
    sha256: has256 ? function (d: Uint8Array) { return new Uint8Array(c.SHA256(d)); } : js.sha256,
    sha512: has512 ? function (d: Uint8Array) { return new Uint8Array(c.SHA512(d)); } : js.sha512,
  };
}

export function consoleOut(): Console {
  return { log: function (line: string) { console.log(line); } };
}

export function memory(): MemoryInfo {
  return {
    usage: function () { return process.memory().usage; },
    total: function () { return process.memory().total; },
  };
}

export function watchdog(): Watchdog {
  return {
    enable: function (seconds: number) { E.enableWatchdog(seconds, false); },
    kick: function () { E.kickWatchdog(); },
  };
}

/** Run fn once the interpreter has finished loading (E.on('init') for saved code, else next tick). */
export function onStart(fn: () => void): void {
  setTimeout(fn, 0);
}
