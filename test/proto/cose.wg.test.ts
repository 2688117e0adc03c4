// The COSE WG examples (data/vectors/cose-wg-examples, cose_index.json): the generic strict
// COSE_Sign1 decoder rebuilds each example's ToBeSign exactly and the device Ed25519 verifier
// (firmware/crypto/ed25519.ts) agrees with the expected pass/fail; the QG1 decoder refuses every
// one of them, each for the reason listed here (none puts a kid in the protected header).
import { strict as assert } from 'assert';
import { Decoder } from 'cbor-x';
import { decodeCoseSign1, decodeCoseSign1Parts, sigStructureOf } from '../../proto/cose';
import { cborGet } from '../../proto/cbor';
import { verify } from '../../firmware/crypto/ed25519';
import { readSharedJson, hex, toHex } from '../util/shared';

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false } as any);

interface Example {
  file: string;
  type: 'COSE_Sign1' | 'COSE_Sign';
  alg: string;
  key: { kty: string; crv?: string; kid: string; x_hex?: string };
  tobesign_hex: string;
  cbor_hex: string;
  expected: 'pass' | 'fail';
  failure_injected: any;
}

// Why decodeCoseSign1 (the QG1 profile) refuses each file.
const QG1_REFUSAL: { [file: string]: RegExp } = {
  'countersign/signed1-01.json': /^cose: no kid in protected header$/, // kid 4 is unprotected
  'countersign/signed1-02.json': /^cbor: too deep$/, // unprotected {7: [[h'', {4: ..}, h''], ...]} nests 5 deep
  'countersign1/signed1-01.json': /^cose: no kid in protected header$/,
  'eddsa-examples/eddsa-01.json': /^cbor: tag$/, // COSE_Sign, tag 98
  'eddsa-examples/eddsa-02.json': /^cbor: tag$/,
  'eddsa-examples/eddsa-sig-01.json': /^cose: no kid in protected header$/, // protected {1: -8, 3: 0}
  'eddsa-examples/eddsa-sig-02.json': /^cose: no kid in protected header$/, // Ed448, protected {1: -8}
  'sign-tests/ecdsa-01.json': /^cbor: tag$/,
  'sign-tests/sign-fail-01.json': /^cbor: tag$/, // tag 998
  'sign-tests/sign-fail-02.json': /^cbor: tag$/,
  'sign-tests/sign-fail-03.json': /^cbor: tag$/,
  'sign-tests/sign-fail-04.json': /^cbor: tag$/,
  'sign-tests/sign-fail-06.json': /^cbor: tag$/,
  'sign-tests/sign-fail-07.json': /^cbor: tag$/,
  'sign-tests/sign-pass-01.json': /^cbor: tag$/,
  'sign-tests/sign-pass-02.json': /^cbor: tag$/,
  'sign-tests/sign-pass-03.json': /^cose: signature is not a bstr$/, // untagged COSE_Sign: 4th item is the signers array
  'sign1-tests/sign-fail-01.json': /^cbor: tag$/, // tag 998
  'sign1-tests/sign-fail-02.json': /^cose: alg is not EdDSA$/, // ES256 (-7)
  'sign1-tests/sign-fail-03.json': /^cose: alg is not EdDSA$/, // alg -999
  'sign1-tests/sign-fail-04.json': /^cose: alg is not EdDSA$/, // alg "unknown"
  'sign1-tests/sign-fail-06.json': /^cose: alg is not EdDSA$/,
  'sign1-tests/sign-fail-07.json': /^cose: alg is not EdDSA$/,
  'sign1-tests/sign-pass-01.json': /^cose: no alg in protected header$/, // protected h'A0', alg unprotected
  'sign1-tests/sign-pass-02.json': /^cose: alg is not EdDSA$/,
  'sign1-tests/sign-pass-03.json': /^cose: alg is not EdDSA$/, // untagged, ES256
};

// COSE_Sign1 files the generic decoder refuses under the strict profile, and why.
const PARTS_REFUSAL: { [file: string]: RegExp } = {
  'countersign/signed1-02.json': /^cbor: too deep$/,
  'sign1-tests/sign-fail-01.json': /^cbor: tag$/,
};

// Where the Sig_structure rebuilt from the wire bytes (empty external_aad, as QG1) differs from the
// example's ToBeSign: the tampered "fail" files (the change is what makes them fail), sign-pass-01
// (wire protected h'A0' but signed over h'', see the README; QG1 hashes the wire bytes), and
// sign-pass-02 (signed with a non-empty external_aad, which QG1 never uses).
const TOBESIGN_DIFFERS: { [file: string]: string } = {
  'sign1-tests/sign-fail-02.json': 'payload byte changed after signing',
  'sign1-tests/sign-fail-03.json': 'protected alg changed after signing',
  'sign1-tests/sign-fail-04.json': 'protected alg changed after signing',
  'sign1-tests/sign-fail-06.json': 'protected header entry added after signing',
  'sign1-tests/sign-fail-07.json': 'protected header entry removed after signing',
  'sign1-tests/sign-pass-01.json': "protected h'A0' on the wire, h'' signed",
  'sign1-tests/sign-pass-02.json': 'external_aad',
};

function errorOf(fn: () => any): string {
  try {
    fn();
  } catch (e: any) {
    assert.equal(e.constructor, Error);
    return e.message;
  }
  return 'accepted';
}

describe('COSE WG examples', () => {
  const index: { examples: Example[] } = readSharedJson('vectors/cose-wg-examples/cose_index.json');
  const ex = index.examples;

  it('the index lists the 26 files, each with a QG1 refusal reason here', () => {
    assert.equal(ex.length, 26);
    assert.deepEqual(ex.map((e) => e.file).sort(), Object.keys(QG1_REFUSAL).sort());
  });

  for (const e of ex) {
    it(`${e.file}: refused as QG1 (${QG1_REFUSAL[e.file]})`, () => {
      // The 512-byte limit is lifted so that the structural reason is the one reported.
      assert.match(errorOf(() => decodeCoseSign1(hex(e.cbor_hex), { maxBytes: 4096 })), QG1_REFUSAL[e.file]);
    });
  }

  const sign1 = ex.filter((e) => e.type === 'COSE_Sign1');

  it('14 COSE_Sign1 files: the generic decoder rebuilds ToBeSign from the wire bytes', () => {
    assert.equal(sign1.length, 14);
    let rebuilt = 0;
    for (const e of sign1) {
      const bytes = hex(e.cbor_hex);
      if (PARTS_REFUSAL[e.file]) {
        assert.match(errorOf(() => decodeCoseSign1Parts(bytes, { maxBytes: 4096 })), PARTS_REFUSAL[e.file], e.file);
        continue;
      }
      const p = decodeCoseSign1Parts(bytes, { maxBytes: 4096 });
      // Cross-check the structure with cbor-x.
      const x = cborx.decode(Buffer.from(bytes));
      const arr = x.value !== undefined && x.tag !== undefined ? x.value : x;
      assert.equal(p.tagged, x.tag === 18, e.file);
      assert.equal(toHex(p.protectedBytes), toHex(arr[0]), e.file);
      assert.equal(toHex(p.payload), toHex(arr[2]), e.file);
      assert.equal(toHex(p.signature), toHex(arr[3]), e.file);
      assert.equal(p.unprotected.keys.length, arr[1].size, e.file);
      const tbs = toHex(sigStructureOf(p));
      if (TOBESIGN_DIFFERS[e.file]) {
        assert.notEqual(tbs, e.tobesign_hex.toLowerCase(), e.file);
        assert.equal(e.failure_injected !== null || (e as any).external_aad_hex !== '', true, e.file);
      } else {
        assert.equal(tbs, e.tobesign_hex.toLowerCase(), e.file);
        assert.equal((e as any).external_aad_hex, '', e.file);
        rebuilt++;
      }
    }
    assert.equal(rebuilt, 5); // + countersign/signed1-02 below (needs maxDepth 5)
  });

  it('countersign/signed1-02 decodes with maxDepth 5 and rebuilds its ToBeSign', () => {
    const e = sign1.find((x) => x.file === 'countersign/signed1-02.json')!;
    const p = decodeCoseSign1Parts(hex(e.cbor_hex), { maxDepth: 5 });
    assert.equal(toHex(sigStructureOf(p)), e.tobesign_hex.toLowerCase());
  });

  it('Ed25519 COSE_Sign1 files: the device verifier agrees with "expected" over sigStructureOf, and refuses tampering', () => {
    const ed = sign1.filter((e) => e.alg === 'EdDSA' && e.key.crv === 'Ed25519');
    assert.deepEqual(ed.map((e) => e.file).sort(),
      ['countersign/signed1-01.json', 'countersign/signed1-02.json', 'countersign1/signed1-01.json', 'eddsa-examples/eddsa-sig-01.json']);
    for (const e of ed) {
      const p = decodeCoseSign1Parts(hex(e.cbor_hex), { maxDepth: 5 });
      assert.equal(cborGet(p.protectedMap, 1), -8, e.file);
      assert.equal(toHex(cborGet(p.unprotected, 4)), Buffer.from(e.key.kid).toString('hex'), `${e.file}: kid "11" unprotected`);
      const pub = hex(e.key.x_hex!);
      const tbs = sigStructureOf(p);
      assert.equal(verify(pub, tbs, p.signature) ? 'pass' : 'fail', e.expected, e.file);
      // Any change to the signed bytes must fail.
      const bad = new Uint8Array(tbs);
      bad[bad.length - 1] ^= 1;
      assert.equal(verify(pub, bad, p.signature), false, e.file);
      const badSig = new Uint8Array(p.signature);
      badSig[0] ^= 1;
      assert.equal(verify(pub, tbs, badSig), false, e.file);
    }
  });

  it('Ed25519 COSE_Sign file (eddsa-01): the signer signature verifies over its ToBeSign', () => {
    const e = ex.find((x) => x.file === 'eddsa-examples/eddsa-01.json')!;
    assert.equal(e.expected, 'pass');
    const x = cborx.decode(Buffer.from(hex(e.cbor_hex)));
    assert.equal(x.tag, 98);
    const signer = x.value[3][0];
    assert.equal(verify(hex(e.key.x_hex!), hex(e.tobesign_hex), new Uint8Array(signer[2])), true);
  });
});
