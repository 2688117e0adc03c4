// The scenario player of spec/tools.md "Simulator scenarios": loads the device bundle into a
// simulated board and plays steps on virtual time, checking expectations.
//
// Scenario keys: config (path relative to the scenario file, or an inline object; written to flash
// as `qg.cfg`, JSON text), trust (path; its bytes written as `qg.trust`), clock (ISO 8601 or
// seconds; omitted = never set), steps; extensions: board (profile name or board id, default
// DEFAULT_SCENARIO_BOARD: the ESP32, the one supported board whose Storage holds the whole
// bundle today; see README "Flash budget"), name / description / comment (ignored text).
// The bundle is written to flash as `.bootcde` and the board boots from flash, as a board does.
//
// Steps (exactly one step key each, plus its documented options):
//   {"scan": TEXT}            the text then "\r" through the profile's scanner UART, at once in
//                             32-char chunks; option "paced": true delivers at the UART's baud.
//   {"scanRaw": HEX}          those bytes exactly (same options).
//   {"wait": MS}              advance virtual time.
//   {"expect": {...}}         decision, reason, format, kid, cti (of the latest decision event);
//                             relay (bool), led ('green'|'red'|'amber'|'off'); extensions:
//                             events {NAME: count} (how many events of each kind so far),
//                             console (a substring some console line so far contains),
//                             maxMemory (estimated JsVars in use at most this), flash {NAME: bool}
//                             (whether a file exists).
//   {"power": "cut"|"on"}     cut: RAM and timers lost, flash kept; on: boot from flash.
//   {"network": "down"|"up"}  the uplink's network (board.network; uplink sims read it).
//   {"clock": ISO|seconds|null}  set the battery-backed clock; null = clock lost (never set).
//   {"tear": N}               extension: the next flash write is cut after N data bytes and power
//                             is lost at that moment (option "mode": "flash" counts headers too).
//   {"pin": NAME, "level": bool}  extension: drive an input pin (button, door contact).
// The clock keeps running across a power cut (battery-backed) unless a step sets it to null.
//
// Output: one JSON line per event {"t": ms, "event": ..., ...}: scan, decision, relay, led, log,
// uplink, power, console (other console lines) and whatever `@qg` events the firmware prints.
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard, BoardEvent } from './board';
import { boardProfile } from '../firmware/boards';

/** The board scenarios run on when they name none. */
export var DEFAULT_SCENARIO_BOARD = 'esp32';

export class ScenarioError extends Error {}

export interface ScenarioOptions {
  /** The device bundle (default dist/gate.js under the repository). */
  bundle?: string;
  /** A stream (or anything with write(string)) that receives the event lines. */
  trace?: { write(s: string): any };
  /** Receives each event line as it happens. */
  out?: (line: string) => void;
  /** Base directory for relative paths of an inline scenario object (default cwd). */
  baseDir?: string;
}

export interface ScenarioResult { ok: boolean; failures: string[]; events: BoardEvent[] }

const TOP_KEYS = ['config', 'trust', 'clock', 'steps', 'board', 'name', 'description', 'comment'];
const STEP_KEYS: { [step: string]: string[] } = {
  scan: ['paced'], scanRaw: ['paced'], wait: [], expect: [], power: [], network: [], clock: [],
  tear: ['mode'], pin: ['level'],
};
const EXPECT_KEYS = ['decision', 'reason', 'format', 'kid', 'cti', 'relay', 'led', 'events', 'console', 'maxMemory', 'flash'];

export const DEFAULT_BUNDLE = path.resolve(__dirname, '..', 'dist', 'gate.js');

function bad(msg: string): never { throw new ScenarioError(`bad scenario: ${msg}`); }

function parseClock(v: any, where: string): number | null {
  if (v === null) return null;
  if (typeof v === 'number' && isFinite(v)) return v;
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return parseFloat(v);
    const ms = Date.parse(v);
    if (!isNaN(ms) && /^\d{4}-\d\d-\d\d/.test(v)) return ms / 1000;
  }
  return bad(`${where}: not a time (ISO 8601 or seconds): ${JSON.stringify(v)}`);
}

/** Checks a scenario object; throws ScenarioError naming the problem. */
export function validateScenario(sc: any): void {
  if (!sc || typeof sc !== 'object' || Array.isArray(sc)) bad('not a JSON object');
  for (const k of Object.keys(sc)) if (TOP_KEYS.indexOf(k) < 0) bad(`unknown key '${k}'`);
  if (sc.config !== undefined && typeof sc.config !== 'string' && (typeof sc.config !== 'object' || sc.config === null || Array.isArray(sc.config))) bad('config must be a path or an object');
  if (sc.trust !== undefined && typeof sc.trust !== 'string') bad('trust must be a path');
  if (sc.clock !== undefined) parseClock(sc.clock, 'clock');
  if (sc.board !== undefined) {
    if (typeof sc.board !== 'string') bad('board must be a profile name');
    const p = boardProfile(sc.board);
    if (p.name !== sc.board && p.ids.indexOf(sc.board) < 0) bad(`unknown board '${sc.board}'`);
  }
  if (!Array.isArray(sc.steps)) bad('steps must be an array');
  sc.steps.forEach((st: any, i: number) => {
    const where = `step ${i + 1}`;
    if (!st || typeof st !== 'object' || Array.isArray(st)) bad(`${where}: not an object`);
    const keys = Object.keys(st);
    const kinds = keys.filter((k) => k in STEP_KEYS);
    if (kinds.length === 0) bad(`${where}: unknown step '${keys[0] === undefined ? '' : keys[0]}'`);
    if (kinds.length > 1) bad(`${where}: more than one step (${kinds.join(', ')})`);
    const kind = kinds[0];
    for (const k of keys) if (k !== kind && STEP_KEYS[kind].indexOf(k) < 0) bad(`${where}: unknown key '${k}' for ${kind}`);
    const v = st[kind];
    switch (kind) {
      case 'scan': if (typeof v !== 'string') bad(`${where}: scan must be text`); break;
      case 'scanRaw': if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) bad(`${where}: scanRaw must be hex`); break;
      case 'wait': if (typeof v !== 'number' || !(v >= 0) || !isFinite(v)) bad(`${where}: wait must be milliseconds >= 0`); break;
      case 'power': if (v !== 'cut' && v !== 'on') bad(`${where}: power must be "cut" or "on"`); break;
      case 'network': if (v !== 'down' && v !== 'up') bad(`${where}: network must be "down" or "up"`); break;
      case 'clock': parseClock(v, where); break;
      case 'tear':
        if (typeof v !== 'number' || !(v >= 0)) bad(`${where}: tear must be a byte count`);
        if (st.mode !== undefined && st.mode !== 'data' && st.mode !== 'flash') bad(`${where}: mode must be "data" or "flash"`);
        break;
      case 'pin':
        if (typeof v !== 'string' || typeof st.level !== 'boolean') bad(`${where}: pin needs a name and "level": true|false`);
        break;
      case 'expect': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) bad(`${where}: expect must be an object`);
        for (const k of Object.keys(v)) if (EXPECT_KEYS.indexOf(k) < 0) bad(`${where}: unknown expectation '${k}'`);
        if (v.relay !== undefined && typeof v.relay !== 'boolean') bad(`${where}: relay must be true or false`);
        if (v.led !== undefined && ['green', 'red', 'amber', 'off'].indexOf(v.led) < 0) bad(`${where}: led must be green, red, amber or off`);
        if (v.events !== undefined && (typeof v.events !== 'object' || v.events === null || Object.keys(v.events).some((k) => typeof v.events[k] !== 'number'))) bad(`${where}: events must map names to counts`);
        if (v.console !== undefined && typeof v.console !== 'string') bad(`${where}: console must be text`);
        if (v.maxMemory !== undefined && typeof v.maxMemory !== 'number') bad(`${where}: maxMemory must be a number`);
        if (v.flash !== undefined && (typeof v.flash !== 'object' || v.flash === null || Object.keys(v.flash).some((k) => typeof v.flash[k] !== 'boolean'))) bad(`${where}: flash must map file names to true/false`);
        break;
      }
      case 'paced': break;
    }
    if (st.paced !== undefined && typeof st.paced !== 'boolean') bad(`${where}: paced must be true or false`);
  });
}

function readOrBad(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e: any) {
    return bad(`cannot read ${what} ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

/** Plays a scenario (a file path or an object). Throws ScenarioError for a bad scenario. */
export async function runScenario(scenario: string | object, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  let sc: any;
  let baseDir = opts.baseDir || process.cwd();
  if (typeof scenario === 'string') {
    const text = readOrBad(scenario, 'scenario').toString('utf8');
    try { sc = JSON.parse(text); } catch (e: any) { bad(`${scenario} is not valid JSON: ${e.message}`); }
    baseDir = path.dirname(path.resolve(scenario));
  } else sc = scenario;
  validateScenario(sc);

  const bundlePath = opts.bundle || DEFAULT_BUNDLE;
  let bundle: string;
  try {
    bundle = fs.readFileSync(bundlePath, 'latin1');
  } catch (e: any) {
    throw new ScenarioError(`cannot read bundle ${bundlePath}: ${e.code === 'ENOENT' ? 'no such file (make build-device)' : e.message}`);
  }

  let config: any = undefined;
  let configText: string | undefined;
  if (typeof sc.config === 'string') {
    configText = readOrBad(path.resolve(baseDir, sc.config), 'config').toString('utf8');
    try { config = JSON.parse(configText); } catch (e: any) { bad(`config ${sc.config} is not valid JSON: ${e.message}`); }
  } else if (sc.config !== undefined) {
    config = sc.config;
    configText = JSON.stringify(sc.config);
  }
  const trust = typeof sc.trust === 'string' ? readOrBad(path.resolve(baseDir, sc.trust), 'trust') : undefined;

  const events: BoardEvent[] = [];
  const failures: string[] = [];
  const emitLine = (ev: BoardEvent) => {
    events.push(ev);
    const line = JSON.stringify(ev);
    if (opts.out) opts.out(line);
    if (opts.trace) opts.trace.write(line + '\n');
  };
  const relayActiveHigh = !(config && config.relay && config.relay.activeHigh === false);
  const board = new SimBoard({
    board: sc.board || DEFAULT_SCENARIO_BOARD,
    clock: sc.clock === undefined ? null : parseClock(sc.clock, 'clock'),
    relayActiveHigh,
    onEvent: emitLine,
  });
  // Flash as `qrgate flash` leaves it: the bundle as .bootcde, the configuration, the trust bundle.
  board.flash.write('.bootcde', bundle);
  if (configText !== undefined) board.flash.write('qg.cfg', configText);
  if (trust !== undefined) board.flash.write('qg.trust', new Uint8Array(trust));
  board.powerOn();
  board.run();

  const fail = (i: number, msg: string) => failures.push(`step ${i + 1}: ${msg}`);
  const scan = (data: string, paced: boolean, shown: { [k: string]: any }) => {
    board.emit({ event: 'scan', ...shown });
    board.scanner().inject(data, { paced });
    board.run();
  };

  sc.steps.forEach((st: any, i: number) => {
    if ('scan' in st) scan(st.scan + '\r', !!st.paced, { text: st.scan });
    else if ('scanRaw' in st) scan(Buffer.from(st.scanRaw, 'hex').toString('latin1'), !!st.paced, { hex: st.scanRaw.toLowerCase() });
    else if ('wait' in st) board.advance(st.wait);
    else if ('power' in st) {
      if (st.power === 'cut') board.powerCut();
      else { board.powerOn(); board.run(); }
    } else if ('network' in st) {
      board.network = st.network === 'up';
      board.emit({ event: 'network', state: st.network });
    } else if ('clock' in st) {
      board.setClock(parseClock(st.clock, `step ${i + 1}`));
    } else if ('tear' in st) {
      board.armTear(st.tear, st.mode || 'data');
    } else if ('pin' in st) {
      board.pin(st.pin).set(st.level);
      board.run();
    } else if ('expect' in st) {
      const x = st.expect;
      const d = board.lastDecision();
      for (const k of ['decision', 'reason', 'format', 'kid', 'cti']) {
        if (x[k] === undefined) continue;
        if (!d) { fail(i, `expected ${k} ${JSON.stringify(x[k])}, but no decision was made`); continue; }
        if (d[k] !== x[k]) fail(i, `expected ${k} ${JSON.stringify(x[k])}, got ${JSON.stringify(d[k])}`);
      }
      if (x.relay !== undefined && board.relay() !== x.relay) fail(i, `expected relay ${x.relay}, got ${board.relay()}`);
      if (x.led !== undefined && board.led() !== x.led) fail(i, `expected led ${x.led}, got ${board.led()}`);
      if (x.events) {
        for (const name of Object.keys(x.events)) {
          const n = events.filter((e) => e.event === name).length;
          if (n !== x.events[name]) fail(i, `expected ${x.events[name]} '${name}' events, got ${n}`);
        }
      }
      if (x.console !== undefined && !board.lines.some((l) => l.indexOf(x.console) >= 0)) fail(i, `no console line contains ${JSON.stringify(x.console)}`);
      if (x.maxMemory !== undefined) {
        const m = board.memory().usage;
        if (m > x.maxMemory) fail(i, `expected memory usage at most ${x.maxMemory}, got ${m}`);
      }
      if (x.flash) {
        for (const name of Object.keys(x.flash)) {
          const has = board.flash.exists(name);
          if (has !== x.flash[name]) fail(i, `expected flash file '${name}' ${x.flash[name] ? 'present' : 'absent'}`);
        }
      }
    }
  });
  if (board.powered && board.sandbox) board.sandbox.kill();
  return { ok: failures.length === 0, failures, events };
}
