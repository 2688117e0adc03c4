// The ARM boards' own firmware on their real variable stores (issue 12 item 5): Espruino's Linux
// interpreter built for ARM (Thumb-2, 32-bit: a board's variable layout) with a board's fixed store,
// run under qemu-arm: ESPRUINO_ARM_8190 (an Espruino WiFi's store), ESPRUINO_ARM_5100 (a Pico's),
// ESPRUINO_ARM_2756 (an Original's), ESPRUINO_ARM_2950 (an MDBT42Q's): tools/espruino/build.sh's
// variants arm8190, arm5100, arm2756, arm2950. Their store is in executable memory and their
// Storage memory-mapped, so E.nativeCall runs the gate's Thumb-2 code where the firmware finds
// it, as on a board: the native verifier (qg.ed25519, written as `qrgate flash` writes it) and,
// on the boards with DIVOC, the native inflate (qg.inflate, the same) and on the WiFi DIVOC's
// context table as data (qg.divoc, inflated natively while a DIVOC text is decided).
//
// For each ARM board (boards/<name>.ts: its `vars`, its features), a bundle with that board's
// features built for the Linux build's pins (the interpreter has no B3 ...) with `arm: true` in its
// profile, flashed with the 64-key memory fixture in the worst configuration (test/real/storerun.ts:
// the driver and assertions shared with test/real/stores.test.ts), boots and decides a QG1
// certificate, every published DIVOC sample (a board without DIVOC: `unsupported`) and every worst
// unsigned input (the Pico: also the worst within its own DIVOC bounds), without running out, each
// decision the expected one and the one the simulator gives with the board's shipped bundle
// (dist/gate-<name>.js, laid out as `qrgate flash` lays it out, native code emulated) at the same
// clock. A board whose firmware does not fit Storage whole runs it split as `qrgate flash` splits
// it (its image's head read in place, then the tail: storerun.ts imageRoom). The driver counts
// the native calls: each certificate must have gone through the native
// verifier (and on the Pico each DIVOC sample through the native inflate). The crypto functions a
// board's Espruino lacks (its board file's nativeSha256/nativeSha512) are removed first, so the
// firmware uses its JavaScript ones as on the board.
//
// On the Pico also the fixture certificates, one per reason, and the DIVOC samples against the
// fixture trust bundle (test/fixtures/trust.bin), compared with the simulator's decisions
// (QG_ARM_COMPARE=all: on every ARM board). QG_STORES_ONLY=name,... feeds only those inputs.
// Skipped, saying why, without the variables, qemu-arm or a build (`make build`).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { worstInputs, worstWithin } from '../util/worst-inputs';
import { INDEX, sampleText } from '../util/divoc';
import { simDecisions, pickDecision } from '../util/simdecide';
import { buildBundle, boardFile, DEFAULT_ENTRY } from '../../tools/build/boards';
import { codeFiles } from '../../tools/flashfiles';
import { Board, profileOf } from '../../boards/types';
import { CONFIG_FILE, TRUST_FILE } from '../../firmware/boot';
import { runEspruino } from './interp';
import { fixtureInputs, flashBudget } from '../../tools/flashbudget';
import { chosen, decisionOf, divocInputs, Input, qg1Input, Row, RunResult, runStore, storeSuite, StoreRun, worstAsInputs, worstMemoryFiles } from './storerun';

const ROOT = path.resolve(__dirname, '..', '..');
const FX = path.join(ROOT, 'test', 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../fixtures/certs.json');
const ARM_BOARDS = ['wifi', 'pico', 'original', 'mdbt42q'];
const ANY_DECISION = '"ev":"decision"';

/** The board's features on the Linux build's pins, its profile an ARM one (the native code runs). */
function bundleFor(b: Board): (dir: string) => Promise<string> {
  return async (dir) => {
    const out = path.join(dir, `gate-${b.name}-on-linux.js`);
    await buildBundle('linux', { out, features: b.features, profile: { arm: true, vars: b.vars, reserve: profileOf(b).reserve, nativeSha256: b.nativeSha256 } });
    return out;
  };
}

/**
 * What tools/espruino/build.sh's armN builds do that the ARM Linux build did not: Storage read in
 * place (a string with an address, where E.nativeCall can run code) and built-ins given their
 * arguments (setTimeout's extra ones: garbage without -DUSE_X86_CDECL). '' when both hold.
 */
async function armBuildProblem(bin: string, dir: string): Promise<string> {
  fs.writeFileSync(path.join(dir, 'check.js'), "var S=require('Storage');S.write('qg.x','\x01\x30\x70\x47');" +
    "var a=E.getAddressOf(S.read('qg.x'),true);print('@map '+a+' '+(a?E.nativeCall(a+1,'int(int)')(5):0));" +
    "setTimeout(function(x,y){print('@args '+x+' '+y);},0,7,8);");
  const out = await runEspruino(['qemu-arm', bin], dir, 'check.js', /@args [^\n]*\n/, 30000);
  const m = /@map (\d+) (\d+)/.exec(out);
  const why: string[] = [];
  if (!m || m[1] === '0' || m[2] !== '6') why.push('Storage is not memory-mapped, or E.nativeCall cannot run code read from it');
  if (!/@args 7 8/.test(out)) why.push('setTimeout passes garbage arguments (built without -DUSE_X86_CDECL)');
  return why.length ? why.join('; ') + ': an older build, rebuild it with tools/espruino/build.sh (variant armN)' : '';
}

/** A run of board `b`'s firmware on its own store. */
function armRun(b: Board, key: string, label: string, inputs: Input[], files: { [name: string]: Uint8Array }): StoreRun {
  return {
    key, label: `${b.name}'s firmware on ${b.vars} variables (ARM), ${label}`, env: `ESPRUINO_ARM_${b.vars}`, vars: b.vars, qemu: true,
    inputs: chosen(inputs), files: Object.assign(codeFiles(b.name), files),
    needs: [DEFAULT_ENTRY, path.join(ROOT, 'dist', `gate-${b.name}.js`)],
    bundle: bundleFor(b),
    driver: { native: true, hide: (b.nativeSha256 ? [] : ['SHA256']).concat(b.nativeSha512 ? [] : ['SHA512']) },
    precheck: armBuildProblem,
    imageRoom: imageRoomOf(b),
  };
}

/** The room the board's image leaves its firmware (its shipped bundle's plan), or undefined: no image. */
function imageRoomOf(b: Board): number | undefined {
  if (!fs.existsSync(path.join(ROOT, 'dist', `gate-${b.name}.js`))) return undefined;
  const im = flashBudget(b.name, fixtureInputs()).plan.image;
  return im ? im.area.addr + im.area.length - im.code.addr : undefined;
}

/** The memory run: 64 keys, the worst configuration, the worst inputs within the board's bounds. */
function memoryRun(b: Board): StoreRun {
  const divoc = b.features.divoc;
  const inputs = [qg1Input()].concat(divocInputs(divoc), worstAsInputs(worstInputs(), divoc),
    b.features.divocMax ? worstAsInputs(worstWithin(b.features.divocMax), divoc) : []);
  // only the files the board's flash holds (no verifier tables: the native verifier has its own)
  return armRun(b, b.name, '64 keys', inputs, worstMemoryFiles([CONFIG_FILE, TRUST_FILE]));
}

/** The fixture certificates, one per reason, then the DIVOC samples, against the fixture trust bundle. */
function certsRun(b: Board): StoreRun {
  const inputs: Input[] = [];
  const seen: { [reason: string]: boolean } = {};
  for (const name of Object.keys(CERTS.certs)) {
    const c = CERTS.certs[name];
    if (c.config || c.trust || c.clock !== undefined || seen[c.reason]) continue;
    seen[c.reason] = true;
    inputs.push({ name, text: Buffer.from(c.text, 'utf8').toString('latin1'), want: ANY_DECISION });
  }
  for (const s of INDEX.samples) inputs.push({ name: 'divoc-' + s.file, text: Buffer.from(sampleText(s.file), 'utf8').toString('latin1'), want: ANY_DECISION });
  return armRun(b, b.name + '-certs', 'fixture trust bundle', inputs, {
    [CONFIG_FILE]: new Uint8Array(fs.readFileSync(path.join(FX, CERTS.config))),
    [TRUST_FILE]: new Uint8Array(fs.readFileSync(path.join(FX, CERTS.trust))),
  });
}

/** The verified QG1 fixture certificates (each different) that fill a 16-entry cache. */
const CACHE_FILL = ['ok', 'ok-untagged', 'ok-booster', 'ok-minimal', 'ok-test', 'ok-recovery', 'ok-14-days', 'ok-at-nbf',
  'ok-nbf-past', 'ok-unknown-claims', 'ok-512', 'policy', 'policy-exemption', 'policy-unknown-kind', 'policy-too-recent', 'policy-test-old'];

/**
 * A board with a memory reserve (boards/<name>.ts memReserve) with its repeat-visitor cache full:
 * the fixture configuration with cache.size 16 (its default) and the worst scanner settings, 16
 * different verified QG1 certificates, a repeat (a hit), then every DIVOC sample (each right after
 * itself: a hit), the worst texts within its DIVOC bounds, and QG1 again twice (verified, then a
 * hit): the cache gives entries back before each decision that needs the memory (firmware/gate.ts).
 */
function cacheRun(b: Board): StoreRun {
  const cert = (name: string): Input => ({ name, text: Buffer.from(CERTS.certs[name].text, 'utf8').toString('latin1'), want: ANY_DECISION });
  const inputs: Input[] = CACHE_FILL.map(cert).concat([cert('ok')]);
  for (const d of divocInputs(true)) inputs.push(d, Object.assign({}, d, { name: d.name + '-again', want: ANY_DECISION }));
  const within = (b.features.divocMax ? worstAsInputs(worstWithin(b.features.divocMax), true) : []).map((w) => Object.assign(w, { want: ANY_DECISION }));
  const cfg = JSON.parse(fs.readFileSync(path.join(FX, CERTS.config), 'utf8'));
  cfg.scanner = Object.assign({}, cfg.scanner, { maxLen: 4096, dedupMs: 0 });
  cfg.cache = { size: 16 };
  return armRun(b, b.name + '-cache', 'repeat-visitor cache full (16 entries)', inputs.concat(within, [cert('ok-booster'), cert('ok-booster')]), {
    [CONFIG_FILE]: new Uint8Array(Buffer.from(JSON.stringify(cfg))),
    [TRUST_FILE]: new Uint8Array(fs.readFileSync(path.join(FX, CERTS.trust))),
  });
}

const boards = ARM_BOARDS.map(boardFile);
const compareAll = process.env.QG_ARM_COMPARE === 'all';
const runs = boards.map(memoryRun).concat(boards.filter((b) => compareAll || b.name === 'pico').map(certsRun),
  boards.filter((b) => b.memReserve).map(cacheRun),
  // (the WiFi's firmware pretokenised, as flash writes it where the text does not fit)
  boards.filter((b) => b.name === 'wifi').map((b) => Object.assign(memoryRun(b), { key: 'wifi-tokenised', tokenise: true,
    label: `${b.name}'s firmware on ${b.vars} variables (ARM), 64 keys, pretokenised` })));

/** The Storage files of a run as the simulator takes them: the configuration (object) and the trust bundle (a file). */
function simFiles(r: StoreRun, dir: string): { config: object; trust: string } {
  const trust = path.join(dir, r.key + '.trust');
  fs.writeFileSync(trust, r.files[TRUST_FILE]);
  return { config: JSON.parse(Buffer.from(r.files[CONFIG_FILE]).toString('utf8')), trust };
}

storeSuite({
  title: 'espruino (ARM, qemu-arm): each ARM board\'s firmware, native code included, on its own variable store',
  unset: 'set ESPRUINO_ARM_8190, ESPRUINO_ARM_5100, ESPRUINO_ARM_2756 and/or ESPRUINO_ARM_2950 to ARM Linux interpreters ' +
    'built with that many variables (tools/espruino/build.sh variants arm8190 arm5100 arm2756 arm2950)',
  // (qemu-arm is single-threaded: one run per core)
  parallel: Math.max(1, Math.min(2, os.cpus().length)),
  runs,
  more: (r: StoreRun, res: () => RunResult | undefined) => {
    const b = boardFile(r.key.replace(/-(certs|cache|tokenised)$/, ''));
    it(`${r.label}: every certificate checked by the native verifier${b.features.divoc ? ', every DIVOC text inflated natively' : ''}`, function () {
      const x = res();
      if (!x || !x.boot) return this.skip();
      assert.ok(x.boot.verifierCalls >= 1, 'the boot self-test did not call the native verifier');
      if (b.features.divoc) assert.ok(x.boot.inflateCalls >= 1, 'the boot self-test did not call the native inflate');
      else assert.equal(x.boot.inflateCalls, 0, 'a board without DIVOC loaded the native inflate');
      let v = x.boot.verifierCalls, n = x.boot.inflateCalls;
      for (const w of x.rows) {
        if (!w) continue;
        const ev = decisionOf(w);
        const dv = w.verifierCalls - v, dn = w.inflateCalls - n;
        v = w.verifierCalls;
        n = w.inflateCalls;
        // a signature was checked (firmware/decide.ts: every reason after unknown-key; not a
        // repeat visitor's): the native verifier ran
        if (/^(ok|policy|expired|not-yet-valid|revoked|bad-signature|key-expired|stale-trust)$/.test(ev.reason) && !ev.cached) {
          assert.ok(dv >= 1, `${w.input.name}: decided ${ev.decision}/${ev.reason} without a native verifier call`);
        }
        if (b.features.divoc && /^divoc-/.test(w.input.name) && !ev.cached) assert.ok(dn >= 1, `${w.input.name}: not inflated natively`);
      }
      console.log(`      ${r.label}: native verifier calls ${x.boot.verifierCalls} at boot, ${v - x.boot.verifierCalls} deciding; ` +
        `native inflate ${x.boot.inflateCalls} at boot, ${n - x.boot.inflateCalls} deciding`);
    });
    it(`${r.label}: decides as the simulator with dist/gate-${b.name}.js`, async function () {
      const x = res();
      if (!x || !x.boot) return this.skip();
      const rows = x.rows.filter((w) => w) as Row[];
      assert.equal(rows.length, r.inputs.length, 'not every input was decided (see above)');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-armsim-'));
      try {
        // (Storage as large as the Linux build's: the 64-key trust bundle and the journal do not fit
        // the WiFi's 64 KB with its firmware; the decisions do not depend on where the files lie.)
        const sim = await simDecisions(Object.assign({ board: b.name, bundle: path.join(ROOT, 'dist', `gate-${b.name}.js`), clock: x.boot.clock,
          texts: r.inputs.map((w) => w.text), flashBytes: 256 * 1024 }, simFiles(r, dir)));
        assert.equal(sim.length, rows.length, 'the simulator decided every scan');
        rows.forEach((w, k) => assert.deepEqual(pickDecision(decisionOf(w)), sim[k], w.input.name));
        console.log(`      ${r.label}: ${rows.length} decisions equal the simulator's: ` +
          rows.map((w) => `${w.input.name} ${decisionOf(w).decision || 'drop'}/${decisionOf(w).reason || decisionOf(w).why || ''}`).join(', '));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  },
});

describe('espruino (ARM, qemu-arm): the loader refuses a damaged image', function () {
  this.timeout(180000);
  it('the WiFi firmware flashed split with one bit of its image flipped: the loader throws before anything runs', async function () {
    const bin = process.env.ESPRUINO_ARM_8190;
    if (!bin || !fs.existsSync(bin)) { console.log('      skipped: set ESPRUINO_ARM_8190'); return this.skip(); }
    const wifi = boardFile('wifi');
    const run: StoreRun = Object.assign(memoryRun(wifi), { key: 'wifi-damaged', inputs: [], damage: 100 });
    if (run.imageRoom === undefined || !run.needs.every((f) => fs.existsSync(f))) { console.log('      skipped: make build'); return this.skip(); }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-damaged-'));
    try {
      const wrong = await armBuildProblem(bin, fs.mkdtempSync(path.join(work, 'check-')));
      if (wrong) { console.log(`      skipped: ${wrong}`); return this.skip(); }
      const res = await runStore(run, bin, work);
      assert.match(res.out, /@thrown qg: the firmware image at 0x[0-9a-f]+ is damaged: run qrgate flash/, res.out.slice(-2000));
      assert.ok(!/"ev":"ready"/.test(res.out) && !res.boot, 'the gate ran:\n' + res.out.slice(-2000));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
