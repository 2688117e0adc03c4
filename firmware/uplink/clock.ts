// Trusted time (README "Trusted time"): the gate's clock is set only from an authenticated, fresh
// answer of the collector (drivers/uplink-wifi.ts checks the answer's mac and nonce, then calls
// the handler made here); the last good time is kept in flash (Storage file qg.time, rewritten at
// most every TIME_WRITE_S), so that after a power cut the gate knows the time is not earlier than
// that; until then qgStatus says so (faults.clock) and how long the clock has been unsure
// (firmware/status.ts). Part of the uplinks' lazy parts: nothing here runs per scan.
import { Clock, FlashStorage } from '../../hal/types';
import { Events } from '../events';
import { isoTime } from '../status';

export var TIME_FILE = 'qg.time';
/** firmware/gate.ts's CLOCK_VALID_AFTER (2020-01-01), not imported: this part stays without the gate's code. */
var CLOCK_VALID_AFTER = 1577836800;
/** The last good time is written at most this often (seconds): a few writes a day. */
export var TIME_WRITE_S = 6 * 3600;
/** A clock this close to the collector's is left alone (seconds). */
export var CLOCK_SLACK_S = 2;

/** The last good time kept in flash (seconds since 1970), 0 when none. */
export function clockFloor(storage: FlashStorage): number {
  var t = Number(storage.readText(TIME_FILE) || 0);
  return t >= CLOCK_VALID_AFTER ? Math.floor(t) : 0;
}

/**
 * Says (faults.clock) when the clock is unsure, and returns what to do with an authenticated
 * time: set the clock when it is unset or off by more than CLOCK_SLACK_S, never to a time before
 * the last good one (a `clock` event says what was done), and keep it in flash now and then.
 */
export function trustedTime(storage: FlashStorage, clock: Clock, events: Events, faults: { [what: string]: any }):
  { onTime: (t: number) => void; wantTime: () => boolean } {
  var floor = clockFloor(storage);
  if (clock.now() < CLOCK_VALID_AFTER) {
    faults.clock = {
      what: 'clock', why: 'clock unset since power-on: every scan is answered attendant (clock-unset) until an authenticated time from the collector',
      notBefore: floor ? isoTime(floor) : null,
    };
  }
  // The board's clock when it was last set from the collector (-1: never since boot).
  var lastSet = -1;
  var onTime = function (t: number) {
    var now = clock.now(), unset = now < CLOCK_VALID_AFTER;
    if (t < CLOCK_VALID_AFTER || t < floor) {
      events.emit('clock', { refused: isoTime(t), why: t < floor ? 'earlier than the last good time ' + isoTime(floor) : 'before 2020' });
      return;
    }
    if (unset || Math.abs(t - now) > CLOCK_SLACK_S) {
      clock.set(t);
      events.emit('clock', { set: isoTime(t), was: unset ? null : isoTime(now), from: 'collector' });
    }
    delete faults.clock;
    lastSet = t;
    if (t - floor >= TIME_WRITE_S) {
      try {
        storage.write(TIME_FILE, String(Math.floor(t)));
        floor = Math.floor(t);
      } catch (e) { /* flash full: kept in RAM; the next answer tries again */ }
    }
  };
  return {
    onTime: onTime,
    // Unset, or not checked against the collector for TIME_WRITE_S: ask even with nothing to send.
    wantTime: function () { var n = clock.now(); return n < CLOCK_VALID_AFTER || lastSet < 0 || n - lastSet > TIME_WRITE_S; },
  };
}
