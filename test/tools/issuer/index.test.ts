// tools/issuer/: the host encoder, checked field by field against spec/qg1.md with cbor-x and
// tweetnacl, and against published vectors (RFC 9285 base45, COSE WG EdDSA example).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { Decoder, Tag } from 'cbor-x';
import * as nacl from 'tweetnacl';
import { makeJwk } from '../../../tools/keys';
import {
  Claims, assembleSign1, base45Decode, base45Encode, checkCborValue, cborProblem, claimsMap, dayNumber, dayToIso, decodeCbor,
  decodeClaims, decodeSign1, decodeTrustBundle, encodeCbor, encodeCertificate, encodeProtected, encodeTrustBundle, qg1FromText,
  qg1Text, revocationList, revocationPrefix, sigStructure, sign1, verifySign1,
} from '../../../tools/issuer';
import { hex, readSharedJson, toHex } from '../../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 200;
const cborx = new Decoder({ mapsAsObjects: false } as any);
const cborxDecode = (b: Buffer): any => cborx.decode(b);
const issuer = makeJwk(hex('11'.repeat(32)), 'issuer-1');
const root = makeJwk(hex('22'.repeat(32)), 'root-1');
const pubOf = (j: any): Uint8Array => new Uint8Array(Buffer.from(j.x, 'base64url'));

function claims(over: Partial<Claims> = {}): Claims {
  return {
    iss: 'Test', exp: 1690000000, iat: 1627862400, cti: hex('0102030405060708090a0b0c0d0e0f10'),
    ...over,
    hc: { sub: hex('aa'.repeat(16)), kind: 0, dose: 2, series: 2, date: 18840, ...(over.hc || {}) },
  };
}

describe('tools/issuer: base45', () => {
  const v = readSharedJson('vectors/base45-rfc9285/base45_vectors.json');
  it('encodes and decodes the published valid vectors', () => {
    assert.ok(v.valid.length >= 10);
    for (const c of v.valid) {
      assert.equal(base45Encode(hex(c.decoded_hex)), c.encoded, `vector ${c.id}`);
      assert.equal(toHex(base45Decode(c.encoded)), c.decoded_hex, `vector ${c.id}`);
    }
  });
  it('rejects the published invalid vectors', () => {
    assert.ok(v.invalid.length >= 5);
    for (const c of v.invalid) assert.throws(() => base45Decode(c.encoded), /base45/, `vector ${c.id}: ${c.reason}`);
  });
  it('round-trips any bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      const s = base45Encode(b);
      assert.ok(/^[0-9A-Z $%*+\-./:]*$/.test(s));
      assert.equal(s.length, Math.floor(b.length / 2) * 3 + (b.length % 2) * 2);
      assert.deepEqual(base45Decode(s), b);
    }), { numRuns: RUNS });
  });
  it('qg1Text prefixes QG1:', () => {
    assert.equal(qg1Text(new Uint8Array([0x41, 0x42])), 'QG1:BB8');
    assert.deepEqual(qg1FromText('QG1:BB8'), new Uint8Array([0x41, 0x42]));
    assert.throws(() => qg1FromText('HC1:BB8'), /QG1/);
  });
});

describe('tools/issuer: CBOR', () => {
  it('writes integers as CBOR integers (never floats), byte strings untagged, maps in key order', () => {
    assert.equal(toHex(encodeCbor(0)), '00');
    assert.equal(toHex(encodeCbor(23)), '17');
    assert.equal(toHex(encodeCbor(24)), '1818');
    assert.equal(toHex(encodeCbor(-8)), '27');
    assert.equal(toHex(encodeCbor(-100)), '3863');
    assert.equal(toHex(encodeCbor(65536)), '1a00010000');
    assert.equal(toHex(encodeCbor(0xffffffff)), '1affffffff');
    assert.equal(toHex(encodeCbor(1632729600)), '1a61517a00');
    assert.equal(toHex(encodeCbor(new Uint8Array([1, 2]))), '420102');
    assert.equal(toHex(encodeCbor(new Uint8Array(300))).slice(0, 6), '59012c');
    assert.equal(toHex(encodeCbor('a'.repeat(24))).slice(0, 4), '7818');
    assert.equal(toHex(encodeCbor(new Map<any, any>([[-100, 1], [4, 2], [1, 3], ['x', 4]]))), 'a40103040238630161780' + '4');
    assert.throws(() => encodeCbor(1.5), /not an integer/);
    assert.throws(() => encodeCbor(0x100000000), /outside/);
    assert.throws(() => encodeCbor(null as any), /cannot encode null/);
    assert.throws(() => checkCborValue({ a: 1 }), /cannot encode object/);
  });

  it('encodeCbor output is strictly well-formed and deterministic (property)', () => {
    const leaf = fc.oneof(fc.integer({ min: -0xffffffff, max: 0xffffffff }), fc.string({ maxLength: 30 }), fc.uint8Array({ maxLength: 40 }), fc.boolean());
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }),
        fc.uniqueArray(fc.tuple(fc.integer({ min: -300, max: 300 }), tie('v')), { selector: (t) => t[0], maxLength: 4 }).map((e) => new Map(e))),
    })).v;
    fc.assert(fc.property(value, (x) => {
      const b = encodeCbor(x as any);
      assert.equal(cborProblem(b), null);
      // cbor-x reads back the same value, and re-encoding gives the same bytes
      assert.deepEqual(toHex(encodeCbor(decodeCbor(b))), toHex(b));
    }), { numRuns: RUNS });
  });

  it('cborProblem names each malformation of spec/qg1.md section 1', () => {
    const cases: [string, RegExp][] = [
      ['0100', /trailing bytes/],
      ['bf0102ff', /indefinite length/],
      ['5f4101ff', /indefinite length/],
      ['a201020103', /duplicate map key/],
      ['fb3ff8000000000000', /floating-point/],
      ['f93c00', /floating-point/],
      ['c11a00000001', /tag 1/],
      ['d2d2820102', /tag 18/],
      ['8181818181818100', /nesting deeper than 4/],
      ['1817', /non-shortest/],
      ['43010203ff', /trailing/],
      ['4401', /truncated/],
      ['f0', /simple value/],
    ];
    for (const [h, re] of cases) {
      const p = cborProblem(hex(h), { allowTopTag18: true, maxDepth: 4 });
      assert.ok(p && re.test(p), `${h}: ${p}`);
    }
    assert.equal(cborProblem(hex('d2820102'), { allowTopTag18: true }), null);
    assert.match(cborProblem(hex('d2820102')) as string, /tag 18/);
    assert.equal(cborProblem(hex('81818181' + '00'), { maxDepth: 4 }), null);
    assert.equal(cborProblem(hex('83f4f5f6')), null);
  });
});

describe('tools/issuer: COSE_Sign1', () => {
  it('reproduces the COSE WG EdDSA sign1 example byte for byte', () => {
    const ex = readSharedJson('vectors/cose-wg-examples/eddsa-examples/eddsa-sig-01.json');
    const key = ex.input.sign0.key;
    const jwk = makeJwk(hex(key.d_hex), key.kid);
    assert.equal(toHex(pubOf(jwk)), key.x_hex);
    const prot = hex('a201270300'); // {1: -8, 3: 0} as the example has it
    const payload = new Uint8Array(Buffer.from(ex.input.plaintext, 'utf8'));
    assert.equal(toHex(sigStructure(prot, payload)).toUpperCase(), ex.intermediates.ToBeSign_hex);
    const msg = sign1(prot, payload, jwk, { unprotected: new Map([[4, new Uint8Array(Buffer.from(key.kid))]]) });
    assert.equal(toHex(msg).toUpperCase(), ex.output.cbor);
  });

  it('Sig_structure is ["Signature1", protected, h\'\', payload] with definite, shortest heads', () => {
    const p = hex('a2012704' + '43616263');
    const pl = new Uint8Array(300).fill(7);
    const want = '84' + '6a' + Buffer.from('Signature1').toString('hex') + '48' + toHex(p) + '40' + '59012c' + toHex(pl);
    assert.equal(toHex(sigStructure(p, pl)), want);
  });

  it('a certificate decodes field by field as the spec says', () => {
    const c = claims({ nbf: 1627862401, hc: { sub: hex('aa'.repeat(16)), kind: 0, dose: 3, series: 2, date: 18840, product: 'P' } as any });
    const bytes = encodeCertificate(c, issuer);
    assert.equal(cborProblem(bytes, { allowTopTag18: true, maxDepth: 4 }), null);
    const top = cborxDecode(Buffer.from(bytes));
    assert.ok(top instanceof Tag && top.tag === 18, 'tag 18 by default');
    const [prot, unprot, payload, sig] = top.value;
    // protected: exactly {1: -8, 4: h'issuer-1'}
    assert.equal(toHex(prot), 'a2' + '0127' + '0448' + Buffer.from('issuer-1').toString('hex'));
    assert.ok(unprot instanceof Map && unprot.size === 0);
    assert.equal(sig.length, 64);
    assert.ok(nacl.sign.detached.verify(sigStructure(prot, payload), sig, pubOf(issuer)));
    // payload: canonical claims map with integer keys
    assert.equal(cborProblem(payload), null);
    const m = decodeCbor(payload);
    assert.deepEqual(Array.from(m.keys()), [1, 4, 5, 6, 7, -100]);
    assert.equal(m.get(1), 'Test');
    assert.equal(m.get(4), 1690000000);
    assert.equal(m.get(5), 1627862401);
    assert.equal(m.get(6), 1627862400);
    assert.equal(toHex(m.get(7)), '0102030405060708090a0b0c0d0e0f10');
    const hc = m.get(-100);
    assert.deepEqual(Array.from(hc.keys()), [1, 2, 3, 4, 5, 6]);
    assert.equal(toHex(hc.get(1)), 'aa'.repeat(16));
    assert.deepEqual([hc.get(2), hc.get(3), hc.get(4), hc.get(5), hc.get(6)], [0, 3, 2, 18840, 'P']);
    // the raw payload shows CBOR integer heads for the times (0x1a), no float heads
    const ph = toHex(payload);
    assert.ok(ph.includes('041a' + (1690000000).toString(16).padStart(8, '0')));
    assert.ok(ph.includes('061a' + (1627862400).toString(16).padStart(8, '0')));
    // and the host decoders agree
    const d = decodeSign1(bytes);
    assert.ok(d.tagged && verifySign1(d, pubOf(issuer)));
    assert.deepEqual(decodeClaims(d.payload), c);
    assert.deepEqual(qg1FromText(qg1Text(bytes)), bytes);
  });

  it('untagged on request; kid given explicitly; optional claims left out', () => {
    const c = claims({ iss: undefined, hc: { sub: hex('01'), kind: 1, date: 18900, dose: undefined, series: undefined } as any });
    const bytes = encodeCertificate(c, issuer, hex('00ff'), { tag: false });
    assert.equal(bytes[0], 0x84);
    const d = decodeSign1(bytes);
    assert.equal(toHex(d.kid), '00ff');
    assert.ok(!d.tagged);
    assert.deepEqual(Array.from(decodeCbor(d.payload).keys()), [4, 6, 7, -100]);
    assert.deepEqual(Array.from(decodeCbor(d.payload).get(-100).keys()), [1, 2, 5]);
  });

  it('refuses claims outside the limits of section 2', () => {
    const bad: [Partial<Claims>, RegExp][] = [
      [{ cti: new Uint8Array(17) }, /cti is 17 bytes/],
      [{ cti: new Uint8Array(0) }, /cti is 0 bytes/],
      [{ hc: { sub: new Uint8Array(33) } as any }, /sub is 33 bytes/],
      [{ iss: 'é'.repeat(33) }, /iss is 66 bytes/],
      [{ exp: 1.5 }, /exp must be an unsigned integer/],
      [{ iat: -1 }, /iat must be an unsigned integer/],
      [{ exp: 2 ** 32 }, /exp must be an unsigned integer below 2\^32/],
      [{ hc: { dose: undefined } as any }, /dose must be/],
      [{ hc: { product: 'x'.repeat(33) } as any }, /product is 33 bytes/],
    ];
    for (const [over, re] of bad) assert.throws(() => encodeCertificate(claims(over), issuer), re, JSON.stringify(over));
    assert.throws(() => encodeCertificate(claims(), issuer, new Uint8Array(17)), /kid is 17 bytes/);
    assert.throws(() => encodeCertificate(claims(), makeJwk(undefined, 'k'.repeat(17))), /1\.\.16/);
    assert.throws(() => encodeCertificate(claims(), { ...issuer, d: undefined }), /public/);
  });

  it('the largest certificate the limits allow stays well under 512 bytes', () => {
    const c = claims({ iss: 'x'.repeat(64), nbf: 0xffffffff, exp: 0xffffffff, iat: 0xffffffff, cti: new Uint8Array(16),
      hc: { sub: new Uint8Array(32), kind: 0, dose: 255, series: 255, date: 0xffffffff, product: 'y'.repeat(32) } });
    const bytes = encodeCertificate(c, makeJwk(hex('33'.repeat(32)), 'k'.repeat(16)));
    assert.ok(bytes.length < 512, `${bytes.length}`);
    assert.deepEqual(decodeClaims(decodeSign1(bytes).payload), c);
  });
});

describe('tools/issuer: trust bundles', () => {
  const kid1 = new Uint8Array(Buffer.from('issuer-1'));
  it('revocation prefixes are SHA-256(kid, 0x00, cti)[0..8], sorted and concatenated', () => {
    const cti = hex('0102');
    const want = crypto.createHash('sha256').update(Buffer.concat([Buffer.from('issuer-1'), Buffer.from([0]), Buffer.from(cti)])).digest().subarray(0, 8);
    assert.equal(toHex(revocationPrefix(kid1, cti)), want.toString('hex'));
    assert.equal(toHex(revocationPrefix('issuer-1', cti)), want.toString('hex'));
    // DIVOC: kid and cti are UTF-8 texts
    const dv = crypto.createHash('sha256').update('did:indonesia\u0000100000001').digest().subarray(0, 8).toString('hex');
    assert.equal(toHex(revocationPrefix('did:indonesia', '100000001')), dv);
    const ps = [hex('ff00000000000000'), hex('0000000000000001'), hex('7f00000000000000'), hex('0000000000000001')];
    assert.equal(toHex(revocationList(ps)), '0000000000000001' + '7f00000000000000' + 'ff00000000000000');
    assert.throws(() => revocationList([hex('00')]), /8/);
  });

  it('a bundle decodes field by field as section 3 says', () => {
    const divocKey = hex('c561fa9f643fe5c60113cce9db282fde2b9e5ca5fc6b6fc0d1679bb339c9f72f');
    const r1 = revocationPrefix(kid1, hex('aa'));
    const r2 = revocationPrefix('did:indonesia', '100000001');
    const bytes = encodeTrustBundle({
      version: 7, iat: 1630454400, maxAge: 86400,
      keys: [
        { kid: kid1, key: pubOf(issuer) },
        { kid: 'did:indonesia', key: divocKey, format: 'divoc' },
        { kid: 'old', key: pubOf(root), nbf: 1, exp: 2, format: 'qg1' },
      ],
      revoked: [r2, r1],
    }, root);
    const top = cborxDecode(Buffer.from(bytes));
    assert.ok(top instanceof Tag && top.tag === 18);
    const [prot, , payload, sig] = top.value;
    assert.equal(toHex(prot), toHex(encodeProtected(new Uint8Array(Buffer.from('root-1')))));
    assert.ok(nacl.sign.detached.verify(sigStructure(prot, payload), sig, pubOf(root)));
    assert.equal(cborProblem(payload, { maxDepth: 4 }), null);
    const m = decodeCbor(payload);
    assert.deepEqual(Array.from(m.keys()), [1, 2, 3, 4, 5]);
    assert.equal(m.get(1), 7);
    assert.equal(m.get(2), 1630454400);
    assert.equal(m.get(5), 86400);
    const sorted = [toHex(r1), toHex(r2)].sort().join('');
    assert.equal(toHex(m.get(4)), sorted);
    const keys = m.get(3);
    assert.equal(keys.length, 3);
    assert.deepEqual(Array.from(keys[0].keys()), [1, 2, 3]); // format left out: qg1 by default
    assert.equal(toHex(keys[0].get(1)), toHex(kid1));
    assert.equal(keys[0].get(2), -8);
    assert.equal(toHex(keys[0].get(3)), toHex(pubOf(issuer)));
    assert.equal(keys[1].get(1), 'did:indonesia'); // text for DIVOC
    assert.equal(keys[1].get(6), 'divoc');
    assert.ok(keys[2].get(1) instanceof Uint8Array);
    assert.deepEqual([keys[2].get(4), keys[2].get(5), keys[2].get(6)], [1, 2, 'qg1']);
    const d = decodeTrustBundle(bytes);
    assert.ok(verifySign1(d.sign1, pubOf(root)));
    assert.ok(!verifySign1(d.sign1, pubOf(issuer)));
    assert.equal(d.keys[1].format, 'divoc');
    assert.equal(d.revoked.length, 2);
  });

  it('refuses bad bundles', () => {
    const k = { kid: kid1, key: pubOf(issuer) };
    assert.throws(() => encodeTrustBundle({ version: 1, iat: 1, keys: new Array(65).fill(k) }, root), /at most 64/);
    assert.throws(() => encodeTrustBundle({ version: 1, iat: 1, keys: [{ ...k, key: new Uint8Array(31) }] }, root), /key is 31 bytes/);
    assert.throws(() => encodeTrustBundle({ version: 1, iat: 1, keys: [{ ...k, kid: new Uint8Array(17) }] }, root), /kid is 17 bytes/);
    assert.throws(() => encodeTrustBundle({ version: 1, iat: 1, keys: [{ ...k, format: 'x' as any }] }, root), /format/);
    assert.throws(() => encodeTrustBundle({ version: -1, iat: 1, keys: [] }, root), /version/);
    assert.throws(() => encodeTrustBundle({ version: 1, iat: 1, keys: [], revoked: new Uint8Array(9) }, root), /multiple of 8/);
  });

  it('dayNumber counts days since 1970-01-01 UTC', () => {
    assert.equal(dayNumber('1970-01-01'), 0);
    assert.equal(dayNumber('2021-08-01'), 18840);
    assert.equal(dayToIso(18840), '2021-08-01');
    assert.throws(() => dayNumber('2021-02-30'), /calendar/);
    assert.throws(() => dayNumber('2021-8-1'), /YYYY-MM-DD/);
  });

  it('assembleSign1 keeps a given (tampered) signature', () => {
    const p = encodeProtected(kid1);
    const pl = encodeCbor(claimsMap(claims()));
    const msg = assembleSign1(p, pl, new Uint8Array(64));
    const d = decodeSign1(msg);
    assert.ok(!verifySign1(d, pubOf(issuer)));
  });
});
