// The gate on a board-sized variable store, shared by test/real/stores.test.ts (the x86 Linux
// interpreters with a Pico's and a WiFi's store: the JavaScript verifier) and
// test/real/arm-stores.test.ts (the ARM ones under qemu-arm with each ARM board's store: the native
// verifier and inflate). A run flashes a bundle (.bootcde) and its files into a fresh Storage,
// boots it with the driver below, feeds it each input in turn on the scanner's UART and reads the
// decision and the memory peak of each.
//
// The peak printed for each input is the largest process.memory().usage seen at every SHA-256 and
// SHA-512 call of the decision (the points where its working set is largest: the hashes of the
// N-Quads, the Ed25519 challenge), at every Error made (a refusal's, where its working set is
// largest: proto/error.ts makes them with Object.create) and at its decision event: a lower bound
// of the true peak; "did not run out on this store" is what the tests assert.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { memoryBootFiles } from '../../tools/build/memory-fixture';
import { CONFIG_FILE } from '../../firmware/boot';
import { frameLimit } from '../../firmware/parse';
import { WorstInput } from '../util/worst-inputs';
import { INDEX, sampleText } from '../util/divoc';
import { hostFiles, seedAndRun } from './interp';
import { crc32, loaderText, packHead } from '../../tools/board/layout';
import { pretokenise } from '../../tools/build/pretokenise';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../fixtures/certs.json');

export interface Input { name: string; text: string; /** RegExp source the decision line must match. */ want: string }

/** The refusal of a DIVOC text by a bundle without DIVOC (firmware/parse.ts: not built in). */
export const UNSUPPORTED = '"decision":"deny".*"reason":"unsupported"';
/** A certificate of `format` whose signature was checked (whatever its dates say at today's clock). */
const checked = (format: string) => `"format":"${format}"(?!.*"reason":"(malformed|unsupported|unknown-key|bad-signature)")`;

/** A verified QG1 certificate (issuer.jwk is among the 64 keys of the memory fixture). */
export function qg1Input(): Input {
  return { name: 'qg1-ok', text: CERTS.certs.ok.text, want: checked('qg1') };
}

/** A text over the scanner's frame limit (firmware/parse.ts frameLimit, the worst configuration's maxLen 4096): dropped. */
export const TOO_LONG = '"ev":"drop".*"why":"too-long"';

/** Without DIVOC: a text longer than any QG1 one is dropped as too long (frameLimit), a shorter DIVOC one `unsupported`. */
function withoutDivoc(text: string): string {
  return text.length > frameLimit(4096, false) ? TOO_LONG : UNSUPPORTED;
}

/** Every published DIVOC sample: verified (the tampered one: bad-signature), or without DIVOC refused (withoutDivoc). */
export function divocInputs(divoc = true): Input[] {
  return INDEX.samples.map((s: { file: string }) => {
    const text = Buffer.from(sampleText(s.file), 'utf8').toString('latin1');
    return { name: 'divoc-' + s.file.replace(/\.qr\.txt$/, ''), text,
      want: !divoc ? withoutDivoc(text) : /tampered/.test(s.file) ? '"reason":"bad-signature"' : checked('divoc') };
  });
}

/** Worst unsigned inputs (test/util/worst-inputs.ts) with their refusal; without DIVOC, a DIVOC text is refused (withoutDivoc). */
export function worstAsInputs(list: WorstInput[], divoc = true): Input[] {
  return list.map((w) => ({ name: w.name, text: w.text,
    want: !divoc && /^B64:/.test(w.text) ? withoutDivoc(w.text) : `"decision":"${w.decision}".*"reason":"${w.reason}"` }));
}

/** QG_STORES_ONLY=name,name... feeds only those inputs (to look at one). */
export function chosen(list: Input[]): Input[] {
  const only = process.env.QG_STORES_ONLY ? process.env.QG_STORES_ONLY.split(',') : null;
  return only ? list.filter((x) => only.indexOf(x.name) >= 0) : list;
}

/**
 * The memory fixture (tools/build/memory-fixture.ts: test/fixtures/gate.json, 64 keys, the
 * verifier's tables) in the worst configuration: scanner.maxLen 4096, no duplicate suppression, no
 * repeat-visitor cache. `only`: keep just these files (an ARM board's flash has no tables).
 */
export function worstMemoryFiles(only?: string[]): { [name: string]: Uint8Array } {
  const boot = memoryBootFiles();
  const cfg = JSON.parse(Buffer.from(boot[CONFIG_FILE]).toString('utf8'));
  cfg.scanner = { maxLen: 4096, dedupMs: 0 };
  cfg.cache = { size: 0 };
  boot[CONFIG_FILE] = new Uint8Array(Buffer.from(JSON.stringify(cfg)));
  if (only) for (const n of Object.keys(boot)) if (only.indexOf(n) < 0) delete boot[n];
  return boot;
}

export interface DriverOptions {
  /** require('crypto') functions the board lacks (its board file's nativeSha256/nativeSha512): removed before boot. */
  hide?: string[];
  /** Count the calls of the native verifier (qg.ed25519) and the native inflate (qg.inflate) per input. */
  native?: boolean;
}

/**
 * Run after seeding, for a firmware flashed split (StoreRun.imageRoom): makes .bootcde the loader
 * `qrgate flash` writes (tools/board/layout.ts loaderText: the CRC-32 check and eval of
 * E.memoryArea) over the Storage file qg.head as the image, from qg.ldr (the loader with
 * LOADER_ADDR for the image's address, which only the interpreter knows) and qg.tail. (In the
 * seeding run, not the driver's: the driver's own work would be counted in the gate's memory.)
 */
function loaderScript(): string {
  return `(function () {
var S = require('Storage'), F = ${LINUX_FLASH_START};
function at() { return F + E.getAddressOf(S.read('qg.head'), true) - E.getAddressOf(E.memoryArea(F, 1), true); }
var A = at(), l = S.read('qg.ldr').replace(/${LOADER_ADDR}/g, A).replace('${LOADER_ADDR.toString(16)}', A.toString(16)), t = S.read('qg.tail');
S.write('.bootcde', l, 0, l.length + (t ? t.length : 0));
if (t) S.write('.bootcde', t, l.length);
print(at() === A ? '@after-seed ok' : '@after-seed: qg.head moved while .bootcde was written');
})();`;
}

/** The image address in qg.ldr, until loaderScript puts the flash address of qg.head there. */
export const LOADER_ADDR = 0xdeadbeef;
/** Where the Linux build's flash (Storage) begins (Espruino's scripts/build_platform_config.py FLASH_START). */
const LINUX_FLASH_START = 0x10000000;

/**
 * The driver: hooks the hashes to sample memory, boots the gate from flash (eval of .bootcde, as
 * the interpreter does at power-on), feeds each input (host files read with E.openFile, `paths`
 * relative to the run's folder, 64 bytes at a time as Serial1 data) in turn. Prints `@boot usage total peak clock verifierCalls
 * inflateCalls errorFlags` ('-': none), then per input
 * `@peak k peak usage verifierCalls inflateCalls errorFlags .` (the decision or drop line is the gate's own, printed before it), then `@done`.
 */
export function storeDriver(paths: string[], o: DriverOptions = {}): string {
  // (The inputs' paths are made from their index, not held as an array: 20 paths held as strings
  // took about 50 variables that a board does not spend; the last decision line is not held
  // either: the host reads it from the output before its @peak line, see runStore.)
  const prefix = paths.length ? paths[0].replace(/0$/, '') : '';
  paths.forEach((p, k) => { if (p !== prefix + k) throw new Error(`input paths must be ${prefix}<k>: ${p}`); });
  // (The gate's top-level names are globals of the interpreter: the driver's are in one function,
  // but the hooks must be in place before the gate reads require('crypto').)
  return `
(function () {
var C = require('crypto'), PK = 0, NV = 0, NI = 0;
${(o.hide || []).map((f) => `C.${f} = undefined;`).join('\n')}
var o256 = C.SHA256, o512 = C.SHA512;
function samp() { var u = process.memory().usage; if (u > PK) PK = u; }
if (o256) C.SHA256 = function (d) { samp(); return o256(d); };
if (o512) C.SHA512 = function (d) { samp(); return o512(d); };
var OE = Error;
Error = function (m) { samp(); return new OE(m); };
Error.prototype = OE.prototype;
var OC = Object.create;
Object.create = function (p, d) { samp(); return OC(p, d); };
global.__qgPeak = function (reset) { samp(); var p = PK; if (reset) PK = 0; return p; };
global.__qgNative = function () { return NV + ' ' + NI; };
${o.native ? `var NC = E.nativeCall;
E.nativeCall = function (a, s, d) {
  var S = require('Storage'), v = S.read('qg.ed25519'), i = S.read('qg.inflate');
  var w = v && E.getAddressOf(v, true) + 1 === a ? 1 : i && E.getAddressOf(i, true) + 1 === a ? 2 : 0;
  var f = NC(a, s, d);
  return w === 1 ? function (p, q, r, t) { NV++; return f(p, q, r, t); } : w === 2 ? function (p, q, r, t) { NI++; return f(p, q, r, t); } : f;
};` : ''}
})();
// (what boot throws, by its message: the hooked Error above prints as [object Object])
try { eval(require('Storage').read('.bootcde')); } catch (e) { print('@thrown ' + (e && e.message)); throw e; }
(function () {
var N = ${paths.length}, i = 0, got = 0;
// (in chunks of 64 bytes, each after the one before was taken, as a UART delivers them: emit()
// queues its event, so a loop would hold the whole text, ~340 variables for 4 KB, in the queue)
function input(k, done) { var f = E.openFile(${JSON.stringify(prefix)} + k, 'r');
  (function next() { var t = f.read(64); if (!t) { f.close(); return done(); } Serial1.emit('data', t); setTimeout(next, 0); })(); }
var m = process.memory();
print('@boot ' + m.usage + ' ' + m.total + ' ' + __qgPeak(true) + ' ' + Math.floor(getTime()) + ' ' + __qgNative() + ' ' + (E.getErrorFlags().join(',') || '-'));
m = undefined;${dumpVars() ? "\nprint('@dump boot'); E.dumpVariables(); print('@dump-end');" : ''}
var log0 = console.log;
console.log = function (l) { log0(l); l = String(l); if (l.indexOf('"ev":"decision"') >= 0 || l.indexOf('"ev":"drop"') >= 0) got = 1; };
function feed() {
  if (i >= N) { print('@done'); return; }
  __qgPeak(true);
  got = 0;
  input(i, function poll() { if (!got) return setTimeout(poll, 20);
    print('@peak ' + i + ' ' + __qgPeak(true) + ' ' + process.memory().usage + ' ' + __qgNative() + ' ' + E.getErrorFlags().join(',') + ' .');${dumpVars() ? "\n    print('@dump ' + i); E.dumpVariables(); print('@dump-end');" : ''}
    i++; setTimeout(feed, 50); });
}
setTimeout(feed, ${settleMs()});
})();
`;
}

/**
 * How long after boot the driver feeds the first input, ms: 100 (a scan while boot's own work, the
 * scanner module's setup, still runs: the worst case), or QG_STORES_SETTLE=ms (a gate that has
 * settled: the setup takes 0.9 s when the module does not answer).
 */
function settleMs(): number {
  const v = Number(process.env.QG_STORES_SETTLE || 100);
  return v >= 0 && isFinite(v) ? Math.floor(v) : 100;
}

/**
 * QG_STORES_DUMP=1: the driver prints E.dumpVariables() (every variable, its size and links)
 * between \`@dump boot\` / \`@dump k\` and \`@dump-end\` after boot and after each input, to see with
 * tools/espruino/vardump.js where the variables go (keep the output with QG_STORES_OUT).
 */
function dumpVars(): boolean {
  return process.env.QG_STORES_DUMP === '1';
}

/** One run: a bundle and its files on one interpreter, fed its inputs. */
export interface StoreRun {
  /** Unique: the run's folder and log name. */
  key: string;
  /** In the test titles: the bundle, the store, the trust bundle. */
  label: string;
  /** The env var naming the interpreter, built with `vars` variables. */
  env: string;
  vars: number;
  /** An ARM build: run under qemu-arm. */
  qemu?: boolean;
  inputs: Input[];
  /** Storage files besides .bootcde. */
  files: { [name: string]: Uint8Array };
  /** Files that must exist first (a bundle in dist/, build/device: `make build`). */
  needs: string[];
  /** Builds or names the bundle (`dir`: the run's folder). */
  bundle(dir: string): Promise<string>;
  driver?: DriverOptions;
  /**
   * The room a board's flash image leaves its firmware (tools/board/layout.ts): the bundle is
   * flashed split as `qrgate flash` splits it (packHead): the head as the Storage file qg.head (the
   * image), .bootcde the loader flash writes (loaderScript), which checks the head's CRC-32
   * and evaluates it in place with E.memoryArea, then runs the tail. Undefined: the whole bundle as
   * .bootcde.
   */
  imageRoom?: number;
  /** With imageRoom: the head and tail pretokenised (as flash writes them where the text does not fit). */
  tokenise?: boolean;
  /** With imageRoom: flip the lowest bit of this byte of the image after its CRC-32 was taken (the loader must refuse it). */
  damage?: number;
  /** What is wrong with interpreter `bin` for this run ('' when nothing is): checked before it runs. */
  precheck?: (bin: string, dir: string) => Promise<string>;
}

export interface Row { input: Input; peak: number; usage: number; verifierCalls: number; inflateCalls: number; flags: string; line: string }
export interface RunResult {
  out: string; ms: number; rows: (Row | undefined)[];
  /** The bytes of the head and the tail when flashed split (StoreRun.imageRoom). */
  split?: { head: number; tail: number };
  /** After boot; `flags`: Espruino's error flags raised while booting (E.getErrorFlags: read, so each input's row has only its own). */
  boot?: { usage: number; total: number; peak: number; clock: number; verifierCalls: number; inflateCalls: number; flags: string };
}

/** The Storage file the driver is seeded as. */
const DRIVER_FILE = 'qg.drv';

// (an uncaught error: its whole line)
const STOP = /@done|OUT OF MEMORY|ASSERT|Uncaught[^\n]*\n|Uncaught[\s\S]{300}|qemu: uncaught/;
const BAD = /OUT OF MEMORY|ASSERT[^\n]*|Uncaught[^\n]*|qemu: uncaught[^\n]*/;

/** Runs `r` on interpreter `bin` in a fresh folder under `work`. */
export async function runStore(r: StoreRun, bin: string, work: string): Promise<RunResult> {
  const dir = path.join(work, 'run-' + r.key);
  fs.mkdirSync(dir, { recursive: true });
  const inputs: { [name: string]: Uint8Array } = {};
  r.inputs.forEach((w, k) => { inputs['i' + k] = new Uint8Array(Buffer.from(w.text + '\r', 'latin1')); });
  // (The inputs are host files the driver reads with E.openFile, not Storage files: a bundle and its
  // files leave the Linux build's 256 KB of Storage too little room for all of them. Their paths are
  // relative to the run's folder, the interpreter's cwd: short strings.)
  const paths = hostFiles(dir, inputs).map((f) => path.relative(dir, f.path));
  const bundle = await r.bundle(dir);
  // The driver runs from Storage as the gate does (its code read in place): a driver run from a
  // file keeps its program text in RAM, about 430 variables that a board does not have to find.
  const drv = path.join(dir, 'driver-text.js');
  fs.writeFileSync(drv, storeDriver(paths, r.driver));
  const files = [{ name: '.bootcde', path: bundle }, { name: DRIVER_FILE, path: drv }].concat(hostFiles(dir, r.files));
  const cmd = r.qemu ? ['qemu-arm', bin] : bin;
  let split: { head: number; tail: number } | undefined;
  if (r.imageRoom !== undefined) {
    // (the loader as tools/board/layout.ts writes it, its image the Storage file qg.head: the
    // seeding run puts that file's flash address in, loaderScript, as flash puts the image's)
    const parts = packHead(fs.readFileSync(bundle, 'latin1'), r.imageRoom, r.tokenise ? pretokenise : undefined);
    const head = Buffer.from(parts.head, 'latin1');
    const crc = crc32(new Uint8Array(head));
    if (r.damage !== undefined) head[r.damage] ^= 0x01;
    const named = (name: string, text: string | Buffer) => { const f = path.join(dir, 'bundle-' + name); fs.writeFileSync(f, text, 'latin1'); return f; };
    files.splice(0, 1, { name: 'qg.head', path: named('head', head) },
      { name: 'qg.ldr', path: named('ldr', loaderText([], { addr: LOADER_ADDR, length: head.length, crc }, '')) });
    if (parts.tail) files.push({ name: 'qg.tail', path: named('tail', parts.tail) }); // (Storage holds no empty file)
    split = { head: parts.head.length, tail: parts.tail.length };
  }
  const t0 = Date.now();
  const out = await seedAndRun(cmd, dir, files, `eval(require('Storage').read(${JSON.stringify(DRIVER_FILE)}));\n`, STOP, 80 * 60 * 1000, 300000,
    split ? loaderScript() : '');
  const res: RunResult = { out, ms: Date.now() - t0, rows: [], split };
  const b = /@boot (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\S+)/.exec(out);
  if (b) res.boot = { usage: +b[1], total: +b[2], peak: +b[3], clock: +b[4], verifierCalls: +b[5], inflateCalls: +b[6], flags: b[7] === '-' ? '' : b[7] };
  res.rows = r.inputs.map((w, k) => {
    const m = new RegExp('@peak ' + k + ' (\\d+) (\\d+) (\\d+) (\\d+) ([^ ]*) \\.').exec(out);
    return m ? { input: w, peak: +m[1], usage: +m[2], verifierCalls: +m[3], inflateCalls: +m[4], flags: m[5], line: lastEventBefore(out, m.index) } : undefined;
  });
  // QG_STORES_OUT=dir keeps each run's console output (dir/<key>.log).
  if (process.env.QG_STORES_OUT) fs.writeFileSync(path.join(process.env.QG_STORES_OUT, `${r.key}.log`), out);
  return res;
}

/** The last decision or drop event line (`@qg {...}`) the gate printed before `end` in `out`. */
export function lastEventBefore(out: string, end: number): string {
  const re = /@qg \{"ev":"(?:decision|drop)"[^\n]*/g;
  let m: RegExpExecArray | null, last = '';
  while ((m = re.exec(out)) && m.index < end) last = m[0].replace(/\r$/, '');
  return last;
}

/** The decision event of a row's line (`@qg {...}`). */
export function decisionOf(row: Row): any {
  return JSON.parse(row.line.slice(row.line.indexOf('{')));
}

/** Why qemu-arm cannot run here, or ''. */
export function qemuUnavailable(): string {
  const q = spawnSync('qemu-arm', ['--version'], { stdio: 'ignore' });
  return q.status === 0 ? '' : 'qemu-arm is not installed (Debian: qemu-user)';
}

/**
 * The suite: `runs` whose env var is set run side by side (at most `parallel` at once) before all;
 * then per run, "boots" (the store's size, the ready line without a fault, the variables after
 * boot) and "decides every input" (no interpreter error, no MEMORY error flag, the expected
 * decision and a peak under the store's size each time). `more(run, result)` adds tests of its
 * own. Skipped, saying why, without the variables, qemu-arm or a build. No timing: each step waits
 * for the gate's events.
 */
export function storeSuite(o: { title: string; runs: StoreRun[]; unset: string; parallel?: number;
  more?: (r: StoreRun, res: () => RunResult | undefined) => void; }): void {
  describe(o.title, function () {
    this.timeout(90 * 60 * 1000);
    const results: { [key: string]: RunResult } = {};
    let work = '';
    const runnable = o.runs.filter((r) => process.env[r.env]);
    before(async function () {
      if (!runnable.length) {
        console.log('      skipped: ' + o.unset);
        this.skip();
      }
      const q = runnable.some((r) => r.qemu) ? qemuUnavailable() : '';
      if (q) {
        console.log('      skipped: ' + q);
        this.skip();
      }
      const missing = Array.from(new Set(([] as string[]).concat(...runnable.map((r) => r.needs)))).filter((f) => !fs.existsSync(f));
      if (missing.length) {
        console.log(`      skipped: no ${missing.map((f) => path.relative(process.cwd(), f)).join(', ')} (make build)`);
        this.skip();
      }
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-stores-'));
      const queue = runnable.slice();
      const worker = async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          const bin = path.resolve(process.env[r.env] as string);
          assert.ok(fs.existsSync(bin), `${r.env}=${bin} does not exist`);
          const wrong = r.precheck ? await r.precheck(bin, fs.mkdtempSync(path.join(work, 'check-'))) : '';
          assert.equal(wrong, '', `${r.env}=${bin}: ${wrong}`);
          results[r.key] = await runStore(r, bin, work);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, o.parallel || runnable.length) }, worker));
    });
    // QG_STORES_KEEP=1 leaves the runs' folders (Storage, driver, inputs) to look into.
    after(() => {
      if (work && process.env.QG_STORES_KEEP) console.log(`      kept ${work}`);
      else if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    for (const r of o.runs) {
      const res = () => results[r.key];
      // (The boot budget itself is test/real/memory.test.ts's: this driver's hooks cost a few more.)
      it(`${r.label}: boots`, function () {
        const x = res();
        if (!x) { console.log(`      skipped: set ${r.env}`); return this.skip(); }
        console.log(`      ${r.label}: ${x.boot ? `${x.boot.usage} variables after boot with this driver (boot's own peak at least ` +
          `${x.boot.peak}) of ${x.boot.total}${x.boot.flags ? ', flags ' + x.boot.flags : ''}` : 'did not boot'}; ${r.inputs.length} inputs in ${Math.round(x.ms / 1000)} s` +
          (x.split ? `; flashed split${r.tokenise ? ' and pretokenised' : ''}, head ${x.split.head} bytes read in place, tail ${x.split.tail}` : ''));
        assert.ok(x.boot, 'no @boot line:\n' + x.out.slice(-3000));
        assert.equal(x.boot.total, r.vars, `${r.env} is not a ${r.vars}-variable build`);
        assert.ok(/"ev":"ready"[^\n]*"fault":""/.test(x.out), 'the gate booted with a fault:\n' + x.out.slice(-3000));
        assert.ok(!/MEMORY/.test(x.boot.flags), `error flags while booting: ${x.boot.flags}`);
      });
      it(`${r.label}: decides every input without running out (${r.inputs.length} inputs)`, function () {
        const x = res();
        if (!x) return this.skip();
        const bad = BAD.exec(x.out);
        const done = x.rows.filter((w) => w) as Row[];
        console.log(done.map((w) => `        ${w.input.name}: peak >= ${w.peak} of ${x.boot ? x.boot.total : r.vars}${w.flags ? ' flags ' + w.flags : ''}`).join('\n'));
        assert.ok(!bad, `interpreter error after ${done.length} of ${r.inputs.length} inputs: ${bad && bad[0]}\n` + x.out.slice(-3000));
        x.rows.forEach((w, k) => {
          const name = r.inputs[k].name;
          assert.ok(w, `${name}: no decision:\n` + x.out.slice(-3000));
          assert.ok(!/MEMORY/.test(w.flags), `${name}: error flags ${w.flags}`);
          assert.ok(new RegExp(w.input.want).test(w.line), `${name}: ${w.line}`);
          assert.ok(w.peak < r.vars, `${name}: peak ${w.peak}`);
        });
      });
      if (o.more) o.more(r, res);
    }
  });
}
