// `make size`: what takes room in the device bundles. Builds dist/gate.js and every profile's
// dist/gate-<profile>.js (tools/build/boards.ts) and prints, per input module, the bytes it
// accounts for in each minified bundle (traced through esbuild's and terser's source maps), then
// per board the Storage budget (tools/flashbudget.ts): bundle + files + journal against the
// board's Storage, and where Storage lies and what other flash is free (boards/<name>.ts).
// Usage (after `tsc -p tsconfig.device.json`): npx tsx tools/build/size-report.ts [ENTRY.js] [--json]
import * as path from 'path';
import { ROOT } from '../root';
import { buildAll, BuiltBundle, DEFAULT_ENTRY } from './boards';
import { flashBudget, fixtureInputs, freeFlashNeeded } from '../flashbudget';
import { boardFileOf } from '../../boards/index';
import { pretokenise } from './pretokenise';
import * as fs from 'fs';

/** 'firmware/crypto/sha512' from a build/device/... or .ts path. */
export function moduleName(file: string, entry: string): string {
  if (file === '(glue)') return file;
  const base = path.resolve(path.dirname(entry), '..'); // build/device
  let rel = path.relative(base, file);
  if (rel.startsWith('..')) rel = path.relative(ROOT, file);
  return rel.replace(/\\/g, '/').replace(/\.(js|ts)$/, '');
}

export interface SizeTable {
  columns: string[]; // bundle profiles
  rows: { module: string; bytes: number[] }[]; // sorted by the first column, descending
  totals: number[];
}

export function sizeTable(built: BuiltBundle[], entry: string): SizeTable {
  const columns = built.map((b) => b.profile);
  const by: { [m: string]: number[] } = {};
  built.forEach((b, i) => {
    for (const f of Object.keys(b.modules || {})) {
      const m = moduleName(f, entry);
      if (!by[m]) by[m] = columns.map(() => 0);
      by[m][i] += (b.modules as any)[f];
    }
  });
  const rows = Object.keys(by).map((m) => ({ module: m, bytes: by[m] }));
  rows.sort((a, b) => b.bytes[0] - a.bytes[0] || a.module.localeCompare(b.module));
  return { columns, rows, totals: built.map((b) => b.bytes) };
}

export function formatTable(t: SizeTable): string {
  const w = Math.max(8, ...t.rows.map((r) => r.module.length));
  const cw = Math.max(9, ...t.columns.map((c) => c.length + 1));
  const line = (name: string, cells: (number | string)[]) =>
    name.padEnd(w) + cells.map((c) => (c === 0 ? '-' : String(c)).padStart(cw)).join('');
  const out = [line('module', t.columns)];
  for (const r of t.rows) out.push(line(r.module, r.bytes));
  out.push(line('total', t.totals));
  return out.join('\n');
}

/** Where a board's Storage lies and how much other flash Espruino reports free (boards/<name>.ts). */
export function flashText(profile: string): string {
  const f = boardFileOf(profile)!.flash;
  const free = f.free.reduce((n, a) => n + a.length, 0);
  return `Storage at 0x${f.storageStart.toString(16)}, ${f.pageSize / 1024} KB pages; other free flash ${free / 1024} KB`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.indexOf('--json') >= 0;
  const pos = args.filter((a) => a !== '--json');
  const entry = pos[0] ? path.resolve(pos[0]) : DEFAULT_ENTRY;
  const built = await buildAll({ entry, report: true });
  const table = sizeTable(built, entry);
  const inputs = fixtureInputs();
  const boards = built.filter((b) => b.profile !== 'universal');
  const budgets = boards.map((b) => flashBudget(b.profile, inputs, fs.readFileSync(b.file, 'latin1')));
  // The same pretokenised (qrgate flash does so only where the text does not fit).
  const tokBudgets = boards.map((b) => flashBudget(b.profile, inputs, fs.readFileSync(b.file, 'latin1'), 'always'));
  const tokBytes = boards.map((b) => pretokenise(fs.readFileSync(b.file, 'latin1')).length);
  if (json) {
    process.stdout.write(JSON.stringify({ table, budgets, pretokenised: tokBudgets }, null, 1) + '\n');
    return;
  }
  console.log('Bytes of each module in the minified bundles (dist/gate.js = universal, dist/gate-<profile>.js):\n');
  console.log(formatTable(table));
  console.log('\nFlash budget per board with its planned layout (tools/board/layout.ts; fixture configuration and trust bundle, default journal;' +
    ' the firmware as text, pretokenised only where the text does not fit, as flash writes it for Espruino 2v25.396 and later):\n');
  budgets.forEach((b, i) => {
    const t = tokBudgets[i];
    const im = b.plan.image;
    console.log(`${b.profile.padEnd(9)} ${b.fits ? 'fits    ' : 'NO ROOM '} Storage ${String(b.used).padStart(7)} / ${String(b.available).padStart(6)} bytes` +
      ` (bundle ${b.bundle}${b.plan.tokenised ? ', written pretokenised' : ''}; files ${b.files}, journal ${b.journal}, headers ${b.overhead})`);
    if (im) {
      console.log(`          image ${im.data.length} bytes at 0x${im.addr.toString(16)} in the free area of ${im.area.length} bytes` +
        ` (${im.parts.map((p) => `${p.name} ${p.length}`).join(', ')}; ${im.pages.length} erase page(s)); firmware tail in .bootcde: ${b.plan.codeInStorage} bytes;` +
        ` room left in the area: ${im.area.length - im.data.length} bytes`);
    }
    if (!b.fits) {
      const need = freeFlashNeeded(b.profile, inputs, fs.readFileSync(boards[i].file, 'latin1'));
      console.log(`          ${b.plan.problems.join('; ')}; it would fit with ${need === null ? 'no' : need} bytes of free flash (getFree()) outside Storage`);
    }
    console.log(`          pretokenised (bundle ${tokBytes[i]}): Storage ${t.used} bytes, ${t.fits ? 'fits' : 'no room'}` +
      `${t.plan.image ? `, the image ${t.plan.image.data.length} bytes` : ''}; ${flashText(b.profile)}`);
  });
}

if (require.main === module) {
  main().catch((e) => { console.error(`size-report: ${e.message}`); process.exit(1); });
}
