// A small stand-in for firmware/main.ts, bundled by the tests (test/util/board.ts): the same
// boot files (qg.cfg, qg.trust), the same `@qg ready` line, and qgStatus() from firmware/status.ts
// registered the way the lead's main.ts is asked to (docs: the report of issue 6). It skips the
// Ed25519 checks so that it boots in a moment on the real interpreter too.
import * as esp from '../../hal/espruino/index';
import { boardProfile } from '../../firmware/boards';
import { loadConfig, TRUST_FILE, FIRMWARE_VERSION } from '../../firmware/boot';
import { decodeTrustBundle, TrustBundle } from '../../proto/trustbundle';
import { statusJson } from '../../firmware/status';
import { sha256 } from '../../firmware/crypto/sha256';
import { sha512 } from '../../firmware/crypto/sha512';
import { CLOCK_VALID_AFTER } from '../../firmware/gate';

declare var global: any;

function start(): void {
  var profile = boardProfile(esp.boardId());
  var storage = esp.storage();
  var con = esp.consoleOut();
  var clock = esp.clock();
  var hashes = esp.hashes({ sha256: sha256, sha512: sha512 })!;
  var c = loadConfig(storage);
  var trust: TrustBundle | null = null;
  var fault = '';
  var bytes = storage.readBytes(TRUST_FILE);
  if (!c.config) fault = 'config';
  else if (!bytes) fault = 'trust';
  else {
    try { trust = decodeTrustBundle(bytes); } catch (e) { fault = 'trust'; }
  }
  global.qgStatus = function () {
    return statusJson({
      storage: storage, sha256: hashes.sha256, memory: esp.memory(), version: FIRMWARE_VERSION + '-mini',
      board: profile.name, config: c.config || null, trust: { bundle: trust },
      now: function () { var t = clock.now(); return t >= CLOCK_VALID_AFTER ? t : null; },
      backlog: function () { return 0; }, fault: fault,
    });
  };
  if (!c.config) {
    con.log('@qg ' + JSON.stringify({ ev: 'fault', what: 'config', why: c.error }));
    return;
  }
  con.log('@qg ' + JSON.stringify({
    ev: 'ready', fw: FIRMWARE_VERSION + '-mini', board: profile.name, gateId: c.config.gateId, fault: fault, detail: '',
    trust: trust ? { version: trust.version, keys: trust.keyCount } : null,
  }));
}

start();
