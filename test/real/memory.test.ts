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
import { spawnSync } from 'child_process';
import { buildGate, hostFiles, onInterpreter, runEspruino, seedAndRun } from './interp';
import { REPO } from '../util/shared';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to measure the gate\'s memory on the real interpreter';

/** The boot code: the gate from flash as at boot, its variables, then a DIVOC scan on its UART. */
const DRIVER = `
var S = require('Storage');
eval(S.read('.bootcde'));
print('@boot ' + process.memory().usage + ' ' + process.memory().total);
var T = S.read('qg.scan');
// The figure is taken once boot's own work is over (the scanner module's configuration runs for up
// to 4.2 s after ready: firmware/scanner-setup.ts), then the DIVOC text is scanned.
setTimeout(function () { print('@idle ' + process.memory().usage + ' ' + process.memory().total); Serial1.emit('data', T); T = undefined; }, 5000);
setInterval(function () { print('@mem ' + process.memory().usage + ' ' + process.memory().total); }, 2000);
`;

describe('espruino: the gate\'s memory after boot with a 64-key trust bundle', function () {
  this.timeout(20 * 60 * 1000);
  let out = '';

  onInterpreter('qg-memory-', SKIP_MSG, async (bin, work) => {
    const files = [{ name: '.bootcde', path: buildGate(work) }].concat(hostFiles(work,
      Object.assign(memoryBootFiles(), { 'qg.scan': new Uint8Array(Buffer.from(memoryDivocText() + '\r\n', 'latin1')) })));
    out = await seedAndRun(bin, path.join(work, 'run'), files, DRIVER, /"ev":"decision"[^\n]*\n|OUT OF MEMORY|Uncaught/, 15 * 60 * 1000);
  });

  it(`boots with ${MEMORY_KEYS} keys in at most ${MEMORY_BUDGET} variables`, () => {
    assert.ok(!/OUT OF MEMORY/.test(out.split('@boot')[0]), 'out of memory while booting:\n' + out.slice(-3000));
    const ready = /"ev":"ready".*"fault":"([^"]*)".*"keys":(\d+)/.exec(out);
    assert.ok(ready, 'no ready event:\n' + out.slice(-3000));
    assert.equal(ready[1], '', 'the gate booted with a fault:\n' + out.slice(-3000));
    assert.equal(+ready[2], MEMORY_KEYS);
    const b = /@boot (\d+) (\d+)/.exec(out);
    const m = /@idle (\d+) (\d+)/.exec(out);
    assert.ok(b && m, 'no @boot or @idle line:\n' + out.slice(-3000));
    console.log(`      espruino: ${m[1]} variables after boot with ${MEMORY_KEYS} keys, once idle (store ${m[2]}); ${b[1]} at the ready event`);
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

// A check must give back everything it took: the DIVOC reader (proto/divoc/verify.ts, with the
// JSON parser, the zip reader and the N-Quads) run over and over on the real interpreter, its
// variables counted after each run. (Espruino 2v29 kept variables of a method chain through
// `this` three levels deep: the JSON parser as a class lost 7 variables per parse, and in the
// gate, where the DIVOC part is made for each check, the whole part, ~950 per check.)
describe('espruino: the DIVOC reader leaves nothing behind', function () {
  this.timeout(10 * 60 * 1000);
  const bin = process.env.ESPRUINO ? path.resolve(process.env.ESPRUINO) : '';
  it('decodes the dose2 sample 6 times and a 5-deep JSON text 20 times with no variable lost', async function () {
    if (!bin) {
      console.log(SKIP_MSG);
      return this.skip();
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-leak-'));
    try {
      const out = path.join(work, 'tsc');
      const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.device.json', '--outDir', out],
        { cwd: REPO, encoding: 'utf8' });
      assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
      const entry = path.join(out, 'leak-entry.js');
      fs.writeFileSync(entry, "var v = require('./proto/divoc/verify.js'); var j = require('./proto/json.js');\n" +
        'QGL = { decodeDivoc: v.decodeDivoc, parseJsonBytes: j.parseJsonBytes };\n');
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const esbuild = require('esbuild');
      esbuild.buildSync({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es5', minify: true, outfile: path.join(work, 'leak.js'), logLevel: 'warning' });
      const text = memoryDivocText().substring(4);
      fs.writeFileSync(path.join(work, 'driver.js'), fs.readFileSync(path.join(work, 'leak.js'), 'utf8') + `
var C = require('crypto'), T = ${JSON.stringify(text)}, D = E.toUint8Array('{"a":{"b":{"c":{"d":{"e":1}}}}}'), k, x;
var u = [0, 0, 0, 0, 0, 0]; // (filled in place: no allocation while counting)
var sha = function (d) { return new Uint8Array(C.SHA256(d)); };
for (k = 0; k < 6; k++) { x = QGL.decodeDivoc(T, sha); x = undefined; u[k] = process.memory().usage; }
print('@divoc ' + u.join(' '));
u = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
for (k = 0; k < 20; k++) { x = QGL.parseJsonBytes(D); x = undefined; u[k] = process.memory().usage; }
print('@json ' + u.join(' '));
`);
      const o = await runEspruino(bin, work, 'driver.js', /@json[^\n]*\n|Uncaught/, 5 * 60 * 1000);
      const d = /@divoc ([\d ]+)/.exec(o);
      const j = /@json ([\d ]+)/.exec(o);
      assert.ok(d && j, o.slice(-2000));
      console.log(`      variables in use after each decode: ${d[1]}; after each parse: ${j[1].split(' ').slice(0, 4).join(' ')} ...`);
      const dv = d[1].trim().split(' ').map(Number);
      const jv = j[1].trim().split(' ').map(Number);
      // (The first run may leave a lasting allocation of the interpreter's own; none after it.)
      assert.equal(dv[dv.length - 1], dv[1], 'the DIVOC reader loses variables: ' + d[1]);
      assert.equal(jv[jv.length - 1], jv[1], 'the JSON parser loses variables: ' + j[1]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
