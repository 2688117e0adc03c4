// base64/base64url (proto/base64.ts, under the DIVOC reader) against Buffer.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { base64Decode, base64UrlDecode, base64Encode, base64UrlEncode } from '../../proto/base64';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 300;

describe('base64 (property)', () => {
  it('round-trips and matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const s = Buffer.from(b).toString('base64');
        assert.equal(base64Encode(b), s);
        assert.deepEqual(base64Decode(s), b);
        const u = Buffer.from(b).toString('base64url');
        assert.equal(base64UrlEncode(b), u);
        assert.deepEqual(base64UrlDecode(u), b);
      }),
      { numRuns: RUNS },
    );
  });
  it('refuses non-canonical or malformed text', () => {
    for (const s of ['A', 'AB', 'ABC', 'AB=', 'A===', 'AB==AB==', 'AB=C', 'ABC-', 'AB_=', 'AB\n==', 'AF==', 'ABD=', ' AAA', 'AAAA=']) {
      assert.throws(() => base64Decode(s), Error, s);
    }
    for (const s of ['A', 'AB==', 'AB+/', 'AF', 'ABD', 'AA AA']) assert.throws(() => base64UrlDecode(s), Error, s);
  });
  it('any string: either refused with Error or canonical', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        let b: Uint8Array;
        try {
          b = base64Decode(s);
        } catch (e) {
          assert.ok(e instanceof Error);
          return;
        }
        assert.equal(Buffer.from(b).toString('base64'), s);
      }),
      { numRuns: RUNS },
    );
  });
});
