// firmware/boot.ts: configuration, self-test, then the trust bundle through the trust store; each
// failure is a fault (the gate never opens) with its console event, in this order of checks.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { boot, loadConfig, CONFIG_FILE, TRUST_FILE } from '../../firmware/boot';
import { TrustStore } from '../../firmware/truststore';
import { TVER_FILE } from '../../firmware/trustcheck';
import { FX, fixtureBytes, flashStorage, recordingEvents, strictVerify } from './owners-util';

function board(files: { [name: string]: string | Uint8Array }, selfTest = true) {
  const storage = flashStorage();
  for (const n of Object.keys(files)) storage.write(n, files[n]);
  const events = recordingEvents();
  const trust = new TrustStore({ storage, verify: strictVerify, events });
  const run = () => boot({ storage, events, trust, selfTest: () => selfTest });
  return { storage, events, trust, run };
}

const CONFIG = fs.readFileSync(path.join(FX, 'gate.json'), 'utf8');

describe('firmware/boot', () => {
  it('ready: configuration valid, self-test passed, the trust bundle installed in the store (version recorded)', () => {
    const b = board({ [CONFIG_FILE]: CONFIG, [TRUST_FILE]: fixtureBytes() });
    const r = b.run();
    assert.equal(r.fault, '');
    assert.equal(r.config!.gateId, JSON.parse(CONFIG).gateId);
    assert.equal(b.trust.bundle!.version, 1);
    assert.deepEqual(b.trust.roots, r.config!.rootKeys);
    assert.equal(b.storage.readText(TVER_FILE), '1');
    assert.deepEqual(b.events.seen, []);
    assert.ok(!('trust' in r), 'nothing but the store holds the bundle');
  });

  it('no configuration, or one that is not JSON: fault config, nothing else read', () => {
    for (const files of [{}, { [CONFIG_FILE]: '{not json' }]) {
      const b = board({ ...files, [TRUST_FILE]: fixtureBytes() });
      const r = b.run();
      assert.equal(r.fault, 'config');
      assert.equal(r.config, null);
      assert.equal(b.trust.bundle, null);
      assert.deepEqual(b.events.of('fault'), [{ what: 'config', why: r.detail }]);
    }
  });

  it('a verifier failing its self-test: fault selftest, the trust bundle is not installed', () => {
    const b = board({ [CONFIG_FILE]: CONFIG, [TRUST_FILE]: fixtureBytes() }, false);
    const r = b.run();
    assert.equal(r.fault, 'selftest');
    assert.ok(r.config);
    assert.equal(b.trust.bundle, null);
    assert.equal(b.events.of('fault')[0].what, 'selftest');
  });

  it('no trust bundle file: fault trust with its name', () => {
    const b = board({ [CONFIG_FILE]: CONFIG });
    const r = b.run();
    assert.equal(r.fault, 'trust');
    assert.deepEqual(b.events.of('fault'), [{ what: 'trust', why: 'no trust bundle ' + TRUST_FILE }]);
  });

  it('a bundle the store refuses (bad signature, rollback): fault trust, why and detail', () => {
    const bad = board({ [CONFIG_FILE]: CONFIG, [TRUST_FILE]: fixtureBytes('trust-badsig.bin') });
    assert.equal(bad.run().fault, 'trust');
    assert.equal(bad.events.of('fault')[0].why, 'bad-signature');
    const old = board({ [CONFIG_FILE]: CONFIG, [TRUST_FILE]: fixtureBytes(), [TVER_FILE]: '5' });
    const r = old.run();
    assert.equal(r.fault, 'trust');
    assert.deepEqual(old.events.of('fault'), [{ what: 'trust', why: 'rollback', detail: r.detail }]);
    assert.match(r.detail, /lower than installed 5/);
    assert.equal(old.trust.bundle, null);
  });

  it('uses the configuration it is given (loadConfig) rather than reading it again', () => {
    const b = board({ [CONFIG_FILE]: CONFIG, [TRUST_FILE]: fixtureBytes() });
    const pre = loadConfig(b.storage);
    const r = boot({ storage: b.storage, events: b.events, trust: b.trust, selfTest: () => true, config: pre });
    assert.equal(r.config, pre.config);
  });
});
