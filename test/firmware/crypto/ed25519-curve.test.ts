// Points of edwards25519 in the reference verifier (firmware/crypto/ed25519-curve.ts) against
// @noble/curves: decoding (and negated decoding), addition, doubling, [s]B + [k]P, small order and
// equality. Results are compared as points (pointEqual with noble's answer decoded).
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  Point, basePoint, pointCopy, pointSetIdentity, pointNegate, pointAdd, pointDouble, pointDecode, pointIsSmallOrder,
  pointEqual, doubleScalarMultBase,
} from '../../../firmware/crypto/ed25519-curve';

const RUNS = Number(process.env.FUZZ_RUNS) || 30;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const NP = ed25519.Point;
const bigLe = (v: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) { b[i] = Number(v & 255n); v >>= 8n; } return b; };

function dec(bytes: Uint8Array, negate = false): Point {
  const p = new Point();
  assert.ok(pointDecode(p, bytes, negate));
  return p;
}
const scalar = fc.bigInt({ min: 1n, max: L - 1n });

describe('firmware/crypto/ed25519-curve', () => {
  it('decodes exactly the encodings noble decodes (canonical y), negated on request', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
      b[31] &= 0x7f; // keep y < 2^255; y >= p is left to isCanonicalEncoding
      let ok = true, np;
      try { np = NP.fromBytes(b); } catch { ok = false; }
      const p = new Point();
      if (pointDecode(p, b, false) !== ok) return false;
      if (!ok) return true;
      const n = new Point();
      pointDecode(n, b, true);
      return pointEqual(p, dec(np!.toBytes())) && pointEqual(n, dec(np!.negate().toBytes()));
    }), { numRuns: RUNS * 4 });
  });

  it('basePoint is noble\'s base point; add, double, negate, copy, identity agree with noble', () => {
    assert.ok(pointEqual(basePoint(), dec(NP.BASE.toBytes())));
    fc.assert(fc.property(scalar, scalar, (a, b) => {
      const A = NP.BASE.multiply(a), B = NP.BASE.multiply(b);
      const pa = dec(A.toBytes()), pb = dec(B.toBytes()), o = new Point();
      pointAdd(o, pa, pb);
      if (!pointEqual(o, dec(A.add(B).toBytes()))) return false;
      pointDouble(o, pa);
      if (!pointEqual(o, dec(A.double().toBytes()))) return false;
      pointNegate(o, pa);
      if (!pointEqual(o, dec(A.negate().toBytes())) || pointEqual(o, pa)) return false;
      pointCopy(o, pb);
      if (!pointEqual(o, pb)) return false;
      pointSetIdentity(o);
      pointAdd(o, o, pa);
      return pointEqual(o, pa) && !pointEqual(pa, pb) === (a !== b);
    }), { numRuns: RUNS });
  });

  it('doubleScalarMultBase computes [s]B + [k]P', () => {
    fc.assert(fc.property(scalar, scalar, scalar, (s, k, x) => {
      const Pn = NP.BASE.multiply(x), o = new Point();
      doubleScalarMultBase(o, bigLe(s), bigLe(k), dec(Pn.toBytes()));
      return pointEqual(o, dec(NP.BASE.multiply(s).add(Pn.multiply(k)).toBytes()));
    }), { numRuns: RUNS });
  });

  it('pointIsSmallOrder: the identity and (0, -1) yes, the base point and its multiples no', () => {
    assert.ok(pointIsSmallOrder(dec(bigLe(1n))));
    assert.ok(pointIsSmallOrder(dec(bigLe(2n ** 255n - 20n))));
    assert.ok(pointIsSmallOrder(dec(new Uint8Array(32)))); // y = 0: order 4
    assert.ok(!pointIsSmallOrder(basePoint()));
    fc.assert(fc.property(scalar, (a) => !pointIsSmallOrder(dec(NP.BASE.multiply(a).toBytes()))), { numRuns: RUNS });
  });
});
