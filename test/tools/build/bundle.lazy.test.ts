// tools/build/bundle.js shapes the gate's bundles for Espruino's memory (README "The device
// bundle"): lazy parts, no wrapper, class wrappers removed, mangled top-level names that never
// name one of Espruino's globals. Checked on small fixture modules (run in a vm, which runs a
// script's top level as Espruino does: its declarations become globals) and on dist/gate.js.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import * as acorn from 'acorn';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { bundle } = require('../../../tools/build/bundle.js');

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');

/** ES5 modules as tsc writes them (device build root: dir/, entry dir/firmware/main.js). */
const FILES: { [rel: string]: string } = {
  'proto/util.js': 'export function twice(x) { return x * 2; }\n',
  // a part with module state and a class: both made anew by each call into the part
  'proto/part.js': [
    'import { twice } from "./util.js";',
    'var made = 0;',
    'var Counter = /** @class */ (function () {',
    '    function Counter(n) { this.n = n; made++; }',
    '    Counter.prototype.get = function () { return twice(this.n) + made * 1000; };',
    '    return Counter;',
    '}());',
    'export function partValue(n) { return new Counter(n).get(); }',
    'export function partHelperNeverInCore(s) { return "part:" + s; }',
    '',
  ].join('\n'),
  'firmware/thing.js': [
    'var Thing = /** @class */ (function () {',
    '    function Thing(v) { this.v = v; }',
    '    Thing.prototype.value = function () { return this.v; };',
    '    Thing.prototype.plus = function (k) { return this.v + k; };',
    '    return Thing;',
    '}());',
    'export { Thing };',
    '',
  ].join('\n'),
  'firmware/main.js': [
    'import { twice } from "../proto/util.js";',
    'import { partValue, partHelperNeverInCore } from "../proto/part.js";',
    'import { Thing } from "./thing.js";',
    'function start() {',
    '  var t = new Thing(twice(5));',
    '  print(JSON.stringify([t.value(), t.plus(1), partValue(3), partValue(4), partHelperNeverInCore("x")]));',
    '}',
    'start();',
    '',
  ].join('\n'),
};

const LAZY = [{ name: 'part', module: 'proto/part.js', exports: ['partValue', 'partHelperNeverInCore'] }];

function fixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-lazy-'));
  for (const rel of Object.keys(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), FILES[rel]);
  }
  return dir;
}

function run(code: string): { out: string[]; ctx: any } {
  const out: string[] = [];
  const ctx: any = vm.createContext({ print: (s: string) => out.push(s), JSON });
  vm.runInContext(code, ctx);
  return { out, ctx };
}

describe('build: the gate bundle shaped for Espruino\'s memory (tools/build/bundle.js)', function () {
  this.timeout(60000);
  let dir = '';
  before(() => { dir = fixture(); });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it('a lazy part runs anew on each call, behaves as the plain bundle, and is one function at the top level', async () => {
    const plain = path.join(dir, 'plain.js');
    const lazy = path.join(dir, 'lazy.js');
    await bundle(path.join(dir, 'firmware/main.js'), plain, {}, {});
    await bundle(path.join(dir, 'firmware/main.js'), lazy, {}, { lazy: LAZY, flat: true, inline: true });
    const p = run(fs.readFileSync(plain, 'utf8'));
    const l = run(fs.readFileSync(lazy, 'utf8'));
    // plain: module state shared by the two calls (made = 1 then 2); lazy: each call makes the
    // part anew, so its state starts again (made = 1 both times)
    assert.deepEqual(JSON.parse(p.out[0]), [10, 11, 1006, 2008, 'part:x']);
    assert.deepEqual(JSON.parse(l.out[0]), [10, 11, 1006, 1008, 'part:x']);
    const text = fs.readFileSync(lazy, 'utf8');
    const ast: any = acorn.parse(text, { ecmaVersion: 5, sourceType: 'script' });
    // no wrapper: the program's statements are the declarations themselves
    const fns = ast.body.filter((s: any) => s.type === 'FunctionDeclaration');
    assert.ok(fns.length >= 3, text);
    // the part's code is not at the top level: only inside the stubs / factory
    const top = ast.body.map((s: any) => text.slice(s.start, s.end)).filter((s: string) => s.indexOf('"part:"') >= 0);
    assert.equal(top.length, 1, 'the part\'s text is in one top-level function');
    assert.ok(!fs.readFileSync(plain, 'utf8').startsWith('"use strict";function'), 'the plain bundle keeps its IIFE');
  });

  it('the size report attributes a lazy part\'s bytes to its modules, not to glue', async () => {
    const out = path.join(dir, 'report.js');
    const r = await bundle(path.join(dir, 'firmware/main.js'), out, {}, { lazy: LAZY, flat: true, inline: true, report: true });
    const byName: { [k: string]: number } = {};
    for (const f of Object.keys(r.modules)) byName[f === '(glue)' ? f : path.relative(dir, f)] = r.modules[f];
    const total = Object.keys(r.modules).reduce((a, k) => a + r.modules[k], 0);
    assert.equal(total, r.bytes);
    assert.ok(byName['proto/part.js'] > 100, JSON.stringify(byName));
    // proto/util.js is in the core and again in the part: both copies count
    assert.ok(byName['proto/util.js'] > 0, JSON.stringify(byName));
    assert.ok((byName['(glue)'] || 0) < r.bytes / 10, JSON.stringify(byName));
  });

  it('class wrappers are removed at the top level: methods go on the constructor\'s prototype directly', async () => {
    const out = path.join(dir, 'flat.js');
    await bundle(path.join(dir, 'firmware/main.js'), out, {}, { lazy: LAZY, flat: true, inline: true });
    const r = run(fs.readFileSync(out, 'utf8'));
    // the constructor is a global of the script whose prototype holds the methods
    const ctors = Object.keys(r.ctx).filter((k) => typeof r.ctx[k] === 'function' && r.ctx[k].prototype &&
      typeof r.ctx[k].prototype.plus === 'function');
    assert.equal(ctors.length, 1, Object.keys(r.ctx).join(' '));
  });

  it('dist/gate.js: top-level names start lower-case (never a pin, E or Serial1) and are no word Espruino reserves', function () {
    const file = path.join(DIST, 'gate.js');
    if (!fs.existsSync(file)) this.skip();
    const text = fs.readFileSync(file, 'utf8');
    const ast: any = acorn.parse(text, { ecmaVersion: 5, sourceType: 'script' });
    const names: string[] = [];
    for (const s of ast.body) {
      if (s.type === 'FunctionDeclaration') names.push(s.id.name);
      if (s.type === 'VariableDeclaration') for (const d of s.declarations) names.push(d.id.name);
    }
    assert.ok(names.length > 50, `${names.length} top-level names: is dist/gate.js built without its wrapper?`);
    for (const n of names) {
      assert.match(n, /^[a-z$_][A-Za-z0-9$_]*$/, n);
      assert.ok(['of', 'get', 'set', 'let', 'eval'].indexOf(n) < 0, n);
    }
  });
});
