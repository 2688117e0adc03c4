// The scan queue and the drop reports on the shipped bundle (dist/gate.js in the simulator).
//
// A decision runs synchronously on a board (a DIVOC one takes about a second on the Linux build,
// minutes' worth of frames on a fast scanner), and the interpreter holds the UART's bytes meanwhile:
// they reach the program after the decision. The simulator has no CPU time, so the burst is sent
// from the console hook of the decision event, i.e. while the first scan is being handled: its
// bytes are events queued behind the running callback, as on the board.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard } from '../../sim/board';
import { DEFAULT_BUNDLE } from '../../sim/scenario';
import { tableFiles } from '../../tools/tables';
import { sampleText } from '../util/divoc';

const FIX = path.resolve(__dirname, '..', 'fixtures');
const DIVOC = ['dose2', 'dose1', 'dose3', 'tampered-dose'].map(sampleText);

function gate(cfg: any): SimBoard {
  const b = new SimBoard({ board: 'esp32', clock: Date.parse('2021-09-27T08:00:00Z') / 1000 });
  const trust = fs.readFileSync(path.join(FIX, 'trust.bin'));
  const files = tableFiles(new Uint8Array(trust), 8);
  for (const name of Object.keys(files)) b.flash.write(name, files[name]);
  const config = JSON.parse(fs.readFileSync(path.join(FIX, 'gate.json'), 'utf8'));
  b.flash.write('qg.cfg', JSON.stringify(Object.assign(config, cfg)));
  b.flash.write('qg.trust', new Uint8Array(trust));
  b.flash.write('.bootcde', fs.readFileSync(DEFAULT_BUNDLE, 'latin1'));
  b.powerOn();
  b.run();
  assert.equal(b.events.filter((e) => e.event === 'ready' && e.fault === '').length, 1, JSON.stringify(b.events.slice(-5)));
  return b;
}

/** qgStatus() as `qrgate doctor` reads it. */
function status(b: SimBoard): any {
  const before = b.lines.length;
  b.sandbox!.run("print('@status ' + qgStatus())");
  const line = b.lines.slice(before).find((l) => l.startsWith('@status '));
  assert.ok(line, 'no status line');
  return JSON.parse(line!.slice(8));
}

describe('sim: the scan queue (queue.max) and drop reports on dist/gate.js', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(DEFAULT_BUNDLE)) {
      // eslint-disable-next-line no-console
      console.log(`      skipped: ${DEFAULT_BUNDLE} is missing (run make build-device)`);
      this.skip();
    }
  });

  for (const [qmax, n] of [[4, 10], [1, 5], [3, 4]]) {
    it(`queue.max ${qmax}: ${n} DIVOC frames, ${n - 1} of them arriving while the first is decided -> ${1 + Math.min(qmax, n - 1)} decisions, ${Math.max(0, n - 1 - qmax)} drops, counted and reported`, () => {
      const b = gate({ queue: { max: qmax }, scanner: { dedupMs: 0 } });
      let burst = false;
      b.onConsoleLine = (line) => {
        if (!burst && line.indexOf('"ev":"decision"') >= 0) {
          burst = true;
          let all = '';
          for (let i = 1; i < n; i++) all += DIVOC[i % DIVOC.length] + '\r';
          b.scanner().inject(all, { paced: false });
        }
      };
      b.scanner().inject(DIVOC[0] + '\r', { paced: false });
      b.advance(1000);
      const decisions = b.events.filter((e) => e.event === 'decision');
      const drops = b.events.filter((e) => e.event === 'drop');
      const want = Math.max(0, n - 1 - qmax);
      assert.equal(decisions.length, 1 + Math.min(qmax, n - 1));
      assert.deepEqual(decisions.map((d) => d.format), decisions.map(() => 'divoc'));
      assert.deepEqual(drops.map((d) => [d.why, d.count]), Array.from({ length: want }, (_, i) => ['busy', i + 1]));
      for (const d of drops) assert.ok(d.len > 1000, JSON.stringify(d));
      const st = status(b);
      assert.deepEqual(st.scans, { frames: 1 + Math.min(qmax, n - 1), decisions: decisions.length, dropped: want, tooLong: 0, duplicates: 0, noise: 0 });
    });
  }

  it('scans sent one after another, each after the previous decision, are all decided (no drops)', () => {
    const b = gate({ queue: { max: 1 }, scanner: { dedupMs: 0 } });
    for (let i = 0; i < 6; i++) {
      b.scanner().inject(DIVOC[i % DIVOC.length] + '\r');
      b.advance(4000);
    }
    assert.equal(b.events.filter((e) => e.event === 'decision').length, 6);
    assert.equal(b.events.filter((e) => e.event === 'drop').length, 0);
    assert.equal(status(b).scans.dropped, 0);
  });

  it('a frame over scanner.maxLen: a drop event (too-long, its length, a count), and the next frame is decided', () => {
    const b = gate({ scanner: { maxLen: 1024 } });
    const long = DIVOC[0]; // 1,156 chars
    b.scanner().inject(long + '\r');
    b.advance(2000);
    b.scanner().inject(long.slice(0, 1100)); // ended by the idle gap
    b.advance(2000);
    b.scanner().inject('QG1:NOT-BASE45\r');
    b.advance(2000);
    const drops = b.events.filter((e) => e.event === 'drop');
    assert.deepEqual(drops.map((d) => [d.why, d.count, d.len]), [['too-long', 1, long.length], ['too-long', 2, 1100]]);
    const decisions = b.events.filter((e) => e.event === 'decision');
    assert.deepEqual(decisions.map((d) => [d.decision, d.reason]), [['deny', 'malformed']]);
    const st = status(b);
    assert.equal(st.scans.tooLong, 2);
    assert.equal(st.scans.decisions, 1);
  });
});
