// EU DCC test data (data/vectors/eu-dcc-testdata, HC1: base45 / zlib / COSE_Sign1 / CWT) used
// for the layers QG1 shares with it: base45 (EXPECTEDB45DECODE), strict CBOR on the COSE message
// and on its payload (EXPECTEDDECODE, compared with the CBOR field), and the QG1 COSE profile,
// which must refuse every one of them (ES256/PS256, alg placement, tags, ...). Inflating is done
// here with node:zlib; the device never sees HC1.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Decoder } from 'cbor-x';
import { base45Decode } from '../../proto/base45';
import { decodeCbor, cborGet, isCborMap } from '../../proto/cbor';
import { decodeCoseSign1, decodeCoseSign1Parts } from '../../proto/cose';
import { VECTORS, hex, toHex } from '../util/shared';

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false } as any);
const DIR = path.join(VECTORS, 'eu-dcc-testdata');

function walk(d: string): string[] {
  return fs.readdirSync(d).flatMap((f) => {
    const p = path.join(d, f);
    return fs.statSync(p).isDirectory() ? walk(p) : p.endsWith('.json') ? [p] : [];
  });
}

function errorOf(fn: () => any): string {
  try {
    fn();
  } catch (e: any) {
    assert.equal(e.constructor, Error, `not a plain Error: ${e && e.stack}`);
    return e.message;
  }
  return 'accepted';
}

// Order-insensitive canonical form (maps as sorted entries) of a value in either representation:
// this decoder's (CborMap, byte strings) or cbor-x's (Map, JS strings, bigint). `utf8` says
// whether strings are byte strings to be read as UTF-8.
function canon(v: any, byteStrings: boolean): any {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return 't:' + (byteStrings ? Buffer.from(v, 'latin1').toString('utf8') : v);
  if (v instanceof Uint8Array) return 'h:' + toHex(v);
  if (Array.isArray(v)) return v.map((x) => canon(x, byteStrings));
  let entries: [any, any][];
  if (v instanceof Map) entries = Array.from(v.entries());
  else if (isCborMap(v)) entries = v.keys.map((k: any, i: number) => [k, v.values[i]]);
  else return v;
  return entries.map(([k, x]) => [JSON.stringify(canon(k, byteStrings)), canon(x, byteStrings)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// Why the QG1 profile refuses each COSE message.
const QG1_REFUSAL: { [file: string]: RegExp } = {
  'AT/2DCode/raw/1.json': /alg is not EdDSA/, // ES256
  'CH/2DCode/raw/1.json': /alg is not EdDSA/, // PS256
  'DE/2DCode/raw/1.json': /alg is not EdDSA/,
  'DK/2DCode/raw/1.json': /alg is not EdDSA/,
  'FR/2DCode/raw/DCC_Test_0001.json': /alg is not EdDSA/,
  'PL/1.3.0/2DCode/raw/10.json': /alg is not EdDSA/,
  'PL/1.3.0/2DCode/raw/6.json': /alg is not EdDSA/,
  'common/2DCode/raw/CBO2.json': /trailing bytes/, // "wrong CWT structure"
  'common/2DCode/raw/CO1.json': /alg is not EdDSA/, // PS256
  'common/2DCode/raw/CO2.json': /alg is not EdDSA/, // PS256
  'common/2DCode/raw/CO3.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO5.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO16.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO17.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO18.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO19.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO20.json': /no alg in protected header/, // everything unprotected
  'common/2DCode/raw/CO21.json': /alg is not EdDSA/,
  'common/2DCode/raw/CO22.json': /no alg in protected header/,
  'common/2DCode/raw/CO23.json': /no alg in protected header/,
  'common/2DCode/raw/CO28.json': /^cbor: tag$/, // CWT tag 61 around tag 18
  'common/2DCode/raw/Z1.json': /alg is not EdDSA/,
  'common/2DCode/raw/Z2.json': /alg is not EdDSA/,
};

// COSE messages above 512 bytes (RSA signatures): refused by the default size limit first.
const OVER_512 = new Set(['CH/2DCode/raw/1.json', 'common/2DCode/raw/CO1.json', 'common/2DCode/raw/CO2.json']);

describe('EU DCC test data through the QG1 codec layers', () => {
  const files = walk(DIR).map((f) => path.relative(DIR, f)).sort();
  const load = (f: string) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));

  it('28 files', () => {
    assert.equal(files.length, 28);
  });

  it('base45: EXPECTEDB45DECODE true decodes to COMPRESSED (DK: to zlib of COSE), false throws', () => {
    let pass = 0;
    let fail = 0;
    for (const f of files) {
      const j = load(f);
      const want = j.EXPECTEDRESULTS.EXPECTEDB45DECODE;
      if (want === undefined) continue;
      if (want) {
        const b = base45Decode(j.BASE45);
        if (j.COMPRESSED) assert.equal(toHex(b), j.COMPRESSED.toLowerCase(), f);
        else assert.equal(toHex(zlib.inflateSync(b)), j.COSE.toLowerCase(), f);
        pass++;
      } else {
        assert.match(errorOf(() => base45Decode(j.BASE45)), /^base45: /, f);
        fail++;
      }
    }
    assert.deepEqual([pass, fail], [11, 1]);
  });

  it('base45: every BASE45 field decodes (or not) consistently with its COMPRESSED field', () => {
    for (const f of files) {
      const j = load(f);
      if (!j.BASE45) continue;
      const r = errorOf(() => base45Decode(j.BASE45));
      if (j.EXPECTEDRESULTS.EXPECTEDB45DECODE === false) assert.notEqual(r, 'accepted', f);
      else assert.equal(r, 'accepted', f); // H1..H3 fail on the prefix only; their base45 is fine
    }
  });

  it('compression (node:zlib): EXPECTEDCOMPRESSION true inflates to COSE, false does not', () => {
    for (const f of files) {
      const j = load(f);
      const want = j.EXPECTEDRESULTS.EXPECTEDCOMPRESSION;
      if (want === undefined) continue;
      let got: string | null = null;
      try { got = toHex(zlib.inflateSync(hex(j.COMPRESSED))); } catch { got = null; }
      assert.equal(got === j.COSE.toLowerCase(), want, f);
    }
  });

  it('COSE: the strict generic decoder reads every COSE field as cbor-x does (except CBO2 and CO28)', () => {
    let n = 0;
    for (const f of files) {
      const j = load(f);
      if (!j.COSE) continue;
      const bytes = hex(j.COSE);
      if (f === 'common/2DCode/raw/CBO2.json') {
        assert.match(errorOf(() => decodeCoseSign1Parts(bytes, { maxBytes: 4096 })), /^cose: trailing bytes$/);
        continue;
      }
      if (f === 'common/2DCode/raw/CO28.json') {
        assert.match(errorOf(() => decodeCoseSign1Parts(bytes, { maxBytes: 4096 })), /^cbor: tag$/); // tag 61(18(...))
        continue;
      }
      const p = decodeCoseSign1Parts(bytes, { maxBytes: 4096 });
      const x = cborx.decode(Buffer.from(bytes));
      assert.equal(x.tag, 18, f);
      assert.equal(p.tagged, true, f);
      assert.equal(toHex(p.protectedBytes), toHex(x.value[0]), f);
      assert.deepEqual(canon(p.unprotected, true), canon(x.value[1], false), f);
      assert.equal(toHex(p.payload), toHex(x.value[2]), f);
      assert.equal(toHex(p.signature), toHex(x.value[3]), f);
      n++;
    }
    assert.equal(n, 21);
  });

  it('COSE: decodeCoseSign1 refuses every one of them as QG1, each for its listed reason', () => {
    const withCose = files.filter((f) => load(f).COSE);
    assert.deepEqual(withCose, Object.keys(QG1_REFUSAL).sort());
    for (const f of withCose) {
      const bytes = hex(load(f).COSE);
      assert.match(errorOf(() => decodeCoseSign1(bytes, { maxBytes: 4096 })), QG1_REFUSAL[f], f);
      const dflt = errorOf(() => decodeCoseSign1(bytes));
      if (OVER_512.has(f)) assert.equal(dflt, 'cose: message too large', f);
      else { assert.ok(bytes.length <= 512, f); assert.match(dflt, QG1_REFUSAL[f], f); }
    }
  });

  it('payload: DCC nests 5 deep, so the strict default (4) refuses it; with maxDepth 5 it equals cbor-x', () => {
    let n = 0;
    for (const f of files) {
      const j = load(f);
      if (!j.COSE || f.endsWith('CBO2.json') || f.endsWith('CO28.json')) continue;
      const p = decodeCoseSign1Parts(hex(j.COSE), { maxBytes: 4096 });
      assert.equal(errorOf(() => decodeCbor(p.payload)), 'cbor: too deep', f);
      const v = decodeCbor(p.payload, { maxDepth: 5 });
      assert.deepEqual(canon(v, true), canon(cborx.decode(Buffer.from(p.payload)), false), f);
      // {1: iss, 4: exp, 6: iat, -260: {1: DGC}}
      assert.equal(typeof cborGet(v, 4), 'number', f);
      assert.ok(isCborMap(cborGet(cborGet(v, -260), 1)), f);
      n++;
    }
    assert.equal(n, 21);
  });

  it('payload vs CBOR field: EXPECTEDDECODE true means the same data (whole payload or its DGC); false is refused', () => {
    let same = 0;
    let strictSame = 0;
    let indefinite = 0;
    for (const f of files) {
      const j = load(f);
      const want = j.EXPECTEDRESULTS.EXPECTEDDECODE;
      if (want === undefined) continue;
      const field = hex(j.CBOR);
      if (!want) {
        assert.equal(f, 'common/2DCode/raw/CBO1.json');
        assert.match(errorOf(() => decodeCbor(field, { maxDepth: 8 })), /^cbor: /, f);
        assert.throws(() => cborx.decode(Buffer.from(field)), f);
        continue;
      }
      let cose = hex(j.COSE);
      if (f.endsWith('CO28.json')) {
        // 61(18([...])): the test strips the CWT tag (d8 3d) that the strict decoder refuses.
        assert.equal(toHex(cose.subarray(0, 3)), 'd83dd2');
        cose = cose.subarray(2);
      }
      const p = decodeCoseSign1Parts(cose, { maxBytes: 4096 });
      const v = decodeCbor(p.payload, { maxDepth: 5 });
      const theirs = canon(cborx.decode(Buffer.from(field)), false);
      const whole = canon(v, true);
      const dgc = canon(cborGet(cborGet(v, -260), 1), true);
      assert.ok(JSON.stringify(whole) === JSON.stringify(theirs) || JSON.stringify(dgc) === JSON.stringify(theirs), f);
      // The CBOR field itself: definite-length ones decode strictly to the same; the many written
      // with indefinite lengths are refused for that reason.
      const r = errorOf(() => decodeCbor(field, { maxDepth: 5 }));
      if (r === 'accepted') {
        assert.deepEqual(canon(decodeCbor(field, { maxDepth: 5 }), true), theirs, f);
        strictSame++;
      } else {
        assert.equal(r, 'cbor: indefinite length', f);
        indefinite++;
      }
      same++;
    }
    assert.equal(same, 11);
    assert.deepEqual([strictSame, indefinite], [3, 8]);
  });
});
