// What `qrgate flash` puts on a board besides the firmware (.bootcde), and which firmware file a
// board gets. Host code; the lists follow firmware/board-features.ts:
//   qg.cfg       the configuration (JSON text, as given)
//   qg.lock      the console password derived from site.secret, with its check (firmware/console-lock.ts):
//                the gate locks its console with it even when qg.cfg is damaged
//   qg.trust     the trust bundle (COSE_Sign1 bytes)
//   qg.tb, qg.k* the JavaScript verifier's tables (boards built with jsVerify: tools/tables.ts)
//   qg.ed25519   the native verifier's machine code (boards built with native: the bundle does
//                not carry it and checks the file's SHA-256 before running it)
import * as fs from 'fs';
import { BOARD_FEATURES, BoardFeatures } from '../firmware/board-features';
import { BOARDS, boardProfile } from '../firmware/boards';
import { CONFIG_FILE, TRUST_FILE } from '../firmware/boot';
import { validateConfig } from '../firmware/config';
import { hasComments, stripComments } from './configfile';
import { tableFiles } from './tables';
import { lockFileOf } from './board/unlock';
import { LOCK_FILE } from '../firmware/console-lock';
import { bundlePath, nativeCode } from './build/boards';

export const NATIVE_FILE = 'qg.ed25519';

/**
 * The profile name of a board (profile name or Espruino board id); throws for an unknown one
 * (firmware/boards.ts boardProfile falls back to the first board instead).
 */
export function profileName(board: string): string {
  const p = boardProfile(board);
  if (p.name !== board && p.ids.indexOf(board) < 0) {
    throw new Error(`unknown board '${board}' (boards: ${BOARDS.map((b) => b.name).join(', ')})`);
  }
  return p.name;
}

/** The features a board's firmware is built with (firmware/board-features.ts). */
export function featuresOf(board: string): BoardFeatures {
  return BOARD_FEATURES[profileName(board)];
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
  const f = featuresOf(board);
  const v = validateConfig(configObject(config));
  if (!v.config) throw new Error(`configuration: ${v.error}`);
  const out: { [name: string]: Uint8Array } = {};
  out[CONFIG_FILE] = configBytes(config);
  out[LOCK_FILE] = lockFileOf(configObject(config));
  out[TRUST_FILE] = trustBytes;
  if (f.jsVerify) {
    const t = tableFiles(trustBytes, v.config.verifier.keyTables);
    for (const name of Object.keys(t)) out[name] = t[name];
  }
  if (f.native) out[NATIVE_FILE] = nativeCode();
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
