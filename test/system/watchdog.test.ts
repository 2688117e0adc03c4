// The hardware watchdog (boards/*.ts watchdogS, firmware/main.ts heartbeat), on each board's own
// bundle in the simulator: the firmware arms it once the gate runs and kicks it every second; a
// program stuck with the door open (scenario step `hang`: no timer runs, so neither the relay's
// off-timeout nor its safety check) is restarted by the watchdog, and the restart releases the
// relay long before the program would have. A board without one (ESP32, Linux) keeps the door
// open until the program runs again. A soft reset (reset(), as `qrgate flash` stops the firmware)
// keeps the watchdog as Espruino does; the flasher first makes it kick itself (tools/board/flasher.ts).
import { strict as assert } from 'assert';
import * as path from 'path';
import { runScenario } from '../../sim/scenario';
import { SimBoard } from '../../sim/board';
import { BOARD_FILES } from '../../boards/index';
import { okCert } from './relay-sweep';

const FIX = path.resolve(__dirname, '..', 'fixtures');
const CLOCK = '2021-09-27T08:00:00Z';

async function run(board: string, steps: any[]) {
  const res = await runScenario({ board, config: 'gate.json', trust: 'trust.bin', clock: CLOCK, steps }, { baseDir: FIX });
  assert.ok(res.ok, res.failures.join('\n'));
  return res;
}

describe('watchdog: a stuck program with the door open is restarted, and the restart locks the door', function () {
  this.timeout(120000);
  const cert = okCert();

  for (const bf of BOARD_FILES.filter((b) => b.features.fits)) {
    const s = bf.watchdogS;
    if (s > 0) {
      it(`${bf.name}: armed for ${s} s after boot, kicked while idle; a 60 s hang with the door open is cut at ${s} s`, async () => {
        const res = await run(bf.name, [
          { wait: 3 * s * 1000 }, // idle for three timeouts: the heartbeat keeps it quiet
          { scan: cert }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok', relay: true } },
          { hang: 60000 },
          { expect: { relay: false } },
          { wait: 2000 }, { scan: cert }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok', relay: true } },
          { wait: 3500 }, { expect: { relay: false } },
        ]);
        const ev = res.events;
        const wd = ev.filter((e) => e.event === 'watchdog');
        assert.equal(wd.length, 1, 'one restart, by the hang: ' + JSON.stringify(wd));
        const hang = ev.find((e) => e.event === 'hang')!;
        const opened = ev.filter((e) => e.event === 'relay' && e.on === true)[0];
        // the restart comes `s` seconds after the last kick (at most 1 s before the hang began)
        assert.ok(wd[0].t > hang.t && wd[0].t <= hang.t + s * 1000 && wd[0].t >= hang.t + (s - 1) * 1000, `watchdog at ${wd[0].t}, hang at ${hang.t}`);
        const off = ev.filter((e) => e.event === 'relay' && e.on === false && e.t > opened.t)[0];
        assert.ok(off && off.t === wd[0].t, 'the relay is released by the restart: ' + JSON.stringify(off));
        assert.ok(ev.filter((e) => e.event === 'ready').length >= 2, 'the gate starts again');
      });
    } else {
      it(`${bf.name}: no watchdog: the door stays open through a 60 s hang, closed when the program runs again`, async () => {
        const res = await run(bf.name, [
          { scan: cert }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok', relay: true } },
          { hang: 60000 },
          { wait: 0 }, { expect: { relay: false } },
        ]);
        assert.equal(res.events.filter((e) => e.event === 'watchdog').length, 0);
        const hang = res.events.find((e) => e.event === 'hang')!;
        const off = res.events.filter((e) => e.event === 'relay' && e.on === false).pop()!;
        assert.ok(off.t >= hang.t + 60000, 'released only after the hang: ' + JSON.stringify(off));
      });
    }
  }

  it('a firmware that stops while starting (no configuration) arms none', async () => {
    const res = await runScenario({ board: 'pico', trust: 'trust.bin', clock: CLOCK, steps: [{ wait: 1000 }, { hang: 60000 }, { wait: 1000 }] }, { baseDir: FIX });
    assert.equal(res.events.filter((e) => e.event === 'watchdog').length, 0);
  });

  it('the simulator: reset() keeps the watchdog and its mode (Espruino\'s soft init), a power cycle clears it', () => {
    const b = new SimBoard({ board: 'pico' });
    b.boot('E.enableWatchdog(20, false);');
    assert.deepEqual([b.sandbox!.watchdog.timeoutMs, b.sandbox!.watchdog.auto], [20000, false]);
    b.sandbox!.run('E.enableWatchdog(20, true); reset();');
    b.advance(10);
    assert.deepEqual([b.sandbox!.watchdog.timeoutMs, b.sandbox!.watchdog.auto], [20000, true]);
    b.advance(60000); // auto-kicked from the idle loop
    assert.equal(b.events.filter((e) => e.event === 'watchdog').length, 0);
    b.hang(25000); // the idle loop does not run either
    assert.equal(b.events.filter((e) => e.event === 'watchdog').length, 1);
    assert.equal(b.sandbox!.watchdog.timeoutMs, 0, 'a hardware restart clears it');
  });
});
