// QR scanner framing over a UART (device code, ES5 rules: see docs/CONVENTIONS.md).
//
// A scanner module sends each decoded QR code as text followed by a terminator. This driver turns
// the UART's chunks (any size, split anywhere) into frames and hands each frame to `onScan`.
//
// Framing rules
//  - A frame ends at CR, at LF, or at CRLF (one terminator: the LF right after a CR is swallowed,
//    even when the two arrive in different chunks or with noise bytes between them).
//  - A frame also ends at an idle gap: when no byte (of any kind) arrives for `idleMs` while text
//    is pending, the pending text is a frame (scanners configured without a suffix).
//  - Byte filter (chunks are byte strings, one char per byte): kept are 0x20..0x7E and 0x80..0xFE
//    (QR codes may carry UTF-8 text, whose bytes are all 0x80..0xF4 and pass unchanged). Dropped
//    as noise and counted in `stats.noise`: 0x00..0x1F other than CR and LF (NUL, TAB, ESC ...),
//    0x7F (DEL), 0xFF (idle-line/break garbage) and any char code above 0xFF (not a byte).
//    Noise bytes are invisible to framing: they neither end nor split a frame.
//  - Empty frames (a terminator with no text, e.g. LF LF) are ignored and not counted.
//  - A frame longer than `maxLen` bytes is dropped whole when it ends, counted in
//    `stats.tooLong` and reported to `onDrop('too-long', count, len)`; its bytes are not buffered
//    past `maxLen`. The next frame is unaffected (framing resynchronises at the terminator or
//    idle gap that ends the long one).
//  - Duplicates: a frame equal to the previous frame, arriving less than `dedupMs` after that
//    previous frame was seen, is ignored and counted in `stats.duplicates`. The window slides:
//    every sighting (delivered or suppressed) restarts it, so a code held in front of a scanner
//    that re-reads it continuously is delivered once; after `dedupMs` without that text it is
//    delivered again. Only the latest text is remembered (A, B, A delivers all three).
//  - The queue: at most `queueMax` frames wait for `onScan` (the frame being handled does not
//    count). A new frame that finds the queue full is dropped, counted in `stats.dropped` and
//    reported to `onDrop('busy', count, len)`; it does not become the remembered text of the
//    duplicate check, so a scanner re-reading it delivers it once the queue has room.
//    This is where scans wait while the gate decides: a decision runs synchronously inside
//    `onScan` (seconds on a board), the interpreter holds the UART's bytes meanwhile and hands
//    them over afterwards, so all the frames that arrived during it are framed here at once.
//    The window runs on `timers`, not on the wall clock: setting the clock at run time
//    (forwards or backwards) cannot stretch or break it, and the remembered text is released
//    when the window ends. `dedupMs: 0` disables the check.
//
// Delivery: `onScan(text)` is called from a `timers.setTimeout(.., 0)` callback, one frame per
// callback, never synchronously inside the UART data callback. A throwing `onScan` does not lose
// the frames queued after it. `onDrop` is called from inside the UART data callback (or the idle
// timer) as the frame is dropped; it may not throw into the framing (caught and ignored). `stats.frames` counts frames accepted for delivery (after dedup).
// `close()` unregisters from the port, cancels every timer and drops undelivered frames.

import { Clock, SerialPort, Timers } from '../hal/types';

/** Counters since construction. */
export interface ScannerStats {
  /** Frames accepted and queued for `onScan`. */
  frames: number;
  /** Frames longer than `maxLen`, dropped whole. */
  tooLong: number;
  /** Noise bytes dropped (see the byte filter above). */
  noise: number;
  /** Frames ignored as repeats within the dedup window. */
  duplicates: number;
  /** Frames dropped because `queueMax` frames were already waiting. */
  dropped: number;
}

export interface ScannerOptions {
  port: SerialPort;
  timers: Timers;
  /** Receives each frame as a byte string (asynchronously). */
  onScan: (text: string) => void;
  /** Idle gap that ends a frame, ms (default 50). */
  idleMs?: number;
  /** Longest frame kept, bytes (default 2048). */
  maxLen?: number;
  /** Duplicate window, ms (default 3000; 0 disables). */
  dedupMs?: number;
  /** Most frames waiting for `onScan` (default 4); more are dropped and counted. */
  queueMax?: number;
  /**
   * Told of each dropped frame: why ('busy': the queue was full; 'too-long': over `maxLen`), the
   * running count of that kind (stats.dropped or stats.tooLong) and the frame's length in bytes.
   */
  onDrop?: (why: string, count: number, len: number) => void;
  /**
   * Accepted for wiring symmetry and not used: the dedup window runs on `timers` so that setting
   * the wall clock cannot break it (see the header). May be omitted.
   */
  clock?: Clock;
}

export var SCANNER_DEFAULTS = { idleMs: 50, maxLen: 2048, dedupMs: 3000, queueMax: 4 };

function optNum(v: number | undefined, dflt: number, min: number): number {
  return typeof v === 'number' && v >= min && v < Infinity ? v : dflt;
}

export class Scanner {
  stats: ScannerStats;
  private _port: SerialPort;
  private _timers: Timers;
  private _onScan: (text: string) => void;
  private _idleMs: number;
  private _maxLen: number;
  private _dedupMs: number;
  private _queueMax: number;
  private _onDrop: ((why: string, count: number, len: number) => void) | null;
  /** Pending text of the current frame. */
  private _buf: string;
  /** The current frame overflowed maxLen: discard until it ends. */
  private _over: boolean;
  /** Bytes of the current frame (counted on while it is discarded). */
  private _len: number;
  /** The last framing byte was CR: an LF now is its partner, not a new terminator. */
  private _afterCR: boolean;
  private _idleId: number | null;
  private _queue: string[];
  private _deliverId: number | null;
  private _last: string | null;
  private _dedupId: number | null;
  private _closed: boolean;
  private _idleFn: () => void;
  private _deliverFn: () => void;
  private _dedupFn: () => void;

  constructor(opts: ScannerOptions) {
    var self = this;
    this._port = opts.port;
    this._timers = opts.timers;
    this._onScan = opts.onScan;
    this._idleMs = optNum(opts.idleMs, SCANNER_DEFAULTS.idleMs, 1);
    this._maxLen = optNum(opts.maxLen, SCANNER_DEFAULTS.maxLen, 1);
    this._dedupMs = optNum(opts.dedupMs, SCANNER_DEFAULTS.dedupMs, 0);
    this._queueMax = optNum(opts.queueMax, SCANNER_DEFAULTS.queueMax, 0);
    this._onDrop = opts.onDrop || null;
    this.stats = { frames: 0, tooLong: 0, noise: 0, duplicates: 0, dropped: 0 };
    this._buf = '';
    this._over = false;
    this._len = 0;
    this._afterCR = false;
    this._idleId = null;
    this._queue = [];
    this._deliverId = null;
    this._last = null;
    this._dedupId = null;
    this._closed = false;
    this._idleFn = function () {
      self._idleId = null;
      self._end();
    };
    this._deliverFn = function () {
      self._deliver();
    };
    this._dedupFn = function () {
      self._dedupId = null;
      self._last = null;
    };
    this._port.onData(function (chunk: string) {
      self.feed(chunk);
    });
  }

  /** Stop: unregister from the port, cancel timers, drop pending and undelivered text. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._port.onData(null);
    this._cancelIdle();
    if (this._deliverId !== null) {
      var d = this._deliverId;
      this._deliverId = null;
      this._timers.clearTimeout(d);
    }
    if (this._dedupId !== null) {
      var w = this._dedupId;
      this._dedupId = null;
      this._timers.clearTimeout(w);
    }
    this._buf = '';
    this._over = false;
    this._len = 0;
    this._queue = [];
    this._last = null;
  }

  /**
   * The UART's bytes (a chunk as the port delivers it). The port's listener calls it; so does a
   * driver that sits between port and framing for a while (drivers/gm65.ts at boot).
   */
  feed(chunk: string): void {
    if (this._closed || !chunk) return;
    var n = chunk.length;
    var run = -1; // start of the current run of kept bytes
    for (var i = 0; i < n; i++) {
      var c = chunk.charCodeAt(i);
      if (c >= 0x20 && c !== 0x7f && c < 0xff) {
        if (run < 0) {
          run = i;
          this._afterCR = false;
        }
        continue;
      }
      if (run >= 0) {
        this._append(chunk.substring(run, i));
        run = -1;
      }
      if (c === 13) {
        this._end();
        this._afterCR = true;
      } else if (c === 10) {
        if (this._afterCR) this._afterCR = false;
        else this._end();
      } else {
        this.stats.noise++;
      }
    }
    if (run >= 0) this._append(chunk.substring(run, n));
    // A byte arrived: restart the idle gap while a frame is open, else make sure none is armed.
    this._cancelIdle();
    if (this._buf.length > 0 || this._over) {
      this._idleId = this._timers.setTimeout(this._idleFn, this._idleMs);
    }
  }

  private _cancelIdle(): void {
    if (this._idleId !== null) {
      var id = this._idleId;
      this._idleId = null;
      this._timers.clearTimeout(id);
    }
  }

  private _append(s: string): void {
    this._len += s.length;
    if (this._over) return;
    if (this._buf.length + s.length > this._maxLen) {
      this._buf = '';
      this._over = true;
    } else {
      this._buf += s;
    }
  }

  /** A terminator or idle gap: close the current frame. */
  private _end(): void {
    var len = this._len;
    this._len = 0;
    if (this._over) {
      this._over = false;
      this._drop('too-long', ++this.stats.tooLong, len);
      return;
    }
    if (this._buf.length === 0) return;
    var text = this._buf;
    this._buf = '';
    this._frame(text);
  }

  private _drop(why: string, count: number, len: number): void {
    if (!this._onDrop) return;
    try {
      this._onDrop(why, count, len);
    } catch (e) {
      // the framing goes on whatever the listener does
    }
  }

  private _frame(text: string): void {
    var full = this._queue.length >= this._queueMax;
    if (this._dedupMs > 0) {
      var dup = this._last === text;
      if (full && !dup) {
        this._drop('busy', ++this.stats.dropped, text.length);
        return;
      }
      this._last = text;
      if (this._dedupId !== null) {
        var id = this._dedupId;
        this._dedupId = null;
        this._timers.clearTimeout(id);
      }
      this._dedupId = this._timers.setTimeout(this._dedupFn, this._dedupMs);
      if (dup) {
        this.stats.duplicates++;
        return;
      }
    } else if (full) {
      this._drop('busy', ++this.stats.dropped, text.length);
      return;
    }
    this.stats.frames++;
    this._queue.push(text);
    if (this._deliverId === null) this._deliverId = this._timers.setTimeout(this._deliverFn, 0);
  }

  private _deliver(): void {
    this._deliverId = null;
    if (this._closed) return;
    var text = this._queue.shift();
    // Re-arm before calling out, so a throwing onScan cannot strand the rest of the queue.
    if (this._queue.length > 0) this._deliverId = this._timers.setTimeout(this._deliverFn, 0);
    if (text !== undefined) this._onScan(text);
  }
}
