// proto/trustbundle/: the trust bundle of spec/qg1.md section 3, built independently with cbor-x and
// tweetnacl; key lookup, revocation prefixes and the binary search.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import {
  decodeTrustBundle, decodeTrustPayload, findKey, findKeys, trustKeyAt, trustKeys, isRevoked, revocationPrefix, TRUST_BUNDLE_MAX_BYTES, TRUST_MAX_KEYS,
} from '../../../proto/trustbundle';
import { sigStructureOf } from '../../../proto/cose';
import { sha256 as deviceSha256 } from '../../../firmware/crypto/sha256';
import { cbor, keyPair, sign1 } from '../qg1-fixtures';
import { toHex } from '../../util/shared';
import { refusal } from '../../util/refusal';

const RUNS = Number(process.env.FUZZ_RUNS) || 200;
const root = keyPair(1);
const nodeSha256 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const pubCache: { [n: number]: Buffer } = {};
const pub = (n: number) => (pubCache[n] = pubCache[n] || Buffer.from(keyPair(n).publicKey));

function entry(kid: any, alg: any, key: any, more: [any, any][] = []): Map<any, any> {
  const m = new Map<any, any>();
  if (kid !== undefined) m.set(1, kid);
  if (alg !== undefined) m.set(2, alg);
  if (key !== undefined) m.set(3, key);
  for (const [k, v] of more) m.set(k, v);
  return m;
}

function payloadMap(keys: any, more: [any, any][] = [], base: [any, any][] = [[1, 7], [2, 1704067200]]): Map<any, any> {
  const m = new Map<any, any>(base);
  if (keys !== undefined) m.set(3, keys);
  for (const [k, v] of more) m.set(k, v);
  return m;
}

function bundle(payload: Map<any, any>, sign = true): Uint8Array {
  const p = cbor(payload);
  return sign1({ secretKey: root.secretKey, kid: Buffer.from('root-1'), payload: p, signature: sign ? undefined : new Uint8Array(64) });
}

function sortedPrefixes(list: Uint8Array[]): Uint8Array {
  const s = list.map((b) => Buffer.from(b)).sort(Buffer.compare);
  return new Uint8Array(Buffer.concat(s));
}

const qkid = Buffer.from([0xa1, 0xb2, 0xc3, 0xd4]);
const ctiRevoked = new Uint8Array([9, 9, 9]);

describe('proto/trustbundle: decodeTrustBundle', () => {
  const revokedList = [revocationPrefix(qkid, ctiRevoked, nodeSha256), new Uint8Array(8).fill(0x10), new Uint8Array(8).fill(0xee)];
  const keys = [
    entry(qkid, -8, pub(2), [[4, 1700000000], [5, 1800000000]]),
    entry('did:indonesia', -8, pub(3), [[6, 'divoc']]),
    entry(Buffer.from([1]), -7, Buffer.alloc(65, 4), [[6, 'qg1']]), // ES256: skipped
    entry(qkid, -8, pub(4), [[6, 'qg1'], [4, 1800000000]]), // same kid, later window
    entry(Buffer.from('did:indonesia'), -8, pub(5), [[99, 'ignored']]), // the same bytes as a qg1 bytes kid
  ];
  const bytes = bundle(payloadMap(keys, [[4, Buffer.from(sortedPrefixes(revokedList))], [5, 86400 * 7]]));

  it('decodes every field; byte fields are views of the input; the root signature verifies over sigStructureOf', () => {
    const b = decodeTrustBundle(bytes);
    assert.equal(b.version, 7);
    assert.equal(b.iat, 1704067200);
    assert.equal(b.maxAge, 604800);
    assert.equal(b.skipped, 1);
    assert.equal(b.keyCount, 4);
    assert.deepEqual(trustKeys(b).map((k) => [toHex(k.kid), k.kidIsText, k.alg, toHex(k.key), k.nbf, k.exp, k.format]), [
      [toHex(qkid), false, -8, toHex(pub(2)), 1700000000, 1800000000, 'qg1'],
      [Buffer.from('did:indonesia').toString('hex'), true, -8, toHex(pub(3)), undefined, undefined, 'divoc'],
      [toHex(qkid), false, -8, toHex(pub(4)), 1800000000, undefined, 'qg1'],
      [Buffer.from('did:indonesia').toString('hex'), false, -8, toHex(pub(5)), undefined, undefined, 'qg1'],
    ]);
    assert.equal(trustKeyAt(b, 0).key.buffer, bytes.buffer);
    assert.equal(trustKeyAt(b, 3).kid.buffer, bytes.buffer);
    assert.throws(() => trustKeyAt(b, 4), /no key 4/);
    assert.equal(b.revoked!.length, 24);
    assert.equal(toHex(b.cose.kid), Buffer.from('root-1').toString('hex'));
    assert.ok(nacl.sign.detached.verify(sigStructureOf(b.cose), b.cose.signature, root.publicKey));
    // The payload decoder alone gives the same.
    const p = decodeTrustPayload(b.cose.payload);
    assert.equal(p.version, 7);
    assert.equal(p.keyCount, 4);
    assert.deepEqual(trustKeys(p).map((k) => toHex(k.key)), trustKeys(b).map((k) => toHex(k.key)));
  });

  it('findKey / findKeys match kid bytes and format', () => {
    const b = decodeTrustBundle(bytes);
    assert.equal(toHex(findKey(b, qkid, 'qg1')!.key), toHex(pub(2)));
    assert.deepEqual(findKeys(b, qkid, 'qg1').map((k) => toHex(k.key)), [toHex(pub(2)), toHex(pub(4))]);
    assert.equal(findKey(b, qkid, 'divoc'), null);
    const did = new Uint8Array(Buffer.from('did:indonesia', 'utf8'));
    assert.equal(toHex(findKey(b, did, 'divoc')!.key), toHex(pub(3)));
    assert.equal(toHex(findKey(b, did, 'qg1')!.key), toHex(pub(5)));
    assert.equal(findKey(b, new Uint8Array([1]), 'qg1'), null, 'the skipped ES256 entry is not found');
    assert.equal(findKey(b, qkid.subarray(0, 3), 'qg1'), null);
    assert.equal(findKey(b, new Uint8Array(0), 'qg1'), null);
  });

  it('keys are found in place: keys array first, non-shortest heads, nested unknown values, text and bytes kids', () => {
    const k1 = pub(6);
    const k2 = pub(7);
    const kidA = Buffer.from('kid-a');
    const payload = new Uint8Array(Buffer.concat([
      Buffer.from([0xa3, 0x03, 0x82]), // {3: [..2 entries..], 1: 7, 2: iat}
      Buffer.from([0xa5, 0x18, 0x01, 0x78, 0x05]), kidA, // kid as text, non-shortest heads
      Buffer.from([0x02, 0x27, 0x03, 0x58, 0x20]), k1,
      Buffer.from([0x18, 0x63, 0x82, 0x01, 0x40]), // 99: [1, h'']: an ignored nested value
      Buffer.from([0x06, 0x78, 0x05]), Buffer.from('divoc'),
      Buffer.from([0xa3, 0x01, 0x45]), kidA, Buffer.from([0x02, 0x27, 0x03, 0x58, 0x20]), k2, // bytes kid, qg1
      Buffer.from([0x01, 0x19, 0x00, 0x07, 0x02, 0x1a, 0x65, 0x92, 0x00, 0x80]),
    ]));
    const p = decodeTrustPayload(payload);
    assert.deepEqual([p.version, p.iat, p.keyCount, p.skipped], [7, 0x65920080, 2, 0]);
    const d = findKeys(p, new Uint8Array(kidA), 'divoc');
    assert.deepEqual(d.map((k) => [toHex(k.key), k.kidIsText, k.format]), [[toHex(k1), true, 'divoc']]);
    assert.deepEqual(findKeys(p, new Uint8Array(kidA), 'qg1').map((k) => [toHex(k.key), k.kidIsText]), [[toHex(k2), false]]);
    assert.deepEqual(findKeys(p, new Uint8Array(kidA), 'x'), []);
    assert.deepEqual(trustKeys(p).map((k) => toHex(k.key)), [toHex(k1), toHex(k2)]);
  });

  it('the entry-by-entry scan and the whole-payload decode agree (unusual payloads take the latter)', () => {
    const ents = [E(qkid, -8, pub(2)), E(Buffer.from('x'), -7, Buffer.alloc(65))];
    const plain = decodeTrustPayload(cbor(payloadMap(ents)));
    const textKey = decodeTrustPayload(cbor(payloadMap(ents, [['note', 'a text key: whole-payload path']])));
    for (const p of [plain, textKey]) {
      assert.deepEqual([p.version, p.iat, p.keyCount, p.skipped], [7, 1704067200, 1, 1]);
      assert.deepEqual(trustKeys(p).map((k) => toHex(k.key)), [toHex(pub(2))]);
    }
    // key 3 twice, or a bad entry after a good one: the same errors as a whole-payload decode
    const twice = Buffer.concat([Buffer.from([0xa4]), cbor(1).subarray(0), cbor(7), cbor(2), cbor(1), cbor(3), cbor([]), cbor(3), cbor([])]);
    assert.match(refusal(() => decodeTrustPayload(new Uint8Array(twice))), /duplicate key/);
    assert.match(refusal(() => decodeTrustPayload(cbor(payloadMap([E(), E(qkid, -8, Buffer.alloc(31))])))), /key length/);
    assert.match(refusal(() => decodeTrustPayload(cbor(payloadMap([E(qkid, -8, Buffer.alloc(31))], [], [[2, 1]])))), /version missing/);
  });

  it('property: findKeys gives the entries with that kid and format, in order', () => {
    const ent = fc.record({
      kid: fc.constantFrom('a', 'b', 'did:x'), text: fc.boolean(), alg: fc.constantFrom(-8, -8, -7),
      key: fc.integer({ min: 1, max: 9 }), format: fc.constantFrom(undefined, 'qg1', 'divoc'),
    });
    fc.assert(fc.property(fc.array(ent, { maxLength: 12 }), fc.constantFrom('a', 'b', 'did:x'), fc.constantFrom('qg1', 'divoc'), (list, kid, format) => {
      const entries = list.map((e) => entry(e.text ? e.kid : Buffer.from(e.kid), e.alg, e.alg === -8 ? pub(e.key) : Buffer.alloc(65),
        e.format ? [[6, e.format]] : []));
      const p = decodeTrustPayload(cbor(payloadMap(entries)));
      const want = list.filter((e) => e.alg === -8 && e.kid === kid && (e.format || 'qg1') === format).map((e) => toHex(pub(e.key)));
      assert.deepEqual(findKeys(p, new Uint8Array(Buffer.from(kid)), format).map((k) => toHex(k.key)), want);
      assert.equal(p.keyCount, list.filter((e) => e.alg === -8).length);
    }), { numRuns: Math.min(RUNS, 100) });
  });

  it('revocation: prefix = SHA-256(kid || 00 || cti)[0..8], found by binary search', () => {
    const b = decodeTrustBundle(bytes);
    const pre = revocationPrefix(qkid, ctiRevoked, nodeSha256);
    const want = crypto.createHash('sha256').update(Buffer.concat([qkid, Buffer.from([0]), Buffer.from(ctiRevoked)])).digest().subarray(0, 8);
    assert.equal(toHex(pre), want.toString('hex'));
    assert.equal(toHex(revocationPrefix(qkid, ctiRevoked, deviceSha256)), want.toString('hex'), 'with the device SHA-256');
    assert.equal(pre.length, 8);
    assert.ok(isRevoked(b, pre));
    assert.ok(isRevoked(b, new Uint8Array(8).fill(0x10)));
    assert.ok(isRevoked(b, new Uint8Array(8).fill(0xee)));
    assert.ok(!isRevoked(b, revocationPrefix(qkid, new Uint8Array([9, 9]), nodeSha256)));
    assert.ok(!isRevoked(b, new Uint8Array(8)));
    assert.ok(!isRevoked(b, new Uint8Array(8).fill(0xff)));
    assert.ok(!isRevoked({}, pre));
    assert.ok(!isRevoked({ revoked: new Uint8Array(0) }, pre));
    assert.throws(() => isRevoked(b, pre.subarray(0, 7)), /prefix length/);
  });

  it('property: isRevoked finds exactly the listed prefixes', () => {
    const prefix = fc.uint8Array({ minLength: 8, maxLength: 8 });
    fc.assert(fc.property(fc.uniqueArray(prefix, { maxLength: 40, selector: (u) => toHex(u) }), prefix, (list, probe) => {
      const rev = sortedPrefixes(list);
      const holder = { revoked: rev };
      for (const p of list) assert.ok(isRevoked(holder, p));
      assert.equal(isRevoked(holder, probe), list.some((p) => toHex(p) === toHex(probe)));
      // Neighbours of each entry (last byte +-1) are found only if listed.
      for (const p of list) {
        const q = new Uint8Array(p);
        q[7] ^= 1;
        assert.equal(isRevoked(holder, q), list.some((x) => toHex(x) === toHex(q)));
      }
    }), { numRuns: RUNS });
  });

  it('a bundle above 512 bytes is accepted up to TRUST_BUNDLE_MAX_BYTES; maxBytes option', () => {
    const many = [];
    for (let i = 0; i < TRUST_MAX_KEYS; i++) many.push(entry(Buffer.from([i, i, i, i, i, i, i, i]), -8, pub(2), [[4, 1700000000], [5, 1800000000]]));
    const big = bundle(payloadMap(many), false);
    assert.ok(big.length > 2048 && big.length < TRUST_BUNDLE_MAX_BYTES, String(big.length));
    assert.equal(decodeTrustBundle(big).keyCount, 64);
    assert.match(refusal(() => decodeTrustBundle(big, { maxBytes: 2048 })), /message too large/);
    const huge = bundle(payloadMap(many, [[4, Buffer.alloc(8 * 2100)]]), false); // unsorted zeros, but refused on size first
    assert.ok(huge.length > TRUST_BUNDLE_MAX_BYTES);
    assert.match(refusal(() => decodeTrustBundle(huge)), /message too large/);
  });

  const E = (kid: any = qkid, alg: any = -8, key: any = pub(2), more: [any, any][] = []) => entry(kid, alg, key, more);
  const bad: [string, () => Map<any, any>, RegExp][] = [
    ['version missing', () => payloadMap([E()], [], [[2, 1]]), /version missing/],
    ['version negative', () => payloadMap([E()], [], [[1, -1], [2, 1]]), /version is not unsigned/],
    ['iat missing', () => payloadMap([E()], [], [[1, 1]]), /iat missing/],
    ['iat as text', () => payloadMap([E()], [], [[1, 1], [2, '2024']]), /iat is not unsigned/],
    ['keys missing', () => payloadMap(undefined), /keys missing/],
    ['keys as a map', () => payloadMap(new Map([[1, E()]])), /keys is not an array/],
    ['65 keys', () => payloadMap(Array.from({ length: 65 }, () => E())), /too many keys/],
    ['entry not a map', () => payloadMap([E(), [1, -8]]), /key entry is not a map/],
    ['kid missing', () => payloadMap([entry(undefined, -8, pub(2))]), /kid missing/],
    ['kid an integer', () => payloadMap([E(5)]), /kid type/],
    ['kid empty bytes', () => payloadMap([E(Buffer.alloc(0))]), /kid empty/],
    ['kid empty text', () => payloadMap([E('')]), /kid empty/],
    ['alg missing', () => payloadMap([entry(qkid, undefined, pub(2))]), /alg missing/],
    ['alg as text', () => payloadMap([E(qkid, 'EdDSA')]), /alg is not an integer/],
    ['key missing', () => payloadMap([entry(qkid, -8, undefined)]), /key missing/],
    ['key as text', () => payloadMap([E(qkid, -8, 'x'.repeat(32))]), /key is not bytes/],
    ['key 31 bytes', () => payloadMap([E(qkid, -8, Buffer.alloc(31))]), /key length/],
    ['key 33 bytes', () => payloadMap([E(qkid, -8, Buffer.alloc(33))]), /key length/],
    ['nbf negative', () => payloadMap([E(qkid, -8, pub(2), [[4, -1]])]), /nbf is not unsigned/],
    ['exp as text', () => payloadMap([E(qkid, -8, pub(2), [[5, 'x']])]), /exp is not unsigned/],
    ['unknown format', () => payloadMap([E(qkid, -8, pub(2), [[6, 'x509']])]), /unknown format/],
    ['format in upper case', () => payloadMap([E(qkid, -8, pub(2), [[6, 'QG1']])]), /unknown format/],
    ['format as bytes', () => payloadMap([E(qkid, -8, pub(2), [[6, Buffer.from('qg1')]])]), /unknown format/],
    ['skipped entry without key', () => payloadMap([entry(qkid, -7, undefined)]), /key missing/],
    ['skipped entry with unknown format', () => payloadMap([E(qkid, -7, Buffer.alloc(65), [[6, 'jwt']])]), /unknown format/],
    ['skipped entry with float', () => payloadMap([E(qkid, -7, Buffer.alloc(65), [[9, 0.5]])]), /float/],
    ['revoked length 7', () => payloadMap([E()], [[4, Buffer.alloc(7)]]), /revoked length/],
    ['revoked length 9', () => payloadMap([E()], [[4, Buffer.alloc(9)]]), /revoked length/],
    ['revoked unsorted', () => payloadMap([E()], [[4, Buffer.concat([Buffer.alloc(8, 2), Buffer.alloc(8, 1)])]]), /revoked not sorted/],
    ['revoked duplicate', () => payloadMap([E()], [[4, Buffer.concat([Buffer.alloc(8, 1), Buffer.alloc(8, 1)])]]), /revoked not sorted/],
    ['revoked as an array', () => payloadMap([E()], [[4, [Buffer.alloc(8)]]]), /revoked is not bytes/],
    ['maxAge negative', () => payloadMap([E()], [[5, -3]]), /maxAge is not unsigned/],
    ['payload an array', () => new Map([[0, 0]]), /version missing/],
  ];
  for (const [name, make, why] of bad) {
    it(`refuses: ${name}`, () => {
      assert.match(refusal(() => decodeTrustBundle(bundle(make(), false))), why);
    });
  }

  it('accepts: 64 keys, 0 keys, skipped-only, one revoked prefix, no optional fields', () => {
    assert.equal(decodeTrustBundle(bundle(payloadMap(Array.from({ length: 64 }, () => E())), false)).keyCount, 64);
    assert.equal(decodeTrustBundle(bundle(payloadMap([]), false)).keyCount, 0);
    const s = decodeTrustBundle(bundle(payloadMap([E(qkid, -7, Buffer.alloc(65))]), false));
    assert.deepEqual([s.keyCount, s.skipped], [0, 1]);
    const r = decodeTrustBundle(bundle(payloadMap([E()], [[4, Buffer.alloc(8)]]), false));
    assert.ok(isRevoked(r, new Uint8Array(8)));
    const m = decodeTrustBundle(bundle(payloadMap([E()]), false));
    assert.equal('revoked' in m || 'maxAge' in m, false);
    assert.match(refusal(() => decodeTrustPayload(cbor([1, 2]))), /payload is not a map/);
  });

  it('the COSE envelope rules of section 1 apply (alg -8 and kid in the protected header)', () => {
    const p = cbor(payloadMap([E()]));
    assert.match(refusal(() => decodeTrustBundle(sign1({ secretKey: root.secretKey, protectedBytes: cbor(new Map<any, any>([[1, -7], [4, Buffer.from('r')]])), payload: p }))), /alg is not EdDSA/);
    assert.match(refusal(() => decodeTrustBundle(sign1({ secretKey: root.secretKey, protectedBytes: cbor(new Map([[1, -8]])), payload: p }))), /no kid/);
  });
});
