// HMAC-SHA-256 over a given SHA-256 (firmware/crypto/hmac.ts: what a firmware without the
// JavaScript SHA-256 computes with the board's native one) against node:crypto.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { hmacWith } from '../../../firmware/crypto/hmac';
import { hmacSha256 } from '../../../firmware/crypto/sha256';

const RUNS = Number(process.env.FUZZ_RUNS || 100);
const nodeSha = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('HMAC over a given SHA-256 (firmware/crypto/hmac.ts)', () => {
  it('RFC 4231 test cases 1 and 6 (a key longer than the block is hashed first)', () => {
    const t1 = hmacWith(new Uint8Array(20).fill(0x0b), new Uint8Array(Buffer.from('Hi There')), nodeSha);
    assert.equal(hex(t1), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    const t6 = hmacWith(new Uint8Array(131).fill(0xaa), new Uint8Array(Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')), nodeSha);
    assert.equal(hex(t6), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('property: equals node:crypto\'s HMAC and the JavaScript one (sha256.ts hmacSha256), hashing only through `sha`', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 200 }), (key, data) => {
      let calls = 0;
      const got = hex(hmacWith(key, data, (d) => { calls++; return nodeSha(d); }));
      assert.equal(got, crypto.createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest('hex'));
      assert.equal(got, hex(hmacSha256(key, data)));
      assert.equal(calls, key.length > 64 ? 3 : 2);
    }), { numRuns: RUNS });
  });
});
