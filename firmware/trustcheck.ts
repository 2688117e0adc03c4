// The trust store's check (firmware/truststore.ts installs only what passes it): a trust bundle's
// COSE signature must verify under one of the configuration's root keys (spec/qg1.md section 3; a
// root key whose JWK kid equals the bundle's kid is tried first), and its version must not be
// lower than the highest version this gate ever installed (qg.tver). Host tools check bundles with
// acceptTrustBundle too. A lazy part of the gate's bundle (tools/build/bundle.js): its functions
// exist only while a bundle is being checked.
import { RootKey } from './config';
import { decodeTrustBundle, TrustBundle } from '../proto/trustbundle';
import { sigStructureOf } from '../proto/cose';
import { encodeSigStructureParts } from '../proto/cbor';
import { bytesToByteString } from '../proto/bytes';
import { FlashStorage } from '../hal/types';
import { Events } from './events';

/** Highest trust-bundle version ever installed (text), so that an old bundle cannot come back. */
export var TVER_FILE = 'qg.tver';

export interface VerifyFn {
  (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean;
  /**
   * The same check of a message given in parts (their concatenation), when the verifier can take
   * it so: the native one copies each part into its own buffer, so that a trust bundle's
   * Sig_structure (4 KB for 64 keys) is never joined in RAM besides (firmware/main.ts).
   */
  parts?: (pub: Uint8Array, parts: Uint8Array[], sig: Uint8Array) => boolean;
}

export interface TrustResult {
  bundle: TrustBundle | null;
  /** Why it was refused: 'malformed', 'bad-signature', 'rollback' (lower version), or ''. */
  error: string;
  detail: string;
}

/** Check a bundle's bytes against the root keys and the installed version (-1: none yet). */
export function acceptTrustBundle(bytes: Uint8Array, rootKeys: RootKey[], installedVersion: number, verify: VerifyFn): TrustResult {
  var bundle: TrustBundle;
  try {
    bundle = decodeTrustBundle(bytes);
  } catch (e) {
    return { bundle: null, error: 'malformed', detail: 'trust bundle: ' + ((e as any).message || e) };
  }
  var kidText = bytesToByteString(bundle.cose.kid);
  var order: RootKey[] = [];
  var i: number;
  for (i = 0; i < rootKeys.length; i++) if (rootKeys[i].kid && rootKeys[i].kid === kidText) order.push(rootKeys[i]);
  for (i = 0; i < rootKeys.length; i++) if (order.indexOf(rootKeys[i]) < 0) order.push(rootKeys[i]);
  var parts = verify.parts ? encodeSigStructureParts(bundle.cose.protectedBytes, bundle.cose.payload) : null;
  var msg = parts ? null : sigStructureOf(bundle.cose);
  var ok = false;
  for (i = 0; i < order.length && !ok; i++) {
    ok = parts ? verify.parts!(order[i].key, parts, bundle.cose.signature) : verify(order[i].key, msg!, bundle.cose.signature);
  }
  if (!ok) return { bundle: null, error: 'bad-signature', detail: 'trust bundle signature does not verify under any root key' };
  if (bundle.version < installedVersion) {
    return { bundle: null, error: 'rollback', detail: 'trust bundle version ' + bundle.version + ' is lower than installed ' + installedVersion };
  }
  return { bundle: bundle, error: '', detail: '' };
}

export function installedTrustVersion(storage: FlashStorage): number {
  var t = storage.readText(TVER_FILE);
  if (t === undefined) return -1;
  var n = parseInt(t, 10);
  return isNaN(n) ? -1 : n;
}

/**
 * The trust store's check (TrustStore.install): acceptTrustBundle against the installed version;
 * a higher version than ever before is recorded in qg.tver (a fault event when flash refuses).
 */
export function checkTrust(storage: FlashStorage, bytes: Uint8Array, rootKeys: RootKey[], verify: VerifyFn, events: Events): TrustResult {
  var installed = installedTrustVersion(storage);
  var t = acceptTrustBundle(bytes, rootKeys, installed, verify);
  if (t.bundle && t.bundle.version > installed) {
    try {
      storage.write(TVER_FILE, String(t.bundle.version));
    } catch (e) {
      events.emit('fault', { what: 'flash', why: 'cannot record trust version' });
    }
  }
  return t;
}

// Trust updates over the air (firmware/trustupdate.ts) share this lazy part: one factory less in
// the core (memory).
export { ota } from './trustupdate';
