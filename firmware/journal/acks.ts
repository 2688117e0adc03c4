// The journal's acknowledgements in RAM (firmware/journal/index.ts): the acknowledged seqs at or
// above the floor, as a flat list of inclusive ranges.
//
// Acknowledgements are kept in RAM as ranges and appended as ack frames; a new segment starts with
// a snapshot of them. An ack frame only covers records written before it, so erasing segments
// oldest first never loses an acknowledgement that a remaining record needs.

/** What the ranges live in (the Journal). */
export interface AckState {
  /** Every seq below floor is gone (acknowledged, reclaimed or dropped). */
  floor: number;
  /** Acknowledged seqs at or above floor: flat list of inclusive ranges [f0, l0, f1, l1, ...], sorted, disjoint. */
  acked: number[];
}

/** Adds [f, l] to the acknowledged set; returns how many seqs were new. */
export function addAcked(this: AckState, f: number, l: number): number {
  var j = this;
  if (l < f) return 0;
  var a = j.acked, out: number[] = [], i: number, added = l - f + 1, placed = false;
  for (i = 0; i < a.length; i += 2) {
    var af = a[i], al = a[i + 1];
    if (al + 1 < f) { out.push(af, al); continue; }
    if (l + 1 < af) {
      if (!placed) { out.push(f, l); placed = true; }
      out.push(af, al);
      continue;
    }
    // overlapping or adjacent: merge
    var lo = af > f ? af : f, hi = al < l ? al : l;
    if (hi >= lo) added -= hi - lo + 1;
    if (af < f) f = af;
    if (al > l) l = al;
  }
  if (!placed) out.push(f, l);
  j.acked = out;
  return added;
}

/** How many seqs of [f, l] are acknowledged (or below floor). */
export function ackedIn(this: AckState, f: number, l: number): number {
  var j = this;
  if (l < f) return 0;
  var n = 0, a = j.acked;
  if (f < j.floor) {
    var top = l < j.floor - 1 ? l : j.floor - 1;
    n += top - f + 1;
    f = j.floor;
    if (l < f) return n;
  }
  for (var i = 0; i < a.length; i += 2) {
    var lo = a[i] > f ? a[i] : f, hi = a[i + 1] < l ? a[i + 1] : l;
    if (hi >= lo) n += hi - lo + 1;
  }
  return n;
}

/** Drops ranges below floor; clips the rest. */
export function trimAcked(this: AckState): void {
  var j = this;
  var a = j.acked, out: number[] = [];
  for (var i = 0; i < a.length; i += 2) {
    if (a[i + 1] < j.floor) continue;
    out.push(a[i] < j.floor ? j.floor : a[i], a[i + 1]);
  }
  j.acked = out;
}
