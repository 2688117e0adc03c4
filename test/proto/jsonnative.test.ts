// proto/jsonnative.ts: strict JSON through the interpreter's JSON.parse (here the simulator's model
// of Espruino 2v29's built-ins, test/util/builtins.ts simBuiltins) against proto/json.ts: the same
// trees and the same refusals (messages included) on random and mutated texts, every DIVOC sample
// read natively. (The real interpreter: test/real/jsonnative.test.ts.)
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { jsonNativeTree, parseJsonNative, NativeJson, JSON_NATIVE_MAX_CONTAINERS } from '../../proto/jsonnative';
import { parseJsonBytes, JsonObject, JsonValue, JSON_MAX_VALUES } from '../../proto/json';
import { simBuiltins } from '../util/builtins';
import { EDGES, jsonText, sampleJsonTexts, sampleMutations, ser } from '../util/jsontext';
import { byteString } from '../../sim/flash';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 1500;
const NAT = simBuiltins();

function outcome(f: () => JsonValue): string {
  try { return ser(f()); } catch (e: any) { return 'E ' + e.message; }
}

/** Both readings of b agree (tree or refusal message); true when the native path took it. */
function same(b: Uint8Array, nat: NativeJson = NAT, maxDepth?: number): boolean {
  const want = outcome(() => parseJsonBytes(b, maxDepth));
  assert.equal(outcome(() => parseJsonNative(b, nat, maxDepth)), want, JSON.stringify(byteString(b).slice(0, 200)));
  const t = b.length > 4096 ? undefined : jsonNativeTree(byteString(b), nat, maxDepth);
  if (t !== undefined) assert.equal(ser(t), want, 'native tree ' + JSON.stringify(byteString(b).slice(0, 200)));
  return t !== undefined;
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('proto/jsonnative', () => {
  it('every DIVOC sample (certificate.json, JWS header) is read natively, as proto/json.ts reads it', () => {
    const all = sampleJsonTexts();
    assert.ok(all.length >= 6);
    for (const t of all) {
      assert.ok(same(t.bytes), t.name + ' not native');
      if (t.name.endsWith('jws header')) assert.ok(same(t.bytes, NAT, 4), t.name + ' not native at maxDepth 4');
      else assert.ok(!same(t.bytes, NAT, 4), t.name + ' native at maxDepth 4'); // (5 levels: refused)
      assert.ok(parseJsonNative(t.bytes, NAT) instanceof JsonObject);
    }
  });
  it('agrees with proto/json.ts on the edges (whitespace, duplicates, 1.0, \\u, __proto__, limits ...)', () => {
    let native = 0;
    for (const e of EDGES) if (same(bytes(e))) native++;
    for (const e of EDGES) for (const d of [1, 2, 4]) same(bytes(e), NAT, d);
    // (what the native path must leave to the strict parser)
    for (const e of ['"\\u00E9"', '[1.0]', '{"a":1e2}', '0.1', '1234567890123456', '{"__proto__":1}', '{"constructor":1}', '{"b":1,"1":2}', '{"a" :1}',
      '[[[[[[[[[1]]]]]]]]]', '[' + '1,'.repeat(256) + '1]', '[' + '[],'.repeat(24) + '[]]', '"\xe9"', '"\x7f"']) {
      assert.equal(jsonNativeTree(e, NAT), undefined, e.slice(0, 60));
    }
    assert.ok(native >= 20, `${native} native`);
  });
  it('a text the native parse reads leniently or differently is refused as the reference refuses it (the round trip and the backslash check)', () => {
    // each of these passes Node's JSON.parse and the walk: only `stringify(parse(text)) === text`
    // (1.0, 1e2, whitespace: the tree would do) or the backslash check (\u00E9: one char, not C3 A9)
    // keeps it off the native path
    assert.equal(outcome(() => parseJsonNative(bytes('[1.0]'), NAT)), 'E json: non-integer number at 4');
    assert.equal(outcome(() => parseJsonNative(bytes('{"a":1e2}'), NAT)), 'E json: non-integer number at 8');
    assert.equal(outcome(() => parseJsonNative(bytes('"\\u00E9"'), NAT)), 's' + 'c3a9' + ';');
    assert.equal(outcome(() => parseJsonNative(bytes('"\\u00e9"'), NAT)), 's' + 'c3a9' + ';');
  });
  it('agrees with proto/json.ts on random and mutated texts (property), and takes the native path often', () => {
    let native = 0;
    let n = 0;
    fc.assert(fc.property(jsonText(), (b) => { n++; if (same(b)) native++; }), { numRuns: RUNS, seed: 41 });
    assert.ok(native > n / 10, `${native} of ${n} native`);
  });
  it('agrees on mutations of the samples (property)', () => {
    let native = 0;
    for (const b of sampleMutations(Math.max(200, RUNS >> 2), 42)) if (same(b)) native++;
    assert.ok(native > 0);
  });
  it('only a text without backslash or __proto__, with at most JSON_NATIVE_MAX_CONTAINERS {/[ and values (1 + containers + commas) within the bound goes to JSON.parse', () => {
    let parsed = 0;
    const counting: NativeJson = Object.assign({}, NAT, { parse: (s: string) => { parsed++; return JSON.parse(s); } });
    const read = (s: string) => assert.equal(outcome(() => parseJsonNative(bytes(s), counting)), outcome(() => parseJsonBytes(bytes(s))));
    read('[' + '[],'.repeat(JSON_NATIVE_MAX_CONTAINERS - 2) + '[]]');
    assert.equal(parsed, 1);
    read('[' + '[],'.repeat(JSON_NATIVE_MAX_CONTAINERS - 1) + '[]]');
    read('[' + '"a,",'.repeat(300) + '1]');
    read('[' + '1,'.repeat(257) + '1]');
    read('{"a":"\\u0041"}');
    read('{"a":"\\n"}');
    // (Espruino 2v29 stops on an assertion for this one: it must never reach JSON.parse)
    read('{"__proto__":true}');
    read('{"a":{"__proto__":[]}}');
    // (values = the root + 1 per container + 1 per comma at most: 255 commas in an array is 257)
    read('[' + '1,'.repeat(255) + '1]');
    assert.equal(parsed, 1);
    read('[' + '1,'.repeat(JSON_MAX_VALUES - 2) + '1]');
    assert.equal(parsed, 2);
  });
  it('a native reading that throws or returns nonsense falls back', () => {
    const broken: NativeJson = Object.assign({}, NAT, { parse: () => { throw new Error('out of memory'); } });
    assert.ok(!same(sampleJsonTexts()[0].bytes, broken));
    const odd: NativeJson = Object.assign({}, NAT, { stringify: () => undefined as any });
    assert.ok(!same(sampleJsonTexts()[0].bytes, odd));
  });
  it('a key kept twice (as Espruino keeps it: Object.keys once, Object.values twice) is not read natively', () => {
    // Espruino's reading of {"a":1,"a":2}: it gives the text back, lists "a" once and 1 twice
    const dup: NativeJson = Object.assign({}, NAT, {
      parse: () => ({ a: 1 }), stringify: () => '{"a":1,"a":2}', keys: () => ['a'], values: () => [1, 1],
    });
    assert.equal(jsonNativeTree('{"a":1,"a":2}', dup), undefined);
    assert.equal(outcome(() => parseJsonNative(bytes('{"a":1,"a":2}'), dup)), 'E json: duplicate key at 10');
  });
});
