// Gate configuration files on the host: comments, a starting configuration, and the checks that
// `qrgate config check` adds to the gate's own validation (firmware/config.ts).
//
// Comments: JSON has none, so a key starting with "//" is a comment ({"//openMs": "how long ..."}).
// The gate's validation ignores such keys wherever they are (so a file with comments is accepted by
// `config check`, `verify`, `sim` and the board itself), and `qrgate flash` writes the board's copy
// without them (stripComments), so they cost the board no flash or memory.
import * as crypto from 'crypto';
import { fields, Field } from '../firmware/config';
import { BOARDS } from '../firmware/boards';

/** A key starting with "//" (a comment). */
export function isCommentKey(k: string): boolean {
  return k.startsWith('//');
}

/** Whether the object holds a comment key at any depth. */
export function hasComments(v: any): boolean {
  if (!v || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasComments);
  return Object.keys(v).some((k) => isCommentKey(k) || hasComments(v[k]));
}

/** A copy without comment keys (at any depth). */
export function stripComments(v: any): any {
  if (!v || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(stripComments);
  const out: any = {};
  for (const k of Object.keys(v)) if (!isCommentKey(k)) out[k] = stripComments(v[k]);
  return out;
}

/** What each key means, for the comments of `config init` (every key of fields() has one). */
export const DESCRIPTIONS: { [path: string]: string } = {
  gateId: "this gate's name in the entry log and on the console (1 to 32 characters)",
  board: 'the board profile, for qrgate flash: esp32 (supported), linux, wifi, pico, original, mdbt42q',
  rootKeys: 'public JWKs (no "d") of the keys that may sign the trust bundle: qrgate keygen prints one (1 to 8)',
  'relay.openMs': 'how long the door strike stays energised after an admission, ms (100 to 60000)',
  'relay.activeHigh': 'true: a high level on the relay pin energises the relay; false: a low level does',
  'door.contact': 'the door contact\'s pin: "" none, "board" the board\'s (README "Door contact and exit button"), or a pin name',
  'door.contactOpenHigh': 'true: the contact reads high when the door is open (a closed-when-shut contact to GND, pulled up); false: low',
  'door.button': 'the exit button\'s pin: "" none, "board" the board\'s, or a pin name; a press opens the door without a scan',
  'door.buttonActiveHigh': 'false: the button reads low when pressed (a push button to GND, pulled up); true: high',
  'door.debounceMs': 'debounce of the contact and the button, ms (0 to 1000)',
  'door.heldOpenS': 'a door open longer than this (s) raises the held-open alarm; a button held longer is a fault (1 to 3600)',
  'door.buzzer': 'the alarm buzzer\'s pin: "" none, "board" the board\'s, or a pin name; it sounds (500 ms on, 500 ms off) while a held or forced alarm is on (needs door.contact)',
  'door.buzzerActiveHigh': 'true: a high level on the buzzer pin sounds it; false: a low level does',
  'policy.minDoses': 'vaccination: doses needed (1 to 20)',
  'policy.daysAfterLastDose': 'vaccination: days to wait after the last dose (0 to 3650)',
  'policy.testValidHours': 'negative test: hours it stays valid after the sample (1 to 8760)',
  'policy.recoveryValidDays': 'recovery: days it stays valid (1 to 3650)',
  'policy.acceptExemptions': 'true: a medical exemption opens the door; false: it calls the attendant (amber)',
  'policy.boothReferral': 'true: a refusal for not being vaccinated (a policy refusal) gets reason booth and amber, to send the visitor to the vaccination booth',
  'capacity.max': "the room's capacity: people inside the gate lets in at most (0: no counting)",
  'capacity.levels': 'the maximum per PPKM level, "LEVEL:MAX" or "LEVEL:SHARE%" of capacity.max, e.g. "3:50%,4:25%" (empty: capacity.max at every level)',
  'capacity.level': "the PPKM level in force until the collector's answers name one (0: none)",
  'capacity.resetHour': 'the count of people inside goes back to 0 at this hour every day (-1: never; 0 to 23, local time by capacity.utcOffsetMin)',
  'capacity.utcOffsetMin': 'local time minus UTC, minutes, for capacity.resetHour (WIB: 420)',
  'capacity.saveS': 'the count is written to flash at most this often, s: a power cut loses at most the changes of the last capacity.saveS seconds (0: every change)',
  'capacity.exitSerial': 'the UART of an exit-side scanner (Serial1 ...; empty: none): a scan there counts someone leaving, never opens the door',
  'capacity.exitRx': "the exit-side scanner's RX pin",
  'capacity.exitTx': "the exit-side scanner's TX pin",
  'passback.windowS': 'anti-passback: the same person entering again within this many seconds without leaving goes to the attendant (0: off)',
  'site.secret': 'key of the pseudonyms in the entry log, hex (16 to 64 bytes): SECRET; the same for every gate whose entries are traced together; never printed by qrgate',
  'scanner.baud': "the QR scanner module's UART speed (1200 to 921600)",
  'scanner.dedupMs': 'the same text scanned again within this many ms is ignored (0 to 600000)',
  'scanner.idleMs': 'a pause this long (ms) ends a scan, for scanners that send no CR/LF (5 to 5000)',
  'scanner.maxLen': 'longer scans are dropped and counted (64 to 4096 characters)',
  'scanner.beep': 'a GM65-style module beeps on a good read (true) or is muted (false)',
  'scanner.light': "a GM65-style module's illumination: standard (lit while reading), on or off",
  'scanner.mode': 'a GM65-style module reads continuous, sensor (when something comes in front) or manual (its trigger)',
  'scanner.module': 'gm65: configure a Grow GM65-style module at boot (in its RAM; a scanner that does not answer is used as it is); none: send it nothing',
  'queue.max': 'scans waiting while one is decided; more are dropped and counted (1 to 16)',
  'cache.size': 'repeat-visitor cache entries (0 to 256; 0: no cache)',
  'verifier.keyTables': 'trusted keys given a precomputed table in flash, 2.5 KB each (0 to 64)',
  'log.segments': 'entry-log segment files in flash (2 to 64)',
  'log.segmentSize': 'bytes per entry-log segment file (512 to 65536); 4 x 4096 holds about 260 entries',
  'uplink.transport': 'how entry logs leave the gate: none, wifi or lora',
  'uplink.url': "wifi: the collector's ingest address, http://HOST:8700/ingest; lora: where the network server forwards uplinks, http://HOST:8700/lorawan",
  'uplink.batch': 'entries per batch (1 to 100)',
  'uplink.intervalMs': 'time between uplink attempts, ms (1000 to 3600000)',
  'uplink.trustPollS': 'how often an idle gate asks for a newer trust bundle, s (0: Wi-Fi every interval, LoRa hourly; -1: never)',
  'uplink.wifi.ssid': 'Wi-Fi network name',
  'uplink.wifi.password': 'Wi-Fi password: SECRET, never printed by qrgate',
  'uplink.lora.devEui': 'LoRaWAN OTAA device EUI, 8 bytes hex',
  'uplink.lora.appEui': 'LoRaWAN OTAA application (join) EUI, 8 bytes hex',
  'uplink.lora.appKey': 'LoRaWAN OTAA application key, 16 bytes hex: SECRET, never printed by qrgate',
  'uplink.lora.dataRate': 'EU868 data rate (0 to 5)',
};

export interface InitOptions {
  gateId?: string;
  board?: string;
  /** Public JWKs for rootKeys (none: an empty list the check reports). */
  rootKeys?: object[];
  /** Values by key path (`config init --set`), over the defaults. */
  set?: { [path: string]: any };
  /** Fresh random bytes for site.secret (default: 32 from crypto.randomBytes). */
  secret?: Uint8Array;
}

function place(obj: any, path: string, value: any): void {
  const parts = path.split('.');
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i++) cur = cur[parts[i]] || (cur[parts[i]] = {});
  const last = parts[parts.length - 1];
  cur['//' + last] = DESCRIPTIONS[path];
  cur[last] = value;
}

/** A starting configuration: every key with its default and a comment, a fresh site.secret. */
export function initConfig(o: InitOptions = {}): any {
  const secret = o.secret || new Uint8Array(crypto.randomBytes(32));
  const cfg: any = {
    '//': 'qrgate gate configuration (made by qrgate config init). Keys starting with // are comments: ' +
      'the gate ignores them and qrgate flash leaves them out of the board\'s copy. Check it with ' +
      'qrgate config check FILE. Every key: docs/qrgate.md and README.md, Configuration.',
  };
  const given: { [path: string]: any } = {
    gateId: o.gateId || 'gate-1',
    board: o.board || 'esp32',
    rootKeys: o.rootKeys || [],
    'site.secret': Buffer.from(secret).toString('hex'),
  };
  Object.assign(given, o.set || {});
  for (const f of fields() as Field[]) {
    const v = f.path in given ? given[f.path] : f.def;
    place(cfg, f.path, v);
  }
  return cfg;
}

/**
 * Problems the gate cannot see but the host can: a board name no profile has, and an uplink.url
 * that does not name the collector path its transport posts to (the collector answers 404 to any
 * other path, forever). `cfg` is the configuration as read (comments allowed).
 */
export function hostProblems(cfg: any): string[] {
  const out: string[] = [];
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) return out;
  const get = (p: string): any => {
    if (cfg[p] !== undefined) return cfg[p];
    let cur = cfg;
    for (const part of p.split('.')) {
      if (!cur || typeof cur !== 'object') return undefined;
      cur = cur[part];
    }
    return cur;
  };
  const board = get('board');
  if (typeof board === 'string' && board && !BOARDS.some((b) => b.name === board || b.ids.indexOf(board) >= 0)) {
    out.push(`invalid board: unknown board '${board}' (boards: ${BOARDS.map((b) => b.name).join(', ')})`);
  }
  const transport = get('uplink.transport');
  const url = get('uplink.url');
  const want = transport === 'wifi' ? '/ingest' : transport === 'lora' ? '/lorawan' : '';
  if (want && typeof url === 'string' && url) {
    let u: URL | null = null;
    try { u = new URL(url); } catch (e) { u = null; }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
      out.push(`invalid uplink.url: not an http:// or https:// address (e.g. http://HOST:8700${want})`);
    } else if (!u.pathname.endsWith(want)) {
      out.push(`invalid uplink.url: uplink.transport ${transport} posts to the collector's ${want} (e.g. ${u.protocol}//${u.host}${want}); the collector answers 404 to ${u.pathname}`);
    }
  }
  return out;
}
