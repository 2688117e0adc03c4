// Strict JSON through the interpreter's own JSON.parse (proto/json.ts parseJsonBytes's answers,
// faster): DIVOC's certificate.json is JSON.stringify output (compact, ASCII), which Espruino 2v29
// parses natively in well under 1 % of the time proto/json.ts takes. Espruino's JSON.parse is
// lenient (src/jswrap_json.c: trailing commas, trailing garbage, comments, single quotes, `\x`
// escapes, hex numbers, duplicate keys kept twice), so its reading is taken ONLY when it can be
// shown to be the strict parser's; anything else goes to proto/json.ts, unchanged: it stays the
// reference, the fallback and the refusal (its reasons are the only ones given). The showing:
//  - no backslash in the text, and no `__proto__`: Espruino's lexer reads escapes JSON has not
//    (`\x5f`, octal `\137`, `\p` as p), so that only a text without any escape shows what its keys
//    are; a key `__proto__` sets the object's prototype, and one whose value is not an object
//    stops the Linux build on an assertion (src/jsvar.c: `{"__proto__":true}`, seen on 2v29); and
//    `\u00E9` reads as one char 0xE9 natively, as the UTF-8 bytes C3 A9 in the strict parser.
//    (A real certificate has no backslash: stringify escapes only `"`, `\` and controls.)
//  - at most JSON_NATIVE_MAX_CONTAINERS `{`/`[`, and values (1 + containers + commas) within the
//    values bound (JSON_MAX_VALUES or a board's DIVOC bound) in the text (counted with
//    native indexOf, with an early stop), so that Espruino's recursive C parser nests no deeper and
//    allocates no more than the strict one would let an unsigned text make it;
//  - JSON.stringify(JSON.parse(text)) === text: the text is exactly what Espruino writes of what it
//    read, so it has no whitespace, no leniency, no duplicate key that was dropped, no `__proto__`
//    or `constructor` key (stringify leaves both out), and only printable ASCII (stringify writes
//    every char < 0x20 or >= 0x7f as \uXXXX, and the text has no backslash);
//  - then a walk of the tree that makes the JsonObject tree (keys and values in document order) and
//    refuses what the strict parser refuses or what could differ: past JSON_MAX_VALUES values,
//    `maxDepth` levels or JSON_MAX_KEYS keys in an object; a key kept twice (Espruino's
//    Object.keys drops the repeat, Object.values does not: their lengths differ); a number that
//    is not an int32 integer (1234567890123456 and 0.1 round-trip natively; strict refuses them);
//    a key starting with a digit (Node, the simulator, orders array-index keys first, Espruino
//    keeps document order: refused on both so that both take the same path).
// Strings are the same byte strings as proto/json.ts's: printable ASCII, no escapes.
// Memory: the text (a byte string), Espruino's tree (about 160 variables for a certificate) and the
// walk's JsonObjects; arrays are reused in place.

import { qgError } from './error';
import { JsonObject, JsonValue, parseJsonBytes, JSON_MAX_BYTES, JSON_MAX_DEPTH, JSON_MAX_KEYS, JSON_MAX_VALUES } from './json';

/** Espruino's E.toString (bytes into a byte string), JSON.parse/stringify, Object.keys/values. */
export interface NativeJson {
  text: (b: Uint8Array) => string;
  parse: (s: string) => any;
  stringify: (v: any) => string;
  keys: (o: any) => string[];
  values: (o: any) => any[];
}

/** Most `{` and `[` in a text read natively (its nesting bound); a real certificate has 12. */
export var JSON_NATIVE_MAX_CONTAINERS = 24;

interface Walk {
  n: NativeJson;
  left: number;
  maxDepth: number;
}

function w_fail(): never {
  throw qgError('json: not native');
}

/**
 * The walk of an array or object v (its values counted and checked here: a function call per
 * container, not per value, which is most of the walk's cost on a board).
 */
function w_value(st: Walk, v: any, depth: number): JsonValue {
  if (++depth > st.maxDepth) w_fail();
  var ks: string[] | null = null;
  var vs: any[] = v;
  if (!(v instanceof Array)) {
    ks = st.n.keys(v);
    vs = st.n.values(v);
    if (ks.length !== vs.length || ks.length > JSON_MAX_KEYS) w_fail();
  }
  st.left -= vs.length;
  if (st.left < 0) w_fail();
  for (var i = 0; i < vs.length; i++) {
    if (ks) {
      var c = ks[i].charCodeAt(0);
      if (c >= 48 && c <= 57) w_fail();
    }
    var x = vs[i];
    if (typeof x === 'object' && x !== null) vs[i] = w_value(st, x, depth);
    else if (typeof x === 'number' && (x | 0) !== x) w_fail();
  }
  return ks ? new JsonObject(ks, vs) : vs;
}

/** How many times `c` occurs in s, counting no further than max + 1. */
function countUpTo(s: string, c: string, max: number): number {
  var k = 0;
  var i = s.indexOf(c);
  while (i >= 0 && k <= max) {
    k++;
    i = s.indexOf(c, i + 1);
  }
  return k;
}

/** The values bound of parseJsonBytes(b, maxDepth, maxValues) (a board's DIVOC bound, else JSON_MAX_VALUES). */
function valuesBound(maxValues: number | undefined): number {
  return maxValues && maxValues < JSON_MAX_VALUES ? maxValues : JSON_MAX_VALUES;
}

/** Espruino's tree of `text` where the checks above (before the walk) pass, else undefined. */
function nativeRead(text: string, n: NativeJson, maxValues: number): any {
  if (text.length > JSON_MAX_BYTES || text.indexOf('\\') >= 0 || text.indexOf('__proto__') >= 0) return undefined;
  var c = countUpTo(text, '{', JSON_NATIVE_MAX_CONTAINERS) + countUpTo(text, '[', JSON_NATIVE_MAX_CONTAINERS);
  if (c > JSON_NATIVE_MAX_CONTAINERS) return undefined;
  // (A value is the root, the first in its container or after a comma: at most 1 + c + commas, so
  // JSON.parse never builds more than maxValues values.)
  var commas = maxValues - 1 - c;
  if (commas < 0 || countUpTo(text, ',', commas) > commas) return undefined;
  var v = n.parse(text);
  return n.stringify(v) === text ? v : undefined;
}

/** The walk of Espruino's tree v (not undefined) into proto/json.ts's; throws where it may differ. */
function walk(v: any, n: NativeJson, maxDepth: number | undefined, maxValues: number): JsonValue {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'number' && (v | 0) !== v) w_fail();
    return v;
  }
  return w_value({ n: n, left: maxValues - 1, maxDepth: maxDepth === undefined || maxDepth > JSON_MAX_DEPTH ? JSON_MAX_DEPTH : maxDepth }, v, 0);
}

/**
 * The strict reading of `text` (a byte string) through `n`, or undefined where it cannot be shown
 * to be parseJsonBytes's (the caller then runs parseJsonBytes). Never throws.
 */
export function jsonNativeTree(text: string, n: NativeJson, maxDepth?: number, maxValues?: number): JsonValue | undefined {
  var mv = valuesBound(maxValues);
  try {
    var v = nativeRead(text, n, mv);
    return v === undefined ? undefined : walk(v, n, maxDepth, mv);
  } catch (e) {
    return undefined;
  }
}

/**
 * parseJsonBytes(b, maxDepth, maxValues), natively where that is shown to give the same answer. (Memory: the
 * text is dropped before the walk, and before parseJsonBytes runs where it must.)
 */
export function parseJsonNative(b: Uint8Array, n: NativeJson, maxDepth?: number, maxValues?: number): JsonValue {
  var v: any;
  var mv = valuesBound(maxValues);
  try {
    var t: string | null = b.length > JSON_MAX_BYTES ? null : n.text(b);
    v = t === null ? undefined : nativeRead(t, n, mv);
    t = null;
    if (v !== undefined) v = walk(v, n, maxDepth, mv);
  } catch (e) {
    t = null;
    v = undefined;
  }
  return v === undefined ? parseJsonBytes(b, maxDepth, maxValues) : v;
}
