// Microchip RN2483 LoRaWAN modem (EU868) over a UART at 57600 baud, with its ASCII command set
// (RN2483 LoRa Technology Module Command Reference User's Guide, DS40001784):
//
//   sys reset                      -> "RN2483 1.0.x <date>"
//   mac reset 868                  -> ok
//   mac set deveui|appeui|appkey|dr|adr <v>  -> ok | invalid_param
//   mac join otaa                  -> ok | invalid_param | keys_not_init | no_free_ch | silent | busy | mac_paused | denied
//                                     then accepted | denied
//   mac tx uncnf|cnf <port> <hex>  -> ok | invalid_param | not_joined | no_free_ch | silent |
//                                     frame_counter_err_rejoin_needed | busy | mac_paused | invalid_data_len
//                                     then mac_tx_ok | mac_rx <port> <hex> | mac_err | invalid_data_len
//
// Lines end with CR LF. One command at a time; each answer has a timeout (drivers/at.ts: line
// framing and the command queue). Retry rules:
//   busy            the MAC is not idle: again after 1 s, 2 s, 4 s ... (at most BUSY_RETRIES times)
//   no_free_ch      every channel is in its off-period (the modem's own duty-cycle accounting): again
//                   after 5 s, 10 s, 20 s (NO_CH_RETRIES times), then the caller hears no_free_ch
//   not_joined, frame_counter_err_rejoin_needed   join again, then send once more
//   invalid_param, invalid_data_len, keys_not_init   never retried (the same command fails again)
//   mac_err         the transmission failed (no acknowledgement): the caller decides (the uplink
//                   backs off); its airtime counts
//   denied          join again after a backoff: 15 s doubling to an hour, with jitter
//   silent, mac_paused, timeouts   the caller hears them; two timeouts in a row reset the modem
//
// The 1% duty cycle of the EU868 g1 sub-band (868.0-868.6 MHz, the three default channels) is kept
// by the driver as well as by the modem: after a transmission of airtime T (Semtech's formula, the
// data rate's spreading factor, 125 kHz), nothing is sent for T / 0.01 from its start. (A board
// that reboots forgets this, as the modem does.)
import { SerialPort, Timers, OutputPin } from '../hal/types';
import { hexOf, fromHex } from '../proto/bytes';
import { backoffMs } from './uplink-wifi';
import { At } from './at';

/** Largest FRMPayload per EU868 data rate (LoRaWAN Regional Parameters, no FOpts): DR0..DR5. */
export var EU868_MAX_PAYLOAD = [51, 51, 51, 115, 222, 222];
/** Bytes a LoRaWAN uplink adds to its FRMPayload: MHDR 1, DevAddr 4, FCtrl 1, FCnt 2, FPort 1, MIC 4. */
export var LORAWAN_OVERHEAD = 13;
/** A Join-request PHYPayload. */
export var JOIN_REQUEST_BYTES = 23;
export var DUTY_CYCLE = 0.01;

/** Spreading factor of an EU868 data rate (DR0 = SF12 ... DR5 = SF7, all 125 kHz). */
export function spreadingFactor(dr: number): number {
  if (!(dr >= 0 && dr <= 5)) throw new Error('rn2483: data rate 0..5');
  return 12 - dr;
}

/**
 * Time on air in ms of a LoRa packet of `phyBytes` bytes (Semtech AN1200.13): 125 kHz, coding rate
 * 4/5, 8 preamble symbols, explicit header, CRC on, low data rate optimisation at SF11 and SF12.
 *   Tsym = 2^SF / BW;  Tpreamble = (8 + 4.25) Tsym
 *   symbols = 8 + max(ceil((8 PL - 4 SF + 28 + 16 - 20 IH) / (4 (SF - 2 DE))) (CR + 4), 0)
 */
export function loraAirtimeMs(phyBytes: number, sf: number): number {
  var tsym = Math.pow(2, sf) / 125; // ms
  var de = sf >= 11 ? 1 : 0;
  var num = 8 * phyBytes - 4 * sf + 28 + 16;
  var sym = Math.ceil(num / (4 * (sf - 2 * de)));
  if (sym < 0) sym = 0;
  var payloadSym = 8 + sym * 5;
  return (8 + 4.25) * tsym + payloadSym * tsym;
}

/** Time on air of an uplink of n FRMPayload bytes at an EU868 data rate. */
export function uplinkAirtimeMs(n: number, dr: number): number {
  return loraAirtimeMs(n + LORAWAN_OVERHEAD, spreadingFactor(dr));
}

/** The radio's silence after a transmission of airtime t under the duty cycle (t / 0.01 in all). */
export function dutyCycleWaitMs(airtimeMs: number): number {
  return Math.ceil(airtimeMs / DUTY_CYCLE);
}

export var BUSY_RETRIES = 5;
export var NO_CH_RETRIES = 3;
var CMD_TIMEOUT = 2000;
var RESET_TIMEOUT = 3000;
var JOIN_TIMEOUT = 20000;
var TX_TIMEOUT = 20000;
var JOIN_BACKOFF_MIN = 15000;
var JOIN_BACKOFF_MAX = 3600000;

export interface Rn2483Options {
  port: SerialPort;
  timers: Timers;
  /** The module's RESET line (active low), if wired. */
  reset?: OutputPin;
  /** OTAA identity, hex. */
  devEui: string;
  appEui: string;
  appKey: string;
  /** EU868 data rate 0..5 (ADR off). */
  dataRate: number;
  /** Uniform [0, 1) for jitter (default Math.random). */
  random?: () => number;
  /** 'reset' {version}, 'joined', 'join-failed' {error, retryMs}, 'tx' {bytes, airtimeMs}, 'error' {error}. */
  onEvent?: (what: string, fields: any) => void;
}

export interface Downlink { port: number; data: Uint8Array }

export class Rn2483 {
  o: Rn2483Options;
  /** Line framing and the command queue. */
  at: At;
  joined: boolean;
  joining: boolean;
  joinFailures: number;
  /** The radio is in its duty-cycle off-period. */
  blocked: boolean;
  waiters: (() => void)[];
  version: string;
  txBusy: boolean;
  started: boolean;
  stats: { uplinks: number; airtimeMs: number; errors: { [reply: string]: number } };

  constructor(o: Rn2483Options) {
    this.o = o;
    this.joined = false;
    this.joining = false;
    this.joinFailures = 0;
    this.blocked = false;
    this.waiters = [];
    this.version = '';
    this.txBusy = false;
    this.started = false;
    this.stats = { uplinks: 0, airtimeMs: 0, errors: {} };
    this.at = new At(o.port, o.timers, this.stats.errors);
  }

  event(what: string, fields: any): void {
    if (this.o.onEvent) {
      try { this.o.onEvent(what, fields); } catch (e) { /* never stops the driver */ }
    }
  }

  later(fn: () => void, ms: number): number {
    return this.o.timers.setTimeout(fn, ms);
  }

  // ---- set-up and join

  /** Resets and configures the modem, then joins (and keeps trying until it has). */
  start(): void {
    this.started = true;
    this.joined = false;
    this.joining = true;
    this.at.queue = [];
    var self = this;
    var go = function () {
      self.at.command('sys reset', RESET_TIMEOUT, 0, function (err: string | null, lines: string[]) {
        if (err === 'timeout') { self.retryJoin('timeout'); return; }
        self.version = lines[0] || '';
        self.event('reset', { version: self.version });
        self.configure();
      });
    };
    if (this.o.reset) {
      var pin = this.o.reset;
      pin.write(false);
      this.later(function () { pin.write(true); self.later(go, 100); }, 20);
    } else go();
  }

  configure(): void {
    var o = this.o, self = this;
    var cmds = ['mac reset 868', 'mac set deveui ' + o.devEui.toUpperCase(), 'mac set appeui ' + o.appEui.toUpperCase(),
      'mac set appkey ' + o.appKey.toUpperCase(), 'mac set adr off', 'mac set dr ' + o.dataRate];
    var i = 0;
    var step = function (err: string | null) {
      if (err) {
        // invalid_param here is a configuration fault: say so, and try again much later
        self.event('error', { error: err, command: cmds[i - 1].split(' ').slice(0, 3).join(' ') });
        self.retryJoin(err);
        return;
      }
      if (i >= cmds.length) { self.join(); return; }
      self.at.command(cmds[i++], CMD_TIMEOUT, 0, function (e: string | null, lines: string[]) {
        step(e || (lines[0] === 'ok' ? null : lines[0]));
      });
    };
    step(null);
  }

  join(): void {
    var self = this;
    this.joining = true;
    this.whenFree(function () {
      self.at.command('mac join otaa', CMD_TIMEOUT, JOIN_TIMEOUT, function (err: string | null, lines: string[]) {
        var res = err || lines[1];
        if (res === 'accepted') {
          self.joined = true;
          self.joining = false;
          self.joinFailures = 0;
          self.event('joined', {});
          self.wake();
          return;
        }
        if (err === 'busy') { self.later(function () { self.join(); }, 1000); return; }
        self.retryJoin(res || 'denied');
      }, function () { self.charge(JOIN_REQUEST_BYTES - LORAWAN_OVERHEAD); });
    });
  }

  retryJoin(err: string): void {
    this.joined = false;
    this.joining = true;
    this.joinFailures++;
    var wait = backoffMs(JOIN_BACKOFF_MIN, JOIN_BACKOFF_MAX, this.joinFailures, this.o.random ? this.o.random() : Math.random());
    this.event('join-failed', { error: err, retryMs: wait });
    var self = this;
    // a timeout or a refused set-up command: start over from the reset; else join again
    var again = err === 'timeout' || err === 'invalid_param' || err === 'keys_not_init' ? function () { self.start(); } : function () { self.join(); };
    this.later(again, wait);
  }

  // ---- duty cycle

  /** Counts an uplink of n FRMPayload bytes against the duty cycle; returns its airtime. */
  charge(n: number): number {
    var t = uplinkAirtimeMs(n, this.o.dataRate);
    this.stats.uplinks++;
    this.stats.airtimeMs += t;
    this.blocked = true;
    var self = this;
    this.later(function () { self.blocked = false; self.wake(); }, dutyCycleWaitMs(t));
    return t;
  }

  whenFree(fn: () => void): void {
    if (!this.blocked) { this.later(fn, 0); return; }
    this.waiters.push(fn);
  }

  wake(): void {
    if (this.blocked) return;
    var w = this.waiters;
    this.waiters = [];
    for (var i = 0; i < w.length; i++) this.later(w[i], 0);
  }

  /** cb() once joined and out of the duty-cycle off-period (never synchronously). */
  whenReady(cb: () => void): void {
    var self = this;
    if (!this.joined) {
      this.waiters.push(function () { self.whenReady(cb); });
      if (!this.started) this.start();
      return;
    }
    this.whenFree(function () {
      if (!self.joined || self.blocked) { self.whenReady(cb); return; }
      cb();
    });
  }

  // ---- uplinks

  /**
   * Sends payload on port as an unconfirmed uplink (confirmed with `confirmed`), waiting for the
   * duty cycle. cb(err, downlink): err null and the downlink of its receive windows (or null), or
   * the reply that refused it after the retries above ('timeout' when the modem said nothing).
   */
  send(port: number, payload: Uint8Array, confirmed: boolean, cb: (err: string | null, down: Downlink | null) => void): void {
    var self = this;
    if (this.txBusy) { this.later(function () { cb('busy', null); }, 0); return; }
    if (payload.length > EU868_MAX_PAYLOAD[this.o.dataRate]) { this.later(function () { cb('invalid_data_len', null); }, 0); return; }
    this.txBusy = true;
    var busyTries = 0, chTries = 0, rejoined = false;
    var done = function (err: string | null, down: Downlink | null) {
      self.txBusy = false;
      if (err) self.event('error', { error: err });
      cb(err, down);
    };
    var attempt = function () {
      if (!self.joined) {
        if (rejoined) { done('not_joined', null); return; }
        rejoined = true;
        if (!self.joining) self.join();
        self.whenReady(attempt);
        return;
      }
      self.whenFree(function () {
        if (self.blocked) { self.whenFree(attempt); return; }
        var cmd = 'mac tx ' + (confirmed ? 'cnf ' : 'uncnf ') + port + ' ' + hexOf(payload).toUpperCase();
        self.at.command(cmd, CMD_TIMEOUT, TX_TIMEOUT, function (err: string | null, lines: string[]) {
          if (err === 'busy' && busyTries < BUSY_RETRIES) {
            self.later(attempt, 1000 * Math.pow(2, busyTries++));
            return;
          }
          if (err === 'no_free_ch' && chTries < NO_CH_RETRIES) {
            self.later(attempt, 5000 * Math.pow(2, chTries++));
            return;
          }
          if (err === 'not_joined' || err === 'frame_counter_err_rejoin_needed') {
            self.joined = false;
            if (!rejoined) {
              rejoined = true;
              self.join();
              self.whenReady(attempt);
              return;
            }
          }
          if (err === 'timeout' && self.at.timeouts >= 2) {
            done('timeout', null);
            self.start(); // the modem does not answer: reset it
            return;
          }
          if (err) { done(err, null); return; }
          var res = lines[1] || '';
          if (res === 'mac_tx_ok') { done(null, null); return; }
          if (res.indexOf('mac_rx ') === 0) {
            var d = parseRx(res);
            if (d) { done(null, d); return; }
            done('bad mac_rx', null);
            return;
          }
          res = res || 'mac_err';
          self.stats.errors[res] = (self.stats.errors[res] || 0) + 1;
          done(res, null);
        }, function () {
          var t = self.charge(payload.length);
          self.event('tx', { bytes: payload.length, airtimeMs: Math.round(t), dr: self.o.dataRate });
        });
      });
    };
    attempt();
  }
}

/** "mac_rx <port> <hex>" as a Downlink, or null. */
export function parseRx(line: string): Downlink | null {
  var parts = line.split(' ');
  if (parts.length < 2 || parts[0] !== 'mac_rx') return null;
  var port = 0;
  for (var i = 0; i < parts[1].length; i++) {
    var c = parts[1].charCodeAt(i);
    if (c < 48 || c > 57) return null;
    port = port * 10 + c - 48;
  }
  if (!parts[1].length || port < 1 || port > 223) return null;
  var hex = parts.length > 2 ? parts[2] : '';
  try {
    return { port: port, data: fromHex(hex) };
  } catch (e) {
    return null;
  }
}
