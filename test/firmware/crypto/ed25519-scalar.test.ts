// Scalars modulo the group order L (firmware/crypto/ed25519-scalar.ts) against BigInt: the
// canonical-S check of the strict profile and the reduction of a SHA-512 digest.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { scalarIsCanonical, scalarReduce64 } from '../../../firmware/crypto/ed25519-scalar';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leBig = (b: Uint8Array) => { let v = 0n; for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]); return v; };
const bigLe = (v: bigint, n: number) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) { b[i] = Number(v & 255n); v >>= 8n; } return b; };

describe('firmware/crypto/ed25519-scalar', () => {
  it('scalarIsCanonical: true exactly below L, at any offset', () => {
    for (const v of [0n, 1n, L - 1n, L, L + 1n, 2n * L, 2n ** 253n, 2n ** 256n - 1n, L - 2n ** 128n, L + 2n ** 200n]) {
      const b = new Uint8Array(40);
      b.set(bigLe(v, 32), 5);
      assert.equal(scalarIsCanonical(b, 5), v < L, v.toString(16));
    }
    fc.assert(fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.bigInt({ min: L - 1000n, max: L + 1000n })),
      (v) => scalarIsCanonical(bigLe(v, 32), 0) === v < L), { numRuns: RUNS });
  });

  it('scalarReduce64: 64 little-endian bytes mod L', () => {
    for (const v of [0n, L - 1n, L, L + 1n, 2n ** 512n - 1n, L * L, 2n ** 256n]) {
      assert.equal(leBig(scalarReduce64(bigLe(v, 64))), v % L, v.toString(16));
    }
    fc.assert(fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }),
      (h) => leBig(scalarReduce64(h)) === leBig(h) % L), { numRuns: RUNS });
  });
});
