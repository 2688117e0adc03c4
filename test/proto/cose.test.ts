// proto/cose.ts and proto/qg1.ts on QG1 messages built independently (cbor-x + tweetnacl, see
// qg1-fixtures.ts): structure, every "Malformed input" rule of spec/qg1.md sections 1-2, the claim
// table field by field, and property tests on mutated messages.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { decodeCoseSign1, decodeCoseSign1Parts, sigStructureOf, COSE_MAX_BYTES } from '../../proto/cose';
import { decodeQg1, decodeQg1Bytes, decodeQg1Claims, hasQg1Prefix, QG1_PREFIX, QG1_MAX_TEXT, Qg1Claims } from '../../proto/qg1';
import { base45Encode } from '../../proto/base45';
import { cbor, keyPair, sign1, sigStructure, claimsMap, DEFAULT_CLAIMS, ClaimSpec } from './qg1-fixtures';
import { toHex } from '../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 200;
const kp = keyPair(7);
const KID = new Uint8Array([0x71, 0x67, 0x31, 0x2d, 0x6b, 0x31]);

function message(claims: ClaimSpec = DEFAULT_CLAIMS, extra?: [any, any][], hcExtra?: [any, any][]): Uint8Array {
  return sign1({ secretKey: kp.secretKey, kid: KID, payload: cbor(claimsMap(claims, extra, hcExtra)) });
}
// The same, with a dummy signature (decoding does not check it; signing costs ~10 ms).
function unsigned(claims: ClaimSpec = DEFAULT_CLAIMS, extra?: [any, any][], hcExtra?: [any, any][]): Uint8Array {
  return sign1({ secretKey: kp.secretKey, kid: KID, payload: cbor(claimsMap(claims, extra, hcExtra)), signature: new Uint8Array(64).fill(1) });
}

function refusal(fn: () => any): string {
  try {
    fn();
  } catch (e: any) {
    assert.equal(e.constructor, Error, `not a plain Error: ${e && e.stack}`);
    return e.message;
  }
  assert.fail('accepted');
}

const plainClaims = (c: Qg1Claims) => JSON.parse(JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? 'h' + toHex(v) : v)));

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

describe('proto/qg1: claims (spec/qg1.md section 2)', () => {
  it('decodes the QR text after the prefix to the claims, with a verifiable signature', () => {
    const bytes = message();
    const text = base45Encode(bytes);
    assert.ok(hasQg1Prefix(QG1_PREFIX + text));
    assert.ok(!hasQg1Prefix('qg1:' + text));
    assert.ok(!hasQg1Prefix('QG1'));
    assert.ok(!hasQg1Prefix('B64:abc'));
    const q = decodeQg1(text);
    assert.deepEqual(plainClaims(q.claims), {
      iss: 'Dinas Kesehatan', exp: 1767225600, nbf: 1704067200, iat: 1704067200, cti: 'h0102030405060708',
      sub: 'h' + '5a'.repeat(16), kind: 0, dose: 2, series: 2, date: 19700, product: 'EU/1/20/1528',
    });
    assert.ok(nacl.sign.detached.verify(sigStructureOf(q.cose), q.cose.signature, kp.publicKey));
    assert.deepEqual(plainClaims(decodeQg1Bytes(bytes).claims), plainClaims(q.claims));
    assert.deepEqual(plainClaims(decodeQg1Claims(q.cose.payload)), plainClaims(q.claims));
  });

  it('each kind with only the required fields', () => {
    for (const kind of [0, 1, 2, 3]) {
      const c: ClaimSpec = { exp: 10, iat: 5, cti: new Uint8Array([1]), sub: new Uint8Array([2]), kind, date: 0 };
      if (kind === 0) { c.dose = 1; c.series = 2; }
      const q = decodeQg1(base45Encode(message(c)));
      const want: any = { exp: 10, iat: 5, cti: 'h01', sub: 'h02', kind, date: 0 };
      if (kind === 0) { want.dose = 1; want.series = 2; }
      assert.deepEqual(plainClaims(q.claims), want);
      assert.equal('iss' in q.claims || 'nbf' in q.claims || 'product' in q.claims, false);
    }
  });

  it('text fields are byte strings of UTF-8, limits in bytes', () => {
    const q = decodeQg1Bytes(message({ ...DEFAULT_CLAIMS, iss: 'Dinkes \u00e9\u20ac', product: '\u00e9'.repeat(16) }));
    assert.equal(q.claims.iss, Buffer.from('Dinkes \u00e9\u20ac', 'utf8').toString('latin1'));
    assert.equal(q.claims.product!.length, 32);
    assert.match(refusal(() => decodeQg1Bytes(message({ ...DEFAULT_CLAIMS, product: '\u00e9'.repeat(16) + 'x' }))), /product too long/);
    assert.equal(decodeQg1Bytes(message({ ...DEFAULT_CLAIMS, iss: 'i'.repeat(64) })).claims.iss!.length, 64);
    assert.match(refusal(() => decodeQg1Bytes(message({ ...DEFAULT_CLAIMS, iss: 'i'.repeat(65) }))), /iss too long/);
    assert.match(refusal(() => decodeQg1Bytes(message({ ...DEFAULT_CLAIMS, iss: '\u20ac'.repeat(22) }))), /iss too long/); // 66 bytes
  });

  it('unknown keys are ignored (but must be valid strict CBOR)', () => {
    const q = decodeQg1Bytes(message(DEFAULT_CLAIMS, [[99, 'x'], ['name', 'Budi'], [-101, new Map([[1, 2]])], [8, Buffer.alloc(3)]],
      [[7, 'x'], [-1, [1, 2]], ['n', 0]]));
    assert.equal(q.claims.kind, 0);
    assert.match(refusal(() => decodeQg1Bytes(message(DEFAULT_CLAIMS, [[99, 1.5]]))), /float/);
    assert.match(refusal(() => decodeQg1Bytes(message(DEFAULT_CLAIMS, [[99, [[[[1]]]]]]))), /too deep/);
    assert.match(refusal(() => decodeQg1Bytes(message(DEFAULT_CLAIMS, [], [[9, new Map([[1, [[1]]]])]]))), /too deep/);
  });

  const D = DEFAULT_CLAIMS;
  const b = (n: number) => new Uint8Array(n).fill(3);
  // The refusal cases need no real signature.
  const bad: [string, () => Uint8Array, RegExp][] = [
    ['exp missing', () => unsigned({ ...D, exp: undefined }), /exp missing/],
    ['exp negative', () => unsigned({ ...D, exp: -1 }), /exp is not unsigned/],
    ['exp as text', () => unsigned(D, [[4, '1767225600']]), /exp is not unsigned/],
    ['nbf negative', () => unsigned({ ...D, nbf: -5 }), /nbf is not unsigned/],
    ['iat missing', () => unsigned({ ...D, iat: undefined }), /iat missing/],
    ['iat as bytes', () => unsigned(D, [[6, Buffer.alloc(4)]]), /iat is not unsigned/],
    ['cti missing', () => unsigned({ ...D, cti: undefined }), /cti missing/],
    ['cti empty', () => unsigned({ ...D, cti: b(0) }), /cti length/],
    ['cti 17 bytes', () => unsigned({ ...D, cti: b(17) }), /cti length/],
    ['cti as text', () => unsigned(D, [[7, 'abc']]), /cti is not bytes/],
    ['iss as bytes', () => unsigned(D, [[1, Buffer.from('x')]]), /iss is not text/],
    ['hc missing', () => cbor(new Map<any, any>([[4, 1], [6, 1], [7, Buffer.alloc(1)]])), /hc missing/],
    ['hc as array', () => unsigned(D, [[-100, [1]]]), /hc is not a map/],
    ['sub missing', () => unsigned({ ...D, sub: undefined }), /sub missing/],
    ['sub empty', () => unsigned({ ...D, sub: b(0) }), /sub length/],
    ['sub 33 bytes', () => unsigned({ ...D, sub: b(33) }), /sub length/],
    ['kind missing', () => unsigned({ ...D, kind: undefined }), /kind missing/],
    ['kind -1', () => unsigned({ ...D, kind: -1 }), /kind is not unsigned/],
    ['dose missing for kind 0', () => unsigned({ ...D, dose: undefined }), /dose missing/],
    ['series missing for kind 0', () => unsigned({ ...D, series: undefined }), /series missing/],
    ['dose as text for kind 1', () => unsigned({ ...D, kind: 1, series: undefined }, [], [[3, '2']]), /dose is not unsigned/],
    ['date missing', () => unsigned({ ...D, date: undefined }), /date missing/],
    ['date negative', () => unsigned({ ...D, date: -1 }), /date is not unsigned/],
    ['product as bytes', () => unsigned(D, [], [[6, Buffer.from('x')]]), /product is not text/],
    ['payload not a map', () => sign1({ secretKey: kp.secretKey, payload: cbor([1, 2]) }), /payload is not a map/],
    ['payload with trailing bytes', () => sign1({ secretKey: kp.secretKey, payload: new Uint8Array([...cbor(claimsMap(D)), 0]) }), /trailing/],
    ['duplicate claim key', () => {
      const p = cbor(claimsMap(D));
      // Rewrite the map head to one more pair and append a second exp (key 4).
      const q = new Uint8Array([p[0] + 1, ...p.subarray(1), 0x04, 0x01]);
      return sign1({ secretKey: kp.secretKey, payload: q });
    }, /duplicate key/],
  ];
  for (const [name, make, why] of bad) {
    it(`refuses: ${name}`, () => {
      const m = make();
      // 'hc missing' is a bare payload; the others are whole messages.
      const fn = name === 'hc missing' ? () => decodeQg1Claims(m) : () => decodeQg1(base45Encode(m));
      assert.match(refusal(fn), why);
    });
  }

  it('kinds 1..3 (and unknown kinds, which the policy refuses) need no dose/series', () => {
    for (const kind of [1, 2, 3, 4, 200]) {
      assert.equal(decodeQg1Bytes(message({ ...D, kind, dose: undefined, series: undefined })).claims.kind, kind);
    }
  });

  it('text: bad base45, oversize and a prefixed text are refused', () => {
    const text = base45Encode(message());
    assert.match(refusal(() => decodeQg1(text.toLowerCase())), /base45/);
    assert.match(refusal(() => decodeQg1(text + '0')), /base45/);
    assert.equal(QG1_MAX_TEXT, 768);
    assert.match(refusal(() => decodeQg1('0'.repeat(771))), /message too large/);
    assert.match(refusal(() => decodeQg1(QG1_PREFIX + text)), /./);
    assert.match(refusal(() => decodeQg1('')), /cbor: truncated/);
  });
});

describe('proto/qg1 property tests', () => {
  const base = message();
  const baseClaims = plainClaims(decodeQg1Bytes(base).claims);

  it('property: mutated messages throw only plain Errors, fast; an accepted mutant that still verifies has the original claims', () => {
    const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 4 });
    let accepted = 0;
    fc.assert(fc.property(mutation, (muts) => {
      const raw = Array.from(base);
      for (const [pos, byte, kind] of muts) {
        const p = pos % (raw.length + 1);
        if (kind === 0 && p < raw.length) raw[p] = byte;
        else if (kind === 1) raw.splice(p, 0, byte);
        else raw.splice(p, 1);
      }
      const bytes = new Uint8Array(raw);
      const t0 = Date.now();
      let q;
      try {
        q = decodeQg1(base45Encode(bytes));
      } catch (e: any) {
        assert.equal(e.constructor, Error, `not a plain Error: ${e && e.stack}`);
        return;
      } finally {
        assert.ok(Date.now() - t0 < 1000, 'hang detector');
      }
      accepted++;
      if (nacl.sign.detached.verify(sigStructureOf(q.cose), q.cose.signature, kp.publicKey)) {
        assert.deepEqual(plainClaims(q.claims), baseClaims);
      }
    }), { numRuns: RUNS * 2 });
    // Mutations inside the signature or the unprotected map leave a well-formed message.
    assert.ok(accepted > 0, 'some mutants were accepted');
  });

  it('property: random base45 text and random bytes throw only plain Errors', () => {
    const alpha = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'.split('');
    fc.assert(fc.property(fc.oneof(fc.array(fc.constantFrom(...alpha), { maxLength: 800 }).map((a) => a.join('')),
      fc.uint8Array({ maxLength: 520 }).map((u) => base45Encode(u))), (text) => {
      try {
        decodeQg1(text);
      } catch (e: any) {
        assert.equal(e.constructor, Error, `not a plain Error: ${e && e.stack}`);
      }
    }), { numRuns: RUNS * 3 });
  });

  it('property: random valid claims round-trip through cbor-x encoding', () => {
    const bytesN = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
    const u = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    fc.assert(fc.property(fc.record({
      iss: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), exp: u, nbf: fc.option(u, { nil: undefined }), iat: u,
      cti: bytesN(1, 16), sub: bytesN(1, 32), kind: fc.integer({ min: 0, max: 3 }), dose: u, series: u, date: u,
      product: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    }), (c) => {
      const q = decodeQg1(base45Encode(unsigned(c)));
      const want = plainClaims(c as any);
      for (const k of ['iss', 'product']) if (want[k] !== undefined) want[k] = Buffer.from(want[k], 'utf8').toString('latin1');
      assert.deepEqual(plainClaims(q.claims), want);
    }), { numRuns: RUNS });
  });
});
