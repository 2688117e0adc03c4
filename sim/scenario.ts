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
//                             came from the repeat-visitor cache, without a signature check),
//                             alarm ('forced'|'held'|'none': the door's alarm now, from its
//                             `alarm` events), buzzer (bool: the alarm buzzer, door.buzzer, sounded
//                             within the last second: its pattern is 500 ms on, 500 ms off).
//   {"power": "cut"|"on"}     cut: RAM and timers lost, flash kept; on: boot from flash.
//   {"network": "down"|"up"}  the uplink's network (board.network; uplink sims read it).
//   {"clock": ISO|seconds|null}  set the battery-backed clock; null = clock lost (never set).
//   {"tear": N}               extension: the next flash write is cut after N data bytes and power
//                             is lost at that moment (option "mode": "flash" counts headers too).
//   {"pin": NAME, "level": bool}  extension: drive an input pin (button, door contact).
//   {"ram": "fragmented"|"defrag"}  extension (a board with a chip: the ARM boards' own bundles):
//                             fragmented: from now on a new typed array is not flat (its address 0)
//                             until the program calls E.defrag; defrag: E.defrag() runs now, as if
//                             something else had called it (every flat buffer moves: sim/espruino).
//   {"door": "open"|"close"}  the door contact (configuration door.contact, its polarity
//                             door.contactOpenHigh): the door opens / closes. A gate with a contact
//                             starts with the door closed.
//   {"button": "press"|"hold"|"release"}  the exit button (door.button, door.buttonActiveHigh):
//                             press = pressed for 200 ms then released; hold = pressed until a
//                             release step (a stuck button).
//   {"collector": "start"|"stop"|"restart"|"crash"}  extension (needs top-level "collector": true):
//                             the in-process collector (sim/collector.ts); crash: the next batch
//                             is committed, then the collector dies before answering (until "start").
//   Issue 14 (occupancy, capacity, the booth):
//   {"exitScan": TEXT}        extension: the text then "\r" through the exit-side scanner's UART
//                             (the configuration's capacity.exitSerial): someone leaving.
//   {"level": N, "site": S}   extension (needs "collector": true): `qrgate collector level set S N`
//                             at the in-process collector (site default "*"); gates get it with
//                             their next acknowledgement.
//   expect extensions: occupancy {n, max, level} (of the gate's latest `occupancy` event);
//                             collector {referrals, exits} (the gate's booth referrals and exits
//                             summed over `qrgate collector report`'s hours).
//   {"modem": {"fail": REPLY, "count": N}}  extension (uplink.transport "lora"): the next N uplinks
//                             get that reply from the modem (sim/rn2483.ts MODEM_FAULTS).
//   {"publishTrust": PATH}    extension (issue 13; needs "collector": true): the collector publishes
//                             that trust bundle (relative to the scenario file) as `qrgate collector
//                             trust publish` does (unchecked here: the gate checks it).
//   expect extensions for the uplink: collector {records (stored records of the gate, any kind),
//                             unique (the gate's entries are exactly the records it logged, each
//                             once), alarms (the gate's door alarm records held, in seq order:
//                             ["forced", "cleared", ...]), dropped (largest drop counter), gateId (default the config's),
//                             trace {sub HEX | subText TEXT, windowMin (30), entries, contacts}},
//                             modem {dutyRefusals, joined}; trust (the version of the bundle the
//                             gate uses: its ready event, then each `trust` installed event);
//                             collector.trustVersion (the version the gate last reported to it).
// Gate identity (extension; README "Gate identity", "Trusted time"): top-level "identity": true
// (needs "collector": true, Wi-Fi or LoRa) registers the configuration's gateId at the collector (its
// registry of gates: every batch must then be authenticated) and flashes the key as qg.id with a
// fresh epoch, as `qrgate collector gates add` and `qrgate flash --key` do; steps
//   {"collectorTime": ISO|seconds}  the collector's clock, which its answers carry (default the host's);
//   {"forge": N}              the collector's next N answers reach the gate with their time moved
//                             a year on (the mac left as it was): a forger on the path. LoRa: the
//                             next N time downlinks (FPort 202); the first of them, when an earlier
//                             genuine one exists, is that one replayed instead.
//   {"forgeAcks": N}          LoRa: the collector's next N sealed answers that acknowledge records
//                             reach the gate with a bit of their first range flipped (the MAC left
//                             as it was): the gate must delete nothing for them and send them again.
// The clock keeps running across a power cut (battery-backed) unless a step sets it to null.
//
// The scanner module (extension): top-level "scanner": "gm65" | "silent" | "plain" (default plain:
// nothing answers what the gate writes to the scanner UART, as before the model existed) puts a
// Grow GM65-style module model on the profile's scanner UART (sim/gm65.ts): gm65 answers the
// gate's zone-bit commands and applies them, silent hears them and never answers.
//   {"gm65": {"fail": "silent"|"badcrc"|"nak", "count": N}}  the module's next N answers go wrong
//                             (needs "scanner": "gm65"; the gate configures the module at boot:
//                             follow with a power cut and on).
//   {"show": TEXT}            a code in front of the module (options "symbology": "qr" (default)
//                             | "code128", "trigger": true for manual mode): sent to the board only
//                             when the module's settings read it (sim/gm65.ts show); a settings
//                             barcode (the model's stand-in "@GM65:AAAA=VV") is obeyed while
//                             the module's setting codes are open.
//   expect extension scanner {state (the gate's latest `scanner` event's, "none" when there was
//                             none), mode, light, beep, qrOnly, sameCodeMs, settingCodes (open:
//                             true) (the module's settings in RAM), saves (save-to-flash commands
//                             the module received), settingCodesRead (settings barcodes obeyed)}.
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
import { SimBoard, BoardEvent, writeLayout } from './board';
import { planLayout } from '../tools/board/layout';
import { codeFiles } from '../tools/flashfiles';
import { validateConfig } from '../firmware/config';
import { boardProfile } from '../firmware/boards';
import { boardFileOf } from '../boards/index';
import { FlashImage } from './flash';
import { IoTracker, advanceWithIo, runWithIo, httpModule, wifiModule } from './net';
import { SimCollector } from './collector';
import { identityFile } from '../tools/collector/gates';
import { ID_FILE } from '../proto/gateauth';
import { Rn2483Emulator, NetworkServerEmulator, MODEM_FAULTS } from './rn2483';
import { Gm65Emulator, GM65_KINDS, GM65_FAULTS } from './gm65';

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
  /** Storage of this many bytes instead of the board profile's (a bundle that outgrew its board), in the board's pages. */
  flashBytes?: number;
  /**
   * A native (ARM) board running its own bundle dist/gate-<board>.js is flashed with the layout
   * `qrgate flash` plans (tools/board/layout.ts: the image in a free area, the loader in Storage)
   * and its native verifier is emulated (sim/board.ts nativeVerifierEmulator). false: the code
   * is written as .bootcde and the native code is neither written nor runnable.
   */
  layout?: boolean;
  /** The board's Espruino built with SAVE_ON_FLASH: no atob, btoa, E.CRC32 (sim/espruino/builtins.ts). */
  saveOnFlash?: boolean;
}

export interface ScenarioResult {
  ok: boolean; failures: string[]; events: BoardEvent[];
  /** The collector's SQLite file (with keepCollectorDb). */
  collectorDb?: string;
  /** The LoRa modem model, when there was one (for tests: its log and counters). */
  modem?: Rn2483Emulator;
  network?: NetworkServerEmulator;
  /** The scanner module model (top-level "scanner"). */
  module?: Gm65Emulator;
  /** The board as the scenario left it (stopped): for tests, e.g. its sandbox's E.defrag count. */
  board?: SimBoard;
}

const TOP_KEYS = ['config', 'trust', 'clock', 'steps', 'board', 'name', 'description', 'comment', 'collector', 'wiring', 'scanner', 'identity'];
const STEP_KEYS: { [step: string]: string[] } = {
  scan: ['paced'], scanRaw: ['paced'], wait: [], hang: [], expect: [], power: [], network: [], clock: [],
  tear: ['mode'], pin: ['level'], collector: [], modem: [], ram: [],
  door: [], button: [],
  exitScan: ['paced'], level: ['site'],
  gm65: [], show: ['symbology', 'trigger'],
  // gate identity
  collectorTime: [], forge: [], forgeAcks: [],
  publishTrust: [],
};
const EXPECT_KEYS = ['decision', 'reason', 'format', 'kid', 'cti', 'cached', 'relay', 'led', 'events', 'console', 'maxMemory', 'flash',
  'collector', 'modem', 'alarm', 'occupancy', 'scanner', 'trust', 'buzzer'];
const COLLECTOR_EXPECT_KEYS = ['records', 'unique', 'dropped', 'gateId', 'trace', 'alarms', 'referrals', 'exits', 'trustVersion'];
const SCANNER_EXPECT_KEYS = ['state', 'mode', 'light', 'beep', 'qrOnly', 'sameCodeMs', 'saves', 'settingCodes', 'settingCodesRead'];

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
  if (sc.scanner !== undefined && GM65_KINDS.indexOf(sc.scanner) < 0) bad(`scanner must be one of ${GM65_KINDS.join(', ')}`);
  if (sc.identity !== undefined && (sc.identity !== true || !sc.collector)) bad('identity must be true, with "collector": true');
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
      case 'exitScan': if (typeof v !== 'string') bad(`${where}: exitScan must be text`); break;
      case 'level':
        if (!Number.isInteger(v) || v < 0 || v > 9) bad(`${where}: level must be 0..9`);
        if (st.site !== undefined && (typeof st.site !== 'string' || !st.site)) bad(`${where}: site must be text`);
        if (!sc.collector) bad(`${where}: a level step needs the top-level "collector": true`);
        break;
      case 'scanRaw': if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) bad(`${where}: scanRaw must be hex`); break;
      case 'wait':
        if (typeof v !== 'number' || !(v >= 0) || !isFinite(v)) bad(`${where}: wait must be milliseconds >= 0`);
        if (v > MAX_WAIT_MS) bad(`${where}: wait ${v} ms is more than ${MAX_WAIT_MS} ms (31 days): wait in shorter steps, or set the board's clock with a clock step`);
        break;
      case 'hang':
        if (typeof v !== 'number' || !(v >= 0) || !isFinite(v)) bad(`${where}: hang must be milliseconds >= 0`);
        if (v > MAX_WAIT_MS) bad(`${where}: hang ${v} ms is more than ${MAX_WAIT_MS} ms (31 days)`);
        break;
      case 'power': if (v !== 'cut' && v !== 'on') bad(`${where}: power must be "cut" or "on"`); break;
      case 'ram': if (v !== 'fragmented' && v !== 'defrag') bad(`${where}: ram must be "fragmented" or "defrag"`); break;
      case 'network': if (v !== 'down' && v !== 'up') bad(`${where}: network must be "down" or "up"`); break;
      case 'clock': parseClock(v, where); break;
      case 'tear':
        if (typeof v !== 'number' || !(v >= 0)) bad(`${where}: tear must be a byte count`);
        if (st.mode !== undefined && st.mode !== 'data' && st.mode !== 'flash') bad(`${where}: mode must be "data" or "flash"`);
        break;
      case 'pin':
        if (typeof v !== 'string' || typeof st.level !== 'boolean') bad(`${where}: pin needs a name and "level": true|false`);
        break;
      case 'door': if (v !== 'open' && v !== 'close') bad(`${where}: door must be "open" or "close"`); break;
      case 'button': if (v !== 'press' && v !== 'hold' && v !== 'release') bad(`${where}: button must be "press", "hold" or "release"`); break;
      case 'collector':
        if (['start', 'stop', 'restart', 'crash'].indexOf(v) < 0) bad(`${where}: collector must be "start", "stop", "restart" or "crash"`);
        if (!sc.collector) bad(`${where}: a collector step needs the top-level "collector": true`);
        break;
      case 'collectorTime':
        if (!sc.collector) bad(`${where}: a collectorTime step needs the top-level "collector": true`);
        parseClock(v, where);
        break;
      case 'forge':
        if (!sc.identity) bad(`${where}: a forge step needs the top-level "identity": true`);
        if (!Number.isInteger(v) || v < 1) bad(`${where}: forge must be a count >= 1`);
        break;
      case 'forgeAcks':
        if (!sc.identity) bad(`${where}: a forgeAcks step needs the top-level "identity": true (uplink.transport "lora")`);
        if (!Number.isInteger(v) || v < 1) bad(`${where}: forgeAcks must be a count >= 1`);
        break;
      case 'modem':
        if (!v || typeof v !== 'object' || Array.isArray(v) || MODEM_FAULTS.indexOf(v.fail) < 0 ||
            Object.keys(v).some((k) => k !== 'fail' && k !== 'count') ||
            (v.count !== undefined && !(Number.isInteger(v.count) && v.count >= 1))) {
          bad(`${where}: modem must be {"fail": ${MODEM_FAULTS.join('|')}, "count": N >= 1}`);
        }
        break;
      case 'gm65':
        if (sc.scanner !== 'gm65') bad(`${where}: a gm65 step needs the top-level "scanner": "gm65"`);
        if (!v || typeof v !== 'object' || Array.isArray(v) || GM65_FAULTS.indexOf(v.fail) < 0 ||
            Object.keys(v).some((k) => k !== 'fail' && k !== 'count') ||
            (v.count !== undefined && !(Number.isInteger(v.count) && v.count >= 1))) {
          bad(`${where}: gm65 must be {"fail": ${GM65_FAULTS.join('|')}, "count": N >= 1}`);
        }
        break;
      case 'show':
        if (typeof v !== 'string') bad(`${where}: show must be text`);
        if (sc.scanner !== 'gm65' && sc.scanner !== 'silent') bad(`${where}: a show step needs the top-level "scanner": "gm65" or "silent"`);
        if (st.symbology !== undefined && st.symbology !== 'qr' && st.symbology !== 'code128') bad(`${where}: symbology must be "qr" or "code128"`);
        if (st.trigger !== undefined && typeof st.trigger !== 'boolean') bad(`${where}: trigger must be true or false`);
        break;
      case 'expect': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) bad(`${where}: expect must be an object`);
        for (const k of Object.keys(v)) if (EXPECT_KEYS.indexOf(k) < 0) bad(`${where}: unknown expectation '${k}'`);
        if (v.relay !== undefined && typeof v.relay !== 'boolean') bad(`${where}: relay must be true or false`);
        if (v.cached !== undefined && typeof v.cached !== 'boolean') bad(`${where}: cached must be true or false`);
        if (v.led !== undefined && ['green', 'red', 'amber', 'off'].indexOf(v.led) < 0) bad(`${where}: led must be green, red, amber or off`);
        if (v.events !== undefined && (typeof v.events !== 'object' || v.events === null || Object.keys(v.events).some((k) => typeof v.events[k] !== 'number'))) bad(`${where}: events must map names to counts`);
        if (v.console !== undefined && typeof v.console !== 'string') bad(`${where}: console must be text`);
        if (v.alarm !== undefined && ['forced', 'held', 'none'].indexOf(v.alarm) < 0) bad(`${where}: alarm must be forced, held or none`);
        if (v.buzzer !== undefined && typeof v.buzzer !== 'boolean') bad(`${where}: buzzer must be true or false`);
        if (v.maxMemory !== undefined && typeof v.maxMemory !== 'number') bad(`${where}: maxMemory must be a number`);
        if (v.occupancy !== undefined && (!v.occupancy || typeof v.occupancy !== 'object' ||
            Object.keys(v.occupancy).some((k) => ['n', 'max', 'level'].indexOf(k) < 0 || !Number.isInteger(v.occupancy[k])))) {
          bad(`${where}: occupancy must be {n, max, level} (counts)`);
        }
        if (v.flash !== undefined && (typeof v.flash !== 'object' || v.flash === null || Object.keys(v.flash).some((k) => typeof v.flash[k] !== 'boolean'))) bad(`${where}: flash must map file names to true/false`);
        if (v.collector !== undefined) {
          const c = v.collector;
          if (!sc.collector) bad(`${where}: a collector expectation needs the top-level "collector": true`);
          if (!c || typeof c !== 'object' || Array.isArray(c)) bad(`${where}: collector must be an object`);
          for (const k of Object.keys(c)) if (COLLECTOR_EXPECT_KEYS.indexOf(k) < 0) bad(`${where}: unknown collector expectation '${k}'`);
          if (c.records !== undefined && !Number.isInteger(c.records)) bad(`${where}: collector.records must be a count`);
          if (c.dropped !== undefined && !Number.isInteger(c.dropped)) bad(`${where}: collector.dropped must be a count`);
          if (c.alarms !== undefined && (!Array.isArray(c.alarms) || c.alarms.some((a: any) => typeof a !== 'string'))) bad(`${where}: collector.alarms must be a list of alarm names`);
          if (c.unique !== undefined && c.unique !== true) bad(`${where}: collector.unique must be true`);
          if (c.gateId !== undefined && typeof c.gateId !== 'string') bad(`${where}: collector.gateId must be text`);
          for (const k of ['referrals', 'exits']) if (c[k] !== undefined && !Number.isInteger(c[k])) bad(`${where}: collector.${k} must be a count`);
          if (c.trace !== undefined) {
            const t = c.trace;
            if (!t || typeof t !== 'object' || (typeof t.sub === 'string') === (typeof t.subText === 'string')) bad(`${where}: collector.trace needs one of sub (hex) or subText`);
            if (t.sub !== undefined && !/^([0-9a-fA-F]{2})+$/.test(t.sub)) bad(`${where}: collector.trace.sub must be hex`);
            for (const k of Object.keys(t)) if (['sub', 'subText', 'windowMin', 'entries', 'contacts'].indexOf(k) < 0) bad(`${where}: unknown trace key '${k}'`);
            for (const k of ['windowMin', 'entries', 'contacts']) if (t[k] !== undefined && !Number.isInteger(t[k])) bad(`${where}: collector.trace.${k} must be a count`);
          }
        }
        if (v.scanner !== undefined) {
          const m = v.scanner;
          if (!m || typeof m !== 'object' || Array.isArray(m) || Object.keys(m).some((k) => SCANNER_EXPECT_KEYS.indexOf(k) < 0)) bad(`${where}: scanner expects ${SCANNER_EXPECT_KEYS.join(', ')}`);
          if (Object.keys(m).some((k) => k !== 'state') && sc.scanner !== 'gm65' && sc.scanner !== 'silent') bad(`${where}: scanner module settings need the top-level "scanner": "gm65" or "silent"`);
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
  let gateKey: Uint8Array | null = null;
  if (sc.collector) {
    if (!config) bad('"collector": true needs a config');
    if (transport !== 'wifi' && transport !== 'lora') bad('"collector": true needs uplink.transport "wifi" or "lora"');
    collector = new SimCollector();
    if (sc.identity) {
      if (transport !== 'wifi' && transport !== 'lora') bad('"identity": true needs uplink.transport "wifi" or "lora"');
      gateKey = collector.identity(String(config.gateId));
    }
    await collector.start();
    config = setUplinkUrl(config, collector.url(transport));
    configText = JSON.stringify(config);
  }
  const io = new IoTracker();

  const events: BoardEvent[] = [];
  const failures: string[] = [];
  let modem: Rn2483Emulator | undefined;
  let network: NetworkServerEmulator | undefined;
  let gm65: Gm65Emulator | undefined;
  const emitLine = (ev: BoardEvent) => {
    events.push(ev);
    if (ev.event === 'power' && ev.state === 'cut' && modem) modem.powerCycle();
    if (ev.event === 'power' && ev.state === 'cut' && gm65) gm65.powerCycle();
    const line = JSON.stringify(ev);
    if (opts.out) opts.out(line);
    if (opts.trace) opts.trace.write(line + '\n');
  };
  // The relay module as wired (extension "wiring"), else as the configuration says it is.
  const relayActiveHigh = sc.wiring ? sc.wiring.relay === 'active-high' :
    !(config && ((config.relay && config.relay.activeHigh === false) || config['relay.activeHigh'] === false));
  const bfile = boardFileOf(boardProfile(sc.board || DEFAULT_SCENARIO_BOARD).name)!;
  const laidOut = opts.layout !== false && bfile.features.native &&
    path.resolve(bundlePath) === path.resolve(ROOT, 'dist', `gate-${bfile.name}.js`);
  let board!: SimBoard;
  const netModules = { http: httpModule(() => board.network, io), Wifi: wifiModule(), EspruinoWiFi: wifiModule() };
  board = new SimBoard({
    board: sc.board || DEFAULT_SCENARIO_BOARD,
    clock: sc.clock === undefined ? null : parseClock(sc.clock, 'clock'),
    relayActiveHigh,
    onEvent: emitLine,
    modules: netModules,
    flash: opts.flashBytes ? new FlashImage({ size: opts.flashBytes, pageSize: bfile.flash.pageSize }) : undefined,
    native: laidOut,
    saveOnFlash: opts.saveOnFlash,
  });
  if (transport === 'lora' && board.profile.lora) {
    const url = String(uplinkKey(config, 'url') || '');
    network = new NetworkServerEmulator(io, () => url, () => board.network);
    const m = new Rn2483Emulator(board, board.profile.lora.serial, network);
    modem = m;
  }
  // Device models on the UARTs hear what the program writes.
  if (sc.scanner) gm65 = new Gm65Emulator(board, board.profile.scanner.serial, sc.scanner);
  board.onUartWrite = (uart, data) => {
    if (modem && uart === modem.uart) modem.write(data);
    if (gm65 && uart === gm65.uart) gm65.write(data);
  };
  // Flash as `qrgate flash` leaves it: the bundle as .bootcde, the configuration, the trust bundle.
  if (laidOut) {
    const files: { [name: string]: Uint8Array } = codeFiles(bfile.name); // (qg.ed25519, qg.inflate, qg.divoc: its `files`)
    if (configText !== undefined) files['qg.cfg'] = new Uint8Array(Buffer.from(configText, 'utf8'));
    if (trust !== undefined) files['qg.trust'] = new Uint8Array(trust);
    const v = config ? validateConfig(config) : null;
    const log = v && v.config ? v.config.log : { segments: 4, segmentSize: 4096 };
    const journal = [];
    for (let i = 0; i < log.segments; i++) journal.push({ name: `qg.j${i}`, bytes: log.segmentSize });
    const plan = planLayout(bfile, { bundle, files, journal, tokenise: true }); // (as flash plans it for a 2v29 board)
    if (!plan.fits && !opts.flashBytes) throw new ScenarioError(`${bfile.name}: the layout does not fit: ${plan.problems.join('; ')}`);
    writeLayout(board, plan, files);
    if (gateKey) board.flash.write(ID_FILE, identityFile(gateKey));
  } else {
    board.flash.write('.bootcde', bundle);
    if (configText !== undefined) board.flash.write('qg.cfg', configText);
    if (trust !== undefined) board.flash.write('qg.trust', new Uint8Array(trust));
    if (gateKey) board.flash.write(ID_FILE, identityFile(gateKey));
  }
  if (!board.profile.arm) writeTables(board, trust, config);
  // The door contact and exit button as wired (configuration door.*): the door shut, the button released.
  const door = doorWiring(config, board);
  if (door.contact) board.pin(door.contact).set(!door.contactOpenHigh);
  if (door.button) board.pin(door.button).set(!door.buttonActiveHigh);

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
      else if ('exitScan' in st) {
        const uart = configKey(config, 'capacity', 'exitSerial');
        if (!uart) bad(`step ${i + 1}: an exitScan step needs capacity.exitSerial in the configuration`);
        board.emit({ event: 'exitScan', text: st.exitScan });
        board.uart(uart).inject(st.exitScan + '\r', { paced: !!st.paced });
        await runWithIo(board, io);
      } else if ('level' in st) {
        await io.settle();
        collector!.setLevel(st.site || '*', st.level);
        board.emit({ event: 'level', site: st.site || '*', level: st.level });
      }
      else if ('scanRaw' in st) await scan(Buffer.from(st.scanRaw, 'hex').toString('latin1'), !!st.paced, { hex: st.scanRaw.toLowerCase() });
      else if ('wait' in st) {
        const max = opts.maxTimerRuns === undefined ? MAX_TIMER_RUNS : opts.maxTimerRuns;
        if (!await advanceWithIo(board, io, st.wait, max)) {
          bad(`step ${i + 1}: wait ${st.wait} ms runs timers at more than ${max} instants (a repeating timer?): ` +
            `stopped at ${board.clock.ms} ms; wait in shorter steps`);
        }
      }
      else if ('hang' in st) {
        board.emit({ event: 'hang', ms: st.hang });
        board.hang(st.hang);
        await runWithIo(board, io);
      }
      else if ('ram' in st) {
        const sb = board.sandbox;
        if (sb && !sb.dead) {
          if (st.ram === 'fragmented') sb.ramFragmented = true;
          else if (typeof sb.global.E.defrag === 'function') sb.global.E.defrag();
          else bad(`step ${i + 1}: this board's Espruino has no E.defrag`);
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
      } else if ('door' in st || 'button' in st) {
        const pin = 'door' in st ? door.contact : door.button;
        if (!pin) bad(`step ${i + 1}: a ${'door' in st ? 'door step needs door.contact' : 'button step needs door.button'} in the configuration`);
        const active = 'door' in st ? (st.door === 'open') === door.contactOpenHigh : (st.button !== 'release') === door.buttonActiveHigh;
        board.emit({ event: 'door' in st ? 'contact' : 'button', state: 'door' in st ? st.door : st.button });
        board.pin(pin).set(active);
        await runWithIo(board, io);
        if (st.button === 'press') {
          if (!await advanceWithIo(board, io, 200, MAX_TIMER_RUNS)) bad(`step ${i + 1}: runaway timers`);
          board.pin(pin).set(!active);
          await runWithIo(board, io);
        }
      } else if ('collector' in st) {
        await io.settle();
        const c = collector!;
        if (st.collector === 'start') await c.start();
        else if (st.collector === 'stop') await c.stop();
        else if (st.collector === 'restart') await c.restart();
        else c.crash();
        board.emit({ event: 'collector', state: st.collector });
      } else if ('collectorTime' in st) {
        collector!.time = parseClock(st.collectorTime, `step ${i + 1}`);
        collector!.timeSetMs = board.clock.ms;
        collector!.virtualMs = () => board.clock.ms;
        board.emit({ event: 'collector', time: collector!.time });
      } else if ('forge' in st) {
        collector!.forgeAnswers = st.forge;
        board.emit({ event: 'collector', forge: st.forge });
      } else if ('forgeAcks' in st) {
        collector!.forgeAcks = st.forgeAcks;
        board.emit({ event: 'collector', forgeAcks: st.forgeAcks });
      } else if ('publishTrust' in st) {
        await io.settle();
        const r = collector!.trust.publish(new Uint8Array(readOrBad(path.resolve(baseDir, st.publishTrust), 'trust bundle')));
        board.emit({ event: 'collector', publishTrust: r.version });
      } else if ('modem' in st) {
        if (!modem) bad(`step ${i + 1}: a modem step needs uplink.transport "lora" on a board with a LoRa UART`);
        modem.fail(st.modem.fail, st.modem.count || 1);
        board.emit({ event: 'modem', fail: st.modem.fail, count: st.modem.count || 1 });
      } else if ('gm65' in st) {
        gm65!.fail(st.gm65.fail, st.gm65.count || 1);
        board.emit({ event: 'gm65', fail: st.gm65.fail, count: st.gm65.count || 1 });
      } else if ('show' in st) {
        board.emit({ event: 'show', text: st.show });
        gm65!.show(st.show, { symbology: st.symbology, trigger: st.trigger });
        await runWithIo(board, io);
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
        if (x.buzzer !== undefined) {
          if (!door.buzzer) fail(i, 'a buzzer expectation needs door.buzzer in the configuration');
          else if (board.buzzing(door.buzzer, door.buzzerActiveHigh) !== x.buzzer) fail(i, `expected the buzzer ${x.buzzer ? 'sounding' : 'silent'}`);
        }
        if (x.alarm !== undefined) {
          const last = events.filter((e) => e.event === 'alarm').pop();
          const now = last && last.alarm !== 'cleared' ? String(last.alarm) : 'none';
          if (now !== x.alarm) fail(i, `expected alarm ${x.alarm}, got ${now}`);
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
        if (x.occupancy) {
          let o: BoardEvent | undefined;
          for (let k = events.length - 1; k >= 0 && !o; k--) if (events[k].event === 'occupancy') o = events[k];
          if (!o) fail(i, 'expected an occupancy event, there is none (capacity.max 0?)');
          else for (const k of Object.keys(x.occupancy)) if (o[k] !== x.occupancy[k]) fail(i, `expected occupancy ${k} ${x.occupancy[k]}, got ${o[k]}`);
        }
        if (x.scanner) expectScanner(x.scanner, events, gm65, (m) => fail(i, m));
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
  return { ok: failures.length === 0, failures, events, collectorDb: collector && opts.keepCollectorDb ? collector.dbFile : undefined, modem, network, module: gm65, board };
}

/** The scanner expectation: the gate's latest `scanner` event, and the module's settings. */
function expectScanner(x: any, events: BoardEvent[], gm65: Gm65Emulator | undefined, fail: (m: string) => void): void {
  if (x.state !== undefined) {
    const evs = events.filter((e) => e.event === 'scanner');
    const state = evs.length ? evs[evs.length - 1].state : 'none';
    if (state !== x.state) fail(`expected the scanner module ${x.state}, the gate says ${state}`);
  }
  if (!gm65) return;
  const s: any = { ...gm65.settings, saves: gm65.saves, settingCodesRead: gm65.settingCodesRead };
  for (const k of SCANNER_EXPECT_KEYS.slice(1)) {
    if (x[k] !== undefined && s[k] !== x[k]) fail(`expected the scanner module's ${k} ${JSON.stringify(x[k])}, got ${JSON.stringify(s[k])}`);
  }
}

/** The door contact's and exit button's pins and polarity from a configuration (README "Door contact and exit button"). */
function doorWiring(config: any, board: SimBoard): { contact: string; contactOpenHigh: boolean; button: string; buttonActiveHigh: boolean; buzzer: string; buzzerActiveHigh: boolean } {
  const key = (k: string): any => {
    if (!config) return undefined;
    if (config['door.' + k] !== undefined) return config['door.' + k];
    return config.door && typeof config.door === 'object' ? config.door[k] : undefined;
  };
  const pin = (v: any, dflt: string): string => (v === 'board' ? dflt : typeof v === 'string' ? v : '');
  return {
    contact: pin(key('contact'), board.profile.contact), contactOpenHigh: key('contactOpenHigh') !== false,
    button: pin(key('button'), board.profile.button), buttonActiveHigh: key('buttonActiveHigh') === true,
    buzzer: pin(key('buzzer'), board.profile.buzzer), buzzerActiveHigh: key('buzzerActiveHigh') !== false,
  };
}

/** GROUP.KEY of a configuration (nested or dotted). */
function configKey(config: any, group: string, key: string): any {
  if (!config) return undefined;
  if (config[group + '.' + key] !== undefined) return config[group + '.' + key];
  return config[group] && typeof config[group] === 'object' ? config[group][key] : undefined;
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
  if (x.alarms !== undefined) {
    const got = rows.filter((r) => r.kind === 'alarm').map((r) => String(r.alarm));
    if (JSON.stringify(got) !== JSON.stringify(x.alarms)) fail(`expected the collector to hold the alarms ${JSON.stringify(x.alarms)}, it holds ${JSON.stringify(got)}`);
  }
  if (x.dropped !== undefined && maxDropped !== x.dropped) fail(`expected a drop counter of ${x.dropped}, got ${maxDropped}`);
  if (x.referrals !== undefined || x.exits !== undefined) {
    const hours = await collector.hourly(gateId);
    for (const k of ['referrals', 'exits'] as const) {
      if (x[k] === undefined) continue;
      const n = hours.reduce((s, h) => s + h[k], 0);
      if (n !== x[k]) fail(`expected the collector to report ${x[k]} ${k} of ${gateId}, it reports ${n}`);
    }
  }
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
