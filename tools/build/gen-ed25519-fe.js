#!/usr/bin/env node
// Generates firmware/crypto/ed25519-fe12.ts: straight-line arithmetic modulo p = 2^255 - 19 shaped
// for an interpreter that walks the source (Espruino): 12 limbs of 22/21 bits (limb i weighs
// 2^ceil(255 i / 12)), signed ("balanced") limbs held in doubles, products summed column by column.
//
// Why 12 limbs: Espruino's cost is per token executed, and a product column costs one `a * b +`
// per limb pair, so the limb count sets the price (12 limbs: 144 products, 13 limbs: 169). Fewer
// limbs do not fit: the sums must stay exact in doubles (below 2^53).
//
// Exactness: after a multiplication every limb is within [-2^(bits-1), 2^(bits-1)] (2^21 for the
// 22-bit limbs, 2^20 for the 21-bit ones) plus a small carry on limb 1 (see LIMB1_SLACK). A product
// term is a_i * c * b_j with c in {1, 2, 19, 38} (2 where the non-uniform radix gives
// W[i] + W[j] = W[i + j] + 1, 19 for 2^255 = 19, 38 for both). With f_a, f_b the magnitudes of the
// inputs (how many reduced elements were added to make them; an element of a table, canonical
// limbs in [0, 2^bits), counts 2), a column's sum of |terms| is at most COLUMN_BOUND * f_a * f_b,
// and every partial sum is at most that: all exact while f_a * f_b <= MAX_MAGNITUDE (computed
// below, printed by the generator: 16). The point formulas of ed25519-fast.ts use at most 12.
//
// Carries round to nearest with the 1.5 * 2^52 trick (x + R - R), no Math calls. Each column sums
// its products grouped by constant factor (a0 * b3 + 2 * (..) + 38 * (..)): no scaled copies of the
// inputs, fewer locals (Espruino looks locals up by a linear search of the scope, in declaration
// order, so t and c come first) and fewer multiplications. The rounding constants are literals,
// which cost less than a local found after all the limbs.
//
// Usage: node tools/build/gen-ed25519-fe.js [OUT.ts]   (default firmware/crypto/ed25519-fe12.ts)
'use strict';
const fs = require('fs');
const path = require('path');

const N = 12;
const W = [];
for (let i = 0; i <= N; i++) W.push(Math.ceil((255 * i) / N));
const BITS = [];
for (let i = 0; i < N; i++) BITS.push(W[i + 1] - W[i]);

function coef(i, j) {
  const k = i + j;
  if (k < N) return 2 ** (W[i] + W[j] - W[k]);
  return 19 * 2 ** (W[i] + W[j] - 255 - W[k - N]);
}

const ROUND = '6755399441055744';

/** Largest |limb| of a reduced element (the output of a multiplication), per limb. */
const LIMB1_SLACK = 2 ** 15;
const REDUCED = BITS.map((b, i) => 2 ** (b - 1) + (i === 1 ? LIMB1_SLACK : 0));
/** Largest column sum of |c * a_i * b_j| for reduced inputs. */
const COLUMN_BOUND = Math.max(...BITS.map((_, k) => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const j = (k - i + N) % N;
    s += coef(i, j) * REDUCED[i] * REDUCED[j];
  }
  return s;
}));
/** The largest f_a * f_b (whole number) for which every column, plus its carry in, stays below 2^53. */
const MAX_MAGNITUDE = Math.floor((2 ** 53 - 2 ** 34) / COLUMN_BOUND);
{
  // The carry out of the top limb is at most 2^53 / 2^21 = 2^32; 19 times that added to limb 0
  // carries at most 2^32 * 19 / 2^22 + 1 < 2^15 into limb 1: within LIMB1_SLACK.
  if (Math.ceil((2 ** 53 / 2 ** BITS[N - 1]) * 19 / 2 ** BITS[0]) + 1 > LIMB1_SLACK) throw new Error('limb 1 slack');
  if (MAX_MAGNITUDE < 12) throw new Error('the point formulas need f_a * f_b up to 12');
}

function carryCode(cols, out) {
  let s = '';
  for (let k = 0; k < N; k++) {
    const r = BITS[k];
    s += (k === 0 ? '  t = ' : '  t = c + ') + cols[k] + ';\n';
    s += `  c = t * ${1 / 2 ** r} + ${ROUND} - ${ROUND};\n  ${out}[${k}] = t - c * ${2 ** r};\n`;
  }
  const r0 = BITS[0];
  s += `  t = ${out}[0] + 19 * c;\n  c = t * ${1 / 2 ** r0} + ${ROUND} - ${ROUND};\n  ${out}[0] = t - c * ${2 ** r0};\n  ${out}[1] += c;\n`;
  return s;
}

/**
 * One column as a sum of products grouped by their constant factor: p + q + 2 * (r + s) + 19 * (..)
 * + 38 * (..). Each group is at most the sum of the absolute values of all the column's terms, so
 * every partial sum is exact when the column's bound is.
 */
function groupTerms(terms) {
  const g = new Map();
  for (const [c, t] of terms) {
    if (!g.has(c)) g.set(c, []);
    g.get(c).push(t);
  }
  return [...g.keys()].sort((x, y) => x - y)
    .map((c) => (c === 1 ? g.get(c).join(' + ') : c + ' * (' + g.get(c).join(' + ') + ')')).join(' + ');
}

function gen(sqr, tbl) {
  const cols = [];
  for (let k = 0; k < N; k++) {
    const terms = [];
    for (let i = 0; i < N; i++) {
      const j = (k - i + N) % N;
      if (sqr && j < i) continue;
      let c = coef(i, j);
      if (sqr && j !== i) c *= 2;
      terms.push([c, 'a' + i + ' * ' + (sqr ? 'a' : 'b') + j]);
    }
    cols.push(groupTerms(terms));
  }
  const vars = [];
  for (let i = 0; i < N; i++) {
    vars.push(`a${i} = a[${i}]`);
    if (!sqr) vars.push(tbl ? `b${i} = tb[off + ${i}]` : `b${i} = b[${i}]`);
  }
  let s = sqr
    ? '/** o = a^2 (o may be a). */\nexport function fsqr(o: Fe, a: Fe): void {\n'
    : tbl
      ? '/** o = a * (the element stored as ' + N + ' integers at tb[off..]); o may be a. */\nexport function fmulT(o: Fe, a: Fe, tb: Int32Array, off: number): void {\n'
      : '/** o = a * b (o may be a or b). */\nexport function fmul(o: Fe, a: Fe, b: Fe): void {\n';
  s += '  var t: number, c: number;\n';
  s += '  var ' + vars.join(', ') + ';\n';
  s += carryCode(cols, 'o');
  s += '}\n';
  return s;
}

function unrolled(name, doc, params, expr) {
  let s = `/** ${doc} */\nexport function ${name}(${params}): void {\n`;
  for (let i = 0; i < N; i++) s += `  o[${i}] = ${expr(i)};\n`;
  return s + '}\n';
}

function main() {
  const out = process.argv[2] || path.join(__dirname, '..', '..', 'firmware', 'crypto', 'ed25519-fe12.ts');
  let s = `// GENERATED by tools/build/gen-ed25519-fe.js: do not edit by hand.
//
// Field arithmetic modulo p = 2^255 - 19 for the table-driven verifier (ed25519-fast.ts): an element
// is a Float64Array of ${N} signed limbs, limb i weighing 2^W[i] with W = [${W.join(', ')}].
// Multiplication and squaring are straight-line and leave limbs within [-2^(bits-1), 2^(bits-1)]
// (+2^${Math.log2(LIMB1_SLACK)} on limb 1). Additions and subtractions do not carry: callers keep the product of the
// input magnitudes (counted in reduced elements; a table element counts 2) at most ${MAX_MAGNITUDE}. See the
// generator for the bounds.

export type Fe = Float64Array;

/** Limb count. */
export var FE_LIMBS = ${N};
/** Bit weight of each limb (W[${N}] = 255). */
export var FE_W = [${W.join(', ')}];
/** The largest product of the two inputs' magnitudes fmul, fmulT and fsqr are exact for. */
export var FE_MAX_MAGNITUDE = ${MAX_MAGNITUDE};
/** How much limb 1 of a product may exceed 2^(bits-1). */
export var FE_LIMB1_SLACK = ${LIMB1_SLACK};

`;
  s += gen(false, false) + '\n' + gen(false, true) + '\n' + gen(true, false) + '\n';
  s += unrolled('fadd', 'o = a + b (no carry).', 'o: Fe, a: Fe, b: Fe', (i) => `a[${i}] + b[${i}]`) + '\n';
  s += unrolled('fsub', 'o = a - b (no carry).', 'o: Fe, a: Fe, b: Fe', (i) => `a[${i}] - b[${i}]`) + '\n';
  s += unrolled('fdbl', 'o = 2a (no carry).', 'o: Fe, a: Fe', (i) => `a[${i}] + a[${i}]`) + '\n';
  s += unrolled('fneg', 'o = -a.', 'o: Fe, a: Fe', (i) => `-a[${i}]`) + '\n';
  s += unrolled('fcopy', 'o = a.', 'o: Fe, a: Fe', (i) => `a[${i}]`) + '\n';
  fs.writeFileSync(out, s);
  console.log(`${out}: ${s.length} bytes (${N} limbs, exact for f_a * f_b <= ${MAX_MAGNITUDE})`);
}

if (require.main === module) main();
module.exports = { N, W, coef, MAX_MAGNITUDE };
