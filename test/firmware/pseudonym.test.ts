// The pseudonyms of spec/qg1.md section 7 (firmware/pseudonym.ts) against node:crypto.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { pseudonym, pseudonyms } from '../../firmware/pseudonym';

const RUNS = Number(process.env.FUZZ_RUNS || 100);
const hmac16 = (k: Uint8Array, x: Uint8Array) => crypto.createHmac('sha256', Buffer.from(k)).update(Buffer.from(x)).digest().subarray(0, 16).toString('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('pseudonyms (firmware/pseudonym.ts)', () => {
  it('property: HMAC-SHA-256(site secret, sub / cti) truncated to 16 bytes, as node:crypto computes it', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.uint8Array({ minLength: 1, maxLength: 16 }), (secret, sub, cti) => {
        const p = pseudonyms(secret, sub, cti);
        assert.equal(hex(p.subject), hmac16(secret, sub));
        assert.equal(hex(p.cert), hmac16(secret, cti));
      }), { numRuns: RUNS });
  });

  it('uses a given HMAC (a board with native SHA-256) and gives empty pseudonyms for missing ids', () => {
    const secret = new Uint8Array(16).fill(7);
    const calls: number[] = [];
    const native = (k: Uint8Array, d: Uint8Array) => { calls.push(d.length); return new Uint8Array(crypto.createHmac('sha256', Buffer.from(k)).update(d).digest()); };
    assert.equal(hex(pseudonym(secret, new Uint8Array([1, 2, 3]), native)), hmac16(secret, new Uint8Array([1, 2, 3])));
    assert.deepEqual(calls, [3]);
    const p = pseudonyms(secret, null, new Uint8Array([9]));
    assert.equal(p.subject.length, 0);
    assert.equal(p.cert.length, 16);
  });
});
