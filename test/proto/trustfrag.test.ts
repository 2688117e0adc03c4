// proto/trustfrag.ts (trust bundles over LoRaWAN, FPort 201) against the collector's own codec
// (tools/collector/trust.ts): fragments the collector writes decode on the gate to the same
// bytes, the gate's status uplink decodes at the collector, and anything inconsistent throws.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { decodeTrustFragment, encodeTrustStatus, FRAG_HEADER } from '../../proto/trustfrag';
import { encodeTrustFragmentHost, decodeTrustStatusHost } from '../../tools/collector/trust';

const RUNS = Number(process.env.FUZZ_RUNS || 200);

describe('proto/trustfrag: trust bundle fragments (FPort 201)', () => {
  it('property: every fragment the collector writes decodes to its slice of the bundle', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.integer({ min: 1, max: 210 }), fc.nat(0xffffffff),
      (bundle, fragSize, version) => {
        const count = Math.ceil(bundle.length / fragSize);
        const joined: number[] = [];
        for (let n = 1; n <= count; n++) {
          const f = decodeTrustFragment(new Uint8Array(encodeTrustFragmentHost(bundle, version, fragSize, n)));
          assert.deepEqual([f.index, f.count, f.version, f.size, f.fragSize], [n, count, version, bundle.length, fragSize]);
          joined.push(...f.data);
        }
        assert.deepEqual(joined, Array.from(bundle));
      }), { numRuns: RUNS });
  });

  it('refuses inconsistent fragments (index, count, size, length, session, command)', () => {
    const good = new Uint8Array(encodeTrustFragmentHost(new Uint8Array(100).fill(7), 3, 40, 2));
    decodeTrustFragment(good);
    const bad = (edit: (b: Uint8Array) => Uint8Array) => assert.throws(() => decodeTrustFragment(edit(new Uint8Array(good))), Error);
    bad((b) => { b[0] = 9; return b; });
    bad((b) => { b[1] = 0; return b; }); // fragment 0
    bad((b) => { b[1] = 4; return b; }); // past count
    bad((b) => { b[2] = 0x40; return b; }); // session 1
    bad((b) => { b[9] = 200; return b; }); // size not matching count
    bad((b) => b.subarray(0, b.length - 1)); // short
    bad((b) => b.subarray(0, FRAG_HEADER));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      try { decodeTrustFragment(b); } catch (e) { assert.ok(e instanceof Error); }
    }), { numRuns: RUNS });
  });

  it('property: the gate\'s status uplink decodes at the collector, cut to the payload limit', () => {
    fc.assert(fc.property(fc.nat(0xffffffff), fc.integer({ min: 0, max: 5 }), fc.option(fc.record({ version: fc.nat(0xffffffff), count: fc.integer({ min: 1, max: 400 }) })),
      fc.array(fc.boolean(), { maxLength: 400 }), (version, dr, session, have) => {
        const max = [51, 51, 51, 115, 222, 222][dr];
        const b = encodeTrustStatus(version, dr, max, session, have);
        assert.ok(b.length <= max);
        const st = decodeTrustStatusHost(b);
        assert.equal(st.version, version);
        assert.equal(st.dataRate, dr);
        if (!session) { assert.equal(st.session, null); return; }
        assert.equal(st.session!.version, session.version);
        assert.equal(st.session!.count, session.count);
        const fits = (max - 12) * 8;
        for (let i = 0; i < session.count; i++) assert.equal(st.session!.have[i], i < fits && !!have[i], `fragment ${i + 1}`);
      }), { numRuns: RUNS });
  });
});
