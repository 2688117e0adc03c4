// The entry log's way out (issue 5), by configuration: uplink.transport 'wifi' (Wi-Fi, then
// batches POSTed to uplink.url: drivers/uplink-wifi.ts), 'lora' (an RN2483 modem on the board
// profile's LoRa UART: drivers/rn2483.ts + drivers/uplink-lora.ts) or 'none'.
// Every uplink event is a console line `@qg {"ev":"uplink","link":...,"what":...}`.
import { Timers } from '../../hal/types';
import { GateConfig } from '../config';
import { BoardProfile } from '../boards';
import { Journal } from '../journal';
import { Events } from '../events';
import { startWifiUplink } from './wifi';
import { startLoraUplink } from './lora';
import { Uplink, UplinkHal } from './common';
import { QG_WIFI, QG_LORA } from '../build-flags';

export { RN2483_BAUD, MAX_BACKOFF_MS, Uplink, UplinkHal } from './common';

/** Starts the configured uplink; null for 'none' or when the board cannot (a fault line says why). */
export function startUplink(config: GateConfig, journal: Journal, profile: BoardProfile, timers: Timers,
  events: Events, hal: UplinkHal): Uplink | null {
  var u = config.uplink;
  if (!(u.transport === 'wifi' ? QG_WIFI : u.transport === 'lora' ? QG_LORA : true)) {
    events.emit('fault', { what: 'uplink', why: 'uplink.transport ' + u.transport + ' is not built into the firmware for board ' + profile.name });
    return null;
  }
  if (QG_WIFI && u.transport === 'wifi') return startWifiUplink(config, journal, timers, events, hal);
  if (QG_LORA && u.transport === 'lora') return startLoraUplink(config, journal, profile, timers, events, hal);
  return null;
}
