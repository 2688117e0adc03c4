// Trust updates over the air (issue 13 item 3): a newer trust bundle from the collector, whole in
// a Wi-Fi acknowledgement (Ack field 6) or in fragments over LoRaWAN (FPort 201,
// proto/trustfrag.ts), installed through the trust store (firmware/truststore.ts: root signature
// and version checked before anything is replaced). A lazy part of the bundle
// (tools/build/bundle.js, `ota`): its functions exist only while an update is handled.
//
// Replacing the bundle file survives a power cut at any point (old or new, never neither):
//   1. the new bytes are written whole to qg.trnew;
//   2. the trust store checks them (root signature, version not below qg.tver) and uses them; a
//      refused bundle is erased and nothing else changes;
//   3. qg.trust is rewritten with them (Espruino marks the old file deleted, then writes the new);
//   4. qg.trnew is erased.
// Boot (firmware/boot.ts resumeTrust) first checks qg.trnew: a qg.trnew that passes the same check is an
// update cut short after step 1, and is finished (qg.trust rewritten, qg.trnew erased); one that
// does not (torn by the cut, or refused) is erased. qg.trust is only ever rewritten while a
// checked copy of the new bundle is in qg.trnew.
//
// LoRa fragments are kept in flash as they come (qg.tfs: the session, "version,count,size,
// fragSize"; qg.tf.N: fragment N), so an update resumes after a power cut or a collector restart:
// the gate's status uplink tells the collector which fragments it holds. When all are in, the
// bundle is assembled and installed as above, and the fragments erased. A fragment torn by a power
// cut makes the assembled bundle fail its signature check: the fragments are erased and the
// session starts again.
import { FlashStorage } from '../hal/types';
import { Events } from './events';
import { TrustBundle } from '../proto/trustbundle';

/** What an update needs of the trust store (firmware/truststore.ts; no import: no cycle through trustcheck). */
export interface TrustStore {
  bundle: TrustBundle | null;
  install(bytes: Uint8Array): { bundle: TrustBundle | null; error: string; detail: string };
}
import { decodeTrustFragment, encodeTrustStatus } from '../proto/trustfrag';
import { QG_LORA } from './build-flags';

/** The bundle file (firmware/boot.ts TRUST_FILE; test/firmware/trustupdate.test.ts checks they agree). */
export var BUNDLE_FILE = 'qg.trust';
/** A new trust bundle while it replaces qg.trust. */
export var TRUST_NEW = 'qg.trnew';
/** The LoRa fragment session, and the fragments' name prefix. */
export var SESSION_FILE = 'qg.tfs';
export var FRAG_PREFIX = 'qg.tf.';

/**
 * Installs a bundle received over the air. '' when it is now in use; 'old' when it was the
 * version already in use; else why it was refused ('malformed', 'bad-signature', 'rollback' (a
 * version below the highest ever installed), 'flash'): then nothing changed. Console events
 * `trust` {what: 'installed'|'refused'}.
 */
export function updateTrust(storage: FlashStorage, trust: TrustStore, bytes: Uint8Array, events: Events): string {
  var cur = trust.bundle;
  try {
    storage.write(TRUST_NEW, bytes);
  } catch (e) {
    eraseQuietly(storage, TRUST_NEW);
    events.emit('fault', { what: 'flash', why: 'cannot write trust update' });
    return 'flash';
  }
  // (the trust store refuses a version below the highest ever installed: an older bundle)
  var t = trust.install(bytes);
  if (!t.bundle) {
    eraseQuietly(storage, TRUST_NEW);
    events.emit('trust', { what: 'refused', error: t.error, detail: t.detail });
    return t.error;
  }
  try {
    storage.write(BUNDLE_FILE, bytes);
    storage.erase(TRUST_NEW);
  } catch (e) {
    // in use now; boot finishes the switch from qg.trnew
    events.emit('fault', { what: 'flash', why: 'cannot replace ' + BUNDLE_FILE });
  }
  var v = t.bundle.version;
  if (cur && v <= cur.version) return 'old';
  events.emit('trust', { what: 'installed', version: v, keys: t.bundle.keyCount });
  return '';
}

function eraseQuietly(storage: FlashStorage, name: string): void {
  try { storage.erase(name); } catch (e) { /* nothing to erase, or flash gone: boot sorts it out */ }
}

interface Session { version: number; count: number; size: number; fragSize: number }

function readSession(storage: FlashStorage): Session | null {
  var t = storage.readText(SESSION_FILE);
  if (t === undefined) return null;
  var p = t.split(',');
  var s = { version: parseInt(p[0], 10), count: parseInt(p[1], 10), size: parseInt(p[2], 10), fragSize: parseInt(p[3], 10) };
  return p.length === 4 && s.count > 0 && s.fragSize > 0 && s.size > 0 ? s : null;
}

/** The session under way, or null; one for a version not above the one in use is erased. */
function liveSession(storage: FlashStorage, trust: TrustStore): Session | null {
  var s = readSession(storage), cur = trust.bundle;
  if (s && cur && s.version <= cur.version) {
    clearFragments(storage);
    return null;
  }
  return s;
}

/** Erases the LoRa session and its fragments. */
export function clearFragments(storage: FlashStorage): void {
  var names = storage.list(FRAG_PREFIX);
  for (var i = 0; i < names.length; i++) if (names[i].indexOf(FRAG_PREFIX) === 0) eraseQuietly(storage, names[i]);
  eraseQuietly(storage, SESSION_FILE);
}

/**
 * A downlink on FPort 201: keeps the fragment in flash; installs the bundle once all are in.
 * Returns true when the session ended (installed or refused): the collector should hear the
 * gate's status soon.
 */
export function trustFragment(storage: FlashStorage, trust: TrustStore, data: Uint8Array, events: Events): boolean {
  var f;
  try {
    f = decodeTrustFragment(data);
  } catch (e) {
    events.emit('trust', { what: 'bad-fragment', error: String((e as any).message || e) });
    return false;
  }
  var cur = trust.bundle;
  if (cur && f.version <= cur.version) return false;
  var s = readSession(storage);
  try {
    if (!s || s.version !== f.version || s.count !== f.count || s.size !== f.size || s.fragSize !== f.fragSize) {
      clearFragments(storage);
      storage.write(SESSION_FILE, f.version + ',' + f.count + ',' + f.size + ',' + f.fragSize);
    }
    if (storage.readBytes(FRAG_PREFIX + f.index) === undefined) storage.write(FRAG_PREFIX + f.index, f.data);
  } catch (e) {
    events.emit('fault', { what: 'flash', why: 'cannot keep trust fragment' });
    return false;
  }
  events.emit('trust', { what: 'fragment', version: f.version, index: f.index, count: f.count });
  return completeTrust(storage, trust, events);
}

/** Installs the session's bundle when every fragment is in flash; true when the session ended. */
export function completeTrust(storage: FlashStorage, trust: TrustStore, events: Events): boolean {
  var s = liveSession(storage, trust);
  if (!s) return false;
  var out = new Uint8Array(s.size);
  for (var n = 1; n <= s.count; n++) {
    var b = storage.readBytes(FRAG_PREFIX + n);
    if (!b) return false;
    var at = (n - 1) * s.fragSize;
    out.set(b.length > s.size - at ? b.subarray(0, s.size - at) : b, at);
  }
  updateTrust(storage, trust, out, events);
  clearFragments(storage);
  return true;
}

/**
 * The status uplink (proto/trustfrag.ts) and whether a session is under way (the uplink then
 * asks again at once, at the duty cycle's pace). A complete session is installed first.
 */
export function trustStatus(storage: FlashStorage, trust: TrustStore, dataRate: number, maxBytes: number, events: Events): { frame: Uint8Array; active: boolean } {
  completeTrust(storage, trust, events);
  var s = liveSession(storage, trust), have: boolean[] = [];
  if (s) for (var n = 1; n <= s.count; n++) have.push(storage.readBytes(FRAG_PREFIX + n) !== undefined);
  var cur = trust.bundle;
  return {
    frame: encodeTrustStatus(cur ? cur.version : 0, dataRate, maxBytes, s ? { version: s.version, count: s.count } : null, have),
    active: !!s,
  };
}

/**
 * The lazy part's one entry (one stub in the core): 'bundle' (a whole bundle, Wi-Fi) ->
 * updateTrust's answer; 'fragment' (LoRa downlink) -> trustFragment's; 'status' (a = data rate,
 * b = payload limit) -> trustStatus's.
 */
export function ota(op: string, storage: FlashStorage, trust: TrustStore, events: Events, a: any, b: any): any {
  if (op === 'bundle') return updateTrust(storage, trust, a, events);
  if (!QG_LORA) return null; // (fragments and status come only over LoRa)
  if (op === 'fragment') return trustFragment(storage, trust, a, events);
  return trustStatus(storage, trust, a, b, events);
}
