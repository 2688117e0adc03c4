// The hal interfaces over Espruino's globals. This is the only device code that touches them;
// everything else receives these objects from the board wiring (firmware/main.ts).
import {
  SerialPort, OutputPin, RelayLine, Clock, Timers, FlashStorage, Hashes, Console, MemoryInfo, Watchdog,
  HttpClient,
} from '../types';

// Espruino globals, declared here only (module scope: they do not leak into other files).
declare var Serial1: any;
declare var Serial2: any;
declare var Serial3: any;
declare var Serial4: any;
declare var E: any;
declare var process: any;
declare function require(name: string): any;
declare function atob(base64: string): string;
declare function digitalWrite(pin: any, value: any): void;
declare function pinMode(pin: any, mode: string): void;
declare function getTime(): number;
declare function setTime(s: number): void;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;
declare var console: { log(s: string): void };
declare var NRF: any;
declare var global: any;

/** Espruino's process.env.BOARD (the ids in boards/<name>.ts select the board's profile). */
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

// The relay's line: pinMode(pin, 'input') releases it. The mode set by pinMode is "manual", so
// digitalWrite only sets the output latch (jshPinOutput leaves a manual pin's mode alone): the
// level is latched first and the driver enabled after it, so no other level ever shows.
function EspruinoRelayLine(this: any, pin: string) {
  this.pin = pin;
  pinMode(pin, 'input');
}
EspruinoRelayLine.prototype.drive = function (this: any, level: boolean) {
  digitalWrite(this.pin, level ? 1 : 0);
  pinMode(this.pin, 'output');
};
EspruinoRelayLine.prototype.release = function (this: any) { pinMode(this.pin, 'input'); };

/** A relay line, released (input, high impedance) from the start. */
export function relayLine(pin: string): RelayLine {
  return new (EspruinoRelayLine as any)(pin);
}

// Input pins (door contact, exit button): hal/espruino/input.ts, a module of its own so that the
// door's lazy part (firmware/doorwatch.ts) carries only that code.
export { inputPin } from './input';

export function clock(): Clock {
  return {
    now: function () { return getTime(); },
    set: function (s: number) { setTime(s); },
  };
}

/**
 * Timers. An interval is a chain of timeouts, each armed before the callback runs, not Espruino's
 * setInterval: when a callback runs out of memory, Espruino 2v29 marks execution interrupted and
 * removes every interval that runs in the rest of that pass over the timers
 * (src/jsinteractive.c, jsiIdle: "Ctrl-C while processing interval - removing it"); timeouts
 * still run (test/real/timers.test.ts shows both). The relay's safety check is such an interval:
 * as an Espruino interval one out-of-memory decision would silently remove it.
 */
export function timers(): Timers {
  var chains: { [id: number]: number } = {};
  var last = 0;
  return {
    setTimeout: function (cb: () => void, ms: number) { return setTimeout(cb, ms); },
    clearTimeout: function (id: number) { clearTimeout(id); },
    setInterval: function (cb: () => void, ms: number) {
      var id = ++last;
      var tick = function () {
        chains[id] = setTimeout(tick, ms); // armed first: a callback that throws or runs out keeps it
        cb();
      };
      chains[id] = setTimeout(tick, ms);
      return id;
    },
    clearInterval: function (id: number) {
      var t = chains[id];
      if (t === undefined) return;
      delete chains[id];
      clearTimeout(t);
    },
  };
}

/**
 * Bytes as a byte string, 16 at a time: `apply` makes a variable of each byte it passes, so 256 at
 * a time (until session 13) took about 270 variables for a moment at every journal write, and the
 * Original ran out of memory there. The end of each chunk is clamped by hand: Espruino's
 * subarray(begin, end) does not clamp `end` to the length (it reads zeros past the end), so the
 * last chunk would otherwise pad the data with zeros up to a multiple of 16.
 */
export function toByteString(data: Uint8Array | string): string {
  if (typeof data === 'string') return data;
  var s = '';
  for (var i = 0; i < data.length; i += 16) {
    s += String.fromCharCode.apply(null, data.subarray(i, Math.min(i + 16, data.length)) as any);
  }
  return s;
}

/**
 * A file, from Storage or, when Storage has none of that name, from where `qrgate flash` placed
 * it outside Storage (tools/board/layout.ts): the loader .bootcde's first line
 * `//qg:NAME@ADDR+LEN,...` says where, and E.memoryArea reads it in place (zero RAM).
 */
export function placedFile(name: string): string | undefined {
  var S = require('Storage');
  var s = S.read(name);
  if (s !== undefined) return s;
  var h = S.read('.bootcde');
  if (!h || h.slice(0, 5) !== '//qg:') return undefined;
  var e = h.slice(5, h.indexOf('\n')).split(',');
  for (var i = 0; i < e.length; i++) {
    var at = e[i].indexOf('@');
    var plus = e[i].indexOf('+');
    if (at > 0 && plus > at && e[i].slice(0, at) === name) {
      return E.memoryArea(parseInt(e[i].slice(at + 1, plus), 10), parseInt(e[i].slice(plus + 1), 10));
    }
  }
  return undefined;
}

/** Espruino's Storage (flash) as FlashStorage; reads are memory-mapped (zero RAM). */
export function storage(): FlashStorage {
  var S = require('Storage');
  return {
    readBytes: function (name: string) {
      var s = placedFile(name);
      return s === undefined ? undefined : new Uint8Array(E.toArrayBuffer(s));
    },
    readText: function (name: string) { return placedFile(name); },
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
 * Espruino's crypto.SHA256/SHA512 take a string or array and return an ArrayBuffer, so one native
 * function serves both sha256 and sha256Text; without it a byte string is copied into bytes
 * (E.toUint8Array) for the JS hash. Null when there is no SHA-256 at all: no native one and no
 * JavaScript one given (a firmware built without it, firmware/build-flags.ts QG_JS_SHA256, on an
 * Espruino without crypto). A missing SHA-512 (given none) is one that throws.
 */
export function hashes(js: { sha256: Hashes['sha256'] | null; sha512: Hashes['sha512'] | null }): Hashes | null {
  var c: any = null;
  try { c = require('crypto'); } catch (e) { c = null; }
  var has256 = !!(c && c.SHA256);
  var has512 = !!(c && c.SHA512);
  var n256 = has256 ? function (d: Uint8Array | string) { return new Uint8Array(c.SHA256(d)); } : null;
  var j256 = js.sha256;
  if (!n256 && !j256) return null;
  return {
    sha256: n256 || j256!,
    sha256Text: n256 || function (s: string) { return j256!(E.toUint8Array(s)); },
    sha512: has512 ? function (d: Uint8Array) { return new Uint8Array(c.SHA512(d)); } : js.sha512 || function () { throw new Error('no SHA-512'); },
  };
}

export function consoleOut(): Console {
  return { log: function (line: string) { console.log(line); } };
}

export function memory(): MemoryInfo {
  return {
    // (one process.memory() call, so one garbage collection, for free variables)
    free: function () { return process.memory().free; },
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

/**
 * 32 random bits from the hardware (E.hwRand) where the interpreter has it, else Math.random:
 * Espruino seeds Math.random from hardware at boot only on some ports (STM32, nRF5x), so a
 * nonce drawn with it could repeat after a reboot elsewhere (ESP32, Linux).
 */
export function hwRandom32(): number {
  return typeof E !== 'undefined' && E.hwRand ? E.hwRand() >>> 0 : Math.floor(Math.random() * 4294967296);
}

/** Run fn once the interpreter has finished loading (E.on('init') for saved code, else next tick). */
export function onStart(fn: () => void): void {
  setTimeout(fn, 0);
}

// ---- network (entry-log uplink over Wi-Fi)

/** Splits "http://host[:port]/path" (or https); null when it is not such an address. No RegExp on the device. */
export function parseUrl(url: string): { protocol: string; host: string; port: number; path: string } | null {
  var i = url.indexOf('://');
  if (i < 0) return null;
  var protocol = url.substring(0, i).toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') return null;
  var rest = url.substring(i + 3);
  var slash = rest.indexOf('/');
  var hostPort = slash < 0 ? rest : rest.substring(0, slash);
  var path = slash < 0 ? '/' : rest.substring(slash);
  var port = protocol === 'https' ? 443 : 80;
  var host = hostPort, portText = '';
  if (hostPort.charAt(0) === '[') {
    var close = hostPort.indexOf(']');
    if (close < 0) return null;
    host = hostPort.substring(1, close);
    var after = hostPort.substring(close + 1);
    if (after.length) {
      if (after.charAt(0) !== ':') return null;
      portText = after.substring(1);
      if (!portText.length) return null;
    }
  } else {
    var colon = hostPort.indexOf(':');
    if (colon >= 0) {
      host = hostPort.substring(0, colon);
      portText = hostPort.substring(colon + 1);
      if (!portText.length) return null;
    }
  }
  if (portText.length) {
    if (portText.length > 5) return null;
    port = 0;
    for (var k = 0; k < portText.length; k++) {
      var c = portText.charCodeAt(k);
      if (c < 48 || c > 57) return null;
      port = port * 10 + c - 48;
    }
    if (port < 1 || port > 65535) return null;
  }
  if (!host.length) return null;
  return { protocol: protocol + ':', host: host, port: port, path: path };
}

// (not E.toUint8Array: this client also runs over Node's http in test/hal/espruino/index.test.ts)
function bytesOfString(s: string): Uint8Array {
  var b = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}

/**
 * HttpClient over require('http'). The callback always comes from an event (never synchronously):
 * on the Linux build a refused connection throws from request(), which is caught and reported
 * from a timeout.
 */
export function httpClient(): HttpClient {
  return {
    request: function (url: string, method: string, headers: { [name: string]: string }, body: Uint8Array,
      cb: (status: number, body: Uint8Array, error: string) => void) {
      var done = false;
      var finish = function (status: number, b: Uint8Array, err: string) {
        if (done) return;
        done = true;
        setTimeout(function () { cb(status, b, err); }, 0);
      };
      var u = parseUrl(url);
      if (!u) { finish(0, new Uint8Array(0), 'bad url ' + url); return; }
      var h: any = {};
      for (var k in headers) h[k] = headers[k];
      h['Content-Length'] = String(body.length);
      h['Connection'] = 'close';
      try {
        var req = require('http').request({ host: u.host, port: u.port, path: u.path, method: method, protocol: u.protocol, headers: h },
          function (res: any) {
            var data = '';
            var status = parseInt(String(res.statusCode), 10) || 0;
            res.on('data', function (d: string) { data += d; });
            var end = function () { finish(status, bytesOfString(data), ''); };
            res.on('close', end);
            res.on('end', end);
            res.on('error', function (e: any) { finish(0, new Uint8Array(0), String((e && e.message) || e)); });
          });
        req.on('error', function (e: any) { finish(0, new Uint8Array(0), String((e && e.message) || e)); });
        req.end(toByteString(body));
      } catch (e) {
        finish(0, new Uint8Array(0), String((e as any).message || e));
      }
    },
  };
}

/**
 * Joins a Wi-Fi network through the board's module (its profile's `wifi`: 'EspruinoWiFi' on the
 * Espruino WiFi, 'Wifi' on ESP32 and ESP8266). cb(error or null), never synchronously. Without a
 * module (none, or the firmware lacks it) the call fails, but on the host (the profile's `host`:
 * the Linux build uses the host's network) it calls back at once with null.
 */
export function wifiConnect(module: string, host: boolean, ssid: string, password: string, cb: (err: string | null) => void): void {
  var w: any = null;
  try {
    w = module ? require(module) : null;
  } catch (e) {
    w = null;
  }
  if (!w) {
    setTimeout(function () { cb(host ? null : 'no Wi-Fi module'); }, 0);
    return;
  }
  var called = false;
  try {
    w.connect(ssid, { password: password }, function (err: any) {
      if (called) return;
      called = true;
      setTimeout(function () { cb(err ? String((err && err.message) || err) : null); }, 0);
    });
  } catch (e) {
    if (!called) {
      called = true;
      var msg = String((e as any).message || e);
      setTimeout(function () { cb(msg); }, 0);
    }
  }
}

/**
 * Machine code kept in a Storage file and run in place through E.nativeCall (official ARM
 * boards). `base64` gives the code as base64 text, decoded here with the interpreter's atob; the
 * file is written when it is missing or differs from the decoded code (which must be `size`
 * bytes). With `base64` null the file is only read (the host wrote it) and must be there with
 * `size` bytes. Returns null where native code cannot run here (no E.nativeCall, no such file,
 * or the file is not 4-byte aligned in memory-mapped flash).
 */
export function nativeFunction(file: string, base64: (() => string) | null, size: number, entry: number,
  signature: string): ((a: number, b: number, c: number, d: number) => number) | null {
  if (typeof E === 'undefined' || typeof E.nativeCall !== 'function' || typeof E.getAddressOf !== 'function') return null;
  var S = require('Storage');
  var s = placedFile(file);
  if (!base64) {
    if (s === undefined || s.length !== size) return null;
  } else {
    var code = atob(base64());
    if (code.length !== size) throw new Error('native: bad code length');
    if (s !== code) {
      S.write(file, code);
      s = S.read(file);
    }
  }
  var addr = E.getAddressOf(s, true);
  if (!addr || (addr & 3)) return null;
  return E.nativeCall(addr + entry + 1, signature); // +1: Thumb
}

/**
 * A byte buffer in one contiguous block of RAM (a flat buffer: E.getAddressOf(b, true) is its
 * data's address), or null: E.toFlatString's block where the build has it; else (an older
 * Espruino) when memory is fragmented Espruino gives a buffer in pieces (address 0): that one is
 * let go, E.defrag() (src/jsvar.c jsvDefragment; absent from SAVE_ON_FLASH builds) packs the
 * variables, and one more buffer is tried. E.defrag MOVES every unlocked flat
 * buffer, those of earlier calls included: never keep an address across calls, take it with
 * flatAddress() right before each native call.
 */
export function flatBuffer(n: number): Uint8Array | null {
  if (typeof E === 'undefined' || typeof E.getAddressOf !== 'function') return null;
  // E.toFlatString gives one contiguous block or nothing, packing memory first where the build
  // has E.defrag (src/jswrap_espruino.c): `new Uint8Array(n)` would fall back to a buffer in pieces,
  // which takes more variables than the block (a piece holds fewer bytes) and, on a board short of
  // them, runs out of memory instead of answering null (the Original's boot did, on a trust
  // bundle's 4 KB). Its ArrayBuffer is a view of the string's bytes: the same block.
  if (typeof E.toFlatString === 'function') {
    var s = E.toFlatString({ data: 0, count: n });
    if (s === undefined) return null;
    var f = new Uint8Array(E.toArrayBuffer(s));
    return E.getAddressOf(f, true) ? f : null;
  }
  var b: Uint8Array | null = new Uint8Array(n);
  if (E.getAddressOf(b, true)) return b;
  b = null; // (the pieces go in the collection E.defrag starts with)
  if (typeof E.defrag !== 'function') return null;
  E.defrag();
  b = new Uint8Array(n);
  return E.getAddressOf(b, true) ? b : null;
}

/** The address of a flat buffer's data now (0 when it is not flat): valid until the next E.defrag. */
export function flatAddress(b: Uint8Array): number {
  return E.getAddressOf(b, true);
}

// ---- consoles (issue 17.4)

/**
 * Turn off the network consoles the gate does not use, then lock the console.
 *  - Telnet (ESP32, ESP8266: port 23 on Wi-Fi, on from every boot): TelnetServer.setOptions({mode:
 *    'off'}) (libs/network/telnet/jswrap_telnet.c; it is set on again at each init, so at each
 *    boot). `keepTelnet` leaves it on: the Linux build's --telnet console is the one its owner asked for.
 *  - Bluetooth (nRF boards, ESP32): the Nordic UART console is removed (NRF.setServices with
 *    uart:false, applied at once or when the connection ends) and advertising stops with any
 *    connection dropped (NRF.sleep): the gate uses no Bluetooth.
 *  - Lock: E.setPassword(password) then E.lockConsole() (src/jswrap_espruino.c): every console,
 *    USB included, takes nothing but the password line until it is typed. With `random`, a
 *    password from the hardware RNG that nobody knows. With password null the console stays open.
 * Returns what was done ('telnet-off', 'ble-off', 'locked'), for the status line.
 */
export function lockConsoles(password: string | null, random: boolean, keepTelnet: boolean): string[] {
  var done: string[] = [];
  if (!keepTelnet) {
    try { require('TelnetServer').setOptions({ mode: 'off' }); done.push('telnet-off'); } catch (e) { /* no telnet on this board */ }
  }
  try {
    if (typeof NRF !== 'undefined' && NRF) {
      NRF.setServices(undefined, { uart: false });
      NRF.sleep();
      done.push('ble-off');
    }
  } catch (e) { /* no Bluetooth */ }
  if (password !== null && typeof E !== 'undefined' && typeof E.setPassword === 'function' && typeof E.lockConsole === 'function') {
    var pw = password;
    if (random) {
      pw = '';
      for (var i = 0; i < 20; i++) pw += String.fromCharCode(97 + ((E.hwRand() >>> 0) % 26));
    }
    E.setPassword(pw);
    E.lockConsole();
    done.push('locked');
  }
  return done;
}

/** Make fn callable by name from the console (`qrgate doctor` evaluates qgStatus()). */
export function exposeGlobal(name: string, fn: (...args: any[]) => any): void {
  global[name] = fn;
}
