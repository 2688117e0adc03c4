// qrgate verify: the gate's decision code on the host, as a command. One certificate of each
// reason (and every DIVOC one) from the fixtures, plus the errors that must exit 2.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FX = path.join(REPO, 'test', 'fixtures');
const fixtures = JSON.parse(fs.readFileSync(path.join(FX, 'certs.json'), 'utf8'));

function qrgate(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'qrgate.js'), ...args], { encoding: 'utf8', cwd: REPO });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('qrgate verify (the gate\'s decision on the host)', function () {
  this.timeout(120000);
  const seen = new Set<string>();
  const picked = Object.keys(fixtures.certs).filter((n) => {
    const c = fixtures.certs[n];
    const key = c.reason + '/' + (c.format || '');
    if (seen.has(key) && c.format !== 'divoc') return false;
    seen.add(key);
    return true;
  });
  for (const name of picked) {
    const c = fixtures.certs[name];
    it(`${name}: ${c.decision}/${c.reason}`, () => {
      const at = c.clock === null ? '0' : (c.clock || fixtures.clock);
      const r = qrgate(['verify', '--config', path.join(FX, c.config || fixtures.config), '--trust', path.join(FX, c.trust || fixtures.trust), '--at', at, c.text]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1);
      const d = JSON.parse(lines[0]);
      assert.deepEqual([d.decision, d.reason], [c.decision, c.reason]);
      assert.deepEqual(Object.keys(d), ['decision', 'reason', 'format', 'kid', 'cti', 'detail']);
      if (c.kid) assert.equal(d.kid, c.kid);
    });
  }
  it('reads the certificate from --in', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qgv-'));
    const f = path.join(dir, 'cert.txt');
    fs.writeFileSync(f, fixtures.certs.ok.text + '\n');
    const r = qrgate(['verify', '--config', path.join(FX, 'gate.json'), '--trust', path.join(FX, 'trust.bin'), '--at', fixtures.clock, '--in', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).reason, 'ok');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const errors: [string, string[], RegExp][] = [
    ['a trust bundle not signed by a root key', ['--trust', path.join(FX, 'trust-unsigned-by-root.bin')], /trust bundle .*signature/],
    ['a trust bundle whose signature is broken', ['--trust', path.join(FX, 'trust-badsig.bin')], /trust bundle/],
    ['a missing trust file', ['--trust', path.join(FX, 'nope.bin')], /cannot read trust bundle .*no such file/],
  ];
  for (const [what, extra, re] of errors) {
    it(`exits 2 with one line for ${what}`, () => {
      const r = qrgate(['verify', '--config', path.join(FX, 'gate.json'), '--trust', path.join(FX, 'trust.bin'), ...extra, '--at', fixtures.clock, fixtures.certs.ok.text]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    });
  }
  it('exits 2 for a configuration that fails validation, naming the key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qgv-'));
    const cfg = JSON.parse(fs.readFileSync(path.join(FX, 'gate.json'), 'utf8'));
    cfg.relay.openMs = 5;
    fs.writeFileSync(path.join(dir, 'gate.json'), JSON.stringify(cfg));
    const r = qrgate(['verify', '--config', path.join(dir, 'gate.json'), '--trust', path.join(FX, 'trust.bin'), fixtures.certs.ok.text]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /relay\.openMs/);
    assert.ok(!r.stderr.includes(cfg.site.secret));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
