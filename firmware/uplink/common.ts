// What the uplinks share: their wiring (UplinkHal), the running-uplink handle, limits and the
// console events. firmware/uplink/index.ts picks the transport; wifi.ts and lora.ts start
// one (each a lazy part of the bundle: tools/build/bundle.js).
import { HttpClient, SerialPort, OutputPin, FlashStorage, Clock } from '../../hal/types';
import { Events } from '../events';

/** What the wiring needs of hal/espruino (or of a test's fakes). */
export interface UplinkHal {
  httpClient(): HttpClient;
  wifiConnect(ssid: string, password: string, cb: (err: string | null) => void): void;
  serialPort(name: string, baud: number, rx: string, tx: string): SerialPort;
  outputPin(pin: string): OutputPin;
  /** Where an uplink records a fault it reported (qgStatus() shows them), deleted when it clears. */
  faults?: { [what: string]: any };
  /** Told the PPKM level the collector's answers carry (issue 14: firmware/occupancy.ts setLevel). */
  level?: (level: number) => void;
  /** The gate's identity (qg.id), trusted time (qg.time) and clock: absent, batches go unauthenticated. */
  storage?: FlashStorage;
  clock?: Clock;
  /** HMAC-SHA-256 (on the board's hashes). */
  hmac?: (key: Uint8Array, data: Uint8Array) => Uint8Array;
  /**
   * Trust updates (issue 13; firmware/trustupdate.ts `ota`, a lazy part): 'bundle' (bytes),
   * 'fragment' (a LoRa downlink's bytes), 'status' (data rate, payload limit). Absent: none.
   */
  ota?: (op: string, a: any, b?: any) => any;
  /** The version of the trust bundle in use (0: none). */
  trustVersion?: () => number;
}

/** An idle gate's interval between trust-update questions (ms; 0 never), from uplink.trustPollS. */
export function trustPollMs(pollS: number, defaultMs: number): number {
  return pollS < 0 ? 0 : pollS ? pollS * 1000 : defaultMs;
}

export var RN2483_BAUD = 57600;
/** Largest wait between uplink attempts (ms). */
export var MAX_BACKOFF_MS = 1800000;

export interface Uplink {
  link: string;
  stop(): void;
}

/** A link's event reporter: `@qg {"ev":"uplink","link":link,"what":what,...fields}`. */
export function uplinkSay(events: Events, link: string): (what: string, fields: any) => void {
  return function (what: string, fields: any) {
    var o: any = { link: link, what: what };
    for (var k in fields) o[k] = fields[k];
    events.emit('uplink', o);
  };
}
