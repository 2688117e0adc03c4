// The reference verifier (firmware/crypto/ed25519-ref.ts verifyStrict) called directly: tweetnacl
// signatures verify; any changed bit, S + L, a small-order key, a non-canonical R and a hash of the
// wrong length do not. (The published vectors: test/firmware/crypto/ed25519.test.ts.)
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { verifyStrict } from '../../../firmware/crypto/ed25519-ref';

const RUNS = Number(process.env.FUZZ_RUNS) || 20;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const sha512 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha512').update(d).digest());
const leBig = (b: Uint8Array) => { let v = 0n; for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]); return v; };
const bigLe = (v: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) { b[i] = Number(v & 255n); v >>= 8n; } return b; };

function signed(seed: number, msg: Uint8Array) {
  const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(seed));
  return { pub: kp.publicKey, sig: nacl.sign.detached(msg, kp.secretKey) };
}

describe('firmware/crypto/ed25519-ref', () => {
  it('property: a tweetnacl signature verifies; a flipped bit in key, message or signature does not', () => {
    fc.assert(fc.property(fc.nat(255), fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.nat(), (seed, msg, bit) => {
      const { pub, sig } = signed(seed, msg);
      if (!verifyStrict(pub, msg, sig, sha512)) return false;
      const which = bit % 3, target = [pub, msg, sig][which].slice();
      target[(bit >> 2) % target.length] ^= 1 << (bit & 7);
      const args = [pub, msg, sig];
      args[which] = target;
      return !verifyStrict(args[0], args[1], args[2], sha512);
    }), { numRuns: RUNS });
  });

  it('refuses S + L (malleability), a small-order key, a non-canonical R, a bad hash and wrong lengths', () => {
    const msg = new Uint8Array(Buffer.from('entrance 7'));
    const { pub, sig } = signed(3, msg);
    assert.ok(verifyStrict(pub, msg, sig, sha512));
    const sPlusL = sig.slice();
    sPlusL.set(bigLe(leBig(sig.subarray(32)) + L), 32);
    assert.ok(!verifyStrict(pub, msg, sPlusL, sha512));
    const identity = bigLe(1n);
    assert.ok(!verifyStrict(identity, msg, sig, sha512));
    const rNonCanonical = sig.slice();
    rNonCanonical.set(bigLe(2n ** 255n - 1n), 0); // y = p + 18
    assert.ok(!verifyStrict(pub, msg, rNonCanonical, sha512));
    assert.ok(!verifyStrict(pub, msg, sig, (d) => sha512(d).subarray(0, 32)));
    assert.ok(!verifyStrict(pub.subarray(0, 31), msg, sig, sha512));
    assert.ok(!verifyStrict(pub, msg, sig.subarray(0, 63), sha512));
  });
});
