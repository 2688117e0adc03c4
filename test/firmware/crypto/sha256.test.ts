// SHA-256 and HMAC-SHA-256 of firmware/crypto/sha256.ts against Node's crypto.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { sha256, sha256Chunks, hmacSha256, Sha256, sha256StateHeld } from '../../../firmware/crypto/sha256';
import { toHex } from '../../util/shared';

import { RUNS, nodeHash, BOUNDARY_LENGTHS, bytes, splitData } from '../../util/hash';

describe('crypto/sha256', () => {
  it('known answers (FIPS 180-4 examples)', () => {
    assert.equal(toHex(sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(toHex(sha256(Buffer.from('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(sha256(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto at every length near a block boundary (0..300)', () => {
    for (const n of BOUNDARY_LENGTHS) {
      const d = crypto.randomBytes(n);
      assert.equal(toHex(sha256(d)), nodeHash('sha256', d), `length ${n}`);
    }
  });

  it('property: matches node:crypto on random inputs (lengths 0..300)', () => {
    fc.assert(fc.property(bytes, (d) => toHex(sha256(d)) === nodeHash('sha256', d)), { numRuns: RUNS });
  });

  it('property: sha256Chunks of any split equals the hash of the whole', () => {
    fc.assert(fc.property(splitData, ({ data, parts }) => toHex(sha256Chunks(parts)) === nodeHash('sha256', data)), { numRuns: RUNS });
  });

  it('hashes a long input fed in odd-sized updates', () => {
    const d = crypto.randomBytes(10000);
    const s = new Sha256();
    for (let i = 0; i < d.length; i += 77) s.update(d.subarray(i, i + 77));
    assert.equal(toHex(s.digest()), nodeHash('sha256', d));
  });
});

describe('crypto/sha256: its constants are held only while hashing', () => {
  it('let go after a digest, remade by the next hash; interleaved hashes stay right', () => {
    const a = new Sha256();
    assert.equal(sha256StateHeld(), true);
    a.update(new Uint8Array(100));
    const b = new Sha256().update(new Uint8Array([4]));
    assert.equal(toHex(b.digest()), nodeHash('sha256', new Uint8Array([4])));
    assert.equal(sha256StateHeld(), false, 'let go at the digest');
    a.update(new Uint8Array(30)); // (remade: a's own state is its h and buffer)
    assert.equal(toHex(a.digest()), nodeHash('sha256', new Uint8Array(130)));
    assert.equal(sha256StateHeld(), false);
    assert.equal(toHex(sha256(new Uint8Array(0))), nodeHash('sha256', new Uint8Array(0)));
    assert.equal(sha256StateHeld(), false);
  });
});

describe('crypto/hmacSha256', () => {
  const nodeHmac = (k: Uint8Array, d: Uint8Array) => crypto.createHmac('sha256', k).update(d).digest('hex');
  const nodeSha256 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());

  it('RFC 4231 test case 2', () => {
    assert.equal(toHex(hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'))),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('matches node:crypto for key lengths 0..150 (around the 64-byte block)', () => {
    const d = crypto.randomBytes(100);
    for (let n = 0; n <= 150; n++) {
      const k = crypto.randomBytes(n);
      assert.equal(toHex(hmacSha256(k, d)), nodeHmac(k, d), `key length ${n}`);
    }
  });

  it('property: matches node:crypto on random keys and messages (0..300 bytes)', () => {
    fc.assert(fc.property(bytes, bytes, (k, d) => toHex(hmacSha256(k, d)) === nodeHmac(k, d)), { numRuns: RUNS });
  });

  it('property: an injected SHA-256 gives the same result', () => {
    fc.assert(fc.property(bytes, bytes, (k, d) => toHex(hmacSha256(k, d, nodeSha256)) === nodeHmac(k, d)), { numRuns: RUNS });
  });
});
