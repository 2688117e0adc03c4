// A firmware with no JavaScript fallback for what its board does natively (the WiFi's own bundle,
// DIVOC included, laid out and flashed as `qrgate flash` does, native code emulated): SHA-256
// (firmware/build-flags.ts QG_JS_SHA256), the inflate (QG_JS_INFLATE) and DIVOC's context table
// read from qg.divoc (QG_DIVOC_DATA). With every file in place it decides QG1 and DIVOC; with a
// piece missing it reports a fault and keeps the door locked: no SHA-256 stops the gate, a
// missing or damaged qg.inflate or qg.divoc refuses DIVOC texts (unsupported) while QG1 goes on.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard, writeLayout } from '../../sim/board';
import { boardFileOf } from '../../boards/index';
import { bundlePath } from '../../tools/build/boards';
import { flashFiles } from '../../tools/flashfiles';
import { firmwareWrites, planLayout } from '../../tools/board/layout';
import { INDEX, sampleText } from '../util/divoc';

const FX = path.resolve(__dirname, '..', 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../fixtures/certs.json');
const CLOCK = Date.parse('2021-09-27T08:00:00Z') / 1000;

interface Run { board: SimBoard; lines: string[]; events: any[]; decide(text: string): any }

/** The WiFi's bundle and files flashed (`change` alters the files first), powered on; `noSha256`: an Espruino without crypto.SHA256. */
function flashWifi(change: (files: { [name: string]: Uint8Array }) => void = () => undefined, noSha256 = false): Run {
  const lines: string[] = [];
  const board = new SimBoard({ board: 'wifi', native: true, clock: CLOCK, onConsoleLine: (l) => lines.push(l) });
  if (noSha256) (board.profile as any).nativeSha256 = false; // (the simulator's require('crypto') follows the profile)
  const bf = boardFileOf('wifi')!;
  const files = flashFiles('wifi', fs.readFileSync(path.join(FX, 'gate.json')), new Uint8Array(fs.readFileSync(path.join(FX, 'trust.bin'))));
  change(files);
  const plan = planLayout(bf, { bundle: fs.readFileSync(bundlePath('wifi'), 'latin1'), files, journal: firmwareWrites(bf, { segments: 4, segmentSize: 4096 }), tokenise: true });
  assert.ok(plan.fits, plan.problems.join('; '));
  writeLayout(board, plan, files);
  board.powerOn();
  board.advance(2000);
  const events = () => lines.filter((l) => /^@qg /.test(l) || /"ev":/.test(l)).map((l) => JSON.parse(l.slice(l.indexOf('{'))));
  return {
    board, lines, get events() { return events(); },
    decide(text: string) {
      const n = events().filter((e) => e.ev === 'decision').length;
      board.scanner().inject(text + '\r');
      board.advance(5000);
      const d = events().filter((e) => e.ev === 'decision');
      assert.equal(d.length, n + 1, `no decision:\n${lines.slice(-5).join('\n')}`);
      return d[d.length - 1];
    },
  } as Run;
}

const faults = (r: Run) => r.events.filter((e) => e.ev === 'fault');
const relayNeverOn = (r: Run) => !r.board.pin(r.board.profile.relay).history.some((h) => h.level === true) || !r.board.pin(r.board.profile.relay).isOutput;
const divocTexts = () => INDEX.samples.map((s: { file: string }) => Buffer.from(sampleText(s.file), 'utf8').toString('latin1'));

describe('the WiFi\'s firmware without JavaScript fallbacks (SHA-256, inflate, DIVOC\'s table literals)', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(bundlePath('wifi'))) this.skip(); // make build-device
  });

  it('carries no JavaScript SHA-256, inflate or DIVOC table literals, nor the native inflate\'s code', () => {
    const text = fs.readFileSync(bundlePath('wifi'), 'latin1');
    assert.ok(text.indexOf('1116352408,1899447441') < 0, 'SHA-256 round constants');
    assert.ok(text.indexOf('inflate: bad block type') < 0, 'proto/inflate.ts');
    assert.ok(text.indexOf('EcdsaSecp256k1Signature2019') < 0, 'table literals');
    assert.ok(text.indexOf('qg.divoc') >= 0 && text.indexOf('qg.inflate') >= 0);
  });

  it('every file in place: no fault, QG1 opens, every DIVOC sample is decided (natively inflated, the table from qg.divoc)', () => {
    const r = flashWifi();
    assert.deepEqual(faults(r), [], r.lines.join('\n'));
    assert.ok(r.events.some((e) => e.ev === 'ready' && e.fault === ''), r.lines.join('\n'));
    assert.equal(r.decide(CERTS.certs.ok.text).decision, 'open');
    for (const t of divocTexts()) {
      const d = r.decide(t);
      assert.equal(d.format, 'divoc');
      assert.ok(!/^(malformed|unsupported)$/.test(d.reason), JSON.stringify(d));
    }
  });

  it('no SHA-256 on the Espruino (and none in the firmware): a sha256 fault, the door never opens', () => {
    const r = flashWifi(undefined, true);
    const f = faults(r);
    assert.equal(f.length, 1, r.lines.join('\n'));
    assert.equal(f[0].what, 'sha256');
    assert.ok(!r.lines.some((l) => /Uncaught|Error/.test(l) && !/"ev"/.test(l)), r.lines.join('\n'));
    r.board.scanner().inject(CERTS.certs.ok.text + '\r');
    r.board.advance(5000);
    assert.ok(!r.events.some((e) => e.ev === 'decision' && e.decision === 'open'));
    assert.ok(relayNeverOn(r), 'the relay was driven');
  });

  for (const [what, file, damage] of [['inflate', 'qg.inflate', false], ['inflate', 'qg.inflate', true], ['divoc-table', 'qg.divoc', false], ['divoc-table', 'qg.divoc', true]] as [string, string, boolean][]) {
    it(`${file} ${damage ? 'damaged' : 'missing'}: an ${what} fault at boot, DIVOC texts unsupported (the door locked), QG1 still opens`, () => {
      const r = flashWifi((files) => {
        if (!damage) delete files[file];
        else { const b = new Uint8Array(files[file]); b[100] ^= 1; files[file] = b; }
      });
      const f = faults(r);
      assert.equal(f.length, 1, r.lines.join('\n'));
      assert.equal(f[0].what, what);
      assert.match(f[0].why, new RegExp(file.replace('.', '\\.') + '.* missing or damaged.*DIVOC certificates are refused'));
      assert.ok(r.events.some((e) => e.ev === 'ready' && e.fault === ''), 'the gate runs');
      for (const t of divocTexts().slice(0, 2)) {
        const d = r.decide(t);
        assert.equal(d.decision, 'deny');
        assert.equal(d.reason, 'unsupported');
        assert.match(d.detail, /DIVOC cannot be read/);
      }
      assert.equal(r.decide(CERTS.certs.ok.text).decision, 'open');
      // doctor lists it with the faults found while running
      r.board.sandbox!.run('print("@status " + qgStatus())', 'status.js');
      const st = JSON.parse(r.lines.filter((l) => /^@status /.test(l))[0].slice(8));
      assert.ok(st.faults.some((x: any) => x.what === what), JSON.stringify(st.faults));
    });
  }
});
