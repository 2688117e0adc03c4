// The Wi-Fi uplink: joins the configured network (retrying with backoff), then POSTs the entry
// log's batches to uplink.url (drivers/uplink-wifi.ts). A lazy part of the bundle.
import { Timers } from '../../hal/types';
import { GateConfig } from '../config';
import { Journal } from '../journal';
import { Events } from '../events';
import { UplinkWifi, UplinkAuth, backoffMs } from '../../drivers/uplink-wifi';
import { MAX_BACKOFF_MS, Uplink, UplinkHal, uplinkSay, trustPollMs } from './common';
import { ID_FILE, gateKeys } from '../../proto/gateauth';
import { trustedTime } from './clock';
import { hwRandom32 } from '../../hal/espruino/index';

/**
 * The gate's identity (qg.id, written by `qrgate flash --key`): null without one (a fault line
 * says the collector will refuse unauthenticated batches if it keeps a registry of gates).
 */
function identity(hal: UplinkHal, events: Events): UplinkAuth | null {
  var st = hal.storage, clock = hal.clock, hmac = hal.hmac;
  if (!st || !clock || !hmac) return null;
  var text = st.readText(ID_FILE);
  var faults = hal.faults || {};
  var c = clock;
  if (text === undefined) {
    // Flashed without a key: the uplink works with a collector that keeps no registry of gates
    // (one that does answers 401, and the uplink reports it as misconfigured).
    events.emit('uplink', { link: 'wifi', what: 'unauthenticated', why: 'no ' + ID_FILE + ' (qrgate flash --key FILE provisions it)' });
    return null;
  }
  try {
    var keys = gateKeys(text, hmac);
  } catch (e) {
    var f = { what: 'identity', why: 'batches go unauthenticated: ' + ((e as any).message || e) };
    events.emit('fault', f);
    faults.identity = f;
    return null;
  }
  var tt = trustedTime(st, c, events, faults);
  return { keys: keys, hmac: hmac, nonce: hwRandom32, now: function () { return c.now(); }, onTime: tt.onTime, wantTime: tt.wantTime };
}

export function startWifiUplink(config: GateConfig, journal: Journal, timers: Timers, events: Events, hal: UplinkHal): Uplink {
  var u = config.uplink;
  var wifiSay = uplinkSay(events, 'wifi');
  var up = new UplinkWifi({
    auth: identity(hal, events) || undefined,
    http: hal.httpClient(), timers: timers, source: journal, url: u.url, gateId: config.gateId,
    batchSize: u.batch, intervalMs: u.intervalMs, maxBackoffMs: MAX_BACKOFF_MS, onLevel: hal.level,
    trustVersion: hal.trustVersion, pollMs: hal.ota ? trustPollMs(u.trustPollS, u.intervalMs) : 0,
    onTrust: hal.ota ? function (b: Uint8Array) { hal.ota!('bundle', b); } : undefined,
    onEvent: function (what: string, f: any) {
      wifiSay(what, f);
      // A collector that refuses the requests themselves: a fault, reported once (retries go on).
      if (what === 'misconfigured') {
        var fault = {
          what: 'uplink', status: f.status, url: f.url, said: f.said,
          why: 'the collector refuses the uplink (HTTP ' + f.status + '): uplink.url must be its POST /ingest address',
        };
        events.emit('fault', fault);
        if (hal.faults) hal.faults.uplink = fault;
      } else if (what === 'recovered' && hal.faults) {
        delete hal.faults.uplink;
      }
    },
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
