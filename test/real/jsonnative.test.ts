// proto/jsonnative.ts on the REAL interpreter (ESPRUINO=/path/to/espruino): DIVOC's JSON through
// Espruino's own JSON.parse/stringify, E.toString and Object.keys/values (hal/espruino/builtins.ts,
// bundled as the gate's are) against proto/json.ts on the same interpreter and in Node, on random
// and mutated JSON texts, mutations of the samples and the edges (test/util/jsontext.ts): the same
// trees and refusals, and the native path taken exactly where the simulator's model takes it.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { REPO } from '../util/shared';
import { onInterpreter, hostFiles, seedAndRun, bundleProgram } from './interp';
import { simBuiltins } from '../util/builtins';
import { EDGES, jsonText, sampleJsonTexts, sampleMutations, ser, SER_JS } from '../util/jsontext';
import { parseJsonBytes, JsonValue } from '../../proto/json';
import { jsonNativeTree } from '../../proto/jsonnative';
import { byteString } from '../../sim/flash';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to run Espruino\'s JSON on the real interpreter';
const CASES = Number(process.env.QG_JSON_CASES || 0) || 1500; // random and mutated texts

/** The program: qg.cases holds the texts (length, bytes); one `@r` line per case, then `@done`. */
const ENTRY = (tsc: string) => `
import { parseJsonNative, jsonNativeTree } from ${JSON.stringify(tsc + '/proto/jsonnative.js')};
import { parseJsonBytes, JsonObject } from ${JSON.stringify(tsc + '/proto/json.js')};
import { builtins } from ${JSON.stringify(tsc + '/hal/espruino/builtins.js')};
var ser = (function (JsonObject) { ${SER_JS} })(JsonObject);
var nat = builtins();
function run(f) { try { return ser(f()); } catch (e) { return 'E ' + e.message; } }
var C = require('Storage').read('qg.cases');
var n = 0;
for (var p = 0; p < C.length;) {
  var len = parseInt(C.substr(p, 4), 16);
  var b = E.toUint8Array(C.substr(p + 4, len));
  p += 4 + len;
  var t = b.length > 4096 ? undefined : jsonNativeTree(nat.text(b), nat);
  print('@r ' + n + '|' + (t === undefined ? 'F' : 'N') + '|' + run(function () { return parseJsonNative(b, nat); }) + '|' + run(function () { return parseJsonBytes(b); }));
  n++;
}
print('@done ' + n + ' ' + (nat ? 'builtins' : 'none'));
`;

function cases(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const t of sampleJsonTexts()) out.push(t.bytes);
  for (const e of EDGES) out.push(new Uint8Array(Buffer.from(e, 'latin1')));
  for (const b of fc.sample(jsonText(), { numRuns: CASES, seed: 51 })) out.push(b);
  for (const b of sampleMutations(Math.min(80, Math.max(40, CASES >> 4)), 52)) out.push(b); // (Storage holds 256 KB)
  return out;
}

function outcome(f: () => JsonValue): string {
  try { return ser(f()); } catch (e: any) { return 'E ' + e.message; }
}

describe('espruino: DIVOC\'s JSON through JSON.parse (proto/jsonnative.ts)', function () {
  this.timeout(20 * 60 * 1000);
  const all = cases();
  let out = '';

  onInterpreter('qg-json-', SKIP_MSG, async (bin, work) => {
    const prog = bundleProgram(work, ENTRY);
    // (each case: its length in 4 hex digits, then its bytes: hex would not fit the 256 KB Storage)
    const data = Buffer.concat(all.map((c) => Buffer.concat([Buffer.from(c.length.toString(16).padStart(4, '0'), 'latin1'), Buffer.from(c)])));
    const files = hostFiles(work, { 'qg.cases': new Uint8Array(data) });
    out = await seedAndRun(bin, path.join(work, 'run'), files, prog, /@done [^\n]*\n/, 15 * 60 * 1000);
  });

  it('has the built-ins and ran every case', () => {
    assert.match(out, new RegExp(`@done ${all.length} builtins`), out.slice(-2000));
  });
  it('reads every text as proto/json.ts does (same tree or same refusal), natively exactly where the simulator does', () => {
    const rs = out.split('\n').filter((l) => l.startsWith('@r ')).map((l) => l.split('|'));
    assert.equal(rs.length, all.length);
    const nat = simBuiltins();
    let native = 0;
    all.forEach((b, i) => {
      const r = rs[i];
      const what = JSON.stringify(byteString(b).slice(0, 120));
      const want = outcome(() => parseJsonBytes(b));
      assert.equal(r[3], want, 'proto/json.ts on the interpreter: ' + what);
      assert.equal(r[2], want, 'through JSON.parse: ' + what);
      const model = b.length <= 4096 && jsonNativeTree(byteString(b), nat) !== undefined;
      assert.equal(r[1], model ? 'N' : 'F', 'path (N: native) against the simulator\'s: ' + what);
      if (r[1] === 'N') native++;
    });
    for (let i = 0; i < sampleJsonTexts().length; i++) assert.equal(rs[i][1], 'N', `sample ${i} native`);
    assert.ok(native > all.length / 10, `${native} of ${all.length} native`);
  });
});
