// The gate's memory on the REAL interpreter built with a board's fixed variable store (issue 12 item
// 5, issue 17 item 5): ESPRUINO_5100=/path/to/espruino (the Linux build with 'variables': 5100, a
// Pico's store) and ESPRUINO_8190=/path/to/espruino (8190, an Espruino WiFi's). Each shipped bundle
// (dist/, after `make build`) the Linux interpreter can run is flashed with the 64-key memory
// fixture (tools/build/memory-fixture.ts) in the worst configuration (scanner.maxLen 4096, no
// duplicate suppression, no repeat-visitor cache), boots, and decides a QG1 certificate, every
// published DIVOC sample and every worst unsigned input of test/util/worst-inputs.ts, one after the
// other, without running out: no interpreter error or assertion, no MEMORY error flag, the expected
// decision each time. The peak printed for each input is the largest process.memory().usage seen
// at every SHA-256 and SHA-512 call of the decision (the points where its working set is largest:
// the hashes of the N-Quads, the Ed25519 challenge), at every Error made (a refusal's, where its
// working set is largest: proto/error.ts makes them with Object.create) and at its decision event: a lower bound of the
// true peak; "did not run out on this store" is what the test asserts.
//
// Which bundle runs where: dist/gate.js (every feature; the bundle the boot budget is for) and
// dist/gate-linux.js (byte-identical to gate-esp32.js but for its board table: DIVOC, the
// JavaScript verifier; an ESP32 has up to 16,383 variables) on the 8,190 store, the smallest they
// must fit with margin. On the 5,100 store (a Pico's), the Linux build without DIVOC, which the
// test builds (no 5,100-variable board carries DIVOC: a DIVOC text is refused `unsupported` before
// it is decoded). dist/gate-pico.js (5,100) and dist/gate-wifi.js (8,190) call the native ARM
// verifier, which the x86 Linux interpreter cannot run: the JavaScript verifier, a lazy part with
// its tables, needs more RAM than the native one, so these runs bound them. Skipped, saying why,
// without the variables or without a build. No timing: each step waits for the gate's events.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memoryBootFiles } from '../../tools/build/memory-fixture';
import { CONFIG_FILE } from '../../firmware/boot';
import { worstInputs, worstWithin } from '../util/worst-inputs';
import { INDEX, sampleText } from '../util/divoc';
import { hostFiles, seedAndRun } from './interp';
import { buildBundle, boardFile, DEFAULT_ENTRY } from '../../tools/build/boards';
import { BoardFeatures } from '../../boards/types';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../fixtures/certs.json');

interface Input { name: string; text: string; /** RegExp source the decision line must match. */ want: string }

/** Every input, in the order fed: a QG1 certificate, the DIVOC samples, the worst unsigned inputs. */
function inputs(): Input[] {
  const out: Input[] = [];
  // A verified QG1 certificate (issuer.jwk is among the 64 keys; at today's clock it may be expired:
  // what matters is that the signature was checked).
  out.push({ name: 'qg1-ok', text: CERTS.certs.ok.text, want: '"format":"qg1"(?!.*"reason":"(malformed|unsupported|unknown-key|bad-signature)")' });
  for (const s of INDEX.samples) {
    const tampered = /tampered/.test(s.file);
    out.push({
      name: 'divoc-' + s.file.replace(/\.qr\.txt$/, ''),
      text: Buffer.from(sampleText(s.file), 'utf8').toString('latin1'),
      want: tampered ? '"reason":"bad-signature"' : '"format":"divoc"(?!.*"reason":"(malformed|unsupported|unknown-key|bad-signature)")',
    });
  }
  for (const w of worstInputs()) out.push({ name: w.name, text: w.text, want: `"decision":"${w.decision}".*"reason":"${w.reason}"` });
  // the worst within the Pico's own DIVOC bounds (boards/pico.ts features.divocMax)
  for (const w of worstWithin(boardFile('pico').features.divocMax!)) out.push({ name: w.name, text: w.text, want: `"decision":"${w.decision}".*"reason":"${w.reason}"` });
  // QG_STORES_ONLY=name,name... feeds only those inputs (to look at one).
  const only = process.env.QG_STORES_ONLY ? process.env.QG_STORES_ONLY.split(',') : null;
  return only ? out.filter((x) => only.indexOf(x.name) >= 0) : out;
}

/** The driver: hooks the hashes to sample memory, boots the gate from flash, feeds each input in turn. */
function driver(paths: string[]): string {
  // (The gate's top-level names are globals of the interpreter: the driver's are in one function,
  // but the hooks must be in place before the gate reads require('crypto').)
  return `
(function () {
var C = require('crypto'), o256 = C.SHA256, o512 = C.SHA512, PK = 0;
function samp() { var u = process.memory().usage; if (u > PK) PK = u; }
C.SHA256 = function (d) { samp(); return o256(d); };
C.SHA512 = function (d) { samp(); return o512(d); };
var OE = Error;
Error = function (m) { samp(); return new OE(m); };
Error.prototype = OE.prototype;
var OC = Object.create;
Object.create = function (p, d) { samp(); return OC(p, d); };
global.__qgPeak = function (reset) { samp(); var p = PK; if (reset) PK = 0; return p; };
})();
eval(require('Storage').read('.bootcde'));
(function () {
var P = ${JSON.stringify(paths)}, N = P.length, i = 0, last = '';
function input(k) { var f = E.openFile(P[k], 'r'), t = f.read(8192); f.close(); return t; }
var m = process.memory();
print('@boot ' + m.usage + ' ' + m.total + ' ' + __qgPeak(true));
m = undefined;
var log0 = console.log;
console.log = function (l) { if (String(l).indexOf('"ev":"decision"') >= 0) last = l; log0(l); };
function feed() {
  if (i >= N) { print('@done'); return; }
  __qgPeak(true);
  last = '';
  Serial1.emit('data', input(i));
  (function poll() { if (last === '') return setTimeout(poll, 20);
    print('@peak ' + i + ' ' + __qgPeak(true) + ' ' + process.memory().usage + ' ' + E.getErrorFlags().join(',') + ' ' + last);
    i++; setTimeout(feed, 50); })();
}
setTimeout(feed, 100);
})();
`;
}

/**
 * The runs: (store, bundle). `variant`: a bundle the test builds (from build/device, after `make
 * build`) into its work directory: the Linux board with some features changed.
 */
const RUNS: { env: string; vars: number; bundle: string; variant?: Partial<BoardFeatures>; armParts?: boolean }[] = [
  { env: 'ESPRUINO_5100', vars: 5100, bundle: 'gate-linux-pico.js', variant: picoOnLinux(), armParts: true },
  { env: 'ESPRUINO_8190', vars: 8190, bundle: 'gate.js' },
  { env: 'ESPRUINO_8190', vars: 8190, bundle: 'gate-linux.js' },
];

/**
 * The Pico's features on the Linux board (DIVOC included): the JavaScript verifier instead of the
 * native one (ARM code), and boot's checks in the core as on the ARM boards (armParts).
 */
function picoOnLinux(): Partial<BoardFeatures> {
  const f = boardFile('pico').features;
  return { divoc: f.divoc, divocMax: f.divocMax, wifi: f.wifi, lora: f.lora, crowd: f.crowd, scannerModule: f.scannerModule, door: f.door, native: false, jsVerify: true };
}

/** What a bundle without DIVOC answers to a DIVOC text (firmware/parse.ts: not built in). */
function wantFor(r: (typeof RUNS)[number], w: Input): string {
  return r.variant && !r.variant.divoc && /^B64:/.test(w.text) ? '"decision":"deny".*"reason":"unsupported"' : w.want;
}

describe('espruino: every bundle the Linux interpreter runs, on a board\'s fixed variable store', function () {
  this.timeout(90 * 60 * 1000);
  const list = inputs();
  const outs: { [k: string]: string } = {};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-stores-'));

  const runnable = RUNS.filter((r) => process.env[r.env]);
  before(async function () {
    if (!runnable.length) {
      console.log('      skipped: set ESPRUINO_5100 and/or ESPRUINO_8190 to Linux interpreters built with that many variables');
      this.skip();
    }
    const missing = runnable.filter((r) => !r.variant).map((r) => path.join(ROOT, 'dist', r.bundle))
      .concat(runnable.some((r) => r.variant) ? [DEFAULT_ENTRY] : []).filter((f) => !fs.existsSync(f));
    if (missing.length) {
      console.log(`      skipped: no ${missing.map((f) => path.relative(ROOT, f)).join(', ')} (make build)`);
      this.skip();
    }
    const boot = memoryBootFiles();
    const cfg = JSON.parse(Buffer.from(boot[CONFIG_FILE]).toString('utf8'));
    cfg.scanner = { maxLen: 4096, dedupMs: 0 };
    cfg.cache = { size: 0 };
    boot[CONFIG_FILE] = new Uint8Array(Buffer.from(JSON.stringify(cfg)));
    // (The inputs are host files the driver reads with E.openFile, not Storage files: gate.js and
    // its files leave the Linux build's 256 KB of Storage too little room for all of them. Their
    // paths are given relative to the run's folder, the interpreter's cwd: short strings.)
    const inputs: { [name: string]: Uint8Array } = {};
    list.forEach((w, k) => { inputs['i' + k] = new Uint8Array(Buffer.from(w.text + '\r', 'latin1')); });
    const paths = hostFiles(work, inputs).map((f) => f.path);
    const common = hostFiles(work, boot);
    // The runs go side by side (each waits on the interpreter, mostly on its emulated flash).
    await Promise.all(runnable.map(async (r) => {
      const bin = path.resolve(process.env[r.env] as string);
      assert.ok(fs.existsSync(bin), `${r.env}=${bin} does not exist`);
      const dir = path.join(work, `run-${r.vars}-${r.bundle}`);
      fs.mkdirSync(dir, { recursive: true });
      let bundle = path.join(ROOT, 'dist', r.bundle);
      if (r.variant) {
        bundle = path.join(dir, r.bundle);
        await buildBundle('linux', { out: bundle, features: r.variant, armParts: r.armParts });
      }
      const files = [{ name: '.bootcde', path: bundle }].concat(common);
      outs[r.env + r.bundle] = await seedAndRun(bin, dir, files, driver(paths.map((f) => path.relative(dir, f))),
        /@done|OUT OF MEMORY|ASSERT|Uncaught/, 80 * 60 * 1000, 300000);
      // QG_STORES_OUT=dir keeps each run's console output (dir/<vars>-<bundle>.log).
      if (process.env.QG_STORES_OUT) fs.writeFileSync(path.join(process.env.QG_STORES_OUT, `${r.vars}-${r.bundle}.log`), outs[r.env + r.bundle]);
    }));
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const r of RUNS) {
    const label = `${r.bundle} on ${r.vars} variables`;
    const out = () => {
      const o = outs[r.env + r.bundle];
      if (o === undefined) return null;
      return o;
    };
    // (The boot budget itself is test/espruino/memory.test.ts's: this driver's hooks cost ~150 more.)
    it(`${label}: boots with 64 keys`, function () {
      const o = out();
      if (o === null) { console.log(`      skipped: set ${r.env}`); return this.skip(); }
      const m = /@boot (\d+) (\d+) (\d+)/.exec(o);
      assert.ok(m, 'no @boot line:\n' + o.slice(-3000));
      assert.equal(+m[2], r.vars, `${r.env} is not a ${r.vars}-variable build`);
      console.log(`      ${label}: ${m[1]} variables after boot with this driver (boot's own peak at least ${m[3]})`);
      assert.ok(/"ev":"ready"[^\n]*"fault":""/.test(o), 'the gate booted with a fault:\n' + o.slice(-3000));
    });
    it(`${label}: decides every input without running out (${list.length} inputs)`, function () {
      const o = out();
      if (o === null) return this.skip();
      const bad = /OUT OF MEMORY|ASSERT[^\n]*|Uncaught[^\n]*/.exec(o);
      const rows: string[] = [];
      list.forEach((w, k) => {
        const m = new RegExp('@peak ' + k + ' (\\d+) (\\d+) ([^ ]*) ([^\\n]*)').exec(o);
        if (!m) return;
        rows.push(`${w.name}: peak >= ${m[1]} of ${r.vars}${m[3] ? ' flags ' + m[3] : ''}`);
      });
      console.log(rows.map((x) => '        ' + x).join('\n'));
      assert.ok(!bad, `interpreter error after ${rows.length} of ${list.length} inputs: ${bad && bad[0]}\n` + o.slice(-3000));
      list.forEach((w, k) => {
        const m = new RegExp('@peak ' + k + ' (\\d+) (\\d+) ([^ ]*) ([^\\n]*)').exec(o);
        assert.ok(m, `${w.name}: no decision:\n` + o.slice(-3000));
        assert.ok(!/MEMORY/.test(m[3]), `${w.name}: error flags ${m[3]}`);
        assert.ok(new RegExp(wantFor(r, w)).test(m[4]), `${w.name}: ${m[4]}`);
        assert.ok(+m[1] < r.vars, `${w.name}: peak ${m[1]}`);
      });
    });
  }
});
