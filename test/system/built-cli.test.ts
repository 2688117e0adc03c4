// The qrgate command as `make build` leaves it (build/host, what bin/qrgate.js runs): every command
// loads, although the build holds only what tsc writes plus the files the Makefile copies (a file
// only the sources have, like the bundler's plain JavaScript, once made board/flash/doctor answer
// "not available in this build"), and the simulator runs a scenario from it.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILT = path.join(ROOT, 'build', 'host', 'tools', 'qrgate.js');
const COMMANDS = ['keygen', 'issue', 'trust', 'verify', 'crypto', 'sim', 'collector', 'board', 'flash', 'doctor'];

function built(args: string[]) {
  return spawnSync(process.execPath, ['-e', `require(${JSON.stringify(BUILT)}).main(process.argv.slice(1))`].concat(args),
    { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
}

describe('build: the built qrgate command (build/host) has everything it needs', function () {
  this.timeout(300000);
  before(function () {
    if (!fs.existsSync(BUILT)) { console.log('      skipped: no build/host (make build)'); this.skip(); }
  });

  for (const c of COMMANDS) {
    it(`qrgate ${c} --help`, () => {
      const r = built([c, '--help']);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`qrgate ${c}`));
    });
  }

  it('qrgate sim plays a scenario on the device bundle', function () {
    const bundle = path.join(ROOT, 'dist', 'gate.js');
    if (!fs.existsSync(bundle)) this.skip();
    const r = built(['sim', path.join(ROOT, 'test', 'scenarios', 'ok.json'), '--bundle', bundle]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /"event":"decision"/);
  });
});
