// The LoRaWAN uplink: an RN2483 on the board profile's LoRa UART (drivers/rn2483.ts) carrying the
// entry log's records (drivers/uplink-lora.ts). A lazy part of the bundle.
import { Timers } from '../../hal/types';
import { GateConfig } from '../config';
import { BoardProfile } from '../boards';
import { Journal } from '../journal';
import { Events } from '../events';
import { Rn2483 } from '../../drivers/rn2483';
import { UplinkLora, LoraAuth } from '../../drivers/uplink-lora';
import { ID_FILE, gateKeys } from '../../proto/gateauth';
import { byteStringToBytes } from '../../proto/bytes';
import { trustedTime } from './clock';
import { hwRandom32 } from '../../hal/espruino/index';
import { MAX_BACKOFF_MS, RN2483_BAUD, Uplink, UplinkHal, uplinkSay, trustPollMs } from './common';
import { EU868_MAX_PAYLOAD } from '../../drivers/rn2483';

/**
 * The gate's identity over LoRa (issue 13): qg.id's keys, a session drawn now, the trusted-time
 * handler; null without qg.id (frames go unauthenticated: an event says so) or with a bad one (a fault).
 */
function loraAuth(hal: UplinkHal, events: Events): LoraAuth | null {
  var st = hal.storage, clock = hal.clock, hmac = hal.hmac;
  if (!st || !clock || !hmac) return null;
  var text = st.readText(ID_FILE);
  if (text === undefined) {
    events.emit('uplink', { link: 'lora', what: 'unauthenticated', why: 'no ' + ID_FILE + ' (qrgate flash --key FILE provisions it)' });
    return null;
  }
  var faults = hal.faults || {};
  try {
    var keys = gateKeys(text, hmac);
  } catch (e) {
    var f = { what: 'identity', why: 'frames go unauthenticated: ' + ((e as any).message || e) };
    events.emit('fault', f);
    faults.identity = f;
    return null;
  }
  var tt = trustedTime(st, clock, events, faults), c = clock;
  return {
    epoch: keys.epoch, session: hwRandom32(), hmac: hmac,
    up: hmac(keys.batch, byteStringToBytes('qg lora up')), time: hmac(keys.answer, byteStringToBytes('qg lora time')),
    ack: hmac(keys.answer, byteStringToBytes('qg lora ack')),
    now: function () { return c.now(); }, onTime: tt.onTime, wantTime: tt.wantTime,
  };
}

/** null (and a fault line) when the board profile has no UART for a modem. */
export function startLoraUplink(config: GateConfig, journal: Journal, profile: BoardProfile, timers: Timers,
  events: Events, hal: UplinkHal): Uplink | null {
  var u = config.uplink;
  var lora = profile.lora;
  if (!lora) {
    events.emit('fault', { what: 'uplink', why: 'board ' + profile.name + ' has no UART for a LoRa modem' });
    return null;
  }
  var loraSay = uplinkSay(events, 'lora');
  var modem = new Rn2483({
    port: hal.serialPort(lora.serial, RN2483_BAUD, lora.rx, lora.tx), timers: timers,
    reset: lora.reset ? hal.outputPin(lora.reset) : undefined,
    devEui: u.lora.devEui, appEui: u.lora.appEui, appKey: u.lora.appKey, dataRate: u.lora.dataRate,
    onEvent: function (what: string, fields: any) { loraSay(what === 'error' ? 'modem' : what, fields); },
  });
  var ul = new UplinkLora({
    modem: modem, timers: timers, source: journal, gateId: config.gateId, dataRate: u.lora.dataRate,
    intervalMs: u.intervalMs, maxBackoffMs: MAX_BACKOFF_MS, onLevel: hal.level,
    auth: loraAuth(hal, events) || undefined,
    unlogged: function () { return journal.unlogged - journal.unloggedLogged; },
    onEvent: function (what: string, f: any) {
      loraSay(what, f);
      // A collector that keeps refusing the frames (REFUSED answers): a fault, reported once.
      if (what === 'misconfigured') {
        var fault = { what: 'uplink', why: 'the collector refuses the LoRa uplink: ' + f.why + ' (qg.id must be the key its registry holds for gateId)' };
        events.emit('fault', fault);
        if (hal.faults) hal.faults.uplink = fault;
      } else if (what === 'recovered' && hal.faults) {
        delete hal.faults.uplink;
      }
    },
    trust: hal.ota ? {
      status: function () { return hal.ota!('status', u.lora.dataRate, EU868_MAX_PAYLOAD[u.lora.dataRate]); },
      fragment: function (d: Uint8Array) { return hal.ota!('fragment', d); },
      pollMs: trustPollMs(u.trustPollS, 3600000),
    } : undefined,
  });
  modem.start();
  ul.start(0);
  return { link: 'lora', stop: function () { ul.stop(); } };
}
