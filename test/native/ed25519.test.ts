// The native (Thumb-2, Cortex-M3) Ed25519 verifier, i.e. the exact bytes committed in
// firmware/crypto/native-code.generated.ts, run under qemu-arm through native/harness against
// every Ed25519 vector file in data/vectors (strict profile, spec/qg1.md section 1).
// Each group of cases is one qemu-arm run. Needs gcc-arm-none-eabi and qemu-user (skipped with a
// message when missing outside CI; a failure under CI=1).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { ed25519 } from '@noble/curves/ed25519.js';
import { verify as jsVerify } from '../../firmware/crypto/ed25519';
import { VECTORS, readSharedJson, hex, toHex } from '../util/shared';
import { requireTools, runHarness, Case } from './qemu';

const RUNS = Number(process.env.FUZZ_RUNS) || 8;
const verdict = (ok: boolean) => (ok ? 'valid' : 'invalid');
const sha512 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha512').update(d).digest());

interface Expected extends Case {
  expected: string;
  label: string;
}

function check(cases: Expected[]): boolean[] {
  const run = runHarness(cases);
  const wrong: string[] = [];
  run.verdicts.forEach((v, i) => {
    if (verdict(v) !== cases[i].expected) wrong.push(`${cases[i].label}: expected ${cases[i].expected}, got ${verdict(v)}`);
  });
  assert.deepEqual(wrong, []);
  return run.verdicts;
}

describe('native ed25519 (qemu-arm) vectors, strict profile', function () {
  before(function () {
    requireTools(this);
  });

  it(`RFC 8032 7.1: 5 valid, 3 invalid (${VECTORS})`, () => {
    const f = readSharedJson('vectors/rfc8032-ed25519/rfc8032_7_1_ed25519.json');
    const all = f.cases.concat(f.negative_cases);
    assert.equal(all.length, 8);
    const v = check(all.map((c: any) => ({ pub: hex(c.public_key), sig: hex(c.signature), msg: hex(c.message), expected: c.expected, label: `${c.id} ${c.name}` })));
    assert.deepEqual(v, [true, true, true, true, true, false, false, false]);
  });

  for (const [file, valid, invalid] of [['ed25519_test.json', 88, 63], ['eddsa_test_legacy.json', 84, 61]] as const) {
    it(`Wycheproof ${file}: every verdict as written (${valid} valid, ${invalid} invalid)`, () => {
      const f = readSharedJson(`vectors/wycheproof-ed25519/${file}`);
      const cases: Expected[] = [];
      for (const g of f.testGroups) {
        const key = g.publicKey || g.key;
        assert.equal(key.curve, 'edwards25519');
        for (const t of g.tests) {
          assert.ok(t.result === 'valid' || t.result === 'invalid', `tcId ${t.tcId}: ${t.result}`);
          // Wycheproof has signatures of the wrong length: invalid by definition, the native
          // entry takes exactly 64 bytes (firmware/crypto/native.ts rejects others before calling).
          const sig = hex(t.sig);
          if (sig.length !== 64 || key.pk.length !== 64) {
            assert.equal(t.result, 'invalid', `tcId ${t.tcId}`);
            continue;
          }
          cases.push({ pub: hex(key.pk), sig, msg: hex(t.msg), expected: t.result, label: `tcId ${t.tcId} (${t.comment})` });
        }
      }
      const v = check(cases);
      assert.equal(v.filter((x) => x).length, valid);
      assert.ok(cases.length - valid <= invalid);
    });
  }

  it('ed25519-speccheck: column strict_no_small_order, exactly index 3 valid', () => {
    const raw = readSharedJson('vectors/ed25519-speccheck/cases.json');
    const f = readSharedJson('vectors/ed25519-speccheck/cases_expected.json');
    assert.equal(raw.length, 12);
    const v = check(raw.map((c: any, i: number) => {
      assert.equal(f.cases[i].signature, c.signature);
      return { pub: hex(c.pub_key), sig: hex(c.signature), msg: hex(c.message), expected: f.cases[i].expected.strict_no_small_order, label: `case ${i}` };
    }));
    assert.deepEqual(v.map((x, i) => (x ? i : -1)).filter((i) => i >= 0), [3]);
  });

  it('CCTV ed25519vectors: column strict_no_small_order, exactly 43 of 914 valid', () => {
    const raw = readSharedJson('vectors/cctv-ed25519/ed25519vectors.json');
    const f = readSharedJson('vectors/cctv-ed25519/ed25519vectors_expected.json');
    assert.equal(raw.length, 914);
    assert.equal(f.counts['strict_no_small_order:valid'], 43);
    const v = check(raw.map((r: any, i: number) => {
      const e = f.vectors[i];
      assert.equal(e.key + e.sig + e.msg, r.key + r.sig + r.msg);
      return { pub: hex(r.key), sig: hex(r.sig), msg: new Uint8Array(Buffer.from(r.msg, 'latin1')), expected: e.expected.strict_no_small_order, label: `#${r.number} [${(r.flags || []).join(',')}]` };
    }));
    assert.equal(v.filter((x) => x).length, 43);
  });
});

describe('native ed25519 (qemu-arm) the message in pieces', function () {
  before(function () {
    requireTools(this);
  });
  // (firmware/main.ts passes a long message, a trust bundle's Sig_structure, as its head in RAM
  // and its payload where it lies in flash: qg_verify.c's pieces)
  it('every Wycheproof and CCTV vector gives the same verdict in 2 and in 4 pieces as whole', () => {
    const cases: Case[] = [];
    const w = readSharedJson('vectors/wycheproof-ed25519/ed25519_test.json');
    for (const g of w.testGroups) for (const t of g.tests) if (hex(t.sig).length === 64) cases.push({ pub: hex(g.publicKey.pk), sig: hex(t.sig), msg: hex(t.msg) });
    for (const r of readSharedJson('vectors/cctv-ed25519/ed25519vectors.json')) cases.push({ pub: hex(r.key), sig: hex(r.sig), msg: new Uint8Array(Buffer.from(r.msg, 'latin1')) });
    // a long message, as a 64-key trust bundle's (4 KB), signed
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
    const long = new Uint8Array(4133).map((_, i) => (i * 7 + 3) & 255);
    cases.push({ pub: kp.publicKey, sig: nacl.sign.detached(long, kp.secretKey), msg: long });
    const whole = runHarness(cases).verdicts;
    assert.ok(whole[whole.length - 1], 'the long message verifies whole');
    assert.ok(whole.filter((x) => x).length >= 50, 'valid ones among them');
    for (const n of [2, 4] as const) {
      const split = runHarness(cases.map((c) => Object.assign({}, c, { pieces: n }))).verdicts;
      assert.deepEqual(split, whole, `${n} pieces`);
      // a piece left out or cut short changes the message: the long one no longer verifies
      const cut = runHarness([Object.assign({}, cases[cases.length - 1], { pieces: n, msg: long.subarray(0, long.length - 1) })]).verdicts;
      assert.deepEqual(cut, [false]);
    }
  });
});

describe('native ed25519 (qemu-arm) strict checks and properties', function () {
  before(function () {
    requireTools(this);
  });

  const SMALL_ORDER = [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  ];
  const P = ed25519.Point;
  const L = P.Fn.ORDER;
  const leNum = (b: Uint8Array) => BigInt('0x' + (toHex(Uint8Array.from(b).reverse()) || '0'));
  const le = (n: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) { b[i] = Number(n & 255n); n >>= 8n; } return b; };
  const kOf = (R: Uint8Array, A: Uint8Array, m: Uint8Array) => leNum(sha512(Buffer.concat([R, A, m]))) % L;
  const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
  const msg = new Uint8Array(Buffer.from('qrgate native'));
  const sig = nacl.sign.detached(msg, kp.secretKey);

  it('the 8 small-order points are refused as R and as A; S + L is refused; the plain signature verifies', () => {
    const cases: Expected[] = [{ pub: kp.publicKey, sig, msg, expected: 'valid', label: 'plain' }];
    for (const h of SMALL_ORDER) {
      cases.push({ pub: kp.publicKey, sig: hex(h + toHex(sig.subarray(32))), msg, expected: 'invalid', label: `R = ${h}` });
      cases.push({ pub: hex(h), sig, msg, expected: 'invalid', label: `A = ${h}` });
    }
    const S = leNum(sig.subarray(32));
    const mall = new Uint8Array(sig);
    mall.set(le(S + L), 32);
    cases.push({ pub: kp.publicKey, sig: mall, msg, expected: 'invalid', label: 'S + L' });
    check(cases);
  });

  it('a small-order R or A is refused even where the cofactorless equation holds', () => {
    const holds = (A: Uint8Array, m: Uint8Array, s: Uint8Array) => {
      const k = kOf(s.subarray(0, 32), A, m);
      return P.BASE.multiplyUnsafe(leNum(s.subarray(32))).equals(P.fromBytes(s.subarray(0, 32)).add(P.fromBytes(A).multiplyUnsafe(k)));
    };
    // R = identity, A = [a]B, S = k a.
    const a = 0x1234567890abcdef1234567890abcdefn;
    const A = P.BASE.multiply(a).toBytes();
    const R0 = hex(SMALL_ORDER[0]);
    const s1 = new Uint8Array(64);
    s1.set(R0, 0);
    s1.set(le((kOf(R0, A, msg) * a) % L), 32);
    assert.ok(holds(A, msg, s1));
    // A = T of order 8, R = [r]B, S = r, a message for which 8 divides k.
    const T = hex(SMALL_ORDER[5]);
    const r = 0xfedcba9876543210fedcba9876543210n;
    const R = P.BASE.multiply(r).toBytes();
    let m2 = msg;
    for (let i = 0; kOf(R, T, m2) % 8n !== 0n; i++) m2 = new Uint8Array(Buffer.from(`qrgate ${i}`));
    const s2 = new Uint8Array(64);
    s2.set(R, 0);
    s2.set(le(r), 32);
    assert.ok(holds(T, m2, s2));
    // Control: the same construction with a prime-order R verifies.
    const s3 = new Uint8Array(64);
    const R3 = P.BASE.multiply(r).toBytes();
    s3.set(R3, 0);
    s3.set(le((r + kOf(R3, A, msg) * a) % L), 32);
    check([
      { pub: A, sig: s1, msg, expected: 'invalid', label: 'R small order' },
      { pub: T, sig: s2, msg: m2, expected: 'invalid', label: 'A small order' },
      { pub: A, sig: s3, msg, expected: 'valid', label: 'control' },
    ]);
  });

  it('the code is position independent: the same verdicts at load offsets 0, 36 and 4100', () => {
    const cases: Case[] = [{ pub: kp.publicKey, sig, msg }, { pub: kp.publicKey, sig, msg: new Uint8Array(3) }];
    for (const offset of [0, 36, 4100]) {
      const run = runHarness(cases, { offset });
      assert.deepEqual(run.verdicts, [true, false], `offset ${offset}`);
      assert.equal(run.base % 4096, offset % 4096);
    }
  });

  it('stack use of one verification stays under 3 KB (measured by stack painting)', () => {
    const run = runHarness([{ pub: kp.publicKey, sig, msg: new Uint8Array(600) }, { pub: kp.publicKey, sig, msg }]);
    assert.deepEqual(run.verdicts, [false, true]);
    assert.ok(run.stack > 1000 && run.stack <= 3072, `stack ${run.stack} bytes`);
  });

  it('property: signatures made by tweetnacl verify, and any one flipped bit gives the JavaScript verifier\'s verdict', () => {
    const caseArb = fc.record({
      seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      msg: fc.uint8Array({ maxLength: 600 }),
      where: fc.constantFrom('none', 'pub', 'sig', 'msg'),
      bit: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 12 }), (arr) => {
        const cases: Case[] = arr.map((c) => {
          const k = nacl.sign.keyPair.fromSeed(c.seed);
          const pub = new Uint8Array(k.publicKey);
          const s = nacl.sign.detached(c.msg, k.secretKey);
          const m = new Uint8Array(c.msg);
          const target = c.where === 'pub' ? pub : c.where === 'sig' ? s : c.where === 'msg' ? m : undefined;
          if (target && target.length > 0) {
            const b = c.bit % (target.length * 8);
            target[b >> 3] ^= 1 << (b & 7);
          }
          return { pub, sig: s, msg: m };
        });
        const got = runHarness(cases).verdicts;
        cases.forEach((c, i) => {
          const flipped = arr[i].where !== 'none' && !(arr[i].where === 'msg' && arr[i].msg.length === 0);
          assert.equal(got[i], jsVerify(c.pub, c.msg, c.sig), `case ${i}`);
          if (!flipped) assert.equal(got[i], true, `case ${i} unmodified`);
        });
      }),
      { numRuns: RUNS },
    );
  });
});
