// firmware/journal/recover.ts: what open() reads back from flash written by an earlier journal,
// into a fresh state: the segments in generation order, the sequence, the drop counter, the
// acknowledgements; strangers' and torn-at-creation files erased.
import { strict as assert } from 'assert';
import { FlashImage } from '../../../sim/flash';
import { Journal } from '../../../firmware/journal';
import { recover, RecoverState } from '../../../firmware/journal/recover';

function state(img: FlashImage): RecoverState {
  return {
    storage: img.storage(), prefix: 'qg.j', nSegments: 3, segmentSize: 512, segs: [], nextSeq: 0, floor: 0, acked: [],
    dropped: 0, reserve: 30, torn: 0, opened: false,
  };
}

const ENTRY = { time: 1632729600, decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array([1]), subject: new Uint8Array(16), cert: new Uint8Array(16) } as any;

describe('firmware/journal/recover', () => {
  it('an empty flash: nothing, opened', () => {
    const img = new FlashImage({ size: 32 * 1024, pageSize: 2048 });
    const s = state(img);
    recover(s);
    assert.deepEqual([s.segs.length, s.nextSeq, s.dropped, s.floor, s.opened], [0, 0, 0, 0, true]);
  });

  it('reads back seqs, acknowledgements and drops written by a journal, segments by generation', () => {
    const img = new FlashImage({ size: 32 * 1024, pageSize: 2048 });
    const j = new Journal({ storage: img.storage(), gateId: 'g', segments: 3, segmentSize: 512 });
    j.open();
    for (let i = 0; i < 40; i++) j.append(ENTRY); // more than 3 segments hold: some were dropped
    j.ack([{ first: j.floor, last: j.floor }, { first: j.nextSeq - 2, last: j.nextSeq - 2 }]);
    img.write('qg.jx', 'a stranger');
    img.write('qg.j9', new Uint8Array(40).fill(0xff)); // a segment whose creation was torn
    const s = state(img);
    recover(s);
    assert.ok(j.dropped > 0);
    assert.equal(s.nextSeq, j.nextSeq);
    assert.equal(s.dropped, j.dropped);
    assert.equal(s.floor, j.floor);
    assert.deepEqual(s.acked, j.acked);
    assert.deepEqual(s.segs.map((g) => [g.name, g.gen, g.firstSeq, g.end]), j.segs.map((g) => [g.name, g.gen, g.firstSeq, g.end]));
    for (let k = 1; k < s.segs.length; k++) assert.ok(s.segs[k].gen > s.segs[k - 1].gen);
    assert.equal(img.read('qg.j9'), undefined, 'torn segment erased');
    assert.ok(img.read('qg.jx') !== undefined, 'a name that is not a slot is left alone');
  });
});
