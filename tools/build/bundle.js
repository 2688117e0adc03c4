#!/usr/bin/env node
// Builds a device bundle for Espruino from the ES5 output of `tsc -p tsconfig.device.json`:
// esbuild (IIFE, es5) -> array holes rewritten to `void 0` -> terser (hoist_funs, no inline).
// Usage: node tools/build/bundle.js ENTRY.js OUT.js [--define NAME=VALUE]...
// With opts.report, bundle() also returns the bytes of the final (minified) file that each input
// module accounts for, traced through esbuild's and terser's source maps (tools/build/size-report.ts).
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const terser = require('terser');
const acorn = require('acorn');

async function bundle(entry, out, defines, opts) {
  opts = opts || {};
  const root = path.resolve(__dirname, '../..');
  const report = !!opts.report;
  const res = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es5',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    alias: { tslib: path.join(root, 'tools/build/tslib-shim.js') },
    plugins: [deviceModules(path.dirname(path.resolve(entry)), defines || {})],
    external: ['Storage', 'crypto', 'http', 'Wifi', 'EspruinoWiFi', 'net'],
    define: defines || {},
    legalComments: 'none',
    logLevel: 'warning',
    sourcemap: report ? 'external' : false,
    metafile: report,
    outfile: report ? path.resolve(out) : undefined,
  });
  const js = res.outputFiles.filter((f) => !f.path.endsWith('.map'))[0];
  const map = res.outputFiles.filter((f) => f.path.endsWith('.map'))[0];
  let code = js.text;
  code = plainRequire(code);
  code = rewriteHoles(code);
  const min = await terser.minify(code, {
    ecma: 5,
    compress: { hoist_funs: true, inline: false, reduce_funcs: false, passes: 1, unsafe: false, keep_infinity: true },
    mangle: true,
    format: { ecma: 5, ascii_only: true, comments: false },
    sourceMap: report ? { content: map.text, asObject: true } : false,
  });
  let text = rewriteHoles(min.code);
  acorn.parse(text, { ecmaVersion: 5, sourceType: 'script' });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text + '\n');
  if (!report) return text.length;
  return { bytes: text.length + 1, modules: attribute(text + '\n', min.map, path.dirname(path.resolve(out))), metafile: res.metafile };
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
//    value across modules by itself). build-flags.js keeps its own definitions (the define).
function deviceModules(dir, defines) {
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
      if (!Object.keys(flags).length) return;
      b.onLoad({ filter: /\.js$/ }, (a) => {
        if (!inside(a.path) || path.basename(a.path) === 'build-flags.js') return undefined;
        let code = fs.readFileSync(a.path, 'utf8');
        if (!/\bQG_[A-Z0-9_]+\b/.test(code)) return undefined;
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

if (require.main === module) {
  const args = process.argv.slice(2);
  const defines = {};
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--define') { const [k, v] = args[++i].split('='); defines[k] = v; }
    else pos.push(args[i]);
  }
  bundle(pos[0], pos[1], defines).then(
    (n) => console.log(`${pos[1]}: ${n} bytes`),
    (e) => { console.error(`bundle: ${e.message}`); process.exit(1); });
}
module.exports = { bundle, rewriteHoles, attribute };
