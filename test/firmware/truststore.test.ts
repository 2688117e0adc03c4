// firmware/truststore.ts (and its check, firmware/trustcheck.ts): install checks the root
// signature and the version, records a higher version, then uses the bundle and tells the
// listeners; a refused bundle changes nothing.
import { strict as assert } from 'assert';
import { TrustStore } from '../../firmware/truststore';
import { TVER_FILE } from '../../firmware/trustcheck';
import { configOf } from './fixtures';
import { fixtureBytes, flashStorage, recordingEvents, strictVerify } from './owners-util';
import { FlashStorage } from '../../hal/types';

function store(storage: FlashStorage = flashStorage()) {
  const events = recordingEvents();
  const s = new TrustStore({ storage, verify: strictVerify, events });
  s.roots = configOf('gate.json').rootKeys;
  const told: number[] = [];
  s.listen((t) => told.push(t.version));
  return { s, storage, events, told };
}

describe('firmware/truststore: the owner of the trust bundle', () => {
  it('starts empty; install uses a good bundle, records its version and tells every listener', () => {
    const r = store();
    assert.equal(r.s.bundle, null);
    const second: number[] = [];
    r.s.listen((t) => second.push(t.keyCount));
    const t = r.s.install(fixtureBytes());
    assert.equal(t.error, '');
    assert.equal(r.s.bundle, t.bundle);
    assert.equal(r.s.bundle!.version, 1);
    assert.equal(r.storage.readText(TVER_FILE), '1');
    assert.deepEqual(r.told, [1]);
    assert.deepEqual(second, [4]);
    // The same version again: accepted (not lower), told again (the cache empties), no rewrite needed.
    r.s.install(fixtureBytes());
    assert.deepEqual(r.told, [1, 1]);
    assert.deepEqual(r.events.seen, []);
  });

  it('refuses a lower version than ever installed (rollback) and changes nothing', () => {
    const storage = flashStorage();
    storage.write(TVER_FILE, '2');
    const r = store(storage);
    const t = r.s.install(fixtureBytes());
    assert.equal(t.error, 'rollback');
    assert.equal(t.bundle, null);
    assert.equal(r.s.bundle, null);
    assert.deepEqual(r.told, []);
    assert.equal(storage.readText(TVER_FILE), '2');
  });

  it('refuses a bad signature, a bundle signed by another key and garbage, keeping the bundle in use', () => {
    const r = store();
    r.s.install(fixtureBytes());
    const inUse = r.s.bundle;
    for (const [file, error] of [['trust-badsig.bin', 'bad-signature'], ['trust-unsigned-by-root.bin', 'bad-signature']]) {
      assert.equal(r.s.install(fixtureBytes(file)).error, error, file);
    }
    assert.equal(r.s.install(new Uint8Array([1, 2, 3])).error, 'malformed');
    assert.equal(r.s.bundle, inUse);
    assert.deepEqual(r.told, [1]);
  });

  it('without root keys nothing verifies', () => {
    const r = store();
    r.s.roots = [];
    assert.equal(r.s.install(fixtureBytes()).error, 'bad-signature');
    assert.equal(r.s.bundle, null);
  });

  it('a version that cannot be recorded (flash refuses): a fault event, the bundle is still used', () => {
    const base = flashStorage();
    const storage: FlashStorage = Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
      write: (name: string) => { throw new Error('Storage full writing ' + name); },
    });
    const r = store(storage);
    const t = r.s.install(fixtureBytes());
    assert.ok(t.bundle);
    assert.equal(r.s.bundle, t.bundle);
    assert.deepEqual(r.events.of('fault'), [{ what: 'flash', why: 'cannot record trust version' }]);
  });
});
