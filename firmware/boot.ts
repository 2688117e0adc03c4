// Boot: relay off first (the caller builds the relay before anything else), then configuration and
// trust bundle from flash, the verifier's self-test, then ready. A board that cannot trust its keys
// never opens: it reports a fault and refuses every scan.
import { FlashStorage, Console, Clock, Timers } from '../hal/types';
import { GateConfig, validateConfig } from './config';
import { acceptTrustBundle, VerifyFn } from './trust';
import { TrustBundle } from '../proto/trustbundle';
import { emit } from './gate';

export var CONFIG_FILE = 'qg.cfg';
export var TRUST_FILE = 'qg.trust';
/** Highest trust-bundle version ever installed (text), so that an old bundle cannot come back. */
export var TVER_FILE = 'qg.tver';
export { FIRMWARE_VERSION } from './version';

export interface BootResult {
  config: GateConfig | null;
  trust: TrustBundle | null;
  /** '' when ready; else what is wrong: 'config', 'trust', 'selftest'. */
  fault: string;
  detail: string;
}

export interface BootIO {
  storage: FlashStorage;
  console: Console;
  verify: VerifyFn;
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

export function installedTrustVersion(storage: FlashStorage): number {
  var t = storage.readText(TVER_FILE);
  if (t === undefined) return -1;
  var n = parseInt(t, 10);
  return isNaN(n) ? -1 : n;
}

export function boot(io: BootIO): BootResult {
  var res: BootResult = { config: null, trust: null, fault: '', detail: '' };
  var c = io.config || loadConfig(io.storage);
  if (!c.config) {
    res.fault = 'config';
    res.detail = c.error as string;
    emit(io.console, 'fault', { what: 'config', why: res.detail });
    return res;
  }
  res.config = c.config;
  if (!io.selfTest()) {
    res.fault = 'selftest';
    res.detail = 'signature verifier failed its known-answer test';
    emit(io.console, 'fault', { what: 'selftest', why: res.detail });
    return res;
  }
  var bytes = io.storage.readBytes(TRUST_FILE);
  if (!bytes) {
    res.fault = 'trust';
    res.detail = 'no trust bundle ' + TRUST_FILE;
    emit(io.console, 'fault', { what: 'trust', why: res.detail });
    return res;
  }
  var installed = installedTrustVersion(io.storage);
  var t = acceptTrustBundle(bytes, c.config.rootKeys, installed, io.verify);
  if (!t.bundle) {
    res.fault = 'trust';
    res.detail = t.detail;
    emit(io.console, 'fault', { what: 'trust', why: t.error, detail: t.detail });
    return res;
  }
  if (t.bundle.version > installed) {
    try {
      io.storage.write(TVER_FILE, String(t.bundle.version));
    } catch (e) {
      emit(io.console, 'fault', { what: 'flash', why: 'cannot record trust version' });
    }
  }
  res.trust = t.bundle;
  return res;
}
