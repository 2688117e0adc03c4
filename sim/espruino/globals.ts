// Espruino's globals in the sandbox: console/print, timers, atob/btoa, getTime/setTime, pin
// functions, the UARTs, require() and its builtin modules (Storage, crypto, TelnetServer, and the
// host's), E, NRF, process, load/reset/save. The behaviour behind them lives in core.ts (timers,
// events), pins.ts, uart.ts and memory.ts; see index.ts for what is mimicked.
import * as crypto from 'crypto';
import * as vm from 'vm';
import { espruinoCode } from './code';
import { espruinoAtob, espruinoBtoa, espruinoCrc32, espruinoJsonStringify } from './builtins';
import { bytesOf, byteString, FlashChip } from '../flash';
import { ESPRUINO_VERSION, SandboxHostOf } from './core';
import { SandboxPins } from './pins';
import { SimSerial } from './uart';

/** What the globals need of the sandbox (EspruinoSandbox, index.ts). */
export interface GlobalsSandbox extends SandboxPins {
  readonly host: SandboxHostOf<any>;
  readonly serials: { [name: string]: SimSerial };
  memoryUsage(): number;
  estimate(roots: any[], fromGlobal: boolean): number;
}

/** Define Espruino's globals (console, timers, pins, UARTs, require, E, process ...) in the sandbox. */
export function installGlobals(sb: GlobalsSandbox): void {
  const g = sb.global;
  const host = sb.host;
  const def = (name: string, fn: any) => { g[name] = fn; };

  // console
  const log = function (...args: any[]) { host.print(args.map((a) => sb.format(a)).join(' ')); };
  const con = new sb.R.Object() as any;
  con.log = log; con.info = log; con.warn = log; con.error = log; con.debug = log;
  con.trace = function () { host.print('console.trace'); };
  def('console', con);
  def('print', log);

  // timers
  def('setTimeout', function (fn: any, ms: any, ...args: any[]) {
    if (typeof fn !== 'function' && typeof fn !== 'string') throw sb.err('Function or String not supplied!');
    return sb.queue.timeout(fn, Number(ms), args).id;
  });
  def('setInterval', function (fn: any, ms: any, ...args: any[]) {
    if (typeof fn !== 'function' && typeof fn !== 'string') throw sb.err('Function or String not supplied!');
    return sb.queue.interval(fn, Number(ms), args).id;
  });
  def('clearTimeout', function () { sb.clearTimer(arguments, 'Timeout'); });
  def('clearInterval', function () { sb.clearTimer(arguments, 'Interval'); });
  def('changeInterval', function (id: any, ms: any) {
    if (!sb.queue.change(id, Number(ms))) throw sb.err('Unknown Interval');
  });

  // base64 over byte strings, as Espruino's atob/btoa (builtins.ts: lenient atob, as its C code;
  // the gate decodes its native code and DIVOC's base64 with them; the espruino tool uploads files
  // with them). Absent from a firmware built with SAVE_ON_FLASH.
  if (!host.saveOnFlash) {
    def('atob', function (s: any) {
      if (typeof s !== 'string') throw sb.err('Expecting String, got ' + typeof s);
      return byteString(espruinoAtob(bytesOf(s)));
    });
    def('btoa', function (s: any) {
      if (!(typeof s === 'string' || Array.isArray(s) || ArrayBuffer.isView(s))) throw sb.err('Expecting String or Array, got ' + typeof s);
      return espruinoBtoa(sb.toBytes(s));
    });
  }

  // JSON.stringify as Espruino's writes JSON values (builtins.ts espruinoJsonStringify: upper-case
  // \uXXXX escapes of controls and of chars from 0x7f up; no __proto__/constructor keys). The gate
  // reads DIVOC's JSON natively only where that gives the text back (proto/jsonnative.ts).
  const realmStringify = sb.R.JSON.stringify;
  g.JSON.stringify = function (v: any, replacer?: any, space?: any) {
    void replacer; // (ignored, as Espruino does)
    if (space !== undefined && space !== null) return realmStringify(v, null, space);
    return espruinoJsonStringify(v, (x, r) => realmStringify(x, r));
  };

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
  def('digitalPulse', function (p: any, v: any, ms: any) { sb.digitalPulse(p, v, ms); });
  def('setWatch', function (fn: any, p: any, opts: any) { return sb.setWatch(fn, p, opts); });
  def('clearWatch', function () { sb.clearWatch(arguments); });
  def('analogRead', function (p: any) { sb.pinName(p); return 0; });
  def('analogWrite', function (p: any, v: any) { sb.digitalWrite(p, Number(v) >= 0.5 ? 1 : 0); });

  // UARTs
  for (const name of ['Serial1', 'Serial2', 'Serial3', 'Serial4', 'USB']) {
    const s = new SimSerial(name, sb);
    sb.serials[name] = s;
    def(name, s.jsObject());
  }

  // require
  def('require', function (name: any) {
    const n = String(name);
    if (n in sb.moduleCache) return sb.moduleCache[n];
    const m = makeModule(sb, n);
    if (m === undefined) throw sb.err(`Module ${n} not found`);
    sb.moduleCache[n] = m;
    return m;
  });

  // E
  const E = new sb.R.Object() as any;
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
  E.hwRand = function () { return sb.hwRand(); };
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
  // E.toFlatString (src/jswrap_espruino.c): the bytes as one contiguous string, or undefined when
  // no block that large is free; on a build with E.defrag it packs memory first and tries again.
  // (Modelled with ramFragmented: a defrag where there is one, else undefined.)
  E.toFlatString = function (...args: any[]) {
    if (sb.ramFragmented) {
      if (typeof E.defrag !== 'function') return undefined;
      E.defrag();
    }
    return E.toString(...args);
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
  if (!host.saveOnFlash) E.CRC32 = function (data: any) { return espruinoCrc32(sb.toBytes(data)); };
  // E.defrag (src/jsvar.c jsvDefragment, absent from SAVE_ON_FLASH builds): collects garbage, then
  // moves variables, unlocked flat strings (typed arrays' data) included, towards the start of
  // memory. Modelled as the worst for a program: every flat buffer gets a new address (the old one
  // is nobody's: native code given it reads 0xFF and cannot write there), and flat buffers can be
  // had again (ramFragmented cleared).
  if (!host.saveOnFlash) {
    E.defrag = function () {
      sb.defrags++;
      sb.ramFragmented = false;
      for (const f of sb.onDefrag) f();
    };
  }
  if (host.chip) defineChip(sb, E, host.chip);
  // eval: Espruino evaluates in the current scope and has no strict mode, so the loader's
  // top-level eval(E.memoryArea(...)) defines globals even when the code starts with "use strict"
  // (Node's strict direct eval would keep them to itself). Here eval runs program text as a
  // top-level script, as sb.run does; the firmware calls eval only at the top level (the loader).
  def('eval', function (code: any) {
    if (typeof code !== 'string') return code;
    return vm.runInContext(espruinoCode(code), sb.context, { filename: 'eval' });
  });
  def('E', E);

  // Network consoles: telnet (ESP32 over Wi-Fi; the Linux build's --telnet) and the Bluetooth
  // UART (nRF52 boards, ESP32), with the API the firmware uses to turn them off.
  const pname = host.profile.name;
  if (pname === 'esp32' || pname === 'linux') sb.netConsoles.telnet = 'on';
  if (pname === 'esp32' || pname === 'mdbt42q') {
    sb.netConsoles.bleUart = true;
    sb.netConsoles.bleAdvertising = true;
    const NRF = new sb.R.Object() as any;
    NRF.setServices = function (data: any, opts?: any) {
      if (!(data === undefined || (data && typeof data === 'object'))) throw sb.err('Expecting Object or undefined');
      sb.netConsoles.bleUart = !(opts && opts.uart === false);
    };
    NRF.sleep = function () { sb.netConsoles.bleAdvertising = false; };
    NRF.wake = function () { sb.netConsoles.bleAdvertising = true; };
    def('NRF', NRF);
  }

  // process
  const proc = new sb.R.Object() as any;
  proc.env = sb.plain({ VERSION: ESPRUINO_VERSION, BOARD: host.profile.ids[0], CONSOLE: 'USB', MODULES: '' });
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


/**
 * Flash and addresses (host.chip): E.memoryArea (a string of the flash bytes: memory-mapped, zero
 * RAM), E.getAddressOf (flash strings: their address; typed arrays: a made-up RAM address,
 * registered so that emulated native code reads them; 0 while ramFragmented; E.defrag moves
 * them all), E.nativeCall of the code the chip
 * emulates, and require('Flash') (getFree, getPage, erasePage, write, read).
 */
function defineChip(sb: GlobalsSandbox, E: any, chip: FlashChip): void {
  const addrOf = new Map<string, number>();
  const ram: { addr: number; arr: Uint8Array }[] = [];
  let nextRam = 0x20000000;
  const pieces = new WeakSet<object>();
  E.memoryArea = function (addr: any, len: any) {
    const a = Number(addr) | 0, n = Number(len) | 0;
    if (!a || n < 0) return undefined;
    const s = byteString(chip.read(a, n));
    if (s.length > 10) { sb.mapped.add(s); addrOf.set(s, a); }
    return s;
  };
  E.getAddressOf = function (v: any, flat: any) {
    void flat;
    if (typeof v === 'string') {
      const a = addrOf.get(v);
      if (a !== undefined) return a;
      return chip.addressOfStored(v) || 0;
    }
    if (v && ArrayBuffer.isView(v)) {
      for (const r of ram) if (r.arr === v) return r.addr;
      // made in pieces while RAM was fragmented: never flat (E.defrag, then a new one is)
      if (pieces.has(v)) return 0;
      if (sb.ramFragmented) { pieces.add(v); return 0; }
      const addr = nextRam;
      nextRam += ((v as Uint8Array).byteLength + 0xff) & ~0xff;
      ram.push({ addr, arr: v as Uint8Array });
      return addr;
    }
    return 0;
  };
  // E.defrag: every registered buffer moves to a fresh address (never one used before).
  sb.onDefrag.push(() => {
    for (const r of ram) {
      r.addr = nextRam;
      nextRam += (r.arr.byteLength + 0xff) & ~0xff;
    }
  });
  const mem = (addr: number, len: number): Uint8Array => {
    for (const r of ram) {
      if (addr >= r.addr && addr + len <= r.addr + r.arr.byteLength) {
        return new Uint8Array(r.arr.buffer, r.arr.byteOffset + (addr - r.addr), len).slice();
      }
    }
    return chip.read(addr, len);
  };
  const write = (addr: number, bytes: Uint8Array): void => {
    for (const r of ram) {
      if (addr >= r.addr && addr + bytes.length <= r.addr + r.arr.byteLength) { r.arr.set(bytes, addr - r.addr); return; }
    }
    throw new Error(`sim: native code wrote outside RAM at 0x${addr.toString(16)}`);
  };
  if (chip.native && !E.nativeCall) {
    const native = chip.native;
    E.nativeCall = function (addr: any, sig: any) {
      const fn = native(Number(addr) & ~1, String(sig), mem, write);
      if (!fn) throw sb.err(`sim: no emulated machine code at 0x${(Number(addr) & ~1).toString(16)}`);
      return function (...args: any[]) { return fn(...args.map((x) => Number(x) | 0)); };
    };
  }
  const F = new sb.R.Object() as any;
  F.getFree = function () { return sb.plain(chip.getFree()); };
  F.getPage = function (addr: any) { const p = chip.getPage(Number(addr)); return p ? sb.plain(p) : undefined; };
  F.erasePage = function (addr: any) {
    if (typeof addr !== 'number' || Math.floor(addr) !== addr) throw sb.err(`Address should be an integer, got ${typeof addr}`);
    try { chip.erasePage(addr); } catch (e: any) { throw sb.err(e.message); }
  };
  F.write = function (data: any, addr: any) {
    if (data === undefined) throw sb.err('Data is not defined');
    try { chip.write(sb.toBytes(data).slice(), Number(addr) | 0); } catch (e: any) { throw sb.err(e.message); }
  };
  F.read = function (len: any, addr: any) {
    const b = chip.read(Number(addr) | 0, Number(len) | 0);
    const u = new sb.R.Uint8Array(b.length);
    u.set(b);
    return u;
  };
  sb.moduleCache.Flash = F;
}

/** A builtin module for require(name), or undefined. */
function makeModule(sb: GlobalsSandbox, name: string): any {
  const host = sb.host;
  if (name === 'Storage') {
    return wrapHostObject(sb, host.flash.storageModule({
      realm: sb.R,
      onMapped: (s) => { if (s.length > 10) { sb.mapped.add(s); if (sb.mapped.size > 512) sb.mapped.delete(sb.mapped.values().next().value as string); } },
      print: (l) => host.print(l),
    }));
  }
  if (name === 'crypto') {
    if (!host.profile.nativeSha256 && !host.profile.nativeSha512) return undefined;
    const m = new sb.R.Object() as any;
    const hashFn = (alg: string) => (data: any) => {
      const bytes = sb.toBytes(data);
      const d = crypto.createHash(alg).update(bytes).digest();
      const ab = new sb.R.ArrayBuffer(d.length);
      new sb.R.Uint8Array(ab).set(d);
      return ab;
    };
    m.SHA1 = hashFn('sha1');
    if (host.profile.nativeSha256) { m.SHA224 = hashFn('sha224'); m.SHA256 = hashFn('sha256'); }
    if (host.profile.nativeSha512) { m.SHA384 = hashFn('sha384'); m.SHA512 = hashFn('sha512'); }
    return m;
  }
  if (name === 'TelnetServer' && sb.netConsoles.telnet !== null) {
    const m = new sb.R.Object() as any;
    m.setOptions = function (o: any) {
      if (!o || typeof o !== 'object') throw sb.err(`Expecting Object, got ${typeof o}`);
      if (o.mode === undefined) return;
      if (o.mode !== 'on' && o.mode !== 'off') throw sb.err('Unknown mode value');
      sb.netConsoles.telnet = o.mode;
    };
    return m;
  }
  if (host.modules && host.modules[name]) return host.modules[name](sb);
  return undefined;
}

/** Host-made module object: copy its functions onto a realm object (so it looks native). */
function wrapHostObject(sb: GlobalsSandbox, o: any): any {
  const m = new sb.R.Object() as any;
  for (const k of Object.keys(o)) m[k] = o[k];
  return m;
}
