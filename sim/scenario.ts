// The scenario player of spec/tools.md "Simulator scenarios": loads the device bundle into a
// simulated board and plays steps on virtual time, checking expectations.
//
// Scenario keys: config (path relative to the scenario file, or an inline object; written to flash
// as `qg.cfg`, JSON text), trust (path; its bytes written as `qg.trust`), clock (ISO 8601 or
// seconds; omitted = never set), steps; extensions: board (profile name or board id, default
// DEFAULT_SCENARIO_BOARD: the ESP32, the one supported board whose Storage holds the whole
// bundle today; see README "Flash budget"), name / description / comment (ignored text), wiring
// {"relay": "active-high" | "active-low"} (the relay module as wired; default: as the
// configuration's relay.activeHigh says, true without one).
// The bundle is written to flash as `.bootcde` and the board boots from flash, as a board does.
//
// Steps (exactly one step key each, plus its documented options):
//   {"scan": TEXT}            the text then "\r" through the profile's scanner UART, at once in
//                             32-char chunks; option "paced": true delivers at the UART's baud.
//   {"scanRaw": HEX}          those bytes exactly (same options).
//   {"wait": MS}              advance virtual time: at most MAX_WAIT_MS (31 days) per step, and
//                             at most `maxTimerRuns` (ScenarioOptions, default 1,000,000) instants
//                             with timers due within one step; beyond either the scenario is bad
//                             (ScenarioError, `qrgate sim` exit 2) rather than a player that never
//                             ends. Move the board's clock further with a clock step.
//   {"expect": {...}}         decision, reason, format, kid, cti (of the latest decision event);
//                             relay (bool), led ('green'|'red'|'amber'|'off'); extensions:
//                             events {NAME: count} (how many events of each kind so far),
//                             console (a substring some console line so far contains),
//                             maxMemory (estimated JsVars in use at most this), flash {NAME: bool}
//                             (whether a file exists), cached (bool: whether the latest decision
//                             came from the repeat-visitor cache, without a signature check).
//   {"power": "cut"|"on"}     cut: RAM and timers lost, flash kept; on: boot from flash.
//   {"network": "down"|"up"}  the uplink's network (board.network; uplink sims read it).
//   {"clock": ISO|seconds|null}  set the battery-backed clock; null = clock lost (never set).
//   {"tear": N}               extension: the next flash write is cut after N data bytes and power
//                             is lost at that moment (option "mode": "flash" counts headers too).
//   {"pin": NAME, "level": bool}  extension: drive an input pin (button, door contact).
//   {"collector": "start"|"stop"|"restart"|"crash"}  extension (needs top-level "collector": true):
//                             the in-process collector (sim/collector.ts); crash: the next batch
//                             is committed, then the collector dies before answering (until "start").
//   {"modem": {"fail": REPLY, "count": N}}  extension (uplink.transport "lora"): the next N uplinks
//                             get that reply from the modem (sim/rn2483.ts MODEM_FAULTS).
//   {"publishTrust": PATH}    extension (issue 13; needs "collector": true): the collector publishes
//                             that trust bundle (relative to the scenario file) as `qrgate collector
//                             trust publish` does (unchecked here: the gate checks it).
//   expect extensions for the uplink: collector {records (stored records of the gate, any kind),
//                             unique (the gate's entries are exactly the records it logged, each
//                             once), dropped (largest drop counter), gateId (default the config's),
//                             trace {sub HEX | subText TEXT, windowMin (30), entries, contacts}},
//                             modem {dutyRefusals, joined}; trust (the version of the bundle the
//                             gate uses: its ready event, then each `trust` installed event);
//                             collector.trustVersion (the version the gate last reported to it).
// The clock keeps running across a power cut (battery-backed) unless a step sets it to null.
//
// Uplink (extension): top-level "collector": true starts an in-process collector on 127.0.0.1 and
// points the configuration's uplink.url at it (/ingest for Wi-Fi, /lorawan for LoRa). The board's
// require('http') is Node's real http (sim/net.ts); with uplink.transport "lora" an RN2483 modem
// and a network server (sim/rn2483.ts) sit on the profile's LoRa UART. `wait` runs timer by timer
// and lets real I/O finish before virtual time moves on (deterministic whatever the host's speed).
//
// Output: one JSON line per event {"t": ms, "event": ..., ...}: scan, decision, relay, led, log,
// uplink, power, console (other console lines) and whatever `@qg` events the firmware prints.
import { ROOT } from '../tools/root';
import { tableFiles } from '../tools/tables';
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { SimBoard, BoardEvent } from './board';
import { boardProfile } from '../firmware/boards';
import { boardFileOf } from '../boards/index';
import { FlashImage } from './flash';
import { IoTracker, advanceWithIo, runWithIo, httpModule, wifiModule } from './net';
import { SimCollector } from './collector';
import { Rn2483Emulator, NetworkServerEmulator, MODEM_FAULTS } from './rn2483';

/** The verifier's tables, as `qrgate flash` writes them (boards without native code). */
function writeTables(board: SimBoard, trust: Buffer | undefined, config: any): void {
  const n = config && config.verifier && typeof config.verifier.keyTables === 'number' ? config.verifier.keyTables : 8;
  const files = tableFiles(trust ? new Uint8Array(trust) : undefined, n);
  for (const name of Object.keys(files)) board.flash.write(name, files[name]);
}

/** The board scenarios run on when they name none. */
export var DEFAULT_SCENARIO_BOARD = 'esp32';

export class ScenarioError extends Error {}

/** The longest one `wait` step may be (31 days, in ms). */
export var MAX_WAIT_MS = 31 * 24 * 3600 * 1000;
/** How many instants with timers due one `wait` step may run, by default. */
export var MAX_TIMER_RUNS = 1000000;

export interface ScenarioOptions {
  /** The device bundle (default defaultBundleFor(the scenario's board)). */
  bundle?: string;
  /** A stream (or anything with write(string)) that receives the event lines. */
  trace?: { write(s: string): any };
  /** Receives each event line as it happens. */
  out?: (line: string) => void;
  /** Base directory for relative paths of an inline scenario object (default cwd). */
  baseDir?: string;
  /** At most this many instants with timers due per `wait` step (default MAX_TIMER_RUNS). */
  maxTimerRuns?: number;
  /** Keep the in-process collector's database: its path is returned as collectorDb (the caller removes its directory). */
  keepCollectorDb?: boolean;
  /** Storage of this many bytes instead of the board profile's (a bundle that outgrew its board). */
  flashBytes?: number;
}

export interface ScenarioResult {
  ok: boolean; failures: string[]; events: BoardEvent[];
  /** The collector's SQLite file (with keepCollectorDb). */
  collectorDb?: string;
  /** The LoRa modem model, when there was one (for tests: its log and counters). */
  modem?: Rn2483Emulator;
  network?: NetworkServerEmulator;
}

const TOP_KEYS = ['config', 'trust', 'clock', 'steps', 'board', 'name', 'description', 'comment', 'collector', 'wiring'];
const STEP_KEYS: { [step: string]: string[] } = {
  scan: ['paced'], scanRaw: ['paced'], wait: [], expect: [], power: [], network: [], clock: [],
  tear: ['mode'], pin: ['level'], collector: [], modem: [],
  publishTrust: [],
};
const EXPECT_KEYS = ['decision', 'reason', 'format', 'kid', 'cti', 'cached', 'relay', 'led', 'events', 'console', 'maxMemory', 'flash',
  'collector', 'modem', 'trust'];
const COLLECTOR_EXPECT_KEYS = ['records', 'unique', 'dropped', 'gateId', 'trace', 'trustVersion'];

export const DEFAULT_BUNDLE = path.join(ROOT, 'dist', 'gate.js');

/**
 * The bundle a scenario runs when none is given: the board's own dist/gate-<profile>.js when it
 * was built and the board's firmware fits its flash (boards/<name>.ts features.fits, checked
 * by test/tools/flashbudget.test.ts), else the universal dist/gate.js.
 */
export function defaultBundleFor(board: string): string {
  const name = boardProfile(board).name;
  const own = path.join(ROOT, 'dist', `gate-${name}.js`);
  const bf = boardFileOf(name);
  const f = bf && bf.features;
  return f && f.fits && fs.existsSync(own) ? own : DEFAULT_BUNDLE;
}

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
  if (sc.wiring !== undefined && (typeof sc.wiring !== 'object' || sc.wiring === null || Object.keys(sc.wiring).some((k) => k !== 'relay') ||
    (sc.wiring.relay !== 'active-high' && sc.wiring.relay !== 'active-low'))) bad('wiring must be {"relay": "active-high" | "active-low"}');
  if (sc.clock !== undefined) parseClock(sc.clock, 'clock');
  if (sc.board !== undefined) {
    if (typeof sc.board !== 'string') bad('board must be a profile name');
    const p = boardProfile(sc.board);
    if (p.name !== sc.board && p.ids.indexOf(sc.board) < 0) bad(`unknown board '${sc.board}'`);
  }
  if (sc.collector !== undefined && typeof sc.collector !== 'boolean') bad('collector must be true or false');
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
      case 'wait':
        if (typeof v !== 'number' || !(v >= 0) || !isFinite(v)) bad(`${where}: wait must be milliseconds >= 0`);
        if (v > MAX_WAIT_MS) bad(`${where}: wait ${v} ms is more than ${MAX_WAIT_MS} ms (31 days): wait in shorter steps, or set the board's clock with a clock step`);
        break;
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
      case 'collector':
        if (['start', 'stop', 'restart', 'crash'].indexOf(v) < 0) bad(`${where}: collector must be "start", "stop", "restart" or "crash"`);
        if (!sc.collector) bad(`${where}: a collector step needs the top-level "collector": true`);
        break;
      case 'modem':
        if (!v || typeof v !== 'object' || Array.isArray(v) || MODEM_FAULTS.indexOf(v.fail) < 0 ||
            Object.keys(v).some((k) => k !== 'fail' && k !== 'count') ||
            (v.count !== undefined && !(Number.isInteger(v.count) && v.count >= 1))) {
          bad(`${where}: modem must be {"fail": ${MODEM_FAULTS.join('|')}, "count": N >= 1}`);
        }
        break;
      case 'expect': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) bad(`${where}: expect must be an object`);
        for (const k of Object.keys(v)) if (EXPECT_KEYS.indexOf(k) < 0) bad(`${where}: unknown expectation '${k}'`);
        if (v.relay !== undefined && typeof v.relay !== 'boolean') bad(`${where}: relay must be true or false`);
        if (v.cached !== undefined && typeof v.cached !== 'boolean') bad(`${where}: cached must be true or false`);
        if (v.led !== undefined && ['green', 'red', 'amber', 'off'].indexOf(v.led) < 0) bad(`${where}: led must be green, red, amber or off`);
        if (v.events !== undefined && (typeof v.events !== 'object' || v.events === null || Object.keys(v.events).some((k) => typeof v.events[k] !== 'number'))) bad(`${where}: events must map names to counts`);
        if (v.console !== undefined && typeof v.console !== 'string') bad(`${where}: console must be text`);
        if (v.maxMemory !== undefined && typeof v.maxMemory !== 'number') bad(`${where}: maxMemory must be a number`);
        if (v.flash !== undefined && (typeof v.flash !== 'object' || v.flash === null || Object.keys(v.flash).some((k) => typeof v.flash[k] !== 'boolean'))) bad(`${where}: flash must map file names to true/false`);
        if (v.collector !== undefined) {
          const c = v.collector;
          if (!sc.collector) bad(`${where}: a collector expectation needs the top-level "collector": true`);
          if (!c || typeof c !== 'object' || Array.isArray(c)) bad(`${where}: collector must be an object`);
          for (const k of Object.keys(c)) if (COLLECTOR_EXPECT_KEYS.indexOf(k) < 0) bad(`${where}: unknown collector expectation '${k}'`);
          if (c.records !== undefined && !Number.isInteger(c.records)) bad(`${where}: collector.records must be a count`);
          if (c.dropped !== undefined && !Number.isInteger(c.dropped)) bad(`${where}: collector.dropped must be a count`);
          if (c.unique !== undefined && c.unique !== true) bad(`${where}: collector.unique must be true`);
          if (c.gateId !== undefined && typeof c.gateId !== 'string') bad(`${where}: collector.gateId must be text`);
          if (c.trace !== undefined) {
            const t = c.trace;
            if (!t || typeof t !== 'object' || (typeof t.sub === 'string') === (typeof t.subText === 'string')) bad(`${where}: collector.trace needs one of sub (hex) or subText`);
            if (t.sub !== undefined && !/^([0-9a-fA-F]{2})+$/.test(t.sub)) bad(`${where}: collector.trace.sub must be hex`);
            for (const k of Object.keys(t)) if (['sub', 'subText', 'windowMin', 'entries', 'contacts'].indexOf(k) < 0) bad(`${where}: unknown trace key '${k}'`);
            for (const k of ['windowMin', 'entries', 'contacts']) if (t[k] !== undefined && !Number.isInteger(t[k])) bad(`${where}: collector.trace.${k} must be a count`);
          }
        }
        if (v.modem !== undefined) {
          const m = v.modem;
          if (!m || typeof m !== 'object' || Object.keys(m).some((k) => k !== 'dutyRefusals' && k !== 'joined')) bad(`${where}: modem expects dutyRefusals and/or joined`);
        }
        break;
      }
      case 'publishTrust':
        if (typeof v !== 'string') bad(`${where}: publishTrust must be a path`);
        if (!sc.collector) bad(`${where}: publishTrust needs the top-level "collector": true`);
        break;
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

  const bundlePath = opts.bundle || defaultBundleFor(sc.board || DEFAULT_SCENARIO_BOARD);
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

  // The uplink: an in-process collector, and (LoRa) the modem and network server models.
  const transport = config ? uplinkKey(config, 'transport') : undefined;
  let collector: SimCollector | null = null;
  if (sc.collector) {
    if (!config) bad('"collector": true needs a config');
    if (transport !== 'wifi' && transport !== 'lora') bad('"collector": true needs uplink.transport "wifi" or "lora"');
    collector = new SimCollector();
    await collector.start();
    config = setUplinkUrl(config, collector.url(transport));
    configText = JSON.stringify(config);
  }
  const io = new IoTracker();

  const events: BoardEvent[] = [];
  const failures: string[] = [];
  let modem: Rn2483Emulator | undefined;
  let network: NetworkServerEmulator | undefined;
  const emitLine = (ev: BoardEvent) => {
    events.push(ev);
    if (ev.event === 'power' && ev.state === 'cut' && modem) modem.powerCycle();
    const line = JSON.stringify(ev);
    if (opts.out) opts.out(line);
    if (opts.trace) opts.trace.write(line + '\n');
  };
  // The relay module as wired (extension "wiring"), else as the configuration says it is.
  const relayActiveHigh = sc.wiring ? sc.wiring.relay === 'active-high' :
    !(config && ((config.relay && config.relay.activeHigh === false) || config['relay.activeHigh'] === false));
  let board!: SimBoard;
  const netModules = { http: httpModule(() => board.network, io), Wifi: wifiModule(), EspruinoWiFi: wifiModule() };
  board = new SimBoard({
    board: sc.board || DEFAULT_SCENARIO_BOARD,
    clock: sc.clock === undefined ? null : parseClock(sc.clock, 'clock'),
    relayActiveHigh,
    onEvent: emitLine,
    modules: netModules,
    flash: opts.flashBytes ? new FlashImage({ size: opts.flashBytes, pageSize: 4096 }) : undefined,
  });
  if (transport === 'lora' && board.profile.lora) {
    const url = String(uplinkKey(config, 'url') || '');
    network = new NetworkServerEmulator(io, () => url, () => board.network);
    const m = new Rn2483Emulator(board, board.profile.lora.serial, network);
    modem = m;
    board.onUartWrite = (uart, data) => { if (uart === m.uart) m.write(data); };
  }
  // Flash as `qrgate flash` leaves it: the bundle as .bootcde, the configuration, the trust bundle.
  board.flash.write('.bootcde', bundle);
  if (configText !== undefined) board.flash.write('qg.cfg', configText);
  if (trust !== undefined) board.flash.write('qg.trust', new Uint8Array(trust));
  if (!board.profile.arm) writeTables(board, trust, config);

  const fail = (i: number, msg: string) => failures.push(`step ${i + 1}: ${msg}`);
  const scan = async (data: string, paced: boolean, shown: { [k: string]: any }) => {
    board.emit({ event: 'scan', ...shown });
    board.scanner().inject(data, { paced });
    await runWithIo(board, io);
  };

  try {
    board.powerOn();
    await runWithIo(board, io);
    for (let i = 0; i < sc.steps.length; i++) {
      const st = sc.steps[i];
      if ('scan' in st) await scan(st.scan + '\r', !!st.paced, { text: st.scan });
      else if ('scanRaw' in st) await scan(Buffer.from(st.scanRaw, 'hex').toString('latin1'), !!st.paced, { hex: st.scanRaw.toLowerCase() });
      else if ('wait' in st) {
        const max = opts.maxTimerRuns === undefined ? MAX_TIMER_RUNS : opts.maxTimerRuns;
        if (!await advanceWithIo(board, io, st.wait, max)) {
          bad(`step ${i + 1}: wait ${st.wait} ms runs timers at more than ${max} instants (a repeating timer?): ` +
            `stopped at ${board.clock.ms} ms; wait in shorter steps`);
        }
      }
      else if ('power' in st) {
        if (st.power === 'cut') board.powerCut();
        else { board.powerOn(); await runWithIo(board, io); }
      } else if ('network' in st) {
        board.network = st.network === 'up';
        board.emit({ event: 'network', state: st.network });
      } else if ('clock' in st) {
        board.setClock(parseClock(st.clock, `step ${i + 1}`));
      } else if ('tear' in st) {
        board.armTear(st.tear, st.mode || 'data');
      } else if ('pin' in st) {
        board.pin(st.pin).set(st.level);
        await runWithIo(board, io);
      } else if ('collector' in st) {
        await io.settle();
        const c = collector!;
        if (st.collector === 'start') await c.start();
        else if (st.collector === 'stop') await c.stop();
        else if (st.collector === 'restart') await c.restart();
        else c.crash();
        board.emit({ event: 'collector', state: st.collector });
      } else if ('publishTrust' in st) {
        await io.settle();
        const r = collector!.trust.publish(new Uint8Array(readOrBad(path.resolve(baseDir, st.publishTrust), 'trust bundle')));
        board.emit({ event: 'collector', publishTrust: r.version });
      } else if ('modem' in st) {
        if (!modem) bad(`step ${i + 1}: a modem step needs uplink.transport "lora" on a board with a LoRa UART`);
        modem.fail(st.modem.fail, st.modem.count || 1);
        board.emit({ event: 'modem', fail: st.modem.fail, count: st.modem.count || 1 });
      } else if ('expect' in st) {
        const x = st.expect;
        const d = board.lastDecision();
        for (const k of ['decision', 'reason', 'format', 'kid', 'cti']) {
          if (x[k] === undefined) continue;
          if (!d) { fail(i, `expected ${k} ${JSON.stringify(x[k])}, but no decision was made`); continue; }
          if (d[k] !== x[k]) fail(i, `expected ${k} ${JSON.stringify(x[k])}, got ${JSON.stringify(d[k])}`);
        }
        if (x.cached !== undefined) {
          if (!d) fail(i, `expected cached ${x.cached}, but no decision was made`);
          else if ((d.cached === true) !== x.cached) fail(i, `expected cached ${x.cached}, got ${d.cached === true}`);
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
        if (x.collector) await expectCollector(x.collector, collector!, config, events, (m) => fail(i, m));
        if (x.trust !== undefined) {
          const v = gateTrustVersion(events);
          if (v !== x.trust) fail(i, `expected the gate to use trust version ${x.trust}, it uses ${v}`);
        }
        if (x.modem) {
          if (!modem) fail(i, 'expected a LoRa modem, but there is none');
          else {
            if (x.modem.dutyRefusals !== undefined && modem.dutyRefusals !== x.modem.dutyRefusals) fail(i, `expected ${x.modem.dutyRefusals} duty-cycle refusals, got ${modem.dutyRefusals}`);
            if (x.modem.joined !== undefined && modem.joined !== x.modem.joined) fail(i, `expected the modem ${x.modem.joined ? '' : 'not '}joined`);
          }
        }
      }
    }
  } finally {
    if (board.powered && board.sandbox) board.sandbox.kill();
    await io.settle();
    if (collector) await collector.close(!!opts.keepCollectorDb);
  }
  return { ok: failures.length === 0, failures, events, collectorDb: collector && opts.keepCollectorDb ? collector.dbFile : undefined, modem, network };
}

/** uplink.KEY of a configuration (nested or dotted). */
function uplinkKey(config: any, key: string): any {
  if (config['uplink.' + key] !== undefined) return config['uplink.' + key];
  return config.uplink && typeof config.uplink === 'object' ? config.uplink[key] : undefined;
}

function setUplinkUrl(config: any, url: string): any {
  const c = { ...config };
  if (c['uplink.url'] !== undefined || (c.uplink === undefined && c['uplink.transport'] !== undefined)) c['uplink.url'] = url;
  else c.uplink = { ...(c.uplink || {}), url };
  return c;
}

function hexOf(b: Uint8Array): string { return Buffer.from(b).toString('hex'); }

/** The trust version the gate uses, from its events: the last boot's ready event, then installs. */
function gateTrustVersion(events: BoardEvent[]): number | null {
  let v: number | null = null;
  for (const e of events) {
    if (e.event === 'ready') v = e.trust ? (e.trust as any).version : null;
    else if (e.event === 'trust' && e.what === 'installed') v = e.version as number;
  }
  return v;
}

/** The collector expectation of a scenario. */
async function expectCollector(x: any, collector: SimCollector, config: any, events: BoardEvent[], fail: (m: string) => void): Promise<void> {
  const gateId = x.gateId !== undefined ? x.gateId : config.gateId;
  const rows = await collector.records(gateId);
  if (x.records !== undefined && rows.length !== x.records) fail(`expected the collector to hold ${x.records} records of ${gateId}, it holds ${rows.length}`);
  const maxDropped = rows.filter((r) => r.kind === 'dropped').reduce((m, r) => Math.max(m, r.dropped), 0);
  if (x.unique) {
    // every record the gate logged (its `log` events) is held, once, and nothing else; records the
    // journal had to drop (flash full) are counted by its drop counter, which the collector holds
    const logged = events.filter((e) => e.event === 'log').map((e) => Number(e.seq));
    const dupLogged = logged.filter((v, k) => logged.indexOf(v) !== k);
    if (dupLogged.length) fail(`the gate logged seq ${dupLogged[0]} twice`);
    const held = rows.filter((r) => r.kind === 'entry').map((r) => r.seq);
    const missing = logged.filter((v) => held.indexOf(v) < 0);
    const extra = held.filter((v) => logged.indexOf(v) < 0);
    if (missing.length > maxDropped) fail(`the collector lacks logged seqs ${missing.join(',')} (drop counter ${maxDropped})`);
    if (extra.length) fail(`the collector holds entries the gate never logged: ${extra.join(',')}`);
  }
  if (x.dropped !== undefined && maxDropped !== x.dropped) fail(`expected a drop counter of ${x.dropped}, got ${maxDropped}`);
  if (x.trustVersion !== undefined) {
    const g = collector.trust.gates(true)[gateId];
    const v = g ? g.version : null;
    if (v !== x.trustVersion) fail(`expected the collector to know ${gateId} at trust version ${x.trustVersion}, it knows ${v}`);
  }
  if (x.trace) {
    const secretHex = config.site && config.site.secret ? config.site.secret : config['site.secret'];
    const sub = x.trace.sub !== undefined ? Buffer.from(x.trace.sub, 'hex') : Buffer.from(x.trace.subText, 'utf8');
    const subject = new Uint8Array(crypto.createHmac('sha256', Buffer.from(String(secretHex), 'hex')).update(sub).digest().subarray(0, 16));
    const hits = (await collector.trace(subject, (x.trace.windowMin === undefined ? 30 : x.trace.windowMin) * 60))
      .filter((h) => h.entry.gateId === gateId);
    if (x.trace.entries !== undefined && hits.length !== x.trace.entries) fail(`trace: expected ${x.trace.entries} entries of ${hexOf(subject)}, got ${hits.length}`);
    if (x.trace.contacts !== undefined) {
      const others = new Set<string>();
      for (const h of hits) for (const c of h.contacts) others.add(hexOf(c.subject));
      if (others.size !== x.trace.contacts) fail(`trace: expected ${x.trace.contacts} other subjects near ${hexOf(subject)}, got ${others.size}`);
    }
  }
}
