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
//    (and an interval) goes on (the queue is sim/vtime.ts, shared with the unit-test fakes);
//  - Date and getTime() read the virtual wall clock; Math.random is a seeded PRNG (deterministic);
//  - console.log/print produce captured lines; require('Storage') is the FlashImage,
//    require('crypto') has SHA1/SHA224/SHA256 (profile.nativeSha256) and SHA384/SHA512
//    (profile.nativeSha512) returning ArrayBuffers; other modules come from `modules` hooks
//    ('http' is left to the uplink work) or throw "Module X not found";
//  - E.nativeCall exists only when a `nativeCall` hook is given (the sim cannot run Thumb-2 code,
//    so by default firmware sees a board without it and takes its JavaScript paths); with a chip,
//    E.getAddressOf gives typed arrays made-up RAM addresses, E.defrag (not with saveOnFlash)
//    moves every one of them, and `ramFragmented` (a test's fault) makes new ones non-flat (0);
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
// process.memory().usage is an estimate of Espruino JsVars: memory.ts says how it is counted.
//
// The sandbox in files (each file's header says what it holds):
//   index.ts    EspruinoSandbox: wires the parts below together (this file)
//   core.ts     vm context and realm, state, running code and callbacks, the event loop
//   prelude.ts  the JavaScript run in the context first (builtins removed or made Espruino's)
//   code.ts     program text as Espruino runs it (late vars, misread case clauses), error messages
//   pins.ts     virtual pins, watches, digitalPulse
//   uart.ts     SerialN / USB and the test side's RX
//   globals.ts  the globals the program sees (console, timers, pins, require, E, process ...)
//   builtins.ts atob, btoa and E.CRC32 as Espruino's C code does them (absent with saveOnFlash)
//   memory.ts   the process.memory() estimate
import * as vm from 'vm';
import { SandboxHostOf, BASE_VARS } from './core';
import { SandboxPins, pinSet } from './pins';
import { SimSerial } from './uart';
import { installGlobals } from './globals';
import { Baseline, estimate, snapshotBaseline } from './memory';
import { PRELUDE } from './prelude';

export { espruinoCode, espruinoMessage } from './code';
export { ESPRUINO_VERSION, BASE_VARS } from './core';
export { VirtualClock } from '../vtime';
export type { PinState } from './pins';
export { SimSerial } from './uart';
export { closureScopes } from './memory';

export type SandboxHost = SandboxHostOf<EspruinoSandbox>;

export class EspruinoSandbox extends SandboxPins {
  declare readonly host: SandboxHost;
  readonly serials: { [name: string]: SimSerial } = {};
  private baseline: Baseline;

  constructor(host: SandboxHost) {
    super(host);
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
    installGlobals(this);
    this.baseline = snapshotBaseline(this.global);
  }

  /** Estimated JsVars in use (see memory.ts). */
  memoryUsage(): number {
    const roots: any[] = [];
    for (const t of this.queue.timers()) roots.push(t.fn, ...t.args);
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
    return estimate(roots, fromGlobal, { baseline: this.baseline, global: this.global, codeInFlash: !!this.host.codeInFlash, mapped: this.mapped });
  }
}
