// Line framing and a command queue over a UART, for modems with a line-based ASCII command set
// (the RN2483's; Espruino's own RN2483.js hands the same job to its AT.js module). Generic: knows
// no command. drivers/rn2483.ts builds the modem's LoRaWAN logic on top.
//
// Lines end with LF (a CR before it is dropped; empty lines are ignored). One command at a time:
// a queued command is written as its text + CR LF once the previous one has finished. Each command
// has a timeout for its first answer and, for a two-stage command (t2 > 0), a second one that starts
// when the first answer is "ok" (anything else as the first answer refuses it). A line that comes
// while no command waits is unsolicited (a banner after a brown-out ...) and dropped. The callback
// of a command is never called synchronously from command().
import { SerialPort, Timers } from '../hal/types';

/** A queued command. */
export interface AtCommand {
  text: string;
  /** Milliseconds for the first answer, and for the second (0: one answer only). */
  t1: number;
  t2: number;
  cb: (err: string | null, lines: string[]) => void;
  /** Two-stage commands: called when the first answer is ok (a transmission has started). */
  ok?: () => void;
}

/** Bytes without a line end after which the buffer is dropped (garbage). */
export var AT_MAX_LINE = 600;

export class At {
  port: SerialPort;
  timers: Timers;
  buf: string;
  queue: AtCommand[];
  cur: AtCommand | null;
  curLines: string[];
  curTimer: number;
  /** Timeouts in a row (0 after any answer). */
  timeouts: number;
  /** Refusals and timeouts by reply. */
  errors: { [reply: string]: number };

  constructor(port: SerialPort, timers: Timers, errors: { [reply: string]: number }) {
    this.port = port;
    this.timers = timers;
    this.buf = '';
    this.queue = [];
    this.cur = null;
    this.curLines = [];
    this.curTimer = 0;
    this.timeouts = 0;
    this.errors = errors;
    var self = this;
    port.onData(function (chunk: string) { self.data(chunk); });
  }

  data(chunk: string): void {
    this.buf += chunk;
    var i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      var line = this.buf.substring(0, i);
      this.buf = this.buf.substring(i + 1);
      if (line.length && line.charCodeAt(line.length - 1) === 13) line = line.substring(0, line.length - 1);
      if (line.length) this.line(line);
    }
    if (this.buf.length > AT_MAX_LINE) this.buf = ''; // garbage without line ends
  }

  line(line: string): void {
    var c = this.cur;
    if (!c) return; // unsolicited (a banner after a brown-out ...): nothing waits for it
    this.curLines.push(line);
    if (this.curLines.length === 1 && c.t2 > 0 && line === 'ok') {
      // the first answer of a two-stage command: now wait for the second
      this.timers.clearTimeout(this.curTimer);
      var self = this;
      this.curTimer = this.timers.setTimeout(function () { self.finish('timeout'); }, c.t2);
      if (c.ok) c.ok();
      return;
    }
    var err: string | null = null;
    if (this.curLines.length === 1 && c.t2 > 0) err = line; // a two-stage command refused at once
    this.finish(err);
  }

  finish(err: string | null): void {
    var c = this.cur;
    if (!c) return;
    if (err !== 'timeout') this.timers.clearTimeout(this.curTimer);
    this.curTimer = 0;
    var lines = this.curLines;
    this.cur = null;
    this.curLines = [];
    if (err === 'timeout') this.timeouts++;
    else this.timeouts = 0;
    if (err) this.errors[err] = (this.errors[err] || 0) + 1;
    c.cb(err, lines);
    this.next();
  }

  /** Queues a command; cb(err, lines): err is null or the refusing reply ('timeout' when none came). */
  command(text: string, t1: number, t2: number, cb: (err: string | null, lines: string[]) => void, ok?: () => void): void {
    this.queue.push({ text: text, t1: t1, t2: t2, cb: cb, ok: ok });
    if (!this.cur) {
      var self = this;
      this.timers.setTimeout(function () { self.next(); }, 0);
    }
  }

  next(): void {
    if (this.cur || !this.queue.length) return;
    var c = this.queue.shift() as AtCommand;
    this.cur = c;
    this.curLines = [];
    var self = this;
    this.curTimer = this.timers.setTimeout(function () { self.finish('timeout'); }, c.t1);
    this.port.write(c.text + '\r\n');
  }
}
