// Boot: relay off first (the caller builds the door before anything else), then configuration and
// trust bundle from flash (through the trust store), the verifier's self-test, then ready. A board
// that cannot trust its keys never opens: it reports a fault and refuses every scan.
import { FlashStorage } from '../hal/types';
import { GateConfig, validateConfig } from './config';
import { TrustStore } from './truststore';
import { Events } from './events';

export var CONFIG_FILE = 'qg.cfg';
export var TRUST_FILE = 'qg.trust';
/** A new trust bundle while it replaces qg.trust (firmware/trustupdate.ts). */
export { TRUST_NEW } from './trustupdate';
import { TRUST_NEW } from './trustupdate';
export { TVER_FILE, installedTrustVersion } from './trustcheck';
export { FIRMWARE_VERSION } from './version';

/** The trust bundle is not here: the trust store holds it (firmware/truststore.ts). */
export interface BootResult {
  config: GateConfig | null;
  /** '' when ready; else what is wrong: 'config', 'trust', 'selftest'. */
  fault: string;
  detail: string;
}

export interface BootIO {
  storage: FlashStorage;
  events: Events;
  /** Holds the trust bundle: boot installs the bundle file under the configuration's root keys. */
  trust: TrustStore;
  /** The verifier's known-answer self-test (a valid and a corrupted vector). */
  selfTest: () => boolean;
  /** The configuration when the caller already loaded it (loadConfig), else read here. */
  config?: { config?: GateConfig; error?: string };
}

/** Read and validate the configuration file. */
export function loadConfig(storage: FlashStorage): { config?: GateConfig; error?: string } {
  var text = storage.readText(CONFIG_FILE);
  if (text === undefined) return { error: 'no configuration file ' + CONFIG_FILE };
  var obj: any;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { error: CONFIG_FILE + ' is not valid JSON' };
  }
  return validateConfig(obj);
}

export function boot(io: BootIO): BootResult {
  var res: BootResult = { config: null, fault: '', detail: '' };
  var c = io.config || loadConfig(io.storage);
  if (!c.config) {
    res.fault = 'config';
    res.detail = c.error as string;
    io.events.emit('fault', { what: 'config', why: res.detail });
    return res;
  }
  res.config = c.config;
  if (!io.selfTest()) {
    res.fault = 'selftest';
    res.detail = 'signature verifier failed its known-answer test';
    io.events.emit('fault', { what: 'selftest', why: res.detail });
    return res;
  }
  io.trust.roots = c.config.rootKeys;
  // A trust update cut short by a power cut (firmware/trustupdate.ts: old or new, never neither):
  // a qg.trnew that the trust store accepts is finished (qg.trust rewritten), one it refuses (torn
  // by the cut, forged, older) erased.
  var nb = io.storage.readBytes(TRUST_NEW);
  if (nb) {
    nb = new Uint8Array(nb); // a copy: writing another file may compact Storage under a mapped one
    var nt = io.trust.install(nb);
    try {
      if (nt.bundle) io.storage.write(TRUST_FILE, nb);
      io.storage.erase(TRUST_NEW);
    } catch (e) {
      io.events.emit('fault', { what: 'flash', why: 'cannot finish trust update' });
    }
    if (nt.bundle) return res;
  }
  var bytes = io.storage.readBytes(TRUST_FILE);
  if (!bytes) {
    res.fault = 'trust';
    res.detail = 'no trust bundle ' + TRUST_FILE;
    io.events.emit('fault', { what: 'trust', why: res.detail });
    return res;
  }
  var t = io.trust.install(bytes);
  if (!t.bundle) {
    res.fault = 'trust';
    res.detail = t.detail;
    io.events.emit('fault', { what: 'trust', why: t.error, detail: t.detail });
  }
  return res;
}
