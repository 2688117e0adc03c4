// The native inflate (native/inflate, Thumb-2 for Cortex-M3), i.e. the exact bytes committed in
// firmware/native-inflate.generated.ts, run under qemu-arm against the TypeScript reference
// (proto/inflate.ts): same output, same count of input bytes used, same error, on every fixture
// and on seeded random and mutated streams (make fuzz runs 100,000+: test/native/inflate-fuzz.ts).
// Needs gcc-arm-none-eabi and qemu-user (skipped with a message when missing outside CI).
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import { requireTools } from './qemu';
import { runInflate, differences, inflateBuild, reference, InflateCase, NATIVE_INFLATE_ERRORS } from './inflate-qemu';
import { fixtureCases, randomCases } from './inflate-cases';
import { countInflate } from '../../tools/native/count-inflate';
import { NATIVE_INFLATE_INSNS } from '../../tools/build/board-time';

const RUNS = Number(process.env.FUZZ_RUNS) || 3000;

describe('native inflate (qemu-arm) against proto/inflate.ts', function () {
  this.timeout(300000);

  describe('under qemu-arm', function () {
    before(function () {
      requireTools(this);
    });

    it('every fixture: DIVOC samples, every text at every zlib level and strategy', () => {
      const f = fixtureCases();
      const cases = f.map((x) => x.c);
      const run = runInflate(cases);
      assert.deepEqual(differences(cases, run), []);
      // The samples inflate (the first three cases per sample: exact, one short, 4096).
      const ok = run.outcomes.filter((o) => o.data !== undefined).length;
      assert.ok(ok >= cases.length - f.filter((x) => /one byte short/.test(x.label)).length, `${ok} of ${cases.length} inflated`);
      assert.ok(run.stack > 0 && run.stack <= 1536, `stack ${run.stack} bytes`);
    });

    it('known malformed streams and limits give the same errors', () => {
      const bits: number[] = [1, 1, 0];
      for (const c of '0000001' + '00000' + '0000000') bits.push(Number(c));
      const far = new Uint8Array(Math.ceil(bits.length / 8));
      bits.forEach((b, i) => (far[i >> 3] |= b << (i & 7)));
      const raw: number[][] = [[], [0x07], [0x01, 0x00, 0x00, 0xfe, 0xff], [0x01, 0x05, 0x00, 0xfa, 0xff, 1], [0x03], [0x07, 0x00], Array.from(far),
        [0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff,
          0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff]];
      const cases: InflateCase[] = raw.map((b) => ({ src: new Uint8Array(b), max: 8192 }));
      cases.push({ src: new Uint8Array(zlib.deflateRawSync(Buffer.alloc(8193, 97))), max: 8192 });
      cases.push({ src: new Uint8Array(zlib.deflateRawSync(Buffer.alloc(9000, 1), { level: 0 })), max: 8192 });
      cases.push({ src: new Uint8Array(zlib.deflateRawSync(Buffer.alloc(100, 1))), max: 0 });
      const run = runInflate(cases);
      assert.deepEqual(differences(cases, run), []);
      assert.deepEqual(run.outcomes[6], { error: 'inflate: distance too far' });
      assert.deepEqual(run.outcomes[7], { error: 'inflate: too many blocks' });
      assert.deepEqual(run.outcomes[8], { error: 'inflate: output too large' });
    });

    it(`${RUNS} seeded random and mutated streams, each error of the reference met`, () => {
      const cases = randomCases(12, RUNS);
      const run = runInflate(cases);
      assert.deepEqual(differences(cases, run), []);
      const seen = new Set(run.outcomes.map((o) => o.error || 'ok'));
      // Errors mutations reach in a few thousand cases (the rest: make fuzz, 100,000+ cases).
      for (const e of ['ok', 'inflate: input ends early', 'inflate: output too large', 'inflate: bad code', 'inflate: distance too far',
        'inflate: over-subscribed code', 'inflate: bad block type', 'inflate: bad stored length']) assert.ok(seen.has(e), `never saw ${e}`);
      assert.ok(!seen.has(NATIVE_INFLATE_ERRORS[0]), 'bad arguments');
    });

    it('the board-time model counts the committed code (NATIVE_INFLATE_INSNS)', async () => {
      const c = await countInflate({ harness: inflateBuild().harness });
      assert.ok(c.result > 0 && c.outBytes > 1000);
      assert.equal(c.instructions, NATIVE_INFLATE_INSNS, 'update tools/build/board-time.ts NATIVE_INFLATE_INSNS');
    });

    it('is position independent: the same results at other load offsets', () => {
      const cases = randomCases(7, 200);
      const a = runInflate(cases, { offset: 0 });
      const b = runInflate(cases, { offset: 4092 });
      assert.deepEqual(a.outcomes, b.outcomes);
      assert.deepEqual(a.outcomes, cases.map(reference));
      assert.notEqual(a.base, b.base);
    });
  });
});
