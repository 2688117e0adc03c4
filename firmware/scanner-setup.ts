// The scanner module's configuration at boot (README "The scanner module"): a lazy part of the
// gate's bundle (tools/build/bundle.js), run once per boot; its functions exist while it works
// (at most a few seconds) and go with the garbage collector afterwards.
//
// A Grow GM65-style module (drivers/gm65.ts) gets the site's settings in its RAM: mode,
// illumination, beeper, the same-code delay (scanner.dedupMs), QR Code only. Never the
// save-to-flash command. Scanning goes on throughout: while this runs, the UART's bytes pass
// through the GM65 driver, which keeps the module's answers and hands every other byte to the
// scanner driver's framing; at the end the port is the scanner driver's again (no filter left in
// the per-scan path). A module that does not answer the first command (tried PROBE_TRIES times) is
// a plain scanner: used as it is, nothing more is sent. Bounded: at most PROBE_TRIES answer waits
// of ANSWER_MS for the probe (the last one a retry of a damaged answer), 2 per further write (the
// rescue write included), and one more to let a late answer pass: 12 x 300 ms = 3.6 s.
//
// The outcome goes to the status (`qgStatus().scanner`, `qrgate doctor`) and to an event
// `scanner`: {module: 'gm65', state, failed?}: state 'configured' (every write answered ok),
// 'partial' (it answered, but some writes were refused (nak), or answered with a wrong CRC or
// not at all twice: their zone addresses in `failed`), 'silent' (no answer: used as it is).
import { SerialPort, Timers } from '../hal/types';
import { Gm65, gm65Writes, GM65_QR, GM65_SYMBOLOGIES } from '../drivers/gm65';
import { Events } from './events';

/** How long one command waits for its answer, ms (the GM65 answers a write within a few ms). */
export var ANSWER_MS = 300;
/** Tries of the first command before the module is taken for one that never answers. */
export var PROBE_TRIES = 3;

/** The scanner driver as seen from here: its framing's input. */
export interface FeedTarget { feed(chunk: string): void }

export interface ScannerSetupIO {
  config: { scanner: { module: string; mode: string; light: string; beep: boolean; dedupMs: number } };
  port: SerialPort;
  timers: Timers;
  scanner: FeedTarget;
  events: Events;
  /** Receives the outcome as `scanner` when done. */
  status: { scanner?: any };
}

/** Configure the module (asynchronously); the outcome lands in io.status.scanner and an event. */
export function setupScanner(io: ScannerSetupIO): void {
  var sc = io.config.scanner;
  var writes = gm65Writes({ mode: sc.mode, light: sc.light, beep: sc.beep, sameCodeMs: sc.dedupMs });
  var scanner = io.scanner;
  var gm = new Gm65({ port: io.port, timers: io.timers, feed: function (c: string) { scanner.feed(c); }, answerMs: ANSWER_MS });
  var failed: string[] = [];
  var answered = false;
  var i = 0;
  var tries = 0;
  var last = '';
  io.status.scanner = { module: sc.module, state: 'configuring' };

  var finish = function (state: string) {
    var end = function () {
      gm.close();
      // the port is the scanner driver's again: its own framing, nothing in between
      io.port.onData(scanner.feed.bind(scanner));
      var r: any = { module: sc.module, state: state };
      if (failed.length) r.failed = failed;
      io.status.scanner = r;
      io.events.emit('scanner', r);
    };
    // an answer may still be on its way after a timeout: keep it from the framing a while longer
    if (last === 'none' || last === 'crc') io.timers.setTimeout(end, ANSWER_MS);
    else end();
  };

  var next = function (r: string) {
    last = r;
    var w = writes[i];
    if (!answered) {
      if (r === 'none') {
        if (++tries < PROBE_TRIES) return gm.write(w[0], w[1], next);
        return finish('silent');
      }
      answered = true;
      tries = 0;
    }
    // no answer, or a damaged one: once more
    if ((r === 'none' || r === 'crc') && tries++ < 1) return gm.write(w[0], w[1], next);
    tries = 0;
    if (r !== 'ok') {
      failed.push('0x' + (0x10000 + w[0]).toString(16).substring(1));
      // every symbology is off but QR could not be turned on: all of them on again, so that the
      // module reads QR codes at least
      if (w[0] === GM65_QR) writes.push([GM65_SYMBOLOGIES, 1]);
    }
    if (++i < writes.length) return gm.write(writes[i][0], writes[i][1], next);
    finish(failed.length ? 'partial' : 'configured');
  };
  gm.write(writes[0][0], writes[0][1], next);
}
