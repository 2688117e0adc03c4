// The schema of a board file (boards/<name>.ts): everything the project knows about one board.
// Plain data and ES5 (device-safe), but only the device part (`BoardProfile`, made by
// `profileOf`) reaches a board: the bundler writes the firmware's board table from it
// (tools/build/bundle.js `boardTableSource`), the per-board bundle carrying its own board only.
// Everything else (flash geometry, features, file layout, notes) is read by host code: the
// simulator (sim/board.ts), the flasher and its budget (tools/flashfiles.ts, tools/flashbudget.ts),
// the bundle builder (tools/build/boards.ts) and the README's tables (tools/build/readme-tables.ts).
// A new board is one file in boards/ and one line in boards/index.ts; `checkBoard` is its schema.

/** A UART and its pins. */
export interface UartPins { serial: string; rx: string; tx: string }

/** The RN2483 LoRaWAN modem's UART (57600 baud) and its RESET line (active low). */
export interface LoraPins { serial: string; rx: string; tx: string; reset?: string }

/** What the firmware needs of its board at run time: the firmware's board table (firmware/boards.ts). */
export interface BoardProfile {
  /** Espruino's process.env.BOARD values that select this profile. */
  ids: string[];
  name: string;
  scanner: UartPins;
  relay: string;
  led: { green: string; red: string; amber: string };
  /** The door contact's and the exit button's pins (configuration door.contact / door.button "board"). */
  contact: string;
  button: string;
  /** The alarm buzzer's pin (configuration door.buzzer "board"). */
  buzzer: string;
  /** uplink.transport 'lora'; null on boards without a second free UART. */
  lora: LoraPins | null;
  /** Native SHA-512 in require('crypto'). */
  nativeSha512: boolean;
  /** Native SHA-256 in require('crypto'). */
  nativeSha256: boolean;
  /** Cortex-M: E.nativeCall can run Thumb-2 code. */
  arm: boolean;
  /** Variables (JsVars) available. */
  vars: number;
  /** The Espruino module that joins Wi-Fi (require('EspruinoWiFi'), require('Wifi')); '' when the firmware has none. */
  wifi: string;
  /** Espruino's Linux build: the host's network (no Wi-Fi module needed) and the --telnet console its owner asked for. */
  host: boolean;
  /** The hardware watchdog's timeout, seconds, that the firmware arms once booted (0: none). */
  watchdogS: number;
  /** Free variables a decision needs, by kind of text (Board.memReserve); null: the cache never gives memory back. */
  reserve: MemReserve | null;
}

/**
 * Free variables (JsVars) a decision may need on a board, by the kind of text: a DIVOC text
 * (`B64:`) and any other (QG1, unsupported). Before deciding a text the repeat-visitor cache did
 * not answer, the gate lets go of its least recently used cache entries until that many are free
 * (firmware/gate.ts).
 */
export interface MemReserve { qg1: number; divoc: number }

/** Per-board DIVOC input bounds (proto/divoc/verify.ts DivocLimits). */
export interface DivocMax { text: number; inflated: number; values: number }

/** What the board's firmware carries (its bundle dist/gate-<name>.js; firmware/build-flags.ts). */
export interface BoardFeatures {
  /** The native (ARM) verifier; its code is the Storage file qg.ed25519, not in the bundle. */
  native: boolean;
  /** The JavaScript verifier, its flash tables and JavaScript SHA-512 (boards without native code). */
  jsVerify: boolean;
  /** PeduliLindungi (DIVOC) certificates. */
  divoc: boolean;
  /**
   * The board's own bounds on a DIVOC text, tighter than the global ones (README "Limits on
   * unsigned input"), for a board whose variables would otherwise run out on the worst texts the
   * global limits let through (test/real/stores.test.ts): the `B64:` text's chars, the inflated
   * certificate's bytes (read from the zip's headers, before inflating) and the JSON values
   * (counted while parsing, before the statements are made). Absent: the global limits.
   */
  divocMax?: DivocMax;
  /**
   * DIVOC's context table as compressed data in the flash file qg.divoc (firmware/build-flags.ts
   * QG_DIVOC_DATA: about 8 KB less firmware, the table inflated into RAM, about 9 KB, while a DIVOC
   * text is decided), for a board short of flash; needs divoc and the native code (its native
   * inflate). Absent: the table's literals in the firmware.
   */
  divocData?: boolean;
  /** uplink.transport 'wifi'. */
  wifi: boolean;
  /** uplink.transport 'lora' (an RN2483 on the board's LoRa UART), and trust updates in LoRa fragments. */
  lora: boolean;
  /**
   * Occupancy counting (issue 14, firmware/occupancy.ts): capacity, anti-passback, the exit-side
   * scanner (configuration keys capacity.*, passback.windowS).
   */
  crowd: boolean;
  /** The scanner module's configuration at boot (scanner.module other than 'none': firmware/scanner-setup.ts). */
  scannerModule: boolean;
  /** The door contact and exit button (door.contact, door.button: firmware/doorwatch.ts). */
  door: boolean;
  /**
   * Boot's checks (the configuration, the trust bundle) as lazy parts on a board with native code,
   * whose functions exist only while they run, at the price of their own copy of the CBOR, COSE and
   * trust bundle decoders in flash (about 9 KB): for a board short of RAM before flash (the
   * Original). Absent: in the core, as on the other ARM boards (tools/build/boards.ts).
   */
  lazyBoot?: boolean;
  /**
   * Lazy parts of the bundle (tools/build/bundle.js GATE_LAZY) built into the core on this board,
   * for a board short of flash before RAM: a part carries its own copy of every module it shares
   * with the core, and a part whose functions stay alive once started anyway (a running uplink, the
   * native inflate's glue) costs no RAM more in the core. Absent: every part lazy.
   */
  eagerParts?: string[];
  /**
   * Whether the bundle, the files and the default journal (log.segments x log.segmentSize =
   * 4 x 4 KB) fit this board's Storage (test/tools/flashbudget.test.ts measures it). A board that
   * does not fit is not supported: `qrgate flash` refuses it and the simulator runs it only with
   * the universal bundle.
   */
  fits: boolean;
  /**
   * Why a feature is left out, or why the board does not fit. A configuration asking for a feature
   * the board's firmware lacks is refused (firmware/build-flags.ts unbuiltFeature: at boot, by
   * `qrgate config check` with its board, and by `qrgate flash` before writing).
   */
  note: string;
}

/**
 * An area of flash, as `require('Flash').getFree()` reports it ({addr, length}); `page`: its
 * erase page (sector) size, where it is known (free areas: `qrgate flash` erases whole pages).
 * `guard` (free areas): bytes before the area that the board must report free too and that are
 * never written. On the nRF52 getFree() starts its area at the page after the end of Espruino's
 * code (`__etext`), but the image of Espruino's initialised data (.data, a few hundred bytes)
 * lies right after that end and may spill into that page: a one-page guard keeps it safe.
 */
export interface FlashArea { addr: number; length: number; what: string; page?: number; guard?: number }

/** The board's flash, from Espruino's boards/<BOARD>.py and targets/<family>/jshardware.c (2v29). */
export interface BoardFlash {
  /** FLASH_SAVED_CODE_START: where Storage (require('Storage')) begins. */
  storageStart: number;
  /** FLASH_SAVED_CODE_LENGTH: Storage's size (bytes). */
  storageSize: number;
  /** The erase page (sector) size of the Storage area. */
  pageSize: number;
  /** require('Flash').getFree(): flash outside Storage, Espruino's firmware and its bootloader. */
  free: FlashArea[];
  /**
   * What Espruino itself occupies (bootloader, firmware, SoftDevice, its file system): nothing
   * `qrgate flash` plans may touch it (tools/board/layout.ts checkPlan). Where the firmware's end
   * depends on the build, the whole area Espruino's build reserves for it is listed.
   */
  reserved: FlashArea[];
}

/** A file `qrgate flash` writes besides the firmware (.bootcde), and where. */
export interface BoardFileSpec {
  /** The Storage file name; 'qg.k*' stands for one table file per trusted key. */
  name: string;
  /** 'storage': a file in Espruino's Storage. */
  area: 'storage';
}

export interface Board {
  /** The profile name (`--board`, dist/gate-<name>.js). */
  name: string;
  /** The board's name in the README. */
  title: string;
  /** Espruino's process.env.BOARD values (the first is the one the simulator reports). */
  ids: string[];
  pins: {
    scanner: UartPins;
    relay: string;
    led: { green: string; red: string; amber: string };
    /** The door contact (input, pulled towards "open") and the exit button (pulled towards "released"). */
    contact: string;
    button: string;
    /** The alarm buzzer (an output: an active buzzer, or a transistor driving one). */
    buzzer: string;
    lora: LoraPins | null;
  };
  /** Why the board has no LoRa UART (README), when lora is null. */
  noLora?: string;
  nativeSha256: boolean;
  nativeSha512: boolean;
  /** Cortex-M: E.nativeCall can run Thumb-2 code. */
  arm: boolean;
  /** Variables (JsVars) available; `varsUpTo`: the build allocates up to this many (ESP32). */
  vars: number;
  varsUpTo?: boolean;
  /** The Espruino module that joins Wi-Fi: 'EspruinoWiFi' (the Espruino WiFi's ESP8266), 'Wifi' (ESP32, ESP8266); none when absent. */
  wifiModule?: string;
  /** Espruino's Linux build (the host's network and consoles). */
  host?: boolean;
  /**
   * The hardware watchdog (E.enableWatchdog(s, false)) the firmware arms once it has booted and
   * kicks from a 1 s heartbeat: a program that stops running its timers (a loop that never ends,
   * lost timers) restarts the board, and a restart releases the relay. Longer than any decision
   * the board makes (README "Watchdog"); 0: none.
   */
  watchdogS: number;
  /**
   * Free variables a decision needs (MemReserve), measured on the board's own store
   * (test/real/arm-stores.test.ts): the repeat-visitor cache gives back entries before a decision
   * until that many are free. Absent: the cache keeps its entries (a board whose store is large
   * enough for the cache and any decision).
   */
  memReserve?: MemReserve;
  /** The processor: its core and clock (Espruino's boards/<id>.py 'speed', MHz); the board-time model (tools/build/board-time.ts) uses them; none for the Linux host. */
  cpu?: { core: string; mhz: number };
  flash: BoardFlash;
  features: BoardFeatures;
  /** The files `qrgate flash` writes besides .bootcde (follows the features: checkBoard). */
  files: BoardFileSpec[];
  /** README notes on the board's wiring. */
  notes: string[];
}

/** The firmware's view of a board (the only part a device bundle carries). */
export function profileOf(b: Board): BoardProfile {
  return {
    ids: b.ids.slice(), name: b.name, scanner: b.pins.scanner, relay: b.pins.relay, led: b.pins.led,
    contact: b.pins.contact, button: b.pins.button, buzzer: b.pins.buzzer,
    lora: b.pins.lora, nativeSha512: b.nativeSha512, nativeSha256: b.nativeSha256, arm: b.arm, vars: b.vars,
    wifi: b.wifiModule || '', host: !!b.host, watchdogS: b.watchdogS,
    reserve: b.memReserve ? { qg1: b.memReserve.qg1, divoc: b.memReserve.divoc } : null,
  };
}

/** The files every board gets (besides .bootcde). */
export var COMMON_FILES: string[] = ['qg.cfg', 'qg.lock', 'qg.trust'];
/** The JavaScript verifier's table files (boards with features.jsVerify). */
export var TABLE_FILES: string[] = ['qg.tb', 'qg.k*'];
/** The native verifier's machine code (boards with features.native). */
export var NATIVE_FILE_NAME = 'qg.ed25519';
/** The native inflate's machine code (ARM boards with features.native and divoc: nativeInflateOn). */
export var INFLATE_FILE_NAME = 'qg.inflate';
/** DIVOC's context table as data (boards with features.divocData). */
export var DIVOC_FILE_NAME = 'qg.divoc';

/** Whether a board's firmware inflates DIVOC's zip with the native inflate (the file qg.inflate). */
export function nativeInflateOn(b: { arm: boolean; features: { native: boolean; divoc: boolean } }): boolean {
  return b.arm && b.features.native && b.features.divoc;
}

/** The files `qrgate flash` writes besides .bootcde for a board's features (its `files`). */
export function filesFor(b: { arm: boolean; features: { native: boolean; divoc: boolean; jsVerify: boolean; divocData?: boolean } }): string[] {
  var f = b.features;
  return COMMON_FILES.concat(f.jsVerify ? TABLE_FILES : [], f.native ? [NATIVE_FILE_NAME] : [],
    nativeInflateOn(b) ? [INFLATE_FILE_NAME] : [], f.divocData ? [DIVOC_FILE_NAME] : []);
}

function isPin(p: any): boolean {
  if (typeof p !== 'string' || p.length < 2 || p.length > 4) return false;
  var c = p.charCodeAt(0);
  if (c < 65 || c > 72) return false; // A..H
  for (var i = 1; i < p.length; i++) { var d = p.charCodeAt(i); if (d < 48 || d > 57) return false; }
  return true;
}

function isUart(u: any): boolean {
  return !!u && typeof u === 'object' && typeof u.serial === 'string' && u.serial.indexOf('Serial') === 0 && isPin(u.rx) && isPin(u.tx);
}

function isCount(n: any): boolean { return typeof n === 'number' && n >= 0 && Math.floor(n) === n; }

/** The problems of a board object against the schema ([] when it is well formed). */
export function checkBoard(b: any): string[] {
  var out: string[] = [];
  function need(ok: boolean, what: string): void { if (!ok) out.push((b && typeof b.name === 'string' ? b.name : '?') + ': ' + what); }
  if (!b || typeof b !== 'object') return ['not an object'];
  need(typeof b.name === 'string' && /^[a-z][a-z0-9]*$/.test(b.name), 'name must be lower-case letters and digits');
  need(typeof b.title === 'string' && b.title.length > 0, 'title missing');
  need(b.ids instanceof Array && b.ids.length > 0 && b.ids.every(function (s: any) { return typeof s === 'string' && s.length > 0; }), 'ids must be Espruino board ids');
  var p = b.pins || {};
  need(isUart(p.scanner), 'pins.scanner must be {serial, rx, tx}');
  need(isPin(p.relay), 'pins.relay must be a pin');
  need(!!p.led && isPin(p.led.green) && isPin(p.led.red) && isPin(p.led.amber), 'pins.led must be {green, red, amber} pins');
  need(isPin(p.contact) && isPin(p.button) && isPin(p.buzzer), 'pins.contact, pins.button and pins.buzzer must be pins');
  need(p.lora === null || (isUart(p.lora) && (p.lora.reset === undefined || isPin(p.lora.reset))), 'pins.lora must be null or {serial, rx, tx, reset}');
  need(p.lora !== null || typeof b.noLora === 'string', 'noLora must say why a board has no LoRa UART');
  var used: string[] = [];
  if (p.scanner && p.led && p.lora !== undefined) {
    used = [p.scanner.rx, p.scanner.tx, p.relay, p.led.green, p.led.red, p.led.amber, p.contact, p.button, p.buzzer];
    if (p.lora) used = used.concat([p.lora.rx, p.lora.tx].concat(p.lora.reset ? [p.lora.reset] : []));
    need(used.every(function (x, i) { return used.indexOf(x) === i; }), 'a pin is used twice');
    need(!p.lora || p.lora.serial !== p.scanner.serial, 'the LoRa modem and the scanner share a UART');
  }
  need(typeof b.nativeSha256 === 'boolean' && typeof b.nativeSha512 === 'boolean' && typeof b.arm === 'boolean', 'nativeSha256, nativeSha512, arm must be booleans');
  need(isCount(b.vars) && b.vars > 0, 'vars must be a positive count');
  need(b.wifiModule === undefined || b.wifiModule === 'EspruinoWiFi' || b.wifiModule === 'Wifi', 'wifiModule must be EspruinoWiFi or Wifi');
  need(b.host === undefined || typeof b.host === 'boolean', 'host must be a boolean');
  // 0, or 5 to 25 s: Espruino's STM32 port refuses more than 26.2 s (targets/stm32/jshardware.c), and
  // a short one would restart a board in the middle of a decision.
  need(b.watchdogS === 0 || (isCount(b.watchdogS) && b.watchdogS >= 5 && b.watchdogS <= 25), 'watchdogS must be 0 (none) or 5 to 25 seconds');
  need(!b.features || !b.features.wifi || !!b.wifiModule || !!b.host, 'features.wifi needs a wifiModule (or the host\'s network)');
  var mr = b.memReserve;
  need(mr === undefined || (!!mr && isCount(mr.qg1) && isCount(mr.divoc) && mr.qg1 > 0 && mr.divoc > 0 &&
    mr.qg1 < b.vars && mr.divoc < b.vars && (!!(b.features && b.features.divoc) || mr.divoc === mr.qg1)),
    'memReserve must be {qg1, divoc}: positive counts below vars (divoc equal to qg1 on a board without DIVOC)');
  var fl = b.flash || {};
  need(isCount(fl.storageStart) && isCount(fl.storageSize) && isCount(fl.pageSize) && fl.pageSize > 0 && fl.storageSize > 0 &&
    fl.storageSize % fl.pageSize === 0, 'flash: storageStart, storageSize (a multiple of pageSize), pageSize');
  need(fl.free instanceof Array && fl.free.every(function (a: any) {
    return a && isCount(a.addr) && isCount(a.length) && a.length > 0 && typeof a.what === 'string' &&
      (a.addr + a.length <= fl.storageStart || a.addr >= fl.storageStart + fl.storageSize) &&
      (a.page === undefined || (isCount(a.page) && a.page > 0 && a.addr % a.page === 0 && a.length % a.page === 0)) &&
      (a.guard === undefined || (isCount(a.guard) && a.guard > 0 && a.guard <= a.addr && a.guard % (a.page || fl.pageSize) === 0));
  }), 'flash.free must be areas {addr, length, what, page?, guard?} outside Storage, whole pages');
  need(fl.reserved instanceof Array && fl.reserved.every(function (r: any) {
    return r && isCount(r.addr) && isCount(r.length) && r.length > 0 && typeof r.what === 'string' &&
      (r.addr + r.length <= fl.storageStart || r.addr >= fl.storageStart + fl.storageSize) &&
      (fl.free instanceof Array ? fl.free : []).every(function (a: any) { return !a || r.addr + r.length <= a.addr || r.addr >= a.addr + a.length; });
  }), 'flash.reserved must be areas {addr, length, what} outside Storage and the free areas');
  var f = b.features || {};
  var keys = ['native', 'jsVerify', 'divoc', 'wifi', 'lora', 'crowd', 'scannerModule', 'door', 'fits'];
  need(keys.every(function (k) { return typeof f[k] === 'boolean'; }) && typeof f.note === 'string', 'features: ' + keys.join(', ') + ' (booleans) and note');
  need(!f.native || b.arm, 'features.native needs an ARM board');
  need(f.native || f.jsVerify, 'features: a board needs the native or the JavaScript verifier');
  need(!f.lora || p.lora !== null, 'features.lora needs pins.lora');
  need(f.eagerParts === undefined || (f.eagerParts instanceof Array && f.eagerParts.every(function (n: any) { return typeof n === 'string'; })),
    'features.eagerParts must be names of lazy parts');
  var dm = f.divocMax;
  need(dm === undefined || (f.divoc === true && !!dm && ['text', 'inflated', 'values'].every(function (k) { return isCount(dm[k]) && dm[k] > 0; })),
    'features.divocMax must be {text, inflated, values} (positive counts), on a board with divoc');
  var names = (b.files instanceof Array ? b.files : []).map(function (x: any) { return x && x.area === 'storage' ? x.name : '?'; });
  need(f.divocData === undefined || (typeof f.divocData === 'boolean' && (!f.divocData || (f.divoc && f.native && b.arm))),
    'features.divocData needs divoc and the native code on an ARM board (its native inflate)');
  var want = filesFor({ arm: !!b.arm, features: f });
  need(names.length === want.length && want.every(function (n) { return names.indexOf(n) >= 0; }),
    'files must be ' + want.join(', ') + ' (in Storage) for these features');
  need(b.notes instanceof Array && b.notes.every(function (s: any) { return typeof s === 'string'; }), 'notes must be strings');
  return out;
}
