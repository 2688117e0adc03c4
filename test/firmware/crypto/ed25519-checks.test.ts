// The byte-level checks of the strict Ed25519 profile (firmware/crypto/ed25519-checks.ts):
// canonical encodings (BigInt) and the eight small-order points (found with @noble/curves as the
// torsion parts [L]P of random points).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexBytes, isCanonicalEncoding, isSmallOrderEncoding } from '../../../firmware/crypto/ed25519-checks';
import { toHex } from '../../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const bigLe = (v: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) { b[i] = Number(v & 255n); v >>= 8n; } return b; };
const yOf = (b: Uint8Array) => { let v = 0n; for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(i === 31 ? b[i] & 0x7f : b[i]); return v; };

/** The RFC 8032 rule: y < p, and x = 0 (y = 1 or p - 1) only with the sign bit clear. */
const canonical = (b: Uint8Array) => { const y = yOf(b), sign = b[31] >> 7; return y < P && !(sign === 1 && (y === 1n || y === P - 1n)); };

/** Encodings of the eight points of order dividing 8, as noble finds them. */
function smallOrderEncodings(): string[] {
  const found = new Set<string>();
  for (let i = 0; i < 400 && found.size < 8; i++) {
    let pt;
    try { pt = ed25519.Point.fromBytes(new Uint8Array(crypto.randomBytes(32))); } catch { continue; }
    const t = pt.multiplyUnsafe(L - 1n).add(pt); // [L]P: the torsion part (L = 5 mod 8)
    assert.ok(t.isSmallOrder());
    found.add(toHex(t.toBytes()));
  }
  return [...found].sort();
}

describe('firmware/crypto/ed25519-checks', () => {
  it('hexBytes', () => {
    assert.deepEqual(Array.from(hexBytes('00ff10aB')), [0, 255, 16, 171]);
    assert.equal(hexBytes('').length, 0);
  });

  it('isCanonicalEncoding: y < p, and no sign bit on the two y with x = 0', () => {
    const near = (base: bigint) => fc.tuple(fc.bigInt({ min: -20n, max: 20n }), fc.boolean())
      .filter(([d]) => base + d >= 0n && base + d < 2n ** 255n)
      .map(([d, s]) => { const b = bigLe(base + d); if (s) b[31] |= 0x80; return b; });
    const arb = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), near(0n), near(P), near(2n ** 255n - 1n), near(1n));
    fc.assert(fc.property(arb, fc.nat(8), (b, off) => {
      const buf = new Uint8Array(40);
      buf.set(b, off);
      return isCanonicalEncoding(buf, off) === canonical(b);
    }), { numRuns: RUNS * 3 });
    for (const [y, sign, want] of [[P, 0, false], [P - 1n, 1, false], [P - 1n, 0, true], [1n, 1, false], [1n, 0, true], [0n, 1, true], [P + 18n, 0, false]] as const) {
      const b = bigLe(y); if (sign) b[31] |= 0x80;
      assert.equal(isCanonicalEncoding(b, 0), want, `${y} sign ${sign}`);
    }
  });

  it('isSmallOrderEncoding: exactly the eight small-order points', () => {
    const small = smallOrderEncodings();
    assert.equal(small.length, 8, small.join(' '));
    for (const h of small) {
      const buf = new Uint8Array(36);
      buf.set(hexBytes(h), 3);
      assert.ok(isSmallOrderEncoding(buf, 3), h);
    }
    for (let i = 0; i < 64; i++) {
      const p = ed25519.Point.BASE.multiply(BigInt(1 + i * 7919)).add(ed25519.Point.fromBytes(hexBytes(small[i % 8])));
      assert.equal(isSmallOrderEncoding(p.toBytes(), 0), false, toHex(p.toBytes()));
    }
  });
});
