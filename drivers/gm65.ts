// A Grow GM65-style QR module's command protocol over the scanner UART (device code, ES5 rules:
// see docs/CONVENTIONS.md). GM65, GM805 and their protocol twins take "zone bit" commands on the
// same UART they send scans on (Grow's GM65 user manual, "Serial port instruction"):
//
//   command  7E 00 | type | len | addrH addrL | data (len bytes) | CRC-H CRC-L
//            type 07 read zone bits, 08 write zone bits (to the module's RAM), 09 save the zone
//            bits to the module's flash. This driver sends only 08: it NEVER builds a 09 frame, so
//            the module's flash (its settings across power cycles) is never written; the gate
//            writes its settings again at every boot.
//   answer   02 00 | status | len | data (len bytes) | CRC-H CRC-L
//            status 00: done (a write is answered 02 00 00 01 00 33 31). The GM65 gives no answer
//            to a command with a wrong CRC or format; some twins answer with a status other than
//            00 (a NAK): both are reported.
//   CRC      CRC-16/XMODEM (polynomial 0x1021, initial 0, no reflection) over the bytes from
//            type to the end of data (command) or from status to the end of data (answer).
//
// `Gm65` sits between the UART and the scanner framing driver while the gate configures the
// module at boot: it takes the port (`port.onData`), hands every byte that is not part of an
// answer to `feed` (the scanner driver's framing, drivers/scanner.ts), so scans go on while it
// works and the binary answers never reach the framing as text (an answer's last bytes, 33 31,
// are printable: "31"). `close()` lets go of the port: the caller gives it back to the scanner.
//
// Zone bits written (the GM65 manual's list; the same addresses on the GM805):
//   0x0000  bit 7 light the LED on a good read (1), bit 6 beeper on (1) / muted (0), bits 5-4
//           aim (01 standard), bits 3-2 illumination (00 off, 01 standard, 10 always on),
//           bits 1-0 mode (00 manual: the module's trigger, 10 continuous, 11 sensor).
//   0x0013  same-code delay: bit 7 on, bits 6-0 the delay in 100 ms (at most 12.7 s).
//   0x002C  bits 1-0: 00 every symbology off (then 0x003F turns QR on again).
//   0x003F  bit 0: QR Code on.

import { SerialPort, Timers } from '../hal/types';

/** Zone-bit addresses the gate writes. */
export var GM65_MODE = 0x0000;
export var GM65_SAME_CODE = 0x0013;
export var GM65_SYMBOLOGIES = 0x002C;
export var GM65_QR = 0x003F;

/** CRC-16/XMODEM of the char codes of s[from..to). */
export function gm65Crc(s: string, from: number, to: number): number {
  var crc = 0;
  for (var i = from; i < to; i++) {
    crc ^= (s.charCodeAt(i) & 0xff) << 8;
    for (var k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The command that writes `value` (one byte) at zone bit `addr` in the module's RAM (a byte string). */
export function gm65WriteCommand(addr: number, value: number): string {
  var s = String.fromCharCode(0x08, 1, (addr >> 8) & 0xff, addr & 0xff, value & 0xff);
  var crc = gm65Crc(s, 0, s.length);
  return '\x7e\x00' + s + String.fromCharCode(crc >> 8, crc & 0xff);
}

/** What the site wants of the module (configuration scanner.*). */
export interface Gm65Settings {
  /** 'continuous' | 'sensor' | 'manual'. */
  mode: string;
  /** 'standard' (lit while reading) | 'on' | 'off'. */
  light: string;
  beep: boolean;
  /** The module's own same-code delay, ms (0: off); more than 12,700 is 12,700. */
  sameCodeMs: number;
}

/**
 * The zone-bit writes for these settings, in the order to send them: [addr, value] each. The mode
 * byte first (the probe: a module that answers it answers the rest), then the same-code delay,
 * then QR only (every symbology off, QR on).
 */
export function gm65Writes(s: Gm65Settings): number[][] {
  var mode = s.mode === 'sensor' ? 3 : s.mode === 'manual' ? 0 : 2;
  var light = s.light === 'off' ? 0 : s.light === 'on' ? 2 : 1;
  var same = s.sameCodeMs > 0 ? 0x80 | Math.min(127, Math.max(1, Math.round(s.sameCodeMs / 100))) : 0;
  return [
    [GM65_MODE, 0x80 | (s.beep ? 0x40 : 0) | 0x10 | (light << 2) | mode],
    [GM65_SAME_CODE, same],
    [GM65_SYMBOLOGIES, 0],
    [GM65_QR, 1],
  ];
}

export interface Gm65Options {
  port: SerialPort;
  timers: Timers;
  /** Receives the bytes that are not answers (the scanner framing's input). */
  feed: (chunk: string) => void;
  /** How long a command waits for its answer, ms (default 300). */
  answerMs?: number;
}

/**
 * The module's answer to a command: 'ok', 'nak' (an answer whose status is not 00), 'crc' (an
 * answer with a wrong CRC) or 'none' (no answer within answerMs).
 */
export type Gm65Result = string;

export class Gm65 {
  /** Answers seen, by kind, since construction. */
  stats: { ok: number; nak: number; crc: number; none: number };
  private _port: SerialPort;
  private _timers: Timers;
  private _feed: (chunk: string) => void;
  private _answerMs: number;
  /** The answer being read (from its 02), or null. */
  private _cap: string | null;
  private _cb: ((r: Gm65Result) => void) | null;
  private _timer: number | null;
  private _closed: boolean;

  constructor(opts: Gm65Options) {
    var self = this;
    this._port = opts.port;
    this._timers = opts.timers;
    this._feed = opts.feed;
    this._answerMs = opts.answerMs && opts.answerMs > 0 ? opts.answerMs : 300;
    this._cap = null;
    this._cb = null;
    this._timer = null;
    this._closed = false;
    this.stats = { ok: 0, nak: 0, crc: 0, none: 0 };
    this._port.onData(function (chunk: string) { self._data(chunk); });
  }

  /**
   * Write one zone-bit byte (to the module's RAM) and call `cb` with the answer, asynchronously
   * (from the UART's data callback or the answer timer). One command at a time.
   */
  write(addr: number, value: number, cb: (r: Gm65Result) => void): void {
    var self = this;
    if (this._closed || this._cb) throw new Error('gm65: busy');
    this._cb = cb;
    this._port.write(gm65WriteCommand(addr, value));
    this._timer = this._timers.setTimeout(function () {
      self._timer = null;
      // a partial answer is given back (it was not one), then the command has no answer
      self._giveBack();
      self._done('none');
    }, this._answerMs);
  }

  /** Let go of the port (the caller gives it to the scanner driver), cancel the wait. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    if (this._timer !== null) this._timers.clearTimeout(this._timer);
    this._timer = null;
    this._cb = null;
    this._giveBack();
    this._port.onData(null);
  }

  private _done(r: Gm65Result): void {
    var cb = this._cb;
    this._cb = null;
    if (this._timer !== null) this._timers.clearTimeout(this._timer);
    this._timer = null;
    (this.stats as any)[r]++;
    if (cb) cb(r);
  }

  /** Bytes captured as the start of an answer that was not one: they are the scanner's. */
  private _giveBack(): void {
    var c = this._cap;
    this._cap = null;
    if (c) this._feed(c);
  }

  private _data(chunk: string): void {
    if (this._closed || !chunk) return;
    var run = 0;
    var n = chunk.length;
    for (var i = 0; i < n; i++) {
      var c = chunk.charCodeAt(i);
      if (this._cap === null) {
        if (c !== 0x02) continue;
        if (i > run) this._feed(chunk.substring(run, i));
        this._cap = '\x02';
        run = i + 1;
        continue;
      }
      var cap = this._cap + chunk.charAt(i);
      var len = cap.length;
      run = i + 1;
      // 02 00 status len ...: a status or length byte that is text means this was no answer
      if ((len === 2 && c !== 0) || (len === 3 && c >= 0x20)) {
        this._cap = cap;
        this._giveBack();
        continue;
      }
      if (len < 4 || len < 6 + cap.charCodeAt(3)) {
        this._cap = cap;
        continue;
      }
      this._cap = null;
      var ok = gm65Crc(cap, 2, len - 2) === (cap.charCodeAt(len - 2) << 8 | cap.charCodeAt(len - 1));
      // an answer nobody waits for (a late one) is dropped all the same
      if (this._cb) this._done(!ok ? 'crc' : cap.charCodeAt(2) === 0 ? 'ok' : 'nak');
    }
    if (this._cap === null && run < n) this._feed(run ? chunk.substring(run) : chunk);
  }
}
