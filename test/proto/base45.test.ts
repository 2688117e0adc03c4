// The base45 codec (proto/base45.ts, RFC 9285) against data/vectors/base45-rfc9285.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { base45Decode, base45Encode, base45DecodedLength } from '../../proto/base45';
import { readSharedJson, toHex } from '../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
// Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow to set up).
const codeUnit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }))
  .map((c) => String.fromCharCode(c));

describe('proto/base45 (RFC 9285 vectors)', () => {
  const f = readSharedJson('vectors/base45-rfc9285/base45_vectors.json');

  it('property: decoding from char `start` equals decoding the text after it (a prefix read in place)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 6 }), (b, pre) => {
      const t = base45Encode(b);
      assert.equal(toHex(base45Decode(pre + t, pre.length)), toHex(b));
    }));
    assert.throws(() => base45Decode('QG1:A', 4), /bad length/);
  });

  it('the vector file has 16 valid and 7 invalid cases', () => {
    assert.equal(f.valid.length, 16);
    assert.equal(f.invalid.length, 7);
  });

  it('every valid case: encode(decoded) == encoded and decode(encoded) == decoded', () => {
    for (const c of f.valid) {
      assert.equal(c.expected, 'valid');
      const bytes = new Uint8Array(Buffer.from(c.decoded_hex, 'hex'));
      assert.equal(base45Encode(bytes), c.encoded, `encode #${c.id}`);
      assert.equal(toHex(base45Decode(c.encoded)), c.decoded_hex, `decode #${c.id}`);
      if (c.decoded_ascii !== null) assert.equal(Buffer.from(bytes).toString('latin1'), c.decoded_ascii);
    }
  });

  it('the RFC 9285 examples are among them', () => {
    const enc = (s: string) => base45Encode(new Uint8Array(Buffer.from(s, 'latin1')));
    assert.equal(enc('AB'), 'BB8');
    assert.equal(enc('Hello!!'), '%69 VD92EX0');
    assert.equal(enc('base-45'), 'UJCLQE7W581');
    assert.equal(Buffer.from(base45Decode('QED8WEX0')).toString('latin1'), 'ietf!');
  });

  it('every invalid case throws an Error', () => {
    for (const c of f.invalid) {
      assert.equal(c.expected, 'decode_error');
      assert.throws(() => base45Decode(c.encoded), (e: any) => e instanceof Error && /^base45: /.test(e.message), `#${c.id} ${c.reason}`);
    }
  });

  it('boundaries: largest group and tail decode, one more does not', () => {
    assert.equal(toHex(base45Decode('FGW')), 'ffff'); // 15 + 16*45 + 32*2025 = 65535
    assert.throws(() => base45Decode('GGW'), /group too large/);
    assert.equal(toHex(base45Decode('U5')), 'ff'); // 30 + 5*45 = 255
    assert.throws(() => base45Decode('V5'), /tail too large/);
    assert.throws(() => base45Decode('AB\u00c1'), /bad char/);
    assert.throws(() => base45Decode('ab0'), /bad char/);
    assert.throws(() => base45Decode('AB\n'), /bad char/);
    assert.equal(base45DecodedLength(0), 0);
    assert.equal(base45DecodedLength(2), 1);
    assert.equal(base45DecodedLength(4), -1);
    assert.equal(base45DecodedLength(768), 512);
  });

  it('property: decode(encode(b)) == b; the encoding has 3 chars per 2 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      const s = base45Encode(b);
      assert.equal(s.length, Math.floor(b.length / 2) * 3 + (b.length % 2) * 2);
      assert.equal(base45DecodedLength(s.length), b.length);
      assert.deepEqual(base45Decode(s), b);
    }), { numRuns: RUNS });
  });

  it('property: random text either decodes to bytes that re-encode to it, or throws a plain Error', () => {
    const alpha = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    const chars = fc.oneof(fc.constantFrom(...alpha.split('')), codeUnit);
    fc.assert(fc.property(fc.array(chars, { maxLength: 40 }), (arr) => {
      const s = arr.join('');
      let out: Uint8Array;
      try {
        out = base45Decode(s);
      } catch (e: any) {
        assert.equal(e.constructor, Error);
        return;
      }
      assert.equal(base45Encode(out), s);
    }), { numRuns: RUNS * 3 });
  });
});
