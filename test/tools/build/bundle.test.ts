// dist/gate.js (and each board's bundle) is one ES5 file that Espruino can run: it parses at
// ecmaVersion 5, every global it reads is one Espruino has, it calls no method Espruino lacks, and
// it requires only Espruino's own modules. (The simulator also runs it without those globals.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');

/** Globals of Espruino 2v29 that the firmware may read (docs/espruino.md, Espruino's docs). */
const ESPRUINO_GLOBALS = new Set([
  'Object', 'Array', 'String', 'Number', 'Boolean', 'Function', 'Math', 'JSON', 'Date', 'RegExp', 'Error', 'TypeError',
  'SyntaxError', 'ReferenceError', 'InternalError', 'Promise', 'ArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array',
  'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'NaN', 'Infinity', 'undefined', 'eval', 'encodeURIComponent',
  'decodeURIComponent', 'escape', 'unescape', 'btoa', 'atob', 'print', 'console', 'require', 'process', 'global', 'E',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setWatch', 'clearWatch', 'getTime', 'setTime',
  'digitalWrite', 'digitalRead', 'digitalPulse', 'pinMode', 'analogRead', 'analogWrite', 'Serial1', 'Serial2',
  'Serial3', 'Serial4', 'USB', 'LoopbackA', 'LoopbackB', 'Pin', 'arguments', 'this',
  'NRF', // Bluetooth boards (nRF52, ESP32): read behind typeof, to turn the Bluetooth console off
]);
/** Missing in Espruino (docs/espruino.md): never to be read, even behind typeof. */
const MISSING = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'RangeError', 'TextEncoder',
  'TextDecoder', 'setImmediate', 'queueMicrotask', 'globalThis', 'BigInt', 'window', 'self', 'module', 'exports', 'Buffer']);
const MISSING_STATICS: { [o: string]: string[] } = {
  Array: ['from', 'of'], Object: ['freeze', 'seal', 'is'], Number: ['isInteger'], Math: ['imul', 'trunc', 'clz32', 'log2'],
  Date: ['UTC'], ArrayBuffer: ['isView'], Promise: ['race', 'allSettled'],
};
const MISSING_METHODS = ['codePointAt', 'localeCompare', 'reduceRight', 'lastIndexOf', 'flat', 'padStart', 'padEnd', 'finally', 'replaceAll'];
const ESPRUINO_MODULES = new Set(['Storage', 'crypto', 'http', 'Wifi', 'EspruinoWiFi', 'net', 'heatshrink', 'TelnetServer']);

/** Names declared anywhere in the program (vars, functions, params, catch params). */
function declaredNames(ast: any): Set<string> {
  const names = new Set<string>();
  const addPattern = (p: any) => { if (p && p.type === 'Identifier') names.add(p.name); };
  walk.full(ast, (n: any) => {
    if (n.type === 'VariableDeclarator') addPattern(n.id);
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression') {
      if (n.id) names.add(n.id.name);
      n.params.forEach(addPattern);
    }
    if (n.type === 'CatchClause') addPattern(n.param);
  });
  return names;
}

function check(file: string): string[] {
  const src = fs.readFileSync(file, 'latin1');
  const ast = acorn.parse(src, { ecmaVersion: 5, sourceType: 'script' }) as any;
  const declared = declaredNames(ast);
  const problems: string[] = [];
  walk.fullAncestor(ast, (n: any, _s: any, ancestors: any[]) => {
    const parent = ancestors[ancestors.length - 2];
    if (n.type === 'Identifier') {
      const isProp = parent && parent.type === 'MemberExpression' && parent.property === n && !parent.computed;
      const isKey = parent && parent.type === 'Property' && parent.key === n;
      if (isProp || isKey || declared.has(n.name)) return;
      if (MISSING.has(n.name)) problems.push(`reads ${n.name}, which Espruino lacks`);
      else if (!ESPRUINO_GLOBALS.has(n.name)) problems.push(`reads global ${n.name}, not one Espruino has`);
    }
    if (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier') {
      const prop = n.property.name;
      if (n.object.type === 'Identifier' && !declared.has(n.object.name) && (MISSING_STATICS[n.object.name] || []).indexOf(prop) >= 0) {
        problems.push(`uses ${n.object.name}.${prop}, which Espruino lacks`);
      }
      if (MISSING_METHODS.indexOf(prop) >= 0) problems.push(`calls .${prop}, which Espruino lacks`);
    }
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && !declared.has('require')) {
      const a = n.arguments[0];
      if (!a || a.type !== 'Literal' || !ESPRUINO_MODULES.has(a.value)) problems.push(`requires ${a && a.type === 'Literal' ? a.value : '(a computed name)'}, not an Espruino module`);
    }
  });
  return Array.from(new Set(problems));
}

describe('the device bundles run on Espruino', () => {
  const files = fs.existsSync(DIST) ? fs.readdirSync(DIST).filter((f) => /^gate(-[a-z0-9]+)?\.js$/.test(f)) : [];
  before(function () {
    if (!files.length) { console.log('      skipped: no dist/gate*.js (make build-device)'); this.skip(); }
  });
  it('dist/gate.js is among them', () => assert.ok(files.indexOf('gate.js') >= 0));
  for (const f of ['gate.js', 'gate-esp32.js', 'gate-wifi.js', 'gate-pico.js']) {
    it(`${f}: ES5, Espruino's globals and modules only`, function () {
      if (files.indexOf(f) < 0) this.skip();
      assert.deepEqual(check(path.join(DIST, f)), []);
    });
  }
  // (tools/build/bundle.js PRIVATE_PROPS: a property name over 4 characters takes a variable more
  // on a 32-bit board, in every object and prototype that has it; renaming the drivers' private
  // members took about 50 variables off every ARM board's memory after boot.)
  it('every board bundle renames the private members (names starting with _)', function () {
    const boards = files.filter((f) => f !== 'gate.js');
    if (!boards.length) this.skip();
    for (const f of boards) {
      const text = fs.readFileSync(path.join(DIST, f), 'latin1');
      const props = new Set<string>();
      walk.full(acorn.parse(text, { ecmaVersion: 5 }), (n: any) => {
        if (n.type === 'MemberExpression' && !n.computed) props.add(n.property.name);
      });
      const left = Array.from(props).filter((p) => /^_[A-Za-z]/.test(p));
      assert.deepEqual(left, [], `${f}: private members left with their names`);
    }
  });
  it('the checker finds what Espruino lacks (it can fail)', () => {
    const tmp = path.join(require('os').tmpdir(), 'qg-bad-bundle.js');
    fs.writeFileSync(tmp, '(function(){var m = new Map(); var a = Array.from([1]); var s = "x".codePointAt(0); require("fs"); foo(); })();');
    const p = check(tmp);
    assert.ok(p.some((x) => /Map/.test(x)));
    assert.ok(p.some((x) => /Array\.from/.test(x)));
    assert.ok(p.some((x) => /codePointAt/.test(x)));
    assert.ok(p.some((x) => /requires fs/.test(x)));
    assert.ok(p.some((x) => /global foo/.test(x)));
  });
});
