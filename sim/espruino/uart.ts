// UARTs (Serial1..4, USB) as the program sees them, and the test side that injects bytes on RX
// (paced at the configured baud, delivered as 'data' events on the event queue). See index.ts.
import * as vm from 'vm';
import { byteString } from '../flash';
import { SandboxCore } from './core';

/** A UART as the program sees it (SerialN / USB) plus the test side. */
export class SimSerial {
  readonly name: string;
  private sb: SandboxCore;
  baud = 0;
  options: any = null;
  /** The program's 'data' (and other) listeners. */
  listeners: { [ev: string]: any[] } = {};
  /** Everything the program wrote. */
  written = '';
  /** Bytes that arrived while no 'data' listener existed or before setup (lost). */
  dropped = 0;
  private rxFreeAt = 0;

  constructor(name: string, sb: SandboxCore) {
    this.name = name;
    this.sb = sb;
    if (name === 'USB') this.baud = 9600;
  }

  jsObject(): any {
    const self = this;
    const sb = this.sb;
    const o = vmObject(sb);
    o.setup = function (baud: any, opts: any) {
      const err = sb.host.uartSetupError ? sb.host.uartSetupError(self.name) : null;
      if (err) throw sb.err(err);
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

function vmObject(sb: SandboxCore): any {
  return vm.runInContext('({})', sb.context);
}
