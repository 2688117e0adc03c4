// DIVOC's context table as proto/divoc/nquads.ts reads it: the literals of table.generated.ts, or,
// in a firmware built with QG_DIVOC_DATA (firmware/build-flags.ts: a board short of flash), the
// same strings from the table's data text: the flash file qg.divoc (deflate-raw, written by
// `qrgate flash` from table-data.generated.ts) inflated by the board's native inflate while a DIVOC
// text is decided (firmware/divoc-read.ts useDivocTable), then let go. The literals stay the
// reference: test/proto/divoc/table-data.generated.test.ts checks that the data gives every string
// they give.
//
// The data text: entries separated by '\0' (no table string holds one): first "P F S", the
// counts of IRI prefixes, frame parts and slots, then the IRI prefixes 1..P, the frame parts
// 0..F-1, the slots 0..S-1, the document roots, the proof options' roots and the reserved terms
// (tools/build/divoc-data.ts divocTableText writes it). An entry "\x01k" is the same string as
// entry k (frame parts repeat: 4.6 KB less in RAM).
import * as lit from './table.generated';
import { qgError } from '../error';
import { QG_DIVOC_DATA } from '../../firmware/build-flags';

/** The data text while a DIVOC text is decided (null: none yet, or let go). */
var DATA: string | null = null;
/**
 * Where each entry of DATA starts, and one past its end (its '\0' or the text's end) after the
 * last: found once per text (one native indexOf per entry), so that a string is one substring.
 * (Walking the entries from the start at each of a decision's 33 lookups, as until session 14's
 * end, was about 20,700 empty-loop iterations a DIVOC decision: 2 s on an Espruino WiFi.)
 */
var AT: Uint16Array | null = null;
/** The counts of IRI prefixes, frame parts and slots (entry 0). */
var COUNTS: number[] | null = null;
/** Gives the data text, once, when a string of the table is first needed (null: no data table). */
var LOAD: (() => string) | null = null;

/**
 * From now on, the table's strings come from the data text `load` gives (called once, at the first
 * string needed); null lets the text go (firmware/divoc-read.ts: around each DIVOC decision).
 */
export function useDivocTable(load: (() => string) | null): void {
  LOAD = load;
  DATA = null;
  AT = null;
  COUNTS = null;
}

/** Indexes the data text `t`: AT and COUNTS. */
function index(t: string): void {
  if (t.length >= 65535) throw qgError('divoc: context table too large');
  var n = 1, a = 0, k: number;
  while ((a = t.indexOf('\0', a) + 1) > 0) n++;
  var at = new Uint16Array(n + 1);
  for (k = 1, a = 0; k < n; k++) at[k] = a = t.indexOf('\0', a) + 1;
  at[n] = t.length + 1;
  AT = at;
  COUNTS = entry(t, 0).split(' ').map(Number);
}

/** Entry k of the data text ('' past its end). */
function entry(t: string, k: number): string {
  var at = AT as Uint16Array;
  if (k < 0 || k >= at.length - 1) return '';
  var e = t.substring(at[k], at[k + 1] - 1);
  return e.charCodeAt(0) === 1 ? entry(t, +e.substring(1)) : e;
}

/** Item i of section s (0: IRI prefixes, 1: frame parts, 2: slots, 3: roots and reserved terms), '' when there is none. */
export function dataEntry(s: number, i: number): string {
  if (DATA === null) {
    if (!LOAD) throw qgError('divoc: no context table');
    var t = LOAD();
    index(t);
    DATA = t;
  }
  var n = COUNTS as number[];
  var at = 1;
  for (var j = 0; j < s; j++) at += n[j];
  return i >= 0 && (s > 2 || i < n[s]) ? entry(DATA, at + i) : '';
}

/** The IRI prefix of a packed IRI starting with the digit `code` (1..9) ('' when there is none). */
export function divocIriPrefix(code: number): string {
  return QG_DIVOC_DATA ? dataEntry(0, code - 1) : lit.divocIriPrefix(code);
}

/** Frame part p, the text of a JSON object ('' when there is none). */
export function divocFrame(p: number): string {
  return QG_DIVOC_DATA ? dataEntry(1, p) : lit.divocFrame(p);
}

/** Slot s ('' when there is none). */
export function divocSlot(s: number): string {
  return QG_DIVOC_DATA ? dataEntry(2, s) : lit.divocSlot(s);
}

/** The roots of certificate documents, or with `proof` those of the proof options. */
export function divocRoots(proof: boolean): string {
  return QG_DIVOC_DATA ? dataEntry(3, proof ? 1 : 0) : lit.divocRoots(proof);
}

/** '|term|term|...|': every term usable as a prefix. */
export function divocReserved(): string {
  return QG_DIVOC_DATA ? dataEntry(3, 2) : lit.DIVOC_RESERVED;
}
