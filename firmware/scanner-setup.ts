// The scanner module's configuration at boot (README "The scanner module"): a lazy part of the
// gate's bundle (tools/build/bundle.js), run once per boot; its functions exist while it works
// (at most a few seconds) and go with the garbage collector afterwards.
//
// A Grow GM65-style module (drivers/gm65.ts) gets the site's settings in its RAM: mode,
// illumination, beeper, setting codes closed (a settings barcode shown to the module is read as
// any other code, never obeyed), the same-code delay (scanner.dedupMs), QR Code only. Never the
// save-to-flash command. Scanning goes on throughout: while this runs, the UART's bytes pass
// through the GM65 filter (drivers/gm65.ts gm65Filter), which keeps the module's answers and hands
// every other byte to the scanner driver's framing; at the end the port is the scanner driver's
// again (no filter left in the per-scan path). A module that does not answer the first command
// (tried PROBE_TRIES times) is a plain scanner: used as it is, nothing more is sent. Bounded: at
// most PROBE_TRIES answer waits of ANSWER_MS for the probe (the last one a retry of a damaged
// answer), 2 per further write (the rescue write included), and one more to let a late answer
// pass: 14 x 300 ms = 4.2 s.
//
// Memory: it runs while the gate boots, when a small board has the least to spare. So it is one
// function with four closures over a few plain variables (no object, no class, the writes one flat
// list of numbers): test/real/memory.test.ts measures the variables at the ready event (while it
// runs) against those once idle.
//
// The outcome goes to the status (`qgStatus().scanner`, `qrgate doctor`) and to an event
// `scanner`: {module: 'gm65', state, failed?}: state 'configured' (every write answered ok),
// 'partial' (it answered, but some writes were refused (nak), or answered with a wrong CRC or
// not at all twice: their zone addresses in `failed`), 'silent' (no answer: used as it is).
import { SerialPort, Timers } from '../hal/types';
import { gm65Filter, gm65WriteCommand, gm65Writes, GM65_ALL_ON, GM65_QR, GM65_SYMBOLOGIES } from '../drivers/gm65';
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
  var port = io.port;
  var tm = io.timers;
  var w = gm65Writes({ mode: sc.mode, light: sc.light, beep: sc.beep, sameCodeMs: sc.dedupMs });
  var feed = io.scanner.feed.bind(io.scanner);
  var failed: string[] = [];
  var answered = false;
  var i = 0;
  var tries = 0;
  var cap = '';
  var tid: number | null = null;
  var state = '';
  var lost = false;
  io.status.scanner = { module: sc.module, state: 'configuring' };

  var end = function () {
    // the port is the scanner driver's again: its own framing, nothing in between
    if (cap) feed(cap);
    port.onData(feed);
    var r: any = { module: sc.module, state: state };
    if (failed.length) r.failed = failed;
    io.status.scanner = r;
    io.events.emit('scanner', r);
  };
  // r: the last command's answer ('ok' | 'nak' | 'crc' from the filter, 'none' from the timer),
  // '' to send the first command
  var next = function (r: string) {
    if (r !== '' && r !== 'none') {
      if (tid === null || state) return; // an answer nobody waits for (a late one) is dropped
      tm.clearTimeout(tid);
      tid = null;
      if (r === 'crc') lost = true;
    }
    var again = false;
    if (!r) again = true;
    else if (!answered && r === 'none') {
      if (++tries >= PROBE_TRIES) state = 'silent';
      else again = true;
    } else {
      if (!answered) {
        answered = true;
        tries = 0;
      }
      // no answer, or a damaged one: once more
      if ((r === 'none' || r === 'crc') && tries++ < 1) again = true;
      else {
        tries = 0;
        if (r !== 'ok') {
          failed.push('0x' + (0x10000 + w[i]).toString(16).substring(1));
          // every symbology is off but QR could not be turned on: all of them on again, so that
          // the module reads QR codes at least
          if (w[i] === GM65_QR) w.push(GM65_SYMBOLOGIES, GM65_ALL_ON);
        }
        i += 2;
        if (i < w.length) again = true;
        else state = failed.length ? 'partial' : 'configured';
      }
    }
    if (again) {
      port.write(gm65WriteCommand(w[i], w[i + 1]));
      // The wait ends ANSWER_MS later and then once more at 0 ms: when the interpreter was busy
      // (a scan decided meanwhile), data that came in is handled before a 0 ms timer set now
      // (Espruino runs due timers before queued data events), so a timely answer is never
      // taken for none.
      tid = tm.setTimeout(function () {
        tid = tm.setTimeout(function () {
          tid = null;
          lost = true;
          // a partial answer is given back (it was not one), then the command has no answer
          if (cap) feed(cap);
          cap = '';
          next('none');
        }, 0);
      }, ANSWER_MS);
    } else if (lost) {
      // an answer may still be on its way after a timeout or a damaged answer (a late answer
      // shifts the later ones by one): keep it from the framing a while longer
      tm.setTimeout(end, ANSWER_MS);
    } else end();
  };
  port.onData(function (chunk: string) {
    if (chunk) cap = gm65Filter(cap, chunk, feed, next);
  });
  next('');
}
