// The entry log's way out (issue 5), by configuration: uplink.transport 'wifi' (Wi-Fi, then
// batches POSTed to uplink.url: drivers/uplink-wifi.ts), 'lora' (an RN2483 modem on the board
// profile's LoRa UART: drivers/rn2483.ts + drivers/uplink-lora.ts) or 'none'.
// Every uplink event is a console line `@qg {"ev":"uplink","link":...,"what":...}`.
import { Console, Timers, HttpClient, SerialPort, OutputPin } from '../hal/types';
import { GateConfig } from './config';
import { BoardProfile } from './boards';
import { Journal } from './journal';
import { emit } from './gate';
import { UplinkWifi, backoffMs } from '../drivers/uplink-wifi';
import { Rn2483 } from '../drivers/rn2483';
import { UplinkLora } from '../drivers/uplink-lora';
import { QG_WIFI, QG_LORA } from './build-flags';

/** What the wiring needs of hal/espruino (or of a test's fakes). */
export interface UplinkHal {
  httpClient(): HttpClient;
  wifiConnect(ssid: string, password: string, cb: (err: string | null) => void): void;
  serialPort(name: string, baud: number, rx: string, tx: string): SerialPort;
  outputPin(pin: string): OutputPin;
}

export var RN2483_BAUD = 57600;
/** Largest wait between uplink attempts (ms). */
export var MAX_BACKOFF_MS = 1800000;

export interface Uplink {
  link: string;
  stop(): void;
}

/** Starts the configured uplink; null for 'none' or when the board cannot (a fault line says why). */
export function startUplink(config: GateConfig, journal: Journal, profile: BoardProfile, timers: Timers,
  con: Console, hal: UplinkHal): Uplink | null {
  var u = config.uplink;
  var say = function (link: string) {
    return function (what: string, fields: any) {
      var o: any = { link: link, what: what };
      for (var k in fields) o[k] = fields[k];
      emit(con, 'uplink', o);
    };
  };
  if (!(u.transport === 'wifi' ? QG_WIFI : u.transport === 'lora' ? QG_LORA : true)) {
    emit(con, 'fault', { what: 'uplink', why: 'uplink.transport ' + u.transport + ' is not built into the firmware for board ' + profile.name });
    return null;
  }
  if (QG_WIFI && u.transport === 'wifi') {
    var wifiSay = say('wifi');
    var up = new UplinkWifi({
      http: hal.httpClient(), timers: timers, source: journal, url: u.url, gateId: config.gateId,
      batchSize: u.batch, intervalMs: u.intervalMs, maxBackoffMs: MAX_BACKOFF_MS, onEvent: wifiSay,
    });
    var tries = 0, stopped = false;
    var connect = function () {
      hal.wifiConnect(u.wifi.ssid, u.wifi.password, function (err: string | null) {
        if (stopped) return;
        if (!err) {
          wifiSay('connected', {});
          up.start(0);
          return;
        }
        var wait = backoffMs(10000, 300000, ++tries, Math.random());
        wifiSay('failed', { error: 'wifi: ' + err, retryMs: wait });
        timers.setTimeout(connect, wait);
      });
    };
    connect();
    return { link: 'wifi', stop: function () { stopped = true; up.stop(); } };
  }
  if (QG_LORA && u.transport === 'lora') {
    var lora = profile.lora;
    if (!lora) {
      emit(con, 'fault', { what: 'uplink', why: 'board ' + profile.name + ' has no UART for a LoRa modem' });
      return null;
    }
    var loraSay = say('lora');
    var modem = new Rn2483({
      port: hal.serialPort(lora.serial, RN2483_BAUD, lora.rx, lora.tx), timers: timers,
      reset: lora.reset ? hal.outputPin(lora.reset) : undefined,
      devEui: u.lora.devEui, appEui: u.lora.appEui, appKey: u.lora.appKey, dataRate: u.lora.dataRate,
      onEvent: function (what: string, fields: any) { loraSay(what === 'error' ? 'modem' : what, fields); },
    });
    var ul = new UplinkLora({
      modem: modem, timers: timers, source: journal, gateId: config.gateId, dataRate: u.lora.dataRate,
      intervalMs: u.intervalMs, maxBackoffMs: MAX_BACKOFF_MS, onEvent: loraSay,
    });
    modem.start();
    ul.start(0);
    return { link: 'lora', stop: function () { ul.stop(); } };
  }
  return null;
}
