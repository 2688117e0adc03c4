// firmware/journal/batch.ts: pending records in seq order without the acknowledged ones, and the
// next Batch (record and byte limits, at least one record, `from`, entries owed).
import { strict as assert } from 'assert';
import { FlashImage } from '../../../sim/flash';
import { Journal } from '../../../firmware/journal';
import { eachPending, pendingRecords, nextBatch } from '../../../firmware/journal/batch';
import { decodeBatch, encodeBatch } from '../../../proto/logrecord';

function filled(n: number): Journal {
  const img = new FlashImage({ size: 32 * 1024, pageSize: 2048 });
  const j = new Journal({ storage: img.storage(), gateId: 'g', segments: 4, segmentSize: 1024 });
  j.open();
  for (let i = 0; i < n; i++) {
    j.append({ time: 1632729600 + i, decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array([i]), subject: new Uint8Array(16), cert: new Uint8Array(16) } as any);
  }
  return j;
}

describe('firmware/journal/batch', () => {
  it('eachPending: seq order, acknowledged skipped, stops when told', () => {
    const j = filled(30);
    j.ack([{ first: 3, last: 5 }, { first: 20, last: 20 }]);
    const seen: number[] = [];
    eachPending.call(j, (seq) => { seen.push(seq); return true; });
    assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => i).filter((i) => !(i >= 3 && i <= 5) && i !== 20));
    const few: number[] = [];
    eachPending.call(j, (seq) => { few.push(seq); return few.length < 4; });
    assert.deepEqual(few, [0, 1, 2, 6]);
    assert.deepEqual(pendingRecords(j, 2).map((r) => r.seq), [0, 1]);
    assert.deepEqual(pendingRecords(j, 0), []);
  });

  it('nextBatch: limits, from, at least one record, and a batch for owed entries alone', () => {
    const j = filled(10);
    const b = nextBatch(j, 4, undefined, 'g', 2, 0)!;
    assert.deepEqual(b.seqs, [2, 3, 4, 5]);
    const d = decodeBatch(b.body);
    assert.equal(d.gateId, 'g');
    assert.deepEqual(d.records.map((r) => r.seq), [2, 3, 4, 5]);
    assert.deepEqual(nextBatch(j, 10, 1, 'g', undefined, 0)!.seqs, [0], 'over maxBytes: still one record');
    const full = nextBatch(j, 10, undefined, '', undefined, 0)!;
    const cut = nextBatch(j, 10, full.body.length - 1, '', undefined, 0)!;
    assert.equal(cut.seqs.length, 9);
    assert.ok(cut.body.length <= full.body.length - 1);
    j.ackUpTo(9);
    assert.equal(nextBatch(j, 10, undefined, 'g', undefined, 0), null);
    const owed = nextBatch(j, 10, undefined, 'g', undefined, 3)!;
    assert.deepEqual(owed.seqs, []);
    assert.deepEqual(Array.from(owed.body), Array.from(encodeBatch('g', [], 3)));
  });
});
