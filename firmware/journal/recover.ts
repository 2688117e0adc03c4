// The journal read back after boot or a power cut (firmware/journal/index.ts, open()): the
// segments in generation order, the sequence, the drop counter, the acknowledgements and where
// the next frame goes. Torn frames are counted and skipped (firmware/journal/frame.ts); a drop
// that power cut short is finished (firmware/journal/segments.ts).
import {
  Segment, SEG_HEADER, FRAME_HEADER, FRAME_ENTRY, FRAME_DROP, crc16, u32le, getVarint, walk, seqOf, droppedOf,
} from './frame';
import { addAcked, trimAcked } from './acks';
import { JournalState, parseSlot, reclaim } from './segments';

/** What recovery sets besides the segments (the Journal). */
export interface RecoverState extends JournalState {
  torn: number;
  opened: boolean;
}

/** Reads the segments back (after boot or a power cut): sequence, acknowledgements, write position. */
export function recover(j: RecoverState): void {
  var st = j.storage, names = st.list(j.prefix), i: number, k: number, dropped = 0;
  var found: Segment[] = [];
  for (i = 0; i < names.length; i++) {
    var name = names[i], rest = name.substring(j.prefix.length);
    var slot = parseSlot(rest);
    if (slot < 0) continue;
    var b = st.readBytes(name);
    if (!b || b.length < SEG_HEADER + FRAME_HEADER || b[0] !== 0x51 || b[1] !== 0x4a || b[2] !== 1 ||
        crc16(b, 0, 16) !== b[16] * 256 + b[17]) {
      // A segment whose creation was torn (or a stranger's file): it holds no records.
      st.erase(name);
      continue;
    }
    found.push({ slot: slot, name: name, gen: u32le(b, 4), firstSeq: u32le(b, 8), size: b.length, end: SEG_HEADER, bad: [] });
    if (u32le(b, 12) > dropped) dropped = u32le(b, 12);
  }
  found.sort(function (x, y) { return x.gen - y.gen; });
  j.segs = found;
  j.acked = [];
  j.torn = 0;
  var next = 0, through = -1;
  for (k = 0; k < found.length; k++) {
    var s = found[k];
    if (s.firstSeq > next) next = s.firstSeq;
    var data = st.readBytes(s.name) as Uint8Array;
    s.end = walk(s, data, true, function (type: number, b: Uint8Array, ps: number, pe: number) {
      if (type === FRAME_ENTRY) {
        var seq = seqOf(b, ps, pe);
        if (seq + 1 > next) next = seq + 1;
        var d = droppedOf(b, ps, pe);
        if (d > dropped) dropped = d;
      } else if (type === FRAME_DROP) {
        // A drop that power may have cut short: its count holds, and it is finished below.
        var dv = getVarint(b, ps, pe), gv = dv && getVarint(b, dv[1], pe);
        if (dv && gv) {
          if (dv[0] > dropped) dropped = dv[0];
          if (gv[0] < s.gen && gv[0] > through) through = gv[0];
        }
      } else {
        var o = ps;
        while (o < pe) {
          var f = getVarint(b, o, pe);
          if (!f) break;
          var l = getVarint(b, f[1], pe);
          if (!l) break;
          addAcked.call(j, f[0], l[0]);
          o = l[1];
        }
      }
      return true;
    });
    j.torn += s.bad.length;
  }
  while (found.length > 1 && found[0].gen <= through) st.erase((found.shift() as Segment).name);
  j.nextSeq = next;
  j.dropped = dropped;
  j.floor = found.length ? found[0].firstSeq : next;
  trimAcked.call(j);
  j.opened = true;
  reclaim.call(j);
}
