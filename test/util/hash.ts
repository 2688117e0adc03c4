// Shared by the hash tests (test/firmware/crypto/sha256.test.ts, sha512.test.ts): Node's hashes as
// the reference, the lengths around both block sizes, and data cut at random points.
import * as crypto from 'crypto';
import fc from 'fast-check';

export const RUNS = Number(process.env.FUZZ_RUNS) || 200;

export function nodeHash(alg: string, d: Uint8Array): string {
  return crypto.createHash(alg).update(d).digest('hex');
}

/** Every length around the block boundaries of both hashes (64 and 128), and the padding limits. */
export const BOUNDARY_LENGTHS: number[] = [];
for (let n = 0; n <= 300; n++) {
  const m64 = n % 64, m128 = n % 128;
  if (m64 <= 1 || m64 >= 54 || m128 <= 1 || m128 >= 110) BOUNDARY_LENGTHS.push(n);
}

export const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 });

/** `data` cut at random points (some parts empty). */
export const splitData = fc.tuple(bytes, fc.array(fc.nat(300), { maxLength: 6 })).map(([data, cuts]) => {
  const points = cuts.map((c) => c % (data.length + 1)).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) { parts.push(data.subarray(prev, p)); prev = p; }
  parts.push(data.subarray(prev));
  return { data, parts };
});

