// Helpers of test/system/relay-bitflip.test.ts. Issue 17.2: every single-bit flip of the fixture configuration qg.cfg, with each relay polarity
// (an active-high module with the fixture as it is, whose relay.activeHigh defaults to true; an
// active-low one with the fixture saying "activeHigh": false), booted from flash on the board's
// own bundle (dist/gate-esp32.js, as flashed) with a valid trust bundle, then a valid
// certificate scanned: the relay coil is never energised unless an `open` decision came first,
// and is off again once relay.openMs is over. (On the old firmware, which drove the "off" level
// of whatever polarity it could read, the active-low module was energised from boot whenever the
// configuration was missing or invalid.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard, BoardEvent } from '../../sim/board';
import { REPO } from '../util/shared';

export const FIX = path.join(REPO, 'test', 'fixtures');
export const BOARD = 'esp32';
const CLOCK = Date.parse('2021-09-27T08:00:00Z') / 1000;

/** The certificate of test/scenarios/ok.json (open/ok with the fixture trust bundle at CLOCK). */
export function okCert(): string {
  const sc = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'scenarios', 'ok.json'), 'utf8'));
  return sc.steps[0].scan;
}

/** The fixture qg.cfg as flashed, for a polarity (active-low: "activeHigh": false added to relay). */
export function fixtureConfig(activeHigh: boolean): Buffer {
  const text = fs.readFileSync(path.join(FIX, 'gate.json'), 'latin1');
  if (activeHigh) return Buffer.from(text, 'latin1');
  const at = text.indexOf('"openMs": 3000');
  assert.ok(at > 0, 'fixture has relay.openMs');
  return Buffer.from(text.slice(0, at) + '"activeHigh": false,\n    ' + text.slice(at), 'latin1');
}

interface Run { events: BoardEvent[]; energisedWithoutOpen: string | null; onAtEnd: boolean; decision: string | null; fault: string | null }

/** Boot a board whose qg.cfg is `cfg` (null: none) and whose relay module has this polarity; scan; report. */
export function bootAndScan(bundle: string, trust: Buffer, tables: { [name: string]: Uint8Array }, cfg: Buffer | null, wiringActiveHigh: boolean, cert: string): Run {
  const board = new SimBoard({ board: BOARD, clock: CLOCK, relayActiveHigh: wiringActiveHigh });
  board.flash.write('.bootcde', bundle);
  if (cfg) board.flash.write('qg.cfg', new Uint8Array(cfg));
  board.flash.write('qg.trust', new Uint8Array(trust));
  for (const n of Object.keys(tables)) board.flash.write(n, tables[n]);
  board.powerOn();
  board.advance(500);
  board.scanner().inject(cert + '\r');
  board.advance(300);
  const maxOpen = 60000; // relay.openMs is at most 60000 (a flip may change it)
  board.advance(maxOpen + 2500);
  // the gate energises the relay, then prints its decision line, in the same instant
  const openTimes = board.events.filter((e) => e.event === 'decision' && e.decision === 'open').map((e) => e.t);
  let bad: string | null = null;
  for (const e of board.events) {
    if (e.event === 'relay' && e.on === true && !bad && !openTimes.some((t) => t <= e.t)) bad = `relay energised at t=${e.t} with no open decision`;
  }
  const d = board.lastDecision();
  const f = board.events.filter((e) => e.event === 'fault')[0];
  return { events: board.events, energisedWithoutOpen: bad, onAtEnd: board.relay(), decision: d ? `${d.decision}/${d.reason}` : null, fault: f ? String(f.what) : null };
}

