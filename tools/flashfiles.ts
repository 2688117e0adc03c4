// What `qrgate flash` puts on a board besides the firmware (.bootcde), and which firmware file a
// board gets. Host code; the list is the board file's `files` (boards/<name>.ts), which follows
// its features (boards/types.ts checkBoard):
//   qg.cfg       the configuration (JSON text, as given)
//   qg.lock      the console password derived from site.secret, with its check (firmware/console-lock.ts):
//                the gate locks its console with it even when qg.cfg is damaged
//   qg.trust     the trust bundle (COSE_Sign1 bytes)
//   qg.tb, qg.k* the JavaScript verifier's tables (boards built with jsVerify: tools/tables.ts)
//   qg.ed25519   the native verifier's machine code (boards built with native: the bundle does
//                not carry it and checks the file's SHA-256 before running it)
//   qg.inflate   the native inflate's machine code (ARM boards built with native and divoc: the same)
//   qg.divoc     DIVOC's context table as data, deflate-raw (boards built with divocData: the bundle
//                checks its SHA-256 and inflates it while a DIVOC text is decided)
import * as fs from 'fs';
import { BoardFeatures, NATIVE_FILE_NAME, INFLATE_FILE_NAME, DIVOC_FILE_NAME } from '../boards/types';
import { BOARD_FILES, boardFileOf } from '../boards/index';
import { CONFIG_FILE, TRUST_FILE } from '../firmware/boot';
import { GateConfig, validateConfig } from '../firmware/config';
import { unbuiltFeature } from '../firmware/build-flags';
import { hasComments, stripComments } from './configfile';
import { tableFiles } from './tables';
import { lockFileOf } from './board/unlock';
import { LOCK_FILE } from '../firmware/console-lock';
import { bundlePath, nativeCode, inflateCode, divocTableData } from './build/boards';

export const NATIVE_FILE = NATIVE_FILE_NAME;
export const INFLATE_FILE = INFLATE_FILE_NAME;
export const DIVOC_FILE = DIVOC_FILE_NAME;

/** The code and data files a board's firmware reads and `qrgate flash` writes, by name (its `files` among qg.ed25519, qg.inflate, qg.divoc). */
export function codeFiles(board: string): { [name: string]: Uint8Array } {
  const out: { [name: string]: Uint8Array } = {};
  for (const f of boardFileOf(profileName(board))!.files) {
    if (f.name === NATIVE_FILE) out[f.name] = nativeCode();
    else if (f.name === INFLATE_FILE) out[f.name] = inflateCode();
    else if (f.name === DIVOC_FILE) out[f.name] = divocTableData();
  }
  return out;
}

/**
 * The profile name of a board (profile name or Espruino board id); throws for an unknown one
 * (firmware/boards.ts boardProfile falls back to the first board instead).
 */
export function profileName(board: string): string {
  const b = boardFileOf(board);
  if (!b) throw new Error(`unknown board '${board}' (boards: ${BOARD_FILES.map((x) => x.name).join(', ')})`);
  return b.name;
}

/** The features a board's firmware is built with (boards/<name>.ts). */
export function featuresOf(board: string): BoardFeatures {
  return boardFileOf(profileName(board))!.features;
}

/**
 * What a (validated) configuration asks of a board's own firmware (dist/gate-<board>.js) that its
 * features leave out (boards/<name>.ts; the firmware's own check: firmware/build-flags.ts
 * unbuiltFeature, and uplink.transport in firmware/uplink): one line each, [] when none.
 */
export function featureProblems(board: string, config: GateConfig): string[] {
  const name = profileName(board);
  const f = featuresOf(name);
  const out: string[] = [];
  const t = config.uplink.transport;
  if ((t === 'wifi' && !f.wifi) || (t === 'lora' && !f.lora)) out.push(`uplink.transport ${t} is not built into the firmware for board ${name}`);
  const lacks = unbuiltFeature(config, f.crowd, f.door);
  if (lacks) out.push(`${lacks} is not built into the firmware for board ${name}`);
  return out;
}

/**
 * What a board's own firmware does without, not refused: the scanner module's configuration
 * (scanner.module, gm65 by default) on a board built without it, which uses the module as it is.
 */
export function featureNotes(board: string, config: GateConfig): string[] {
  const name = profileName(board);
  if (featuresOf(name).scannerModule || config.scanner.module === 'none') return [];
  return [`board ${name}'s firmware does not configure the scanner module (scanner.module ${config.scanner.module}): the module is used with its own settings (set scanner.module none to say so)`];
}

function configObject(config: Uint8Array | string | object): any {
  if (config instanceof Uint8Array) return JSON.parse(Buffer.from(config).toString('utf8'));
  if (typeof config === 'string') return JSON.parse(config);
  return config;
}

/** The board's copy of the configuration: as given, or without its comments (tools/configfile). */
function configBytes(config: Uint8Array | string | object): Uint8Array {
  const obj = configObject(config);
  if (hasComments(obj)) return new Uint8Array(Buffer.from(JSON.stringify(stripComments(obj)), 'utf8'));
  if (config instanceof Uint8Array) return config;
  return new Uint8Array(Buffer.from(typeof config === 'string' ? config : JSON.stringify(config), 'utf8'));
}

/**
 * Every file a board needs besides .bootcde: name -> bytes. `config` is the configuration file's
 * bytes or text (written as given) or an object (written as JSON); it must validate.
 */
export function flashFiles(board: string, config: Uint8Array | string | object, trustBytes: Uint8Array): { [name: string]: Uint8Array } {
  const spec = boardFileOf(profileName(board))!.files.map((f) => f.name);
  const v = validateConfig(configObject(config));
  if (!v.config) throw new Error(`configuration: ${v.error}`);
  const out: { [name: string]: Uint8Array } = {};
  for (const name of spec) {
    if (name === CONFIG_FILE) out[name] = configBytes(config);
    else if (name === LOCK_FILE) out[name] = lockFileOf(configObject(config));
    else if (name === TRUST_FILE) out[name] = trustBytes;
    else if (name === 'qg.tb') {
      const t = tableFiles(trustBytes, v.config.verifier.keyTables);
      for (const n of Object.keys(t)) out[n] = t[n];
    } else if (name === 'qg.k*') continue; // (written with qg.tb: one per trusted key)
    else if (name === NATIVE_FILE || name === INFLATE_FILE || name === DIVOC_FILE) out[name] = codeFiles(board)[name];
    else throw new Error(`board ${board}: no content for the file ${name}`);
  }
  return out;
}

/**
 * The firmware file for a board: dist/gate-<profile>.js when it was built (make build-device),
 * else the universal dist/gate.js (which carries every feature and the native code).
 */
export function bundleFor(board: string, dist?: string): string {
  const own = bundlePath(profileName(board), dist);
  return fs.existsSync(own) ? own : bundlePath(undefined, dist);
}
