// Device codecs under the DIVOC reader: base64/base64url, raw inflate, the zip entry, JSON over bytes.
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { base64Decode, base64UrlDecode, base64Encode, base64UrlEncode } from '../../proto/base64';
import { inflateRaw } from '../../proto/inflate';
import { unzipCertificate, crc32 } from '../../proto/zip';
import { parseJsonBytes, JsonObject, JsonValue } from '../../proto/json';
import { makeZip, sampleText } from '../util/divoc';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 300;

function toPlain(v: JsonValue): any {
  if (v instanceof JsonObject) {
    const o: any = {};
    v.keys.forEach((k, i) => Object.defineProperty(o, Buffer.from(k, 'latin1').toString('utf8'), { value: toPlain(v.values[i]), enumerable: true }));
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === 'string') return Buffer.from(v, 'latin1').toString('utf8');
  return v;
}

describe('base64 (property)', () => {
  it('round-trips and matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const s = Buffer.from(b).toString('base64');
        assert.equal(base64Encode(b), s);
        assert.deepEqual(base64Decode(s), b);
        const u = Buffer.from(b).toString('base64url');
        assert.equal(base64UrlEncode(b), u);
        assert.deepEqual(base64UrlDecode(u), b);
      }),
      { numRuns: RUNS },
    );
  });
  it('refuses non-canonical or malformed text', () => {
    for (const s of ['A', 'AB', 'ABC', 'AB=', 'A===', 'AB==AB==', 'AB=C', 'ABC-', 'AB_=', 'AB\n==', 'AF==', 'ABD=', ' AAA', 'AAAA=']) {
      assert.throws(() => base64Decode(s), Error, s);
    }
    for (const s of ['A', 'AB==', 'AB+/', 'AF', 'ABD', 'AA AA']) assert.throws(() => base64UrlDecode(s), Error, s);
  });
  it('any string: either refused with Error or canonical', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        let b: Uint8Array;
        try {
          b = base64Decode(s);
        } catch (e) {
          assert.ok(e instanceof Error);
          return;
        }
        assert.equal(Buffer.from(b).toString('base64'), s);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('inflate', () => {
  const gen = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc.array(fc.constantFrom(...'abc "name": {}\n\u00e9'.split('')), { maxLength: 4000 }).map((a) => new Uint8Array(Buffer.from(a.join('')))),
  );
  it('matches zlib at every level and strategy (property)', () => {
    fc.assert(
      fc.property(gen, fc.integer({ min: 0, max: 9 }), fc.constantFrom(0, zlib.constants.Z_FIXED, zlib.constants.Z_HUFFMAN_ONLY, zlib.constants.Z_RLE), (b, level, strategy) => {
        const d = zlib.deflateRawSync(b, { level, strategy });
        const r = inflateRaw(new Uint8Array(d), 8192);
        assert.deepEqual(r.data, b);
        assert.equal(r.used, d.length);
      }),
      { numRuns: RUNS / 2 },
    );
  });
  it('refuses output beyond the bound', () => {
    const d = new Uint8Array(zlib.deflateRawSync(Buffer.alloc(8193, 97)));
    assert.throws(() => inflateRaw(d, 8192), /too large/);
    assert.equal(inflateRaw(new Uint8Array(zlib.deflateRawSync(Buffer.alloc(8192, 97))), 8192).data.length, 8192);
    const stored = new Uint8Array(zlib.deflateRawSync(Buffer.alloc(9000, 1), { level: 0 }));
    assert.throws(() => inflateRaw(stored, 8192), /too large/);
  });
  it('known malformed streams', () => {
    const bad = [
      [], [0x07], [0x01, 0x00, 0x00, 0xfe, 0xff], [0x01, 0x05, 0x00, 0xfa, 0xff, 1], [0x03], // reserved type 3: 0b011 -> last, type 1 ... fixed but truncated
      [0x07, 0x00], // block type 3
    ];
    // Fixed block whose first symbol is a match (length 3, distance 1) with nothing before it.
    const bits: number[] = [1, 1, 0]; // BFINAL, BTYPE=01 (LSB first)
    for (const c of '0000001') bits.push(Number(c)); // literal/length 257, Huffman codes MSB first
    for (const c of '00000') bits.push(Number(c)); // distance code 0
    for (const c of '0000000') bits.push(Number(c)); // end of block
    const far = new Uint8Array(Math.ceil(bits.length / 8));
    bits.forEach((b, i) => (far[i >> 3] |= b << (i & 7)));
    bad.push(Array.from(far));
    assert.throws(() => inflateRaw(far, 8192), /distance too far/);
    for (const b of bad) assert.throws(() => inflateRaw(new Uint8Array(b), 8192), Error, JSON.stringify(b));
  });
  it('mutated streams: only Error, output bounded (property)', () => {
    const src = new Uint8Array(zlib.deflateRawSync(Buffer.from(JSON.stringify({ name: 'x'.repeat(50), n: [1, 2, 3], t: 'abcabcabc' }))));
    fc.assert(
      fc.property(fc.array(fc.record({ i: fc.nat(src.length - 1), v: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }), fc.nat(src.length), (muts, cut) => {
        const m = new Uint8Array(src.subarray(0, Math.max(1, cut)));
        for (const x of muts) if (x.i < m.length) m[x.i] = x.v;
        try {
          const r = inflateRaw(m, 512);
          assert.ok(r.data.length <= 512 && r.used <= m.length);
        } catch (e) {
          assert.ok(e instanceof Error, String(e));
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('zip', () => {
  const json = Buffer.from('{"a":"b"}');
  it('reads the samples and DIVOC-style archives, stored or deflated', () => {
    const z = new Uint8Array(Buffer.from(sampleText('dose2').slice(4), 'base64'));
    const out = unzipCertificate(z);
    assert.equal(JSON.parse(Buffer.from(out).toString('utf8')).evidence[0].certificateId, '100000001');
    assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(json))), new Uint8Array(json));
    assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(json, { method: 0 }))), new Uint8Array(json));
    assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(json, { flags: 0x0800, extra: Buffer.from([1, 0, 0, 0]) }))), new Uint8Array(json));
  });
  it('crc32 matches zlib', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => assert.equal(crc32(b), zlib.crc32(b))), { numRuns: RUNS });
  });
  it('refuses malformed archives', () => {
    const ok = makeZip(json);
    const cases: [string, Buffer][] = [
      ['other name', makeZip(json, { name: 'certificate.jso' })],
      ['other name 2', makeZip(json, { name: 'Certificate.json' })],
      ['bad crc', makeZip(json, { crc: 1 })],
      ['bad size', makeZip(json, { usize: json.length + 1 })],
      ['encrypted', makeZip(json, { flags: 1 })],
      ['data descriptor', makeZip(json, { flags: 8 })],
      ['method 12', makeZip(json, { method: 12 })],
      ['stored size mismatch', makeZip(json, { method: 0, usize: 3 })],
      ['trailing bytes', makeZip(json, { trailing: Buffer.from([0]) })],
      ['deflate leaves bytes', makeZip(json, { data: Buffer.concat([zlib.deflateRawSync(json), Buffer.from([0])]) })],
      ['too large', makeZip(Buffer.alloc(9000, 32))],
      ['not a zip', Buffer.from('{"a":1}')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [what, z] of cases) assert.throws(() => unzipCertificate(new Uint8Array(z)), Error, what);
    for (let n = 0; n < ok.length; n++) {
      assert.throws(() => unzipCertificate(new Uint8Array(ok.subarray(0, n))), Error, 'truncated at ' + n);
    }
  });
  it('every single-byte change is refused or yields the same content (property)', () => {
    const ok = makeZip(json);
    fc.assert(
      fc.property(fc.nat(ok.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const m = new Uint8Array(ok);
        m[i] ^= x;
        try {
          const out = unzipCertificate(m);
          assert.deepEqual(Buffer.from(out), json); // e.g. a version or time field
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('json over bytes', () => {
  const P = (s: string | Buffer) => parseJsonBytes(new Uint8Array(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8')));
  it('agrees with JSON.parse on generated values, strings as UTF-8 byte strings (property)', () => {
    const val = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string({ unit: 'binary', maxLength: 6 }), fc.integer({ min: -1e9, max: 1e9 }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(val, fc.boolean(), (v, ascii) => {
        let s = JSON.stringify(v);
        if (ascii) s = s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
        assert.deepEqual(toPlain(P(s)), JSON.parse(s));
      }),
      { numRuns: RUNS },
    );
  });
  it('\\u escapes become UTF-8 bytes; surrogate pairs one 4-byte sequence', () => {
    assert.equal(P('"\\u00e9\\u4e2d\\ud83d\\ude00"'), Buffer.from('é中😀', 'utf8').toString('latin1'));
    assert.equal(P(Buffer.from('"é中😀"', 'utf8')), Buffer.from('é中😀', 'utf8').toString('latin1'));
  });
  it('refuses what strict JSON refuses', () => {
    const bad: (string | Buffer)[] = [
      '{"a":1,"a":2}', '{"a":1,}', '[1,]', '01', '1.5', '1e3', '-', '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"\u0001"', '"\\x"', "'a'", '{a:1}', '[1] x', '',
      'nul', 'truee', '"abc', '1234567890123456', Buffer.from([0x22, 0xc3, 0x28, 0x22]), Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), Buffer.from([0x22, 0xc0, 0x80, 0x22]),
      Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), Buffer.from([0xef, 0xbb, 0xbf, 0x31]), '[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]',
    ];
    for (const b of bad) assert.throws(() => P(b), Error, String(b));
  });
  it('"__proto__" and "constructor" are plain keys', () => {
    const o = P('{"__proto__":1,"constructor":2}') as JsonObject;
    assert.deepEqual(o.keys, ['__proto__', 'constructor']);
    assert.equal(o.get('__proto__'), 1);
    assert.equal(o.get('toString'), undefined);
  });
  it('any bytes: only Error (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        try {
          P(Buffer.from(b));
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
