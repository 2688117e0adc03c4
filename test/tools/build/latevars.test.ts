// Espruino does not hoist `var` (test/real/quirks.test.ts): a device bundle must never use a
// function-scoped name before its declaration has run (tools/build/latevars.js). The bundler
// declares terser's late vars at the top of their function and rejects a bundle that still has
// one; this checks the bundles in dist/, the checker itself, and that the hoisting pass keeps
// Node's meaning of the code (which, once nothing is late, is Espruino's too).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import fc from 'fast-check';
import { HOIST_CASES } from '../../util/hoisting-cases';
import { SimBoard } from '../../../sim/board';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const latevars = require('../../../tools/build/latevars.js');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { checkLateUses } = require('../../../tools/build/bundle.js');

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');
const RUNS = Number(process.env.FUZZ_RUNS) || 100;

const names = (code: string) => latevars.lateUses(code).map((u: any) => u.name);

/** Output lines of `code` run by Node (which hoists). */
function node(code: string): string[] {
  const out: string[] = [];
  vm.runInNewContext(code, { print: (s: any) => out.push(String(s)), JSON });
  return out;
}

/** Output lines of `code` run in the simulator's sandbox (which runs it as Espruino does). */
function sim(code: string): string[] {
  const b = new SimBoard({ clock: null });
  b.boot(code);
  return b.lines.slice();
}

describe('build: no name used before its declaration (Espruino does not hoist var)', () => {
  const files = fs.existsSync(DIST) ? fs.readdirSync(DIST).filter((f) => /^(gate(-[a-z0-9]+)?|bench-espruino)\.js$/.test(f)) : [];

  it('every bundle in dist/ has none', function () {
    if (!files.length) { console.log('      skipped: no dist/gate*.js (make build-device)'); this.skip(); }
    for (const f of files) {
      const late = latevars.lateUses(fs.readFileSync(path.join(DIST, f), 'latin1'));
      assert.deepEqual(late.slice(0, 5), [], `${f}: ${late.length} late use(s)`);
    }
  });

  it('the check finds terser\'s `return t=k,...;var t`, closures made before the var, vars in branches', () => {
    assert.deepEqual(names('function f(k){return t=k,e=t+1,e;var t,e}'), ['t', 'e', 't', 'e']);
    assert.deepEqual(names('function f(){var g=function(){return v};g();var v=1}'), ['v']);
    assert.deepEqual(names('function f(a){if(a){var v=1}return v}'), ['v']);
    assert.deepEqual(names('function f(){for(var i=0;i<2;i++){x.push(w);var w=i}}'), ['w']);
    assert.deepEqual(names('function f(){g();function g(){}}'), ['g']);
    assert.deepEqual(names('f();function f(){}'), ['f']);
    assert.throws(() => checkLateUses('function f(k){return t=k;var t}', 'x.js'), /x\.js: 1 use\(s\) of a name before its declaration.*t in f/);
  });

  it('the check passes what Espruino runs as Node does', () => {
    for (const ok of [
      'function f(k){var t;return t=k,t+1}',
      'function f(){var v=1,w=v;for(var i=0;i<2;i++)w+=i;return function(){return v+w}}',
      'function f(a){var t=a;t+=1;var t;return t}', // a second var of a declared name
      'function f(){for(var k in o){k}}',
      'function f(){function g(){return h()}function h(){return 1}return g()}', // declarations calling each other later
      'function f(t){return t=1,t;var t}', // a parameter exists from the start
      'var a=1;function f(){return a+b}var b=2', // top-level names read from functions: at call time
      'function f(){switch(x){case 1:var q=1;q++}}',
    ]) assert.deepEqual(names(ok), [], ok);
  });

  it('hoisting declares the late vars at the top of their function, and nothing stays late', () => {
    const h = latevars.hoistVars('function f(k){return t=k,e=t+1,e;var t,e}');
    assert.equal(h.code, 'function f(k){var t,e;return t=k,e=t+1,e}');
    assert.equal(latevars.hoistVars('function f(k){var a=1;return t=k+a;var t}').code, 'function f(k){var t,a=1;return t=k+a}');
    assert.equal(latevars.hoistVars('function f(a){if(a){var v=1}return v}').code, 'function f(a){var v;if(a){var v=1}return v}');
  });

  it('the sandbox runs hoisted code as Node runs the original (the hoisting pass keeps its meaning)', () => {
    for (const c of HOIST_CASES) {
      const h = latevars.hoistVars(c.code).code;
      assert.deepEqual(names(h), [], c.name);
      assert.deepEqual(sim(h), node(c.code), c.name);
    }
  });

  it('property: hoisting keeps what random programs with late vars compute (Node), and leaves none late', () => {
    // statements over two names declared late in an inner function, with an outer `x`/`y`
    const stmt = fc.constantFrom('x = x + 1;', 'y = x * 2;', 'x++;', 'out.push(typeof x);', 'out.push(typeof y);',
      'if (x > 2) { var y = 7; }', 'var x = 3;', 'var y;', 'out.push(String(x));', 'for (var i = 0; i < 2; i++) { var x = i; }',
      'out.push((function () { return typeof x; })());');
    fc.assert(fc.property(fc.array(stmt, { minLength: 1, maxLength: 8 }), (body) => {
      const code = 'var x = 1, y = 1, out = []; function f() { ' + body.join(' ') +
        ' var x, y; return out.length; } try { f(); } catch (e) { out.push("E"); } print(JSON.stringify([out, x, y]));';
      const h = latevars.hoistVars(code).code;
      assert.deepEqual(names(h), []);
      assert.deepEqual(node(h), node(code));
      assert.deepEqual(sim(h), node(code));
    }), { numRuns: RUNS });
  });
});
