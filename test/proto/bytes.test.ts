// proto/bytes.ts helpers (UTF-8, hex, byte strings) against Node's Buffer.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import {
  hexOf, fromHex, bytesEqual, compareBytes, concatBytes, byteStringToBytes, bytesToByteString, utf8Encode, isValidUtf8, putU32le,
} from '../../proto/bytes';
import { toHex } from '../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
// Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow to set up).
const codeUnit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }))
  .map((c) => String.fromCharCode(c));

describe('proto/bytes', () => {
  it('hexOf / fromHex', () => {
    assert.equal(hexOf(new Uint8Array([0, 1, 0xab, 0xff])), '0001abff');
    assert.deepEqual(fromHex('0001ABff'), new Uint8Array([0, 1, 0xab, 0xff]));
    assert.deepEqual(fromHex(''), new Uint8Array(0));
    assert.throws(() => fromHex('abc'), /odd/);
    assert.throws(() => fromHex('zz'), /bad digit/);
    assert.throws(() => fromHex('0g'), /bad digit/);
  });

  it('bytesEqual / compareBytes / concatBytes', () => {
    const a = new Uint8Array([1, 2, 3]);
    assert.ok(bytesEqual(a, new Uint8Array([1, 2, 3])));
    assert.ok(!bytesEqual(a, new Uint8Array([1, 2])));
    assert.ok(!bytesEqual(a, new Uint8Array([1, 2, 4])));
    assert.ok(compareBytes(a, new Uint8Array([1, 2, 4])) < 0);
    assert.ok(compareBytes(a, new Uint8Array([1, 2])) > 0);
    assert.equal(compareBytes(a, a.slice()), 0);
    assert.deepEqual(concatBytes([a, new Uint8Array(0), new Uint8Array([9])]), new Uint8Array([1, 2, 3, 9]));
    assert.deepEqual(concatBytes([]), new Uint8Array(0));
  });

  it('putU32le writes 32-bit words as Node does (the native verifier\'s pieces, journal headers, LoRa MACs)', () => {
    for (const v of [0, 1, 255, 256, 0x12345678, 0x80000002, 0xffffffff]) {
      const b = new Uint8Array(6);
      putU32le(b, 1, v);
      const want = Buffer.alloc(6);
      want.writeUInt32LE(v, 1);
      assert.deepEqual(Array.from(b), Array.from(want));
    }
  });
  it('byte strings', () => {
    assert.deepEqual(byteStringToBytes('A\u00e9\u00ff'), new Uint8Array([0x41, 0xe9, 0xff]));
    assert.throws(() => byteStringToBytes('\u0100'), /above 255/);
    assert.equal(bytesToByteString(new Uint8Array([0x41, 0xe9, 0xff])), 'A\u00e9\u00ff');
    assert.equal(bytesToByteString(new Uint8Array([1, 2, 3, 4]), 1, 3), '\u0002\u0003');
  });

  it('utf8Encode matches Node for well-formed text, and maps lone surrogates to U+FFFD like Node', () => {
    for (const s of ['', 'abc', '\u00e9', '\u20ac', '\u6c34', '\ud800\udd51', 'a\ud800b', '\udc00', 'x\ud83d']) {
      assert.equal(toHex(utf8Encode(s)), Buffer.from(s, 'utf8').toString('hex'), JSON.stringify(s));
    }
    fc.assert(fc.property(fc.string({ unit: codeUnit, maxLength: 20 }), (s) => {
      assert.equal(toHex(utf8Encode(s)), Buffer.from(s, 'utf8').toString('hex'));
    }), { numRuns: RUNS });
  });

  it('isValidUtf8: strict RFC 3629', () => {
    const ok = ['', '00', '7f', 'c280', 'dfbf', 'e0a080', 'ed9fbf', 'ee8080', 'efbfbf', 'f0908080', 'f48fbfbf', 'e282ac'];
    const bad = ['80', 'bf', 'c0af', 'c1bf', 'c2', 'e0', 'e080', 'e09fbf', 'eda080', 'edbfbf', 'f08fbfbf', 'f4908080',
      'f5808080', 'ff', 'fe', 'c241', 'e282', 'f09080'];
    for (const h of ok) assert.ok(isValidUtf8(fromHex(h)), h);
    for (const h of bad) assert.ok(!isValidUtf8(fromHex(h)), h);
    // Range arguments.
    assert.ok(isValidUtf8(fromHex('ffc280ff'), 1, 3));
    assert.ok(!isValidUtf8(fromHex('ffc280ff'), 1, 2));
    // Agrees with Node's fatal TextDecoder on random bytes.
    const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const nodeValid = (b: Uint8Array) => { try { dec.decode(b); return true; } catch { return false; } };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
      assert.equal(isValidUtf8(b), nodeValid(b), toHex(b));
    }), { numRuns: RUNS * 3 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      assert.ok(isValidUtf8(new Uint8Array(Buffer.from(s, 'utf8'))));
    }), { numRuns: RUNS });
  });
});
