// The relay's safety check on the REAL interpreter when a timer callback runs out of memory.
//
// Espruino 2v29 (src/jsinteractive.c, jsiIdle): when a callback runs out of memory, execution is
// marked interrupted until the pass over the timers ends; every *interval* that runs in the rest of
// that pass is then removed ("Ctrl-C while processing interval - removing it"), while timeouts
// still run. The relay (drivers/relay.ts) guards its off-timeout with an interval that forces the
// relay off after its deadline: a decision running out of memory in the same pass removed that
// guard without a word. hal/espruino's timers() therefore makes an interval a chain of timeouts.
//
// The program (hal/espruino timers() and drivers/relay, bundled as the firmware is) opens the
// relay for 3 s on a line that prints, takes the relay's off-timeout away (the loss the guard is
// for), and, while a busy callback delays the timers, has a callback run out of memory in the pass
// where the guard's first check runs. With
// Espruino's own setInterval the relay is never released; with the hal's interval the guard
// releases it within 2 checks after the deadline. Needs a fixed variable store to run out of (the
// resizable x86 build grows for minutes): ESPRUINO_5100 or ESPRUINO_8190 (tools/espruino/build.sh).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleProgram, runEspruino } from './interp';

const ENTRY = (tsc: string) => `
import { timers } from ${JSON.stringify(tsc + '/hal/espruino/index.js')};
import { Relay } from ${JSON.stringify(tsc + '/drivers/relay.js')};
var t0 = getTime();
function ms() { return Math.round((getTime() - t0) * 1000); }
var hal = timers();
// Espruino's own timers, as hal/espruino had them before.
var raw = { setTimeout: setTimeout, clearTimeout: clearTimeout, setInterval: setInterval, clearInterval: clearInterval };
var which = global.QG_RAW ? raw : hal;
// A busy callback (a decision) until 1.5 s, so that the next pass finds both of these due: a
// callback that runs out of memory, then (armed after it) the guard's first check at 1 s.
setTimeout(function () { while (getTime() - t0 < 1.5); }, 500);
setTimeout(function () { var a = []; for (;;) a.push('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' + a.length); }, 900);
var relay = new Relay({ pin: { drive: function (l) { print('@drive ' + l + ' ' + ms()); }, release: function () { print('@release ' + ms()); } },
  timers: which, openMs: 3000, checkMs: 1000 });
relay.open();
clearTimeout(relay._offId); // the lost off-timeout the guard is for
relay._offId = null;
setTimeout(function () { print('@end open=' + relay.isOpen() + ' ' + ms()); }, 8000);
`;

describe('espruino: the relay\'s safety check survives a callback that runs out of memory', function () {
  this.timeout(5 * 60 * 1000);
  const bin = process.env.ESPRUINO_5100 || process.env.ESPRUINO_8190 || '';
  let work = '';
  let prog = '';
  before(function () {
    if (!bin) {
      console.log('      skipped: set ESPRUINO_5100 or ESPRUINO_8190 (a Linux interpreter with a fixed store, tools/espruino/build.sh)');
      this.skip();
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-timers-'));
    prog = bundleProgram(work, ENTRY);
  });
  after(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

  /** The output after the relay opened (the constructor's release comes before). */
  const afterOpen = (out: string) => out.slice(out.indexOf('@drive true'));

  async function run(kind: 'hal' | 'raw'): Promise<string> {
    const dir = path.join(work, kind);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'prog.js'), (kind === 'raw' ? 'global.QG_RAW = true;\n' : '') + prog);
    return runEspruino(bin, dir, 'prog.js', /@end [^\n]*\n/, 60000);
  }

  it('Espruino\'s setInterval is removed in that pass: the relay stays on (why the hal does not use it)', async () => {
    const out = await run('raw');
    assert.match(out, /OUT OF MEMORY/, out.slice(-1500));
    assert.match(out, /Ctrl-C while processing interval - removing it/, out.slice(-1500));
    assert.match(out, /@drive true/);
    assert.doesNotMatch(afterOpen(out), /@release/, 'no release once the guard is gone');
    assert.match(out, /@end open=true/);
  });

  it('the hal\'s interval survives: the guard releases the relay by its deadline + 2 checks', async () => {
    const out = await run('hal');
    assert.match(out, /OUT OF MEMORY/, out.slice(-1500));
    assert.doesNotMatch(out, /removing it/);
    const rel = /@release (\d+)/.exec(afterOpen(out));
    assert.ok(rel, 'released: ' + out.slice(-1500));
    const at = Number(rel![1]);
    assert.ok(at >= 3000 && at <= 5500, 'released at ' + at + ' ms');
    assert.match(out, /@end open=false/);
  });
});
