// The flash layout of a board: where `qrgate flash` puts the firmware, the native code and the
// other files, planned from the board file (boards/<name>.ts: Storage, the free areas
// `require('Flash').getFree()` reports, what Espruino reserves) and checked against the areas the
// board itself reports before a byte is written (README "Flash layout").
//
// A board whose Storage holds everything (ESP32, Linux) gets the firmware as the Storage file
// .bootcde, as before. Otherwise one *image* goes to the start of the largest free area:
//   - the files that can live outside Storage (the native code qg.ed25519 and qg.inflate: run in
//     place, each only needs a 4-byte aligned address), each padded to 4 bytes;
//   - then the firmware's head: its leading top-level statements, as many as fit.
// .bootcde in Storage becomes a loader: a first line naming where the placed files are
// (`//qg:NAME@ADDR+LEN,...`, read by hal/espruino when Storage has no such file), then
//   if(E.CRC32(E.memoryArea(A,L))!=C)throw Error(...);eval(E.memoryArea(A,L));
// then the firmware's tail (the statements that did not fit the image), if any. Espruino keeps
// the code of functions parsed from a memory area in flash (src/jsparse.c: "If we're parsing from
// a Native String (eg. E.memoryArea, E.setBootCode) then use another Native String to load
// function code straight from flash"), exactly as for .bootcde, so the split costs no RAM. The
// firmware is one sequence of top-level statements (no wrapper: README "The device bundle"), so
// running its head then its tail is running it.
import * as acorn from 'acorn';
import { pretokenise } from '../build/pretokenise';
import { Board, FlashArea } from '../../boards/types';
import { TVER_FILE } from '../../firmware/boot';

/** Storage's cost of a file: a 32-byte header and its data padded to 4 bytes (src/jsflash.c). */
export const STORAGE_HEADER = 32;
export function storageCost(size: number): number {
  return STORAGE_HEADER + ((size + 3) & ~3);
}

/**
 * What the firmware writes to Storage itself, by name and size: the journal's segment files
 * (created at their full size) and the installed trust version (a decimal number). (The native
 * inflate's code, qg.inflate, is written by `qrgate flash` since session 14: a board file's `files`.)
 */
export function firmwareWrites(b: Board, log: { segments: number; segmentSize: number }): { name: string; bytes: number }[] {
  void b;
  const out: { name: string; bytes: number }[] = [];
  for (let i = 0; i < log.segments; i++) out.push({ name: `qg.j${i}`, bytes: log.segmentSize });
  out.push({ name: TVER_FILE, bytes: 10 });
  return out;
}

/**
 * Files that may be placed outside Storage, in the image (read in place through E.memoryArea): the
 * native code, run in place. (Not DIVOC's table data qg.divoc: the DIVOC part reads it from
 * Storage, hal/espruino/builtins.ts flashFile.)
 */
export const PLACEABLE = ['qg.ed25519', 'qg.inflate'];
/** The loader's first line starts with this (hal/espruino placedFile reads it). */
export const MAP_PREFIX = '//qg:';

export interface Placed { name: string; addr: number; length: number }

export interface FlashImage {
  /** The free area it goes to (from the board file). */
  area: FlashArea;
  addr: number;
  data: Uint8Array;
  /** The placed files, then 'code' (the firmware's head). */
  parts: Placed[];
  /** The address and length of the firmware's head, and its CRC-32 (the loader checks it). */
  code: { addr: number; length: number; crc: number };
  /** The start of every erase page the image covers (erased before it is written). */
  pages: number[];
}

export interface FlashPlan {
  board: string;
  /** The Storage files: name and data bytes (.bootcde: the firmware, or the loader and tail). */
  storage: { name: string; bytes: number }[];
  storageSize: number;
  /** Storage bytes used (headers and padding included). */
  storageUsed: number;
  /** Bytes outside Storage, or null when Storage holds everything. */
  image: FlashImage | null;
  /** The text of .bootcde. */
  bootcde: string;
  /** The firmware's bytes in Storage (the tail, or all of it) and in the image (the head). */
  codeInStorage: number;
  codeInImage: number;
  /** The image's code and the tail are pretokenised (PlanInputs.tokenise, when the pretokeniser keeps the code's meaning). */
  tokenised?: boolean;
  fits: boolean;
  /** Why it does not fit, or what the check found. */
  problems: string[];
}

export interface PlanInputs {
  /** The firmware (byte string), or its size when only a size is known (cut at any byte). */
  bundle: string | number;
  /** The files `qrgate flash` writes besides .bootcde (tools/flashfiles.ts). */
  files: { [name: string]: Uint8Array };
  /** What the firmware writes itself (the journal's segments, qg.tver): name and size. */
  journal: { name: string; bytes: number }[];
  /** The free areas the board reports (require('Flash').getFree()); default the board file's. */
  reported?: { addr: number; length: number }[];
  /**
   * Where the firmware as text does not fit, write the image's head and the tail pretokenised
   * (Espruino's lexer reads such code wherever it comes from, since 2v25.396: tokenisesOn), the
   * loader's own lines plain. A firmware that fits as text is written as text ('always': pretokenised
   * all the same, to measure it).
   */
  tokenise?: boolean | 'always';
}

/** The first Espruino whose lexer reads every form the pretokeniser writes (tools/build/pretokenise.ts). */
export const TOKENS_SINCE = '2v25.396';

/** Whether an Espruino of this version (process.env.VERSION: "2v29", "2v25.396") reads pretokenised code. */
export function tokenisesOn(version: string): boolean {
  const v = /^(\d+)v(\d+)(?:\.(\d+))?/.exec(version || '');
  if (!v) return false;
  const [, a, b, c] = v.map((x) => Number(x || 0));
  return a > 2 || (a === 2 && (b > 25 || (b === 25 && c >= 396)));
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE, as Espruino's E.CRC32 and zlib), unsigned. */
export function crc32(data: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** The ends of the firmware's top-level statements (where it may be cut), ascending. */
export function statementEnds(code: string): number[] {
  const ast: any = acorn.parse(code, { ecmaVersion: 5, sourceType: 'script' });
  return ast.body.map((s: any) => s.end);
}

/**
 * The firmware split for an image with `room` bytes: the head (at most `room` bytes, run first from
 * the image) and the tail (run after it from .bootcde). The head is the firmware up to the end of
 * the last top-level statement that fits, then, in the room left, top-level function declarations
 * taken from after that cut (largest first, each that still fits). A declaration runs nothing and
 * Espruino does not hoist, so moving one earlier changes nothing but where its code lies. When the
 * cut falls inside a run of declarations (the bundle begins with one: every module's functions),
 * the whole run is packed so, as nothing runs between them. Only declarations whose name no other
 * top-level declaration or `var` uses move. Head then tail holds every statement of the firmware
 * once; the statements that are not declarations keep their order. With `tokenise` (Espruino's
 * pretokenisation, tools/build/pretokenise.ts) both are returned pretokenised, and `room` counts
 * pretokenised bytes.
 */
export function packHead(code: string, room: number, tokenise?: (code: string) => string): { head: string; tail: string } {
  const out = (t: string) => (tokenise && t ? tokenise(t) : t);
  if (out(code).length <= room) return { head: out(code), tail: '' };
  const body: any[] = (acorn.parse(code, { ecmaVersion: 5, sourceType: 'script' }) as any).body;
  const names: { [k: string]: number } = {};
  const count = (n: string) => { names['$' + n] = (names['$' + n] || 0) + 1; };
  for (const s of body) {
    if (s.type === 'FunctionDeclaration') count(s.id.name);
    else if (s.type === 'VariableDeclaration') for (const d of s.declarations) if (d.id.type === 'Identifier') count(d.id.name);
  }
  const free = (s: any) => s.type === 'FunctionDeclaration' && names['$' + s.id.name] === 1;
  // What each statement costs in the image, with what precedes it (pretokenised when asked: the
  // tokeniser works token by token, so the pieces' costs add up to about the whole's).
  const cost = body.map((s, i) => out(code.slice(i ? body[i - 1].end : 0, s.end)).length);
  const alone = body.map((s) => out(code.slice(s.start, s.end)).length + 1); // a moved one, with its newline
  const fill = (from: number, budget: number) => {
    let used = 0;
    for (let i = 0; i < from; i++) used += cost[i];
    const movable = body.map((s, i) => i).slice(from).filter((i) => free(body[i]))
      .sort((a, b) => alone[b] - alone[a] || a - b);
    let left = budget - used;
    const moved: number[] = [];
    for (const i of movable) if (alone[i] <= left) { moved.push(i); left -= alone[i]; }
    moved.sort((a, b) => a - b);
    const cut = from ? body[from - 1].end : 0;
    let head = code.slice(0, cut);
    let tail = '';
    let at = cut;
    for (const i of moved) {
      const s = body[i];
      head += '\n' + code.slice(s.start, s.end);
      tail += code.slice(at, s.start);
      at = s.end;
      // what was before the declaration could run on into what follows it (no ASI before "(" or "[")
      if (!/(^|;)\s*$/.test(tail) && !/^\s*(;|$)/.test(code.slice(at))) tail += ';';
    }
    return { head: out(head), tail: out(tail + code.slice(at)) };
  };
  const best = (budget: number) => {
    let c = 0; // statements that fit in order
    for (let used = 0; c < body.length && used + cost[c] <= budget; c++) used += cost[c];
    // Where the movable statements begin: at the cut, or, when the cut falls inside a run of
    // declarations (nothing runs between them, so their order is free), where that run begins.
    let p = c;
    while (p > 0 && c < body.length && free(body[c]) && free(body[p - 1])) p--;
    const inOrder = fill(c, budget);
    if (p === c) return inOrder;
    const runFirst = fill(p, budget);
    return runFirst.head.length > inOrder.head.length ? runFirst : inOrder;
  };
  // (pretokenised, the whole may differ from the sum of its pieces by a few bytes: plan for less)
  let r = best(room);
  for (let budget = room; r.head.length > room && budget > 0;) {
    budget -= r.head.length - room;
    r = best(budget);
  }
  return r;
}

/** The loader .bootcde: the map line, the image check and eval, then the tail. */
export function loaderText(placed: Placed[], code: { addr: number; length: number; crc: number }, tail: string): string {
  const map = MAP_PREFIX + placed.map((p) => `${p.name}@${p.addr}+${p.length}`).join(',');
  const area = `E.memoryArea(${code.addr},${code.length})`;
  return `${map}\nif(E.CRC32(${area})!=${code.crc})throw Error("qg: the firmware image at 0x${code.addr.toString(16)} is damaged: run qrgate flash");` +
    `eval(${area});\n${tail}`;
}

/** Parses a loader's first line: the placed files, or [] when .bootcde is no loader. */
export function loaderMap(bootcde: string): Placed[] {
  if (bootcde.indexOf(MAP_PREFIX) !== 0) return [];
  const line = bootcde.slice(MAP_PREFIX.length, (bootcde + '\n').indexOf('\n'));
  const out: Placed[] = [];
  for (const e of line.split(',')) {
    const m = /^([^@]+)@(\d+)\+(\d+)$/.exec(e);
    if (m) out.push({ name: m[1], addr: Number(m[2]), length: Number(m[3]) });
  }
  return out;
}

/** The image the loader checks: {addr, length, crc}, or null when .bootcde is no loader. */
export function loaderCode(bootcde: string): { addr: number; length: number; crc: number } | null {
  const m = /^\/\/qg:[^\n]*\nif\(E\.CRC32\(E\.memoryArea\((\d+),(\d+)\)\)!=(\d+)\)/.exec(bootcde);
  return m ? { addr: Number(m[1]), length: Number(m[2]), crc: Number(m[3]) } : null;
}

function overlaps(a: { addr: number; length: number }, b: { addr: number; length: number }): boolean {
  return a.addr < b.addr + b.length && b.addr < a.addr + a.length;
}

function inside(a: { addr: number; length: number }, b: { addr: number; length: number }): boolean {
  return a.addr >= b.addr && a.addr + a.length <= b.addr + b.length;
}

const hex = (n: number) => '0x' + n.toString(16);

/** A free area with its guard (boards/types.ts FlashArea.guard): what the board must report free. */
function guarded(a: FlashArea): { addr: number; length: number; page?: number } {
  const g = a.guard || 0;
  return { addr: a.addr - g, length: a.length + g, page: a.page };
}

/**
 * The free areas a board running the Espruino its board file describes reports (getFree()): the
 * board file's, with their guards (and their erase pages, for the simulator).
 */
export function reportedOf(board: Board): { addr: number; length: number; page?: number }[] {
  return board.flash.free.map(guarded);
}

/**
 * The plan for a board: Storage only when everything fits there, else an image in the largest
 * free area (of the board file's, those the board reports) with the loader in Storage.
 */
export function planLayout(board: Board, inp: PlanInputs): FlashPlan {
  // Pretokenised only when the text does not fit: pretokenised code runs DIVOC's interpreted work
  // about 10 % slower (README "Flash budget"), so a board that holds the text gets the text.
  const text = planWith(board, inp, false);
  if (!inp.tokenise || (text.fits && inp.tokenise !== 'always') || typeof inp.bundle !== 'string' || !text.image) return text;
  const tok = planWith(board, inp, true);
  return tok.tokenised ? tok : text;
}

function planWith(board: Board, inp: PlanInputs, tokenise: boolean): FlashPlan {
  const fl = board.flash;
  const bundleLen = typeof inp.bundle === 'string' ? inp.bundle.length : inp.bundle;
  const fileList = Object.keys(inp.files).map((n) => ({ name: n, bytes: inp.files[n].length }));
  const used = (xs: { bytes: number }[]) => xs.reduce((n, x) => n + storageCost(x.bytes), 0);
  const whole = [{ name: '.bootcde', bytes: bundleLen }].concat(fileList, inp.journal);
  const base = {
    board: board.name, storageSize: fl.storageSize, bootcde: typeof inp.bundle === 'string' ? inp.bundle : '',
  };
  const reported = inp.reported || reportedOf(board);
  const areas = fl.free.filter((a) => reported.some((r) => inside(guarded(a), r)))
    .sort((a, b) => b.length - a.length);
  if (used(whole) <= fl.storageSize || areas.length === 0) {
    const u = used(whole);
    const problems = u <= fl.storageSize ? [] : [`${u} bytes needed in Storage, ${fl.storageSize} there, and ` +
      (fl.free.length ? 'none of the free areas the board file lists is reported free' : 'no free flash outside Storage is known for this board')];
    return { ...base, storage: whole, storageUsed: u, image: null, codeInStorage: bundleLen, codeInImage: 0, fits: problems.length === 0, problems };
  }
  const area = areas[0];
  // The image: the placeable files, then as much of the firmware as fits.
  const placed: Placed[] = [];
  const parts: Uint8Array[] = [];
  let at = area.addr;
  for (const f of fileList) {
    if (PLACEABLE.indexOf(f.name) < 0) continue;
    placed.push({ name: f.name, addr: at, length: f.bytes });
    const padded = new Uint8Array((f.bytes + 3) & ~3).fill(0xff);
    padded.set(inp.files[f.name]);
    parts.push(padded);
    at += padded.length;
  }
  const room = area.addr + area.length - at;
  let cut = Math.min(bundleLen, Math.max(0, room));
  let headText = '';
  let tail = ' '.repeat(bundleLen - cut);
  let tokenised = false;
  if (typeof inp.bundle === 'string') {
    let packed: { head: string; tail: string };
    try {
      packed = packHead(inp.bundle, room, tokenise ? pretokenise : undefined);
      tokenised = tokenise;
    } catch (e) {
      // (code the pretokeniser would change, pretokenise.ts: written as text instead)
      if (!tokenise) throw e;
      packed = packHead(inp.bundle, room);
    }
    headText = packed.head;
    tail = packed.tail;
    cut = headText.length;
  }
  const codeAddr = at;
  const head = typeof inp.bundle === 'string' ? bytesOf(headText) : new Uint8Array(cut).fill(0x20);
  parts.push(head);
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  const code = { addr: codeAddr, length: cut, crc: crc32(head) };
  const bootcde = loaderText(placed, code, tail);
  const page = area.page || fl.pageSize;
  const pages: number[] = [];
  for (let p = area.addr; p < area.addr + data.length; p += page) pages.push(p);
  const storage = [{ name: '.bootcde', bytes: bootcde.length }]
    .concat(fileList.filter((f) => PLACEABLE.indexOf(f.name) < 0), inp.journal);
  const storageUsed = used(storage);
  const image: FlashImage = {
    area, addr: area.addr, data, parts: placed.concat([{ name: 'code', addr: codeAddr, length: cut }]), code, pages,
  };
  const plan: FlashPlan = {
    ...base, storage, storageUsed, image, bootcde, codeInStorage: tail.length, codeInImage: cut, tokenised, fits: true, problems: [],
  };
  plan.problems = checkPlan(board, plan, reported);
  plan.fits = plan.problems.length === 0;
  return plan;
}

/**
 * What is wrong with a plan on this board (nothing: []): Storage over its size; an image or an
 * erase page outside the areas both the board file and the board report free, or over what
 * Espruino reserves (bootloader, firmware) or over Storage.
 */
export function checkPlan(board: Board, plan: FlashPlan, reported: { addr: number; length: number }[]): string[] {
  const fl = board.flash;
  const out: string[] = [];
  if (plan.storageUsed > fl.storageSize) {
    out.push(`${plan.storageUsed} bytes needed in Storage (${plan.codeInStorage} of them firmware), ${fl.storageSize} there`);
  }
  const im = plan.image;
  if (!im) return out;
  const ranges: { addr: number; length: number; what: string }[] = [{ addr: im.addr, length: im.data.length, what: 'the image' }];
  const page = im.area.page || fl.pageSize;
  for (const p of im.pages) ranges.push({ addr: p, length: page, what: `the erase page at ${hex(p)}` });
  const storage = { addr: fl.storageStart, length: fl.storageSize };
  for (const r of ranges) {
    const where = `${r.what} (${hex(r.addr)}, ${r.length} bytes)`;
    if (!fl.free.some((a) => inside(r, a))) out.push(`${where} is not inside a free area of boards/${board.name}.ts`);
    if (!reported.some((a) => inside(r, a))) out.push(`${where} is not inside an area the board reports free (require('Flash').getFree())`);
    if (overlaps(r, storage)) out.push(`${where} overlaps Storage`);
    for (const x of fl.reserved) if (overlaps(r, x)) out.push(`${where} overlaps ${x.what} (${hex(x.addr)}, ${x.length} bytes)`);
  }
  if (im.area.guard && !reported.some((a) => inside({ addr: im.area.addr - im.area.guard!, length: im.area.guard! + im.data.length }, a))) {
    out.push(`the ${im.area.guard} bytes before the image (${hex(im.area.addr - im.area.guard)}) are not reported free: Espruino's initialised data may lie there (its firmware ends too late)`);
  }
  if (im.addr % 4) out.push(`the image at ${hex(im.addr)} is not 4-byte aligned`);
  for (const p of im.parts) if (p.addr % 4) out.push(`${p.name} at ${hex(p.addr)} is not 4-byte aligned`);
  if (im.data.length > im.area.length) out.push(`the image (${im.data.length} bytes) is larger than ${hex(im.area.addr)}'s ${im.area.length}`);
  return out;
}
