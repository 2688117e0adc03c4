// Canonical N-Quads (URDNA2015 / RDFC-1.0, as npm jsonld's canonize produces them) of a DIVOC
// certificate and of its proof options, computed straight from the parsed JSON with the compiled
// table (table.generated.ts, made by tools/build/divoc-table.ts) instead of a JSON-LD engine.
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

import { divocTable, DIVOC_RESERVED } from './table.generated';
import { JsonObject, JsonValue } from '../json';
import { byteStringToBytes, hexOf, indexOfText } from '../bytes';

var RDF_TYPE = '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>';
var XSD_INTEGER = '<http://www.w3.org/2001/XMLSchema#integer>';
var XSD_BOOLEAN = '<http://www.w3.org/2001/XMLSchema#boolean>';
var HEX_UPPER = '0123456789ABCDEF';
/** Upper bounds on the work for one document. */
var MAX_QUADS = 400;
var MAX_NODES = 64;

export type Sha256 = (d: Uint8Array) => Uint8Array;

function fail(what: string): never {
  throw new Error('divoc: ' + what);
}

/** IRI number i of the table, its packed prefix expanded. */
function iri(i: string): string {
  var t = divocTable();
  var s = t.iris[+i];
  var c = s.charCodeAt(0);
  return c < 32 ? t.iriPrefixes[c - 1] + s.substring(1) : s;
}

/** N-Quads string-literal escaping (rdf-canonize): controls, '"' and '\'; bytes >= 0x80 kept. */
export function escapeLiteral(s: string): string {
  var out = '';
  for (var i = 0; i < s.length; i++) {
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
  for (var j = i + 1; j < v.length; j++) {
    var d = v.charCodeAt(j);
    if (d <= 0x20 || d >= 0x7f || d === 60 || d === 62 || d === 34 || d === 123 || d === 125 || d === 124 || d === 92 || d === 94 || d === 96) {
      fail('IRI has unusual chars');
    }
  }
  if (indexOfText(DIVOC_RESERVED, '|' + v.substring(0, i) + '|') >= 0 && v.substring(i + 1, i + 3) !== '//') fail('IRI looks like a compact IRI');
  return v;
}

/** The table entry [kind, a, b] of a key in a frame, or null when the frame does not define it. */
function lookup(frame: string, key: string): string[] | null {
  if (key.length === 0) return null;
  for (var i = 0; i < key.length; i++) {
    var c = key.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 124 || c === 61 || c === 44) return null; // | = ,
  }
  var at = indexOfText(frame, '|' + key + '=');
  if (at < 0) return null;
  var start = at + key.length + 2;
  var end = frame.indexOf('|', start);
  if (end < 0) end = frame.length;
  return frame.substring(start, end).split(',');
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

/** One quad; a subject/object is a blank node when its index (sb/ob) is >= 0, else the text. */
interface Quad {
  s: string;
  sb: number;
  p: string;
  o: string;
  ob: number;
}

class Graph {
  quads: Quad[];
  seen: { [k: string]: boolean };
  nodes: number;
  constructor() {
    this.quads = [];
    this.seen = {};
    this.nodes = 0;
  }

  add(s: string, sb: number, p: string, o: string, ob: number): void {
    // Identical quads collapse, as they do in jsonld's node map.
    var k = (sb >= 0 ? '_:b' + sb : s) + ' ' + p + ' ' + (ob >= 0 ? '_:b' + ob : o);
    if (this.seen[k] === true) return;
    this.seen[k] = true;
    if (this.quads.length >= MAX_QUADS) fail('too many statements');
    this.quads.push({ s: s, sb: sb, p: p, o: o, ob: ob });
  }

  /** Emits the node `obj` of slot `slotIdx`; returns [text, blank index] of its subject. */
  node(obj: JsonObject, slotIdx: number, skip: string[]): { t: string; b: number } {
    var slot = divocTable().slots[slotIdx].split('\n');
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
    var frame = '';
    var typeIris: string[] = [];
    var found = false;
    for (var v = 1; v < slot.length; v++) {
      if (slot[v].substring(0, want.length) === want) {
        var parts = slot[v].split('\t');
        frame = divocTable().frames[+parts[1]];
        typeIris = parts[2].length > 0 ? parts[2].split(' ') : [];
        found = true;
        break;
      }
    }
    if (!found) fail('unexpected types');

    // Subject: the @id alias if present, else a fresh blank node.
    var subj = '';
    var sb = -1;
    var k;
    for (k = 0; k < obj.keys.length; k++) {
      var e0 = lookup(frame, obj.keys[k]);
      if (e0 !== null && e0[0] === 'i') {
        if (subj !== '') fail('two ids');
        var idv = obj.values[k];
        if (typeof idv !== 'string') fail('bad id');
        subj = '<' + checkIri(idv as string) + '>';
      }
    }
    if (subj === '') {
      if (this.nodes >= MAX_NODES) fail('too many nodes');
      sb = this.nodes++;
    }
    for (var i = 0; i < typeIris.length; i++) this.add(subj, sb, RDF_TYPE, '<' + iri(typeIris[i]) + '>', -1);

    for (k = 0; k < obj.keys.length; k++) {
      var key = obj.keys[k];
      var sk = false;
      for (var q = 0; q < skip.length; q++) if (skip[q] === key) sk = true;
      if (sk) continue;
      var e = lookup(frame, key);
      if (e === null) fail('term not defined by the contexts');
      var kind = e[0];
      if (kind === 'i' || kind === 't') continue;
      var val = obj.values[k];
      if (val instanceof Array) {
        for (var ai = 0; ai < val.length; ai++) {
          if (val[ai] instanceof Array) fail('nested array');
          this.value(subj, sb, e, val[ai]);
        }
      } else this.value(subj, sb, e, val);
    }
    return { t: subj, b: sb };
  }

  value(subj: string, sb: number, e: string[], val: JsonValue): void {
    var kind = e[0];
    var pred = '<' + iri(e[1]) + '>';
    if (val === null) fail('null value');
    if (val instanceof JsonObject) {
      if ((kind !== 'l' && kind !== 'r') || e[2] === '') fail('unexpected nested object');
      var child = this.node(val, +e[2], []);
      this.add(subj, sb, pred, child.t, child.b);
      return;
    }
    if (kind === 'l') {
      if (typeof val === 'string') this.add(subj, sb, pred, '"' + escapeLiteral(val) + '"', -1);
      else if (typeof val === 'number') this.add(subj, sb, pred, '"' + integerText(val) + '"^^' + XSD_INTEGER, -1);
      else if (typeof val === 'boolean') this.add(subj, sb, pred, '"' + (val ? 'true' : 'false') + '"^^' + XSD_BOOLEAN, -1);
      else fail('bad value');
      return;
    }
    if (typeof val !== 'string') fail('bad value');
    var sv = val as string;
    if (kind === 'd') {
      this.add(subj, sb, pred, '"' + escapeLiteral(sv) + '"^^<' + iri(e[2]) + '>', -1);
    } else if (kind === 'r') {
      this.add(subj, sb, pred, '<' + checkIri(sv) + '>', -1);
    } else if (kind === 'v') {
      var ve = lookup(divocTable().frames[+e[2]], sv);
      if (ve === null || ve[0] === 'i' || ve[0] === 't') fail('unknown vocabulary value');
      this.add(subj, sb, pred, '<' + iri(ve[1]) + '>', -1);
    } else fail('bad table entry');
  }

  line(q: Quad, labels: string[]): string {
    return (q.sb >= 0 ? '_:' + labels[q.sb] : q.s) + ' ' + q.p + ' ' + (q.ob >= 0 ? '_:' + labels[q.ob] : q.o) + ' .\n';
  }

  /** URDNA2015: first-degree hashes, canonical labels c14nN in hash order, sorted lines. */
  canonical(sha256: Sha256): string {
    var n = this.nodes;
    var hashes: string[] = [];
    var order: number[] = [];
    var i;
    var j;
    for (i = 0; i < n; i++) {
      var lines: string[] = [];
      for (j = 0; j < this.quads.length; j++) {
        var q = this.quads[j];
        if (q.sb !== i && q.ob !== i) continue;
        var l = (q.sb >= 0 ? (q.sb === i ? '_:a' : '_:z') : q.s) + ' ' + q.p + ' ' + (q.ob >= 0 ? (q.ob === i ? '_:a' : '_:z') : q.o) + ' .\n';
        lines.push(l);
      }
      lines.sort(compareUtf16);
      hashes.push(hexOf(sha256(byteStringToBytes(lines.join('')))));
      order.push(i);
    }
    order.sort(function (x, y) {
      return hashes[x] < hashes[y] ? -1 : hashes[x] > hashes[y] ? 1 : 0;
    });
    var labels: string[] = [];
    for (i = 0; i < n; i++) {
      if (i > 0 && hashes[order[i]] === hashes[order[i - 1]]) fail('shape needs n-degree hashing');
      labels[order[i]] = 'c14n' + i;
    }
    var out: string[] = [];
    for (j = 0; j < this.quads.length; j++) out.push(this.line(this.quads[j], labels));
    out.sort(compareUtf16);
    return out.join('');
  }
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

function rootSlot(roots: string[], key: string): number {
  for (var i = 0; i < roots.length; i++) {
    var tab = roots[i].indexOf('\t');
    if (roots[i].substring(0, tab) === key) return +roots[i].substring(tab + 1);
  }
  return fail('unknown @context');
}

/** Canonical N-Quads (byte string) of the certificate without its `proof`. */
export function canonicalDocument(doc: JsonObject, sha256: Sha256): string {
  var slot = rootSlot(divocTable().docRoots, contextKey(doc.get('@context')));
  var g = new Graph();
  g.node(doc, slot, ['@context', 'proof']);
  return g.canonical(sha256);
}

/** The proof options' @context (README.txt in ../shared/divoc/contexts). */
export var PROOF_OPTIONS_CONTEXT = 'https://w3id.org/security/v2';

/**
 * Canonical N-Quads (byte string) of the proof options: `proof` without `jws` and `proofValue`,
 * with "@context": "https://w3id.org/security/v2". A proof with its own @context is refused.
 */
export function canonicalProofOptions(proof: JsonObject, sha256: Sha256): string {
  if (proof.has('@context')) fail('proof has a @context');
  var slot = rootSlot(divocTable().proofRoots, PROOF_OPTIONS_CONTEXT);
  var g = new Graph();
  g.node(proof, slot, ['jws', 'proofValue']);
  return g.canonical(sha256);
}
