// SimBoard (sim/board.ts), driven with the hand-written bundle of fixtures.ts.
import { strict as assert } from 'assert';
import { SimBoard } from '../../sim/board';
import { ECHO_GATE } from './fixtures';

describe('sim/board SimBoard', () => {
  it('runs a bundle: UART in, decisions as events, relay and LEDs from the profile pins', () => {
    const b = new SimBoard({ clock: 1632729600 });
    b.flash.write('qg.cfg', JSON.stringify({ relay: { openMs: 2000 } }));
    b.boot(ECHO_GATE);
    assert.equal(b.events.filter((e) => e.event === 'ready').length, 1);
    assert.equal(b.events.find((e) => e.event === 'ready')!.clock, true);
    b.scanner().inject('OKab\r');
    b.advance(10);
    assert.equal(b.scanner().written, 'OKab\r'); // the bundle echoes
    assert.deepEqual(b.lastDecision(), { t: 0, event: 'decision', decision: 'open', reason: 'ok', format: 'qg1', kid: '01', cti: 'ab' });
    assert.equal(b.relay(), true);
    assert.equal(b.led(), 'green');
    b.scanner().inject('OKcd\r');
    b.run();
    assert.equal(b.events.filter((e) => e.event === 'drop').length, 1);
    b.advance(1990);
    assert.equal(b.relay(), false);
    assert.equal(b.led(), 'off');
    assert.deepEqual(b.pin('B3').history.map((h) => h.level), [false, true, false]);
    b.scanner().inject('http://x\r');
    b.run();
    assert.equal(b.lastDecision()!.decision, 'deny');
    assert.equal(b.led(), 'red');
    b.advance(1000);
    assert.equal(b.led(), 'off');
    assert.equal(b.flash.readString('log', 0, 2), 'od');
  });

  it('delivers UART input in chunks of at most 32 chars, paced at the baud rate on request', () => {
    const b = new SimBoard();
    b.boot(`Serial1.setup(9600, {}); Serial1.on('data', function (d) { console.log(d.length + '@' + Date.now()); });`);
    b.scanner().inject('x'.repeat(70));
    b.run();
    assert.deepEqual(b.lines, ['32@0', '32@0', '6@0']);
    b.scanner().inject('y'.repeat(40), { paced: true });
    b.advance(100);
    // 9600 baud: 10 bits a byte, ~1.04 ms each
    const paced = b.lines.slice(3).map((l) => l.split('@').map(Number));
    assert.deepEqual(paced.map((p) => p[0]), [32, 8]);
    assert.ok(Math.abs(paced[0][1] - 32 * 10000 / 9600) < 1e-6 && Math.abs(paced[1][1] - 40 * 10000 / 9600) < 1e-6);
  });

  it('loses RAM on a power cut, keeps flash, and boots again from .bootcde', () => {
    const b = new SimBoard({ clock: 1000000000 });
    b.flash.write('.bootcde', ECHO_GATE);
    b.powerOn();
    b.scanner().inject('OK1\r');
    b.run();
    assert.equal(b.relay(), true);
    b.advance(1000);
    b.powerCut();
    assert.equal(b.relay(), false);
    assert.equal(b.powered, false);
    b.scanner().inject('OK2\r'); // lost: no power
    b.advance(5000);
    assert.equal(b.events.filter((e) => e.event === 'decision').length, 1);
    b.powerOn();
    assert.equal(b.events.filter((e) => e.event === 'ready').length, 2);
    assert.equal(Math.round(b.now()), 1000000006); // the clock kept running
    b.scanner().inject('OK3\r');
    b.run();
    assert.equal(b.relay(), true);
    assert.equal(b.flash.readString('log', 0, 2), 'oo');
  });

  it('a torn flash write cuts power at that moment', () => {
    const b = new SimBoard();
    b.boot(ECHO_GATE);
    b.scanner().inject('OK1\r');
    b.run();
    b.advance(3000);
    b.armTear(0);
    b.scanner().inject('OK2\r');
    b.run();
    assert.equal(b.powered, false);
    const cut = b.events.filter((e) => e.event === 'power' && e.state === 'cut');
    assert.equal(cut.length, 1);
    assert.equal(cut[0].torn, true);
    assert.equal(b.events.filter((e) => e.event === 'log').length, 1); // the second was never logged
    assert.equal(b.flash.readString('log', 0, 2), 'o\xff');
  });

  it('a watchdog that is not kicked reboots the board from flash', () => {
    const b = new SimBoard();
    b.flash.write('.bootcde', `E.enableWatchdog(2, false); var k = 0; var iv = setInterval(function () { k++; if (k < 3) E.kickWatchdog(); }, 1000); console.log('boot');`);
    b.powerOn();
    b.advance(4500);
    assert.deepEqual(b.events.filter((e) => e.event === 'watchdog').map((e) => e.t), [4000]);
    assert.equal(b.lines.filter((l) => l === 'boot').length, 2);
  });
});
