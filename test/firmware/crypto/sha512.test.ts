// SHA-512 of firmware/crypto/sha512.ts against Node's crypto.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { sha512, sha512Chunks, Sha512 } from '../../../firmware/crypto/sha512';
import { toHex } from '../../util/shared';

import { RUNS, nodeHash, BOUNDARY_LENGTHS, bytes, splitData } from '../../util/hash';

describe('crypto/sha512', () => {
  it('known answers (FIPS 180-4 examples)', () => {
    assert.equal(toHex(sha512(new Uint8Array(0))),
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e');
    assert.equal(toHex(sha512(Buffer.from('abc'))),
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f');
  });

  it('matches node:crypto at every length near a block boundary (0..300)', () => {
    for (const n of BOUNDARY_LENGTHS) {
      const d = crypto.randomBytes(n);
      assert.equal(toHex(sha512(d)), nodeHash('sha512', d), `length ${n}`);
    }
  });

  it('property: matches node:crypto on random inputs (lengths 0..300)', () => {
    fc.assert(fc.property(bytes, (d) => toHex(sha512(d)) === nodeHash('sha512', d)), { numRuns: RUNS });
  });

  it('property: sha512Chunks of any split equals the hash of the whole', () => {
    fc.assert(fc.property(splitData, ({ data, parts }) => toHex(sha512Chunks(parts)) === nodeHash('sha512', data)), { numRuns: RUNS });
  });

  it('hashes a long input fed in odd-sized updates', () => {
    const d = crypto.randomBytes(10000);
    const s = new Sha512();
    for (let i = 0; i < d.length; i += 131) s.update(d.subarray(i, i + 131));
    assert.equal(toHex(s.digest()), nodeHash('sha512', d));
  });
});
