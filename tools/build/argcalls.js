// Espruino (2v29) leaks a lock when an exception is thrown while it evaluates the arguments of a
// call to a JavaScript function: `f(g())` where g throws. jspeFunctionCall (src/jsparse.c) locks the
// called function's scope (`\xFFsco`) before it parses the arguments and unlocks it only when it
// runs the body, which it skips once an error is set. A locked variable is a root for the garbage
// collector, so everything that scope reaches stays in memory for good. For a function of a lazy
// part (tools/build/bundle.js) that is the whole part: a refused DIVOC text cost about 750 variables
// on the gate, every time, until the board ran out (README "Limits on unsigned input"). A throw in
// the function's body, or in `var x = g(); f(x)`, leaks nothing: test/tools/build/argcalls.test.ts
// shows both on the interpreter.
//
// The bundler's pass evaluates, before the call, every argument that holds a call (and the
// arguments and callee object before it, to keep the order of evaluation): `f(a.b, g(x), c)`
// becomes `($1=a.b,$2=g(x),$1=f($1,$2,c))`, with `var $1,$2` at the top of the function. The call
// result goes back into the first temporary, so an argument (an inflated certificate, say) is not
// kept alive by a temporary once the call has returned. A throw inside g now happens before f's
// arguments are parsed. The check (argCalls) rejects a bundle with any call left whose arguments
// hold a call.
'use strict';
const acorn = require('acorn');

const FUNCTION_TYPES = { FunctionDeclaration: 1, FunctionExpression: 1, ArrowFunctionExpression: 1 };
const CALL_TYPES = { CallExpression: 1, NewExpression: 1 };

function parse(code) {
  return acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
}

function childNodes(n) {
  const out = [];
  for (const k of Object.keys(n)) {
    const v = n[k];
    if (Array.isArray(v)) { for (const x of v) if (x && typeof x.type === 'string') out.push(x); }
    else if (v && typeof v.type === 'string') out.push(v);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Whether evaluating `n` calls something (a call or `new` outside nested functions). */
const holds = new WeakMap();
function holdsCall(n) {
  if (!n || FUNCTION_TYPES[n.type]) return false;
  if (CALL_TYPES[n.type]) return true;
  let h = holds.get(n);
  if (h === undefined) { h = childNodes(n).some(holdsCall); holds.set(n, h); }
  return h;
}

function lastCallArg(node) {
  let k = -1;
  node.arguments.forEach((a, i) => { if (holdsCall(a)) k = i; });
  return k;
}

/** The calls the pass would rewrite, [{start, end}] (the bundle check: none may be left). */
function argCalls(code) {
  return fixArgCalls(code).list;
}

/** The bundler's pass: {code, sites} with every such call rewritten (see the top of this file). */
function fixArgCalls(code) {
  const ast = parse(code);
  let sites = 0, usesShared = false;
  const list = [];
  // Each function gets its own temporaries, $1, $2, ..., reused by calls that do not overlap.
  function fnCtx(names, up, node) { return { next: 1, max: 0, names: names, up: up, node: node }; }
  // A function declared at the top of the program has no scope to leak (Espruino keeps none for
  // it): calls to it by a name no enclosing function redeclares are left as they are.
  const topFunctions = new Set(ast.body.filter((st) => st.type === 'FunctionDeclaration').map((st) => st.id.name));
  function declared(f) {
    const out = new Set();
    for (const p of f.params) if (p.type === 'Identifier') out.add(p.name);
    (function walk(n) {
      if (n !== f && FUNCTION_TYPES[n.type]) { if (n.type === 'FunctionDeclaration') out.add(n.id.name); return; }
      if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') out.add(n.id.name);
      if (n.type === 'CatchClause' && n.param && n.param.type === 'Identifier') out.add(n.param.name);
      for (const c of childNodes(n)) walk(c);
    })(f.body);
    if (f.type === 'FunctionExpression' && f.id) out.add(f.id.name);
    out.add('arguments');
    return out;
  }
  function scopeless(n, ctx) {
    if (n.callee.type !== 'Identifier' || !topFunctions.has(n.callee.name)) return false;
    for (let c = ctx; c; c = c.up) if (c.names && c.names.has(n.callee.name)) return false;
    return true;
  }
  function temp(ctx) {
    const n = ctx.next++;
    if (n > ctx.max) ctx.max = n;
    return '$' + n;
  }
  // The text of n with every rewrite inside it applied.
  function render(n, ctx) {
    if (FUNCTION_TYPES[n.type]) return renderFunction(n, ctx);
    if (CALL_TYPES[n.type] && lastCallArg(n) >= 0 && !scopeless(n, ctx)) return rewriteCall(n, ctx);
    return render_(n, ctx);
  }
  function renderFunction(f, up) {
    const ctx = fnCtx(declared(f), up, f);
    let text = render_(f, ctx);
    if (!ctx.max) return text;
    // declare the temporaries after the body's `{` and its directives ("use strict")
    const body = f.body;
    let insertAt = body.start + 1;
    for (const st of body.body) {
      if (st.type === 'ExpressionStatement' && st.directive !== undefined) insertAt = st.end;
      else break;
    }
    const decl = 'var ' + Array.from({ length: ctx.max }, (_, i) => '$' + (i + 1)).join(',') + ';';
    // insertAt is in f's original text; render_ keeps everything before the body's first rewrite
    const rel = insertAt - f.start;
    return text.slice(0, rel) + decl + text.slice(rel);
  }
  function render_(n, ctx) { // render without the function check for n itself
    let out = '', at = n.start;
    for (const c of childNodes(n)) {
      const t = render(c, ctx);
      out += code.slice(at, c.start) + t;
      at = c.end;
    }
    return out + code.slice(at, n.end);
  }
  function rewriteCall(n, ctx) {
    sites++;
    list.push({ start: n.start, end: n.end });
    // The rewrite starts with `(`: after a line break with no `;` before it, that would continue
    // the previous statement as a call (on one line, the parse already ended it). terser ends its statements with `;`; anything else stops
    // the build rather than change the program's meaning.
    const before = code.slice(0, n.start).replace(/\s+$/, '');
    if (before.length && /\n/.test(code.slice(before.length, n.start)) && !/[;{}(,=:?!&|+\-*\/%<>\[~^]$/.test(before) && !/(^|[^\w$])(return|else|do|typeof|void|case|in|throw)$/.test(before)) {
      throw new Error('argcalls: cannot rewrite the call at ' + n.start + ' after ' + JSON.stringify(before.slice(-20)));
    }
    const base = ctx.next;
    const k = lastCallArg(n);
    const pre = [];
    const local = (text) => { const t = temp(ctx); pre.push(t + '=' + text); return t; };
    // a node's text without its parentheses (acorn's ranges leave them out): a comma expression
    // must get them back wherever it goes (an argument, an assignment's value)
    const expr = (x) => (x.type === 'SequenceExpression' ? '(' + render(x, ctx) + ')' : render(x, ctx));
    let callee;
    const c = n.callee;
    if (c.type === 'MemberExpression' && n.type === 'CallExpression') {
      // the receiver is evaluated first, as before: into a temporary unless nothing can change it
      const obj = stable(c.object, ctx) ? render(c.object, ctx) : local(expr(c.object));
      if (!c.computed) callee = obj + '.' + render(c.property, ctx);
      else callee = obj + '[' + (stable(c.property, ctx) ? render(c.property, ctx) : local(expr(c.property))) + ']';
    } else if (FUNCTION_TYPES[c.type]) {
      callee = render(c, ctx);
      if (n.type === 'CallExpression') callee = '(' + callee + ')';
    } else {
      callee = stable(c, ctx) ? render(c, ctx) : local(expr(c));
    }
    // Arguments before the last one holding a call go to the function's temporaries (unless
    // nothing can change them); that last one to the program's `$0`: nothing runs between its
    // assignment and the call, so one shared variable serves every call (and its nested ones).
    const args = n.arguments.map((a, i) => {
      if (i > k || stable(a, ctx)) return expr(a);
      if (i < k) return local(expr(a));
      pre.push('$0=' + expr(a));
      return '$0';
    });
    usesShared = true;
    // the result goes into `$0` too, so that the argument is not kept alive by it after the call
    const call = (n.type === 'NewExpression' ? 'new ' : '') + callee + '(' + args.join(',') + ')';
    ctx.next = base;
    return '(' + pre.join(',') + ',$0=' + call + ')';
  }
  // Whether evaluating n later gives what it gave first: a literal, `this`, or a name that no code
  // in its declaring function (nested ones included) assigns; for a global name, no code at all.
  function stable(n, ctx) {
    if (n.type === 'Literal' || n.type === 'ThisExpression') return true;
    if (n.type !== 'Identifier') return false;
    for (let c = ctx; c; c = c.up) {
      if (c.names && c.names.has(n.name)) return !assignedIn(c.node).has(n.name);
    }
    return !assignedIn(ast).has(n.name);
  }
  const assignedCache = new Map();
  function assignedIn(f) {
    if (assignedCache.has(f)) return assignedCache.get(f);
    const out = new Set();
    (function walk(x) {
      if (x.type === 'AssignmentExpression' && x.left.type === 'Identifier') out.add(x.left.name);
      if (x.type === 'UpdateExpression' && x.argument.type === 'Identifier') out.add(x.argument.name);
      if ((x.type === 'ForInStatement' || x.type === 'ForOfStatement') && x.left.type === 'Identifier') out.add(x.left.name);
      if ((x.type === 'ForInStatement' || x.type === 'ForOfStatement') && x.left.type === 'VariableDeclaration') x.left.declarations.forEach((d) => out.add(d.id.name));
      for (const c of childNodes(x)) walk(c);
    })(f);
    assignedCache.set(f, out);
    return out;
  }
  // the program: top-level code (outside functions) uses global temporaries
  const top = fnCtx(null, null, ast);
  let text = render_(ast, top);
  if (top.max || usesShared) {
    let at = 0; // after the directives ("use strict"), which the rewrites leave as they are
    for (const st of ast.body) { if (st.type === 'ExpressionStatement' && st.directive !== undefined) at = st.end; else break; }
    text = text.slice(0, at) + (at ? ';' : '') + 'var ' + ['$0'].concat(Array.from({ length: top.max }, (_, i) => '$' + (i + 1))).join(',') + ';' + text.slice(at);
  }
  return { code: text, sites, list };
}

module.exports = { argCalls, fixArgCalls };
