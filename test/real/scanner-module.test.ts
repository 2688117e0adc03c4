// The scanner module's configuration at boot on the REAL Espruino interpreter (ESPRUINO=/path/to/espruino):
// dist/gate.js's code as a board runs it, with a GM65-style module played on its scanner UART by
// the driver script (Serial1.write answers as the module does, after 5 ms): the gate configures
// it (only write commands, never the save), a scan during the configuration and one after it
// are decided, the answers are never scans, even when the interpreter is busy while a command
// waits; then the variables once the lazy part is gone.
import { strict as assert } from 'assert';
import * as path from 'path';
import { buildGate, onInterpreter, seedAndRun } from './interp';
import { REPO } from '../util/shared';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to run the scanner module\'s configuration on the real interpreter';

// The module: parses 7E 00 08 01 aH aL v cH cL, logs it, answers 02 00 00 01 00 33 31.
const DRIVER = `
var S = require('Storage');
var cmds = [];
Serial1.write = function (d) {
  for (var i = 0; i + 8 < d.length; i++) {
    if (d.charCodeAt(i) === 0x7e && d.charCodeAt(i + 1) === 0) {
      cmds.push(d.charCodeAt(i + 2).toString(16) + ':' + ((d.charCodeAt(i + 4) << 8) | d.charCodeAt(i + 5)).toString(16) + '=' + d.charCodeAt(i + 6).toString(16));
      setTimeout(function () { Serial1.emit('data', '\\x02\\x00\\x00\\x01\\x00\\x33\\x31'); }, 5);
      i += 8;
    }
  }
};
eval(S.read('.bootcde'));
setTimeout(function () { Serial1.emit('data', 'DURING-CONFIG\\r'); }, 7);
// the interpreter busy for 0.5 s while a command waits (as a decision on a board can keep it):
// its answer (due at 5 ms) and the 300 ms wait both fall due; Espruino runs due timers before
// queued data events, and the answer must still count (no retry, nothing leaks to the framing)
setTimeout(function () { var t = getTime(); while (getTime() - t < 0.5); }, 12);
setTimeout(function () {
  print('@cmds ' + cmds.join(','));
  Serial1.emit('data', 'AFTER-CONFIG\\r');
}, 1000);
// (short lines: a long one printed while the console is locked can take the next ones with it)
setTimeout(function () {
  var st = JSON.parse(qgStatus());
  print('@scanner ' + JSON.stringify(st.scanner));
  print('@decisions ' + st.scans.decisions);
}, 1500);
setTimeout(function () { print('@mem ' + process.memory().usage); print('@end'); }, 2000);
`;

describe('espruino: the scanner module configured at boot', function () {
  this.timeout(20 * 60 * 1000);
  let out = '';

  onInterpreter('qg-gm65-', SKIP_MSG, async (bin, work) => {
    // the test gate and its 4-key trust bundle (the verifier's tables are made at boot)
    const files = [{ name: '.bootcde', path: buildGate(work) },
      { name: 'qg.cfg', path: path.join(REPO, 'test/fixtures/gate.json') }, { name: 'qg.trust', path: path.join(REPO, 'test/fixtures/trust.bin') }];
    out = await seedAndRun(bin, path.join(work, 'run'), files, DRIVER, /@end/, 15 * 60 * 1000, 15 * 60 * 1000);
  });

  it('writes the five settings to RAM (never the save command) and reports the module configured', () => {
    const cmds = /@cmds (.*)/.exec(out);
    assert.ok(cmds, 'no @cmds line:\n' + out.slice(-3000));
    assert.deepEqual(cmds[1].split(','), ['8:0=d6', '8:3=2', '8:13=9e', '8:2c=0', '8:3f=1']);
    const ev = /"ev":"scanner"[^\n]*/.exec(out);
    assert.ok(ev && /"state":"configured"/.test(ev[0]), 'no scanner event, or not configured:\n' + out.slice(-3000));
    const st = /@scanner (.*)/.exec(out);
    assert.ok(st, 'no @scanner line:\n' + out.slice(-3000));
    assert.deepEqual(JSON.parse(st[1]), { module: 'gm65', state: 'configured' });
  });

  it('decides the scans sent during and after the configuration, and nothing else', () => {
    const d = /@decisions (\d+)/.exec(out);
    assert.ok(d, 'no @decisions line:\n' + out.slice(-3000));
    assert.equal(+d[1], 2, out.slice(-3000));
    const mem = /@mem (\d+)/.exec(out);
    assert.ok(mem, out.slice(-3000));
    console.log(`      espruino: ${mem[1]} variables once the module is configured and both scans decided`);
  });
});
