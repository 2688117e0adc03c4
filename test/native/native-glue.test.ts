// firmware/crypto/native.ts: the device-side plumbing of the native verifier. Its NativeCall is
// played here by the qemu-arm harness running the code string that native.ts hands out.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import nacl from 'tweetnacl';
import { NATIVE_ED25519_BASE64 } from '../../firmware/crypto/native-code.generated';
import { nativeEd25519Code, nativeVerifier, verifierSelfTest, NativeCall, NATIVE_ENTRY, NATIVE_SIGNATURE } from '../../firmware/crypto/native';
import { verify as jsVerify } from '../../firmware/crypto/ed25519';
import { requireTools, runHarness } from './qemu';

describe('crypto/native glue', function () {
  it('nativeEd25519Code() is the committed binary as a byte string', () => {
    const s = nativeEd25519Code();
    assert.ok(Buffer.from(s, 'latin1').equals(Buffer.from(NATIVE_ED25519_BASE64, 'base64')));
    assert.equal(NATIVE_ENTRY, 0);
    assert.equal(NATIVE_SIGNATURE, 'int(int,int,int,int)');
  });

  it('nativeVerifier: wrong key or signature lengths are refused without calling; the result is call() === 1', () => {
    let calls = 0;
    let answer = 1;
    const call: NativeCall = (code, entry, pub, sig, msg) => {
      calls++;
      assert.equal(code, nativeEd25519Code());
      assert.equal(entry, NATIVE_ENTRY);
      assert.equal(pub.length + sig.length + msg.length, 32 + 64 + 2);
      return answer;
    };
    const v = nativeVerifier(call);
    assert.equal(v(new Uint8Array(31), new Uint8Array(2), new Uint8Array(64)), false);
    assert.equal(v(new Uint8Array(32), new Uint8Array(2), new Uint8Array(65)), false);
    assert.equal(calls, 0);
    assert.equal(v(new Uint8Array(32), new Uint8Array(2), new Uint8Array(64)), true);
    answer = 0;
    assert.equal(v(new Uint8Array(32), new Uint8Array(2), new Uint8Array(64)), false);
    answer = 2;
    assert.equal(v(new Uint8Array(32), new Uint8Array(2), new Uint8Array(64)), false);
    assert.equal(calls, 3);
  });

  it('verifierSelfTest: passes for the JavaScript verifier, fails for broken ones', () => {
    assert.equal(verifierSelfTest(jsVerify), true);
    assert.equal(verifierSelfTest(() => true), false);
    assert.equal(verifierSelfTest(() => false), false);
  });

  it('the native code handed out by native.ts, run under qemu-arm: self-test passes, signatures check', function () {
    requireTools(this);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-native-glue-'));
    try {
      const call: NativeCall = (code, entry, pub, sig, msg) => {
        assert.equal(entry, 0); // the harness calls offset 0
        const bin = path.join(dir, 'code.bin');
        fs.writeFileSync(bin, Buffer.from(code, 'latin1'));
        return runHarness([{ pub, sig, msg }], { bin }).verdicts[0] ? 1 : 0;
      };
      const v = nativeVerifier(call);
      assert.equal(verifierSelfTest(v), true);
      const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
      const msg = new Uint8Array(Buffer.from('QG1 glue'));
      const sig = nacl.sign.detached(msg, kp.secretKey);
      assert.equal(v(kp.publicKey, msg, sig), true);
      assert.equal(v(kp.publicKey, new Uint8Array(Buffer.from('QG1 gluE')), sig), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
