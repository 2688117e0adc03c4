// The Espruino-like sandbox: a Node `vm` context whose globals are Espruino's (2v29, see
// docs/espruino.md), on virtual time, with virtual pins, UARTs and flash.
//
// What is mimicked:
//  - globals: ES builtins that Espruino lacks are deleted (Map, Set, WeakMap, WeakSet, WeakRef,
//    Symbol, Proxy, Reflect, RangeError, BigInt, Intl, WebAssembly, ...), and so are the missing
//    methods (Array.from/of, Array.prototype.at/flat/lastIndexOf/reduceRight, Object.freeze/seal/is,
//    Number.isInteger, Math.imul/trunc/clz32/log2, String.prototype.codePointAt/localeCompare/
//    search/at, Date.UTC and setUTC*, TypedArray.from/of, ArrayBuffer.isView); `global` and
//    `globalThis` are the global object;
//  - typed arrays: `slice` and `filter` return plain Arrays, `set` with a too-long source
//    truncates silently; `subarray` does not clamp its end (nor its begin, except to the end): the
//    part past the ArrayBuffer reads as zeros (emulated by a zero-padded copy, so writes through
//    such an out-of-range view are lost), a negative byte offset throws; DataView reads out of
//    bounds return 0; TypeError is not instanceof Error;
//  - strings: `indexOf` (and `includes`, and `match`/`replace` with a string pattern, which use it)
//    matches past the end of the string ('abc'.indexOf('cd') === 2, '|a|b|'.indexOf('|c|') === 4);
//    `replace(string, x)` inserts String(x) literally (no `$&`, a function is not called);
//  - Promise is Espruino's: then/catch/resolve/reject/all only, and reactions are queued as events
//    on the virtual timer queue, so they run after an already-queued setTimeout(0); a rejection
//    nobody handles prints "Uncaught Error: Unhandled promise rejection: ...";
//  - timers on virtual time, ordered by due time then creation; ids are Espruino's (last live id
//    + 1, so ids are reused); clearTimeout() with no argument clears all timers and
//    clearTimeout(undefined) throws; an exception in a callback prints "Uncaught ..." and the sim
//    (and an interval) goes on;
//  - Date and getTime() read the virtual wall clock; Math.random is a seeded PRNG (deterministic);
//  - console.log/print produce captured lines; require('Storage') is the FlashImage,
//    require('crypto') has SHA1/SHA224/SHA256 (profile.nativeSha256) and SHA384/SHA512
//    (profile.nativeSha512) returning ArrayBuffers; other modules come from `modules` hooks
//    ('http' is left to the uplink work) or throw "Module X not found";
//  - E.nativeCall exists only when a `nativeCall` hook is given (the sim cannot run Thumb-2 code,
//    so by default firmware sees a board without it and takes its JavaScript paths).
//  - no hoisting of a function's `var`s: code run as a file is rewritten so that a name used
//    before its `var` statement has run is the enclosing scope's (espruinoCode); uncaught errors
//    read as Espruino prints them where Node words them differently (espruinoMessage);
//    a case clause whose first statement starts with a string literal, which Espruino misreads,
//    is refused (SyntaxError) rather than run right (tools/build/casestrings.js);
// Not mimicked (the real interpreter, `ESPRUINO=...` tests, catches these): hoisting of top-level
// `var`s and of function declarations, `arr.length = 0` throwing and negative typed-array indexes throwing (both would need a Proxy
// around every array; test/sim/quirks.test.ts scans the bundle for `.length = 0` instead), the
// RegExp subset, prototype methods unreachable statically (Array.prototype.slice), Unicode-less
// string lengths, `new Uint8Array(buffer, offset, length)` running past the buffer (Node throws),
// String.prototype.replaceAll (2v29 has it; deleted here as before).
//
// process.memory().usage is an ESTIMATE of Espruino JsVars, by walking what the program can reach:
// the global object's new properties (and new properties on builtins), live timers, watches and
// listeners, and the closure scopes of every function reached (read through the inspector
// protocol, which V8 answers synchronously). Cost model (one JsVar is 13-16 bytes):
//  - a fixed base of BASE_VARS for the interpreter itself;
//  - object or array: 1, plus per property or element 1 (the name, which holds an int, bool,
//    null or undefined value inline), plus 1 per 12 name chars beyond 8, plus the value:
//    a non-int number 1, a string its string cost, an object or function counted once where it is
//    first reached (a reference is free);
//  - string: 1 for up to 10 chars, +1 per further 12 chars; a string that came from
//    Storage.read() is memory-mapped: 1;
//  - typed array: 1 for the view + 1 for its ArrayBuffer + ceil(bytes / 12) for the data (a
//    buffer shared by several views counts once); DataView likewise;
//  - function: 1 + 1 per parameter + its code: 1 when the code is in flash (`codeInFlash`: the
//    bundle was run from Storage, as .bootcde is), else 1 + 1 per 27 chars of its source text
//    (calibrated: tweetnacl-fast gives ~2400 from RAM and ~1470 from flash here, 2124 and 1121
//    measured on Espruino); plus
//    1 per closure scope link, and each scope once: 1 + per variable as for properties;
//  - Date 2, RegExp 2 + source, boxed values 2.
// It is a model, not a measurement: it tracks growth (an array of 1000 ints costs ~1000 vars,
// of 1000 doubles ~2000) and orders of magnitude; `make bench` on a board gives the truth.
import * as vm from 'vm';
import * as crypto from 'crypto';
import { BoardProfile } from '../firmware/boards';
import { FlashImage, PowerCutError, bytesOf, byteString } from './flash';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const latevars = require('../tools/build/latevars.js');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const casestrings = require('../tools/build/casestrings.js');

/**
 * Code as Espruino runs it, for Node: Espruino does not hoist, so a function's `var` exists only
 * once its statement has run, and before that the name is the enclosing scope's (reading it throws
 * ReferenceError when no scope has it; assigning it sets the outer variable). Node hoists; the
 * code is rewritten (tools/build/latevars.js espruinoScopes) so that each such late name behaves
 * as on Espruino (test/sim/quirks.test.ts, test/espruino/quirks.test.ts). Code with no late name
 * (every bundle the build lets through) is unchanged. Cached per text.
 */
const espruinoCache = new Map<string, string>();
export function espruinoCode(code: string): string {
  let out = espruinoCache.get(code);
  if (out === undefined) {
    // A case clause whose first statement starts with a string literal: Espruino misreads it
    // (tools/build/casestrings.js). The sandbox refuses such code instead of running it right.
    const misread = casestrings.caseStrings(code);
    if (misread.length) {
      throw new Error(`SyntaxError: Espruino misreads ${misread.length} case clause(s) starting with a string literal ` +
        `(${JSON.stringify(code.slice(misread[0].start, Math.min(misread[0].end, misread[0].start + 40)))}): see tools/build/casestrings.js`);
    }
    out = latevars.espruinoScopes(code) as string;
    if (espruinoCache.size > 32) espruinoCache.clear();
    espruinoCache.set(code, out);
  }
  return out;
}

/** An uncaught error's message in Espruino's words where Node's differ ("Function "x" not found!"). */
export function espruinoMessage(msg: string): string {
  let m = /^TypeError: [\w$.]+\.([\w$]+) is not a function$/.exec(msg);
  if (m) return `Error: Function "${m[1]}" not found!`;
  m = /^ReferenceError: ([\w$]+) is not defined$/.exec(msg);
  if (m) return `ReferenceError: "${m[1]}" is not defined`;
  return msg;
}

export const ESPRUINO_VERSION = '2v29';
export const BASE_VARS = 60;

/** Virtual time shared by the board and its sandbox (milliseconds since the board was made). */
export class VirtualClock {
  ms = 0;
}

export interface SandboxHost {
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
  /** Extra modules for require(): name -> factory (called once per boot). */
  modules?: { [name: string]: (sb: EspruinoSandbox) => any };
  /** E.reboot(), load(), reset(): the board restarts the program. */
  onReboot?(reason: string): void;
  /** save(): not supported on the board; called so the board can record it. */
  onSave?(): void;
  /** Functions keep their code in flash (the bundle was run from Storage). */
  codeInFlash?: boolean;
  /** E.nativeCall emulation; absent = E.nativeCall is undefined. */
  nativeCall?: (addr: number, signature: string, data: string) => any;
  /** PRNG seed for Math.random / E.hwRand. */
  seed?: number;
}

interface TimerEntry {
  id: number; // 0 for internal entries (events, device-side delivery)
  due: number;
  seq: number;
  interval: number; // 0 for one-shot
  fn: any;
  args: any[];
  internal: boolean;
}

interface Watch {
  id: number;
  pin: string;
  fn: any;
  repeat: boolean;
  edge: 'rising' | 'falling' | 'both';
  debounce: number;
  lastTime: number;
  lastState: boolean;
  pending: TimerEntry | null;
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

const PIN_NAME = /^[A-Z]{1,2}\d{1,2}$/;

// ---------------------------------------------------------------------------- prelude (in-context)

const PRELUDE = String.raw`(function (g, H) {
  'use strict';
  var del = function (o, ks) { for (var i = 0; i < ks.length; i++) { try { delete o[ks[i]]; } catch (e) {} } };
  del(g, ['Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Symbol', 'Proxy', 'Reflect',
    'RangeError', 'EvalError', 'URIError', 'AggregateError', 'BigInt', 'BigInt64Array', 'BigUint64Array',
    'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'Intl', 'TextEncoder', 'TextDecoder', 'setImmediate',
    'queueMicrotask', 'structuredClone', 'Iterator']);
  del(Array, ['from', 'of']);
  del(Array.prototype, ['at', 'flat', 'flatMap', 'lastIndexOf', 'reduceRight', 'findLast', 'findLastIndex',
    'toSorted', 'toReversed', 'toSpliced', 'with', 'copyWithin']);
  del(Object, ['freeze', 'seal', 'is', 'isFrozen', 'isSealed', 'preventExtensions', 'isExtensible',
    'getOwnPropertySymbols', 'groupBy', 'hasOwn']);
  del(Number, ['isInteger', 'isSafeInteger']);
  del(Math, ['imul', 'trunc', 'clz32', 'log2', 'fround', 'log1p', 'expm1', 'cbrt', 'hypot']);
  del(String.prototype, ['codePointAt', 'localeCompare', 'search', 'at', 'normalize', 'matchAll',
    'replaceAll', 'isWellFormed', 'toWellFormed']);
  del(String, ['fromCodePoint', 'raw']);
  del(ArrayBuffer, ['isView']);
  var TA = Object.getPrototypeOf(Uint8Array);
  del(TA, ['from', 'of']);
  del(TA.prototype, ['at', 'findLast', 'findLastIndex', 'toSorted', 'toReversed', 'with']);
  del(Date, ['UTC']);
  del(Date.prototype, ['setUTCDate', 'setUTCFullYear', 'setUTCHours', 'setUTCMilliseconds', 'setUTCMinutes',
    'setUTCMonth', 'setUTCSeconds']);

  // Typed arrays as Espruino has them.
  var taSlice = TA.prototype.slice, taFilter = TA.prototype.filter, taSet = TA.prototype.set;
  Object.defineProperty(TA.prototype, 'slice', { configurable: true, writable: true, value: function (a, b) {
    var r = taSlice.call(this, a, b), out = [];
    for (var i = 0; i < r.length; i++) out.push(r[i]);
    return out;
  } });
  Object.defineProperty(TA.prototype, 'filter', { configurable: true, writable: true, value: function (f, t) {
    var r = taFilter.call(this, f, t), out = [];
    for (var i = 0; i < r.length; i++) out.push(r[i]);
    return out;
  } });
  Object.defineProperty(TA.prototype, 'set', { configurable: true, writable: true, value: function (src, off) {
    off = off | 0;
    var room = this.length - off;
    if (room <= 0) return;
    if (src && src.length > room) {
      if (typeof src.subarray === 'function') src = src.subarray(0, room);
      else src = [].slice.call(src, 0, room);
    }
    taSet.call(this, src, off);
  } });
  // subarray(begin, end) as jswrap_arraybufferview_subarray: negative begin/end count from the end,
  // end is NOT clamped to the length and begin only to end; the view is made on the underlying
  // ArrayBuffer, whose bytes past its end read as 0; a negative (or > 65535) byte offset throws.
  // A view within the buffer is a real view; one that runs past the buffer's end is a zero-padded
  // COPY (writes through it are not reflected; Espruino's reads are what device code hits).
  var taSub = TA.prototype.subarray;
  var toInt = function (v) { return (+v) | 0; };
  var isNum = function (v) { return typeof v === 'number' || typeof v === 'boolean'; };
  Object.defineProperty(TA.prototype, 'subarray', { configurable: true, writable: true, value: function (begin, end) {
    var len = this.length, C = this.constructor, bpe = this.BYTES_PER_ELEMENT;
    var b = toInt(begin), e = isNum(end) ? toInt(end) : len;
    if (b < 0) b += len;
    if (e < 0) e += len;
    if (e < 0) e = 0;
    if (b > e) { b = 0; e = 0; }
    if (b === e) return new C(0);
    var off = this.byteOffset + b * bpe, n = e - b;
    if (off < 0 || off > 65535) throw new Error('byteOffset too large (or negative)');
    if (b >= 0 && e <= len) return taSub.call(this, b, e);
    var buf = this.buffer;
    if (off + n * bpe <= buf.byteLength) return new C(buf, off, n);
    var out = new C(n), avail = Math.floor((buf.byteLength - off) / bpe);
    if (avail > 0) taSet.call(out, new C(buf, off, avail), 0);
    return out;
  } });

  // String.prototype.indexOf as jswrap_string_indexOf (2v29, not SAVE_ON_FLASH): from each start
  // index while a character remains it compares with jsvCompareStringIt(equalAtEndOfString=true),
  // so running off the end of the string counts as a match: 'abc'.indexOf('cd') === 2. A needle
  // longer than the string gives -1; a numeric fromIndex is clamped to [0, len - sub.length + 1];
  // '' is found only before a character ('abc'.indexOf('', 3) === -1). includes, match and replace
  // with a string argument go through it.
  var strIndexOf = String.prototype.indexOf;
  var espIndexOf = function (s, sub, from) {
    var len = s.length, n = sub.length;
    if (n > len) return -1;
    var end = len - n + 1, idx = 0;
    if (isNum(from)) { idx = toInt(from); if (idx < 0) idx = 0; if (idx > end) idx = end; }
    var r = strIndexOf.call(s, sub, idx);
    if (r >= 0 && r < len) return r;
    // no whole match: the first start whose tail of s is a prefix of sub (past-the-end match)
    for (var p = idx > end ? idx : end; p < len; p++) {
      if (s.substring(p) === sub.substring(0, len - p)) return p;
    }
    return -1;
  };
  var isRegExp = function (v) { return Object.prototype.toString.call(v) === '[object RegExp]'; };
  var strMatch = String.prototype.match, strReplace = String.prototype.replace;
  var defStr = function (name, fn) {
    Object.defineProperty(String.prototype, name, { configurable: true, writable: true, value: fn });
  };
  defStr('indexOf', function indexOf(sub, from) { return espIndexOf(String(this), String(sub), from); });
  defStr('includes', function includes(sub, from) { return espIndexOf(String(this), String(sub), from) >= 0; });
  defStr('match', function match(sub) {
    if (isRegExp(sub)) return strMatch.call(this, sub);
    sub = String(sub);
    var i = espIndexOf(String(this), sub, undefined);
    if (i < 0) return null;
    var out = [sub];
    out.index = i;
    out.input = sub;
    return out;
  });
  // replace(string, x): x is converted to a string (a function is NOT called, '$&' is literal)
  defStr('replace', function replace(sub, rep) {
    if (isRegExp(sub)) return strReplace.call(this, sub, rep);
    var s = String(this);
    sub = String(sub);
    var i = espIndexOf(s, sub, undefined);
    if (i < 0) return s;
    return s.substring(0, i) + String(rep) + s.substring(i + sub.length);
  });
  ['getInt8', 'getUint8', 'getInt16', 'getUint16', 'getInt32', 'getUint32', 'getFloat32', 'getFloat64']
    .forEach(function (m) {
      var orig = DataView.prototype[m];
      Object.defineProperty(DataView.prototype, m, { configurable: true, writable: true, value: function () {
        try { return orig.apply(this, arguments); } catch (e) { return 0; }
      } });
    });
  del(DataView.prototype, ['getBigInt64', 'getBigUint64', 'setBigInt64', 'setBigUint64', 'getFloat16', 'setFloat16']);
  // TypeError is not an Error on Espruino.
  Object.setPrototypeOf(TypeError.prototype, Object.prototype);
  TypeError.prototype.toString = function () { return 'TypeError: ' + this.message; };

  // Virtual wall clock.
  var RealDate = Date;
  var VDate = function Date(a, b, c, d, e, f, h) {
    var n = arguments.length;
    if (!(this instanceof VDate)) return new RealDate(H.nowMs()).toString();
    if (n === 0) return new RealDate(H.nowMs());
    if (n === 1) return new RealDate(a);
    return new RealDate(a, b, n > 2 ? c : 1, n > 3 ? d : 0, n > 4 ? e : 0, n > 5 ? f : 0, n > 6 ? h : 0);
  };
  VDate.prototype = RealDate.prototype;
  VDate.now = function () { return H.nowMs(); };
  VDate.parse = RealDate.parse;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: VDate, configurable: true, writable: true });
  g.Date = VDate;
  Math.random = function () { return H.random(); };

  // Espruino's Promise: reactions are queued events (after an already-queued setTimeout(0)).
  function P(executor) {
    if (!(this instanceof P)) throw new TypeError('Promise must be called with new');
    this._s = 0; this._v = undefined; this._r = [];
    var self = this, done = false;
    function res(v) { if (done) return; done = true; resolveP(self, v); }
    function rej(v) { if (done) return; done = true; settle(self, 2, v); }
    try { executor(res, rej); } catch (e) { rej(e); }
  }
  function resolveP(p, v) {
    if (v === p) { settle(p, 2, new TypeError('Promise resolved with itself')); return; }
    if (v && (typeof v === 'object' || typeof v === 'function')) {
      var then;
      try { then = v.then; } catch (e) { settle(p, 2, e); return; }
      if (typeof then === 'function') {
        var called = false;
        try {
          then.call(v, function (x) { if (!called) { called = true; resolveP(p, x); } },
            function (x) { if (!called) { called = true; settle(p, 2, x); } });
        } catch (e) { if (!called) { called = true; settle(p, 2, e); } }
        return;
      }
    }
    settle(p, 1, v);
  }
  function settle(p, s, v) {
    if (p._s) return;
    p._s = s; p._v = v;
    var rs = p._r; p._r = null;
    if (s === 2 && rs.length === 0) {
      H.defer(function () {
        if (!p._handled) H.uncaught('Unhandled promise rejection: ' + H.fmt(v));
      });
    }
    for (var i = 0; i < rs.length; i++) react(p, rs[i]);
  }
  function react(p, r) {
    p._handled = true;
    H.defer(function () {
      var cb = p._s === 1 ? r.ok : r.fail;
      if (typeof cb !== 'function') {
        if (p._s === 1) resolveP(r.p, p._v); else settle(r.p, 2, p._v);
        return;
      }
      var out;
      try { out = cb(p._v); } catch (e) { settle(r.p, 2, e); return; }
      resolveP(r.p, out);
    });
  }
  P.prototype.then = function (ok, fail) {
    var np = new P(function () {});
    var r = { ok: ok, fail: fail, p: np };
    if (this._s === 0) this._r.push(r); else react(this, r);
    this._handled = true;
    return np;
  };
  P.prototype['catch'] = function (fail) { return this.then(undefined, fail); };
  P.resolve = function (v) { if (v instanceof P) return v; return new P(function (r) { r(v); }); };
  P.reject = function (v) { return new P(function (r, j) { j(v); }); };
  P.all = function (arr) {
    return new P(function (res, rej) {
      var n = arr.length, out = new Array(n), left = n;
      if (n === 0) { res(out); return; }
      for (var i = 0; i < n; i++) (function (i) {
        P.resolve(arr[i]).then(function (v) { out[i] = v; if (--left === 0) res(out); }, rej);
      })(i);
    });
  };
  g.Promise = P;

  // Pin objects.
  function Pin(name) { this._n = name; }
  Pin.prototype.toString = function () { return this._n; };
  Pin.prototype.read = function () { return !!H.digitalRead(this._n); };
  Pin.prototype.write = function (v) { H.digitalWrite(this._n, v); };
  Pin.prototype.set = function () { H.digitalWrite(this._n, 1); };
  Pin.prototype.reset = function () { H.digitalWrite(this._n, 0); };
  Pin.prototype.mode = function (m) { H.pinMode(this._n, m); };
  Pin.prototype.getMode = function () { return H.getPinMode(this._n); };
  g.Pin = function (name) { return new Pin(String(name)); };
  g.Pin.prototype = Pin.prototype;
  for (var i = 0; i < H.pins.length; i++) g[H.pins[i]] = new Pin(H.pins[i]);

  g.global = g;
  g.globalThis = g;
})`;

// ---------------------------------------------------------------------------- the sandbox

export class EspruinoSandbox {
  readonly context: vm.Context;
  /** The sandbox's global object. */
  readonly global: any;
  readonly host: SandboxHost;
  readonly pins = new Map<string, PinState>();
  readonly serials: { [name: string]: SimSerial } = {};
  private timers: TimerEntry[] = [];
  private seq = 0;
  private watches: Watch[] = [];
  private nextWatchId = 1;
  private eHandlers: { [ev: string]: any[] } = {};
  private moduleCache: { [name: string]: any } = {};
  private errorFlags = new Set<string>();
  private rng: number;
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
  /** Watchdog state: timeout in ms (0 = off), auto-kicked, last kick (virtual ms). */
  watchdog = { timeoutMs: 0, auto: true, lastKick: 0 };
  /** Set when the program is stopped (power cut / reboot): nothing runs any more. */
  dead = false;
  timeZone = 0;
  private R: { Object: ObjectConstructor; Array: ArrayConstructor; Error: ErrorConstructor; JSON: JSON;
    Uint8Array: typeof Uint8Array; ArrayBuffer: typeof ArrayBuffer; TypeError: TypeErrorConstructor };
  private baseline: Map<object, Set<string>> | null = null;

  constructor(host: SandboxHost) {
    this.host = host;
    this.rng = (host.seed === undefined ? 0x2545f491 : host.seed) >>> 0 || 1;
    this.context = vm.createContext({}, { name: 'espruino', codeGeneration: { strings: true, wasm: false } });
    this.global = vm.runInContext('this', this.context);
    this.R = vm.runInContext('({Object:Object, Array:Array, Error:Error, JSON:JSON, Uint8Array:Uint8Array, ArrayBuffer:ArrayBuffer, TypeError:TypeError})', this.context);
    const profilePins = [host.profile.relay, host.profile.led.green, host.profile.led.red, host.profile.led.amber,
      host.profile.scanner.rx, host.profile.scanner.tx];
    const pinNames = pinSet(profilePins);
    const H = {
      nowMs: () => this.wallMs(),
      random: () => this.random(),
      defer: (fn: () => void) => { this.schedule(fn, 0, [], true); },
      uncaught: (msg: string) => this.host.print('Uncaught Error: ' + msg),
      fmt: (v: any) => this.format(v),
      digitalRead: (p: any) => this.digitalRead(p),
      digitalWrite: (p: any, v: any) => this.digitalWrite(p, v),
      pinMode: (p: any, m: any) => this.pinMode(p, m),
      getPinMode: (p: any) => this.pin(String(p)).mode,
      pins: pinNames,
    };
    vm.runInContext(PRELUDE, this.context, { filename: 'espruino-prelude.js' })(this.global, H);
    this.installGlobals();
    this.snapshotBaseline();
  }

  // ------------------------------------------------------------------ helpers

  private err(msg: string): Error { return new this.R.Error(msg); }
  private plain(x: any): any { return this.R.JSON.parse(JSON.stringify(x)); }

  private random(): number {
    // xorshift32
    let x = this.rng;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.rng = x;
    return x / 4294967296;
  }

  private wallMs(): number { return this.host.wallSeconds() * 1000; }

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
  lastUncaught: string | null = null;

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

  // ------------------------------------------------------------------ timers / event queue

  /** Queue fn after ms (virtual). internal=true: not a JS timer (events, device IO). Returns the id. */
  schedule(fn: any, ms: number, args: any[] = [], internal = false, interval = 0): number {
    let id = 0;
    if (!internal) {
      let max = 0;
      for (const t of this.timers) if (t.id > max) max = t.id;
      id = max + 1;
    }
    if (!(ms >= 0)) ms = 0;
    this.timers.push({ id, due: this.host.clock.ms + ms, seq: ++this.seq, interval, fn, args, internal });
    return id;
  }

  /** The due time of the next queued entry, or undefined. */
  nextDue(): number | undefined {
    let best: TimerEntry | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best ? best.due : undefined;
  }

  /** Run the next entry due at or before `limit` (setting the clock to its due time). */
  runNext(limit: number): boolean {
    if (this.dead) return false;
    let bi = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i];
      if (t.due > limit) continue;
      if (bi < 0 || t.due < this.timers[bi].due || (t.due === this.timers[bi].due && t.seq < this.timers[bi].seq)) bi = i;
    }
    if (bi < 0) return false;
    const t = this.timers[bi];
    if (t.due > this.host.clock.ms) this.host.clock.ms = t.due;
    if (t.interval > 0) {
      t.due += t.interval;
      t.seq = ++this.seq;
    } else this.timers.splice(bi, 1);
    if (t.internal) {
            try { t.fn(); } catch (e) { this.uncaught(e); }
    } else this.call(t.fn, this.global, t.args);
    return true;
  }

  /** Pending JS timers (for tests/diagnostics). */
  timerCount(): number { return this.timers.filter((t) => !t.internal).length; }

  private clearTimer(args: IArguments | any[], what: string): void {
    if (args.length === 0) {
      this.timers = this.timers.filter((t) => t.internal);
      return;
    }
    const id = args[0];
    if (id === undefined) throw this.err(`clear${what}(undefined) not allowed. Use clear${what}() instead`);
    const i = this.timers.findIndex((t) => !t.internal && t.id === id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  // ------------------------------------------------------------------ pins

  pin(name: string): PinState {
    let p = this.pins.get(name);
    if (!p) {
      p = { name, mode: 'input', out: false, input: null, history: [] };
      this.pins.set(name, p);
    }
    return p;
  }

  private pinName(p: any): string {
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
    const modes = ['analog', 'input', 'input_pullup', 'input_pulldown', 'output', 'opendrain', 'opendrain_pullup', 'af_output', 'af_opendrain', 'auto'];
    const mode = String(m === undefined ? 'auto' : m);
    if (modes.indexOf(mode) < 0) throw this.err(`Unknown pin mode: ${mode}`);
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

  private level(name: string): boolean { return !!this.digitalRead(name); }

  private edge(name: string): void {
    for (const w of this.watches.slice()) {
      if (w.pin !== name) continue;
      if (w.pending) { this.timers.splice(this.timers.indexOf(w.pending), 1); w.pending = null; }
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
      if (w.debounce > 0) {
        this.schedule(check, w.debounce, [], true);
        w.pending = this.timers[this.timers.length - 1];
      } else this.schedule(check, 0, [], true);
    }
  }

  // ------------------------------------------------------------------ globals

  private installGlobals(): void {
    const g = this.global;
    const sb = this;
    const host = this.host;
    const def = (name: string, fn: any) => { g[name] = fn; };

    // console
    const log = function (...args: any[]) { host.print(args.map((a) => sb.format(a)).join(' ')); };
    const con = new this.R.Object() as any;
    con.log = log; con.info = log; con.warn = log; con.error = log; con.debug = log;
    con.trace = function () { host.print('console.trace'); };
    def('console', con);
    def('print', log);

    // timers
    def('setTimeout', function (fn: any, ms: any, ...args: any[]) {
      if (typeof fn !== 'function' && typeof fn !== 'string') throw sb.err('Function or String not supplied!');
      return sb.schedule(fn, Number(ms), args);
    });
    def('setInterval', function (fn: any, ms: any, ...args: any[]) {
      if (typeof fn !== 'function' && typeof fn !== 'string') throw sb.err('Function or String not supplied!');
      let iv = Number(ms);
      if (!(iv > 0)) iv = 0.001;
      return sb.schedule(fn, iv, args, false, iv);
    });
    def('clearTimeout', function () { sb.clearTimer(arguments, 'Timeout'); });
    def('clearInterval', function () { sb.clearTimer(arguments, 'Interval'); });
    def('changeInterval', function (id: any, ms: any) {
      const t = sb.timers.find((x) => !x.internal && x.id === id);
      if (!t) throw sb.err('Unknown Interval');
      let iv = Number(ms);
      if (!(iv > 0)) iv = 0.001;
      t.interval = iv;
      t.due = host.clock.ms + iv;
    });

    // base64 over byte strings, as Espruino's atob/btoa (the gate decodes its native code with
    // atob; the espruino tool uploads files with it)
    def('atob', function (s: any) {
      const t = String(s).replace(/[\s=]+$/g, '');
      if (!/^[A-Za-z0-9+/\s]*$/.test(t)) throw sb.err('Invalid base64 string');
      return Buffer.from(t, 'base64').toString('latin1');
    });
    def('btoa', function (s: any) { return Buffer.from(String(s), 'latin1').toString('base64'); });

    // time
    def('getTime', function () { return host.wallSeconds(); });
    def('setTime', function (s: any) {
      if (host.profile.name === 'linux') return; // no effect on the Linux build
      host.setWallSeconds(Number(s));
    });

    // pins
    def('digitalRead', function (p: any) { return sb.digitalRead(p); });
    def('digitalWrite', function (p: any, v: any) { sb.digitalWrite(p, v); });
    def('pinMode', function (p: any, m: any) { sb.pinMode(p, m); });
    def('getPinMode', function (p: any) { return sb.pin(sb.pinName(p)).mode; });
    def('digitalPulse', function (p: any, v: any, ms: any) {
      const times: number[] = Array.isArray(ms) ? ms.map(Number) : [Number(ms)];
      const name = sb.pinName(p);
      let level = !!v;
      let at = 0;
      sb.digitalWrite(name, level ? 1 : 0);
      for (const t of times) {
        at += t;
        level = !level;
        const l = level;
        sb.schedule(() => sb.digitalWrite(name, l ? 1 : 0), at, [], true);
      }
    });
    def('setWatch', function (fn: any, p: any, opts: any) {
      if (typeof fn !== 'function' && typeof fn !== 'string') throw sb.err('Function or String not supplied!');
      const name = sb.pinName(p);
      let o: any = opts;
      if (typeof opts !== 'object' || opts === null) o = { repeat: !!opts };
      let edge: any = o.edge === undefined ? 'both' : o.edge;
      if (edge === 1 || edge === 'rising') edge = 'rising';
      else if (edge === -1 || edge === 'falling') edge = 'falling';
      else edge = 'both';
      const w: Watch = { id: sb.nextWatchId++, pin: name, fn, repeat: !!o.repeat, edge, debounce: Number(o.debounce) || 0,
        lastTime: host.wallSeconds(), lastState: sb.level(name), pending: null };
      sb.watches.push(w);
      return w.id;
    });
    def('clearWatch', function () {
      if (arguments.length === 0) { sb.watches = []; return; }
      const id = arguments[0];
      if (id === undefined) throw sb.err('clearWatch(undefined) not allowed. Use clearWatch() instead');
      sb.watches = sb.watches.filter((w) => w.id !== id);
    });
    def('analogRead', function (p: any) { sb.pinName(p); return 0; });
    def('analogWrite', function (p: any, v: any) { sb.digitalWrite(p, Number(v) >= 0.5 ? 1 : 0); });

    // UARTs
    for (const name of ['Serial1', 'Serial2', 'Serial3', 'Serial4', 'USB']) {
      const s = new SimSerial(name, this);
      this.serials[name] = s;
      def(name, s.jsObject());
    }

    // require
    def('require', function (name: any) {
      const n = String(name);
      if (n in sb.moduleCache) return sb.moduleCache[n];
      const m = sb.makeModule(n);
      if (m === undefined) throw sb.err(`Module ${n} not found`);
      sb.moduleCache[n] = m;
      return m;
    });

    // E
    const E = new this.R.Object() as any;
    E.on = function (ev: any, fn: any) { (sb.eHandlers[String(ev)] = sb.eHandlers[String(ev)] || []).push(fn); };
    E.removeListener = function (ev: any, fn: any) {
      const l = sb.eHandlers[String(ev)];
      if (l) { const i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); }
    };
    E.removeAllListeners = function (ev?: any) { if (ev === undefined) sb.eHandlers = {}; else delete sb.eHandlers[String(ev)]; };
    E.emit = function (ev: any, ...args: any[]) { sb.emitE(String(ev), args); };
    E.getErrorFlags = function () {
      const flags = Array.from(sb.errorFlags).filter((f) => f !== 'UNCAUGHT');
      sb.errorFlags.clear();
      return sb.plain(flags);
    };
    E.enableWatchdog = function (s: any, isAuto: any) {
      sb.watchdog = { timeoutMs: Number(s) * 1000, auto: isAuto === undefined ? true : !!isAuto, lastKick: host.clock.ms };
    };
    E.kickWatchdog = function () { sb.watchdog.lastKick = host.clock.ms; };
    E.setBootCode = function (code: any, alwaysExec: any) {
      void alwaysExec;
      const c = String(code === undefined ? '' : code);
      if (c.length) host.flash.write('.bootcde', c); else host.flash.erase('.bootcde');
    };
    E.reboot = function () { if (host.onReboot) host.onReboot('E.reboot'); };
    E.setTimeZone = function (h: any) { sb.timeZone = Number(h) || 0; };
    E.hwRand = function () { return (sb.random() * 4294967296) | 0; };
    E.toArrayBuffer = function (s: any) {
      const b = bytesOf(String(s));
      const ab = new sb.R.ArrayBuffer(b.length);
      new sb.R.Uint8Array(ab).set(b);
      return ab;
    };
    E.toUint8Array = function (...args: any[]) {
      const out: number[] = [];
      const add = (x: any) => {
        if (typeof x === 'string') { for (let i = 0; i < x.length; i++) out.push(x.charCodeAt(i) & 0xff); }
        else if (typeof x === 'number') out.push(x & 0xff);
        else if (x && typeof x === 'object' && 'data' in x && 'count' in x) { for (let i = 0; i < x.count; i++) add(x.data); }
        else if (x && typeof x === 'object' && typeof x.length === 'number') { for (let i = 0; i < x.length; i++) add(x[i]); }
        else if (x && Object.prototype.toString.call(x) === '[object ArrayBuffer]') add(new Uint8Array(x));
      };
      args.forEach(add);
      const u = new sb.R.Uint8Array(out.length);
      u.set(out);
      return u;
    };
    E.toString = function (...args: any[]) {
      const u = E.toUint8Array(...args);
      return byteString(new Uint8Array(u.buffer, u.byteOffset, u.length));
    };
    E.toJS = function (v: any) { return JSON.stringify(v); };
    E.getSizeOf = function (v: any) { return sb.estimate([v], false); };
    E.getTemperature = function () { return 25; };
    E.getAnalogVRef = function () { return 3.3; };
    E.setPassword = function (pwd?: any) { sb.consoleLock.password = pwd === undefined || pwd === null ? null : String(pwd); };
    E.lockConsole = function () { if (sb.consoleLock.password !== null) sb.consoleLock.locked = true; };
    E.setConsole = function () {};
    if (host.nativeCall) E.nativeCall = function (addr: any, sig: any, data: any) { return host.nativeCall!(Number(addr), String(sig), String(data)); };
    def('E', E);

    // Network consoles: telnet (ESP32 over Wi-Fi; the Linux build's --telnet) and the Bluetooth
    // UART (nRF52 boards, ESP32), with the API the firmware uses to turn them off.
    const pname = host.profile.name;
    if (pname === 'esp32' || pname === 'linux') sb.netConsoles.telnet = 'on';
    if (pname === 'esp32' || pname === 'mdbt42q') {
      sb.netConsoles.bleUart = true;
      sb.netConsoles.bleAdvertising = true;
      const NRF = new this.R.Object() as any;
      NRF.setServices = function (data: any, opts?: any) {
        if (!(data === undefined || (data && typeof data === 'object'))) throw sb.err('Expecting Object or undefined');
        sb.netConsoles.bleUart = !(opts && opts.uart === false);
      };
      NRF.sleep = function () { sb.netConsoles.bleAdvertising = false; };
      NRF.wake = function () { sb.netConsoles.bleAdvertising = true; };
      def('NRF', NRF);
    }

    // process
    const proc = new this.R.Object() as any;
    proc.env = this.plain({ VERSION: ESPRUINO_VERSION, BOARD: host.profile.ids[0], CONSOLE: 'USB', MODULES: '' });
    proc.version = ESPRUINO_VERSION;
    proc.memory = function () {
      const usage = sb.memoryUsage();
      const total = host.profile.vars;
      return sb.plain({ free: Math.max(0, total - usage), usage, total, history: 0, gc: 0, gctime: 0, blocksize: 13 });
    };
    proc.on = function (ev: any, fn: any) { E.on(String(ev), fn); };
    def('process', proc);

    def('load', function () { if (host.onReboot) host.onReboot('load'); });
    def('reset', function () { if (host.onReboot) host.onReboot('reset'); });
    def('save', function () { if (host.onSave) host.onSave(); });
    def('dump', function () {});
    def('peek8', function () { return 0; });
    def('trace', function () {});
  }

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

  private makeModule(name: string): any {
    const host = this.host;
    if (name === 'Storage') {
      return this.wrapHostObject(host.flash.storageModule({
        realm: this.R,
        onMapped: (s) => { if (s.length > 10) { this.mapped.add(s); if (this.mapped.size > 512) this.mapped.delete(this.mapped.values().next().value as string); } },
        print: (l) => host.print(l),
      }));
    }
    if (name === 'crypto') {
      if (!host.profile.nativeSha256 && !host.profile.nativeSha512) return undefined;
      const m = new this.R.Object() as any;
      const hashFn = (alg: string) => (data: any) => {
        const bytes = this.toBytes(data);
        const d = crypto.createHash(alg).update(bytes).digest();
        const ab = new this.R.ArrayBuffer(d.length);
        new this.R.Uint8Array(ab).set(d);
        return ab;
      };
      m.SHA1 = hashFn('sha1');
      if (host.profile.nativeSha256) { m.SHA224 = hashFn('sha224'); m.SHA256 = hashFn('sha256'); }
      if (host.profile.nativeSha512) { m.SHA384 = hashFn('sha384'); m.SHA512 = hashFn('sha512'); }
      return m;
    }
    if (name === 'TelnetServer' && this.netConsoles.telnet !== null) {
      const m = new this.R.Object() as any;
      const sb = this;
      m.setOptions = function (o: any) {
        if (!o || typeof o !== 'object') throw sb.err(`Expecting Object, got ${typeof o}`);
        if (o.mode === undefined) return;
        if (o.mode !== 'on' && o.mode !== 'off') throw sb.err('Unknown mode value');
        sb.netConsoles.telnet = o.mode;
      };
      return m;
    }
    if (host.modules && host.modules[name]) return host.modules[name](this);
    return undefined;
  }

  /** Host-made module object: copy its functions onto a realm object (so it looks native). */
  private wrapHostObject(o: any): any {
    const m = new this.R.Object() as any;
    for (const k of Object.keys(o)) m[k] = o[k];
    return m;
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

  // ------------------------------------------------------------------ memory estimate

  private snapshotBaseline(): void {
    const seen = new Map<object, Set<string>>();
    const stack: any[] = [this.global];
    while (stack.length) {
      const o = stack.pop();
      if (seen.has(o)) continue;
      const keys = Object.getOwnPropertyNames(o);
      seen.set(o, new Set(keys));
      for (const k of keys) {
        const d = Object.getOwnPropertyDescriptor(o, k);
        if (!d) continue;
        for (const v of [d.value, d.get, d.set]) if (v && (typeof v === 'object' || typeof v === 'function') && !seen.has(v)) stack.push(v);
      }
      const p = Object.getPrototypeOf(o);
      if (p && !seen.has(p)) stack.push(p);
    }
    this.baseline = seen;
  }

  /** Estimated JsVars in use (see the file header). */
  memoryUsage(): number {
    const roots: any[] = [];
    for (const t of this.timers) if (!t.internal) roots.push(t.fn, ...t.args);
    for (const w of this.watches) roots.push(w.fn);
    for (const k of Object.keys(this.eHandlers)) roots.push(...this.eHandlers[k]);
    for (const k of Object.keys(this.serials)) {
      const l = this.serials[k].listeners;
      for (const ev of Object.keys(l)) roots.push(...l[ev]);
    }
    for (const k of Object.keys(this.moduleCache)) roots.push(this.moduleCache[k]);
    return BASE_VARS + this.estimate(roots, true);
  }

  /**
   * JsVars for everything reachable from `roots` (and, with fromGlobal, from the global object's
   * and builtins' new properties), builtins excluded.
   */
  estimate(roots: any[], fromGlobal: boolean): number {
    const base = this.baseline!;
    const seen = new Set<any>();
    const buffers = new Set<any>();
    const scopeKeys = new Set<string>();
    const codeInFlash = !!this.host.codeInFlash;
    const mapped = this.mapped;
    let vars = 0;
    const stack: any[] = [];
    const strCost = (s: string) => (mapped.has(s) ? 1 : s.length <= 10 ? 1 : 1 + Math.ceil((s.length - 10) / 12));
    // function text in RAM: calibrated on espruino.md's tweetnacl-fast figures (2124 vars from RAM,
    // 1121 from flash): Espruino stores bodies tokenised, so about 1 var per 27 chars of minified code
    const codeCost = (src: string) => 1 + Math.ceil(src.length / 27);
    const nameCost = (k: string) => 1 + (k.length > 8 ? Math.ceil((k.length - 8) / 12) : 0);
    const valueCost = (v: any): number => {
      switch (typeof v) {
        case 'number': return (v | 0) === v ? 0 : 1;
        case 'string': return strCost(v);
        case 'object': case 'function':
          if (v !== null) stack.push(v);
          return 0;
        default: return 0;
      }
    };
    const props = (o: any, skip?: Set<string>) => {
      let keys: string[];
      try { keys = Object.getOwnPropertyNames(o); } catch (e) { return; }
      for (const k of keys) {
        if (skip && skip.has(k)) continue;
        if (typeof o === 'function' && (k === 'length' || k === 'name' || k === 'prototype' || k === 'arguments' || k === 'caller')) {
          if (k === 'prototype') { const pr = o.prototype; if (pr && !base.has(pr)) stack.push(pr); }
          continue;
        }
        if (k === 'length' && Array.isArray(o)) continue;
        const d = Object.getOwnPropertyDescriptor(o, k);
        if (!d) continue;
        vars += nameCost(k);
        if ('value' in d) vars += valueCost(d.value);
        else { if (d.get) stack.push(d.get); if (d.set) stack.push(d.set); }
      }
    };
    if (fromGlobal) {
      for (const [o, keys] of base) {
        let own: string[];
        try { own = Object.getOwnPropertyNames(o); } catch (e) { continue; }
        if (own.length === keys.size && own.every((k) => keys.has(k))) {
          // same keys; values of the global's own keys may have been replaced (polyfills)
          if (o !== this.global) continue;
        }
        for (const k of own) {
          if (keys.has(k)) {
            const d = Object.getOwnPropertyDescriptor(o, k);
            if (d && 'value' in d && d.value && (typeof d.value === 'object' || typeof d.value === 'function') && !base.has(d.value)) stack.push(d.value);
            continue;
          }
          const d = Object.getOwnPropertyDescriptor(o, k);
          if (!d) continue;
          vars += nameCost(k);
          if ('value' in d) vars += valueCost(d.value);
        }
      }
    }
    for (const r of roots) valueCost(r);
    const fns: any[] = [];
    while (stack.length || fns.length) {
      if (!stack.length) {
        // closure scopes of the functions reached (each scope counted once, each link 1)
        for (const scopes of closureScopes(fns.splice(0))) {
          for (const sc of scopes) {
            vars += 1;
            const key = scopeKey(sc);
            if (scopeKeys.has(key)) continue;
            scopeKeys.add(key);
            vars += 1;
            props(sc);
          }
        }
        continue;
      }
      const o = stack.pop();
      if (seen.has(o) || base.has(o)) continue;
      seen.add(o);
      if (isHostObject(o)) continue; // the simulator's own objects (native on a board)
      const tag = Object.prototype.toString.call(o);
      if (typeof o === 'function') {
        vars += 1;
        let src = '';
        try { src = Function.prototype.toString.call(o); } catch (e) { src = ''; }
        if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) continue; // host-provided
        vars += Math.max(0, (o.length as number) | 0) + (codeInFlash ? 1 : codeCost(src));
        props(o);
        fns.push(o);
      } else if (ArrayBuffer.isView(o)) {
        vars += 1;
        const buf = (o as any).buffer;
        if (!buffers.has(buf)) { buffers.add(buf); vars += 1 + Math.ceil(buf.byteLength / 12); }
      } else if (tag === '[object ArrayBuffer]') {
        if (!buffers.has(o)) { buffers.add(o); vars += 1 + Math.ceil(o.byteLength / 12); }
      } else if (tag === '[object Date]') vars += 2;
      else if (tag === '[object RegExp]') vars += 2 + strCost(o.source);
      else {
        vars += 1;
        props(o);
        const p = Object.getPrototypeOf(o);
        if (p && !base.has(p)) stack.push(p);
      }
    }
    return vars;
  }

  /** Stop everything: no timer, watch or callback runs any more. */
  kill(): void {
    this.dead = true;
    this.timers = [];
    this.watches = [];
  }
}

/** True for objects of the host realm (Node), as opposed to the sandbox's. */
function isHostObject(o: any): boolean {
  let p = o;
  for (let i = 0; i < 64 && p; i++) {
    const q = Object.getPrototypeOf(p);
    if (q === null) return p === Object.prototype;
    p = q;
  }
  return false;
}

function pinSet(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) if (n && PIN_NAME.test(n) && out.indexOf(n) < 0) out.push(n);
  return out;
}

// ---------------------------------------------------------------------------- closure scopes

let session: any = null;
let sessionOk = true;
const holder: { fn: any; out: any[][] } = { fn: null, out: [] };

function post(method: string, params: any): any {
  let res: any, err: any, done = false;
  session.post(method, params, (e: any, r: any) => { err = e; res = r; done = true; });
  if (!done) throw new Error('inspector answered asynchronously');
  if (err) throw err;
  return res;
}

/**
 * The closure scopes (Closure/Block/Script, not Global) of each function, as snapshot objects
 * (read through the inspector protocol: about two synchronous round trips per function).
 */
export function closureScopes(fns: any[]): any[][] {
  const result: any[][] = fns.map(() => []);
  if (!sessionOk || fns.length === 0) return result;
  try {
    if (!session) {
      const inspector = require('inspector');
      session = new inspector.Session();
      session.connect();
      (globalThis as any).__qgScopeHolder = holder;
    }
    holder.fn = fns;
    holder.out = result;
    const arrId = post('Runtime.evaluate', { expression: 'globalThis.__qgScopeHolder.fn', objectGroup: 'qgmem' }).result.objectId;
    const outId = post('Runtime.evaluate', { expression: 'globalThis.__qgScopeHolder.out', objectGroup: 'qgmem' }).result.objectId;
    const elems = post('Runtime.getProperties', { objectId: arrId, ownProperties: true }).result;
    for (const el of elems) {
      const i = Number(el.name);
      if (!(i >= 0) || !el.value || !el.value.objectId) continue;
      const props = post('Runtime.getProperties', { objectId: el.value.objectId, ownProperties: true });
      const sc = (props.internalProperties || []).find((p: any) => p.name === '[[Scopes]]');
      if (!sc || !sc.value || !sc.value.objectId) continue;
      post('Runtime.callFunctionOn', {
        objectId: sc.value.objectId,
        functionDeclaration: 'function (out, i) { for (var k = 0; k < this.length; k++) { var s = this[k]; if (s && s.type !== "global" && s.object) out[i].push(s.object); } }',
        arguments: [{ objectId: outId }, { value: i }],
      });
    }
    post('Runtime.releaseObjectGroup', { objectGroup: 'qgmem' });
  } catch (e) {
    sessionOk = false;
  }
  holder.fn = null;
  holder.out = [];
  return result;
}

const objIds = new WeakMap<object, number>();
let nextObjId = 1;
function scopeKey(sc: any): string {
  const parts: string[] = [];
  for (const k of Object.getOwnPropertyNames(sc)) {
    const v = sc[k];
    if (v && (typeof v === 'object' || typeof v === 'function')) {
      let id = objIds.get(v);
      if (!id) { id = nextObjId++; objIds.set(v, id); }
      parts.push(k + '#' + id);
    } else parts.push(k + '=' + typeof v + ':' + String(v).slice(0, 40));
  }
  return parts.join('|');
}

// ---------------------------------------------------------------------------- UARTs

/** A UART as the program sees it (SerialN / USB) plus the test side. */
export class SimSerial {
  readonly name: string;
  private sb: EspruinoSandbox;
  baud = 0;
  options: any = null;
  /** The program's 'data' (and other) listeners. */
  listeners: { [ev: string]: any[] } = {};
  /** Everything the program wrote. */
  written = '';
  /** Bytes that arrived while no 'data' listener existed or before setup (lost). */
  dropped = 0;
  private rxFreeAt = 0;

  constructor(name: string, sb: EspruinoSandbox) {
    this.name = name;
    this.sb = sb;
    if (name === 'USB') this.baud = 9600;
  }

  jsObject(): any {
    const self = this;
    const sb = this.sb;
    const o = vmObject(sb);
    o.setup = function (baud: any, opts: any) {
      self.baud = Number(baud) || 9600;
      self.options = opts && typeof opts === 'object' ? { ...opts } : {};
    };
    o.write = function (...args: any[]) { for (const a of args) self.out(byteString(sb.toBytes(a))); };
    o.print = function (s: any) { self.out(String(s)); };
    o.println = function (s: any) { self.out(String(s) + '\r\n'); };
    o.on = function (ev: any, fn: any) { (self.listeners[String(ev)] = self.listeners[String(ev)] || []).push(fn); };
    o.addListener = o.on;
    o.removeListener = function (ev: any, fn: any) {
      const l = self.listeners[String(ev)];
      if (l) { const i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); }
    };
    o.removeAllListeners = function (ev?: any) { if (ev === undefined) self.listeners = {}; else delete self.listeners[String(ev)]; };
    o.emit = function (ev: any, ...args: any[]) { self.emit(String(ev), args); };
    o.available = function () { return 0; };
    o.read = function () { return ''; };
    o.setConsole = function () {};
    o.isConnected = function () { return true; };
    o.inject = undefined;
    return o;
  }

  private out(s: string): void {
    this.written += s;
    if (this.sb.host.onUartWrite) this.sb.host.onUartWrite(this.name, s);
  }

  private emit(ev: string, args: any[]): void {
    const l = this.listeners[ev];
    if (!l) return;
    for (const fn of l.slice()) this.sb.call(fn, this.sb.global, args);
  }

  /**
   * Test side: bytes arrive on RX. Delivered as 'data' events of at most 32 chars, each when its
   * last byte has arrived at the configured baud (paced), or all at the current instant.
   * Bytes are lost when the UART was not set up.
   */
  inject(data: string | Uint8Array, paced = true): void {
    const s = typeof data === 'string' ? data : byteString(data);
    if (!s.length) return;
    if (!this.baud || (this.name !== 'USB' && this.options === null)) { this.dropped += s.length; return; }
    const msPerByte = paced ? 10000 / this.baud : 0;
    const clock = this.sb.host.clock;
    let at = Math.max(clock.ms, this.rxFreeAt);
    for (let i = 0; i < s.length; i += 32) {
      const chunk = s.slice(i, i + 32);
      at += chunk.length * msPerByte;
      this.sb.schedule(() => {
        if (!(this.listeners.data && this.listeners.data.length)) { this.dropped += chunk.length; return; }
        this.emit('data', [chunk]);
      }, at - clock.ms, [], true);
    }
    this.rxFreeAt = at;
  }
}

function vmObject(sb: EspruinoSandbox): any {
  return vm.runInContext('({})', sb.context);
}
