// README.md's board tables, derived from the board files (boards/<name>.ts): "Boards and pins"
// (pins, LoRa UART, notes), "Files in the board's flash" (which boards get which file) and
// "Flash budget" (Storage geometry and free flash; each board's measured budget, from the built
// bundles dist/gate-<board>.js). Each table sits between `<!-- readme-tables:NAME -->` and
// `<!-- /readme-tables:NAME -->` in README.md; test/tools/build/readme-tables.test.ts fails when
// the README differs from what this makes, and `make readme-tables` (this file) rewrites them.
// Usage (after make build-device): npx tsx tools/build/readme-tables.ts [--check]
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../root';
import { BOARD_FILES } from '../../boards/index';
import { Board, BoardFeatures } from '../../boards/types';
import { flashBudget, fixtureInputs } from '../flashbudget';
import { bundlePath } from './boards';

export const README = path.join(ROOT, 'README.md');

function kb(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KB` : `${Math.round(n / 1024)} KB`;
}

function hex(n: number): string {
  const h = n.toString(16).toUpperCase();
  return '0x' + (n >= 0x1000000 ? h.padStart(8, '0') : h);
}

function row(cells: string[]): string {
  return cells.every((c) => c === '---') ? `|${cells.join('|')}|` : `| ${cells.join(' | ')} |`;
}

function yes(b: boolean): string { return b ? 'yes' : 'no'; }

/** "Boards and pins": one row per board. */
export function pinsTable(boards: Board[] = BOARD_FILES): string {
  const out = [
    row(['board (`--board`)', '`process.env.BOARD`', 'scanner UART (RX, TX)', 'relay', 'green', 'red', 'amber', 'native SHA-256 / SHA-512', 'variables']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---']),
  ];
  for (const b of boards) {
    const p = b.pins;
    out.push(row([`\`${b.name}\` ${b.title}`, b.ids[0], `${p.scanner.serial} (${p.scanner.rx}, ${p.scanner.tx})`, p.relay,
      p.led.green, p.led.red, p.led.amber, `${yes(b.nativeSha256)} / ${yes(b.nativeSha512)}`, (b.varsUpTo ? 'up to ' : '') + b.vars]));
  }
  return out.join('\n');
}

/** The RN2483 LoRa modem's UART per board. */
export function loraTable(boards: Board[] = BOARD_FILES): string {
  const out = [row(['board', 'LoRa modem UART (RX, TX)', 'RESET']), row(['---', '---', '---'])];
  for (const b of boards) {
    const l = b.pins.lora;
    out.push(row([`\`${b.name}\``, l ? `${l.serial} (${l.rx}, ${l.tx})` : `none: ${b.noLora}`, l && l.reset ? l.reset : '-']));
  }
  return out.join('\n');
}

/** The door contact's, exit button's and alarm buzzer's pins per board (configuration door.contact / door.button / door.buzzer "board"). */
export function doorTable(boards: Board[] = BOARD_FILES): string {
  const out = [row(['board', 'door contact', 'exit button', 'alarm buzzer']), row(['---', '---', '---', '---'])];
  for (const b of boards) out.push(row([`\`${b.name}\``, b.pins.contact, b.pins.button, b.pins.buzzer]));
  return out.join('\n');
}

/** The boards' wiring notes, one list item per note. */
export function notesList(boards: Board[] = BOARD_FILES): string {
  const out: string[] = [];
  for (const b of boards) for (const n of b.notes) out.push(`- ${b.title}: ${n}`);
  return out.join('\n');
}

/** Storage and the other free flash (require('Flash').getFree()) per board. */
export function geometryTable(boards: Board[] = BOARD_FILES): string {
  const out = [
    row(['board', 'Storage: start, size, erase page', 'other free flash (`require(\'Flash\').getFree()`)']),
    row(['---', '---', '---']),
  ];
  for (const b of boards) {
    const f = b.flash;
    const free = f.free.length ? f.free.map((a) => `${hex(a.addr)}: ${kb(a.length)} (${a.what})`).join('; ') : 'none';
    out.push(row([`\`${b.name}\``, `${hex(f.storageStart)}, ${kb(f.storageSize)}, ${kb(f.pageSize)} pages`, free]));
  }
  return out.join('\n');
}

/** The features of a board, in words. */
export function featureText(f: BoardFeatures): string {
  const parts = ['QG1'];
  if (f.divoc) parts.push('DIVOC');
  if (f.wifi && f.lora) parts.push('Wi-Fi and LoRa uplinks');
  else if (f.wifi) parts.push('Wi-Fi uplink');
  else if (f.lora) parts.push('LoRa uplink');
  if (f.native) parts.push('native verifier');
  if (f.jsVerify) parts.push('JavaScript verifier with tables');
  if (f.crowd) parts.push('occupancy');
  if (f.scannerModule) parts.push('scanner-module setup');
  if (f.door) parts.push('door contact and exit button');
  return parts.join(', ');
}

/**
 * "Flash budget": per board, its features, its bundle and what it needs of its Storage (fixture
 * configuration and trust bundle, default journal; tools/flashbudget.ts). `bundleBytes` gives a
 * board's bundle text, or its size (then cut at any byte; default: the text of dist/gate-<board>.js).
 */
export function budgetTable(boards: Board[] = BOARD_FILES, bundleBytes?: (name: string) => number | string): string {
  const code = (name: string): number | string => {
    if (bundleBytes) return bundleBytes(name);
    const file = bundlePath(name);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run make build-device`);
    return fs.readFileSync(file, 'latin1');
  };
  const inputs = fixtureInputs();
  const out = [row(['board', 'features', 'firmware', 'Storage used / size', 'image in a free area', 'fits']),
    row(['---', '---', '---', '---', '---', '---'])];
  for (const b of boards) {
    const g = flashBudget(b.name, inputs, code(b.name));
    const im = g.plan.image;
    const where = im ? `${kb(g.outside)} at ${hex(im.addr)} (${kb(im.code.length)} of firmware)` : '-';
    out.push(row([`\`${b.name}\``, featureText(b.features), kb(g.bundle), `${kb(g.used)} / ${kb(g.available)}`, where, b.features.fits ? 'yes' : '**no**']));
  }
  return out.join('\n');
}

/** What each file in a board's flash is (the boards that get it come from the board files). */
const FILES: { names: string[]; shown: string; what: string; on?: (b: Board) => boolean }[] = [
  { names: ['.bootcde'], shown: '`.bootcde`', what: 'the firmware (`dist/gate-<board>.js`, or `dist/gate.js`), run from flash at boot; where Storage cannot hold it, a loader that runs the firmware image in a free area, then the firmware\'s tail (see "Flash layout")' },
  { names: ['qg.cfg'], shown: '`qg.cfg`', what: 'the configuration (JSON)' },
  { names: ['qg.trust'], shown: '`qg.trust`', what: 'the trust bundle (COSE_Sign1 bytes)' },
  { names: ['qg.tver'], shown: '`qg.tver`', what: 'the highest trust-bundle version ever installed: a lower one is refused at boot' },
  { names: ['qg.tb', 'qg.k*'], shown: '`qg.tb`, `qg.k<8 hex>`', what: 'the JavaScript verifier\'s tables, the base point (9 KB) and one per trusted key (2.3 KB), read in place' },
  { names: ['qg.lock'], shown: '`qg.lock`', what: 'the console password (derived from `site.secret`) with a check: locks the console even when `qg.cfg` is damaged (see "Security: the consoles")' },
  { names: ['qg.ed25519'], shown: '`qg.ed25519`', what: 'the native verifier\'s machine code (7.9 KB), run in place; in the image in a free area when there is one (see "Flash layout")' },
  { names: ['qg.inflate'], shown: '`qg.inflate`', what: 'the native inflate\'s machine code (1.6 KB) for DIVOC, run in place; in the image in a free area when there is one; missing or damaged: an `inflate` fault, DIVOC refused (`unsupported`), QG1 goes on' },
  { names: ['qg.divoc'], shown: '`qg.divoc`', what: 'DIVOC\'s context table as data (1.8 KB, deflate-raw), inflated natively into RAM (9 KB) while a DIVOC text is decided; missing or damaged: a `divoc-table` fault, DIVOC refused (`unsupported`), QG1 goes on' },
  { names: ['qg.j*'], shown: '`qg.j0` ...', what: 'the entry-log journal\'s segments (`log.segments` files of `log.segmentSize` bytes)' },
  { names: ['qg.occ'], shown: '`qg.occ`', what: 'at gates that count (`capacity.max`): people inside, the PPKM level, the last daily reset (JSON; see "Occupancy, capacity and the booth")' },
];
/** Files the firmware writes itself, on every board. */
const FIRMWARE_FILES = ['.bootcde', 'qg.tver', 'qg.j*', 'qg.occ'];

/** "Files in the board's flash": each file, which boards get it, what it is. */
export function filesTable(boards: Board[] = BOARD_FILES): string {
  const out = [row(['file', 'boards', 'what']), row(['---', '---', '---'])];
  for (const f of FILES) {
    const on = boards.filter((b) => (f.on ? f.on(b) : f.names.every((n) => FIRMWARE_FILES.indexOf(n) >= 0 || b.files.some((x) => x.name === n))));
    const who = on.length === boards.length ? 'all' : on.map((b) => `\`${b.name}\``).join(', ');
    const by = FIRMWARE_FILES.indexOf(f.names[0]) >= 0 && f.names[0] !== '.bootcde' ? ', written by the firmware' : '';
    out.push(row([f.shown, who, f.what + by]));
  }
  return out.join('\n');
}

/** Every generated region of the README: name -> text. */
export function readmeTables(boards: Board[] = BOARD_FILES, bundleBytes?: (name: string) => number | string): { [name: string]: string } {
  return {
    pins: pinsTable(boards),
    lora: loraTable(boards),
    door: doorTable(boards),
    notes: notesList(boards),
    files: filesTable(boards),
    geometry: geometryTable(boards),
    budget: budgetTable(boards, bundleBytes),
  };
}

/** `text` with each region replaced; throws when a region's markers are missing. */
export function withTables(text: string, tables: { [name: string]: string }): string {
  for (const name of Object.keys(tables)) {
    const open = `<!-- readme-tables:${name} -->`;
    const close = `<!-- /readme-tables:${name} -->`;
    const a = text.indexOf(open);
    const b = text.indexOf(close);
    if (a < 0 || b < a) throw new Error(`README.md: no ${open} ... ${close} region`);
    text = text.slice(0, a + open.length) + '\n' + tables[name] + '\n' + text.slice(b);
  }
  return text;
}

if (require.main === module) {
  try {
    const text = fs.readFileSync(README, 'utf8');
    const next = withTables(text, readmeTables());
    if (process.argv.indexOf('--check') >= 0) {
      if (next !== text) { console.error('readme-tables: README.md differs from the board files: run make readme-tables'); process.exit(1); }
    } else if (next !== text) {
      fs.writeFileSync(README, next);
      console.log('readme-tables: README.md rewritten');
    } else console.log('readme-tables: README.md is up to date');
  } catch (e: any) {
    console.error(`readme-tables: ${e.message}`);
    process.exit(1);
  }
}
