// proto/qg1.ts on QG1 messages built independently (cbor-x + tweetnacl, see qg1-fixtures.ts):
// the claim table of spec/qg1.md section 2 field by field, and property tests on mutated messages.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { sigStructureOf } from '../../proto/cose';
import { decodeQg1, decodeQg1Bytes, decodeQg1Claims, hasQg1Prefix, QG1_PREFIX, QG1_MAX_TEXT, QG1_MAX_ITEMS, QG1_MAX_CLAIM_ITEMS, Qg1Claims } from '../../proto/qg1';
import { base45Encode } from '../../proto/base45';
import { cbor, keyPair, sign1, claimsMap, DEFAULT_CLAIMS, ClaimSpec } from './qg1-fixtures';
import { toHex } from '../util/shared';
import { Decoder } from 'cbor-x';

const cborxDecode = (b: Uint8Array) => new Decoder({ mapsAsObjects: false, useRecords: false }).decode(b);
import { refusal } from '../util/refusal';

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

const plainClaims = (c: Qg1Claims) => JSON.parse(JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? 'h' + toHex(v) : v)));

describe('proto/qg1: claims (spec/qg1.md section 2)', () => {
  it(`refuses more than QG1_MAX_CLAIM_ITEMS (${QG1_MAX_CLAIM_ITEMS}) CBOR items in the payload, QG1_MAX_ITEMS (${QG1_MAX_ITEMS}) around it, and takes up to that many`, () => {
    // unknown claims are ignored (spec/qg1.md section 2): up to the item limit
    const items = (m: Uint8Array) => { let n = 0; (function walk(v: any): void { n++; if (v instanceof Map) v.forEach((x: any, k: any) => { walk(k); walk(x); }); else if (Array.isArray(v)) v.forEach(walk); })(cborxDecode(m)); return n; };
    const base = items(cbor(claimsMap(DEFAULT_CLAIMS)));
    const pairs = (n: number): [any, any][] => Array.from({ length: n }, (_, i) => [1000 + i, 0] as [any, any]);
    const fit = Math.floor((QG1_MAX_CLAIM_ITEMS - base) / 2);
    assert.equal(items(cbor(claimsMap(DEFAULT_CLAIMS, pairs(fit)))), base + 2 * fit);
    assert.doesNotThrow(() => decodeQg1Bytes(unsigned(DEFAULT_CLAIMS, pairs(fit))));
    assert.throws(() => decodeQg1Bytes(unsigned(DEFAULT_CLAIMS, pairs(fit + 1))), /too many items/);
    // around the payload: an unprotected header of many entries (its contents are ignored)
    const um = (n: number) => sign1({ secretKey: kp.secretKey, kid: KID, payload: cbor(claimsMap(DEFAULT_CLAIMS)), signature: new Uint8Array(64).fill(1),
      unprotected: new Map(Array.from({ length: n }, (_, i) => [100 + i, 0] as [number, number])) });
    // (the array, its four items, then the header's keys and values)
    const room = Math.floor((QG1_MAX_ITEMS - 5) / 2);
    assert.doesNotThrow(() => decodeQg1Bytes(um(room)));
    assert.throws(() => decodeQg1Bytes(um(room + 1)), /too many items/);
    // an array of 509 items where the COSE_Sign1 should be: refused at the limit, not decoded whole
    const b = new Uint8Array(512);
    b[0] = 0x99; b[1] = 509 >> 8; b[2] = 509 & 255;
    assert.throws(() => decodeQg1Bytes(b), /too many items/);
    // the text read from its prefix on, as the gate reads it, is the same certificate
    const t = QG1_PREFIX + base45Encode(message());
    assert.deepEqual(plainClaims(decodeQg1(t, QG1_PREFIX.length).claims), plainClaims(decodeQg1(t.slice(QG1_PREFIX.length)).claims));
    assert.throws(() => decodeQg1('QG1:' + '0'.repeat(QG1_MAX_TEXT + 1), 4), /too large/);
    assert.doesNotThrow(() => decodeQg1(t + '', 4));
  });

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
