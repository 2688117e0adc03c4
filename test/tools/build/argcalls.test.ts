// Espruino leaks the callee's scope when a call's argument throws (tools/build/argcalls.js): the
// bundler evaluates such arguments before the call, the build refuses any left, and the real
// interpreter (ESPRUINO) shows the leak and the cure.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { REPO } from '../../util/shared';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { argCalls, fixArgCalls } = require('../../../tools/build/argcalls.js');

// A lazy part in miniature: a factory whose scope holds a large table, and a decoder that calls
// `check(parse(t))`, where parse throws on bad input. Each round decodes a bad text and reports
// the memory after a garbage collection.
const LEAKY = `function part() {
  var table = []; for (var i = 0; i < 300; i++) table.push('entry ' + i);
  function parse(t) { if (t !== 'good') throw new Error('bad text'); return table.length; }
  function check(n) { return n > 0; }
  function decode(t) { return check(parse(t)); }
  return { decode: decode };
}
var mem = [];
for (var r = 0; r < 6; r++) {
  try { part().decode('bad'); } catch (e) { }
  mem.push(process.memory().usage);
}
`;

function nodeRun(code: string): any {
  const ctx = vm.createContext({ process: { memory: () => ({ usage: 0 }) } });
  vm.runInContext(code, ctx);
  return ctx;
}

describe('calls with a throwing call in their arguments (an Espruino leak)', () => {
  it('finds them, and the rewrite evaluates the arguments first, keeping order and meaning', () => {
    assert.ok(argCalls(LEAKY).length >= 1);
    const fixed = fixArgCalls(LEAKY).code;
    assert.deepEqual(argCalls(fixed), []);
    assert.match(fixed, /\$0=parse\(t\),\$0=check\(\$0\)/);
    // order of evaluation: receiver, callee, then arguments left to right, as before
    const ORDER = `var log = [];
function v(x) { log.push(x); return x; }
var o = { a: { m: function (p, q, r) { log.push('m' + (this === o.a)); return p + q + r; } } };
function get(x) { log.push('get'); return o; }
var out = get(0).a.m(v(1), v(2), 3) + v(10);
var out2 = new (function (x, y) { this.s = x + y; })(v(4), v(5)).s;
var i = 0; var out3 = [i++, v(i), i];
`;
    const a = nodeRun(ORDER), b = nodeRun(fixArgCalls(ORDER).code);
    assert.equal(JSON.stringify([b.out, b.out2, b.out3, b.log]), JSON.stringify([a.out, a.out2, a.out3, a.log]));
  });

  it('keeps what random programs compute (fast-check: nested calls, receivers, assignments)', () => {
    // Expressions over a few functions that log their calls and may throw; the rewritten program
    // must log the same calls in the same order and end the same way.
    const leaf = fc.oneof(fc.constant('x'), fc.constant('1'), fc.constant('o.k'), fc.constant('(x=x+1)'), fc.constant('(x=2*x, x+1)'));
    const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
      e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(fc.constantFrom('f', 'g', 'o.m', 'h(1).m', 'new F'), fc.array(tie('e'), { maxLength: 3 }))
          .map(([fn, args]) => fn + '(' + (args as string[]).join(',') + ')'),
        fc.tuple(tie('e'), tie('e')).map(([p, q]) => '(' + p + '+' + q + ')'),
        fc.tuple(tie('e'), tie('e')).map(([p, q]) => '(' + p + ', ' + q + ')')),
    })).e;
    const PRELUDE = `var log = [], x = 0, n = 0;
function f() { log.push('f' + arguments.length + ':' + Array.prototype.join.call(arguments, '|')); if (++n % 7 === 0) throw new Error('t' + n); return n; }
function g(a, b) { log.push('g' + a + ',' + b); x = x * 2; return (a || 0) + 1; }
function F(a, b) { log.push('F' + a + ',' + b); this.v = a; }
F.prototype.valueOf = function () { return this.v || 0; };
var o = { k: 5, m: function (a, b) { log.push('m' + (this === o) + a + ',' + b); o = { k: 6, m: o.m }; return 2; } };
function h(a) { log.push('h' + a); return o; }
`;
    fc.assert(fc.property(expr, expr, (e1, e2) => {
      const prog = PRELUDE + `var res = [];
try { res.push(${e1}); } catch (err) { res.push('E' + err.message); }
try { (function () { var x = 10; res.push(${e2}); })(); } catch (err) { res.push('E' + err.message); }
`;
      const a = nodeRun(prog), b = nodeRun(fixArgCalls(prog).code);
      assert.deepEqual(JSON.stringify([b.res, b.log, b.x]), JSON.stringify([a.res, a.log, a.x]), prog);
      assert.deepEqual(argCalls(fixArgCalls(prog).code), []);
    }), { numRuns: 300 });
  });

  it('no shipped bundle has one', () => {
    const dist = path.join(REPO, 'dist');
    const bundles = fs.readdirSync(dist).filter((f) => /^gate.*\.js$/.test(f));
    assert.ok(bundles.indexOf('gate.js') >= 0, 'make build first');
    for (const b of bundles) assert.deepEqual(argCalls(fs.readFileSync(path.join(dist, b), 'utf8')), [], b);
  });

  it('on the real interpreter: the leak, and none once rewritten', function () {
    const bin = process.env.ESPRUINO;
    if (!bin) { console.log('      skipped: set ESPRUINO=/path/to/espruino to see the leak on the real interpreter'); this.skip(); }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-argcalls-'));
    const run = (code: string): number[] => {
      const f = path.join(dir, 'p.js');
      fs.writeFileSync(f, code + 'print("@mem " + JSON.stringify(mem));\n');
      const r = spawnSync(path.resolve(bin as string), [f], { encoding: 'latin1', timeout: 30000, input: '' });
      const line = (r.stdout || '').split('\n').find((l) => l.indexOf('@mem ') === 0);
      assert.ok(line, `no answer from the interpreter: ${r.stdout}${r.stderr}`);
      return JSON.parse(line!.slice(5));
    };
    const before = run(LEAKY);
    // each bad text keeps the factory's scope: the table's 300 strings and more
    assert.ok(before[5] - before[1] > 4 * 300, `leak expected: ${before}`);
    const after = run(fixArgCalls(LEAKY).code);
    // (the list of figures itself grows by one variable a round)
    assert.ok(after[5] - after[1] <= 4, `no leak expected: ${after}`);
  });
});
