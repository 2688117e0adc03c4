// proto/cbor.ts: the strict CBOR profile of spec/qg1.md ("Malformed input") against the RFC 8949
// Appendix A examples (data/vectors/cbor-rfc8949-appendix-a), differential tests against
// cbor-x, and property tests on random and mutated bytes.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { Decoder, Encoder } from 'cbor-x';
import {
  decodeCbor, decodeCborItem, cborGet, cborHas, isCborMap, encodeCbor, encodeCborHead, encodeCborBytes, encodeCborText,
  encodeSigStructure, encodeSigStructureParts, CborMap,
} from '../../proto/cbor';
import { readSharedJson, hex, toHex } from '../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
const cborx = new Decoder({ mapsAsObjects: false, useRecords: false } as any);
const cborxEnc = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false } as any);

/** Error thrown by the decoder, with its message (fails the test if it does not throw a plain Error). */
function refusal(bytes: Uint8Array, opts?: any): string {
  try {
    decodeCbor(bytes, opts);
  } catch (e: any) {
    assert.equal(e.constructor, Error, `not a plain Error: ${e}`);
    assert.match(e.message, /^cbor: /);
    return e.message.slice(6);
  }
  assert.fail(`accepted ${toHex(bytes)}`);
}

// Diagnostic notation (RFC 8949 section 8) of a decoded value, for the Appendix A cases that carry
// a diagnostic string instead of JSON.
function diag(v: any): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'string') return JSON.stringify(Buffer.from(v, 'latin1').toString('utf8'));
  if (v instanceof Uint8Array) return `h'${toHex(v)}'`;
  if (Array.isArray(v)) return '[' + v.map(diag).join(', ') + ']';
  if (isCborMap(v)) return '{' + v.keys.map((k: any, i: number) => `${diag(k)}: ${diag(v.values[i])}`).join(', ') + '}';
  throw new Error('no diagnostic for ' + v);
}

// JSON view of a decoded value (text keys only), for the cases that carry "decoded".
function toJson(v: any): any {
  if (typeof v === 'string') return Buffer.from(v, 'latin1').toString('utf8');
  if (Array.isArray(v)) return v.map(toJson);
  if (isCborMap(v)) {
    const o: any = {};
    v.keys.forEach((k: any, i: number) => {
      assert.equal(typeof k, 'string');
      o[toJson(k)] = toJson(v.values[i]);
    });
    return o;
  }
  if (v instanceof Uint8Array) throw new Error('bytes have no JSON form');
  return v;
}

// A cbor-x result in this decoder's representation (text as UTF-8 byte strings, bytes as
// Uint8Array, Map as CborMap, safe bigint as number).
function fromCborx(v: any): any {
  if (typeof v === 'bigint') {
    assert.ok(v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n);
    return Number(v);
  }
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('latin1');
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(fromCborx);
  if (v instanceof Map) {
    const m: CborMap = { keys: [], values: [] };
    v.forEach((val, k) => { m.keys.push(fromCborx(k)); m.values.push(fromCborx(val)); });
    return m;
  }
  return v;
}

// Copies byte views so deepStrictEqual compares contents only.
function plain(v: any): any {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(plain);
  if (isCborMap(v)) return { keys: v.keys.map(plain), values: v.values.map(plain) };
  return v;
}

// This decoder's representation -> what cbor-x's encoder takes.
function toCborx(v: any): any {
  if (typeof v === 'string') return Buffer.from(v, 'latin1').toString('utf8');
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (Array.isArray(v)) return v.map(toCborx);
  if (isCborMap(v)) return new Map(v.keys.map((k: any, i: number) => [toCborx(k), toCborx(v.values[i])]));
  return v;
}

describe('proto/cbor: RFC 8949 Appendix A under the strict profile', () => {
  const cases: { hex: string; roundtrip: boolean; decoded?: any; diagnostic?: string }[] =
    readSharedJson('vectors/cbor-rfc8949-appendix-a/appendix_a.json');

  // Every Appendix A example the strict profile refuses, by the reason the decoder must give.
  const REFUSED: { [reason: string]: string[] } = {
    'integer too large': ['1bffffffffffffffff', '3bffffffffffffffff'],
    tag: ['c249010000000000000000', 'c349010000000000000000', 'c074323031332d30332d32315432303a30343a30305a',
      'c11a514b67b0', 'c1fb41d452d9ec200000', 'd74401020304', 'd818456449455446',
      'd82076687474703a2f2f7777772e6578616d706c652e636f6d'],
    float: ['f90000', 'f98000', 'f93c00', 'fb3ff199999999999a', 'f93e00', 'f97bff', 'fa47c35000', 'fa7f7fffff',
      'fb7e37e43c8800759c', 'f90001', 'f90400', 'f9c400', 'fbc010666666666666', 'f97c00', 'f97e00', 'f9fc00',
      'fa7f800000', 'fa7fc00000', 'faff800000', 'fb7ff0000000000000', 'fb7ff8000000000000', 'fbfff0000000000000'],
    'simple value': ['f7', 'f0', 'f818', 'f8ff'],
    'indefinite length': ['5f42010243030405ff', '7f657374726561646d696e67ff', '9fff', '9f018202039f0405ffff',
      '9f01820203820405ff', '83018202039f0405ff', '83019f0203ff820405',
      '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff', 'bf61610161629f0203ffff', '826161bf61626163ff',
      'bf6346756ef563416d7421ff'],
  };
  const refusedReason: { [hex: string]: string } = {};
  for (const r of Object.keys(REFUSED)) for (const h of REFUSED[r]) refusedReason[h] = r;

  it('the file has 82 cases; 47 are refused (2 big ints, 8 tags, 22 floats, 4 simple values, 11 indefinite)', () => {
    assert.equal(cases.length, 82);
    assert.equal(Object.keys(refusedReason).length, 47);
    for (const h of Object.keys(refusedReason)) assert.ok(cases.some((c) => c.hex === h), `${h} is in the file`);
    // The lists follow from the bytes: floats are exactly the f9/fa/fb heads, tags the c0..db heads,
    // indefinite items are the ones with a 5f/7f/9f/bf head anywhere (all marked roundtrip=false).
    for (const c of cases) {
      const ib = parseInt(c.hex.slice(0, 2), 16);
      if (ib >= 0xf9 && ib <= 0xfb) assert.equal(refusedReason[c.hex], 'float', c.hex);
      if (ib >> 5 === 6) assert.equal(refusedReason[c.hex], 'tag', c.hex);
      if (refusedReason[c.hex] === 'indefinite length') assert.equal(c.roundtrip, false, c.hex);
    }
    assert.ok(cases.filter((c) => !c.roundtrip).every((c) => refusedReason[c.hex] !== undefined), 'every roundtrip=false case is refused');
  });

  it('each refused case throws exactly its category', () => {
    for (const c of cases) {
      const want = refusedReason[c.hex];
      if (want === undefined) continue;
      assert.equal(refusal(hex(c.hex)), want, c.hex);
    }
  });

  it('each accepted case decodes to its "decoded"/"diagnostic" value (35 cases)', () => {
    let n = 0;
    for (const c of cases) {
      if (refusedReason[c.hex] !== undefined) continue;
      const v = decodeCbor(hex(c.hex));
      if ('decoded' in c) assert.deepStrictEqual(toJson(v), c.decoded, c.hex);
      else assert.equal(diag(v), c.diagnostic, c.hex);
      n++;
    }
    assert.equal(n, 35);
  });

  it('each accepted case re-encodes to the same bytes (all are roundtrip=true)', () => {
    for (const c of cases) {
      if (refusedReason[c.hex] !== undefined) continue;
      assert.equal(c.roundtrip, true);
      assert.equal(toHex(encodeCbor(decodeCbor(hex(c.hex)))), c.hex);
    }
  });
});

describe('proto/cbor: strict profile details', () => {
  it('integers: the safe range is accepted, one beyond is refused', () => {
    assert.equal(decodeCbor(hex('1b001fffffffffffff')), 2 ** 53 - 1);
    assert.equal(refusal(hex('1b0020000000000000')), 'integer too large');
    assert.equal(decodeCbor(hex('3b001ffffffffffffe')), -(2 ** 53 - 1));
    assert.equal(refusal(hex('3b001fffffffffffff')), 'integer too large');
    assert.equal(decodeCbor(hex('1affffffff')), 4294967295);
    assert.equal(decodeCbor(hex('3affffffff')), -4294967296);
  });

  it('non-shortest heads are accepted (qg1.md does not list them as malformed)', () => {
    for (const h of ['1801', '190001', '1a00000001', '1b0000000000000001']) assert.equal(decodeCbor(hex(h)), 1, h);
    assert.equal(toHex(decodeCbor(hex('5801aa'))), 'aa');
    assert.equal(decodeCbor(hex('790001' + '61')), 'a');
    assert.deepEqual(decodeCbor(hex('980101')), [1]);
    assert.deepEqual(plain(decodeCbor(hex('b9000101f6'))), { keys: [1], values: [null] });
  });

  it('trailing bytes, truncation and empty input are refused', () => {
    assert.equal(refusal(hex('0000')), 'trailing bytes');
    assert.equal(refusal(hex('')), 'truncated');
    assert.equal(refusal(hex('18')), 'truncated');
    assert.equal(refusal(hex('1b00000000')), 'truncated');
    assert.equal(refusal(hex('4301')), 'truncated');
    assert.equal(refusal(hex('8201')), 'truncated');
    assert.equal(refusal(hex('a101')), 'truncated');
  });

  it('announced lengths beyond the input are refused before allocating', () => {
    // 4 GiB byte/text strings, 2^53-1 element arrays and maps: refused at once.
    for (const h of ['5affffffff00', '7affffffff00', '9b001fffffffffffff00', 'bb001fffffffffffff0000', '9affffffff']) {
      assert.equal(refusal(hex(h)), 'truncated', h);
    }
    // A map of n pairs needs 2n bytes.
    assert.equal(refusal(hex('a3010203040506').subarray(0, 6)), 'truncated');
    assert.equal(refusal(hex('a20102')), 'truncated');
  });

  it('reserved additional info and a stray break are refused', () => {
    for (const ib of [0x1c, 0x1d, 0x1e, 0x3c, 0x5d, 0x7e, 0x9c, 0xbd, 0xfc, 0xfd, 0xfe]) {
      assert.equal(refusal(new Uint8Array([ib, 0, 0, 0, 0, 0, 0, 0, 0])), 'reserved additional info', ib.toString(16));
    }
    assert.equal(refusal(hex('81de')), 'reserved additional info'); // a tag head inside: its form is checked first
    assert.equal(refusal(hex('ff')), 'unexpected break');
    assert.equal(refusal(hex('8101ff').subarray(2)), 'unexpected break');
    assert.equal(refusal(hex('1f')), 'indefinite length');
    assert.equal(refusal(hex('3f')), 'indefinite length');
    assert.equal(refusal(hex('df')), 'tag');
  });

  it('text must be strict UTF-8', () => {
    assert.equal(decodeCbor(hex('63e282ac')), '\u00e2\u0082\u00ac'); // the byte string of U+20AC
    for (const h of ['62c0af', '63eda080', '64f4908080', '6180', '62c328', '62e282']) assert.equal(refusal(hex(h)), 'bad utf-8', h);
  });

  it('tags: only one tag 18 at the top, and only when allowed', () => {
    const body = '8101';
    assert.equal(refusal(hex('d2' + body)), 'tag');
    const t = decodeCborItem(hex('d2' + body), 0, { allowTopTag18: true });
    assert.deepEqual(t.value, [1]);
    assert.equal(t.tagged, true);
    assert.equal(decodeCborItem(hex(body), 0, { allowTopTag18: true }).tagged, false);
    assert.deepEqual(decodeCbor(hex('d812' + body), { allowTopTag18: true }), [1]); // non-shortest tag head
    assert.equal(refusal(hex('d2d2' + body), { allowTopTag18: true }), 'tag');
    assert.equal(refusal(hex('d83d' + body), { allowTopTag18: true }), 'tag'); // CWT tag 61
    assert.equal(refusal(hex('81d201'), { allowTopTag18: true }), 'tag');
    assert.equal(refusal(hex('d2'), { allowTopTag18: true }), 'truncated');
  });

  it('nesting: 4 levels by default, each array or map one level; maxDepth option', () => {
    assert.deepEqual(decodeCbor(hex('8181818101')), [[[[1]]]]);
    assert.equal(refusal(hex('818181818101')), 'too deep');
    assert.ok(isCborMap(decodeCbor(hex('a101a101a101a10101'))));
    assert.equal(refusal(hex('a101a101a101a101a10101')), 'too deep');
    assert.deepEqual(decodeCbor(hex('818181818101'), { maxDepth: 5 }), [[[[[1]]]]]);
    assert.equal(refusal(hex('8101'), { maxDepth: 0 }), 'too deep');
    assert.equal(decodeCbor(hex('01'), { maxDepth: 0 }), 1);
    // Deep input is refused at the limit, not after recursing through it.
    assert.equal(refusal(new Uint8Array(100000).fill(0x81)), 'too deep');
  });

  it('duplicate map keys are refused (same type and value, whatever the head width)', () => {
    assert.equal(refusal(hex('a201000100')), 'duplicate key');
    assert.equal(refusal(hex('a20100180100')), 'duplicate key');
    assert.equal(refusal(hex('a2200039000000')), 'duplicate key'); // -1 twice
    assert.equal(refusal(hex('a2616100616100')), 'duplicate key');
    assert.equal(refusal(hex('a24201020042010200')), 'duplicate key');
    assert.equal(refusal(hex('a2f400f400')), 'duplicate key');
    // Same "value", different types: not duplicates.
    const m = decodeCbor(hex('a4010041010261310360f6'));
    assert.equal(m.keys.length, 4);
    assert.equal(cborGet(m, 1), 0);
    assert.equal(cborGet(m, new Uint8Array([1])), 2);
    assert.equal(cborGet(m, '1'), 3);
    assert.equal(cborGet(m, ''), null);
    assert.equal(cborHas(m, ''), true);
    assert.equal(cborGet(m, 2), undefined);
    assert.equal(cborHas(m, 2), false);
    assert.equal(cborGet(m, new Uint8Array([2])), undefined);
  });

  it('duplicate keys in maps of more than 8 entries (the keyed path) too, for every key type', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => [100 + i, 0] as [any, any]);
    const big = (pairs: [any, any][]) => encodeCbor({ keys: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) });
    const dupKeys: any[] = [5, -5, 0, 2 ** 53 - 1, 'a', '', '\u00c3\u00a9', new Uint8Array([1, 2]), new Uint8Array(0), true, false, null,
      'toString', '__proto__', 'constructor'];
    for (const k of dupKeys) {
      const k2 = k instanceof Uint8Array ? new Uint8Array(k) : k;
      assert.equal(refusal(big([[k, 1], ...filler(9), [k2, 2]])), 'duplicate key', String(k));
      assert.equal(cborGet(decodeCbor(big([[k, 1], ...filler(9)])), k2), 1, String(k));
    }
    // Same "value" across types, names of Object.prototype members: all distinct.
    const distinct: any[] = [1, '1', new Uint8Array([0x31]), 'n1', 't1', 'b1', 'true', true, 'T', 'null', null, 'Z', 'toString',
      'hasOwnProperty', '__proto__', 'valueOf', new Uint8Array([0x6e, 0x31]), -1, '-1'];
    const m = decodeCbor(big(distinct.map((k, i) => [k, i] as [any, any])));
    assert.equal(m.keys.length, distinct.length);
    distinct.forEach((k, i) => assert.equal(cborGet(m, k), i));
  });

  it('property: a map of 0..40 keys is refused exactly when it has a duplicate key', () => {
    const key = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom('a', 'b', '', 'toString', '__proto__', 'n1', '1'),
      fc.uint8Array({ maxLength: 2 }), fc.boolean(), fc.constant(null));
    const id = (k: any) => (k instanceof Uint8Array ? 'b' + toHex(k) : typeof k + ':' + k);
    fc.assert(fc.property(fc.array(key, { maxLength: 40 }), (keys) => {
      const b = encodeCbor({ keys, values: keys.map(() => 0) });
      const dup = new Set(keys.map(id)).size !== keys.length;
      const r = mineDecode(b);
      assert.equal(r.ok, !dup);
      if (!r.ok) assert.equal(refusal(b), 'duplicate key');
    }), { numRuns: RUNS });
  });

  it('array and map keys are refused', () => {
    assert.equal(refusal(hex('a1800000')), 'map key type');
    assert.equal(refusal(hex('a1a00000')), 'map key type');
  });

  it('maxItems bounds the number of items', () => {
    assert.deepEqual(decodeCbor(hex('83010203'), { maxItems: 4 }), [1, 2, 3]);
    assert.equal(refusal(hex('83010203'), { maxItems: 3 }), 'too many items');
  });

  it('byte strings are zero-copy views of the input', () => {
    const input = hex('824301020343040506');
    const v = decodeCbor(input);
    assert.equal(v[0].buffer, input.buffer);
    assert.equal(v[0].byteOffset, input.byteOffset + 2);
    assert.equal(v[1].byteOffset, input.byteOffset + 6);
    input[3] = 0x77;
    assert.equal(v[0][1], 0x77);
  });

  it('decodeCborItem reports where each item ends', () => {
    const b = hex('0118ff43010203');
    let it = decodeCborItem(b);
    assert.deepEqual([it.value, it.end], [1, 1]);
    it = decodeCborItem(b, 1);
    assert.deepEqual([it.value, it.end], [255, 3]);
    it = decodeCborItem(b, 3);
    assert.deepEqual([toHex(it.value), it.end], ['010203', 7]);
    assert.throws(() => decodeCborItem(b, 7), /truncated/);
    assert.throws(() => decodeCborItem(b, 8), /bad offset/);
  });
});

describe('proto/cbor encoder', () => {
  it('shortest heads at every width boundary', () => {
    const want: [number, string][] = [[0, '00'], [23, '17'], [24, '1818'], [255, '18ff'], [256, '190100'], [65535, '19ffff'],
      [65536, '1a00010000'], [4294967295, '1affffffff'], [4294967296, '1b0000000100000000'], [2 ** 53 - 1, '1b001fffffffffffff']];
    for (const [n, h] of want) {
      assert.equal(toHex(encodeCborHead(0, n)), h, String(n));
      assert.equal(decodeCbor(encodeCborHead(0, n)), n);
    }
    assert.equal(toHex(encodeCborHead(5, 3)), 'a3');
    assert.throws(() => encodeCborHead(0, 2 ** 53), /bad head/);
    assert.throws(() => encodeCborHead(0, -1), /bad head/);
    assert.throws(() => encodeCborHead(0, 1.5), /bad head/);
    assert.equal(toHex(encodeCbor(-(2 ** 53 - 1))), '3b001ffffffffffffe');
    assert.throws(() => encodeCbor(0.5), /safe integer/);
    assert.throws(() => encodeCbor(undefined), /cannot encode/);
    assert.throws(() => encodeCborText('\u0100'), /byte string/);
    assert.equal(toHex(encodeCborBytes(new Uint8Array(24))), '5818' + '00'.repeat(24));
  });

  it('encodeSigStructure equals cbor-x encoding of ["Signature1", protected, h\'\', payload]', () => {
    const lens = [0, 1, 23, 24, 255, 256, 300, 65535, 65536];
    for (const pl of [0, 3, 24]) {
      for (const yl of lens) {
        const p = new Uint8Array(pl).map((_, i) => i * 7);
        const y = new Uint8Array(yl).map((_, i) => i * 13);
        const want = cborxEnc.encode(['Signature1', Buffer.from(p), Buffer.alloc(0), Buffer.from(y)]);
        assert.equal(toHex(encodeSigStructure(p, y)), toHex(want), `${pl}/${yl}`);
        const parts = encodeSigStructureParts(p, y);
        assert.equal(toHex(Buffer.concat(parts)), toHex(want), `parts ${pl}/${yl}`);
        assert.ok(parts[1] === p && parts[3] === y, 'the protected bytes and the payload are the caller\'s own arrays, not copies');
      }
    }
  });

  it('property: encodeCbor equals cbor-x on the same value, and decodeCbor inverts it', () => {
    fc.assert(fc.property(valueArb(false), (v) => {
      const mine = encodeCbor(v);
      assert.equal(toHex(mine), toHex(cborxEnc.encode(toCborx(v))));
      assert.deepStrictEqual(plain(decodeCbor(mine, { maxDepth: 16 })), plain(v));
    }), { numRuns: RUNS });
  });
});

// Random values in this decoder's representation.
function valueArb(bigInts: boolean): fc.Arbitrary<any> {
  const int = bigInts
    ? fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -(2 ** 32), max: 2 ** 32 }),
      fc.integer({ min: -(2 ** 31 - 1), max: 2 ** 31 - 1 }).map((n) => n * 2 ** 22), fc.constantFrom(2 ** 53 - 1, -(2 ** 53 - 1)))
    : fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -(2 ** 32), max: 2 ** 32 - 1 }));
  const text = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }))
    .map((s) => Buffer.from(s, 'utf8').toString('latin1'));
  const bytes = fc.uint8Array({ maxLength: 30 });
  const key = fc.oneof(int, text, bytes);
  const leaf = fc.oneof(int, text, bytes, fc.boolean(), fc.constant(null));
  const keyId = (k: any) => (k instanceof Uint8Array ? 'b' + toHex(k) : typeof k + ':' + k);
  return fc.letrec((tie) => ({
    v: fc.oneof({ maxDepth: 4, depthIdentifier: 'cbor' }, leaf,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.uniqueArray(fc.tuple(key, tie('v')), { maxLength: 4, selector: (t) => keyId(t[0]) })
        .map((pairs) => ({ keys: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) }))),
  })).v;
}

// Test-side raw encoder with chosen (possibly non-shortest) head widths: widths[i] 0 = shortest,
// 1/2/3/4 = at least a 1/2/4/8-byte argument.
function rawEncode(v: any, widths: number[]): number[] {
  let wi = 0;
  const out: number[] = [];
  const head = (major: number, n: number) => {
    const w = widths.length ? widths[wi++ % widths.length] : 0;
    let len = n < 24 ? 0 : n < 256 ? 1 : n < 65536 ? 2 : n < 2 ** 32 ? 4 : 8;
    len = Math.max(len, [0, 1, 2, 4, 8][w]);
    if (len === 0) { out.push((major << 5) | n); return; }
    out.push((major << 5) | { 1: 24, 2: 25, 4: 26, 8: 27 }[len]!);
    let big = BigInt(n);
    const bs: number[] = [];
    for (let i = 0; i < len; i++) { bs.unshift(Number(big & 255n)); big >>= 8n; }
    out.push(...bs);
  };
  const enc = (x: any) => {
    if (typeof x === 'number') { if (x >= 0) head(0, x); else head(1, -1 - x); }
    else if (typeof x === 'string') { head(3, x.length); for (let i = 0; i < x.length; i++) out.push(x.charCodeAt(i)); }
    else if (typeof x === 'boolean') out.push(x ? 0xf5 : 0xf4);
    else if (x === null) out.push(0xf6);
    else if (x instanceof Uint8Array) { head(2, x.length); out.push(...x); }
    else if (Array.isArray(x)) { head(4, x.length); x.forEach(enc); }
    else { head(5, x.keys.length); x.keys.forEach((k: any, i: number) => { enc(k); enc(x.values[i]); }); }
  };
  enc(v);
  return out;
}

function cborxDecode(b: Uint8Array): { ok: true; value: any } | { ok: false } {
  try {
    return { ok: true, value: cborx.decode(Buffer.from(b)) };
  } catch {
    return { ok: false };
  }
}

function mineDecode(b: Uint8Array, opts?: any): { ok: true; value: any } | { ok: false } {
  try {
    return { ok: true, value: decodeCbor(b, opts) };
  } catch (e: any) {
    assert.equal(e.constructor, Error, `not a plain Error: ${e && e.stack}`);
    return { ok: false };
  }
}

// cbor-x 1.6.9 is a reliable reference for shortest-form CBOR only: it throws on some valid input
// with non-shortest heads (e.g. a1 790002c2a0 5b0000000000000000: "Unexpected end of buffer
// reading string", and a1 7a00000001 61 40). So: on canonical input (this decoder's shortest-form
// re-encoding gives back the same bytes) cbor-x must decode and agree; on non-canonical input it
// must agree whenever it decodes at all. Non-shortest heads are checked against the generated value.
function agreeWithCborx(b: Uint8Array, value: any): 'canonical' | 'non-canonical' {
  const canonical = toHex(encodeCbor(value)) === toHex(b);
  const theirs = cborxDecode(b);
  if (canonical) assert.ok(theirs.ok, `cbor-x refuses canonical ${toHex(b)}`);
  if (theirs.ok) assert.deepStrictEqual(plain(value), fromCborx(theirs.value), toHex(b));
  return canonical ? 'canonical' : 'non-canonical';
}

describe('proto/cbor differential against cbor-x (property)', () => {
  const widths = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 });

  it('property: random definite-length CBOR (non-shortest heads too) decodes as cbor-x decodes it', () => {
    fc.assert(fc.property(valueArb(true), widths, (v, ws) => {
      const b = new Uint8Array(rawEncode(v, ws));
      const mine = mineDecode(b, { maxDepth: 16 });
      assert.ok(mine.ok, 'a value within the profile is accepted');
      assert.deepStrictEqual(plain(mine.value), plain(v));
      agreeWithCborx(b, mine.value);
      // The shortest-form encoding of the same value: cbor-x must decode it to the same value.
      assert.equal(agreeWithCborx(new Uint8Array(rawEncode(v, [])), v), 'canonical');
    }), { numRuns: RUNS });
  });

  it('property: on mutated CBOR, whatever this decoder accepts cbor-x decodes to the same value', () => {
    const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 3 });
    let accepted = 0;
    fc.assert(fc.property(valueArb(true), fc.oneof(fc.constant([] as number[]), widths), mutation, (v, ws, muts) => {
      const raw = rawEncode(v, ws);
      for (const [pos, byte, kind] of muts) {
        const p = raw.length ? pos % (raw.length + 1) : 0;
        if (kind === 0 && p < raw.length) raw[p] = byte; // replace
        else if (kind === 1) raw.splice(p, 0, byte); // insert
        else raw.splice(p, 1); // delete
      }
      const b = new Uint8Array(raw);
      const mine = mineDecode(b, { maxDepth: 16 });
      if (!mine.ok) return;
      if (agreeWithCborx(b, mine.value) === 'canonical') accepted++;
    }), { numRuns: RUNS * 2 });
    assert.ok(accepted > 0, 'some canonical mutants were accepted (the property was exercised)');
  });

  it('property: random bytes never make the decoder throw anything but a plain Error, nor hang', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ minLength: 400, maxLength: 512 }),
      // Bytes biased towards heads (containers, tags, long arguments, 0xff).
      fc.array(fc.constantFrom(0x9f, 0xbf, 0x5f, 0x7f, 0xff, 0x81, 0x82, 0xa1, 0xa2, 0x98, 0xb8, 0x1b, 0x5b, 0x7b,
        0xd2, 0xf9, 0xfb, 0x00, 0x01, 0x20, 0x40, 0x60, 0x18, 0x19), { maxLength: 512 }).map((a) => new Uint8Array(a)),
    );
    fc.assert(fc.property(bytes, fc.boolean(), (b, tag) => {
      const t0 = Date.now();
      const mine = mineDecode(b, { allowTopTag18: tag });
      // A hang detector, not a timing target: 512 bytes take well under a millisecond.
      assert.ok(Date.now() - t0 < 1000);
      if (mine.ok && b[0] >> 5 !== 6) agreeWithCborx(b, mine.value);
    }), { numRuns: RUNS * 3 });
  });

  it('a 512-byte map with as many distinct keys as fit decodes', () => {
    // 0xb9 00 nn + pairs of (1-3 byte key, 1 byte value): 170 keys.
    const raw: number[] = [0xb9, 0, 0];
    let n = 0;
    for (let k = 0; raw.length + 4 <= 512; k++, n++) {
      raw.push(...Array.from(encodeCborHead(0, k)), 0xf6);
    }
    raw[2] = n;
    const b = new Uint8Array(raw);
    const m = decodeCbor(b);
    assert.equal(m.keys.length, n);
    assert.ok(n >= 150);
  });
});
