// The board wiring: the one place that builds every device object and connects them.
// (Its twin on the host is sim/board.ts, which gives this same file Espruino-like globals.)
import { boardId as esp_boardId, clock as esp_clock, consoleOut as esp_consoleOut, exposeGlobal as esp_exposeGlobal, flatBuffer as esp_flatBuffer, hashes as esp_hashes, httpClient as esp_httpClient, lockConsoles as esp_lockConsoles, memory as esp_memory, nativeFunction as esp_nativeFunction, outputPin as esp_outputPin, relayLine as esp_relayLine, serialPort as esp_serialPort, storage as esp_storage, timers as esp_timers, wifiConnect as esp_wifiConnect } from '../hal/espruino/index';
import { boardProfile } from './boards';
import { boot, loadConfig } from './boot';
import { chooseConsoleLock, LOCK_FILE, CONFIG_FILE_NAME } from './console-lock';
import { FIRMWARE_VERSION } from './version';
import { Gate, CLOCK_VALID_AFTER } from './gate';
import { consoleEvents } from './events';
import { Door } from './door';
import { TrustStore } from './truststore';
import { statusJson, StatusSources } from './status';
import { Scanner } from '../drivers/scanner';
import { Relay } from '../drivers/relay';
import { Leds } from '../drivers/leds';
import { verify } from './crypto/ed25519';
import { tableVerifier, TableVerifier } from './verifier';
import { nativeEd25519Code, NATIVE_ENTRY, NATIVE_SIGNATURE, NATIVE_SIZE, verifierSelfTest } from './crypto/native';
import { sha256 } from './crypto/sha256';
import { sha512 } from './crypto/sha512';
import { hmacSha256 } from './crypto/sha256';
import { Journal } from './journal';
import { EntryLog } from './entrylog';
import { logConsole } from './logconsole';
import { startUplink } from './uplink';
import { ota } from './trustcheck';
import { QG_NATIVE, QG_NATIVE_EMBED, QG_JSVERIFY, nativeCodeDigest } from './build-flags';
import { hexOf } from '../proto/bytes';

/** Longest message the native verifier takes (longer ones go to the JavaScript verifier). */
var NATIVE_MAX_MSG = 1024;

type VerifyFn = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

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
  var native = function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
    if (pub.length !== 32 || sig.length !== 64) return false;
    var m = b;
    if (msg.length > NATIVE_MAX_MSG) {
      if (js) return js(pub, msg, sig);
      var big = esp_flatBuffer(96 + msg.length); // a rare long message: a buffer for this call
      if (!big) throw new Error('native: no memory');
      m = big;
    }
    m.bytes.set(pub, 0);
    m.bytes.set(sig, 32);
    m.bytes.set(msg, 96);
    return f(m.addr, m.addr + 32, m.addr + 96, msg.length) === 1;
  };
  return verifierSelfTest(native) ? native : js;
}

function start(): void {
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
  var hashes = esp_hashes({ sha256: sha256, sha512: QG_JSVERIFY ? sha512 : sha256 }); // sha512 only serves the JS verifier

  // 2. The door: relay and lights. The polarity only says which level opens (drivers/relay.ts).
  var pre = loadConfig(storage);
  // The consoles (firmware/console-lock.ts): the network consoles off, the console locked with
  // the site's password, before the program gives the interpreter its first idle moment (when
  // console input is first read).
  var lock = chooseConsoleLock(pre.config, storage.readText(LOCK_FILE), storage.readText(CONFIG_FILE_NAME) !== undefined,
    function (k: Uint8Array, d: Uint8Array) { return hmacSha256(k, d, hashes.sha256); }, hashes.sha256);
  var consoles = esp_lockConsoles(lock.password, lock.random, profile.name === 'linux');
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

  // The verifier: machine code on ARM boards; elsewhere the JavaScript one with its tables in
  // flash (the base point's now, the trusted keys' once the trust bundle is accepted).
  var tables: TableVerifier | null = null;
  var jsVerify: VerifyFn | null = QG_JSVERIFY ? function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) { return verify(pub, msg, sig, hashes.sha512); } : null;
  var codeOk = function () {
    var c = storage.readBytes('qg.ed25519');
    if (c && c.length === NATIVE_SIZE && hexOf(hashes.sha256(c)) === nativeCodeDigest()) return true;
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
  var trust = new TrustStore({ storage: storage, verify: verifyFn, events: events });
  if (tables) trust.listen(tables.setKeys);
  var b = boot({
    storage: storage, events: events, trust: trust, config: pre,
    selfTest: function () { return verifierSelfTest(verifyFn); },
  });
  // What `qrgate doctor` reads from the console: qgStatus().
  var statusSrc: StatusSources = {
    storage: storage, sha256: hashes.sha256, memory: esp_memory(), version: FIRMWARE_VERSION,
    board: profile.name, config: b.config, trust: trust, fault: b.fault,
    now: function () { var t = clock.now(); return t >= CLOCK_VALID_AFTER ? t : null; },
    backlog: function () { return 0; }, faults: {},
  };
  esp_exposeGlobal('qgStatus', function () { return statusJson(statusSrc); });
  if (!b.config) {
    door.signal('fault');
    return;
  }
  var config = b.config;
  // 4. The entry log: a journal in flash, resumed after a reboot or a power cut.
  var journal = new Journal({
    storage: storage, gateId: config.gateId, segments: config.log.segments, segmentSize: config.log.segmentSize,
  });
  var log: EntryLog | undefined;
  try {
    journal.open();
    log = new EntryLog(journal, config.site.secret, function (k: Uint8Array, d: Uint8Array) {
      return hmacSha256(k, d, hashes.sha256);
    });
  } catch (e) {
    events.emit('fault', { what: 'log', why: String((e as any).message || e) });
  }
  if (log) {
    statusSrc.backlog = function () { return journal.stats().pending; };
    statusSrc.journal = journal;
    // What `qrgate logs pull|ack` call (firmware/logconsole.ts).
    esp_exposeGlobal('qgLog', function (op: string, a: any, b: any) { return logConsole(journal, hashes.sha256, op, a, b); });
  }
  var gate = new Gate({
    config: config, trust: trust, clock: clock, door: door, events: events, verify: verifyFn, sha256: hashes.sha256, sha256Text: hashes.sha256Text, sink: log,
  });
  var scanner = new Scanner({
    port: esp_serialPort(profile.scanner.serial, config.scanner.baud, profile.scanner.rx, profile.scanner.tx),
    clock: clock, timers: timers, idleMs: config.scanner.idleMs, maxLen: config.scanner.maxLen,
    dedupMs: config.scanner.dedupMs, queueMax: config.queue.max,
    onScan: function (text: string) { gate.scan(text); },
    onDrop: function (why: string, count: number, len: number) { gate.drop(why, count, len); },
  });
  statusSrc.scans = function () {
    var st = scanner.stats;
    return { frames: st.frames, decisions: gate.stats.decisions, dropped: st.dropped, tooLong: st.tooLong, duplicates: st.duplicates, noise: st.noise };
  };
  door.signal(b.fault ? 'fault' : 'ready');
  var tb = trust.bundle;
  events.emit('ready', {
    fw: FIRMWARE_VERSION, board: profile.name, gateId: config.gateId, fault: b.fault, detail: b.detail,
    trust: tb ? { version: tb.version, keys: tb.keyCount } : null,
    clock: gate.now() !== null, memory: esp_memory().usage(),
    backlog: log ? journal.stats().pending : 0, console: consoles.indexOf('locked') >= 0 ? 'locked' : 'open',
  });
  // 5. The entry log's uplink (uplink.transport: wifi, lora or none).
  // Trust updates over the uplink (issue 13): firmware/trustupdate.ts, a lazy part.
  if (log) startUplink(config, journal, profile, timers, events, { httpClient: esp_httpClient, wifiConnect: esp_wifiConnect, serialPort: esp_serialPort, outputPin: esp_outputPin, faults: statusSrc.faults,
    ota: function (op: string, a: any, b: any) { return ota(op, storage, trust, events, a, b); },
    trustVersion: function () { return trust.bundle ? trust.bundle.version : 0; } });
  void scanner;
}

start();
