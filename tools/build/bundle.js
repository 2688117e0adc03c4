#!/usr/bin/env node
// Builds a device bundle for Espruino from the ES5 output of `tsc -p tsconfig.device.json`:
// esbuild (IIFE, es5) -> terser (hoist_funs; inline with opts.inline) -> late `var`s declared
// at the top of their function (Espruino does not hoist) -> array holes rewritten to `void 0` ->
// checked: ES5, and no name used before its declaration (tools/build/latevars.js).
// Usage: node tools/build/bundle.js ENTRY.js OUT.js [--gate] [--define NAME=VALUE]...
// With opts.report, bundle() also returns the bytes of the final (minified) file that each input
// module accounts for, traced through esbuild's and terser's source maps (tools/build/size-report.ts).
//
// Memory (the gate's bundles: opts.lazy and opts.flat, `--gate`; GATE_OPTIONS below). Espruino
// keeps a function's code in flash when the code was read from flash (a Storage file run at boot),
// but every function that EXISTS costs RAM: about 4 variables plus one per parameter, plus one for
// its scope link when it is not at the top level. So:
//  - opts.lazy: rarely used parts (DIVOC reading, the Wi-Fi and LoRa uplinks, boot's checks) are
//    built as separate esbuild bundles and placed in the gate's file as ONE function each,
//    `function __qg_lazy_NAME() { ...the part's modules...; return {exports} }`. Its functions
//    come into existence only while a call into the part runs, and go with the garbage collector
//    afterwards (unless the part returns something that keeps them, like a running uplink). The
//    core imports the part's entry module through a stub module whose functions call the factory
//    (each call creates the part anew: stubs are for coarse entry points, one call per scan or
//    per boot, never for helpers called in loops). A part has its own copies of the small
//    modules it shares with the core (bytes helpers etc.): module state is not shared, so parts
//    hold no state the core relies on.
//  - opts.flat: no IIFE around the bundle. Its top-level functions are the interpreter's globals
//    and need no scope link (about 1 variable each). terser mangles the top-level names too, with
//    names that start with a lower-case letter, '$' or '_': never one of Espruino's globals that
//    are not referenced (pins such as A0 or LED1, E, Serial1 ...; those start upper-case), and
//    never a referenced global (terser keeps those). Console commands that define globals of their
//    own must wrap them in a function (tools/board does).
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const terser = require('terser');
const acorn = require('acorn');
const latevars = require('./latevars.js');
const casestrings = require('./casestrings.js');
const argcalls = require('./argcalls.js');

/**
 * The gate's lazy parts: `module` (relative to the device build root, build/device) is the part's
 * entry; the core imports only `exports` (functions) from it.
 */
const GATE_LAZY = [
  { name: 'divoc', module: 'firmware/divoc-read.js', exports: ['readDivoc'] },
  { name: 'boot', module: 'firmware/boot.js', exports: ['boot', 'loadConfig'] },
  // the trust store's check of a bundle (at boot, and for each trust update), and trust updates
  // over the air (firmware/trustupdate.ts: a bundle from an Ack, LoRa fragments and status)
  { name: 'trust', module: 'firmware/trustcheck.js', exports: ['checkTrust', 'ota'] },
  { name: 'wifi', module: 'firmware/uplink/wifi.js', exports: ['startWifiUplink'] },
  { name: 'lora', module: 'firmware/uplink/lora.js', exports: ['startLoraUplink'] },
  // occupancy, capacity, anti-passback (issue 14): only at gates configured to count
  { name: 'crowd', module: 'firmware/occupancy.js', exports: ['startOccupancy'] },
  // the scanner module's configuration at boot (GM65-style modules)
  { name: 'gm65', module: 'firmware/scanner-setup.js', exports: ['setupScanner'] },
  // the gate's status for qrgate doctor (qgStatus)
  { name: 'status', module: 'firmware/status.js', exports: ['statusJson'] },
  // the entry log over the console (qgLog: qrgate logs pull|ack)
  { name: 'logcon', module: 'firmware/logconsole.js', exports: ['logConsole'] },
  // the door contact and exit button (issue 14): only on gates that have them
  { name: 'doorio', module: 'firmware/doorwatch.js', exports: ['startDoorWatch'] },
  // the reference verifier: only where the fast one has no base table
  { name: 'edref', module: 'firmware/crypto/ed25519-ref.js', exports: ['verifyStrict'] },
  // the native inflate's code and glue (issue 12 item 3): loaded at boot on ARM boards only
  { name: 'ninflate', module: 'firmware/native-inflate.js', exports: ['nativeInflater'] },
];
const GATE_OPTIONS = { lazy: GATE_LAZY, flat: true, inline: true };

// Words Espruino's lexer takes as keywords although JavaScript does not reserve them (`of` ...):
// never a mangled name.
const ESPRUINO_WORDS = ['of', 'get', 'set', 'let', 'static', 'async', 'await', 'yield', 'undefined', 'NaN',
  'Infinity', 'arguments', 'eval', 'class', 'extends', 'super', 'const', 'debugger'];

// Private members (the drivers' `_name` fields and methods) renamed short, the same way in the core
// and every lazy part (one terser run): on a 32-bit board a property name over 4 characters takes a
// variable more in every object that has it (Espruino's JSVAR_DATA_STRING_NAME_LEN), and the
// drivers' names (`_deliverId`, `_cancelIdle` ...) are all longer. About 50 variables after boot
// on every ARM board (README "Memory"). Only `_` names: the others may be configuration keys,
// event fields or Espruino's own methods, whose names are read from outside the bundle.
const PRIVATE_PROPS = { regex: /^_[A-Za-z]/, reserved: ESPRUINO_WORDS };

const ESBUILD_COMMON = {
  bundle: true,
  write: false,
  format: 'iife',
  target: 'es5',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  external: ['Storage', 'crypto', 'http', 'Wifi', 'EspruinoWiFi', 'net'],
  legalComments: 'none',
  logLevel: 'warning',
};

async function bundle(entry, out, defines, opts) {
  opts = opts || {};
  const root = path.resolve(__dirname, '../..');
  const report = !!opts.report;
  const entryDir = path.dirname(path.resolve(entry));
  const devRoot = path.dirname(entryDir);
  const lazy = (opts.lazy || []).map((g) => Object.assign({}, g, { file: path.join(devRoot, g.module) }));
  const alias = { tslib: path.join(root, 'tools/build/tslib-shim.js') };
  const boardsIndex = path.join(devRoot, 'boards', 'index.js');
  const boardTable = boardTableSource(opts.boards || (fs.existsSync(boardsIndex) ? allBoards(boardsIndex) : []));
  const plugins = [deviceModules(entryDir, defines || {}, boardTable)];
  const res = await esbuild.build(Object.assign({}, ESBUILD_COMMON, {
    entryPoints: [entry],
    alias,
    plugins: lazy.length ? [lazyStubs(lazy)].concat(plugins) : plugins,
    define: defines || {},
    sourcemap: report ? 'external' : false,
    metafile: report,
    outfile: report ? path.resolve(out) : undefined,
  }));
  const js = res.outputFiles.filter((f) => !f.path.endsWith('.map'))[0];
  const map = res.outputFiles.filter((f) => f.path.endsWith('.map'))[0];
  let code = js.text;
  let mapText = map ? map.text : null;
  code = plainRequire(code);
  if (lazy.length) {
    const parts = [];
    const common = { alias, plugins, define: defines || {}, sourcemap: report ? 'external' : false, outfile: report ? path.resolve(out) : undefined };
    for (const g of lazy) parts.push(await lazyFactory(g, devRoot, common));
    const at = iifeFunction(code).body.end - 1;
    if (report) mapText = JSON.stringify(injectMaps(JSON.parse(mapText), code, at, parts));
    code = code.slice(0, at) + '\n' + parts.map((p) => p.text).join('') + code.slice(at);
  }
  if (opts.flat) code = unwrapClasses(unwrapIife(code));
  const min = await terser.minify(code, {
    ecma: 5,
    toplevel: !!opts.flat,
    // (a third pass: smaller bundles and fewer variables after boot. Not hoist_vars: it makes the
    // bundle smaller but, in the simulator's model, adds about 1,800 variables after boot, and on
    // the interpreter 2,916 instead of 2,393 (64 keys); the late-var pass below does the needful.
    // opts.keepLateVars: the bundler as it was before, for the tests that reproduce its bundles.)
    compress: opts.inline ? { hoist_funs: true, inline: 3, reduce_funcs: true, passes: opts.keepLateVars ? 2 : 3, unsafe: false, keep_infinity: true }
      : { hoist_funs: true, inline: false, reduce_funcs: false, passes: 1, unsafe: false, keep_infinity: true },
    // (QG_BUNDLE_NAMES=1: names left as written, to see on an interpreter what holds memory:
    // E.getSizeOf(global, 1) then lists the gate's functions and classes by their own names.)
    mangle: process.env.QG_BUNDLE_NAMES ? false : opts.flat ? { toplevel: true, nth_identifier: lowerFirstIdentifiers(), reserved: ESPRUINO_WORDS, properties: PRIVATE_PROPS } : { reserved: ESPRUINO_WORDS },
    // max_line_len: Espruino pads an Error's stack marker with spaces up to the column of each
    // calling frame: on a one-line bundle of 150 KB a decoder error a few calls deep cost thousands
    // of variables (README "Limits on unsigned input"). Short lines keep the columns small.
    format: { ecma: 5, ascii_only: true, comments: false, max_line_len: 200 },
    sourceMap: report ? { content: mapText, asObject: true } : false,
  });
  // Espruino does not hoist `var`: terser's `inline` writes `return t=k,...;var t,e,r,n`, whose
  // names are then the enclosing scope's until the `var` runs (tools/build/latevars.js). Such
  // names are declared at the top of their function, and the bundle is checked for any left.
  // (opts.keepLateVars: neither.)
  const hoisted = opts.keepLateVars ? { code: min.code, edits: [] } : latevars.hoistVars(min.code);
  if (report && hoisted.edits.length) min.map = shiftMap(min.map, min.code, hoisted.edits);
  // Espruino misreads a case clause's first statement that starts with a string literal
  // (tools/build/casestrings.js): wrapped in parentheses, and checked.
  const cased = casestrings.fixCaseStrings(hoisted.code); // (keepLateVars too: it reproduces the late vars alone)
  if (report && cased.edits.length) min.map = shiftMap(min.map, hoisted.code, cased.edits);
  // Espruino leaks the called function's scope when a call's argument throws (tools/build/argcalls.js):
  // arguments that hold a call are evaluated before the call, and the bundle is checked.
  // (opts.keepArgCalls: not, for the tests that reproduce the leak.)
  const fixed = opts.keepArgCalls ? cased.code : argcalls.fixArgCalls(cased.code).code;
  let text = rewriteHoles(fixed);
  acorn.parse(text, { ecmaVersion: 5, sourceType: 'script' });
  if (!opts.keepLateVars) checkLateUses(text, out);
  {
    const left = casestrings.caseStrings(text);
    if (left.length) throw new Error(`${out}: ${left.length} case clause(s) start with a string literal, which Espruino misreads: ${JSON.stringify(text.slice(left[0].start - 20, left[0].end))}`);
  }
  if (!opts.keepArgCalls) {
    const left = argcalls.argCalls(text);
    if (left.length) throw new Error(`${out}: ${left.length} call(s) with a call in their arguments, whose throw leaks the callee's scope on Espruino: ${JSON.stringify(text.slice(left[0].start, Math.min(left[0].end, left[0].start + 60)))}`);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text + '\n');
  if (!report) return text.length;
  // (the source map describes the text before the argcalls pass: what that pass adds is glue)
  const mapped = fixed === cased.code ? text : rewriteHoles(cased.code); // (what the source map describes)
  const modules = attribute(mapped + '\n', min.map, path.dirname(path.resolve(out)));
  modules['(glue)'] = (modules['(glue)'] || 0) + text.length - mapped.length;
  return { bytes: text.length + 1, modules, metafile: res.metafile };
}

/** Throws when `text` uses a function-scoped name before its declaration (tools/build/latevars.js). */
function checkLateUses(text, name) {
  const late = latevars.lateUses(text);
  if (!late.length) return;
  const first = late.slice(0, 5).map((u) => `${u.name} in ${u.function} at ${u.line}:${u.column} (${JSON.stringify(text.slice(Math.max(0, u.pos - 30), u.pos + 20))})`);
  throw new Error(`${name}: ${late.length} use(s) of a name before its declaration in its function, which Espruino does not hoist: ${first.join('; ')}`);
}

// A source map (object) of `code` moved to the text after `edits` ([start, end, text], none
// spanning a line): each segment's generated column shifts by the edits before it on its line.
function shiftMap(map, code, edits) {
  const m = decodeMap(typeof map === 'string' ? JSON.parse(map) : map);
  const starts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineOf = (pos) => { let lo = 0, hi = starts.length - 1; while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= pos) lo = mid; else hi = mid - 1; } return lo; };
  const byLine = {};
  for (const [s, e, t] of edits) {
    const l = lineOf(s);
    (byLine[l] = byLine[l] || []).push([s - starts[l], e - starts[l], t.length - (e - s)]);
  }
  m.lines = m.lines.map((segs, l) => {
    const ed = byLine[l];
    if (!ed) return segs;
    return segs.map((seg) => {
      let d = 0, at = seg[0];
      for (const [s, e, dd] of ed) { if (e <= seg[0]) d += dd; else if (s < seg[0]) at = s; } // (inside a deletion: at its start)
      return [at + d].concat(seg.slice(1));
    });
  });
  return Object.assign(encodeMap(m), { file: map.file });
}

// The core's view of a lazy part: its entry module resolves to stubs calling the part's factory.
function lazyStubs(lazy) {
  const byFile = {};
  for (const g of lazy) byFile[g.file] = g;
  return {
    name: 'qrgate-lazy-stubs',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (a) => {
        const base = path.resolve(a.resolveDir, a.path);
        const g = byFile[base] || byFile[base + '.js'];
        return g ? { path: g.name, namespace: 'qg-lazy' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'qg-lazy' }, (a) => {
        const g = lazy.filter((x) => x.name === a.path)[0];
        const body = g.exports.map((e) =>
          `export function ${e}() { return __qg_lazy_${g.name}().${e}.apply(undefined, arguments); }\n`).join('');
        return { contents: body, loader: 'js' };
      });
    },
  };
}

// A lazy part as one function declaration: its own esbuild bundle (an IIFE whose last statement
// returns the exports), unwrapped into `function __qg_lazy_NAME() {...}`. With a source map, also
// `map` (decoded) and `line`: the part's output line that the factory's second line is.
async function lazyFactory(g, devRoot, common) {
  const rel = './' + path.relative(devRoot, g.file).split(path.sep).join('/');
  const contents = `import { ${g.exports.join(', ')} } from ${JSON.stringify(rel)};\n` +
    `__QG_LAZY_RETURN__({ ${g.exports.map((e) => e + ': ' + e).join(', ')} });\n`;
  const res = await esbuild.build(Object.assign({}, ESBUILD_COMMON, common, {
    stdin: { contents, resolveDir: devRoot, sourcefile: `lazy-${g.name}.js`, loader: 'js' },
  }));
  const js = res.outputFiles.filter((f) => !f.path.endsWith('.map'))[0];
  const map = res.outputFiles.filter((f) => f.path.endsWith('.map'))[0];
  const code = plainRequire(js.text);
  const fn = iifeFunction(code);
  const body = code.slice(fn.body.start + 1, fn.body.end - 1);
  const ret = body.lastIndexOf('__QG_LAZY_RETURN__(');
  if (ret < 0) throw new Error(`lazy part ${g.name}: no exports statement`);
  const text = `function __qg_lazy_${g.name}() {${body.slice(0, ret)}return (${body.slice(ret + '__QG_LAZY_RETURN__('.length)}}\n`;
  return { text, map: map ? decodeMap(JSON.parse(map.text)) : null, line: code.slice(0, fn.body.start).split('\n').length };
}

// The core's source map once the parts' text is inserted at `at` (after a newline): the core's
// lines, then each part's lines from its own map (the factory's first line unmapped), then the
// rest of the core's line `at` is on, its columns moved to the start of a line.
function injectMaps(coreMap, code, at, parts) {
  const core = decodeMap(coreMap);
  const line = code.slice(0, at).split('\n').length - 1;
  const col = at - (code.lastIndexOf('\n', at - 1) + 1);
  const sources = core.sources.slice();
  const contents = (core.sourcesContent || core.sources.map(() => null)).slice();
  const names = core.names.slice();
  const lines = core.lines.slice(0, line);
  lines.push(core.lines[line].filter((s) => s[0] < col));
  for (const p of parts) {
    const n = p.text.split('\n').length - 1;
    const base = sources.length, nbase = names.length;
    sources.push.apply(sources, p.map.sources);
    names.push.apply(names, p.map.names);
    contents.push.apply(contents, p.map.sourcesContent || p.map.sources.map(() => null));
    lines.push([]);
    for (let i = 1; i < n; i++) {
      const segs = p.map.lines[p.line - 1 + i] || [];
      lines.push(segs.map((s) => (s.length >= 5 ? [s[0], s[1] + base, s[2], s[3], s[4] + nbase] :
        s.length >= 4 ? [s[0], s[1] + base, s[2], s[3]] : s.slice())));
    }
  }
  lines.push(core.lines[line].filter((s) => s[0] >= col).map((s) => [s[0] - col].concat(s.slice(1))));
  for (let i = line + 1; i < core.lines.length; i++) lines.push(core.lines[i]);
  return encodeMap({ version: 3, sources, sourcesContent: contents, names, lines });
}

// A source map's mappings as absolute segments per generated line: [col, source, line, column(, name)].
function decodeMap(m) {
  const lines = [];
  let src = 0, sl = 0, sc = 0, nm = 0;
  for (const l of m.mappings.split(';')) {
    let col = 0;
    const segs = [];
    for (const seg of l ? l.split(',') : []) {
      const f = vlq(seg);
      col += f[0];
      if (f.length >= 4) {
        src += f[1]; sl += f[2]; sc += f[3];
        if (f.length >= 5) { nm += f[4]; segs.push([col, src, sl, sc, nm]); } else segs.push([col, src, sl, sc]);
      } else segs.push([col]);
    }
    lines.push(segs);
  }
  return { sources: m.sources, sourcesContent: m.sourcesContent, names: m.names || [], lines };
}

function encodeMap(m) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const enc = (v) => {
    let x = v < 0 ? (-v << 1) | 1 : v << 1, out = '';
    do { let d = x & 31; x >>>= 5; if (x) d |= 32; out += B64[d]; } while (x);
    return out;
  };
  let src = 0, sl = 0, sc = 0, nm = 0;
  const mappings = m.lines.map((segs) => {
    let col = 0;
    return segs.map((s) => {
      let t = enc(s[0] - col); col = s[0];
      if (s.length >= 4) {
        t += enc(s[1] - src) + enc(s[2] - sl) + enc(s[3] - sc);
        src = s[1]; sl = s[2]; sc = s[3];
        if (s.length >= 5) { t += enc(s[4] - nm); nm = s[4]; }
      }
      return t;
    }).join(',');
  }).join(';');
  return { version: 3, sources: m.sources, sourcesContent: m.sourcesContent, names: m.names, mappings };
}

// The function expression of the bundle's top-level IIFE `(function() { ... })();` (its
// statement as `.statement`).
function iifeFunction(code) {
  const ast = acorn.parse(code, { ecmaVersion: 2020, sourceType: 'script' });
  for (const st of ast.body) {
    if (st.type === 'ExpressionStatement' && st.expression.type === 'CallExpression' &&
        st.expression.callee.type === 'FunctionExpression') return Object.assign(st.expression.callee, { statement: st });
  }
  throw new Error('bundle: no top-level IIFE');
}

// The IIFE's body at the top level; same line count, so esbuild's source map still fits.
function unwrapIife(code) {
  const fn = iifeFunction(code);
  const st = fn.statement;
  const blank = (t) => t.replace(/[^\n]/g, '');
  return code.slice(0, st.start) + blank(code.slice(st.start, fn.body.start + 1)) +
    code.slice(fn.body.start + 1, fn.body.end - 1) + blank(code.slice(fn.body.end - 1, st.end)) + code.slice(st.end);
}

// TypeScript's ES5 classes at the top level, `var C = (function() { function C2(..) {..}
// C2.prototype.m = function ..; return C2; })();`, become the plain statements inside (C2 renamed
// C): their methods then need no scope link to the class's wrapper, nor the wrapper its scope.
// Only wrappers holding nothing but the constructor, expression statements and the final return.
// Same line and column positions (blanks and padding), so esbuild's source map still fits.
function unwrapClasses(code) {
  const ast = acorn.parse(code, { ecmaVersion: 2020, sourceType: 'script' });
  const edits = [];
  const blank = (a, b) => edits.push([a, b, code.slice(a, b).replace(/[^\n]/g, ' ')]);
  for (const st of ast.body) {
    if (st.type !== 'VariableDeclaration' || st.declarations.length !== 1) continue;
    const d = st.declarations[0];
    const call = d.init;
    if (!call || call.type !== 'CallExpression' || call.arguments.length || call.callee.type !== 'FunctionExpression') continue;
    const fn = call.callee;
    const body = fn.body.body;
    if (fn.params.length || body.length < 2 || body[0].type !== 'FunctionDeclaration') continue;
    const inner = body[0].id.name;
    const last = body[body.length - 1];
    if (last.type !== 'ReturnStatement' || !last.argument || last.argument.type !== 'Identifier' || last.argument.name !== inner) continue;
    if (!body.slice(1, -1).every((x) => x.type === 'ExpressionStatement')) continue;
    const outer = d.id.name;
    if (outer.length > inner.length) continue;
    blank(st.start, body[0].start);
    blank(last.start, st.end);
    (function walk(n, parent, key) {
      if (!n || typeof n.type !== 'string') return;
      if (n.type === 'Identifier' && n.name === inner &&
          !(parent && parent.type === 'MemberExpression' && key === 'property' && !parent.computed) &&
          !(parent && parent.type === 'Property' && key === 'key' && !parent.computed)) {
        edits.push([n.start, n.end, outer.padEnd(inner.length)]);
      }
      for (const k of Object.keys(n)) {
        const v = n[k];
        if (Array.isArray(v)) v.forEach((c) => walk(c, n, k));
        else if (v && typeof v.type === 'string') walk(v, n, k);
      }
    })(fn.body, null, null);
  }
  edits.sort((a, b) => b[0] - a[0]);
  for (const [a, b, t] of edits) code = code.slice(0, a) + t + code.slice(b);
  return code;
}

// terser's identifier generator (most frequent characters first), with names that start with a
// lower-case letter, '$' or '_' only (see the header).
function lowerFirstIdentifiers() {
  const leading = 'abcdefghijklmnopqrstuvwxyz$_'.split('');
  const rest = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_0123456789'.split('');
  let freq = {};
  let lead = leading, tail = rest;
  const order = (a) => a.slice().sort((x, y) => (freq[y] || 0) - (freq[x] || 0) || a.indexOf(x) - a.indexOf(y));
  return {
    get(num) {
      let ret = '', base = lead.length;
      num++;
      do {
        num--;
        ret += (ret ? tail : lead)[num % base];
        num = Math.floor(num / base);
        base = tail.length;
      } while (num > 0);
      return ret;
    },
    consider(str, delta) { for (let i = str.length; --i >= 0;) freq[str[i]] = (freq[str[i]] || 0) + delta; },
    reset() { freq = {}; },
    sort() { lead = order(leading); tail = order(rest); },
  };
}

// Bytes of `text` per source file of its source map: each mapped segment owns the text up to the
// next segment (or the end of its line); unmapped text is '(glue)'. Paths are made absolute.
function attribute(text, map, dir) {
  const m = typeof map === 'string' ? JSON.parse(map) : map;
  const sources = (m.sources || []).map((s) => path.resolve(dir, m.sourceRoot || '', s));
  const out = {};
  const add = (k, n) => { if (n > 0) out[k] = (out[k] || 0) + n; };
  const lines = text.split('\n');
  const mapLines = m.mappings.split(';');
  let src = 0; // source index is relative across the whole map; the column restarts each line
  for (let l = 0; l < lines.length; l++) {
    const len = lines[l].length + (l < lines.length - 1 ? 1 : 0);
    const segs = l < mapLines.length && mapLines[l] ? mapLines[l].split(',').map(vlq) : [];
    let gen = 0, col = 0;
    let owner = '(glue)';
    for (const f of segs) {
      gen += f[0];
      add(owner, Math.min(gen, len) - col);
      col = Math.min(gen, len);
      if (f.length >= 4) { src += f[1]; owner = sources[src]; } else owner = '(glue)';
    }
    add(owner, len - col);
  }
  return out;
}

// The fields of one source-map segment (base64 VLQ, signed).
function vlq(seg) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const vals = [];
  let v = 0, shift = 0;
  for (let i = 0; i < seg.length; i++) {
    const d = B64.indexOf(seg[i]);
    v += (d & 31) * Math.pow(2, shift);
    if (d & 32) shift += 5;
    else { vals.push(v % 2 ? -Math.floor(v / 2) : Math.floor(v / 2)); v = 0; shift = 0; }
  }
  return vals;
}

// The device modules (tsc's output next to the entry) for esbuild:
//  - marked free of side effects, so a module none of whose exports is used goes entirely (esbuild
//    otherwise keeps its top-level calls, e.g. tables computed at load time). Device code has no
//    import done only for its side effects;
//  - the compile-time flags of firmware/build-flags.ts (exported as QG_X, set by the define
//    __QG_X__) replaced by their value where other modules use them, so that esbuild sees
//    `if (false && ...)` and drops what only that branch imports (esbuild does not carry a `var`'s
//    value across modules by itself). build-flags.js keeps its own definitions (the define);
//  - the board table boards/index.js replaced by `boardTable` (boardTableSource: the bundle's
//    boards' profiles as one literal), so that no board file's host data (flash, features, notes)
//    reaches a device.
function deviceModules(dir, defines, boardTable) {
  const flags = {};
  for (const k of Object.keys(defines)) {
    const m = /^__(QG_[A-Z0-9_]+)__$/.exec(k);
    if (m && (defines[k] === 'true' || defines[k] === 'false')) flags[m[1]] = defines[k];
  }
  const inside = (p) => p === dir || p.startsWith(dir + path.sep) || p.startsWith(path.dirname(dir) + path.sep);
  return {
    name: 'qrgate-device-modules',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (a) => {
        const base = path.resolve(a.resolveDir, a.path);
        const found = [base, base + '.js', path.join(base, 'index.js')].filter((f) => fs.existsSync(f) && fs.statSync(f).isFile())[0];
        if (!found || !inside(found)) return undefined;
        return { path: found, sideEffects: false };
      });
      b.onLoad({ filter: /\.js$/ }, (a) => {
        if (inside(a.path) && a.path === path.join(path.dirname(dir), 'boards', 'index.js')) {
          return { contents: boardTable, loader: 'js' };
        }
        if (!inside(a.path) || path.basename(a.path) === 'build-flags.js') return undefined;
        let code = fs.readFileSync(a.path, 'utf8');
        // TypeScript's ES5 classes, `var C = /** @class */ (function () {...}());`, are pure: say so
        // (same length), or esbuild keeps every class of a module whose other exports are used.
        code = code.split('/** @class */ (').join('/*@__PURE__*/ (');
        if (!Object.keys(flags).length || !/\bQG_[A-Z0-9_]+\b/.test(code)) return { contents: code, loader: 'js' };
        const ast = acorn.parse(code, { ecmaVersion: 2020, sourceType: 'module' });
        const edits = [];
        (function walk(n) {
          if (!n || typeof n.type !== 'string' || n.type === 'ImportDeclaration') return;
          if (n.type === 'Identifier' && Object.prototype.hasOwnProperty.call(flags, n.name)) edits.push(n);
          for (const k of Object.keys(n)) {
            const v = n[k];
            if (k === 'property' && n.type === 'MemberExpression' && !n.computed) continue;
            if (k === 'key' && n.type === 'Property' && !n.computed) continue;
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v.type === 'string') walk(v);
          }
        })(ast);
        edits.sort((x, y) => y.start - x.start);
        // same length (padded with spaces) so source maps still fit
        for (const e of edits) code = code.slice(0, e.start) + flags[e.name].padEnd(e.end - e.start) + code.slice(e.end);
        return { contents: code, loader: 'js' };
      });
    },
  };
}

// esbuild wraps require() of external modules in a shim that mentions Proxy; Espruino has a
// plain global require (Storage, crypto, http ...), so the shim becomes `var __require = require`.
function plainRequire(code) {
  const ast = acorn.parse(code, { ecmaVersion: 2020, sourceType: 'script' });
  let edit = null;
  (function walk(n) {
    if (!n || typeof n.type !== 'string' || edit) return;
    if (n.type === 'VariableDeclarator' && n.id.name === '__require' && n.init) { edit = n.init; return; }
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v.type === 'string') walk(v);
    }
  })(ast);
  if (!edit) return code;
  // keep the line count, so that esbuild's source map still fits the text (size reports)
  const newlines = code.slice(edit.start, edit.end).split('\n').length - 1;
  return code.slice(0, edit.start) + 'require' + '\n'.repeat(newlines) + code.slice(edit.end);
}

// Espruino's parser fails on array holes inside skipped `case` blocks: write `void 0` instead.
function rewriteHoles(code) {
  const ast = acorn.parse(code, { ecmaVersion: 2020, sourceType: 'script', ranges: true });
  const edits = [];
  (function walk(n) {
    if (!n || typeof n.type !== 'string') return;
    if (n.type === 'ArrayExpression') {
      let p = n.start + 1; // just after '[' or after the previous separating comma
      n.elements.forEach((el) => {
        if (el === null) edits.push([p, 'void 0']);
        const from = el === null ? p : el.end;
        p = code.indexOf(',', from) + 1;
      });
    }
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v.type === 'string') walk(v);
    }
  })(ast);
  edits.sort((a, b) => b[0] - a[0]);
  for (const [at, text] of edits) code = code.slice(0, at) + text + code.slice(at);
  return code;
}

// The device's board table (boards/index.js): `boardList()` returning the profiles of the bundle's
// boards (opts.boards: tools/build/boards.ts gives a per-board bundle its own board and the Linux
// build's), made anew on each call so that only the profile in use stays in RAM (firmware/boards.ts).
// Without opts.boards: every board, in boards/index.ts order (the universal table).
function boardTableSource(list) {
  return 'export function boardList() {\n  return [\n    ' + list.map((p) => JSON.stringify(p)).join(',\n    ') + '\n  ];\n}\n';
}

/** Every board's profile, from the device build of boards/index.js (its own boardList()). */
function allBoards(indexJs) {
  const r = esbuild.buildSync({ entryPoints: [indexJs], bundle: true, write: false, format: 'cjs', platform: 'neutral', logLevel: 'silent' });
  const m = { exports: {} };
  new Function('module', 'exports', r.outputFiles[0].text)(m, m.exports);
  return m.exports.boardList();
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const defines = {};
  let opts = {};
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--define') { const [k, v] = args[++i].split('='); defines[k] = v; }
    else if (args[i] === '--gate') opts = GATE_OPTIONS;
    else pos.push(args[i]);
  }
  bundle(pos[0], pos[1], defines, opts).then(
    (n) => console.log(`${pos[1]}: ${n} bytes`),
    (e) => { console.error(`bundle: ${e.message}`); process.exit(1); });
}
module.exports = { bundle, boardTableSource, plainRequire, rewriteHoles, attribute, checkLateUses, GATE_OPTIONS, GATE_LAZY };
