// Espruino does not hoist: a `var` (or a function declaration) inside a function exists only once
// its statement has run, and before that the name resolves in the enclosing scopes (reading it
// throws ReferenceError when no scope has it; assigning it sets the outer variable, or makes a
// global). Seen on 2v29's Linux build (test/espruino/quirks.test.ts):
//   var x = 1; function f() { x = 5; var x; return x; }  f() -> undefined, and x is now 5
// Node hoists, so the same code runs differently there. terser's `inline` writes exactly that
// shape: `return t=k,...;var t,e,r,n`.
//
// This module finds, for a script, every reference to a function-scoped name that is not
// certainly preceded by its declaration (a "late" name), and:
//  - lateUses(code): the list of them (the bundle check: a device bundle must have none);
//  - hoistVars(code): the edits that declare each late `var` at the top of its function (the
//    bundler's pass after terser; Node's meaning of the code is unchanged, and Espruino's becomes
//    Node's);
//  - espruinoScopes(code): the code rewritten so that Node runs it as Espruino does (the
//    simulator's sandbox): each late var lives in a renamed variable plus a flag set when its
//    `var` statement runs, and every use picks the renamed variable once the flag is set, else the
//    enclosing scope's meaning of the name.
//
// "Certainly preceded" (dominated), for a reference R to a name declared in function F: walking
// from R up to F, some ancestor statement list holds, before the statement containing R, a `var`
// statement or a `for (var ...;;)` declaring the name (or a function declaration of it), or R is in
// that declaration itself after its declarator, or in a `for` whose init declares it. For a var,
// the walk continues through nested functions (a function created before the `var` ran sees the
// outer meaning when it is called before the `var` runs). References from nested functions to a
// function-declared name, and to the top-level (global) names, are not checked: they run later.
'use strict';
const acorn = require('acorn');

const FUNCTION_TYPES = { FunctionDeclaration: 1, FunctionExpression: 1, ArrowFunctionExpression: 1 };

function parse(code) {
  return acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: false });
}

function patternNames(p, out) {
  if (!p) return out;
  if (p.type === 'Identifier') out.push(p.name);
  else if (p.type === 'ObjectPattern') p.properties.forEach((q) => patternNames(q.type === 'RestElement' ? q.argument : q.value, out));
  else if (p.type === 'ArrayPattern') p.elements.forEach((q) => patternNames(q, out));
  else if (p.type === 'RestElement') patternNames(p.argument, out);
  else if (p.type === 'AssignmentPattern') patternNames(p.left, out);
  return out;
}

function children(n, fn) {
  for (const k of Object.keys(n)) {
    if (k === 'loc' || k === 'range') continue;
    const v = n[k];
    if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) if (v[i] && typeof v[i].type === 'string') fn(v[i], k, i); }
    else if (v && typeof v.type === 'string') fn(v, k, -1);
  }
}

/**
 * Scopes of a program: function scopes (Program and every function) with their var names, function
 * declarations and params; block scopes for let/const/class and catch params. Returns the
 * function scopes and every reference, each resolved to its declaring scope (or null: global).
 */
function analyse(ast) {
  const fns = [];
  const refs = [];
  function newScope(node, parent, isFn) {
    const s = { node, parent, isFn, vars: new Map(), funcs: new Map(), params: new Set(), lexical: new Set(), selfName: null };
    if (isFn) fns.push(s);
    return s;
  }
  const program = newScope(ast, null, true);
  const scopeOf = new Map(); // node -> scope (functions, blocks)
  scopeOf.set(ast, program);

  // pass 1: declarations
  (function declare(n, fnScope, blockScope) {
    if (FUNCTION_TYPES[n.type]) {
      if (n.type === 'FunctionDeclaration' && n.id) {
        const list = fnScope.funcs.get(n.id.name) || [];
        list.push(n);
        fnScope.funcs.set(n.id.name, list);
      }
      const s = newScope(n, blockScope, true);
      if (n.type === 'FunctionExpression' && n.id) s.selfName = n.id.name;
      n.params.forEach((p) => patternNames(p, []).forEach((x) => s.params.add(x)));
      scopeOf.set(n, s);
      if (n.body.type === 'BlockStatement') {
        scopeOf.set(n.body, s); // the body block is the function's scope
        n.body.body.forEach((c) => declare(c, s, s));
      } else declare(n.body, s, s);
      n.params.forEach((p) => declare(p, s, s)); // default values: references only
      return;
    }
    if (n.type === 'VariableDeclaration') {
      const target = n.kind === 'var' ? fnScope : blockScope;
      for (const d of n.declarations) {
        for (const name of patternNames(d.id, [])) {
          if (n.kind === 'var') {
            const list = target.vars.get(name) || [];
            list.push(d);
            target.vars.set(name, list);
          } else target.lexical.add(name);
        }
      }
    }
    if (n.type === 'ClassDeclaration' && n.id) blockScope.lexical.add(n.id.name);
    let inner = blockScope;
    if ((n.type === 'BlockStatement' && !scopeOf.has(n)) || n.type === 'ForStatement' || n.type === 'ForInStatement' ||
        n.type === 'ForOfStatement' || n.type === 'SwitchStatement' || n.type === 'CatchClause' || n.type === 'StaticBlock') {
      inner = newScope(n, blockScope, false);
      scopeOf.set(n, inner);
      if (n.type === 'CatchClause' && n.param) patternNames(n.param, []).forEach((x) => inner.lexical.add(x));
    }
    children(n, (c) => declare(c, fnScope, inner));
  })(ast, program, program);

  // pass 2: references, with their ancestors [node, key, index] from the root
  // (frames: {node, key, index, up}, a linked list from the node to the root)
  (function visit(n, key, index, up, scope) {
    const frame = { node: n, key, index, up };
    if (scopeOf.has(n)) scope = scopeOf.get(n);
    if (n.type === 'Identifier' && isReference(frame)) {
      refs.push({ node: n, name: n.name, scope: resolve(scope, n.name), frame, from: scope });
    }
    children(n, (c, k, i) => visit(c, k, i, frame, scope));
  })(ast, null, -1, null, program);

  return { program, fns, refs };
}

function resolve(scope, name) {
  for (let s = scope; s; s = s.parent) {
    if (s.lexical.has(name) || s.params.has(name) || s.vars.has(name) || s.funcs.has(name)) return s;
    if (s.isFn && s.node.type !== 'Program') {
      if (name === 'arguments' && s.node.type !== 'ArrowFunctionExpression') return s;
      if (s.selfName === name) return s;
    }
  }
  return null;
}

/** Is the Identifier of `frame` a reference (read or write) to a variable? */
function isReference(frame) {
  const key = frame.key;
  const p = frame.up ? frame.up.node : null;
  if (!p) return true;
  switch (p.type) {
    case 'MemberExpression': return key !== 'property' || p.computed;
    case 'Property': case 'MethodDefinition': case 'PropertyDefinition': return key !== 'key' || p.computed;
    case 'LabeledStatement': case 'BreakStatement': case 'ContinueStatement': return false;
    case 'VariableDeclarator': return key !== 'id';
    case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression': return key === 'body';
    case 'ClassDeclaration': case 'ClassExpression': return key !== 'id';
    case 'CatchClause': return key !== 'param';
    case 'AssignmentPattern': return key !== 'left';
    case 'ArrayPattern': case 'ObjectPattern': case 'RestElement': return false;
    case 'MetaProperty': case 'ImportSpecifier': case 'ExportSpecifier': return false;
    default: return true;
  }
}

/** The scope of the nearest function (or Program) at or above `path[i]`. */
function dominated(ref) {
  const s = ref.scope;
  const name = ref.name;
  const isVar = s.vars.has(name) && !s.funcs.has(name);
  for (let f = ref.frame; f.up; f = f.up) {
    const key = f.key, index = f.index;
    const p = f.up.node;
    if (index >= 0 && (key === 'body' || key === 'consequent') &&
        (p.type === 'BlockStatement' || p.type === 'Program' || p.type === 'SwitchCase' || p.type === 'StaticBlock')) {
      const list = p[key];
      for (let j = 0; j < index; j++) if (declaresUnconditionally(list[j], name)) return true;
    }
    if (p.type === 'VariableDeclaration' && p.kind === 'var' && key === 'declarations') {
      for (let j = 0; j <= index; j++) if (patternNames(p.declarations[j].id, []).indexOf(name) >= 0) return true;
    }
    if (p.type === 'ForStatement' && key !== 'init' && p.init && declaresUnconditionally(p.init, name)) return true;
    if ((p.type === 'ForInStatement' || p.type === 'ForOfStatement') && key === 'body' && p.left.type === 'VariableDeclaration' &&
        p.left.kind === 'var' && patternNames(p.left.declarations[0].id, []).indexOf(name) >= 0) return true;
    if (p === s.node) return false; // reached the declaring function: no declaration before
    // crossing out of a nested function: only vars are followed (see the header)
    if (FUNCTION_TYPES[p.type] && !isVar) return true;
  }
  return false;
}

function declaresUnconditionally(st, name) {
  if (!st) return false;
  if (st.type === 'VariableDeclaration' && st.kind === 'var') return st.declarations.some((d) => patternNames(d.id, []).indexOf(name) >= 0);
  if (st.type === 'FunctionDeclaration') return !!st.id && st.id.name === name;
  if (st.type === 'ForStatement') return !!st.init && declaresUnconditionally(st.init, name);
  return false;
}

/** Is the reference in the declaring scope's own code (not inside a nested function)? */
function direct(ref) {
  for (let f = ref.frame.up; f; f = f.up) {
    const n = f.node;
    if (n === ref.scope.node) return true;
    if (FUNCTION_TYPES[n.type]) return false;
  }
  return true;
}

/** The function-scoped names a reference may reach before their declaration, in declaring order. */
function late(code, ast) {
  ast = ast || parse(code);
  const a = analyse(ast);
  const out = [];
  for (const r of a.refs) {
    const s = r.scope;
    if (!s || !s.isFn) continue;
    const declared = s.vars.has(r.name) || s.funcs.has(r.name);
    if (!declared || s.params.has(r.name) || s.lexical.has(r.name) || (s.selfName === r.name)) continue;
    if (s.node.type === 'Program' || s.funcs.has(r.name)) { if (!direct(r)) continue; }
    if (dominated(r)) continue;
    out.push(r);
  }
  return { ast, analysis: a, refs: out };
}

function lineCol(code, pos) {
  let line = 1, last = -1;
  for (let i = code.indexOf('\n'); i >= 0 && i < pos; i = code.indexOf('\n', i + 1)) { line++; last = i; }
  return { line, column: pos - last - 1 };
}

function fnName(scope) {
  const n = scope.node;
  if (n.type === 'Program') return '(top level)';
  return n.id ? n.id.name : '(anonymous function)';
}

/**
 * The check: every reference to a function-scoped name that may run before the name's
 * declaration, as {name, function, line, column, pos}; none in a bundle Espruino can run.
 */
function lateUses(code) {
  const { refs } = late(code);
  return refs.map((r) => Object.assign({ name: r.name, function: fnName(r.scope), pos: r.node.start }, lineCol(code, r.node.start)));
}

/** Apply [start, end, text] edits (non-overlapping; insertions at one point keep their order). */
function applyEdits(code, edits) {
  const sorted = edits.map((e, i) => [e[0], e[1], e[2], i]).sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[3] - b[3]);
  let out = '', at = 0;
  for (const [s, e, t] of sorted) {
    if (s < at) throw new Error('latevars: overlapping edits');
    out += code.slice(at, s) + t;
    at = e;
  }
  return out + code.slice(at);
}

/**
 * The bundler's pass: for each function with late vars, those names declared at the top of its
 * body (added to a leading `var` statement when there is one), and the declarators without an
 * initialiser that were late removed (their statement too when nothing is left of it). Returns
 * {code, edits}; edits as [start, end, text] on the input.
 */
function hoistVars(code) {
  const { refs } = late(code);
  const byFn = new Map();
  for (const r of refs) {
    const s = r.scope;
    if (s.node.type === 'Program' || !s.vars.has(r.name)) continue;
    if (!byFn.has(s)) byFn.set(s, new Set());
    byFn.get(s).add(r.name);
  }
  const edits = [];
  for (const [s, names] of byFn) {
    const body = s.node.body;
    if (body.type !== 'BlockStatement') continue;
    const list = Array.from(names);
    // remove the initialiser-less declarators of those names in plain `var` statements of lists
    const removed = new Set();
    (function scan(n, parent, key) {
      if (n !== s.node && FUNCTION_TYPES[n.type]) return;
      if (Array.isArray(parent && parent[key]) && n.type === 'VariableDeclaration' && n.kind === 'var' &&
          (parent.type === 'BlockStatement' || parent.type === 'SwitchCase')) {
        const keep = n.declarations.filter((d) => d.init || d.id.type !== 'Identifier' || !names.has(d.id.name));
        if (keep.length < n.declarations.length) {
          const siblings = parent[key];
          const idx = siblings.indexOf(n);
          if (!keep.length) {
            let start = n.start;
            const prev = siblings[idx - 1];
            // `...;var t,e` at the end of a block: the `;` before it goes too
            if (idx === siblings.length - 1 && prev && code[prev.end - 1] === ';' &&
                /^(ExpressionStatement|ReturnStatement|ThrowStatement|BreakStatement|ContinueStatement|VariableDeclaration|DoWhileStatement)$/.test(prev.type) &&
                /^\s*$/.test(code.slice(prev.end, n.start))) start = prev.end - 1;
            edits.push([start, n.end, '']);
          } else {
            const end = code[n.end - 1] === ';' ? n.end - 1 : n.end;
            edits.push([n.start, end, 'var ' + keep.map((d) => code.slice(d.start, d.end)).join(',')]);
          }
          n.declarations.forEach((d) => { if (keep.indexOf(d) < 0) removed.add(d); });
        }
      }
      children(n, (c, k) => scan(c, n, k));
    })(body, null, null);
    // the declaration at the top (after a directive prologue)
    let first = 0;
    while (first < body.body.length && body.body[first].directive !== undefined) first++;
    const head = body.body[first];
    if (head && head.type === 'VariableDeclaration' && head.kind === 'var' && !edits.some((e) => e[0] <= head.start && e[1] >= head.end && e[0] !== e[1])) {
      edits.push([head.declarations[0].start, head.declarations[0].start, list.join(',') + ',']);
    } else {
      const at = first > 0 ? body.body[first - 1].end : body.start + 1;
      edits.push([at, at, 'var ' + list.join(',') + ';']);
    }
  }
  // a removed leading declaration that also received the names: rare; fall back to a plain insert
  return { code: applyEdits(code, edits), edits };
}

/**
 * The simulator's rewrite: code that Node runs as Espruino would (for function-scoped vars).
 * Every late var `t` of a function F gets `t$qgL` (its value once declared) and `t$qgD` (set when
 * one of F's `var t` statements runs), declared at the top of F; uses of `t` in F and in the
 * functions inside it become `(t$qgD ? t$qgL : <the enclosing scope's t>)` and assignments pick
 * their target the same way. Returns the code unchanged when nothing is late.
 */
function espruinoScopes(code) {
  let info;
  try { info = late(code); } catch (e) { return code; } // not parseable here: let the engine say so
  const lateSet = new Map(); // scope -> Map(name -> id)
  let counter = 0;
  for (const r of info.refs) {
    const s = r.scope;
    if (s.node.type === 'Program' || !s.vars.has(r.name) || s.funcs.has(r.name)) continue;
    if (!lateSet.has(s)) lateSet.set(s, new Map());
    const m = lateSet.get(s);
    if (!m.has(r.name)) m.set(r.name, ++counter);
  }
  if (!lateSet.size) return code;
  const a = info.analysis;
  const L = (id) => `$qgL${id}`, D = (id) => `$qgD${id}`;
  const edits = [];
  const temps = new Map(); // function scope -> [temp names]
  let tempN = 0;
  const fnScopeOf = (scope) => { let s = scope; while (!s.isFn) s = s.parent; return s; };
  const newTemp = (scope) => {
    const f = fnScopeOf(scope);
    const t = `$qgT${++tempN}`;
    if (!temps.has(f)) temps.set(f, []);
    temps.get(f).push(t);
    return t;
  };
  // The expression for reading `name` as resolved from `scope`, and for assigning `value` to it.
  const chain = (scope, name) => {
    const out = [];
    for (let s = resolve(scope, name); s; s = resolve(s.parent, name)) {
      const m = lateSet.get(s);
      if (!m || !m.has(name)) break;
      out.push(m.get(name));
      if (!s.parent) break;
    }
    return out; // ids, innermost first; after them: the plain name
  };
  const readExpr = (ids, name) => ids.reduceRight((acc, id) => `(${D(id)}?${L(id)}:${acc})`, name);
  const writeExpr = (ids, name, op, value) => ids.reduceRight((acc, id) => `(${D(id)}?${L(id)}${op}${value}:${acc})`, `${name}${op}${value}`);
  const typeofExpr = (ids, name) => ids.reduceRight((acc, id) => `(${D(id)}?typeof ${L(id)}:${acc})`, `typeof ${name}`);

  // declarations: `var t = e` -> `var t$L = (t$D = 1, e)`; `var t` -> `var t$L = (t$D = 1, t$L)`
  const handled = new Set();
  for (const [s, m] of lateSet) {
    for (const [name, id] of m) {
      for (const d of s.vars.get(name)) {
        handled.add(d.id);
        const decl = findParentDeclaration(a, d);
        const forIn = decl && decl.parent && (decl.parent.type === 'ForInStatement' || decl.parent.type === 'ForOfStatement') && decl.parent.left === decl.node;
        if (forIn) {
          edits.push([d.id.start, d.id.end, L(id)]);
          const right = decl.parent.right;
          edits.push([right.start, right.start, `(${D(id)}=1,`]);
          edits.push([right.end, right.end, ')']);
        } else if (d.init) {
          edits.push([d.id.start, d.id.end, L(id)]);
          edits.push([d.init.start, d.init.start, `(${D(id)}=1,`]);
          edits.push([d.init.end, d.init.end, ')']);
        } else {
          edits.push([d.id.start, d.id.end, `${L(id)}=(${D(id)}=1,${L(id)})`]);
        }
      }
    }
  }
  // uses
  for (const r of a.refs) {
    if (handled.has(r.node)) continue;
    const ids = chain(r.from, r.name);
    if (!ids.length) continue;
    const parent = r.frame.up.node;
    const key = r.frame.key;
    const n = r.node;
    if (parent.type === 'AssignmentExpression' && key === 'left') {
      const t = newTemp(r.from);
      edits.push([parent.start, parent.right.start, `(${t}=(`]);
      let tail;
      if (parent.operator === '=') tail = writeExpr(ids, r.name, '=', t);
      else {
        // compound: the old value is read before the right side runs, as JavaScript does
        const o = newTemp(r.from);
        const op = parent.operator.slice(0, -1);
        edits[edits.length - 1][2] = `(${o}=${readExpr(ids, r.name)},${t}=(`;
        tail = writeExpr(ids, r.name, '=', `(${o}${op}${t})`);
      }
      edits.push([parent.right.end, parent.end, `),${tail})`]);
    } else if (parent.type === 'UpdateExpression') {
      const t = newTemp(r.from);
      const op = parent.operator === '++' ? '+' : '-';
      const set = writeExpr(ids, r.name, '=', `${t}${op}1`);
      edits.push([parent.start, parent.end, parent.prefix ? `(${t}=+${readExpr(ids, r.name)},${set})` : `(${t}=+${readExpr(ids, r.name)},${set},${t})`]);
    } else if (parent.type === 'UnaryExpression' && parent.operator === 'typeof') {
      edits.push([parent.start, parent.end, typeofExpr(ids, r.name)]);
    } else if (parent.type === 'UnaryExpression' && parent.operator === 'delete') {
      edits.push([n.start, n.end, readExpr(ids, r.name)]); // `delete (expr)`: true, deletes nothing
    } else if ((parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && key === 'left') {
      const t = newTemp(r.from);
      edits.push([n.start, n.end, t]);
      const body = parent.body;
      edits.push([body.start, body.start, `{${writeExpr(ids, r.name, '=', t)};`]);
      edits.push([body.end, body.end, '}']);
    } else if (parent.type === 'Property' && parent.shorthand) {
      edits.push([n.start, n.end, `${r.name}:${readExpr(ids, r.name)}`]);
    } else {
      edits.push([n.start, n.end, readExpr(ids, r.name)]);
    }
  }
  // the flags, values and temporaries of each function, declared at its top
  const decls = new Map();
  for (const [s, m] of lateSet) decls.set(s, Array.from(m.values()).map((id) => `${D(id)}=0,${L(id)}`));
  for (const [s, ts] of temps) decls.set(s, (decls.get(s) || []).concat(ts));
  for (const [s, list] of decls) {
    const body = s.node.body;
    if (s.node.type === 'Program') { edits.push([0, 0, `var ${list.join(',')};`]); continue; }
    if (body.type !== 'BlockStatement') {
      edits.push([body.start, body.start, `{var ${list.join(',')};return `]);
      edits.push([body.end, body.end, '}']);
      continue;
    }
    let first = 0;
    while (first < body.body.length && body.body[first].directive !== undefined) first++;
    const at = first > 0 ? body.body[first - 1].end : body.start + 1;
    edits.push([at, at, `var ${list.join(',')};`]);
  }
  return applyEdits(code, edits);
}

// The VariableDeclaration holding declarator `d`, with its parent: found through a reference path
// of the analysis is not possible (declarators are not references), so by a search from the root.
function findParentDeclaration(a, d) {
  if (!a.declParents) {
    a.declParents = new Map();
    (function walk(n, parent) {
      if (n.type === 'VariableDeclaration') for (const x of n.declarations) a.declParents.set(x, { node: n, parent });
      children(n, (c) => walk(c, n));
    })(a.program.node, null);
  }
  return a.declParents.get(d);
}

module.exports = { lateUses, hoistVars, espruinoScopes, applyEdits, analyse, parse };
