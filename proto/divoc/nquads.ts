// Canonical N-Quads (URDNA2015 / RDFC-1.0, as npm jsonld's canonize produces them) of a DIVOC
// certificate and of its proof options, computed straight from the parsed JSON with the compiled
// table (table.generated.ts, made by tools/build/divoc-table.ts; read through table.ts, which may
// take it from the flash file qg.divoc) instead of a JSON-LD engine.
//
// Everything is a *byte string* (one char per byte, UTF-8): the JSON parser (proto/json.ts) gives
// UTF-8 bytes, N-Quads escaping only touches ASCII, and lines are sorted in the order JavaScript
// sorts the UTF-16 strings jsonld works on (compareUtf16 below), so the output bytes are exactly
// the UTF-8 that jsonld hashes, with or without Unicode support in the interpreter.
//
// Anything the table does not cover throws Error (never a wrong hash): an unknown @context, a key
// no context defines, a nested object where the certificate shapes have none, other types, null,
// nested arrays, non-absolute or unusual IRIs, and blank nodes whose first-degree hashes collide
// (URDNA2015 would then need its n-degree step, which the certificate shapes never require).
// Error messages never quote field values.
//
// Memory (a board holds the JSON tree, the quads and one table part at a time): the table parts
// are fetched one at a time (a frame once per node object, and dropped before its children are
// read); quads are kept as one string each; the JSON tree can be dropped once the quads are made
// (documentGraph / proofOptionsGraph, then canonicalBytes), and the canonical N-Quads are written
// straight into one byte array.
//
// Speed (README "Speed"): an interpreted step costs a board thousands of instructions, a native
// built-in almost nothing. Frames are read with JSON.parse and looked up as properties, duplicates
// and a blank node's quads found with indexOf, ASCII lines sorted with sort() (no comparator),
// joined with join('') and made bytes by the board's E.toUint8Array (canonicalBytes' toBytes), and
// the per-char loops run only where a RegExp test says they may find something. The loops stay the
// reference (tests compare both on every char and on random strings, test/real/nquads.test.ts on
// the real interpreter) and the path for non-ASCII lines and firmware without the built-ins.

import { qgError } from '../error';
import { divocFrame, divocIriPrefix, divocRoots, divocSlot, divocReserved } from './table';
import { JsonObject, JsonValue } from '../json';
import { bytesToByteString, indexOfText } from '../bytes';

var RDF_TYPE = '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>';
var XSD_INTEGER = '<http://www.w3.org/2001/XMLSchema#integer>';
var XSD_BOOLEAN = '<http://www.w3.org/2001/XMLSchema#boolean>';
var HEX_UPPER = '0123456789ABCDEF';
/** Upper bounds on the work for one document (a real certificate: 46 statements, 6 blank nodes; a statement costs a board about 6 variables). */
var MAX_QUADS = 128;
var MAX_NODES = 64;

export type Sha256 = (d: Uint8Array) => Uint8Array;
/** The bytes of a byte string: a board's E.toUint8Array (hal/espruino builtins().bytes), natively. */
export type ToBytes = (s: string) => Uint8Array;

// Native pre-checks (speed: a per-char loop of interpreted JavaScript costs a board thousands of
// instructions a char, a RegExp test a few hundred in all): each says whether a string MAY hold a
// char the loop after it looks for, and the loop (the reference) runs only then. Only what
// Espruino's RegExp does right is used: one character class, single ranges of \xNN escapes
// (test/real/nquads.test.ts checks every char 0..255, and beyond, on the real interpreter).
/** A char N-Quads escapes in a literal: controls, '"', '\\', DEL. */
var ESCAPE_RE = /["\\\x00-\x1f\x7f]/;
/** A char outside printable ASCII (0x21..0x7e). */
var UNPRINTABLE_RE = /[^\x21-\x7e]/;
/** A char outside ASCII. */
var NON_ASCII_RE = /[^\x00-\x7f]/;
/** A printable ASCII char an IRI written raw may not hold. */
var IRI_PUNCT_RE = /[<>"{}|\\^`]/;

function fail(what: string): never {
  throw qgError('divoc: ' + what);
}

/** The IRI prefixes fetched so far (divocIriPrefix: a call reads the switch of them). */
var IRI_PREFIX: string[] = [];

/** A packed IRI of the table, its prefix digit expanded. */
function iri(p: string): string {
  var c = p.charCodeAt(0) - 48;
  if (!(c >= 1 && c <= 9)) return p;
  var x = IRI_PREFIX[c];
  if (x === undefined) x = IRI_PREFIX[c] = divocIriPrefix(c);
  return x + p.substring(1);
}

/** Index of the first char of s that N-Quads escapes (controls, '"', '\\'), or -1. */
export function firstEscape(s: string): number {
  return ESCAPE_RE.test(s) ? firstEscapeLoop(s) : -1;
}

/** firstEscape by a loop over the chars (the reference). */
export function firstEscapeLoop(s: string): number {
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 0x20 || c === 34 || c === 92 || c === 0x7f) return i;
  }
  return -1;
}

/** N-Quads string-literal escaping (rdf-canonize): controls, '"' and '\'; bytes >= 0x80 kept. */
export function escapeLiteral(s: string): string {
  var i = firstEscape(s);
  if (i < 0) return s;
  var out = s.substring(0, i);
  for (; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c < 0x20 || c === 0x7f) {
      if (c === 8) out += '\\b';
      else if (c === 9) out += '\\t';
      else if (c === 10) out += '\\n';
      else if (c === 12) out += '\\f';
      else if (c === 13) out += '\\r';
      else out += '\\u00' + HEX_UPPER.charAt(c >> 4) + HEX_UPPER.charAt(c & 15);
    } else out += s.charAt(i);
  }
  return out;
}

/**
 * The text of a literal term as Graph stores it (escapeLiteral undone): `"..."` when `datatype` is
 * '', else `"..."^^<datatype>`. Throws for any other term.
 */
export function literalText(o: string, datatype: string): string {
  var tail = datatype ? '^^<' + datatype + '>' : '';
  var end = o.length - tail.length - 1;
  if (end < 1 || o.charCodeAt(0) !== 34 || o.charCodeAt(end) !== 34 || o.substring(end + 1) !== tail) fail('unexpected value');
  if (o.indexOf('\\') < 0) return o.substring(1, end);
  var out = '';
  for (var i = 1; i < end; i++) {
    var c = o.charAt(i);
    if (c === '\\') {
      c = o.charAt(++i);
      var k = 'btnfr'.indexOf(c);
      if (k >= 0) c = '\b\t\n\f\r'.charAt(k);
      else if (c === 'u') {
        c = String.fromCharCode(parseInt(o.substring(i + 1, i + 5), 16));
        i += 4;
      }
    }
    out += c;
  }
  return out;
}

/** Code point of the UTF-8 sequence at s[i] (valid UTF-8 byte string). */
function codePointAt(s: string, i: number): number {
  var c = s.charCodeAt(i);
  if (c < 0x80) return c;
  if (c < 0xe0) return ((c & 0x1f) << 6) | (s.charCodeAt(i + 1) & 63);
  if (c < 0xf0) return ((c & 0x0f) << 12) | ((s.charCodeAt(i + 1) & 63) << 6) | (s.charCodeAt(i + 2) & 63);
  return ((c & 0x07) << 18) | ((s.charCodeAt(i + 1) & 63) << 12) | ((s.charCodeAt(i + 2) & 63) << 6) | (s.charCodeAt(i + 3) & 63);
}

/**
 * Order of two UTF-8 byte strings as JavaScript orders the decoded UTF-16 strings (what
 * Array.prototype.sort does in jsonld): code point order, except that characters above U+FFFF
 * (surrogate pairs, 0xD800..) sort before U+E000..U+FFFF.
 */
export function compareUtf16(a: string, b: string): number {
  var n = a.length < b.length ? a.length : b.length;
  var i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  while (i > 0 && (a.charCodeAt(i) & 0xc0) === 0x80) i--;
  var ca = codePointAt(a, i);
  var cb = codePointAt(b, i);
  var ua = ca < 0x10000 ? ca : 0xd800 + ((ca - 0x10000) >> 10);
  var ub = cb < 0x10000 ? cb : 0xd800 + ((cb - 0x10000) >> 10);
  if (ua !== ub) return ua - ub;
  return ca - cb;
}

/** Order of two ASCII strings (the interpreter's own comparison: equal to compareUtf16 there). */
function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * An IRI the device may write raw: an absolute IRI (scheme ':' ...) of printable ASCII without
 * the chars N-Quads would escape, whose scheme is not a term JSON-LD could read as a prefix.
 */
function checkIri(v: string): string {
  if (v.length === 0 || !isAlpha(v.charCodeAt(0))) fail('IRI not absolute');
  var i = 1;
  for (; i < v.length; i++) {
    var c = v.charCodeAt(i);
    if (!(isAlpha(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) break;
  }
  if (i >= v.length || v.charCodeAt(i) !== 58) fail('IRI not absolute');
  if (iriCharsBad(v, i + 1)) fail('IRI has unusual chars');
  if (indexOfText(divocReserved(), '|' + v.substring(0, i) + '|') >= 0 && v.substring(i + 1, i + 3) !== '//') fail('IRI looks like a compact IRI');
  return v;
}

/** Whether v from `from` on holds a char an IRI written raw may not (the pre-checks, then the loop). */
export function iriCharsBad(v: string, from: number): boolean {
  return (UNPRINTABLE_RE.test(v) || IRI_PUNCT_RE.test(v)) && iriCharsBadLoop(v, from);
}

/** iriCharsBad by a loop over the chars (the reference). */
export function iriCharsBadLoop(v: string, from: number): boolean {
  for (var j = from; j < v.length; j++) {
    var d = v.charCodeAt(j);
    if (d <= 0x20 || d >= 0x7f || d === 60 || d === 62 || d === 34 || d === 123 || d === 125 || d === 124 || d === 92 || d === 94 || d === 96) return true;
  }
  return false;
}

/**
 * The entries of `keys` in the frame starting at part `part` (null where it does not define the
 * key, and for the keys in `skip`), reading one part at a time until every key is found: the
 * interpreter's own JSON.parse and property lookup (the frame's terms are printable ASCII without
 * '|' and '=': a key with any other char is in no frame; '|' marks a part continued by the next;
 * a property that is not a string is inherited, as "constructor" or "__proto__" are).
 */
function lookupAll(part: number, keys: string[], skip: string[]): (string | null)[] {
  var out: (string | null)[] = [];
  var missing = 0;
  var k;
  for (k = 0; k < keys.length; k++) {
    out.push(null);
    if (skip.indexOf(keys[k]) < 0) missing++;
  }
  while (missing > 0) {
    var frame = JSON.parse(divocFrame(part++));
    for (k = 0; k < keys.length; k++) {
      var v = frame[keys[k]];
      if (out[k] === null && typeof v === 'string' && keys[k] !== '|' && skip.indexOf(keys[k]) < 0) {
        out[k] = v;
        missing--;
      }
    }
    if (typeof frame['|'] !== 'string') break;
  }
  return out;
}

function integerText(n: number): string {
  if (n !== n || n > 999999999999999 || n < -999999999999999 || n % 1 !== 0) fail('number out of range');
  if (n === 0) return '0';
  var neg = n < 0;
  var v = neg ? -n : n;
  var s = '';
  while (v > 0) {
    var d = v % 10;
    s = String.fromCharCode(48 + d) + s;
    v = (v - d) / 10;
  }
  return neg ? '-' + s : s;
}

/** Marks a blank node in a stored quad: BLANK + String.fromCharCode(48 + index). */
var BLANK = 1;

/**
 * The N-Quads line of a stored quad: blank node b is written `_:` + labels[b], or when labels is
 * null `_:a` for b === self and `_:z` for the others (URDNA2015's first-degree hash).
 */
function quadLine(q: string, labels: string[] | null, self: number): string {
  var e = q.length - 2;
  var s = q.charCodeAt(0) === BLANK ? q.charCodeAt(1) - 48 : -1;
  var o = q.charCodeAt(e) === BLANK ? q.charCodeAt(e + 1) - 48 : -1;
  var head = s < 0 ? '' : '_:' + (labels ? labels[s] : s === self ? 'a' : 'z');
  var tail = o < 0 ? '' : '_:' + (labels ? labels[o] : o === self ? 'a' : 'z');
  return head + q.substring(s < 0 ? 0 : 2, o < 0 ? q.length : q.length - 2) + tail + ' .\n';
}

/**
 * The bytes of sorted lines, joined (byte strings, one char per byte); empties `lines`. ASCII
 * lines are sorted by the interpreter's own sort (no comparator: code unit order, which is
 * compareUtf16's order on ASCII), joined natively and turned into bytes by `toBytes`; without
 * `toBytes`, or with non-ASCII lines, linesToBytesLoop.
 */
function linesToBytes(lines: string[], ascii: boolean, toBytes: ToBytes | null | undefined): Uint8Array {
  if (!ascii || !toBytes) return linesToBytesLoop(lines, ascii);
  return toBytes(linesToText(lines));
}

/**
 * ASCII lines sorted natively and joined into one byte string. Appended one by one, each line let
 * go as it is taken: join('') would hold every line and the whole text at once, the largest
 * working set of a DIVOC check on a board's store (test/real/arm-stores.test.ts: the Pico ran out
 * there). Empties `lines`.
 */
function linesToText(lines: string[]): string {
  lines.sort();
  var text = '';
  for (var i = 0; i < lines.length; i++) {
    text += lines[i];
    lines[i] = '';
  }
  lines.splice(0, lines.length);
  return text;
}

/** linesToBytes by a comparator and a loop over the chars (the reference, and the path without toBytes). */
function linesToBytesLoop(lines: string[], ascii: boolean): Uint8Array {
  lines.sort(ascii ? compareAscii : compareUtf16);
  var n = 0;
  var i;
  for (i = 0; i < lines.length; i++) n += lines[i].length;
  var out = new Uint8Array(n);
  var p = 0;
  for (i = 0; i < lines.length; i++) {
    var l = lines[i];
    lines[i] = '';
    for (var j = 0; j < l.length; j++) out[p++] = l.charCodeAt(j);
  }
  return out;
}

/** Whether s has a char >= 0x80, by a loop over the chars (the reference of NON_ASCII_RE). */
export function hasNonAsciiLoop(s: string): boolean {
  for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/** A node object waiting to be read: its slot, and the subject and predicate linking to it ('' for the root). */
interface Pending {
  obj: JsonObject;
  slot: number;
  s: string;
  p: string;
}

/**
 * The RDF statements of one certificate (or of its proof options). Each quad is one string
 * 'S P O' whose subject and object are written as in N-Quads, except that a blank node is
 * BLANK + String.fromCharCode(48 + index) (never in a written term: literals escape controls and
 * IRIs have none).
 */
export class Graph {
  quads: string[];
  /**
   * Two chars per quad: the blank node of its subject, then of its object, as in the quad
   * (String.fromCharCode(48 + index)), or '-' (so that the quads of a blank node are found with
   * the interpreter's own indexOf: canonicalBytes).
   */
  ends: string;
  nodes: number;
  /** False once a literal has a byte >= 0x80 (sorting then needs compareUtf16). */
  ascii: boolean;
  /** Empty each node object of the JSON tree once read (its memory goes as the quads grow). */
  consume: boolean;
  constructor(consume: boolean) {
    this.quads = [];
    this.ends = '';
    this.nodes = 0;
    this.ascii = true;
    this.consume = consume;
  }

  add(s: string, p: string, o: string): void {
    // Identical quads collapse, as they do in jsonld's node map.
    var q = s + ' ' + p + ' ' + o;
    var quads = this.quads;
    if (quads.indexOf(q) >= 0) return;
    if (quads.length >= MAX_QUADS) fail('too many statements');
    quads.push(q);
    this.ends += (s.charCodeAt(0) === BLANK ? s.charAt(1) : '-') + (o.charCodeAt(0) === BLANK ? o.charAt(1) : '-');
  }

  /** A string literal's N-Quads text. */
  literal(v: string): string {
    if (this.ascii && NON_ASCII_RE.test(v)) this.ascii = !hasNonAsciiLoop(v);
    return '"' + (ESCAPE_RE.test(v) ? escapeLiteral(v) : v) + '"';
  }

  /**
   * Emits the node object `root` of slot `slotIdx` (its keys in `skip` left out) and the nodes
   * nested in it, one at a time (a nested node waits in a queue, so that only one node's table
   * part and locals are held at a time; the order of the quads does not matter).
   */
  build(root: JsonObject, slotIdx: number, skip: string[]): void {
    var queue: Pending[] = [{ obj: root, slot: slotIdx, s: '', p: '' }];
    while (queue.length > 0) {
      var n = queue.shift() as Pending;
      this.node(n, skip, queue);
      skip = [];
    }
  }

  /** Emits the node of `n` (and its link from the parent), queueing the nodes nested in it. */
  node(n: Pending, skip: string[], queue: Pending[]): void {
    var obj = n.obj;
    var slotIdx = n.slot;
    var slot = divocSlot(slotIdx).split('\n');
    var typeKey = slot[0];
    var types: string[] = [];
    var tv = obj.get(typeKey);
    if (typeof tv === 'string') types.push(tv);
    else if (tv instanceof Array) {
      for (var ti = 0; ti < tv.length; ti++) {
        var t = tv[ti];
        if (typeof t !== 'string') fail('bad type');
        for (var tj = 0; tj < types.length; tj++) if (types[tj] === t) fail('duplicate type');
        types.push(t);
      }
    } else if (tv !== undefined) fail('bad type');
    types.sort();
    var want = types.join(' ') + '\t';
    var frameIdx = -1;
    var typeIris: string[] = [];
    for (var v = 1; v < slot.length; v++) {
      if (slot[v].substring(0, want.length) === want) {
        var parts = slot[v].split('\t');
        frameIdx = +parts[1];
        typeIris = parts[2].length > 0 ? parts[2].split(' ') : [];
        break;
      }
    }
    if (frameIdx < 0) fail('unexpected types');

    // The entry of every key (null: undefined there).
    var entries = lookupAll(frameIdx, obj.keys, skip);
    var k;

    // Subject: the @id alias if present, else a fresh blank node.
    var subj = '';
    for (k = 0; k < obj.keys.length; k++) {
      var e0 = entries[k];
      if (e0 !== null && e0.charAt(0) === 'i') {
        if (subj !== '') fail('two ids');
        var idv = obj.values[k];
        if (typeof idv !== 'string') fail('bad id');
        subj = '<' + checkIri(idv as string) + '>';
      }
    }
    if (subj === '') {
      if (this.nodes >= MAX_NODES) fail('too many nodes');
      subj = String.fromCharCode(BLANK, 48 + this.nodes++);
    }
    if (n.s !== '') this.add(n.s, n.p, subj);
    for (var i = 0; i < typeIris.length; i++) this.add(subj, RDF_TYPE, '<' + iri(typeIris[i]) + '>');

    for (k = 0; k < obj.keys.length; k++) {
      var key = obj.keys[k];
      if (skip.indexOf(key) >= 0) continue;
      var entry = entries[k];
      if (entry === null) return fail('term not defined by the contexts');
      var kind = entry.charAt(0);
      if (kind === 'i' || kind === 't') continue;
      var e = entry.split(' ');
      var val = obj.values[k];
      if (val instanceof Array) {
        for (var ai = 0; ai < val.length; ai++) {
          if (val[ai] instanceof Array) fail('nested array');
          this.value(subj, e, val[ai], queue);
        }
      } else this.value(subj, e, val, queue);
      if (this.consume) obj.values[k] = null;
    }
    if (this.consume) {
      obj.keys = [];
      obj.values = [];
    }
  }

  value(subj: string, e: string[], val: JsonValue, queue: Pending[]): void {
    var kind = e[0];
    var pred = '<' + iri(e[1]) + '>';
    if (val === null) fail('null value');
    if (val instanceof JsonObject) {
      if ((kind !== 'l' && kind !== 'r') || e[2] === '') fail('unexpected nested object');
      queue.push({ obj: val, slot: +e[2], s: subj, p: pred });
      return;
    }
    if (kind === 'l') {
      if (typeof val === 'string') this.add(subj, pred, this.literal(val));
      else if (typeof val === 'number') this.add(subj, pred, '"' + integerText(val) + '"^^' + XSD_INTEGER);
      else if (typeof val === 'boolean') this.add(subj, pred, '"' + (val ? 'true' : 'false') + '"^^' + XSD_BOOLEAN);
      else fail('bad value');
      return;
    }
    if (typeof val !== 'string') fail('bad value');
    var sv = val as string;
    if (kind === 'd') {
      this.add(subj, pred, this.literal(sv) + '^^<' + iri(e[2]) + '>');
    } else if (kind === 'r') {
      this.add(subj, pred, '<' + checkIri(sv) + '>');
    } else if (kind === 'v') {
      var ve = lookupAll(+e[2], [sv], [])[0];
      if (ve === null || ve.charAt(0) === 'i' || ve.charAt(0) === 't') fail('unknown vocabulary value');
      this.add(subj, pred, '<' + iri((ve as string).split(' ')[1]) + '>');
    } else fail('bad table entry');
  }
}

/**
 * What the statements of `g` say about the one node that a statement with predicate `link` points
 * to: out[i] lists the objects (terms as stored: see literalText) of its statements with predicate
 * preds[i] (predicates written `<iri>`). Fields that share a predicate, values wrapped in arrays,
 * duplicates and node objects merged by a shared id all give the same statements, hence the same
 * answer: this reads what the signature covers, not how the JSON lays it out. Throws unless
 * exactly one statement has predicate `link`.
 */
export function objectsAbout(g: Graph, link: string, preds: string[]): string[][] {
  var quads = g.quads;
  var node = '';
  var out: string[][] = [];
  var i;
  for (i = 0; i < preds.length; i++) out.push([]);
  for (var pass = 0; pass < 2; pass++) {
    for (var j = 0; j < quads.length; j++) {
      // 'S P O': neither a subject (IRI or blank node) nor a predicate holds a space.
      var q = quads[j];
      var a = q.indexOf(' ');
      var b = q.indexOf(' ', a + 1);
      var p = q.substring(a + 1, b);
      if (pass === 0) {
        if (p === link) {
          if (node !== '') fail('more than one ' + link);
          node = q.substring(b + 1);
        }
      } else if (q.substring(0, a) === node) {
        for (i = 0; i < preds.length; i++) if (p === preds[i]) out[i].push(q.substring(b + 1));
      }
    }
    if (node === '') fail('no ' + link);
  }
  return out;
}

/** Order of two byte arrays of one length (digests): the order of their hex, as URDNA2015 sorts hashes. */
function compareDigests(a: Uint8Array, b: Uint8Array): number {
  var i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length ? a[i] - b[i] : 0;
}

/**
 * The canonical N-Quads (URDNA2015: first-degree hashes, canonical labels c14nN in hash order,
 * sorted lines) of a graph, as UTF-8 bytes. Consumes the graph (its quads are dropped as they are
 * written). `toBytes`: a native conversion of a byte string to bytes (E.toUint8Array), with which
 * ASCII lines are sorted and joined natively (linesToBytes).
 */
export function canonicalBytes(g: Graph, sha256: Sha256, toBytes?: ToBytes | null): Uint8Array {
  return linesToBytes(canonicalLines(g, sha256, toBytes), g.ascii, toBytes);
}

/**
 * SHA-256 of canonicalBytes(g, ...), consuming g. With `sha256Text` (a board's crypto.SHA256,
 * which takes a byte string as it is) and `toBytes`, ASCII lines are hashed as their joined text,
 * never copied into bytes: one copy of the canonical N-Quads less at the peak of a DIVOC check.
 */
export function canonicalHash(g: Graph, sha256: Sha256, toBytes?: ToBytes | null, sha256Text?: ((text: string) => Uint8Array) | null): Uint8Array {
  var lines = canonicalLines(g, sha256, toBytes);
  if (g.ascii && toBytes && sha256Text) return sha256Text(linesToText(lines));
  return sha256(linesToBytes(lines, g.ascii, toBytes));
}

/** The canonical N-Quads' lines of a graph, relabelled, unsorted (canonicalBytes); consumes g. */
function canonicalLines(g: Graph, sha256: Sha256, toBytes?: ToBytes | null): string[] {
  var n = g.nodes;
  var quads = g.quads;
  var ends = g.ends;
  var hashes: Uint8Array[] = [];
  var order: number[] = [];
  var i;
  var j;
  for (i = 0; i < n; i++) {
    // The quads that mention blank node i (one whose subject and object both are is one line).
    var lines: string[] = [];
    var c = String.fromCharCode(48 + i);
    var at = ends.indexOf(c);
    while (at >= 0) {
      if ((at & 1) === 0 || ends.charAt(at - 1) !== c) lines.push(quadLine(quads[at >> 1], null, i));
      at = ends.indexOf(c, at + 1);
    }
    hashes.push(sha256(linesToBytes(lines, g.ascii, toBytes)));
    order.push(i);
  }
  order.sort(function (x, y) {
    return compareDigests(hashes[x], hashes[y]);
  });
  var labels: string[] = [];
  for (i = 0; i < n; i++) {
    if (i > 0 && compareDigests(hashes[order[i]], hashes[order[i - 1]]) === 0) fail('shape needs n-degree hashing');
    labels[order[i]] = 'c14n' + i;
  }
  hashes = [];
  g.quads = [];
  g.ends = '';
  for (j = 0; j < quads.length; j++) quads[j] = quadLine(quads[j], labels, -1);
  return quads;
}

function contextKey(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (!(v instanceof Array) || v.length === 0) fail('bad @context');
  var arr = v as JsonValue[];
  var s = '';
  for (var i = 0; i < arr.length; i++) {
    if (typeof arr[i] !== 'string') fail('bad @context');
    s += (i > 0 ? ' ' : '') + arr[i];
  }
  return s;
}

function rootSlot(proof: boolean, key: string): number {
  var roots = divocRoots(proof).split('\n');
  for (var i = 0; i < roots.length; i++) {
    var tab = roots[i].indexOf('\t');
    if (roots[i].substring(0, tab) === key) return +roots[i].substring(tab + 1);
  }
  return fail('unknown @context');
}

/**
 * The statements of the certificate without its `proof`. With `consume`, every node object of
 * the tree is emptied once read (so that a caller holding no other reference into the tree has
 * its memory back while the quads are made).
 */
export function documentGraph(doc: JsonObject, consume?: boolean): Graph {
  var slot = rootSlot(false, contextKey(doc.get('@context')));
  var g = new Graph(!!consume);
  g.build(doc, slot, ['@context', 'proof']);
  return g;
}

/** The proof options' @context (README.txt in data/divoc/contexts). */
export var PROOF_OPTIONS_CONTEXT = 'https://w3id.org/security/v2';

/**
 * The statements of the proof options: `proof` without `jws` and `proofValue`, with
 * "@context": "https://w3id.org/security/v2". A proof with its own @context is refused.
 */
export function proofOptionsGraph(proof: JsonObject): Graph {
  if (proof.has('@context')) fail('proof has a @context');
  var slot = rootSlot(true, PROOF_OPTIONS_CONTEXT);
  var g = new Graph(false);
  g.build(proof, slot, ['jws', 'proofValue']);
  return g;
}

/** Canonical N-Quads (byte string) of the certificate without its `proof`. */
export function canonicalDocument(doc: JsonObject, sha256: Sha256, toBytes?: ToBytes | null): string {
  return bytesToByteString(canonicalBytes(documentGraph(doc), sha256, toBytes));
}

/** Canonical N-Quads (byte string) of the proof options (see proofOptionsGraph). */
export function canonicalProofOptions(proof: JsonObject, sha256: Sha256, toBytes?: ToBytes | null): string {
  return bytesToByteString(canonicalBytes(proofOptionsGraph(proof), sha256, toBytes));
}
