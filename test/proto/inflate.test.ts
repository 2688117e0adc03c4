// Raw inflate (proto/inflate.ts, under the DIVOC reader) against zlib.
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { inflateRaw } from '../../proto/inflate';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 300;

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
