// No import cycle anywhere in the repository's own code (issue 11): device code (firmware/ hal/
// drivers/ proto/), host code (sim/ tools/ bin/) and the tests. Imports are read with the
// TypeScript compiler's pre-processor (`import`, `import type`, `export ... from`, `require`,
// dynamic `import()`), type-only imports included: a cycle through types is still two modules
// that cannot be understood one without the other.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const FOLDERS = ['firmware', 'hal', 'drivers', 'proto', 'sim', 'tools', 'test', 'bin'];
const SKIP = new Set(['node_modules', 'build', 'dist', 'fixtures']);
const EXTS = ['.ts', '.js'];

type Graph = Map<string, string[]>;

function sourceFiles(dir: string, out: string[]): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) sourceFiles(p, out);
    } else if (EXTS.some((x) => e.name.endsWith(x)) && !e.name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

/** The repository file a relative specifier names (as tsx/Node resolve it), or null. */
function resolveSpec(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.js$/, '');
  const tries = [base, stem + '.ts', stem + '.js', base + '.ts', base + '.js',
    path.join(base, 'index.ts'), path.join(base, 'index.js')];
  for (const t of tries) if (fs.existsSync(t) && fs.statSync(t).isFile()) return t;
  return null;
}

/** Module graph of the given files: file -> files it imports (relative imports only). */
export function importGraph(files: string[]): Graph {
  const g: Graph = new Map();
  for (const f of files) {
    const info = ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true);
    const deps: string[] = [];
    for (const r of info.importedFiles) {
      const t = resolveSpec(f, r.fileName);
      if (t && t !== f && deps.indexOf(t) < 0) deps.push(t);
    }
    g.set(f, deps);
  }
  return g;
}

/** Every cycle's strongly connected component (Tarjan), each shown as one cycle through it. */
export function importCycles(g: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  // iterative Tarjan: the graph is a few hundred modules deep at most, but recursion is not needed
  const visit = (v0: string): void => {
    const work: Array<[string, number]> = [[v0, 0]];
    idx.set(v0, index); low.set(v0, index); index++; stack.push(v0); on.add(v0);
    while (work.length) {
      const top = work[work.length - 1];
      const v = top[0];
      const deps = g.get(v) || [];
      if (top[1] < deps.length) {
        const w = deps[top[1]++];
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index); index++; stack.push(w); on.add(w);
          work.push([w, 0]);
        } else if (on.has(w)) {
          low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1][0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
        if (scc.length > 1) sccs.push(scc);
      }
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  // one concrete cycle per component: a shortest way back to its first module (breadth first)
  return sccs.map((scc) => {
    const inScc = new Set(scc);
    const start = scc.slice().sort()[0];
    const prev = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of g.get(v) || []) {
        if (!inScc.has(w)) continue;
        if (w === start) {
          const cyc = [v];
          while (cyc[0] !== start) cyc.unshift(prev.get(cyc[0])!);
          cyc.push(start);
          return cyc;
        }
        if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
      }
    }
    return scc.concat([scc[0]]);
  });
}

describe('import cycles', function () {
  it('finds a cycle, and only a cycle, in a small graph', function () {
    const g: Graph = new Map([
      ['a', ['b']], ['b', ['c', 'd']], ['c', ['a']], ['d', []], ['e', ['d']],
    ]);
    assert.deepEqual(importCycles(g), [['a', 'b', 'c', 'a']]);
    g.set('c', []);
    assert.deepEqual(importCycles(g), []);
  });

  it('reads type-only, re-export and require imports', function () {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'qg-cycles-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport interface A { b: B }\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "export { C } from './c';\nexport interface B { n: number }\n");
      fs.writeFileSync(path.join(dir, 'c.js'), "const a = require('./a');\nexports.C = 1;\n");
      const files = ['a.ts', 'b.ts', 'c.js'].map((f) => path.join(dir, f));
      const cycles = importCycles(importGraph(files));
      assert.equal(cycles.length, 1);
      assert.deepEqual(cycles[0].map((f) => path.basename(f)), ['a.ts', 'b.ts', 'c.js', 'a.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('there is none in device code, host code or tests', function () {
    const files: string[] = [];
    for (const d of FOLDERS) sourceFiles(path.join(ROOT, d), files);
    assert.ok(files.length > 100, 'found the sources');
    const cycles = importCycles(importGraph(files));
    const shown = cycles.map((c) => c.map((f) => path.relative(ROOT, f)).join(' -> '));
    assert.deepEqual(shown, [], 'import cycles:\n  ' + shown.join('\n  '));
  });
});
