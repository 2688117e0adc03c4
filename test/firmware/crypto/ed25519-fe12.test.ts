// The field arithmetic of the table-driven verifier (firmware/crypto/ed25519-fe12.ts: twelve
// float limbs) against BigInt mod p, within the magnitudes its generator documents.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { fFromBytes, fToBytes, fInvert } from '../../../firmware/crypto/ed25519-fast';
import { fmul, fmulT, fsqr, fadd, FE_W, FE_LIMBS, FE_MAX_MAGNITUDE, FE_LIMB1_SLACK } from '../../../firmware/crypto/ed25519-fe12';
import { toHex } from '../../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 25;
const P = 2n ** 255n - 19n;

describe('crypto/ed25519-fe12 arithmetic (exact within the documented magnitudes)', () => {
  const NL = FE_LIMBS;
  const bits = (i: number) => FE_W[i + 1] - FE_W[i];
  // The largest |limb| of a reduced element (a product): 2^(bits-1), plus the slack on limb 1.
  const reduced = (i: number) => 2 ** (bits(i) - 1) + (i === 1 ? FE_LIMB1_SLACK : 0);
  const toBig = (a: ArrayLike<number>) => { let v = 0n; for (let i = 0; i < NL; i++) v += BigInt(a[i]) << BigInt(FE_W[i]); return ((v % P) + P) % P; };
  const limbsArb = (mag: number) => fc.array(fc.integer({ min: -1, max: 1 }), { minLength: NL, maxLength: NL }).chain((signs) =>
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: NL, maxLength: NL }).map((fr) => {
      const a = new Float64Array(NL);
      for (let i = 0; i < NL; i++) a[i] = Math.trunc((signs[i] || 1) * fr[i] * reduced(i) * mag);
      return a;
    }));
  // A table element: canonical limbs, 0 <= limb < 2^bits (magnitude 2).
  const tableArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: NL, maxLength: NL })
    .map((fr) => Int32Array.from(fr.map((f, i) => Math.min(2 ** bits(i) - 1, Math.floor(f * 2 ** bits(i))))));
  const isReduced = (o: Float64Array) => {
    for (let i = 0; i < NL; i++) if (Math.abs(o[i]) > reduced(i)) return false;
    return true;
  };
  it('the generator\'s bound covers the point formulas (magnitude product up to 12)', () => {
    assert.equal(FE_LIMBS, 12);
    assert.ok(FE_MAX_MAGNITUDE >= 12 && FE_MAX_MAGNITUDE <= 16, String(FE_MAX_MAGNITUDE));
  });
  for (const [ma, mb] of [[4, 4], [2, 8], [1, 16]]) {
    it(`property: fmul/fsqr match BigInt mod p for inputs of magnitudes ${ma} and ${mb}; outputs reduced`, () => {
      fc.assert(fc.property(limbsArb(ma), limbsArb(mb), (a, b) => {
        const o = new Float64Array(NL), s = new Float64Array(NL);
        fmul(o, a, b);
        if (toBig(o) !== (toBig(a) * toBig(b)) % P || !isReduced(o)) return false;
        fmul(o, b, a);
        if (toBig(o) !== (toBig(a) * toBig(b)) % P || !isReduced(o)) return false;
        const sq = ma * ma <= FE_MAX_MAGNITUDE ? a : b;
        fsqr(s, sq);
        return toBig(s) === (toBig(sq) * toBig(sq)) % P && isReduced(s);
      }), { numRuns: RUNS * 4 });
    });
  }
  it('property: fmulT (a table element, magnitude 2) matches BigInt mod p for the other input of magnitude 8', () => {
    fc.assert(fc.property(limbsArb(8), tableArb, fc.integer({ min: 0, max: 5 }), (a, t, pad) => {
      const tb = new Int32Array(pad + NL);
      tb.set(t, pad);
      const o = new Float64Array(NL);
      fmulT(o, a, tb, pad);
      return toBig(o) === (toBig(a) * toBig(t)) % P && isReduced(o);
    }), { numRuns: RUNS * 4 });
  });
  it('extreme limbs (every limb at the bound, magnitudes 4 and 4, 2 and 8) multiply exactly', () => {
    for (const [ma, mb] of [[4, 4], [2, 8]]) for (const sa of [1, -1]) for (const sb of [1, -1]) {
      const a = new Float64Array(NL), b = new Float64Array(NL), o = new Float64Array(NL);
      for (let i = 0; i < NL; i++) { a[i] = sa * ma * reduced(i); b[i] = sb * mb * reduced(i); }
      fmul(o, a, b);
      assert.equal(toBig(o), (toBig(a) * toBig(b)) % P);
      assert.ok(isReduced(o));
      if (ma === 4) {
        fsqr(o, a);
        assert.equal(toBig(o), (toBig(a) * toBig(a)) % P);
        assert.ok(isReduced(o));
      }
    }
  });
  it('fToBytes/fFromBytes round trip canonically; fInvert inverts', () => {
    for (let i = 0; i < 30; i++) {
      const bytes = crypto.randomBytes(32);
      bytes[31] &= 0x7f;
      let v = 0n;
      for (let j = 31; j >= 0; j--) v = (v << 8n) | BigInt(bytes[j]);
      const a = new Float64Array(NL);
      fFromBytes(a, bytes, 0);
      const sum = new Float64Array(NL);
      fadd(sum, a, a);
      const out = new Uint8Array(32);
      fToBytes(out, 0, sum);
      let w = 0n;
      for (let j = 31; j >= 0; j--) w = (w << 8n) | BigInt(out[j]);
      assert.equal(w, (2n * v) % P);
      const inv = new Float64Array(NL), one = new Float64Array(NL);
      fInvert(inv, a);
      fmul(one, inv, a);
      if (v % P !== 0n) assert.equal(toBig(one), 1n);
    }
    // p itself and p + 1 .. 2^255 - 1 encode reduced
    const pb = new Uint8Array(32).fill(0xff); pb[0] = 0xed; pb[31] = 0x7f;
    const a = new Float64Array(NL), out = new Uint8Array(32);
    fFromBytes(a, pb, 0);
    fToBytes(out, 0, a);
    assert.equal(toHex(out), '00'.repeat(32));
  });
});
