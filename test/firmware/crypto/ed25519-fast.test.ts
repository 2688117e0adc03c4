// The table-driven verifier (firmware/crypto/ed25519-fast.ts; its field arithmetic: ed25519-fe12.test.ts) against every
// published Ed25519 vector in data/vectors (strict profile, column strict_no_small_order),
// with a key table and without one; against the reference verifier on random keys and messages;
// and with corrupted tables (rejected by openTable, so the reference verifier decides).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { verify } from '../../../firmware/crypto/ed25519';
import {
  makeBaseTable, makeKeyTable, makeTable, openTable, verifyWithTables,
  EdTable, TABLE_KIND_BASE, TABLE_KIND_KEY, TABLE_HEADER, TABLE_TRAILER,
} from '../../../firmware/crypto/ed25519-fast';
import { FE_W, FE_LIMBS } from '../../../firmware/crypto/ed25519-fe12';
import { isSmallOrderEncoding } from '../../../firmware/crypto/ed25519-checks';
import { ed25519 } from '@noble/curves/ed25519.js';
import { readSharedJson, hex, toHex } from '../../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS) || 25;
const P = 2n ** 255n - 19n;
function modInv(a: bigint): bigint {
  let r = 1n, b = ((a % P) + P) % P, e = P - 2n;
  while (e > 0n) { if (e & 1n) r = (r * b) % P; b = (b * b) % P; e >>= 1n; }
  return r;
}
const nodeSha512 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha512').update(d).digest());
const nodeSha256 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const verdict = (ok: boolean) => (ok ? 'valid' : 'invalid');

const BASE_BYTES = makeBaseTable();
const BASE = openTable(BASE_BYTES, TABLE_KIND_BASE)!;
const keyTables = new Map<string, EdTable | null>();
function keyTableFor(pub: Uint8Array): EdTable | null {
  const k = toHex(pub);
  if (!keyTables.has(k)) {
    const t = makeKeyTable(pub);
    keyTables.set(k, t ? openTable(t, TABLE_KIND_KEY, pub) : null);
  }
  return keyTables.get(k)!;
}

/** Verdicts of the fast path with a key table (when the key has one) and without. */
function both(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): [boolean, boolean] {
  const withKey = verify(pub, msg, sig, undefined, { baseTable: BASE, keyTable: pub.length === 32 ? keyTableFor(pub) : null });
  const noKey = verifyWithTables(pub, msg, sig, nodeSha512, BASE, null);
  return [withKey, noKey];
}

/** Every case of every vector file: [pub, msg, sig, expected, label]. */
function allVectors(): [Uint8Array, Uint8Array, Uint8Array, string, string][] {
  const out: [Uint8Array, Uint8Array, Uint8Array, string, string][] = [];
  const rfc = readSharedJson('vectors/rfc8032-ed25519/rfc8032_7_1_ed25519.json');
  for (const c of rfc.cases.concat(rfc.negative_cases)) out.push([hex(c.public_key), hex(c.message), hex(c.signature), c.expected, `rfc8032 ${c.id}`]);
  for (const file of ['ed25519_test.json', 'eddsa_test_legacy.json']) {
    const f = readSharedJson(`vectors/wycheproof-ed25519/${file}`);
    for (const g of f.testGroups) {
      const key = g.publicKey || g.key;
      for (const t of g.tests) out.push([hex(key.pk), hex(t.msg), hex(t.sig), t.result, `${file} tcId ${t.tcId}`]);
    }
  }
  const sraw = readSharedJson('vectors/ed25519-speccheck/cases.json');
  const sexp = readSharedJson('vectors/ed25519-speccheck/cases_expected.json');
  sraw.forEach((c: any, i: number) => out.push([hex(c.pub_key), hex(c.message), hex(c.signature), sexp.cases[i].expected.strict_no_small_order, `speccheck ${i}`]));
  const craw = readSharedJson('vectors/cctv-ed25519/ed25519vectors.json');
  const cexp = readSharedJson('vectors/cctv-ed25519/ed25519vectors_expected.json');
  craw.forEach((v: any, i: number) => out.push([hex(v.key), new Uint8Array(Buffer.from(v.msg, 'latin1')), hex(v.sig), cexp.vectors[i].expected.strict_no_small_order, `cctv #${v.number}`]));
  return out;
}

describe('crypto/ed25519-fast vectors (strict profile, with and without a key table)', () => {
  it('every published vector: the fast path gives the expected verdict, with and without key table', function () {
    this.timeout(120000);
    const vs = allVectors();
    assert.ok(vs.length > 1200, `${vs.length} vectors`);
    const wrong: string[] = [];
    let valid = 0;
    for (const [pub, msg, sig, expected, label] of vs) {
      if (expected === 'acceptable') continue;
      const [a, b] = both(pub, msg, sig);
      if (verdict(a) !== expected) wrong.push(`${label}: with key table ${verdict(a)}, expected ${expected}`);
      if (verdict(b) !== expected) wrong.push(`${label}: without key table ${verdict(b)}, expected ${expected}`);
      if (a) valid++;
    }
    assert.deepEqual(wrong, []);
    // 5 (RFC) + 88 + 84 (Wycheproof) + 1 (speccheck) + 43 (CCTV)
    assert.equal(valid, 5 + 88 + 84 + 1 + 43);
  });

  it('verify with tables: the same verdicts as without (RFC 8032), native SHA-512 injected', () => {
    const f = readSharedJson('vectors/rfc8032-ed25519/rfc8032_7_1_ed25519.json');
    for (const c of f.cases.concat(f.negative_cases)) {
      const pub = hex(c.public_key);
      const got = verify(pub, hex(c.message), hex(c.signature), nodeSha512, { baseTable: BASE, keyTable: keyTableFor(pub) });
      assert.equal(verdict(got), c.expected, c.id);
      // no tables: the reference verifier
      assert.equal(verdict(verify(pub, hex(c.message), hex(c.signature), nodeSha512, {})), c.expected, c.id);
    }
  });
});

describe('crypto/ed25519-fast tables', () => {
  it('formats: sizes, header, checksum; deterministic', () => {
    assert.equal(FE_LIMBS, 12);
    assert.equal(BASE_BYTES.length, TABLE_HEADER + 64 * 3 * 12 * 4 + TABLE_TRAILER);
    assert.equal(BASE_BYTES.length, 9264);
    assert.deepEqual(Array.from(BASE_BYTES.subarray(0, 8)), [0x45, 0x64, 0x54, 2, TABLE_KIND_BASE, 8, 5, 12]);
    assert.equal(toHex(BASE_BYTES.subarray(8, 40)), '58' + '66'.repeat(31));
    assert.deepEqual(BASE_BYTES.subarray(BASE_BYTES.length - 8), nodeSha256(BASE_BYTES.subarray(0, BASE_BYTES.length - 8)).subarray(0, 8));
    assert.deepEqual(makeBaseTable(nodeSha256), BASE_BYTES);
    // A version 1 table (13 limbs, 4 segments) is refused, even with a matching checksum.
    const v1 = BASE_BYTES.slice();
    v1[3] = 1;
    v1.set(nodeSha256(v1.subarray(0, v1.length - 8)).subarray(0, 8), v1.length - 8);
    assert.equal(openTable(v1, TABLE_KIND_BASE), null);
    assert.ok(openTable(BASE_BYTES.slice(), TABLE_KIND_BASE));
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
    const kt = makeKeyTable(kp.publicKey)!;
    assert.equal(kt.length, 2352);
    assert.equal(makeKeyTable(kp.publicKey, 4)!.length, 4656);
    assert.deepEqual(kt.subarray(8, 40), kp.publicKey);
    // Every stored limb is the canonical limb of the value (0 <= limb < 2^bits).
    const dv = new DataView(kt.buffer, kt.byteOffset);
    for (let i = TABLE_HEADER; i < kt.length - TABLE_TRAILER; i += 4) {
      const l = ((i - TABLE_HEADER) >> 2) % 12;
      const v = dv.getInt32(i, true);
      assert.ok(v >= 0 && v < 2 ** (FE_W[l + 1] - FE_W[l]), `limb at ${i}`);
    }
  });

  it('the table points are the odd multiples of 2^(32 j) P in (y + x, y - x, 2dxy) form', () => {
    // Checked against @noble/curves-free BigInt arithmetic: decode the first entries by solving.
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
    const kt = makeKeyTable(kp.publicKey)!;
    const dv = new DataView(kt.buffer, kt.byteOffset);
    const elem = (pt: number, k: number) => {
      let v = 0n;
      for (let l = 0; l < 12; l++) v += BigInt(dv.getInt32(TABLE_HEADER + ((pt * 3 + k) * 12 + l) * 4, true)) << BigInt(FE_W[l]);
      return v % P;
    };
    const inv2 = (P + 1n) / 2n;
    // point 0 = 1 * A: y = (ypx + ymx) / 2 must be the key's y
    const y = ((elem(0, 0) + elem(0, 1)) * inv2) % P;
    let ky = 0n;
    for (let i = 31; i >= 0; i--) ky = (ky << 8n) | BigInt(i === 31 ? kp.publicKey[i] & 0x7f : kp.publicKey[i]);
    assert.equal(y, ky);
    // x parity = sign bit
    const x = (((elem(0, 0) - elem(0, 1)) % P + P) % P * inv2) % P;
    assert.equal(Number(x & 1n), kp.publicKey[31] >> 7);
  });

  it('every point of the base and a key table is (2i + 1) 2^(32 j) P of its segment j (checked with @noble/curves)', () => {
    const Pt = ed25519.Point;
    const D2 = (2n * ((-121665n * modInv(121666n)) % P) + 2n * P) % P;
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(11));
    for (const [bytes, point] of [[BASE_BYTES, Pt.BASE], [makeKeyTable(kp.publicKey)!, Pt.fromHex(toHex(kp.publicKey))]] as const) {
      const segs = bytes[5], w = bytes[6], per = 1 << (w - 2), len = 256 / segs;
      assert.equal(segs, 8);
      assert.equal(bytes.length, TABLE_HEADER + segs * per * 3 * 12 * 4 + TABLE_TRAILER);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      const elem = (pt: number, k: number) => {
        let v = 0n;
        for (let l = 0; l < 12; l++) v += BigInt(dv.getInt32(TABLE_HEADER + ((pt * 3 + k) * 12 + l) * 4, true)) << BigInt(FE_W[l]);
        return v;
      };
      for (let j = 0; j < segs; j++) {
        for (let i = 0; i < per; i++) {
          const q = point.multiply((2n * BigInt(i) + 1n) << BigInt(len * j)).toAffine();
          const at = j * per + i;
          assert.equal(elem(at, 0), (q.y + q.x) % P, `y + x of point ${at}`);
          assert.equal(elem(at, 1), (q.y - q.x + P) % P, `y - x of point ${at}`);
          assert.equal(elem(at, 2), (D2 * q.x % P) * q.y % P, `2dxy of point ${at}`);
        }
      }
    }
  });

  it('makeKeyTable refuses keys the strict profile rejects (small order, non-canonical, off-curve)', () => {
    assert.equal(makeKeyTable(hex('0100000000000000000000000000000000000000000000000000000000000000')), undefined);
    assert.equal(makeKeyTable(hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')), undefined);
    assert.equal(makeKeyTable(hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')), undefined);
    // y = 2 is not on the curve
    assert.equal(makeKeyTable(hex('0200000000000000000000000000000000000000000000000000000000000000')), undefined);
    assert.equal(makeKeyTable(new Uint8Array(31)), undefined);
    assert.equal(makeTable(BASE_BYTES.subarray(8, 40), TABLE_KIND_BASE, 8), undefined);
  });

  it('isSmallOrderEncoding: exactly the 8 canonical small-order encodings among canonical ones', () => {
    const small = [
      '0100000000000000000000000000000000000000000000000000000000000000',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0000000000000000000000000000000000000000000000000000000000000080',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    ];
    for (const h of small) assert.equal(isSmallOrderEncoding(hex(h), 0), true, h);
    for (let i = 0; i < 50; i++) assert.equal(isSmallOrderEncoding(nacl.sign.keyPair().publicKey, 0), false);
    assert.equal(isSmallOrderEncoding(BASE_BYTES.subarray(8, 40), 0), false);
  });

  it('openTable rejects corrupted, truncated, foreign and wrong-kind tables; verify then falls back', () => {
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(5));
    const other = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(6));
    const kt = makeKeyTable(kp.publicKey)!;
    assert.ok(openTable(kt, TABLE_KIND_KEY, kp.publicKey));
    assert.equal(openTable(kt, TABLE_KIND_KEY, other.publicKey), null);
    assert.equal(openTable(kt, TABLE_KIND_BASE), null);
    assert.equal(openTable(BASE_BYTES, TABLE_KIND_KEY, kp.publicKey), null);
    assert.equal(openTable(kt.subarray(0, kt.length - 1), TABLE_KIND_KEY, kp.publicKey), null);
    assert.equal(openTable(undefined, TABLE_KIND_KEY), null);
    assert.equal(openTable(new Uint8Array(10), TABLE_KIND_BASE), null);
    const msg = new Uint8Array(Buffer.from('corrupt me'));
    const sig = nacl.sign.detached(msg, kp.secretKey);
    fc.assert(fc.property(fc.nat(BASE_BYTES.length * 8 - 1), fc.nat(kt.length * 8 - 1), (bb, kb) => {
      const b = new Uint8Array(BASE_BYTES); b[bb >> 3] ^= 1 << (bb & 7);
      const k = new Uint8Array(kt); k[kb >> 3] ^= 1 << (kb & 7);
      const ob = openTable(b, TABLE_KIND_BASE, undefined, nodeSha256);
      const ok = openTable(k, TABLE_KIND_KEY, kp.publicKey, nodeSha256);
      if (ob !== null || ok !== null) return false;
      // with the rejected (null) tables, verify is the reference verifier: same verdicts
      return verify(kp.publicKey, msg, sig, undefined, { baseTable: ob, keyTable: ok }) === true &&
        verify(kp.publicKey, msg, new Uint8Array(sig.length), undefined, { baseTable: ob, keyTable: ok }) === false;
    }), { numRuns: 20 });
  });

  it('a key table for another key is ignored (never used for the wrong key)', () => {
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(11));
    const other = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(12));
    const otherTable = keyTableFor(other.publicKey);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = nacl.sign.detached(msg, kp.secretKey);
    assert.equal(verify(kp.publicKey, msg, sig, undefined, { baseTable: BASE, keyTable: otherTable }), true);
    const sigO = nacl.sign.detached(msg, other.secretKey);
    assert.equal(verify(kp.publicKey, msg, sigO, undefined, { baseTable: BASE, keyTable: otherTable }), false);
  });
});

describe('crypto/ed25519-fast against the reference verifier', () => {
  const arb = fc.record({
    seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    msg: fc.uint8Array({ minLength: 0, maxLength: 300 }),
    sigBit: fc.nat(511),
    pubBit: fc.nat(255),
  });
  it('property: random keys and messages: fast (with/without key table) = reference, also after a flipped bit', () => {
    fc.assert(fc.property(arb, ({ seed, msg, sigBit, pubBit }) => {
      const kp = nacl.sign.keyPair.fromSeed(seed);
      const sig = nacl.sign.detached(msg, kp.secretKey);
      const flip = (b: Uint8Array, bit: number) => { const c = new Uint8Array(b); c[bit >> 3] ^= 1 << (bit & 7); return c; };
      const cases: [Uint8Array, Uint8Array][] = [[kp.publicKey, sig], [kp.publicKey, flip(sig, sigBit)], [flip(kp.publicKey, pubBit), sig]];
      for (const [pub, s] of cases) {
        const ref = verify(pub, msg, s);
        const [a, b] = both(pub, msg, s);
        if (a !== ref || b !== ref) return false;
      }
      return verify(kp.publicKey, msg, sig, undefined, { baseTable: BASE, keyTable: keyTableFor(kp.publicKey) });
    }), { numRuns: RUNS });
  });
});
