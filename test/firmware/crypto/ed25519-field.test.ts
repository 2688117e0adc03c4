// Arithmetic modulo p = 2^255 - 19 of the reference verifier (firmware/crypto/ed25519-field.ts,
// 16 limbs of 16 bits) against BigInt: encoding, +, -, *, square, inverse, the (p-5)/8 power,
// equality, zero and sign.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import {
  fe, feAdd, feSub, feMul, feSqr, feInv, fePow2523, feFromBytes, feToBytes, feEqual, feIsZero, feIsOdd, feK, Fe,
} from '../../../firmware/crypto/ed25519-field';

const RUNS = Number(process.env.FUZZ_RUNS) || 200;
const P = 2n ** 255n - 19n;
const mod = (v: bigint) => ((v % P) + P) % P;
function powMod(b: bigint, e: bigint): bigint {
  let r = 1n; b = mod(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const leBig = (b: Uint8Array) => { let v = 0n; for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]); return v; };
const bigLe = (v: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) { b[i] = Number(v & 255n); v >>= 8n; } return b; };
function val(a: Fe): bigint { const out = new Uint8Array(32); feToBytes(out, a); return leBig(out); }
function elem(b: Uint8Array): Fe { const a = fe(); feFromBytes(a, b); return a; }

/** 32 bytes, biased towards values near 0, p and 2^255 (bit 255 set or not). */
const bytes32 = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.bigInt({ min: 0n, max: 40n }).map((d) => bigLe(d)),
  fc.bigInt({ min: 0n, max: 40n }).map((d) => bigLe(P - 20n + d)),
  fc.bigInt({ min: 0n, max: 40n }).map((d) => bigLe(2n ** 256n - 1n - d)),
);

describe('firmware/crypto/ed25519-field', () => {
  it('feFromBytes ignores bit 255 and feToBytes gives the canonical value mod p', () => {
    fc.assert(fc.property(bytes32, (b) => val(elem(b)) === mod(leBig(b) & (2n ** 255n - 1n))), { numRuns: RUNS });
    const p = bigLe(P);
    assert.equal(val(elem(p)), 0n);
    assert.ok(feIsZero(elem(p)));
  });

  it('property: add, sub, mul, sqr match BigInt mod p (outputs also as inputs)', () => {
    fc.assert(fc.property(bytes32, bytes32, (x, y) => {
      const a = elem(x), b = elem(y), va = val(a), vb = val(b), o = fe();
      feAdd(o, a, b); if (val(o) !== mod(va + vb)) return false;
      feSub(o, a, b); if (val(o) !== mod(va - vb)) return false;
      feMul(o, a, b); if (val(o) !== mod(va * vb)) return false;
      feSqr(o, a); if (val(o) !== mod(va * va)) return false;
      // Unreduced sums and differences fed into a product (how the curve formulas use them).
      const s = fe(), d = fe();
      feAdd(s, a, b); feSub(d, a, b); feMul(o, s, d);
      if (val(o) !== mod((va + vb) * (va - vb))) return false;
      feMul(a, a, b); // o may alias an input
      return val(a) === mod(va * vb);
    }), { numRuns: RUNS });
  });

  it('property: feInv inverts (0 stays 0) and fePow2523 is x^((p-5)/8)', () => {
    fc.assert(fc.property(bytes32, (x) => {
      const a = elem(x), va = val(a), o = fe();
      feInv(o, a);
      if (val(o) !== (va === 0n ? 0n : powMod(va, P - 2n))) return false;
      fePow2523(o, a);
      return val(o) === powMod(va, (P - 5n) / 8n);
    }), { numRuns: Math.ceil(RUNS / 4) });
  });

  it('feEqual, feIsZero and feIsOdd look at the canonical value', () => {
    fc.assert(fc.property(bytes32, (x) => {
      const a = elem(x), v = val(a);
      const same = elem(bigLe(v + P < 2n ** 255n ? v + P : v)); // another encoding of v when one fits
      return feEqual(a, same) && feIsZero(a) === (v === 0n) && feIsOdd(a) === Number(v & 1n)
        && !feEqual(a, elem(bigLe(mod(v + 1n))));
    }), { numRuns: RUNS });
  });

  it('holds the curve constants: d = -121665/121666, 2d, sqrt(-1)', () => {
    const k = feK();
    assert.equal(val(k.d), mod(-121665n * powMod(121666n, P - 2n)));
    assert.equal(val(k.d2), mod(2n * val(k.d)));
    assert.equal(mod(val(k.sqrtm1) * val(k.sqrtm1)), P - 1n);
    assert.equal(val(k.one), 1n);
    assert.equal(val(k.zero), 0n);
  });
});
