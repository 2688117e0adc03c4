// Gate configuration: validation and defaults. The same code runs on the host (`qrgate flash`,
// `qrgate verify`) and on the board at boot, so a configuration is judged the same way everywhere.
// Every key is documented in README.md ("Configuration"). Dotted keys ("relay.openMs": 3000) are
// accepted as well as nested objects ({"relay": {"openMs": 3000}}).

import { fromHex } from '../proto/bytes';
import { base64UrlDecode } from '../proto/base64';
import { parseLevels } from './levels';

export { parseLevels } from './levels';

export interface RootKey { kid: string; key: Uint8Array }

export interface Policy {
  minDoses: number;
  daysAfterLastDose: number;
  testValidHours: number;
  recoveryValidDays: number;
  acceptExemptions: boolean;
  /** Refusals for not being vaccinated get reason 'booth' and amber (issue 14, firmware/occupancy.ts). */
  boothReferral?: boolean;
}

export interface GateConfig {
  gateId: string;
  board: string;
  rootKeys: RootKey[];
  relay: { openMs: number; activeHigh: boolean };
  /** The door contact and exit button (issue 14): pins '' (none), 'board' (the board's) or a pin name. */
  door: { contact: string; contactOpenHigh: boolean; button: string; buttonActiveHigh: boolean; debounceMs: number; heldOpenS: number;
    /** The alarm buzzer's pin ('' none, 'board', a pin name) and the level that sounds it. */
    buzzer: string; buzzerActiveHigh: boolean };
  policy: Policy;
  site: { secret: Uint8Array };
  scanner: {
    baud: number; dedupMs: number; idleMs: number; maxLen: number;
    // the scanner module (firmware/scanner-setup.ts)
    beep: boolean; light: string; mode: string; module: string;
  };
  queue: { max: number };
  cache: { size: number };
  log: { segments: number; segmentSize: number };
  verifier: { keyTables: number };
  // issue 14: occupancy and capacity (firmware/occupancy.ts). Absent (RAM) when the gate does
  // not count: capacity.max 0, no exit scanner, passback.windowS 0 (see checkConfig).
  capacity?: {
    max: number; levels: string; level: number; resetHour: number; utcOffsetMin: number; saveS: number;
    exitSerial: string; exitRx: string; exitTx: string;
  };
  passback?: { windowS: number };
  uplink: {
    transport: string; url: string; batch: number; intervalMs: number;
    /** How often an idle gate asks the collector for a newer trust bundle (s; 0: the transport's default, -1: never). */
    trustPollS: number;
    wifi: { ssid: string; password: string };
    lora: { devEui: string; appEui: string; appKey: string; dataRate: number };
  };
}

/** Key paths whose values are secrets: never printed back. */
export var SECRET_KEYS = ['site.secret', 'uplink.wifi.password', 'uplink.lora.appKey'];

export interface Field {
  path: string;
  type: string; // 'string' | 'int' | 'bool' | 'hex' | 'enum' | 'rootKeys' | 'pin'
  req?: boolean;
  def?: any;
  min?: number;
  max?: number;
  values?: string[];
}

// Made on each call (not kept at module level: an array of objects costs ~300 variables on a board).
/** Every configuration key with its type, default and range (built per call: no RAM kept). */
export function fields(): Field[] {
  return [
  { path: 'gateId', type: 'string', req: true, min: 1, max: 32 },
  { path: 'board', type: 'string', def: '', min: 0, max: 16 },
  { path: 'rootKeys', type: 'rootKeys', req: true },
  { path: 'relay.openMs', type: 'int', def: 3000, min: 100, max: 60000 },
  { path: 'relay.activeHigh', type: 'bool', def: true },
  { path: 'door.contact', type: 'pin', def: '' },
  { path: 'door.contactOpenHigh', type: 'bool', def: true },
  { path: 'door.button', type: 'pin', def: '' },
  { path: 'door.buttonActiveHigh', type: 'bool', def: false },
  { path: 'door.debounceMs', type: 'int', def: 50, min: 0, max: 1000 },
  { path: 'door.heldOpenS', type: 'int', def: 30, min: 1, max: 3600 },
  { path: 'door.buzzer', type: 'pin', def: '' },
  { path: 'door.buzzerActiveHigh', type: 'bool', def: true },
  { path: 'policy.minDoses', type: 'int', def: 2, min: 1, max: 20 },
  { path: 'policy.daysAfterLastDose', type: 'int', def: 14, min: 0, max: 3650 },
  { path: 'policy.testValidHours', type: 'int', def: 24, min: 1, max: 8760 },
  { path: 'policy.recoveryValidDays', type: 'int', def: 180, min: 1, max: 3650 },
  { path: 'policy.acceptExemptions', type: 'bool', def: false },
  { path: 'policy.boothReferral', type: 'bool', def: false },
  { path: 'site.secret', type: 'hex', req: true, min: 16, max: 64 },
  { path: 'scanner.baud', type: 'int', def: 9600, min: 1200, max: 921600 },
  { path: 'scanner.dedupMs', type: 'int', def: 3000, min: 0, max: 600000 },
  { path: 'scanner.idleMs', type: 'int', def: 50, min: 5, max: 5000 },
  { path: 'scanner.maxLen', type: 'int', def: 2048, min: 64, max: 4096 },
  // the scanner module, configured at boot (firmware/scanner-setup.ts)
  { path: 'scanner.beep', type: 'bool', def: true },
  { path: 'scanner.light', type: 'enum', def: 'standard', values: ['standard', 'on', 'off'] },
  { path: 'scanner.mode', type: 'enum', def: 'continuous', values: ['continuous', 'sensor', 'manual'] },
  { path: 'scanner.module', type: 'enum', def: 'gm65', values: ['gm65', 'none'] },
  { path: 'queue.max', type: 'int', def: 4, min: 1, max: 16 },
  { path: 'cache.size', type: 'int', def: 16, min: 0, max: 256 },
  { path: 'verifier.keyTables', type: 'int', def: 8, min: 0, max: 64 },
  { path: 'log.segments', type: 'int', def: 4, min: 2, max: 64 },
  { path: 'log.segmentSize', type: 'int', def: 4096, min: 512, max: 65536 },
  // issue 14: occupancy, capacity, anti-passback (firmware/occupancy.ts)
  { path: 'capacity.max', type: 'int', def: 0, min: 0, max: 100000 },
  { path: 'capacity.levels', type: 'string', def: '', min: 0, max: 120 },
  { path: 'capacity.level', type: 'int', def: 0, min: 0, max: 9 },
  { path: 'capacity.resetHour', type: 'int', def: -1, min: -1, max: 23 },
  { path: 'capacity.utcOffsetMin', type: 'int', def: 0, min: -720, max: 840 },
  { path: 'capacity.saveS', type: 'int', def: 10, min: 0, max: 3600 },
  { path: 'capacity.exitSerial', type: 'string', def: '', min: 0, max: 8 },
  { path: 'capacity.exitRx', type: 'string', def: '', min: 0, max: 8 },
  { path: 'capacity.exitTx', type: 'string', def: '', min: 0, max: 8 },
  { path: 'passback.windowS', type: 'int', def: 0, min: 0, max: 86400 },
  { path: 'uplink.transport', type: 'enum', def: 'none', values: ['none', 'wifi', 'lora'] },
  { path: 'uplink.url', type: 'string', def: '', min: 0, max: 200 },
  { path: 'uplink.batch', type: 'int', def: 20, min: 1, max: 100 },
  { path: 'uplink.intervalMs', type: 'int', def: 10000, min: 1000, max: 3600000 },
  // trust updates (issue 13): 0 = Wi-Fi every uplink.intervalMs, LoRa every hour; -1 never
  { path: 'uplink.trustPollS', type: 'int', def: 0, min: -1, max: 86400 },
  { path: 'uplink.wifi.ssid', type: 'string', def: '', min: 0, max: 32 },
  { path: 'uplink.wifi.password', type: 'string', def: '', min: 0, max: 64 },
  { path: 'uplink.lora.devEui', type: 'hexstr', def: '', min: 0, max: 8 },
  { path: 'uplink.lora.appEui', type: 'hexstr', def: '', min: 0, max: 8 },
  { path: 'uplink.lora.appKey', type: 'hexstr', def: '', min: 0, max: 16 },
  { path: 'uplink.lora.dataRate', type: 'int', def: 0, min: 0, max: 5 },
  ];
}

/** Bytes of a hex text, or null when it is not hex. */
function hexOrNull(s: string): Uint8Array | null {
  try {
    return fromHex(s);
  } catch (e) {
    return null;
  }
}

function getPath(obj: any, path: string): any {
  if (obj[path] !== undefined) return obj[path];
  var parts = path.split('.');
  var cur = obj;
  for (var i = 0; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[parts[i]];
  }
  return cur;
}

function setPath(obj: any, path: string, v: any): void {
  var parts = path.split('.');
  var cur = obj;
  for (var i = 0; i < parts.length - 1; i++) {
    if (!cur[parts[i]]) cur[parts[i]] = {};
    cur = cur[parts[i]];
  }
  cur[parts[parts.length - 1]] = v;
}

/** A pin name as Espruino spells it: a letter A..H and one or two digits (B13, D27). */
function isPinName(s: string): boolean {
  var c = s.charCodeAt(0);
  if (s.length < 2 || s.length > 3 || c < 65 || c > 72) return false;
  for (var i = 1; i < s.length; i++) { c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/** A key starting with "//" is a comment (`qrgate config init` writes them): ignored everywhere. */
function isComment(k: string): boolean {
  return k.charAt(0) === '/' && k.charAt(1) === '/';
}

/** Every key path present in the input (dotted keys kept as they are), for the unknown-key check. */
function leafPaths(obj: any, prefix: string, out: string[]): void {
  var ks = Object.keys(obj);
  for (var i = 0; i < ks.length; i++) {
    if (isComment(ks[i])) continue;
    var p = prefix ? prefix + '.' + ks[i] : ks[i];
    var v = obj[ks[i]];
    if (p === 'rootKeys') { out.push(p); continue; }
    if (v !== null && typeof v === 'object' && !(v instanceof Array)) leafPaths(v, p, out);
    else out.push(p);
  }
}

function parseRootKeys(v: any): RootKey[] | string {
  if (!(v instanceof Array) || v.length < 1 || v.length > 8) return 'must be a list of 1 to 8 Ed25519 public JWKs';
  var out: RootKey[] = [];
  for (var i = 0; i < v.length; i++) {
    var k = v[i];
    if (!k || typeof k !== 'object') return '[' + i + '] is not a JWK object';
    if (k.kty !== 'OKP' || k.crv !== 'Ed25519') return '[' + i + '] must have kty OKP and crv Ed25519';
    if (typeof k.x !== 'string') return '[' + i + '] has no x';
    var raw: Uint8Array | null;
    try {
      raw = base64UrlDecode(k.x);
    } catch (e) {
      raw = null;
    }
    if (!raw || raw.length !== 32) return '[' + i + '].x is not 32 bytes of base64url';
    if (k.d !== undefined) return '[' + i + '] is a private key: give the public JWK (without d)';
    if (k.kid !== undefined && typeof k.kid !== 'string') return '[' + i + '].kid must be text';
    out.push({ kid: k.kid || '', key: raw });
  }
  return out;
}

/**
 * Validate a configuration object. Returns { config } or { error } with one line naming the key.
 * Unknown keys are errors (a typo must not silently fall back to a default); keys starting with
 * "//" are comments and are ignored.
 */
export function validateConfig(input: any): { config?: GateConfig; error?: string } {
  var out: any = {};
  var errors = checkConfig(input, out, true);
  return errors.length ? { error: errors[0] } : { config: out as GateConfig };
}

/** Every problem of a configuration (none: it is valid), one line each (`qrgate config check`). */
export function configProblems(input: any): string[] {
  return checkConfig(input, {}, false);
}

/** Fills `out` with the configuration and returns its problems (with `first`, at most one). */
function checkConfig(input: any, out: any, first: boolean): string[] {
  var errors: string[] = [];
  if (!input || typeof input !== 'object' || input instanceof Array) return ['configuration must be a JSON object'];
  var FIELDS = fields();
  var known: { [p: string]: boolean } = {};
  for (var f = 0; f < FIELDS.length; f++) known[FIELDS[f].path] = true;
  var present: string[] = [];
  leafPaths(input, '', present);
  for (var p = 0; p < present.length; p++) {
    if (!known[present[p]]) {
      errors.push('unknown key ' + present[p]);
      if (first) return errors;
    }
  }
  for (var i = 0; i < FIELDS.length; i++) {
    var fd = FIELDS[i];
    var v = getPath(input, fd.path);
    if (v === undefined || v === null) {
      if (fd.req) {
        errors.push('missing ' + fd.path);
        if (first) return errors;
      }
      v = fd.def;
      if (fd.type === 'hex') v = new Uint8Array(0);
      setPath(out, fd.path, v);
      continue;
    }
    var bad = 'invalid ' + fd.path + ': ';
    var err = '';
    switch (fd.type) {
      case 'string':
        if (typeof v !== 'string') err = 'must be text';
        else if (v.length < (fd.min || 0) || v.length > (fd.max as number)) err = 'length must be ' + fd.min + '..' + fd.max;
        break;
      case 'int':
        if (typeof v !== 'number' || v !== Math.floor(v)) err = 'must be a whole number';
        else if (v < (fd.min as number) || v > (fd.max as number)) err = 'must be ' + fd.min + '..' + fd.max;
        break;
      case 'bool':
        if (typeof v !== 'boolean') err = 'must be true or false';
        break;
      case 'enum':
        if ((fd.values as string[]).indexOf(v) < 0) err = 'must be one of ' + (fd.values as string[]).join(', ');
        break;
      case 'hex':
      case 'hexstr':
        var hx = typeof v === 'string' ? hexOrNull(v) : null;
        if (!hx) err = 'must be hex';
        else if (v.length / 2 < (fd.min as number) || v.length / 2 > (fd.max as number)) {
          if (!(fd.type === 'hexstr' && v.length === 0)) err = 'must be ' + fd.min + '..' + fd.max + ' bytes';
        }
        if (!err && fd.type === 'hex') v = hx;
        break;
      case 'pin':
        if (typeof v !== 'string' || (v !== '' && v !== 'board' && !isPinName(v))) err = 'must be "", "board" or a pin name such as B13';
        break;
      case 'rootKeys':
        var rk = parseRootKeys(v);
        if (typeof rk === 'string') err = rk;
        else v = rk;
        break;
    }
    if (err) {
      errors.push(bad + err);
      if (first) return errors;
      v = fd.type === 'hex' ? new Uint8Array(0) : fd.def;
    }
    setPath(out, fd.path, v);
  }
  var cap = out.capacity;
  if (cap && cap.levels && !parseLevels(cap.levels)) errors.push('invalid capacity.levels: must be LEVEL:MAX or LEVEL:SHARE% pairs, e.g. "3:50%,4:25%"');
  if (cap && cap.exitSerial && (cap.exitSerial.indexOf('Serial') !== 0 || !cap.exitRx || !cap.exitTx)) {
    errors.push('invalid capacity.exitSerial: a UART name (Serial1, Serial2 ...) with capacity.exitRx and capacity.exitTx pins');
  }
  // RAM on a board: a gate that does not count keeps none of the keys of counting, and
  // policy.boothReferral only when true (absent reads as false).
  if (cap && !cap.max && !cap.exitSerial && !out.passback.windowS) {
    delete out.capacity;
    delete out.passback;
  }
  if (!out.policy.boothReferral) delete out.policy.boothReferral;
  var up = out.uplink;
  if (up.transport !== 'none' && !up.url) errors.push('missing uplink.url (needed with uplink.transport ' + up.transport + ')');
  if (up.transport === 'lora') {
    if (up.lora.devEui.length !== 16 || up.lora.appEui.length !== 16 || up.lora.appKey.length !== 32)
      errors.push('uplink.lora needs devEui (8 bytes), appEui (8 bytes) and appKey (16 bytes) in hex');
  }
  return first ? errors.slice(0, 1) : errors;
}

/** The configuration as JSON with secrets replaced by "***", for display. */
export function redactConfig(input: any): any {
  var copy = JSON.parse(JSON.stringify(input));
  for (var i = 0; i < SECRET_KEYS.length; i++) {
    var k = SECRET_KEYS[i];
    if (copy[k] !== undefined) copy[k] = '***';
    else if (getPath(copy, k) !== undefined) setPath(copy, k, '***');
  }
  return copy;
}
