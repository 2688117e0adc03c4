// Espruino (2v29) misreads the first statement of a `case` clause when that statement starts with
// a string literal: `case "s": "string" != typeof x ? a() : b();` runs as if the comparison were
// false (`"x" == "x" && f()` does not call f). Seen on the Linux build; a statement that is not
// the first of its clause, or a `default:` clause, is read right. terser writes exactly that shape
// (it puts the literal first in comparisons), so a gate bundle rejected every configuration
// ("invalid gateId: must be text") on the interpreter while the simulator, on Node, accepted it.
//
// The bundler's pass wraps such a statement's expression in parentheses, which Espruino reads
// right; the check rejects any bundle that still has one.
'use strict';
const acorn = require('acorn');
const walk = require('acorn-walk');

/** The first statements of `case X:` clauses that start with a string literal: [{start, end}]. */
function caseStrings(code) {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  const out = [];
  walk.simple(ast, {
    SwitchCase(node) {
      if (!node.test || !node.consequent.length) return;
      const st = node.consequent[0];
      if (st.type !== 'ExpressionStatement') return;
      let first = st.expression;
      // the leftmost token of the expression
      for (;;) {
        if (first.type === 'BinaryExpression' || first.type === 'LogicalExpression') first = first.left;
        else if (first.type === 'ConditionalExpression') first = first.test;
        else if (first.type === 'SequenceExpression') first = first.expressions[0];
        else if (first.type === 'AssignmentExpression') first = first.left;
        else if (first.type === 'MemberExpression' || first.type === 'CallExpression') first = first.object || first.callee;
        else break;
      }
      if (first.type === 'Literal' && typeof first.value === 'string' && first.start === st.start) {
        out.push({ start: st.expression.start, end: st.expression.end });
      }
    },
  });
  return out;
}

/** The bundler's pass: {code, edits}, edits as [start, end, text] on the input. */
function fixCaseStrings(code) {
  const edits = [];
  for (const s of caseStrings(code)) edits.push([s.start, s.start, '('], [s.end, s.end, ')']);
  if (!edits.length) return { code, edits };
  const sorted = edits.slice().sort((a, b) => a[0] - b[0]);
  let out = '', at = 0;
  for (const [s, e, t] of sorted) { out += code.slice(at, s) + t; at = e; }
  return { code: out + code.slice(at), edits };
}

module.exports = { caseStrings, fixCaseStrings };
