// The board wiring: the one place that builds every device object and connects them.
// (Its twin on the host is sim/board.ts, which gives this same file Espruino-like globals.)
import { boardId as esp_boardId, clock as esp_clock, consoleOut as esp_consoleOut, exposeGlobal as esp_exposeGlobal, flatAddress as esp_flatAddress, flatBuffer as esp_flatBuffer, hashes as esp_hashes, httpClient as esp_httpClient, lockConsoles as esp_lockConsoles, memory as esp_memory, nativeFunction as esp_nativeFunction, outputPin as esp_outputPin, relayLine as esp_relayLine, serialPort as esp_serialPort, storage as esp_storage, timers as esp_timers, watchdog as esp_watchdog, wifiConnect as esp_wifiConnect } from '../hal/espruino/index';
import { boardProfile } from './boards';
import { boot, loadConfig } from './boot';
import { GateConfig } from './config';
import { chooseConsoleLock, LOCK_FILE, CONFIG_FILE_NAME } from './console-lock';
import { FIRMWARE_VERSION } from './version';
import { Gate, GateOptions, CLOCK_VALID_AFTER } from './gate';
import { consoleEvents } from './events';
import { Door } from './door';
import { startDoorWatch } from './doorwatch';
import { TrustStore } from './truststore';
import { statusJson, StatusSources } from './status';
import { Scanner } from '../drivers/scanner';
import { setupScanner } from './scanner-setup';
import { Relay } from '../drivers/relay';
import { Leds } from '../drivers/leds';
import { verify } from './crypto/ed25519';
import { tableVerifier, TableVerifier } from './verifier';
import { nativeEd25519Code, NATIVE_ENTRY, NATIVE_SIGNATURE, NATIVE_SIZE, verifierSelfTest } from './crypto/native';
import { sha256 } from './crypto/sha256';
import { sha512 } from './crypto/sha512';
import { hmacWith } from './crypto/hmac';
import { Journal } from './journal';
import { EntryLog } from './entrylog';
import { logConsole } from './logconsole';
import { startUplink, UplinkHal } from './uplink';
import { startOccupancy } from './occupancy';
import { frameLimit, parseScan } from './parse';
import { QG_NATIVE, QG_NATIVE_EMBED, QG_JSVERIFY, QG_DIVOC, QG_JS_SHA256, QG_JS_INFLATE, QG_DIVOC_DATA, nativeCodeDigest, inflateCodeDigest, divocDataOf } from './build-flags';
import { QG_CROWD, QG_SCANNER_MODULE, QG_DOOR, unbuiltFeature } from './build-flags';
import { nativeInflater } from './native-inflate';
import { ota, VerifyFn } from './trustcheck';
import { concatBytes, hexOf, putU32le } from '../proto/bytes';
import { Timers, Watchdog } from '../hal/types';

/**
 * Longest message the native verifier's buffer (allocated at boot, kept) takes: a QG1
 * Sig_structure is shorter than its message (at most COSE_MAX_BYTES, 512: the signature's 66
 * bytes are not in it, the context's 13 are), a DIVOC signing input about 160 bytes. A longer one
 * (a trust bundle's: 4 KB for 64 keys) gets a buffer for its call, or the JavaScript verifier.
 * (Was 1024: 39 variables of RAM held for nothing on the boards with least.)
 */
var NATIVE_MAX_MSG = 512;


/**
 * On ARM boards, the strict verifier in machine code (native/ed25519), run from flash; the
 * JavaScript one (`js`) when native code cannot run or fails its known-answer test. Bundles
 * built without the JavaScript verifier (QG_JSVERIFY false: js is null) return null then, and the
 * boot self-test reports a fault; without QG_NATIVE_EMBED the code is the Storage file
 * qg.ed25519 that `qrgate flash` writes, checked against its SHA-256 before it runs.
 */
function nativeOrJs(js: VerifyFn | null, codeOk: () => boolean): VerifyFn | null {
  var fn = QG_NATIVE_EMBED || codeOk() ?
    esp_nativeFunction('qg.ed25519', QG_NATIVE_EMBED ? nativeEd25519Code : null, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE) : null;
  var buf = fn ? esp_flatBuffer(96 + NATIVE_MAX_MSG) : null;
  if (!fn || !buf) return js;
  var f = fn;
  var b = buf;
  // The message in parts (VerifyFn.parts), each copied into the buffer where the code reads it: a
  // trust bundle's Sig_structure is never joined in RAM besides.
  var parts = function (pub: Uint8Array, ps: Uint8Array[], sig: Uint8Array): boolean {
    if (pub.length !== 32 || sig.length !== 64) return false;
    var len = 0, i: number;
    for (i = 0; i < ps.length; i++) len += ps[i].length;
    var m = b;
    var n = ps.length, last = ps[n - 1], head = len - last.length;
    // A long message (a trust bundle's Sig_structure: 4 KB for 64 keys) whose last part has an
    // address (the payload read in place from Storage's flash, or a flat buffer) goes in two
    // pieces (native/ed25519/qg_verify.c): its head copied into the buffer, then an (address,
    // length) pair for each piece. No 4 KB block of RAM, which a small board may not have in one
    // piece at boot. (Nothing between taking the addresses and the call runs E.defrag, the only
    // thing that moves a flat buffer.)
    var p = len > NATIVE_MAX_MSG && !js && head + 20 <= NATIVE_MAX_MSG ? esp_flatAddress(last) : 0;
    if (len > NATIVE_MAX_MSG && !p) {
      if (js) return js(pub, ps.length === 1 ? ps[0] : concatBytes(ps), sig);
      var big = esp_flatBuffer(96 + len); // a rare long message: a buffer for this call
      if (!big) throw new Error('native: no memory');
      m = big;
    }
    m.set(pub, 0);
    m.set(sig, 32);
    var off = 96;
    for (i = 0; i < (p ? n - 1 : n); i++) {
      m.set(ps[i], off);
      off += ps[i].length;
    }
    // The buffer's address now, never one kept from boot: E.defrag (hal flatBuffer, when memory
    // is fragmented) moves flat buffers, and the code would read other variables' RAM.
    var a = esp_flatAddress(m);
    if (!a) throw new Error('native: buffer not flat');
    if (p) {
      var d = (off + 3) & ~3; // the pairs, 4-byte aligned, little-endian words
      putU32le(m, d, a + 96);
      putU32le(m, d + 4, head);
      putU32le(m, d + 8, p);
      putU32le(m, d + 12, last.length);
      return f(a, a + 32, a + d, 0x80000002 | 0) === 1;
    }
    return f(a, a + 32, a + 96, len) === 1;
  };
  var native: VerifyFn = function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean { return parts(pub, [msg], sig); };
  native.parts = parts;
  return verifierSelfTest(native) ? native : js;
}

function wire(): void {
  var profile = boardProfile(esp_boardId());
  // 1. The relay line is released (input, high impedance) at once, before anything that could
  //    take time or throw: the wiring's pull resistor keeps the coil de-energised whatever the
  //    module's polarity (README "Wiring"). The line is driven only while the door is open,
  //    which needs a valid configuration: a missing, invalid or corrupt one never drives it.
  var relayPin = esp_relayLine(profile.relay);
  var events = consoleEvents(esp_consoleOut());
  var timers = esp_timers();
  var clock = esp_clock();
  var storage = esp_storage();
  // (sha512 only serves the JS verifier; a firmware without the JS SHA-256, QG_JS_SHA256, finds the
  // board's or none: hs null)
  var hs = esp_hashes({ sha256: QG_JS_SHA256 ? sha256 : null, sha512: QG_JSVERIFY ? sha512 : null });

  // 2. The door: relay and lights. The polarity only says which level opens (drivers/relay.ts).
  var pre = loadConfig(storage);
  // The consoles (firmware/console-lock.ts): the network consoles off, the console locked with
  // the site's password, before the program gives the interpreter its first idle moment (when
  // console input is first read).
  // HMAC-SHA-256 on the board's hashes: the console lock, the entry log's pseudonyms, the uplink's identity.
  var hmac = function (k: Uint8Array, d: Uint8Array) { return hmacWith(k, d, hs!.sha256); };
  var lock = chooseConsoleLock(pre.config, storage.readText(LOCK_FILE), storage.readText(CONFIG_FILE_NAME) !== undefined,
    hs && hmac, hs && hs.sha256);
  var consoles = esp_lockConsoles(lock.password, lock.random, profile.host);
  var relay = new Relay({
    pin: relayPin, timers: timers,
    openMs: pre.config ? pre.config.relay.openMs : 3000,
    activeHigh: pre.config ? pre.config.relay.activeHigh : true,
  });
  var leds = new Leds({
    green: esp_outputPin(profile.led.green), red: esp_outputPin(profile.led.red),
    amber: esp_outputPin(profile.led.amber), timers: timers,
  });
  var door = new Door({ relay: relay, leds: leds, openMs: pre.config ? pre.config.relay.openMs : 3000 });
  // No SHA-256 at all: this firmware (built for a board whose Espruino hashes natively) runs on an
  // Espruino without require('crypto').SHA256. Nothing can be checked: a fault, the door locked.
  if (!hs) {
    events.emit('fault', { what: 'sha256', why: 'no native SHA-256 (require("crypto").SHA256) on this Espruino, and this firmware carries none' });
    door.signal('fault');
    return;
  }
  var hashes = hs;

  // The verifier: machine code on ARM boards; elsewhere the JavaScript one with its tables in
  // flash (the base point's now, the trusted keys' once the trust bundle is accepted).
  var tables: TableVerifier | null = null;
  var jsVerify: VerifyFn | null = QG_JSVERIFY ? function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) { return verify(pub, msg, sig, hashes.sha512); } : null;
  // A file `qrgate flash` wrote (native code, DIVOC's table) is there and is what the build expects.
  var fileOk = function (name: string, digest: string) {
    var c = storage.readBytes(name);
    return !!c && hexOf(hashes.sha256(c)) === digest;
  };
  var codeOk = function () {
    if (fileOk('qg.ed25519', nativeCodeDigest())) return true;
    events.emit('fault', { what: 'native', why: 'qg.ed25519 missing or damaged (qrgate flash writes it)' });
    return false;
  };
  // No verifier at all (native code unusable, no JavaScript one built in): the self-test fails
  // and the gate never opens.
  var verifyFn: VerifyFn = (QG_NATIVE && profile.arm ? nativeOrJs(jsVerify, codeOk) : jsVerify) ||
    function () { return false; };
  if (QG_JSVERIFY && verifyFn === jsVerify) {
    tables = tableVerifier({
      storage: storage, sha256: hashes.sha256, sha512: hashes.sha512,
      maxKeyTables: pre.config ? pre.config.verifier.keyTables : 8,
      onMake: function (file: string) { events.emit('table', { made: file }); },
    });
    verifyFn = tables.verify;
  }

  // 3. Configuration, verifier self-test, trust bundle (the trust store holds it; the verifier's
  //    key tables follow it).
  // (A garbage collection first, as Espruino does when idle but boot gives it no idle moment: the
  // configuration's parsing and the wiring above leave cycles behind, and on the Original's 2,756
  // variables they and boot's own peak filled memory, a collection forced mid-boot; README "Memory".)
  esp_memory().usage(); // (Espruino's process.memory() collects garbage first)
  var trust = new TrustStore({ storage: storage, verify: verifyFn, events: events });
  if (tables) trust.listen(tables.setKeys);
  var b = boot({
    storage: storage, events: events, trust: trust, config: pre,
    selfTest: function () { return verifierSelfTest(verifyFn); },
  });
  // What `qrgate doctor` reads from the console: qgStatus().
  var statusSrc: StatusSources = {
    storage: storage, sha256: hashes.sha256, memory: esp_memory(), version: FIRMWARE_VERSION,
    // 'start' until the wiring below is done: a firmware that stops with an error on the way has
    // qgStatus() but never became ready, and says so (the error's words in faults: see the end).
    board: profile.name, config: b.config, trust: trust, fault: b.fault || 'start',
    now: function () { var t = clock.now(); return t >= CLOCK_VALID_AFTER ? t : null; }, uptime: clock.now,
    backlog: function () { return 0; }, faults: {},
  };
  esp_exposeGlobal('qgStatus', function () { return statusJson(statusSrc); });
  starting = statusSrc;
  if (!b.config) {
    statusSrc.fault = b.fault;
    door.signal('fault');
    return;
  }
  var config = b.config;
  // A configuration asking for a feature this board's firmware is built without (its board file's
  // features): refused like an invalid one, the door locked (README "Flash budget").
  var lacks = unbuiltFeature(config, QG_CROWD, QG_DOOR);
  if (lacks) {
    statusSrc.fault = 'config';
    events.emit('fault', { what: 'config', why: lacks + ' is not built into the firmware for board ' + profile.name });
    door.signal('fault');
    return;
  }
  // 4. The entry log: a journal in flash, resumed after a reboot or a power cut.
  var journal = new Journal({
    storage: storage, gateId: config.gateId, segments: config.log.segments, segmentSize: config.log.segmentSize,
  });
  var log: EntryLog | undefined;
  try {
    journal.open();
    log = new EntryLog(journal, config.site.secret, hmac);
  } catch (e) {
    events.emit('fault', { what: 'log', why: String((e as any).message || e) });
  }
  if (log) {
    statusSrc.backlog = function () { return journal.stats().pending; };
    statusSrc.journal = journal;
    // What `qrgate logs pull|ack` call (firmware/logconsole.ts).
    esp_exposeGlobal('qgLog', function (op: string, a: any, b: any) { return logConsole(journal, hashes.sha256, op, a, b); });
  }
  // Occupancy, capacity, anti-passback (issue 14): a lazy part, present only at gates configured
  // to count (firmware/occupancy.ts).
  var crowd = !QG_CROWD ? null : startOccupancy({ config: config, storage: storage, timers: timers, events: events, journal: log ? journal : undefined, contact: !!config.door.contact });
  if (crowd) statusSrc.occupancy = crowd; // qrgate doctor shows the count, the limit and the level
  // (Recorded with the faults found while running: doctor lists them; the gate runs.)
  var divocFault = function (what: string, why: string) {
    var f = { what: what, why: why + ': DIVOC certificates are refused (unsupported)' };
    statusSrc.faults![what] = f;
    events.emit('fault', f);
  };
  var gateOpts: GateOptions = {
    config: config, trust: trust, clock: clock, door: door, events: events, verify: verifyFn, sha256: hashes.sha256, sha256Text: hashes.sha256Text, sink: log,
  };
  // DIVOC's inflate in machine code on ARM boards whose bundle carries DIVOC (native/inflate: the
  // flash file qg.inflate that `qrgate flash` writes, its SHA-256 checked first; a bundle built with
  // QG_NATIVE_EMBED carries the code and writes the file itself), after its self-test; otherwise
  // (and when a call cannot get its buffers) proto/inflate.ts, where the firmware has it. A firmware
  // without it (QG_JS_INFLATE) whose native inflate, or DIVOC's table file (QG_DIVOC_DATA), fails
  // here reports a fault and refuses DIVOC texts as unsupported: QG1 goes on (README "Flash budget").
  if (QG_NATIVE && QG_DIVOC && profile.arm) {
    var inflateWhy = !QG_NATIVE_EMBED && !fileOk('qg.inflate', inflateCodeDigest()) ? 'qg.inflate missing or damaged (qrgate flash writes it)' : '';
    if (!inflateWhy) gateOpts.inflate = nativeInflater(esp_nativeFunction, esp_flatBuffer, esp_flatAddress);
    if (!inflateWhy && !gateOpts.inflate) inflateWhy = 'the native inflate failed its self-test';
    if (!QG_JS_INFLATE && inflateWhy) divocFault('inflate', inflateWhy);
    if (QG_DIVOC_DATA && gateOpts.inflate && !fileOk('qg.divoc', divocDataOf().sha256)) {
      gateOpts.inflate = null;
      divocFault('divoc-table', 'qg.divoc (DIVOC\'s context table) missing or damaged (qrgate flash writes it)');
    }
  }
  // The repeat-visitor cache gives memory back before a decision that needs it (the board's
  // memReserve: boards/<name>.ts; firmware/gate.ts makeRoom).
  if (profile.reserve && config.cache.size > 0) {
    gateOpts.reserve = profile.reserve;
    gateOpts.free = esp_memory().free;
  }
  var gate = new Gate(gateOpts);
  if (crowd) gate.o.crowd = crowd; // (set only when counting: a property costs RAM)
  var cap = config.capacity;
  if (crowd && cap && cap.exitSerial) {
    // The exit-side scanner: a scan there counts someone leaving (and names them for
    // anti-passback, read without a signature check); it never opens the door.
    var occ = crowd;
    void new Scanner({
      port: esp_serialPort(cap.exitSerial, config.scanner.baud, cap.exitRx, cap.exitTx),
      clock: clock, timers: timers, idleMs: config.scanner.idleMs, maxLen: frameLimit(config.scanner.maxLen, QG_DIVOC), dedupMs: config.scanner.dedupMs, queueMax: 2,
      onScan: function (text: string) {
        var sub: Uint8Array | null = null;
        try { var p = parseScan(text, hashes.sha256); if (p) sub = p.sub; } catch (e) { /* not a certificate: still someone leaving */ }
        occ.exited(gate.now(), sub);
      },
    });
  }
  var scanPort = esp_serialPort(profile.scanner.serial, config.scanner.baud, profile.scanner.rx, profile.scanner.tx);
  var scanner = new Scanner({
    port: scanPort,
    clock: clock, timers: timers, idleMs: config.scanner.idleMs, maxLen: frameLimit(config.scanner.maxLen, QG_DIVOC),
    dedupMs: config.scanner.dedupMs, queueMax: config.queue.max,
    onScan: function (text: string) { gate.scan(text); },
    onDrop: function (why: string, count: number, len: number) { gate.drop(why, count, len); },
  });
  statusSrc.scans = function () {
    var st = scanner.stats;
    return { frames: st.frames, decisions: gate.stats.decisions, dropped: st.dropped, tooLong: st.tooLong, duplicates: st.duplicates, noise: st.noise };
  };
  // The scanner module's settings, in its RAM (a lazy part: firmware/scanner-setup.ts); scans go
  // on meanwhile. Started at the end of the wiring (below), once boot's own state is let go: its
  // part's functions and state (about 140 variables while it runs) never add to boot's peak.
  // (A board built without that step uses the module as it is, as one that does not answer.)
  var moduleSetup: GateConfig['scanner'] | null = null;
  if (config.scanner.module !== 'none') {
    if (QG_SCANNER_MODULE) moduleSetup = config.scanner;
    else events.emit('scanner', { module: config.scanner.module, state: 'unbuilt' });
  }
  door.signal(b.fault ? 'fault' : 'ready');
  // The door contact and exit button (door.contact / door.button): a lazy part, on gates that have
  // them. Its keys are read here only: dropped from the configuration kept in RAM.
  // The door tells the occupancy who went through: an opening after a granted scan (contact) and
  // the exit button (issue 14; door.ts onDoor).
  if (crowd) {
    var occDoor = crowd;
    door.onDoor = function (what: string) {
      if (what === 'opened') occDoor.doorOpened(gate.now() || 0);
      else if (what === 'exit') occDoor.exited(gate.now(), null);
    };
  }
  if (QG_DOOR && (config.door.contact || config.door.button)) startDoorWatch(door, config.door, profile, timers, events, log ? journal : null, clock, CLOCK_VALID_AFTER, esp_outputPin);
  delete (config as any).door;
  var tb = trust.bundle;
  events.emit('ready', {
    fw: FIRMWARE_VERSION, board: profile.name, gateId: config.gateId, fault: b.fault, detail: b.detail,
    trust: tb ? { version: tb.version, keys: tb.keyCount } : null,
    clock: gate.now() !== null, memory: esp_memory().usage(),
    backlog: log ? journal.stats().pending : 0, console: consoles.indexOf('locked') >= 0 ? 'locked' : 'open',
  });
  // 5. The entry log's uplink (uplink.transport: wifi, lora or none).
  // 5'. Trust updates over the uplink (issue 13): firmware/trustupdate.ts, a lazy part.
  var uhal: UplinkHal | null = null;
  if (log) {
    uhal = { httpClient: esp_httpClient, wifiConnect: wifiVia(profile.wifi, profile.host), serialPort: esp_serialPort, outputPin: esp_outputPin, faults: statusSrc.faults, storage: storage, clock: clock, hmac: hmac,
      ota: function (op: string, a: any, b: any) { return ota(op, storage, trust, events, a, b); },
      trustVersion: function () { return trust.bundle ? trust.bundle.version : 0; } };
    // The PPKM level the collector's answers carry (issue 14), to the occupancy.
    if (crowd) uhal.level = function (n: number) { (crowd as any).setLevel(n); };
    startUplink(config, journal, profile, timers, events, uhal);
  }
  void scanner;
  // 6. The hardware watchdog (the board file's watchdogS), armed now that the gate runs and kicked
  //    every second: a program that stops running its timers restarts the board, and a restart
  //    releases the relay (README "Watchdog"). A gate that stops while starting has none.
  if (profile.watchdogS > 0) heartbeat(esp_watchdog(), timers, profile.watchdogS);
  statusSrc.fault = b.fault;
  starting = null;
  // Boot's own state goes (issue 11: memory after boot). The closures made above (qgStatus, the
  // scanner's callbacks, hmac ...) keep this function's scope alive, with every value it still
  // names: the board profile, the configuration as loaded, the console lock, the boot result and
  // the uplink's hal (each user that needs one keeps its own reference) are let go here, and the
  // configuration kept in RAM (the gate's, the occupancy's, the status's) loses the sections read
  // only while wiring: whatever reads one later must take it (or a copy) while wiring.
  (profile as any) = (pre as any) = (lock as any) = (consoles as any) = (codeOk as any) = (fileOk as any) = (divocFault as any) = (b as any) = uhal = null;
  dropBootSections(config);
  if (QG_SCANNER_MODULE && moduleSetup) setupScanner({ config: { scanner: moduleSetup }, port: scanPort, timers: timers, scanner: scanner, events: events, status: statusSrc });
  moduleSetup = null;
}

/** Arms the watchdog for `seconds` and kicks it every second from a timer. */
function heartbeat(wd: Watchdog, timers: Timers, seconds: number): void {
  wd.enable(seconds);
  timers.setInterval(wd.kick, 1000);
}

/** The uplink's Wi-Fi join through the board's module (hal/espruino wifiConnect). */
function wifiVia(module: string, host: boolean): UplinkHal['wifiConnect'] {
  return function (ssid: string, password: string, cb: (err: string | null) => void) { esp_wifiConnect(module, host, ssid, password, cb); };
}

/** Sections of the configuration read only while wiring (wire()), dropped from the copy kept in RAM. */
var BOOT_SECTIONS = ['board', 'scanner', 'queue', 'cache', 'log', 'verifier', 'site', 'uplink'];

function dropBootSections(config: GateConfig): void {
  for (var i = 0; i < BOOT_SECTIONS.length; i++) delete (config as any)[BOOT_SECTIONS[i]];
}

/** The status of a start under way (see wire(): fault 'start' until it ends). */
var starting: StatusSources | null = null;

function start(): void {
  try {
    wire();
  } catch (e) {
    // Stopped with an error after qgStatus() exists: doctor must not read a running gate. The
    // relay was never driven on (the door owner starts locked); the error still reaches the console.
    if (starting) (starting as any).faults.start = { what: 'start', why: String((e as any).message || e) };
    throw e;
  }
}

start();
