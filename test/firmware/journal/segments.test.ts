// firmware/journal/segments.ts on the simulator's Storage model (sim/flash.ts): segment names,
// new segments (header, full size, acknowledgement snapshot), reclaiming, dropping the oldest
// with its drop frame first, and a torn put().
import { strict as assert } from 'assert';
import { FlashImage, PowerCutError } from '../../../sim/flash';
import { Journal } from '../../../firmware/journal';
import { parseSlot, room, reclaim, put } from '../../../firmware/journal/segments';
import { walk, FRAME_ACK, FRAME_DROP, FRAME_ENTRY, SEG_HEADER, getVarint, u32le } from '../../../firmware/journal/frame';

function fresh(opts: { segments?: number; segmentSize?: number } = {}) {
  const img = new FlashImage({ size: 64 * 1024, pageSize: 2048 });
  const j = new Journal({ storage: img.storage(), gateId: 'g', segments: opts.segments || 3, segmentSize: opts.segmentSize || 512 });
  j.open();
  return { img, j };
}

function frameTypes(img: FlashImage, j: Journal, k: number): number[] {
  const out: number[] = [];
  walk(j.segs[k], img.read(j.segs[k].name) as Uint8Array, false, (t) => { out.push(t); return true; });
  return out;
}

describe('firmware/journal/segments', () => {
  it('parseSlot: decimal suffixes of 1 to 3 digits only', () => {
    assert.deepEqual(['0', '7', '12', '999', '', '1000', 'a', '1x', '-1'].map(parseSlot), [0, 7, 12, 999, -1, -1, -1, -1, -1]);
  });

  it('room() makes the first segment: header (gen 1, firstSeq, dropped) at its full size, in slot 0', () => {
    const { img, j } = fresh();
    j.nextSeq = 5; j.dropped = 2;
    assert.equal(room.call(j, 40, false), 0);
    assert.equal(j.segs.length, 1);
    const b = img.read('qg.j0') as Uint8Array;
    assert.equal(b.length, 512);
    assert.deepEqual([u32le(b, 4), u32le(b, 8), u32le(b, 12)], [1, 5, 2]);
    assert.equal(j.segs[0].end, SEG_HEADER);
  });

  it('a new segment starts with the acknowledgements so far; reclaim erases the oldest fully acknowledged', () => {
    const { img, j } = fresh();
    const rec = new Uint8Array(100);
    let seq = 0;
    while (j.segs.length < 2) { assert.ok(room.call(j, 5 + rec.length, false) >= 0); put.call(j, FRAME_ENTRY, rec); j.nextSeq = ++seq; }
    // (the frames are not LogRecords: only their count matters here)
    j.acked = [0, 0];
    while (j.segs.length < 3) { assert.ok(room.call(j, 5 + rec.length, false) >= 0); put.call(j, FRAME_ENTRY, rec); j.nextSeq = ++seq; }
    assert.deepEqual(frameTypes(img, j, 2).slice(0, 2), [FRAME_ACK, FRAME_ENTRY], 'the snapshot first');
    assert.deepEqual(frameTypes(img, j, 1)[0], FRAME_ENTRY, 'no acknowledgements yet when the second was made');
    assert.equal(reclaim.call(j), 0, 'segment 0 is not all acknowledged');
    j.acked = [0, j.segs[1].firstSeq - 1]; // all of segment 0
    assert.equal(reclaim.call(j), 1);
    assert.equal(j.segs.length, 2);
    assert.equal(img.read('qg.j0'), undefined, 'erased');
    assert.equal(j.floor, j.segs[0].firstSeq);
    assert.deepEqual(j.acked, [], 'ranges below floor trimmed');
  });

  it('with every slot in use, the oldest goes only after a drop frame with the new counter', () => {
    const { img, j } = fresh({ segments: 2 });
    const rec = new Uint8Array(100);
    let seq = 0, lost = 0;
    while (!lost) {
      lost = room.call(j, 5 + rec.length, true);
      assert.ok(lost >= 0);
      if (!lost) { put.call(j, FRAME_ENTRY, rec); j.nextSeq = ++seq; }
    }
    assert.equal(j.dropped, lost);
    assert.equal(room.call(j, 5, false), 0);
    // the drop frame went into the segment that was being written (now the oldest)
    const types = frameTypes(img, j, 0);
    assert.equal(types[types.length - 1], FRAME_DROP);
    let dv: number[] | null = null;
    walk(j.segs[0], img.read(j.segs[0].name) as Uint8Array, false, (t, b, ps, pe) => { if (t === FRAME_DROP) dv = getVarint(b, ps, pe); return true; });
    assert.equal((dv as unknown as number[])[0], lost);
  });

  it('a torn put() is recorded as a bad frame and the next frame goes after it', () => {
    const { img, j } = fresh();
    room.call(j, 40, false);
    const at = j.segs[0].end;
    img.armTear(3);
    assert.throws(() => put.call(j, FRAME_ENTRY, new Uint8Array(30)), PowerCutError);
    assert.deepEqual(j.segs[0].bad, [at]);
    assert.ok(j.segs[0].end > at);
  });
});
