// proto/cose.ts on QG1 messages built independently (cbor-x + tweetnacl, see qg1-fixtures.ts):
// COSE_Sign1 structure and every "Malformed input" rule of spec/qg1.md section 1.
import { strict as assert } from 'assert';
import nacl from 'tweetnacl';
import { decodeCoseSign1, decodeCoseSign1Parts, sigStructureOf, COSE_MAX_BYTES } from '../../proto/cose';
import { cbor, keyPair, sign1, sigStructure, claimsMap, DEFAULT_CLAIMS } from './qg1-fixtures';
import { toHex } from '../util/shared';
import { refusal } from '../util/refusal';

const kp = keyPair(7);
const KID = new Uint8Array([0x71, 0x67, 0x31, 0x2d, 0x6b, 0x31]);

describe('proto/cose: QG1 COSE_Sign1', () => {
  it('decodes a tagged and an untagged message to the same fields, as views of the input', () => {
    const payload = cbor(claimsMap(DEFAULT_CLAIMS));
    for (const tag of [true, false]) {
      const bytes = sign1({ secretKey: kp.secretKey, kid: KID, payload, tag });
      const c = decodeCoseSign1(bytes);
      assert.equal(c.alg, -8);
      assert.equal(toHex(c.kid), toHex(KID));
      assert.equal(toHex(c.payload), toHex(payload));
      assert.equal(toHex(c.protectedBytes), toHex(cbor(new Map<any, any>([[1, -8], [4, Buffer.from(KID)]]))));
      assert.equal(c.signature.length, 64);
      for (const v of [c.kid, c.payload, c.protectedBytes, c.signature]) assert.equal(v.buffer, bytes.buffer);
      // The Sig_structure is the one cbor-x builds, and the signature verifies over it.
      assert.equal(toHex(sigStructureOf(c)), toHex(sigStructure(c.protectedBytes, c.payload)));
      assert.ok(nacl.sign.detached.verify(sigStructureOf(c), c.signature, kp.publicKey));
      assert.equal(decodeCoseSign1Parts(bytes).tagged, tag);
    }
  });

  it('Sig_structure uses the exact wire bytes of a non-canonical protected header', () => {
    // {1: -8, 4: h'6b31'} with a non-shortest head for the label 1 and an extra label 3.
    const prot = new Uint8Array([0xa3, 0x18, 0x01, 0x27, 0x04, 0x42, 0x6b, 0x31, 0x03, 0x00]);
    const bytes = sign1({ secretKey: kp.secretKey, protectedBytes: prot, payload: cbor(claimsMap(DEFAULT_CLAIMS)) });
    const c = decodeCoseSign1(bytes);
    assert.equal(toHex(c.protectedBytes), toHex(prot));
    assert.ok(nacl.sign.detached.verify(sigStructureOf(c), c.signature, kp.publicKey));
  });

  const P = (entries: [any, any][]) => cbor(new Map<any, any>(entries));
  const kidB = Buffer.from(KID);
  const payload = cbor(claimsMap(DEFAULT_CLAIMS));
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['no alg', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[4, kidB]]), payload }), /no alg in protected/],
    ['alg -7 (ES256)', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -7], [4, kidB]]), payload }), /alg is not EdDSA/],
    ['alg as text', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, 'EdDSA'], [4, kidB]]), payload }), /alg is not EdDSA/],
    ['alg only unprotected', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[4, kidB]]), unprotected: new Map([[1, -8]]), payload }), /no alg in protected/],
    ['no kid', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8]]), payload }), /no kid in protected/],
    ['kid only unprotected', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8]]), unprotected: new Map([[4, kidB]]), payload }), /no kid in protected/],
    ['kid as text', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8], [4, 'k1']]), payload }), /kid is not a bstr/],
    ['kid empty', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8], [4, Buffer.alloc(0)]]), payload }), /kid length/],
    ['kid 17 bytes', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8], [4, Buffer.alloc(17)]]), payload }), /kid length/],
    ['crit present', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8], [2, [3]], [4, kidB]]), payload }), /crit/],
    ['crit empty list', () => sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8], [2, []], [4, kidB]]), payload }), /crit/],
    ['protected empty bstr', () => sign1({ secretKey: kp.secretKey, protectedBytes: new Uint8Array(0), payload }), /no alg in protected/],
    ['protected not a map', () => sign1({ secretKey: kp.secretKey, protectedBytes: cbor([1, -8]), payload }), /protected header is not a map/],
    ['protected with trailing bytes', () => sign1({ secretKey: kp.secretKey, protectedBytes: new Uint8Array([...P([[1, -8], [4, kidB]]), 0]), payload }), /trailing bytes/],
    ['protected duplicate alg', () => sign1({ secretKey: kp.secretKey, protectedBytes: new Uint8Array([0xa3, 0x01, 0x27, 0x04, 0x41, 0x01, 0x01, 0x27]), payload }), /duplicate key/],
    ['protected with a float', () => sign1({ secretKey: kp.secretKey, protectedBytes: new Uint8Array([0xa3, 0x01, 0x27, 0x04, 0x41, 0x01, 0x03, 0xf9, 0, 0]), payload }), /float/],
    ['unprotected holds a float', () => sign1({ secretKey: kp.secretKey, unprotected: new Map([[5, 1.5]]), payload }), /float/],
    ['unprotected nests too deep', () => sign1({ secretKey: kp.secretKey, unprotected: new Map([[5, [[[1]]]]]), payload }), /too deep/],
    ['signature 63 bytes', () => sign1({ secretKey: kp.secretKey, signature: new Uint8Array(63), payload }), /signature length/],
    ['signature 65 bytes', () => sign1({ secretKey: kp.secretKey, signature: new Uint8Array(65), payload }), /signature length/],
    ['trailing byte', () => new Uint8Array([...sign1({ secretKey: kp.secretKey, payload }), 0]), /trailing bytes/],
    ['tag 61 (CWT) around tag 18', () => new Uint8Array([0xd8, 0x3d, ...sign1({ secretKey: kp.secretKey, payload })]), /tag/],
    ['tag 18 twice', () => new Uint8Array([0xd2, ...sign1({ secretKey: kp.secretKey, payload })]), /tag/],
    ['tag 98 (COSE_Sign)', () => new Uint8Array([0xd8, 0x62, ...sign1({ secretKey: kp.secretKey, payload, tag: false })]), /tag/],
    ['indefinite outer array', () => { const b = sign1({ secretKey: kp.secretKey, payload, tag: false }); return new Uint8Array([0x9f, ...b.subarray(1), 0xff]); }, /indefinite/],
    ['array of 3', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), new Map(), Buffer.from(payload)]), /array of 4/],
    ['array of 5', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), new Map(), Buffer.from(payload), Buffer.alloc(64), 0]), /array of 4/],
    ['a map, not an array', () => cbor(new Map([[1, 2]])), /array of 4/],
    ['protected as a map, not a bstr', () => cbor([new Map<any, any>([[1, -8], [4, kidB]]), new Map(), Buffer.from(payload), Buffer.alloc(64)]), /protected is not a bstr/],
    ['unprotected as a bstr', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), Buffer.alloc(0), Buffer.from(payload), Buffer.alloc(64)]), /unprotected is not a map/],
    ['unprotected null', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), null, Buffer.from(payload), Buffer.alloc(64)]), /unprotected is not a map/],
    ['payload nil (detached)', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), new Map(), null, Buffer.alloc(64)]), /payload is not a bstr/],
    ['payload as text', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), new Map(), 'x', Buffer.alloc(64)]), /payload is not a bstr/],
    ['signature as text', () => cbor([Buffer.from(P([[1, -8], [4, kidB]])), new Map(), Buffer.from(payload), 'x'.repeat(64)]), /signature is not a bstr/],
  ];
  for (const [name, make, why] of cases) {
    it(`refuses: ${name}`, () => {
      assert.match(refusal(() => decodeCoseSign1(make())), why);
    });
  }

  it('accepts kid of 1 and 16 bytes, other protected labels, and anything well formed in unprotected', () => {
    for (const n of [1, 16]) {
      const b = sign1({ secretKey: kp.secretKey, protectedBytes: P([[1, -8], [4, Buffer.alloc(n, 9)]]), payload });
      assert.equal(decodeCoseSign1(b).kid.length, n);
    }
    const b = sign1({ secretKey: kp.secretKey, protectedBytes: P([[3, 0], [1, -8], ['x', 'y'], [4, kidB]]), payload,
      unprotected: new Map<any, any>([[4, Buffer.from('other')], [1, -7], ['t', [[1]]]]) });
    const c = decodeCoseSign1(b);
    assert.equal(toHex(c.kid), toHex(KID), 'the unprotected kid never replaces the protected one');
    assert.equal(c.alg, -8);
  });

  it('size: 512 bytes accepted, 513 refused; maxBytes option', () => {
    // Pad the payload's iss so the whole message is exactly 512 / 513 bytes.
    const sized = (total: number) => {
      for (let pad = 0; pad < 600; pad++) {
        const payload = cbor(claimsMap(DEFAULT_CLAIMS, [[99, Buffer.alloc(pad)]]));
        const dummy = sign1({ secretKey: kp.secretKey, payload, signature: new Uint8Array(64) });
        if (dummy.length === total) return sign1({ secretKey: kp.secretKey, payload });
      }
      throw new Error('no size ' + total);
    };
    const b512 = sized(512);
    const b513 = sized(513);
    assert.equal(COSE_MAX_BYTES, 512);
    assert.equal(decodeCoseSign1(b512).signature.length, 64);
    assert.match(refusal(() => decodeCoseSign1(b513)), /message too large/);
    assert.equal(decodeCoseSign1(b513, { maxBytes: 513 }).signature.length, 64);
    assert.match(refusal(() => decodeCoseSign1(b512, { maxBytes: 511 })), /message too large/);
  });
});
