// firmware/trustcheck.ts: a trust bundle is accepted only when its COSE signature verifies under a
// root key of the configuration and its version is not lower than the highest ever installed
// (qg.tver); checkTrust records a higher version and reports a flash that refuses it.
import { strict as assert } from 'assert';
import sinon from 'sinon';
import { acceptTrustBundle, checkTrust, installedTrustVersion, TVER_FILE, VerifyFn } from '../../firmware/trustcheck';
import { configOf, fixtures } from './fixtures';
import { fixtureBytes, flashStorage, recordingEvents, strictVerify } from './owners-util';

const roots = () => configOf(fixtures.config).rootKeys;

describe('firmware/trustcheck', () => {
  it('gives a verifier that takes the message in parts (VerifyFn.parts) the Sig_structure in parts, never joined', () => {
    const seen: number[] = [];
    const whole = sinon.spy(strictVerify);
    const verify: VerifyFn = Object.assign(whole, {
      parts: (pub: Uint8Array, parts: Uint8Array[], sig: Uint8Array) => {
        seen.push(parts.length);
        return strictVerify(pub, new Uint8Array(Buffer.concat(parts)), sig);
      },
    });
    const bytes = fixtureBytes('trust.bin');
    const t = acceptTrustBundle(bytes, roots(), -1, verify);
    assert.equal(t.error, '', t.detail);
    assert.deepEqual(seen, [4]);
    assert.equal(whole.callCount, 0, 'the joined message was not asked for');
    // and the parts are the Sig_structure: a broken signature is still refused
    assert.equal(acceptTrustBundle(fixtureBytes('trust-badsig.bin'), roots(), -1, verify).error, 'bad-signature');
  });


  it('accepts the fixture bundle signed by the root, with no installed version', () => {
    const t = acceptTrustBundle(fixtureBytes('trust.bin'), roots(), -1, strictVerify);
    assert.equal(t.error, '', t.detail);
    assert.ok(t.bundle && t.bundle.version >= 1);
  });

  it('refuses a bundle whose signature is broken, or signed by another key, as bad-signature', () => {
    for (const f of ['trust-badsig.bin', 'trust-unsigned-by-root.bin']) {
      const t = acceptTrustBundle(fixtureBytes(f), roots(), -1, strictVerify);
      assert.equal(t.bundle, null, f);
      assert.equal(t.error, 'bad-signature', f);
    }
  });

  it('refuses garbage as malformed, and an older version than installed as rollback', () => {
    assert.equal(acceptTrustBundle(new Uint8Array([1, 2, 3]), roots(), -1, strictVerify).error, 'malformed');
    const ok = acceptTrustBundle(fixtureBytes('trust.bin'), roots(), -1, strictVerify);
    const v = ok.bundle!.version;
    assert.equal(acceptTrustBundle(fixtureBytes('trust.bin'), roots(), v, strictVerify).error, '', 'same version is fine');
    const old = acceptTrustBundle(fixtureBytes('trust.bin'), roots(), v + 1, strictVerify);
    assert.equal(old.error, 'rollback');
    assert.equal(old.bundle, null);
  });

  it('checkTrust records a higher version in qg.tver, and an unreadable qg.tver counts as none', () => {
    const storage = flashStorage();
    assert.equal(installedTrustVersion(storage), -1);
    storage.write(TVER_FILE, 'not a number');
    assert.equal(installedTrustVersion(storage), -1);
    const ev = recordingEvents();
    const t = checkTrust(storage, fixtureBytes('trust.bin'), roots(), strictVerify, ev);
    assert.equal(t.error, '');
    assert.equal(installedTrustVersion(storage), t.bundle!.version);
    // a rollback is refused and leaves the recorded version
    storage.write(TVER_FILE, String(t.bundle!.version + 5));
    assert.equal(checkTrust(storage, fixtureBytes('trust.bin'), roots(), strictVerify, ev).error, 'rollback');
    assert.equal(installedTrustVersion(storage), t.bundle!.version + 5);
  });

  it('checkTrust reports a fault event when flash refuses the version, and still accepts the bundle', () => {
    const storage = flashStorage();
    storage.write = () => { throw new Error('flash full'); };
    const ev = recordingEvents();
    const t = checkTrust(storage, fixtureBytes('trust.bin'), roots(), strictVerify, ev);
    assert.equal(t.error, '');
    assert.deepEqual(ev.of('fault').map((f: any) => f.what), ['flash']);
  });
});
