// base64/base64url (proto/base64.ts, under the DIVOC reader) against Buffer.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { base64Decode, base64UrlDecode, base64Encode, base64UrlEncode, base64DecodeNative, base64UrlDecodeNative } from '../../proto/base64';
import { base64Junk, base64Text, simBuiltins } from '../util/builtins';

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

// The native path (a board's atob/btoa/E.toUint8Array: hal/espruino builtins()), here over the
// simulator's model of Espruino 2v29's (sim/espruino/builtins.ts: lenient atob, whose output size
// underflows on "  =="), must accept and refuse exactly as the reference and give the same bytes;
// a refusal is the decoder's own, never atob's underflow. (test/real/builtins.test.ts: the same on
// the real interpreter.)
describe('base64 through Espruino\'s built-ins (differential, property)', () => {
  const nat = simBuiltins();
  function same(url: boolean, s: string): void {
    const ref = url ? base64UrlDecode : base64Decode;
    let want: Uint8Array | null = null;
    try { want = ref(s); } catch (e) { assert.ok(e instanceof Error); }
    let got: Uint8Array | null = null;
    try {
      got = (url ? base64UrlDecodeNative : base64DecodeNative)(s, nat);
    } catch (e: any) {
      assert.ok(/^base64: /.test(e.message), `${JSON.stringify(s)}: ${e.message}`);
    }
    assert.deepEqual(got && Array.from(got), want && Array.from(want), `${url ? 'url' : 'std'} ${JSON.stringify(s)}`);
  }
  it('random and mutated texts', () => {
    fc.assert(fc.property(base64Text(), (c) => same(c.url, c.text)), { numRuns: RUNS * 10 });
  });
  it('short texts of the chars that matter', () => {
    fc.assert(fc.property(base64Junk(), fc.boolean(), (s, url) => same(url, s)), { numRuns: RUNS * 10 });
  });
  it('the texts atob reads leniently, and those whose atob never returns', () => {
    for (const s of ['', '=', '==', '  ==', ' A==', 'A===', 'AA=A', 'QUJD=', 'QU=JD', 'QUJD', 'QUI=', 'QUI', 'QQ', 'QR==', 'QR',
      'QUJ\nD', 'QUJD\n', ' QUJD', 'QU\0D', 'QUJD====', 'QU-_', 'QU+/', '\x80\xffAA', 'Zm9v', 'Zm9v\r\n']) {
      same(false, s);
      same(true, s);
    }
  });
});
