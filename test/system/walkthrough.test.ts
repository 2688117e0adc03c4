// README.md's walkthrough runs as written: its fenced `sh` block is run by bash (-e -o pipefail) in an
// empty folder, with `qrgate` on the PATH being the built command (bin/qrgate.js after make build),
// and what it printed is checked. The only change made to the block: its two TCP ports (8700 for
// the collector, 2424 for the simulated board) become free ones, so that runs never collide.
// Adding a command to the walkthrough needs nothing here: every line of the block runs, and a
// command that fails fails the test (checks of a new command's output can be added below).
import { freePort } from '../../tools/collector/pglocal';
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../util/shared';

const README = path.join(REPO, 'README.md');

/** The first ```sh block after the heading that starts with `heading`. */
export function shBlockAfter(markdown: string, heading: string): string {
  const at = markdown.indexOf('\n' + heading);
  if (at < 0) throw new Error(`README has no heading "${heading}"`);
  const open = markdown.indexOf('\n```sh\n', at);
  const close = markdown.indexOf('\n```\n', open + 1);
  if (open < 0 || close < 0) throw new Error(`no sh block after "${heading}"`);
  return markdown.slice(open + '\n```sh\n'.length, close + 1);
}

function runScript(dir: string, script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    fs.writeFileSync(path.join(dir, 'walkthrough.sh'), script);
    // its own process group: whatever the script left running is ended with it
    const child = spawn('bash', ['-e', '-o', 'pipefail', 'walkthrough.sh'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const kill = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch (e) { /* gone */ } };
    const timer = setTimeout(() => { stderr += `\n(timed out after ${timeoutMs} ms)`; kill(); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); kill(); resolve({ code, stdout, stderr }); });
  });
}

/** The one-line JSON objects printed (trust show's pretty JSON and other lines are skipped). */
function jsonLines(text: string): any[] {
  const out: any[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{') || !l.endsWith('}')) continue;
    try { out.push(JSON.parse(l)); } catch (e) { /* not one object */ }
  }
  return out;
}

describe('README walkthrough', function () {
  this.timeout(300000);

  it('names no path of anyone\'s machine', () => {
    const text = fs.readFileSync(README, 'utf8');
    assert.doesNotMatch(text, /\/work\/|\/home\/|\/Users\/|\/root\//);
  });

  it('runs as written against the built qrgate and a simulated board', async () => {
    const block = shBlockAfter(fs.readFileSync(README, 'utf8'), '## Walkthrough');
    assert.match(block, /127\.0\.0\.1:8700/);
    assert.match(block, /127\.0\.0\.1:2424/);
    const collectorPort = await freePort();
    const boardPort = await freePort();
    const script = block.replace(/127\.0\.0\.1:8700/g, `127.0.0.1:${collectorPort}`).replace(/127\.0\.0\.1:2424/g, `127.0.0.1:${boardPort}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-walk-'));
    const bin = path.join(dir, '.bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'qrgate'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, 'bin', 'qrgate.js')}" "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` };
    try {
      const r = await runScript(dir, script, env, 240000);
      assert.equal(r.code, 0, `the walkthrough failed:\n${r.stderr}\n--- stdout ---\n${r.stdout}`);
      const lines = jsonLines(r.stdout);
      // config check, verify
      assert.match(r.stdout, /^gate\.json: valid$/m);
      assert.ok(lines.some((l) => l.decision === 'open' && l.reason === 'ok' && l.kid === 'issuer-1' && l.event === undefined), 'verify decided open');
      // sim: two scans, two admissions, the log sent and acknowledged
      assert.equal(lines.filter((l) => l.event === 'decision' && l.decision === 'open').length, 2, 'sim: two admissions');
      assert.ok(lines.some((l) => l.event === 'uplink' && l.what === 'acked'), 'sim: the collector acknowledged the log');
      // collector query: both entries, pseudonyms only
      const entries = lines.filter((l) => l.kind === 'entry' && l.contacts === undefined && l.gateId === 'front-door');
      assert.equal(entries.length, 2, 'collector query: two entries');
      // trace: alice's entry, with bob as her contact
      const traced = lines.filter((l) => Array.isArray(l.contacts));
      assert.equal(traced.length, 1, 'trace: one entry of alice');
      const bob = entries.find((e) => e.subject !== traced[0].subject);
      assert.ok(bob && JSON.stringify(traced[0].contacts).indexOf(bob.subject) >= 0, 'trace: bob is a contact');
      // flash and doctor: the board runs the gate with this configuration, without its comments
      const doctor = lines.find((l) => l.source === 'firmware');
      assert.ok(doctor, 'doctor printed the board state');
      assert.equal(doctor.gateId, 'front-door');
      assert.equal(doctor.fault, '');
      assert.deepEqual(doctor.trust, { version: 1, keys: 1 });
      const flashed = lines.find((l) => Array.isArray(l.files));
      const cfg = flashed.files.find((f: any) => f.name === 'qg.cfg');
      const commented = fs.statSync(path.join(dir, 'gate.json')).size;
      assert.ok(cfg && cfg.bytes < commented / 2, `qg.cfg on the board (${cfg && cfg.bytes} bytes) has no comments (gate.json: ${commented})`);
      // every file the walkthrough promised is there
      for (const f of ['root.jwk', 'issuer.jwk', 'trust.bin', 'gate.json', 'alice.txt', 'alice.png', 'bob.txt', 'entries.db']) {
        assert.ok(fs.existsSync(path.join(dir, f)), f);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
