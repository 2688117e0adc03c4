// The device bundles: dist/gate.js (universal: every feature, the native code embedded; what the
// simulator and tests use by default) and dist/gate-<profile>.js per board profile, built with the
// features of its board file (boards/<name>.ts; esbuild defines of firmware/build-flags.ts; terser
// drops the code they turn off) and carrying only its own board's profile (deviceBoards).
// Usage (after `tsc -p tsconfig.device.json`): npx tsx tools/build/boards.ts [ENTRY.js [OUTDIR]]
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../root';
import { BOARD_FILES } from '../../boards/index';
import { Board, BoardFeatures, BoardProfile, profileOf } from '../../boards/types';
import { NATIVE_ED25519_BASE64 } from '../../firmware/crypto/native-code.generated';
import { NATIVE_INFLATE_BASE64 } from '../../firmware/native-inflate.generated';
import { DIVOC_DATA_BASE64, DIVOC_DATA_SIZE } from '../../proto/divoc/table-data.generated';

// The bundler (esbuild, terser, acorn: build tools) is loaded only when a bundle is built: the
// installed qrgate command reads bundlePath/nativeCode from here and has no build tools.
function bundler(): { bundle: any; GATE_OPTIONS: any; GATE_LAZY: any[] } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('./bundle.js');
}

/** The profiles that get a bundle of their own: every board in boards/. */
export const PROFILES = BOARD_FILES.map((b) => b.name);

/** The board file of a profile name; throws for an unknown one. */
export function boardFile(profile: string): Board {
  const b = BOARD_FILES.filter((x) => x.name === profile)[0];
  if (!b) throw new Error(`unknown board profile '${profile}'`);
  return b;
}

/** What of a board's Espruino decides a bundle's defines besides its features (its profile's). */
export interface BoardCode {
  /** Its Espruino hashes SHA-256 natively (nativeSha256): no JavaScript SHA-256 built in. */
  nativeSha256: boolean;
  /** Cortex-M: with the native code (features.native), no JavaScript inflate built in. */
  arm: boolean;
}

/**
 * The esbuild defines of firmware/build-flags.ts for a feature set, on a board (`board`: its
 * profile's nativeSha256 and arm; default neither: the JavaScript SHA-256 and inflate built in).
 */
export function buildDefines(f: BoardFeatures, nativeSha256: string, board: BoardCode = { nativeSha256: false, arm: false }): { [name: string]: string } {
  const divocData = !!f.divocData;
  if (divocData && !(f.divoc && f.native && board.arm)) throw new Error('features.divocData needs divoc and the native code on an ARM board (its native inflate)');
  return {
    __QG_JS_SHA256__: String(!board.nativeSha256),
    __QG_JS_INFLATE__: String(!(board.arm && f.native)),
    __QG_DIVOC_DATA__: String(divocData),
    __QG_NATIVE__: String(f.native),
    __QG_NATIVE_EMBED__: 'false',
    __QG_JSVERIFY__: String(f.jsVerify),
    __QG_DIVOC__: String(f.divoc),
    __QG_WIFI__: String(f.wifi),
    __QG_LORA__: String(f.lora),
    __QG_CROWD__: String(f.crowd),
    __QG_SCANNER_MODULE__: String(f.scannerModule),
    __QG_DOOR__: String(f.door),
    // the board's DIVOC bounds (0: the global limit)
    __QG_DIVOC_MAX_TEXT__: String(f.divocMax ? f.divocMax.text : 0),
    __QG_DIVOC_MAX_INFLATED__: String(f.divocMax ? f.divocMax.inflated : 0),
    __QG_DIVOC_MAX_VALUES__: String(f.divocMax ? f.divocMax.values : 0),
    __QG_NATIVE_SHA256__: JSON.stringify(nativeSha256),
    __QG_INFLATE_SHA256__: JSON.stringify(sha256Hex(inflateCode())),
    __QG_DIVOC_DATA_SHA256__: JSON.stringify(divocData ? sha256Hex(divocTableData()) : ''),
    __QG_DIVOC_DATA_SIZE__: String(divocData ? DIVOC_DATA_SIZE : 0),
  };
}

/** The defines of the universal bundle dist/gate.js: everything, the native code embedded. */
export function universalDefines(nativeSha256: string): { [name: string]: string } {
  return {
    __QG_JS_SHA256__: 'true', __QG_JS_INFLATE__: 'true', __QG_DIVOC_DATA__: 'false',
    __QG_NATIVE__: 'true', __QG_NATIVE_EMBED__: 'true', __QG_JSVERIFY__: 'true', __QG_DIVOC__: 'true',
    __QG_WIFI__: 'true', __QG_LORA__: 'true', __QG_CROWD__: 'true', __QG_SCANNER_MODULE__: 'true', __QG_DOOR__: 'true',
    __QG_DIVOC_MAX_TEXT__: '0', __QG_DIVOC_MAX_INFLATED__: '0', __QG_DIVOC_MAX_VALUES__: '0',
    __QG_NATIVE_SHA256__: JSON.stringify(nativeSha256), __QG_INFLATE_SHA256__: '""', __QG_DIVOC_DATA_SHA256__: '""', __QG_DIVOC_DATA_SIZE__: '0',
  };
}

/** The boards a bundle carries: every board (universal), or its own board then the Linux build's. */
export function bundleBoards(profile: string): Board[] {
  if (profile === 'universal') return BOARD_FILES.slice();
  const own = boardFile(profile);
  return [own].concat(BOARD_FILES.filter((b) => b !== own && b.name === 'linux'));
}

/** The profiles a bundle's board table holds (bundle.js opts.boards). */
export function deviceBoards(profile: string): BoardProfile[] {
  return bundleBoards(profile).map(profileOf);
}

export const DEFAULT_ENTRY = path.join(ROOT, 'build', 'device', 'firmware', 'main.js');
export const DIST = path.join(ROOT, 'dist');

/** The native verifier's machine code, as `qrgate flash` writes it to qg.ed25519. */
export function nativeCode(): Uint8Array {
  return new Uint8Array(Buffer.from(NATIVE_ED25519_BASE64, 'base64'));
}

export function nativeCodeSha256(): string {
  return sha256Hex(nativeCode());
}

/** The native inflate's machine code, as `qrgate flash` writes it to qg.inflate. */
export function inflateCode(): Uint8Array {
  return new Uint8Array(Buffer.from(NATIVE_INFLATE_BASE64, 'base64'));
}

/** DIVOC's context table as data (deflate-raw), as `qrgate flash` writes it to qg.divoc (features.divocData). */
export function divocTableData(): Uint8Array {
  return new Uint8Array(Buffer.from(DIVOC_DATA_BASE64, 'base64'));
}

function sha256Hex(b: Uint8Array): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** The file of a profile's bundle ('universal' or undefined: dist/gate.js). */
export function bundlePath(profile?: string, dist = DIST): string {
  return path.join(dist, !profile || profile === 'universal' ? 'gate.js' : `gate-${profile}.js`);
}

export interface BuiltBundle {
  profile: string; // 'universal' or a profile name
  file: string;
  bytes: number;
  /** With report: bytes of the bundle per input module (absolute paths; '(glue)' for the rest). */
  modules?: { [file: string]: number };
}

/** Builds one bundle: 'universal' or a profile name. */
export async function buildBundle(profile: string, opts: { entry?: string; dist?: string; out?: string; report?: boolean;
  /** Leave terser's late `var`s in place (tools/build/latevars.js): only for tests reproducing that bug. */
  keepLateVars?: boolean;
  /** Features changed from the board file's (a test's variant of a board: e.g. the Linux build without DIVOC). */
  features?: Partial<BoardFeatures>;
  /** Boot's and the trust store's checks in the core, as on the ARM boards (a test's Linux build shaped like one). */
  armParts?: boolean;
  /**
   * Fields of the bundle's own board profile changed (a test's variant: the Linux build's pins with
   * `arm: true`, so that the firmware calls native code on an ARM Linux interpreter).
   */
  profile?: Partial<BoardProfile>; } = {}): Promise<BuiltBundle> {
  const entry = opts.entry || DEFAULT_ENTRY;
  const out = opts.out || bundlePath(profile, opts.dist);
  const sha = nativeCodeSha256();
  let defines: { [k: string]: string };
  const { bundle, GATE_OPTIONS, GATE_LAZY } = bundler();
  let lazy = GATE_LAZY;
  if (profile === 'universal') defines = universalDefines(sha);
  else {
    const f = Object.assign({}, boardFile(profile).features, opts.features || {});
    const own = Object.assign({}, profileOf(boardFile(profile)), opts.profile || {});
    defines = buildDefines(f, sha, own);
    // The ARM boards (no JavaScript verifier) are short of flash before RAM: boot's checks stay in
    // the core there, since as a lazy part they carry their own copy of the CBOR, COSE and trust
    // bundle decoders (about 9 KB); so does the trust store's check (the part 'trust'). A board
    // short of RAM before flash keeps them lazy (features.lazyBoot: the Original).
    if ((!f.jsVerify && !f.lazyBoot) || opts.armParts) lazy = GATE_LAZY.filter((g: { name: string }) => g.name !== 'boot' && g.name !== 'trust');
    // Parts a board short of flash builds into the core (features.eagerParts: no copies of the
    // modules they share with it, their functions in RAM from boot on).
    const eager = f.eagerParts || [];
    for (const n of eager) if (!GATE_LAZY.some((g: { name: string }) => g.name === n)) throw new Error(`features.eagerParts: no lazy part ${n}`);
    lazy = lazy.filter((g: { name: string }) => eager.indexOf(g.name) < 0);
  }
  const boards = deviceBoards(profile).map((p, i) => (i === 0 && opts.profile ? Object.assign({}, p, opts.profile) : p));
  const r = await bundle(entry, out, defines, Object.assign({}, GATE_OPTIONS, { lazy, boards, report: !!opts.report, keepLateVars: !!opts.keepLateVars }));
  if (typeof r === 'number') return { profile, file: out, bytes: fs.statSync(out).size };
  return { profile, file: out, bytes: r.bytes, modules: r.modules };
}

/** Builds dist/gate.js and every profile's bundle. */
export async function buildAll(opts: { entry?: string; dist?: string; report?: boolean } = {}): Promise<BuiltBundle[]> {
  const out: BuiltBundle[] = [];
  for (const p of ['universal'].concat(BOARD_FILES.map((b) => b.name))) out.push(await buildBundle(p, opts));
  return out;
}

if (require.main === module) {
  const entry = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_ENTRY;
  const dist = process.argv[3] ? path.resolve(process.argv[3]) : DIST;
  buildAll({ entry, dist }).then(
    (all) => { for (const b of all) console.log(`${path.relative(process.cwd(), b.file)}: ${b.bytes} bytes`); },
    (e) => { console.error(`boards: ${e.message}`); process.exit(1); });
}
