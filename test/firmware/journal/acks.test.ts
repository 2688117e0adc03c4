// firmware/journal/acks.ts: the acknowledged ranges in RAM against a plain set of seqs.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { AckState, addAcked, ackedIn, trimAcked } from '../../../firmware/journal/acks';

const FUZZ = Number(process.env.FUZZ_RUNS) || 200;

/** The ranges as a set of seqs (at or above floor). */
function seqsOf(a: number[]): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < a.length; i += 2) for (let q = a[i]; q <= a[i + 1]; q++) s.add(q);
  return s;
}

describe('firmware/journal/acks', () => {
  it('merges overlapping and adjacent ranges and counts only new seqs', () => {
    const j: AckState = { floor: 0, acked: [] };
    assert.equal(addAcked.call(j, 5, 7), 3);
    assert.equal(addAcked.call(j, 9, 9), 1);
    assert.deepEqual(j.acked, [5, 7, 9, 9]);
    assert.equal(addAcked.call(j, 8, 8), 1, 'adjacent on both sides');
    assert.deepEqual(j.acked, [5, 9]);
    assert.equal(addAcked.call(j, 0, 1), 2);
    assert.equal(addAcked.call(j, 3, 10), 3, 'of 3..10, only 3, 4 and 10 are new');
    assert.deepEqual(j.acked, [0, 1, 3, 10]);
  });

  it('property: add, ackedIn (of one seq too) and trimAcked agree with a set of seqs', () => {
    const range = fc.tuple(fc.nat(60), fc.nat(8)).map(([f, n]) => [f, f + n] as [number, number]);
    fc.assert(fc.property(fc.array(range, { maxLength: 12 }), fc.nat(70), range, (adds, floor, q) => {
      const j: AckState = { floor: 0, acked: [] };
      const ref = new Set<number>();
      for (const [f, l] of adds) {
        let fresh = 0;
        for (let s = f; s <= l; s++) if (!ref.has(s)) { ref.add(s); fresh++; }
        assert.equal(addAcked.call(j, f, l), fresh);
        assert.deepEqual([...seqsOf(j.acked)].sort((a, b) => a - b), [...ref].sort((a, b) => a - b));
        for (let i = 0; i + 2 < j.acked.length; i += 2) assert.ok(j.acked[i + 1] + 1 < j.acked[i + 2], 'sorted, disjoint, not adjacent');
      }
      j.floor = floor;
      trimAcked.call(j);
      const want = (s: number) => s < floor || ref.has(s);
      for (let s = 0; s <= 80; s++) assert.equal(ackedIn.call(j, s, s), want(s) ? 1 : 0, 'seq ' + s);
      let n = 0;
      for (let s = q[0]; s <= q[1]; s++) if (want(s)) n++;
      assert.equal(ackedIn.call(j, q[0], q[1]), n);
      assert.ok(j.acked.length === 0 || j.acked[0] >= floor, 'nothing below floor');
    }), { numRuns: FUZZ });
  });
});
