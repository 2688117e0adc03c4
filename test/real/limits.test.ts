// Peak memory of the worst unsigned inputs on the REAL Espruino interpreter (ESPRUINO=/path/to/espruino):
// the gate (dist/gate.js as a board runs it, from Storage, booted with the 64-key memory fixture and
// scanner.maxLen 4096, the top) is handed each input of test/util/worst-inputs.ts on its scanner UART,
// and must refuse it (deny/malformed) needing at most WORST_PEAK_BUDGET free variables: what a Pico's
// 5,100 leave once the gate is booted (MEMORY_BUDGET, with 100 to spare for timers and events).
//
// The peak is measured, not sampled (nothing runs during a decision): with the stock (growing)
// variable store, ballast leaves exactly B variables free and the store grows (process.memory().total,
// in blocks of 4096) only if the decision needs more than B; a binary search over B gives the least
// B that suffices, to within the size of the process.memory() object (about 15). A build with a
// fixed store (total not a multiple of 4096: e.g. VARIABLES=5100) cannot grow: each input then runs
// once from the booted gate, and must be decided without an out-of-memory error.
import { strict as assert } from 'assert';
import * as path from 'path';
import { MEMORY_BUDGET, memoryBootFiles, memoryDivocText } from '../../tools/build/memory-fixture';
import { CONFIG_FILE } from '../../firmware/boot';
import { worstInputs } from '../util/worst-inputs';
import { buildGate, hostFiles, onInterpreter, seedAndRun } from './interp';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to measure the worst inputs\' memory on the real interpreter';

/** Free variables a worst input may need: a Pico's 5,100 less the booted gate's budget, less 100. */
export const WORST_PEAK_BUDGET = 5100 - MEMORY_BUDGET - 100;
/** The binary search's upper end (a peak at it means "at least this"). */
const SEARCH_TOP = 3200;
/**
 * The search stops within this many variables (6 probes per input: near the limit every allocation
 * runs the garbage collector, so a probe of a DIVOC check takes many seconds).
 */
const SEARCH_STEP = 50;

function driver(names: string[]): string {
  // (The gate's top-level names are globals of the interpreter: the driver defines none.)
  return `
eval(require('Storage').read('.bootcde'));
(function () {
var S = require('Storage');
var W = ${JSON.stringify(names)};
var TOP = ${SEARCH_TOP}, STEP = ${SEARCH_STEP};
var bal = [], last = '', i = 0, lo = 0, hi = TOP, B = 0, t0 = 0;
var log0 = console.log;
console.log = function (l) { if (String(l).indexOf('"ev":"decision"') >= 0) last = l; else log0(l); };
var m0 = process.memory();
var FIXED = m0.total % 4096 !== 0;
print('@boot ' + m0.usage + ' ' + m0.total + ' ' + (FIXED ? 'fixed' : 'growing'));
m0 = undefined;
function setFree(b) {
  for (var k = 0; k < 40; k++) {
    var m = process.memory(), d = m.total - m.usage - b;
    m = undefined;
    if (d === 0) return true;
    var n;
    if (d > 0) { for (n = 0; n < d; n++) bal.push(0); }
    else if (bal.length >= -d) { for (n = 0; n < -d; n++) bal.pop(); }
    else { var t = []; for (n = 0; n < b + d + 100; n++) t.push(0); t = undefined; } // more than is free: the store grows
  }
  return false;
}
function finish() {
  print('@peak ' + W[i] + ' ' + (FIXED ? 'grew ' : '') + lo + ' ' + last);
  last = ''; i++; lo = 0; hi = TOP;
  if (i >= W.length) { bal = []; print('@done ' + E.getErrorFlags().join(',')); return; }
  setTimeout(probe, 10);
}
/** Calls fn once the decision event has been printed (polls: a decision may take seconds). */
function decided(fn) {
  var n = 0;
  (function poll() { if (last !== '' || ++n > 3000) fn(); else setTimeout(poll, 20); })();
}
function probe() {
  if (FIXED) {
    if (i >= W.length) return;
    var u = process.memory().usage;
    last = '';
    Serial1.emit('data', S.read(W[i]));
    decided(function () { lo = process.memory().usage - u; print('@flags ' + W[i] + ' ' + E.getErrorFlags().join(',')); finish(); });
    return;
  }
  if (hi - lo <= STEP) { lo = hi; return finish(); }
  B = (lo + hi) >> 1;
  if (!setFree(B)) { print('@err setFree ' + B); return; }
  t0 = process.memory().total;
  var keep = last;
  last = '';
  Serial1.emit('data', S.read(W[i]));
  decided(function () {
    if (process.memory().total > t0) lo = B + 1; else hi = B;
    if (last === '') last = keep;
    probe();
  });
}
setTimeout(probe, 100);
})();
`;
}

describe('espruino: peak memory of the worst unsigned inputs', function () {
  this.timeout(20 * 60 * 1000);
  const inputs = worstInputs();
  let out = '';

  onInterpreter('qg-limits-', SKIP_MSG, async (bin, work) => {
    const files = [{ name: '.bootcde', path: buildGate(work) }];
    const boot = memoryBootFiles();
    // The worst configuration: the longest frames the scanner passes; no duplicate suppression and
    // no repeat-visitor cache (the search hands the same text over and over: each is decided in full).
    const cfg = JSON.parse(Buffer.from(boot[CONFIG_FILE]).toString('utf8'));
    cfg.scanner = { maxLen: 4096, dedupMs: 0 };
    cfg.cache = { size: 0 };
    boot[CONFIG_FILE] = new Uint8Array(Buffer.from(JSON.stringify(cfg)));
    const texts: { [n: string]: string } = { 'qg.w-real': memoryDivocText() };
    inputs.forEach((w, k) => { texts['qg.w' + k] = w.text; });
    for (const n of Object.keys(texts)) boot[n] = new Uint8Array(Buffer.from(texts[n] + '\r', 'latin1'));
    files.push(...hostFiles(work, boot));
    out = await seedAndRun(bin, path.join(work, 'run'), files, driver(['qg.w-real', ...inputs.map((_, k) => 'qg.w' + k)]),
      /@done[^\n]*\n|@err|Uncaught/, 15 * 60 * 1000);
  });

  const peakOf = (file: string) => {
    const m = new RegExp('@peak ' + file.replace(/[.-]/g, '\\$&') + ' (\\d+) ([^\\n]*)').exec(out);
    assert.ok(m, `no result for ${file}: ` + out.slice(-300));
    return { peak: +m[1], decision: m[2] };
  };

  it('boots, and decides the real DIVOC sample (the reference peak)', () => {
    assert.ok(/@boot \d+ \d+/.test(out), out.slice(-3000));
    assert.ok(!/OUT OF MEMORY|Uncaught|@err/.test(out), 'interpreter error:\n' + out.slice(-3000));
    const r = peakOf('qg.w-real');
    assert.ok(/"format":"divoc"/.test(r.decision) && !/"reason":"(malformed|bad-signature)"/.test(r.decision), r.decision);
    const boot = /@boot (\d+) (\d+) (\w+)/.exec(out)!;
    console.log(`      espruino (${boot[3]} store): ${boot[1]} variables after boot; the real DIVOC sample needs ${r.peak} free`);
  });

  for (const [k, w] of inputs.entries()) {
    it(`${w.name}: refused (${w.decision}/${w.reason}) within ${WORST_PEAK_BUDGET} free variables`, () => {
      const r = peakOf('qg.w' + k);
      const fixed = /@boot \d+ \d+ fixed/.test(out);
      console.log(`      ${w.name}: ${fixed ? 'grew by' : 'peak'} ${r.peak} variables (${w.text.length} chars)`);
      assert.ok(r.decision.indexOf(`"decision":"${w.decision}"`) >= 0 && r.decision.indexOf(`"reason":"${w.reason}"`) >= 0, r.decision);
      if (fixed) {
        const flags = new RegExp('@flags qg\\.w' + k + ' ([^\\n]*)').exec(out);
        assert.ok(flags && !/MEMORY/.test(flags[1]), 'memory error flags: ' + (flags && flags[1]));
      } else {
        assert.ok(r.peak <= WORST_PEAK_BUDGET, `needs ${r.peak} free variables, budget ${WORST_PEAK_BUDGET}`);
      }
    });
  }
});
