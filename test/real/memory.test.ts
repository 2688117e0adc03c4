// The memory budget on the REAL Espruino interpreter (ESPRUINO=/path/to/espruino): dist/gate.js as
// a board runs it (eval of the Storage file .bootcde), booted with test/fixtures/gate.json, a 64-key
// trust bundle and the verifier tables already in flash (tools/build/memory-fixture.ts), must use at
// most MEMORY_BUDGET variables once booted, and a DIVOC check (the dose2 sample fed to the scanner
// UART) must then still run to its decision without running out of memory. Run it with a build
// whose variable store is fixed at a Pico's 5100 (VARIABLES=5100) for the DIVOC fit to mean a Pico.
// No timing: the test waits for the gate's events.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MEMORY_BUDGET, MEMORY_KEYS, memoryBootFiles, memoryDivocText } from '../../tools/build/memory-fixture';
import { buildGate, runEspruino, seedScript } from './interp';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to measure the gate\'s memory on the real interpreter';

/** The boot code: the gate from flash as at boot, its variables, then a DIVOC scan on its UART. */
const DRIVER = `
var S = require('Storage');
eval(S.read('.bootcde'));
print('@boot ' + process.memory().usage + ' ' + process.memory().total);
var T = S.read('qg.scan');
setTimeout(function () { Serial1.emit('data', T); T = undefined; }, 10);
setInterval(function () { print('@mem ' + process.memory().usage + ' ' + process.memory().total); }, 2000);
`;

describe('espruino: the gate\'s memory after boot with a 64-key trust bundle', function () {
  this.timeout(20 * 60 * 1000);
  const bin = process.env.ESPRUINO ? path.resolve(process.env.ESPRUINO) : '';
  let work = '';
  let out = '';

  before(async function () {
    if (!bin) {
      console.log(SKIP_MSG);
      this.skip();
    }
    assert.ok(fs.existsSync(bin), `ESPRUINO=${bin} does not exist`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-memory-'));
    const files = [{ name: '.bootcde', path: buildGate(work) }];
    const boot = memoryBootFiles();
    for (const n of Object.keys(boot)) {
      const p = path.join(work, 'f-' + n);
      fs.writeFileSync(p, boot[n]);
      files.push({ name: n, path: p });
    }
    const scan = path.join(work, 'scan.txt');
    fs.writeFileSync(scan, memoryDivocText() + '\r\n', 'latin1');
    files.push({ name: 'qg.scan', path: scan });
    const dir = path.join(work, 'run');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'seed.js'), seedScript(files));
    const seed = await runEspruino(bin, dir, 'seed.js', null, 120000);
    assert.equal((seed.match(/@seeded /g) || []).length, files.length, 'seeding Storage: ' + seed.slice(-2000));
    fs.writeFileSync(path.join(dir, 'driver.js'), DRIVER);
    out = await runEspruino(bin, dir, 'driver.js', /"ev":"decision"[^\n]*\n|OUT OF MEMORY|Uncaught/, 15 * 60 * 1000);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it(`boots with ${MEMORY_KEYS} keys in at most ${MEMORY_BUDGET} variables`, () => {
    assert.ok(!/OUT OF MEMORY/.test(out.split('@boot')[0]), 'out of memory while booting:\n' + out.slice(-3000));
    const ready = /"ev":"ready".*"fault":"([^"]*)".*"keys":(\d+)/.exec(out);
    assert.ok(ready, 'no ready event:\n' + out.slice(-3000));
    assert.equal(ready[1], '', 'the gate booted with a fault:\n' + out.slice(-3000));
    assert.equal(+ready[2], MEMORY_KEYS);
    const m = /@boot (\d+) (\d+)/.exec(out);
    assert.ok(m, 'no @boot line:\n' + out.slice(-3000));
    console.log(`      espruino: ${m[1]} variables after boot with ${MEMORY_KEYS} keys (store ${m[2]})`);
    assert.ok(+m[1] <= MEMORY_BUDGET, `${m[1]} variables after boot, budget ${MEMORY_BUDGET}`);
  });

  it('then checks a DIVOC certificate without running out of memory', () => {
    assert.ok(!/OUT OF MEMORY|Uncaught/.test(out), 'interpreter error:\n' + out.slice(-3000));
    const line = /"ev":"decision"[^\n]*/.exec(out);
    assert.ok(line, 'no decision:\n' + out.slice(-3000));
    const reason = /"reason":"([^"]*)"/.exec(line[0]);
    assert.ok(reason && /"format":"divoc"/.test(line[0]), line[0]);
    // The signature was checked: neither refused before verifying nor failed by it.
    assert.ok(['malformed', 'unsupported', 'unknown-key', 'bad-signature'].indexOf(reason[1]) < 0, line[0]);
  });
});
