// The tests run what ships. bin/qrgate.js runs the build (make build) and, under the tests
// (QRGATE_BUILD=required, test/util/setup.ts), refuses a missing or stale build instead of quietly
// running the sources; every command `qrgate --help` lists loads and answers from the build; the
// commands no other test runs through bin/qrgate.js run here (the README walkthrough, the board,
// collector and crypto tests run the others). A file missing from build/host fails here.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../util/shared';

const BIN = path.join(REPO, 'bin', 'qrgate.js');
const FIX = path.join(REPO, 'test', 'fixtures');

function qrgate(args: string[], opts: { cwd?: string; bin?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(process.execPath, [opts.bin || BIN, ...args], {
    cwd: opts.cwd || REPO, encoding: 'utf8', timeout: 120000, input: opts.input,
    env: { ...process.env, ...(opts.env || {}) },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command names `qrgate --help` lists (first word of each indented line, options excluded). */
function listedCommands(): string[] {
  const r = qrgate(['--help']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
}

describe('qrgate as shipped (bin/qrgate.js after make build)', function () {
  this.timeout(180000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-shipped-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('the build is there and current: the tests never run the sources in its place', () => {
    assert.equal(process.env.QRGATE_BUILD, 'required', 'test/util/setup.ts is loaded (.mocharc.json)');
    assert.ok(fs.existsSync(path.join(REPO, 'build', 'host', 'tools', 'qrgate.js')), 'make build first');
    const r = qrgate(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `qrgate ${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`);
  });

  it('bin/qrgate.js: a missing or stale build is an error under QRGATE_BUILD=required, the build runs otherwise', () => {
    // a checkout in miniature: bin/qrgate.js, one source, and a build that prints what ran
    const root = path.join(dir, 'mini');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tools'), { recursive: true });
    fs.copyFileSync(BIN, path.join(root, 'bin', 'qrgate.js'));
    fs.writeFileSync(path.join(root, 'tools', 'qrgate.ts'), 'export function main() { process.stdout.write("sources\\n"); }\n');
    const bin = path.join(root, 'bin', 'qrgate.js');
    let r = qrgate(['--version'], { bin });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^qrgate: no build .*: run make build\n$/);
    const built = path.join(root, 'build', 'host', 'tools', 'qrgate.js');
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.writeFileSync(built, 'exports.main = function () { process.stdout.write("build\\n"); };\n');
    const old = new Date(Date.now() - 60000);
    fs.utimesSync(built, old, old); // the source is newer
    r = qrgate(['--version'], { bin });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /the build is older than the sources: run make build/);
    fs.utimesSync(built, new Date(), new Date());
    r = qrgate(['--version'], { bin });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'build\n');
    // installed (no sources beside it): the build runs whatever the environment says
    fs.rmSync(path.join(root, 'tools'), { recursive: true });
    r = qrgate(['--version'], { bin, env: { QRGATE_BUILD: '' } });
    assert.equal(r.stdout, 'build\n');
  });

  it('every listed command loads from the build and answers --help', () => {
    const names = listedCommands();
    for (const want of ['keygen', 'issue', 'trust', 'verify', 'crypto', 'sim', 'collector', 'board', 'flash', 'doctor', 'config']) {
      assert.ok(names.indexOf(want) >= 0, `qrgate --help lists ${want}`);
    }
    for (const name of names.filter((n) => !n.startsWith('-'))) {
      const r = qrgate([name, '--help']);
      assert.equal(r.status, 0, `qrgate ${name} --help: ${r.stderr}`);
      assert.match(r.stdout, /usage|qrgate/i, name);
      assert.doesNotMatch(r.stderr, /not available in this build/, name);
    }
  });

  it('config init and config check (every problem named, exit 2; a comment key is no problem)', () => {
    const cfg = path.join(dir, 'gate.json');
    let r = qrgate(['config', 'init', '--root', path.join(FIX, 'root.jwk'), '--gate-id', 'door-7', '--out', cfg]);
    assert.equal(r.status, 0, r.stderr);
    const text = fs.readFileSync(cfg, 'utf8');
    assert.equal(fs.statSync(cfg).mode & 0o777, 0o600, 'it holds site.secret');
    const obj = JSON.parse(text);
    assert.match(obj.site.secret, /^[0-9a-f]{64}$/);
    assert.equal(obj.gateId, 'door-7');
    assert.ok(typeof obj['//'] === 'string' && typeof obj.relay['//openMs'] === 'string', 'commented');
    r = qrgate(['config', 'check', cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${cfg}: valid\n`);
    // a second init gives another secret
    r = qrgate(['config', 'init']);
    assert.equal(r.status, 0);
    assert.notEqual(JSON.parse(r.stdout).site.secret, obj.site.secret);
    assert.match(r.stderr, /rootKeys is empty/);
    // every problem, one line each, and never a secret's value
    obj.gateId = '';
    obj.relay.openMs = 5;
    obj.bogus = 1;
    obj.site.secret = 'nothex-but-secret';
    obj.uplink.transport = 'wifi';
    obj.uplink.url = 'http://127.0.0.1:8700/';
    obj.board = 'esp3';
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify(obj));
    r = qrgate(['config', 'check', bad]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    for (const want of [/unknown key bogus/, /invalid gateId/, /invalid relay\.openMs: must be 100\.\.60000/, /invalid site\.secret: must be hex/,
      /invalid board: unknown board 'esp3'/, /invalid uplink\.url: .*\/ingest .*404/, /: 6 problems$/]) {
      assert.ok(lines.some((l) => want.test(l)), `${want} in\n${r.stderr}`);
    }
    assert.equal(lines.length, 7);
    assert.doesNotMatch(r.stderr, /nothex-but-secret/);
    r = qrgate(['config', 'check', path.join(dir, 'none.json')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^qrgate config: cannot read configuration .*none\.json: no such file\n$/);
  });

  it('a commented configuration is what verify and the simulated gate accept', () => {
    const cfg = path.join(dir, 'gate.json'); // from the test above
    const certs = JSON.parse(fs.readFileSync(path.join(FIX, 'certs.json'), 'utf8'));
    const text: string = certs.certs.ok.text;
    const at: string = certs.clock;
    let r = qrgate(['verify', '--config', cfg, '--trust', path.join(FIX, 'trust.bin'), '--at', at, text]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).decision, 'open');
    const scenario = path.join(dir, 'scenario.json');
    fs.writeFileSync(scenario, JSON.stringify({
      config: 'gate.json', trust: path.join(FIX, 'trust.bin'), clock: at,
      steps: [{ scan: text }, { wait: 500 }, { expect: { decision: 'open', relay: true, led: 'green' } }],
    }));
    r = qrgate(['sim', scenario]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.ok(r.stdout.split('\n').some((l) => /"event":"ready"/.test(l) && /"gateId":"door-7"/.test(l) && /"fault":""/.test(l)), r.stdout);
  });

  it('trust show and crypto verify from the build', () => {
    let r = qrgate(['trust', 'show', path.join(FIX, 'trust.bin'), '--root', path.join(FIX, 'root.jwk')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /signature/i);
    const line = JSON.stringify({ pub: '00'.repeat(32), msg: '', sig: '00'.repeat(64) });
    r = qrgate(['crypto', 'verify', '--batch'], { input: line + '\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'invalid\n');
  });
});
