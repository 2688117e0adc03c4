// The trust store: the one owner of the trust bundle in use. Nothing else keeps the bundle (the
// gate, `qgStatus()` and the ready event read its `bundle`); what is derived from it follows it:
// the verifier's key tables are told through `listen`, the gate empties its repeat-visitor cache
// at its first scan under a new bundle.
//
//   install(bytes)  checks the root signature (under `roots`, the configuration's root keys) and
//                   the version (not lower than the highest ever installed, qg.tver), records a
//                   higher version (firmware/trustcheck.ts, a lazy part), then uses the bundle
//                   and tells the listeners (key tables rebuilt). A bundle that
//                   fails a check changes nothing.
//
// Boot (firmware/boot.ts) installs the bundle file qg.trust through it. Trust updates over the air
// (issue 13) call install() with the received bytes, then make them the bundle file (written so
// that a power cut leaves the old or the new, never neither).
import { FlashStorage } from '../hal/types';
import { RootKey } from './config';
import { TrustBundle } from '../proto/trustbundle';
import { checkTrust, TrustResult, VerifyFn } from './trustcheck';
import { Events } from './events';

/** What readers of the trust store see (the gate, status): `bundle` is read, never written. */
export interface TrustSource {
  /** The bundle in use, or null (none accepted yet: the gate refuses every scan). */
  bundle: TrustBundle | null;
  listen(fn: (trust: TrustBundle) => void): void;
}

export interface TrustStoreOptions {
  storage: FlashStorage;
  verify: VerifyFn;
  events: Events;
}

export class TrustStore implements TrustSource {
  // The options' fields, not the options object (RAM on a board).
  storage: FlashStorage;
  verify: VerifyFn;
  events: Events;
  /** The bundle in use, or null. Only install() sets it. */
  bundle: TrustBundle | null;
  /** The root keys bundles must be signed with (boot sets the configuration's). */
  roots: RootKey[];
  /** The listeners, as one function (most boards have one listener: no array). */
  fn: ((trust: TrustBundle) => void) | null;

  constructor(o: TrustStoreOptions) {
    this.storage = o.storage;
    this.verify = o.verify;
    this.events = o.events;
    this.bundle = null;
    this.roots = [];
    this.fn = null;
  }

  /** `fn` is called with each bundle installed from now on. */
  listen(fn: (trust: TrustBundle) => void): void {
    var prev = this.fn;
    this.fn = prev ? function (t: TrustBundle): void { prev!(t); fn(t); } : fn;
  }

  /** Check and use a bundle (see the header); the result says why not when it was refused. */
  install(bytes: Uint8Array): TrustResult {
    var t = checkTrust(this.storage, bytes, this.roots, this.verify, this.events);
    var b = t.bundle;
    if (b) {
      this.bundle = b;
      if (this.fn) this.fn(b);
    }
    return t;
  }
}
