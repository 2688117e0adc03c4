// firmware/journal/frame.ts: CRC-16/CCITT-FALSE, segment headers and frames, and the walk that
// skips torn frames (a prefix of a frame programmed, the rest erased) and resynchronises.
import { strict as assert } from 'assert';
import {
  crc16, segHeader, frameOf, frameLen, walk, u32le, getVarint, Segment, SEG_HEADER, FRAME_HEADER, FRAME_ENTRY, FRAME_ACK, RESYNC,
} from '../../../firmware/journal/frame';

function segment(frames: Uint8Array[], size = 256): { s: Segment; b: Uint8Array; at: number[] } {
  const b = new Uint8Array(size).fill(0xff);
  b.set(segHeader(3, 10, 2), 0);
  let o = SEG_HEADER;
  const at: number[] = [];
  for (const f of frames) { at.push(o); b.set(f, o); o += f.length; }
  return { s: { slot: 0, name: 'qg.j0', gen: 3, firstSeq: 10, size, end: SEG_HEADER, bad: [] }, b, at };
}

function frames(s: Segment, b: Uint8Array, verify: boolean): number[][] {
  const out: number[][] = [];
  walk(s, b, verify, (type, bb, ps, pe) => { out.push([type].concat(Array.from(bb.subarray(ps, pe)))); return true; });
  return out;
}

describe('firmware/journal/frame', () => {
  it('crc16 is CRC-16/CCITT-FALSE (check value of "123456789": 0x29B1)', () => {
    const b = new Uint8Array(Buffer.from('123456789'));
    assert.equal(crc16(b, 0, 9), 0x29b1);
    assert.equal(crc16(b, 4, 9, crc16(b, 0, 4)), 0x29b1, 'continued');
  });

  it('a segment header holds gen, firstSeq and dropped with its CRC', () => {
    const h = segHeader(7, 0x01020304, 99);
    assert.equal(h.length, SEG_HEADER);
    assert.deepEqual(Array.from(h.subarray(0, 4)), [0x51, 0x4a, 1, 0]);
    assert.equal(u32le(h, 4), 7);
    assert.equal(u32le(h, 8), 0x01020304);
    assert.equal(u32le(h, 12), 99);
    assert.equal(crc16(h, 0, 16), h[16] * 256 + h[17]);
  });

  it('varints: read back, or null when cut short or over 32 bits', () => {
    assert.deepEqual(getVarint(new Uint8Array([0xac, 0x02]), 0, 2), [300, 2]);
    assert.equal(getVarint(new Uint8Array([0xac]), 0, 1), null);
    assert.equal(getVarint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f]), 0, 5), null);
  });

  it('walks whole frames; a torn frame is recorded and skipped; a torn header resynchronises', () => {
    const a = frameOf(FRAME_ENTRY, new Uint8Array([1, 2, 3]));
    const torn = frameOf(FRAME_ACK, new Uint8Array([4, 5, 6, 7]));
    const c = frameOf(FRAME_ENTRY, new Uint8Array(20).fill(9));
    assert.equal(frameLen(a, 0, a.length), FRAME_HEADER + 3);
    const { s, b, at } = segment([a, torn, c]);
    b.fill(0xff, at[1] + 6, at[1] + torn.length); // the write of `torn` lost its last byte: the CRC fails
    const end = walk(s, b, true, () => true);
    assert.deepEqual(s.bad, [at[1]]);
    assert.equal(end, at[2] + c.length, 'the next frame goes after the data');
    assert.deepEqual(frames(s, b, false), [[FRAME_ENTRY, 1, 2, 3], [FRAME_ENTRY].concat(new Array(20).fill(9))]);

    // the tear hit a header (its len byte only): the walk resumes RESYNC bytes later
    const x = segment([a]);
    x.b[x.at[0] + FRAME_HEADER + 3 + 0] = FRAME_ENTRY; // a frame start ...
    x.b[x.at[0] + FRAME_HEADER + 3 + 1] = 7; // ... whose 255 - len never came
    const after = x.at[0] + FRAME_HEADER + 3 + RESYNC;
    x.b.set(c, after);
    const got = frames(x.s, x.b, true);
    assert.deepEqual(x.s.bad, [x.at[0] + FRAME_HEADER + 3]);
    assert.equal(got.length, 2);
    assert.deepEqual(got[1], [FRAME_ENTRY].concat(new Array(20).fill(9)));
  });

  it('stops where fn says so, and at 16 erased bytes', () => {
    const a = frameOf(FRAME_ENTRY, new Uint8Array([1]));
    const { s, b, at } = segment([a, a, a]);
    let n = 0;
    assert.equal(walk(s, b, true, () => ++n < 2), at[1] + a.length);
    assert.equal(n, 2);
    assert.equal(walk(s, b, true, () => true), at[2] + a.length);
  });
});
