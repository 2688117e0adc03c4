// Every per-board bundle the Linux interpreter can run, on the REAL interpreter (ESPRUINO=...; see
// realboard.ts), as a technician would put it there: the BUILT command (`node bin/qrgate.js flash
// --bundle dist/<file> --port tcp://...`, after `make build`) writes it with the fixture
// configuration and trust bundle and waits for the firmware's ready line; then the fixture
// certificates are fed to the firmware's scanner UART from the console (`Serial1.emit('data', ...)`:
// on the Linux build the scanner is Serial1, firmware/boards.ts) and every decision must be the one
// the simulator gives with the same bundle at the same clock (the Linux build's clock cannot be set:
// both run at the board's time).
//
// Cases: one certificate of each fixture reason and one DIVOC sample by default (a gate from flash
// is slow on the Linux build: every function call reads its code from the emulated flash file);
// QG_REAL_CASES=all runs every certificate that uses the default configuration and trust bundle and
// every published DIVOC sample (the list test/real/conformance.test.ts runs), QG_REAL_CASES=N
// the first N of that order. Bundles that are byte-identical (gate-linux.js and gate-esp32.js) are
// flashed once. Skipped, saying why, without ESPRUINO or without a build.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { spawn } from 'child_process';
import { EspruinoClient } from '../../tools/board/client';
import { consolePasswordOf } from '../../tools/board/unlock';
import { pickDecision, simDecisions } from '../util/simdecide';
import { INDEX, sampleText } from '../util/divoc';
import { realBoardUnavailable, startRealBoard, RealBoard } from '../util/realboard';

const ROOT = path.resolve(__dirname, '..', '..');
const FX = path.join(ROOT, 'test', 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../fixtures/certs.json');
const BUNDLES = ['gate-linux.js', 'gate-esp32.js', 'gate.js'];
const CONFIG = path.join(FX, CERTS.config);
const TRUST = path.join(FX, CERTS.trust);
/** Boot from flash on a loaded machine took minutes (see the header). */
const READY_S = 1800;
const DECISION_MS = 20 * 60 * 1000;

interface Case { name: string; reason: string; text: string }

/** Every case with the default configuration and trust bundle: the certificates, then the DIVOC samples. */
function allCases(): Case[] {
  const out: Case[] = [];
  for (const name of Object.keys(CERTS.certs)) {
    const c = CERTS.certs[name];
    if (c.config || c.trust || c.clock !== undefined) continue;
    out.push({ name, reason: c.reason, text: Buffer.from(c.text, 'utf8').toString('latin1') });
  }
  for (const s of INDEX.samples) out.push({ name: 'sample-' + s.file, reason: 'divoc', text: Buffer.from(sampleText(s.file), 'utf8').toString('latin1') });
  return out;
}

/** The cases to run (see the header). */
function chosenCases(): Case[] {
  const all = allCases();
  const want = process.env.QG_REAL_CASES || '';
  if (want === 'all') return all;
  const byReason: Case[] = [];
  const seen = new Set<string>();
  for (const c of all) if (!seen.has(c.reason)) { seen.add(c.reason); byReason.push(c); }
  const n = parseInt(want, 10);
  if (n > 0) return byReason.concat(all.filter((c) => byReason.indexOf(c) < 0)).slice(0, n);
  return byReason;
}

/** Runs the BUILT qrgate command; resolves with its exit code and output. */
function qrgate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'bin', 'qrgate.js')].concat(args), { cwd: ROOT });
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code) => resolve({ code: code === null ? -1 : code, out, err }));
  });
}

describe('every Linux-runnable bundle, flashed by the built qrgate on the real interpreter, decides as the simulator (ESPRUINO)', function () {
  this.timeout(4 * 60 * 60 * 1000);
  const cases = chosenCases();
  const done = new Map<string, string>(); // sha256 -> bundle already run
  let compared = 0;
  const t0 = Date.now();

  before(function () {
    const why = realBoardUnavailable();
    const missing = [path.join(ROOT, 'build', 'host', 'tools', 'qrgate.js')].concat(BUNDLES.map((b) => path.join(ROOT, 'dist', b)))
      .filter((f) => !fs.existsSync(f));
    if (why || missing.length) {
      console.log(`      skipped: ${why || `no ${missing.map((f) => path.relative(ROOT, f)).join(', ')} (make build)`}`);
      this.skip();
    }
  });

  after(() => {
    if (compared) console.log(`      ${compared} decisions compared with the simulator's in ${Math.round((Date.now() - t0) / 1000)} s`);
  });

  for (const b of BUNDLES) {
    it(`dist/${b}: boots, and decides ${cases.length} scans as the simulator does`, async function () {
      const file = path.join(ROOT, 'dist', b);
      const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      if (done.has(sha)) {
        console.log(`      (byte-identical to dist/${done.get(sha)}, run above)`);
        return;
      }
      let rb: RealBoard | undefined;
      let client: EspruinoClient | undefined;
      try {
        rb = await startRealBoard();
        const port = `tcp://127.0.0.1:${rb.port}`;
        const started = Date.now();
        const f = await qrgate(['flash', '--port', port, '--config', CONFIG, '--trust', TRUST, '--bundle', file,
          '--ready-timeout', String(READY_S), '--quiet']);
        assert.equal(f.code, 0, `qrgate flash exited ${f.code}: ${f.err.slice(-1500)}`);
        const res = JSON.parse(f.out.trim().split('\n').pop() as string);
        assert.equal(res.gateId, JSON.parse(fs.readFileSync(CONFIG, 'utf8')).gateId);
        console.log(`      dist/${b}: flashed and ready in ${Math.round((Date.now() - started) / 1000)} s`);

        // The gate locks its console (README "Security: the consoles"): the site's password opens it.
        client = await EspruinoClient.open(port, { passwords: [consolePasswordOf(new Uint8Array(fs.readFileSync(CONFIG)))] });
        await client.sync(10000);
        const clock = Number(await client.eval('getTime()', 60000));
        const real: any[] = [];
        const lines: string[] = [];
        client.onLine((l) => { if (/Uncaught|@qg \{"ev":"fault"/.test(l)) lines.push(l); });
        for (const c of cases) {
          const from = client.events.length;
          await client.eval(`(Serial1.emit('data',${JSON.stringify(c.text + '\r')}),1)`, 60000);
          const ev = await client.waitEvent((e) => e.ev === 'decision', from, DECISION_MS, `no decision for ${c.name}`);
          real.push(pickDecision(ev));
        }
        assert.deepEqual(lines, [], 'the board printed errors');
        const sim = await simDecisions({ board: 'linux', bundle: file, clock, config: CONFIG, trust: TRUST, texts: cases.map((c) => c.text) });
        assert.equal(sim.length, cases.length, 'the simulator decided every scan');
        for (let i = 0; i < cases.length; i++) assert.deepEqual(real[i], sim[i], `${b}: ${cases[i].name}`);
        compared += cases.length;
        done.set(sha, b);
      } finally {
        if (client) await client.close().catch(() => undefined);
        if (rb) await rb.stop();
      }
    });
  }
});
