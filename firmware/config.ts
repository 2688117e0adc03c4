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

/**
 * Every configuration key with its type, default and range, one row a key, each after a newline:
 * `path|type|r (required)|default|min|max|values`. A string, made on each call and let go: on a
 * board the table as an array of objects took about 700 variables while boot checked the
 * configuration, and that is where the boards with least RAM ran out (README "Memory"); this text
 * about 190, and a row is read into a Field only when it is checked (parseField).
 */
export function fieldTable(): string {
  return (
    '\ngateId|string|r||1|32|' +
    '\nboard|string|||0|16|' +
    '\nrootKeys|rootKeys|r||||' +
    '\nrelay.openMs|int||3000|100|60000|' +
    '\nrelay.activeHigh|bool||1|||' +
    '\ndoor.contact|pin|||||' +
    '\ndoor.contactOpenHigh|bool||1|||' +
    '\ndoor.button|pin|||||' +
    '\ndoor.buttonActiveHigh|bool||0|||' +
    '\ndoor.debounceMs|int||50|0|1000|' +
    '\ndoor.heldOpenS|int||30|1|3600|' +
    '\ndoor.buzzer|pin|||||' +
    '\ndoor.buzzerActiveHigh|bool||1|||' +
    '\npolicy.minDoses|int||2|1|20|' +
    '\npolicy.daysAfterLastDose|int||14|0|3650|' +
    '\npolicy.testValidHours|int||24|1|8760|' +
    '\npolicy.recoveryValidDays|int||180|1|3650|' +
    '\npolicy.acceptExemptions|bool||0|||' +
    '\npolicy.boothReferral|bool||0|||' +
    '\nsite.secret|hex|r||16|64|' +
    '\nscanner.baud|int||9600|1200|921600|' +
    '\nscanner.dedupMs|int||3000|0|600000|' +
    '\nscanner.idleMs|int||50|5|5000|' +
    '\nscanner.maxLen|int||2048|64|4096|' +
    '\nscanner.beep|bool||1|||' +
    '\nscanner.light|enum||standard|||standard,on,off' +
    '\nscanner.mode|enum||continuous|||continuous,sensor,manual' +
    '\nscanner.module|enum||gm65|||gm65,none' +
    '\nqueue.max|int||4|1|16|' +
    '\ncache.size|int||16|0|256|' +
    '\nverifier.keyTables|int||8|0|64|' +
    '\nlog.segments|int||4|2|64|' +
    '\nlog.segmentSize|int||4096|512|65536|' +
    '\ncapacity.max|int||0|0|100000|' +
    '\ncapacity.levels|string|||0|120|' +
    '\ncapacity.level|int||0|0|9|' +
    '\ncapacity.resetHour|int||-1|-1|23|' +
    '\ncapacity.utcOffsetMin|int||0|-720|840|' +
    '\ncapacity.saveS|int||10|0|3600|' +
    '\ncapacity.exitSerial|string|||0|8|' +
    '\ncapacity.exitRx|string|||0|8|' +
    '\ncapacity.exitTx|string|||0|8|' +
    '\npassback.windowS|int||0|0|86400|' +
    '\nuplink.transport|enum||none|||none,wifi,lora' +
    '\nuplink.url|string|||0|200|' +
    '\nuplink.batch|int||20|1|100|' +
    '\nuplink.intervalMs|int||10000|1000|3600000|' +
    '\nuplink.trustPollS|int||0|-1|86400|' +
    '\nuplink.wifi.ssid|string|||0|32|' +
    '\nuplink.wifi.password|string|||0|64|' +
    '\nuplink.lora.devEui|hexstr|||0|8|' +
    '\nuplink.lora.appEui|hexstr|||0|8|' +
    '\nuplink.lora.appKey|hexstr|||0|16|' +
    '\nuplink.lora.dataRate|int||0|0|5|'
  );
}

/** One row of fieldTable() (without its newline) as a Field. */
export function parseField(row: string): Field {
  var c = row.split('|');
  var f: Field = { path: c[0], type: c[1] };
  if (c[2]) f.req = true;
  else f.def = c[1] === 'int' ? parseInt(c[3], 10) : c[1] === 'bool' ? c[3] === '1' : c[3];
  if (c[4] !== '') f.min = parseInt(c[4], 10);
  if (c[5] !== '') f.max = parseInt(c[5], 10);
  if (c[6]) f.values = c[6].split(',');
  return f;
}

/** Every configuration key (host tools and tests; the board reads fieldTable() a row at a time). */
export function fields(): Field[] {
  var rows = fieldTable().split('\n');
  var out: Field[] = [];
  for (var i = 1; i < rows.length; i++) out.push(parseField(rows[i]));
  return out;
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

/**
 * The unknown keys of the input (dotted keys kept as they are: each path present that is not a
 * row of `table`), pushed to `errors` (with `first`, the first only). rootKeys is one key.
 */
function unknownKeys(obj: any, prefix: string, table: string, errors: string[], first: boolean): void {
  var ks = Object.keys(obj);
  for (var i = 0; i < ks.length && !(first && errors.length); i++) {
    if (isComment(ks[i])) continue;
    var p = prefix ? prefix + '.' + ks[i] : ks[i];
    var v = obj[ks[i]];
    if (p !== 'rootKeys' && v !== null && typeof v === 'object' && !(v instanceof Array)) unknownKeys(v, p, table, errors, first);
    else if (table.indexOf('\n' + p + '|') < 0) errors.push('unknown key ' + p);
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
  // (the table is read a row at a time: no array of every key's Field, nor of every path present)
  var table = fieldTable();
  unknownKeys(input, '', table, errors, first);
  if (first && errors.length) return errors;
  var end = 0;
  for (var at = 1; at < table.length; at = end + 1) {
    end = table.indexOf('\n', at);
    if (end < 0) end = table.length;
    var fd = parseField(table.substring(at, end));
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
