// The gate's decision code on the REAL Espruino interpreter (ESPRUINO=/path/to/espruino, a Linux
// build): firmware/conformance-entry.ts, bundled like dist/gate.js, decides every certificate of
// test/fixtures/certs.json and the published DIVOC samples from Storage, and every decision, reason,
// format, kid and cti must be what the fixtures give and what the same code gives in Node.
// ESPRUINO_CASES=N limits the run to N cases (every reason first), for slow builds; default: all.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { REPO, toHex } from '../util/shared';
import { fixtures, configOf, trustOf } from '../firmware/fixtures';
import { decide, Decision } from '../../firmware/decide';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';
import { INDEX, sampleText, rearrangedCases, divocTrustBytes } from '../util/divoc';
import { acceptTrustBundle } from '../../firmware/trustcheck';
import { seedScript } from './interp';

const FX = path.join(REPO, 'test', 'fixtures');
const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to run on the real interpreter';

interface Case {
  name: string;
  config: string;
  trust: string;
  clock: number | null;
  /** The scanned text as bytes (UTF-8 of the fixture text). */
  bytes: Buffer;
  decision: string;
  reason: string;
  /** What the same code gives in Node. */
  node: Decision;
}

interface Result { decision: string; reason: string; format: string; kid: string; cti: string; ms: number }

function nodeDecide(cfgFile: string, trustFile: string, clock: number | null, bytes: Buffer): Decision {
  const cfg = configOf(cfgFile);
  const own = path.isAbsolute(trustFile) ? acceptTrustBundle(new Uint8Array(fs.readFileSync(trustFile)), cfg.rootKeys, -1, verify).bundle : null;
  const trust = own || trustOf(trustFile, cfg);
  return decide(bytes.toString('latin1'), { now: clock, trust, policy: cfg.policy, verify: (p, m, s) => verify(p, m, s), sha256 });
}

/** DIVOC values moved between fields that share a predicate, and offset dose dates (issue 17), under a trust bundle in `work`. */
async function divocCases(work: string): Promise<Case[]> {
  const trust = path.join(work, 'divoc-trust.bin');
  fs.writeFileSync(trust, divocTrustBytes(['100000001']));
  return (await rearrangedCases()).map((c) => {
    const clock = Math.floor(Date.parse(c.clock) / 1000);
    const bytes = Buffer.from(c.text, 'utf8');
    return { name: c.name, config: fixtures.config, trust, clock, bytes, decision: c.decision, reason: c.reason,
      node: nodeDecide(fixtures.config, trust, clock, bytes) };
  });
}

function allCases(extra: Case[] = []): Case[] {
  const out: Case[] = [];
  const defClock = Math.floor(Date.parse(fixtures.clock) / 1000);
  for (const name of Object.keys(fixtures.certs)) {
    const c = fixtures.certs[name];
    const config = c.config || fixtures.config;
    const trust = c.trust || fixtures.trust;
    const clock = c.clock === null ? null : c.clock ? Math.floor(Date.parse(c.clock) / 1000) : defClock;
    const bytes = Buffer.from(c.text, 'utf8');
    out.push({ name, config, trust, clock, bytes, decision: c.decision, reason: c.reason, node: nodeDecide(config, trust, clock, bytes) });
  }
  // The published DIVOC samples (their expectation is the Node decision, checked against index.json).
  for (const s of INDEX.samples) {
    const bytes = Buffer.from(sampleText(s.file), 'utf8');
    const d = nodeDecide(fixtures.config, fixtures.trust, defClock, bytes);
    if (s.file === 'tampered-dose') assert.equal(d.reason, 'bad-signature');
    else assert.notEqual(d.reason, 'bad-signature', s.file);
    out.push({ name: 'sample-' + s.file, config: fixtures.config, trust: fixtures.trust, clock: defClock, bytes,
      decision: d.decision, reason: d.reason, node: d });
  }
  return out.concat(extra);
}

/** At most `n` cases, one of each reason first, in fixture order otherwise. */
function limit(cases: Case[], n: number): Case[] {
  if (!(n > 0) || n >= cases.length) return cases;
  const pick: Case[] = [];
  const seen = new Set<string>();
  for (const c of cases) if (!seen.has(c.reason)) { seen.add(c.reason); pick.push(c); }
  for (const c of cases) if (pick.indexOf(c) < 0) pick.push(c);
  const chosen = new Set(pick.slice(0, n));
  return cases.filter((c) => chosen.has(c));
}

/**
 * tsc with tsconfig.device.json's options on the entry and what it imports only (own outDir, so
 * that concurrent `make build-device` runs are not disturbed), then tools/build/bundle.js.
 */
function buildBundle(dir: string): string {
  const out = path.join(dir, 'tsc');
  const cfg = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(cfg, JSON.stringify({
    extends: path.join(REPO, 'tsconfig.device.json'),
    compilerOptions: { outDir: out, rootDir: REPO },
    files: [path.join(REPO, 'firmware/conformance-entry.ts')],
    include: [],
  }));
  const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', cfg],
    { cwd: REPO, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error('tsc: ' + tsc.stdout + tsc.stderr);
  const js = path.join(dir, 'conformance.js');
  const b = spawnSync(process.execPath, [path.join(REPO, 'tools/build/bundle.js'), path.join(out, 'firmware/conformance-entry.js'), js],
    { cwd: REPO, encoding: 'utf8' });
  if (b.status !== 0) throw new Error('bundle: ' + b.stdout + b.stderr);
  return js;
}

/** Run a script in the interpreter, cwd `dir` (its Storage is dir/espruino.flash); resolves with stdout. */
function runEspruino(bin: string, dir: string, script: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // stdin: an idle pipe (at EOF the console would flood with junk bytes)
    const child = spawn(bin, [script], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { out += '\n@timeout\n'; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out: out.replace(/\r/g, '').replace(/>?\x1b\[J/g, '') }); });
  });
}


function parseResults(out: string): Map<string, Result> {
  const res = new Map<string, Result>();
  for (const line of out.split('\n')) {
    const at = line.indexOf('@case ');
    if (at < 0) continue;
    const f = line.substring(at).trim().split(' ');
    res.set(f[1], { decision: f[2], reason: f[3], format: f[4], kid: f[5], cti: f[6], ms: +f[7] });
  }
  return res;
}

describe('espruino: the decision code on the real interpreter agrees with Node', function () {
  this.timeout(30 * 60 * 1000);
  const bin = process.env.ESPRUINO ? path.resolve(process.env.ESPRUINO) : '';
  let work = '';
  let bundle = '';

  before(function () {
    if (!bin) {
      console.log(SKIP_MSG);
      this.skip();
    }
    assert.ok(fs.existsSync(bin), `ESPRUINO=${bin} does not exist`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-conformance-'));
    bundle = buildBundle(work);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('every fixture certificate and DIVOC sample: same decision, reason, format, kid and cti', async () => {
    const cases = limit(allCases(await divocCases(work)), parseInt(process.env.ESPRUINO_CASES || '0', 10));
    // One interpreter run per configuration and trust bundle.
    const groups = new Map<string, Case[]>();
    for (const c of cases) {
      const k = c.config + '|' + c.trust;
      if (!groups.has(k)) groups.set(k, []);
      (groups.get(k) as Case[]).push(c);
    }
    const problems: string[] = [];
    let n = 0;
    let total = 0;
    let slowest = 0;
    const started = Date.now();
    let g = 0;
    for (const [key, list] of groups) {
      const [cfgFile, trustFile] = key.split('|');
      const dir = path.join(work, 'run' + g++);
      fs.mkdirSync(dir);
      const casesFile = path.join(dir, 'cases.txt');
      fs.writeFileSync(casesFile, list.map((c) => `${c.name} ${c.clock === null ? '-' : c.clock} ${c.bytes.toString('hex')}\n`).join(''));
      fs.writeFileSync(path.join(dir, 'seed.js'), seedScript([
        { name: 'qg.cfg', path: path.join(FX, cfgFile) },
        { name: 'qg.trust', path: path.resolve(FX, trustFile) },
        { name: 'qg.cases', path: casesFile },
      ]));
      const seed = await runEspruino(bin, dir, 'seed.js', 120000);
      assert.equal((seed.out.match(/@seeded /g) || []).length, 3, 'seeding Storage: ' + seed.out.slice(-2000));
      const run = await runEspruino(bin, dir, bundle, 25 * 60 * 1000);
      const res = parseResults(run.out);
      assert.ok(/@done \d+/.test(run.out), `${key}: the bundle did not finish:\n${run.out.slice(-3000)}`);
      assert.ok(!/Uncaught|ERROR|OUT OF MEMORY/.test(run.out), `${key}: interpreter errors:\n${run.out.slice(-3000)}`);
      for (const c of list) {
        const r = res.get(c.name);
        if (!r) { problems.push(`${c.name}: no result`); continue; }
        n++;
        total += r.ms;
        if (r.ms > slowest) slowest = r.ms;
        const want = { decision: c.decision, reason: c.reason, format: c.node.format || '-',
          kid: c.node.kid && c.node.kid.length ? toHex(c.node.kid) : '-', cti: c.node.cti && c.node.cti.length ? toHex(c.node.cti) : '-' };
        // Node itself must agree with the fixture (else the comparison below would be moot).
        if (c.node.decision !== c.decision || c.node.reason !== c.reason) problems.push(`${c.name}: Node gives ${c.node.decision}/${c.node.reason}`);
        const f = fixtures.certs[c.name];
        if (f && f.kidHex && want.kid !== '-') assert.equal(want.kid, f.kidHex, c.name);
        if (f && f.ctiHex && want.cti !== '-') assert.equal(want.cti, f.ctiHex, c.name);
        const got = { decision: r.decision, reason: r.reason, format: r.format, kid: r.kid, cti: r.cti };
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${c.name}: Espruino ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
    }
    console.log(`      espruino: ${n}/${cases.length} cases ran in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(decide total ${(total / 1000).toFixed(1)} s, slowest ${slowest} ms)`);
    assert.deepEqual(problems, []);
    assert.equal(n, cases.length);
  });
});
