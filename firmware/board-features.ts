// What each board profile's firmware carries (its bundle dist/gate-<profile>.js is built with
// these features: firmware/build-flags.ts), decided by the flash budget: the bundle, the files
// `qrgate flash` writes (tools/flashfiles.ts) and the entry-log journal must fit the board's
// Storage (test/build/flash-budget.test.ts measures it; README "Flash budget" has the figures).
// Host data: device code does not import this file (a board runs only its own bundle).

export interface BoardFeatures {
  /** The native (ARM) verifier; its code is the Storage file qg.ed25519, not in the bundle. */
  native: boolean;
  /** The JavaScript verifier, its flash tables and JavaScript SHA-512 (boards without native code). */
  jsVerify: boolean;
  /** PeduliLindungi (DIVOC) certificates. */
  divoc: boolean;
  /** uplink.transport 'wifi'. */
  wifi: boolean;
  /** uplink.transport 'lora' (an RN2483 on the profile's LoRa UART). */
  lora: boolean;
  /**
   * Whether the bundle, the files and the default journal (log.segments x log.segmentSize =
   * 4 x 4 KB) fit this board's Storage. A board that does not fit is not supported: `qrgate
   * flash` refuses it and the simulator runs it only with the universal bundle.
   */
  fits: boolean;
  /** Why a feature is left out, or why the board does not fit (README). */
  note: string;
}

export var BOARD_FEATURES: { [profile: string]: BoardFeatures } = {
  wifi: {
    native: true, jsVerify: false, divoc: false, wifi: true, lora: false, fits: false,
    note: 'QG1 + Wi-Fi firmware, qg.ed25519 and the journal need about 86 KB of the 64 KB of Storage',
  },
  pico: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, fits: false,
    note: 'the QG1 firmware, qg.ed25519 and the journal need about 79 KB of the 48 KB of Storage',
  },
  original: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, fits: false,
    note: 'the QG1 firmware alone (55 KB) is larger than the 20 KB of Storage',
  },
  esp32: {
    native: false, jsVerify: true, divoc: true, wifi: true, lora: true, fits: true,
    note: 'everything (896 KB of Storage)',
  },
  mdbt42q: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, fits: false,
    note: 'the QG1 firmware alone (55 KB) is larger than the 40 KB of Storage',
  },
  linux: {
    native: false, jsVerify: true, divoc: true, wifi: true, lora: true, fits: true,
    note: 'everything (the Linux build, for tests)',
  },
};

/** The esbuild defines of firmware/build-flags.ts for a feature set. */
export function buildDefines(f: BoardFeatures, nativeSha256: string): { [name: string]: string } {
  return {
    __QG_NATIVE__: String(f.native),
    __QG_NATIVE_EMBED__: 'false',
    __QG_JSVERIFY__: String(f.jsVerify),
    __QG_DIVOC__: String(f.divoc),
    __QG_WIFI__: String(f.wifi),
    __QG_LORA__: String(f.lora),
    __QG_NATIVE_SHA256__: JSON.stringify(nativeSha256),
  };
}

/** The defines of the universal bundle dist/gate.js: everything, the native code embedded. */
export function universalDefines(nativeSha256: string): { [name: string]: string } {
  return {
    __QG_NATIVE__: 'true', __QG_NATIVE_EMBED__: 'true', __QG_JSVERIFY__: 'true', __QG_DIVOC__: 'true',
    __QG_WIFI__: 'true', __QG_LORA__: 'true', __QG_NATIVE_SHA256__: JSON.stringify(nativeSha256),
  };
}
