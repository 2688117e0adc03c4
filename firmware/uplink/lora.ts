// The LoRaWAN uplink: an RN2483 on the board profile's LoRa UART (drivers/rn2483.ts) carrying the
// entry log's records (drivers/uplink-lora.ts). A lazy part of the bundle.
import { Timers } from '../../hal/types';
import { GateConfig } from '../config';
import { BoardProfile } from '../boards';
import { Journal } from '../journal';
import { Events } from '../events';
import { Rn2483 } from '../../drivers/rn2483';
import { UplinkLora } from '../../drivers/uplink-lora';
import { MAX_BACKOFF_MS, RN2483_BAUD, Uplink, UplinkHal, uplinkSay, trustPollMs } from './common';
import { EU868_MAX_PAYLOAD } from '../../drivers/rn2483';

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
    intervalMs: u.intervalMs, maxBackoffMs: MAX_BACKOFF_MS, onEvent: loraSay, onLevel: hal.level,
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
