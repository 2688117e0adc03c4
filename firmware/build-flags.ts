// Compile-time feature flags of the device bundle. tools/build/boards.ts builds one bundle per
// board profile (dist/gate-<profile>.js) with esbuild `define`s that set the __QG_*__ names to
// true or false; terser then folds the constants below and drops the code they guard (and the
// modules only that code imports). Where no define is given (the universal dist/gate.js is
// built with every flag true; Node running this file through tsx, tests, the simulator's host
// side) every feature is in.
//
// Read a flag only through these exported constants, and put the constant first in a condition
// (`if (QG_DIVOC && ...)`) so that the folded `false && ...` lets the whole branch go.

declare var __QG_NATIVE__: boolean;
declare var __QG_NATIVE_EMBED__: boolean;
declare var __QG_JSVERIFY__: boolean;
declare var __QG_DIVOC__: boolean;
declare var __QG_WIFI__: boolean;
declare var __QG_LORA__: boolean;
declare var __QG_CROWD__: boolean;
declare var __QG_SCANNER_MODULE__: boolean;
declare var __QG_DOOR__: boolean;
declare var __QG_JS_SHA256__: boolean;
declare var __QG_JS_INFLATE__: boolean;
declare var __QG_DIVOC_DATA__: boolean;

/** The native (ARM machine code) Ed25519 verifier, run through E.nativeCall. */
export var QG_NATIVE: boolean = typeof __QG_NATIVE__ === 'undefined' ? true : __QG_NATIVE__;
/**
 * The native verifier's machine code is inside the bundle (base64, 10.5 KB), and the firmware
 * writes it to flash itself. False: `qrgate flash` writes it as the Storage file qg.ed25519 and
 * the firmware only reads it (a missing or wrong file is a self-test fault).
 */
export var QG_NATIVE_EMBED: boolean = typeof __QG_NATIVE_EMBED__ === 'undefined' ? true : __QG_NATIVE_EMBED__;
/**
 * The JavaScript verifier (strict Ed25519, its flash tables, JavaScript SHA-512). Without it a
 * board whose native verifier cannot run or fails its self-test reports a fault and never opens.
 */
export var QG_JSVERIFY: boolean = typeof __QG_JSVERIFY__ === 'undefined' ? true : __QG_JSVERIFY__;
/** PeduliLindungi (DIVOC, `B64:`) certificates; without it they are 'unsupported'. */
export var QG_DIVOC: boolean = typeof __QG_DIVOC__ === 'undefined' ? true : __QG_DIVOC__;
/** The Wi-Fi uplink (uplink.transport 'wifi'). */
export var QG_WIFI: boolean = typeof __QG_WIFI__ === 'undefined' ? true : __QG_WIFI__;
/** The LoRaWAN uplink through an RN2483 (uplink.transport 'lora'), and trust updates in LoRa fragments. */
export var QG_LORA: boolean = typeof __QG_LORA__ === 'undefined' ? true : __QG_LORA__;
/** Occupancy counting: capacity, anti-passback, the exit-side scanner (firmware/occupancy.ts). */
export var QG_CROWD: boolean = typeof __QG_CROWD__ === 'undefined' ? true : __QG_CROWD__;
/** The scanner module's configuration at boot (firmware/scanner-setup.ts). */
export var QG_SCANNER_MODULE: boolean = typeof __QG_SCANNER_MODULE__ === 'undefined' ? true : __QG_SCANNER_MODULE__;
/** The door contact and exit button (firmware/doorwatch.ts). */
export var QG_DOOR: boolean = typeof __QG_DOOR__ === 'undefined' ? true : __QG_DOOR__;

/**
 * The JavaScript SHA-256 (firmware/crypto/sha256.ts). False on boards whose Espruino hashes
 * natively (board file `nativeSha256`: require('crypto').SHA256): a firmware that finds no native
 * SHA-256 at boot reports a `sha256` fault and keeps the door locked (firmware/main.ts).
 */
export var QG_JS_SHA256: boolean = typeof __QG_JS_SHA256__ === 'undefined' ? true : __QG_JS_SHA256__;
/**
 * The JavaScript inflate (proto/inflate.ts) for DIVOC's zip. False on ARM boards with native code:
 * they inflate with the native inflate (firmware/native-inflate.ts, the flash file qg.inflate);
 * where that is missing or fails its self-test, the firmware reports an `inflate` fault at boot and
 * refuses DIVOC texts as `unsupported` (QG1 goes on: firmware/main.ts, firmware/decide.ts).
 */
export var QG_JS_INFLATE: boolean = typeof __QG_JS_INFLATE__ === 'undefined' ? true : __QG_JS_INFLATE__;
/**
 * DIVOC's context table (proto/divoc/table.generated.ts, 9.75 KB of string literals) as compressed
 * data in the flash file qg.divoc that `qrgate flash` writes, inflated natively into RAM while a
 * DIVOC text is decided (proto/divoc/table.ts, firmware/divoc-read.ts): for a board short of flash
 * (boards/<name>.ts features.divocData). False: the literals.
 */
export var QG_DIVOC_DATA: boolean = typeof __QG_DIVOC_DATA__ === 'undefined' ? false : __QG_DIVOC_DATA__;

/** The features this firmware was built with (the `ready` line and `qrgate doctor` show them). */
export function builtFeatures(): string[] {
  var f: string[] = [];
  if (QG_NATIVE) f.push('native');
  if (QG_JSVERIFY) f.push('jsverify');
  if (QG_DIVOC) f.push('divoc');
  if (QG_WIFI) f.push('wifi');
  if (QG_LORA) f.push('lora');
  if (QG_CROWD) f.push('crowd');
  if (QG_SCANNER_MODULE) f.push('scanner-module');
  if (QG_DOOR) f.push('door');
  return f;
}

/** The configuration keys that ask for an optional feature (firmware/config.ts GateConfig). */
export interface FeatureKeys {
  capacity?: any;
  passback?: any;
  door: { contact: string; button: string };
}

/**
 * The first optional feature a (validated) configuration asks for that a firmware built with
 * these features lacks, named by its keys; '' when none. The firmware calls it with its own flags
 * (a configuration asking for more is refused at boot: a `config` fault, the door locked); the
 * host with a board's features (boards/<name>.ts: `qrgate config check`, `qrgate flash`).
 * (Not the scanner module's configuration: `scanner.module` is gm65 by default and the module
 * works as it is without it, as a module that does not answer does: firmware/main.ts says so.)
 */
export function unbuiltFeature(c: FeatureKeys, crowd: boolean, door: boolean): string {
  if (!crowd && c.capacity) return 'occupancy counting (capacity.max, capacity.exitSerial, passback.windowS)';
  if (!door && (c.door.contact || c.door.button)) return 'the door contact and exit button (door.contact, door.button)';
  return '';
}

declare var __QG_NATIVE_SHA256__: string;
declare var __QG_INFLATE_SHA256__: string;
declare var __QG_DIVOC_DATA_SHA256__: string;
declare var __QG_DIVOC_DATA_SIZE__: number;
declare var __QG_DIVOC_MAX_TEXT__: number;
declare var __QG_DIVOC_MAX_INFLATED__: number;
declare var __QG_DIVOC_MAX_VALUES__: number;

/**
 * The board's own bounds on a DIVOC text (boards/<name>.ts features.divocMax, set by the build; 0
 * where not set: the global limit): the text's chars, the inflated bytes, the JSON values.
 * (Called at each DIVOC scan inside the DIVOC part, firmware/divoc-read.ts: nothing after boot.)
 */
export function divocMax(): { text: number; inflated: number; values: number } {
  return {
    text: typeof __QG_DIVOC_MAX_TEXT__ === 'undefined' ? 0 : __QG_DIVOC_MAX_TEXT__,
    inflated: typeof __QG_DIVOC_MAX_INFLATED__ === 'undefined' ? 0 : __QG_DIVOC_MAX_INFLATED__,
    values: typeof __QG_DIVOC_MAX_VALUES__ === 'undefined' ? 0 : __QG_DIVOC_MAX_VALUES__,
  };
}

/**
 * SHA-256 (hex) of the native verifier's machine code, for bundles that read it from the Storage
 * file qg.ed25519 instead of carrying it (set by the build from native-code.generated.ts; '' when
 * not built that way, which no file matches).
 */
export function nativeCodeDigest(): string {
  return typeof __QG_NATIVE_SHA256__ === 'undefined' ? '' : __QG_NATIVE_SHA256__;
}

/**
 * SHA-256 (hex) of the native inflate's machine code, for bundles that read it from the flash file
 * qg.inflate that `qrgate flash` writes (set by the build from native-inflate.generated.ts; '' when
 * not built that way).
 */
export function inflateCodeDigest(): string {
  return typeof __QG_INFLATE_SHA256__ === 'undefined' ? '' : __QG_INFLATE_SHA256__;
}

/**
 * The flash file qg.divoc (QG_DIVOC_DATA): the SHA-256 (hex) of its bytes (deflate-raw) and the
 * size of the table text they inflate to (set by the build from
 * proto/divoc/table-data.generated.ts; '' and 0 when not built that way).
 */
export function divocDataOf(): { sha256: string; size: number } {
  return {
    sha256: typeof __QG_DIVOC_DATA_SHA256__ === 'undefined' ? '' : __QG_DIVOC_DATA_SHA256__,
    size: typeof __QG_DIVOC_DATA_SIZE__ === 'undefined' ? 0 : __QG_DIVOC_DATA_SIZE__,
  };
}
