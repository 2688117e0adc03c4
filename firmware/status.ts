// The gate's status as one JSON text, for `qrgate doctor` (spec/tools.md "Flashing a board"): the
// board wiring (firmware/main.ts) makes `qgStatus()` callable from the console, and the host
// evaluates it there. Everything is read on the board at the time of the call: the firmware's
// SHA-256 is computed over the `.bootcde` file in flash (native SHA-256 where the board has it,
// the JavaScript one otherwise: slow on a board, but this runs only when someone asks). A lazy
// part of the gate's bundle (tools/build/bundle.js): its functions exist only during a call.
import { FlashStorage, MemoryInfo } from '../hal/types';
import { GateConfig } from './config';
import { TrustBundle } from '../proto/trustbundle';
import { hexOf } from '../proto/bytes';
import { Journal } from './journal';

/** The Storage file the firmware runs from (E.setBootCode / qrgate flash). */
export var FIRMWARE_FILE = '.bootcde';

export interface StatusSources {
  storage: FlashStorage;
  sha256: (data: Uint8Array) => Uint8Array;
  memory: MemoryInfo;
  /** Firmware version (FIRMWARE_VERSION). */
  version: string;
  /** The board's profile name (firmware/boards.ts). */
  board: string;
  /** The validated configuration, or null when it failed (then `fault` says why). */
  config: GateConfig | null;
  /** The trust store (firmware/truststore.ts): the bundle in use, or null. */
  trust: { bundle: TrustBundle | null };
  /** Seconds since 1970 when the clock is set, else null (Gate.now()). */
  now: () => number | null;
  /** The board's clock as it is (seconds since power-on while it was never set). */
  uptime?: () => number;
  /** Log entries not yet acknowledged by the collector (0 when there is no entry log). */
  backlog: () => number;
  /** '' when ready, else what is wrong ('config', 'trust', 'selftest'). */
  fault: string;
  /** The entry log's journal, once open. */
  journal?: Journal | null;
  /**
   * Faults found while running, by what they concern ('uplink' ...): each {what, why, ...}.
   * The journal's (Storage full) is added from `journal`.
   */
  faults?: { [what: string]: any };
  /**
   * The scanner module's configuration at boot (firmware/scanner-setup.ts): {module, state
   * ('configuring' | 'configured' | 'partial' | 'silent'), failed?}; absent with scanner.module none.
   */
  scanner?: any;
  /** The scan counters since boot (ScanCounts), absent before the scanner runs. */
  scans?: () => ScanCounts;
  /**
   * The occupancy (firmware/occupancy.ts), at gates that count (issue 14): the count `n`, the
   * PPKM `level` in force (0: none) and the limit it gives (`limit()`, 0: none).
   */
  occupancy?: { n: number; level: number; limit(): number };
}

/**
 * What happened to the scanned texts since boot: frames framed and queued, decisions made, frames
 * dropped because queue.max were waiting (`dropped`) or longer than scanner.maxLen (`tooLong`),
 * repeats ignored within scanner.dedupMs, noise bytes.
 */
export interface ScanCounts {
  frames: number;
  decisions: number;
  dropped: number;
  tooLong: number;
  duplicates: number;
  noise: number;
}

/** The faults found while running: those recorded in src.faults, and a journal without room. */
export function runFaults(src: StatusSources): any[] {
  var out: any[] = [], f = src.faults || {}, j = src.journal;
  for (var k in f) if (f[k]) out.push(f[k]);
  if (j && j.full) out.push({ what: 'log', why: 'storage full: entries are not logged', unlogged: j.unlogged });
  return out;
}

function pad2(n: number): string { return n < 10 ? '0' + n : '' + n; }

/** Seconds since 1970 as ISO 8601 UTC, by hand (Date.UTC and toISOString differ on boards). */
export function isoTime(seconds: number): string {
  var s = Math.floor(seconds);
  var days = Math.floor(s / 86400);
  var rem = s - days * 86400;
  // civil from days (Howard Hinnant's algorithm)
  var z = days + 719468;
  var era = Math.floor(z / 146097);
  var doe = z - era * 146097;
  var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  var y = yoe + era * 400;
  var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  var mp = Math.floor((5 * doy + 2) / 153);
  var d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  var m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  return y + '-' + pad2(m) + '-' + pad2(d) + 'T' + pad2(Math.floor(rem / 3600)) + ':' +
    pad2(Math.floor((rem % 3600) / 60)) + ':' + pad2(rem % 60) + 'Z';
}

/** The status object (see statusJson). */
export function status(src: StatusSources): any {
  var fw = src.storage.readBytes(FIRMWARE_FILE);
  var now = src.now(), trust = src.trust.bundle;
  var backlog = 0, j = src.journal, log: any = null;
  try { backlog = src.backlog(); } catch (e) { backlog = -1; }
  if (j) log = { next: j.nextSeq, dropped: j.dropped, unlogged: j.unlogged, torn: j.torn };
  return {
    firmware: { version: src.version, sha256: fw ? hexOf(src.sha256(fw)) : null, bytes: fw ? fw.length : 0 },
    board: src.board,
    gateId: src.config ? src.config.gateId : null,
    trust: trust ? { version: trust.version, keys: trust.keyCount } : null,
    clock: now === null ? null : isoTime(now),
    // How long the clock has been unsure: an unset clock counts from power-on (README "Trusted time").
    clockUnsureS: now === null && src.uptime ? Math.floor(src.uptime()) : 0,
    memory: { used: src.memory.usage(), total: src.memory.total() },
    backlog: backlog,
    scans: src.scans ? src.scans() : null,
    scanner: src.scanner || null,
    occupancy: src.occupancy ? { count: src.occupancy.n, max: src.occupancy.limit(), level: src.occupancy.level } : null,
    fault: src.fault,
    log: log,
    faults: runFaults(src),
  };
}

/**
 * One JSON line: {"firmware":{"version","sha256","bytes"},"board","gateId","trust":{"version",
 * "keys"},"clock":ISO|null,"clockUnsureS","memory":{"used","total"},"backlog","scans":{"frames","decisions",
 * "dropped","tooLong","duplicates","noise"}|null,"scanner":{"module","state","failed"?}|null,
 * "occupancy":{"count","max","level"}|null (max 0: no limit; null at a gate that does not count),"fault","log":{"next","dropped","unlogged","torn"}|null,
 * "faults":[{"what","why",...}]}: fault is boot's (the gate does not open), faults those found while
 * running (Storage full, uplink refused as misconfigured). Never contains a configuration secret
 * (only gateId is read from the configuration).
 */
export function statusJson(src: StatusSources): string {
  return JSON.stringify(status(src));
}
