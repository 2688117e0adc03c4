// `qrgate flash` and `qrgate doctor` as library functions (the commands and the tests call these).
//
// What is written, in this order (the order is the recovery story):
//  1. checks on the host, before connecting: the configuration validates (firmware/config.ts, the
//     same code the board runs at boot), the trust bundle's signature verifies under its rootKeys,
//     the bundle only defines until its last statement, which starts the gate (so that a copy cut
//     short can never run: see 5; a bundle given is checked here, the one built for the board
//     once the board has answered);
//  2. checks on the board, before writing: it answers on its console, it is the board asked for
//     (--board, else the configuration's `board`) and one the firmware has pins for, the files fit
//     (Storage free + deleted + the space of the files being replaced), and the trust bundle is not
//     older than the one it has installed (qg.tver: the firmware would refuse it);
//  3. reset(): the running program stops (RAM cleared, nothing loaded from flash);
//  4. .bootcde, .bootrst and .varimg are erased first: from here the board holds NO firmware
//     until step 6 completes, never a mixture;
//  5. qg.cfg, qg.trust, then .bootcde last, each as one Storage file created at its full size and
//     filled in 384-byte chunks (each acknowledged). A .bootcde cut short ends in erased 0xFF
//     bytes. Espruino runs a file statement by statement, so every statement of the bundle but the
//     last only defines (functions, constants, methods: no call) and the last starts the gate: a
//     truncated copy defines some functions, then is a syntax error, and never starts (the
//     simulator refuses the whole file);
//  6. the clock is set from the host (unless told not to), load() boots the board from flash, and
//     the firmware's `@qg ready` line must come, without a fault, naming the configured gate id
//     and the bundle's version;
//  7. read-back: SHA-256 of each file computed ON the board (require('crypto') or a JavaScript
//     SHA-256 sent for boards without it) must equal the host's; when the firmware offers
//     qgStatus() its firmware hash must match too.
// A flash interrupted anywhere leaves the old firmware (before 4) or none (after 4); the next
// flash repeats 3-7 from the start, and Storage.write at offset 0 replaces a partial file, so it
// recovers without any manual step.
import * as crypto from 'crypto';
import { validateConfig } from '../../firmware/config';
import { acceptTrustBundle } from '../../firmware/trustcheck';
import { verify } from '../../firmware/crypto/ed25519';
import { BOARDS, BoardProfile } from '../../firmware/boards';
import { CONFIG_FILE, TRUST_FILE, TVER_FILE } from '../../firmware/boot';
import { ID_FILE } from '../../proto/gateauth';
import { identityFile } from '../collector/gates';
export { identityFile } from '../collector/gates';
import { decodeTrustBundle } from '../../proto/trustbundle';
import { EspruinoClient, BoardError, delay } from './client';
import { watchStart, FirmwareStartError, StartFailure } from './watch';
import { LinkError } from './link';
import { Progress } from './progress';
import { consolePasswordOf, defaultPasswords, ConsoleLockedError } from './unlock';
import * as fs from 'fs';
import { flashFiles, bundleFor, profileName, featureProblems } from '../flashfiles';
import { bundlePath } from '../build/boards';
import { storageCost } from '../flashbudget';
import { boardFileOf } from '../../boards/index';
import { FlashPlan, planLayout, crc32, loaderCode, loaderMap, firmwareWrites, tokenisesOn } from './layout';

export class FlashError extends Error {}

/**
 * The files are on the board but its firmware does not run (it crashed, reported a fault,
 * restarted in a loop, or never said ready): `qrgate flash` exits 1 and shows the board's words.
 */
export class FirmwareError extends FlashError {
  constructor(message: string, readonly kind: StartFailure, readonly words: string[]) {
    super(message);
  }
}

/**
 * How long `flash` waits for the ready line after the restart, by default. Measured: the gate's
 * dist/gate.js said ready 43.8 s after load() on Espruino's Linux build (44 s of CPU: its Storage
 * is a file, read at every access), in under a second on the simulated board (README).
 */
export const DEFAULT_READY_TIMEOUT_MS = 120000;

/** How long a board may take to answer at all (a busy one answers when its program yields). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 30000;

function advice(kind: StartFailure, port: string, timeoutMs: number): string {
  switch (kind) {
    case 'crash': return 'The board was stopped (reset()); the firmware does not run on this board: flash a firmware built for it (make build-device, or --bundle FILE) and run qrgate flash again';
    case 'fault': return 'The board was stopped (reset()): correct what the fault names (configuration, trust bundle, files) and run qrgate flash again';
    case 'loop': return 'The board was stopped (reset()): the firmware resets the board while starting (watchdog, power, memory); flash a working firmware and run qrgate flash again';
    case 'timeout': return `The board was stopped (reset()): it may still have been starting (give more time with --timeout ${Math.round(timeoutMs / 500)}) or it hangs (qrgate monitor --port ${port} shows what it prints after a restart)`;
    default: return 'Connect the board again and run qrgate flash again';
  }
}

export const FIRMWARE_FILE = '.bootcde';

export function sha256Hex(b: Uint8Array): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/**
 * What stops the running program: reset(), after switching the hardware watchdog of a board whose
 * firmware arms one to kicking itself (it survives reset(); Espruino's idle loop kicks it then).
 */
export function stopStatement(watchdogS: number): string {
  return watchdogS > 0 ? `E.enableWatchdog(${watchdogS},true);reset()` : 'reset()';
}

/** The profile named by --board (a profile name or an Espruino board id), or an error. */
export function profileByName(name: string): BoardProfile {
  let p: string;
  try {
    p = profileName(name);
  } catch (e: any) {
    throw new FlashError(e.message);
  }
  return BOARDS.filter((b) => b.name === p)[0];
}

/** What top-level code before the start may call: built-ins that compute and touch no device. */
const PURE_GLOBALS = ['Math', 'String', 'Number', 'Array', 'Object', 'JSON', 'Error', 'parseInt', 'parseFloat', 'isNaN',
  'ArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array'];

/**
 * The bundle must only define until its last statement (see the file header), the one that starts
 * the gate. Before it, the code that runs (outside function bodies; inside the bodies of functions
 * called on the spot) may call only functions it defines on the spot, the built-ins of
 * PURE_GLOBALS, and methods of literals or of values it declared (a table being filled): never a
 * function of the bundle's, nor anything of Espruino's that could reach a device. A bundle of one
 * statement (an IIFE) passes too.
 */
export function checkBundleShape(bundle: Uint8Array): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const acorn = require('acorn');
  let ast: any;
  try {
    ast = acorn.parse(Buffer.from(bundle).toString('latin1'), { ecmaVersion: 2020, sourceType: 'script' });
  } catch (e: any) {
    throw new FlashError(`the firmware bundle does not parse: ${e.message}`);
  }
  const body = ast.body.filter((s: any) => !(s.type === 'ExpressionStatement' && s.directive));
  const fail = (why: string) => {
    throw new FlashError(`the firmware bundle must only define until its last statement, which starts the gate, so that a partly written copy never runs: ${why}`);
  };
  if (!body.length || body[body.length - 1].type !== 'ExpressionStatement') fail('its last statement is not an expression');
  // names of values (not functions) declared anywhere: their methods may be called (arrays, tables)
  const values: { [name: string]: boolean } = {};
  const functions: { [name: string]: boolean } = {};
  (function collect(n: any): void {
    if (!n || typeof n.type !== 'string') return;
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') values[n.id.name] = true;
    if (n.type === 'FunctionDeclaration' && n.id) functions[n.id.name] = true;
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v.type === 'string') collect(v);
    }
  })(ast);
  const root = (e: any): any => (e.type === 'MemberExpression' ? root(e.object) : e);
  // the first call in code that runs now which is not allowed, or null
  const badCall = (n: any): any => {
    if (!n || typeof n.type !== 'string') return null;
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return null;
    if (n.type === 'CallExpression' || n.type === 'NewExpression') {
      const c = n.callee;
      if (c.type === 'FunctionExpression') return badCall(c.body) || n.arguments.map(badCall).filter((x: any) => x)[0] || null;
      const r = root(c);
      const ok = r.type === 'Literal' || r.type === 'ArrayExpression' ||
        (r.type === 'Identifier' && (PURE_GLOBALS.indexOf(r.name) >= 0 || (c.type === 'MemberExpression' && values[r.name] && !functions[r.name])));
      if (!ok) return n;
    }
    if (n.type === 'TaggedTemplateExpression') return n;
    for (const k of Object.keys(n)) {
      const v = n[k];
      const b = Array.isArray(v) ? v.map(badCall).filter((x: any) => x)[0] : v && typeof v.type === 'string' ? badCall(v) : null;
      if (b) return b;
    }
    return null;
  };
  const src = Buffer.from(bundle).toString('latin1');
  for (let i = 0; i < body.length - 1; i++) {
    const b = badCall(body[i]);
    if (b) fail(`statement ${i + 1} of ${body.length} calls ${JSON.stringify(src.slice(b.start, Math.min(b.end, b.start + 40)))}`);
  }
}

export interface FlashOptions {
  port: string;
  /** The configuration file's bytes (written as they are) */
  config: Uint8Array;
  trust: Uint8Array;
  /** The firmware; default: the bundle built for the board found (tools/flashfiles.ts bundleFor). */
  bundle?: Uint8Array;
  /** Expected board (profile name or board id); default: the configuration's `board`. */
  board?: string;
  /** Set the board's clock from the host (default true). */
  setTime?: boolean;
  baud?: number;
  /** How long to wait for the firmware's ready line after load() (ms). */
  readyTimeoutMs?: number;
  /** How long to wait for the board to answer at all (ms). */
  answerTimeoutMs?: number;
  progress?: Progress;
  /** Called with each console line (for --verbose). */
  onLine?: (line: string) => void;
  /** Test hook: called after each chunk written (file name, bytes done); may throw to interrupt. */
  onChunk?: (name: string, done: number) => void;
  /**
   * The gate's key (`qrgate collector gates add --key-out`: its id must be the configuration's
   * gateId): written as qg.id with a fresh random boot epoch (README "Gate identity").
   */
  key?: { gateId: string; key: Uint8Array };
}

export interface FlashResult {
  board: string;
  boardId: string;
  interpreter: string;
  files: { name: string; bytes: number; sha256: string }[];
  ready: any;
  status: any | null;
}

function fail(msg: string): never { throw new FlashError(msg); }

function withId(files: { [name: string]: Uint8Array }, id: Uint8Array | null): { [name: string]: Uint8Array } {
  if (id) files[ID_FILE] = id;
  return files;
}

export async function flashBoard(o: FlashOptions): Promise<FlashResult> {
  const prog = o.progress || new Progress(1, process.stderr, true);
  // 1. host checks
  let cfgObj: any;
  try {
    cfgObj = JSON.parse(Buffer.from(o.config).toString('utf8'));
  } catch (e: any) {
    fail(`configuration is not valid JSON: ${e.message}`);
  }
  const v = validateConfig(cfgObj);
  if (!v.config) fail(`configuration: ${v.error}`);
  const config = v.config!;
  const t = acceptTrustBundle(o.trust, config.rootKeys, -1, (p, m, s) => verify(p, m, s));
  if (!t.bundle) fail(`trust bundle: ${t.detail}`);
  const bundleVersion = t.bundle!.version;
  if (o.bundle) checkBundleShape(o.bundle);
  const want = o.board || config.board || '';
  const wantProfile = want ? profileByName(want) : null;
  // The firmware and the files beside it depend on the board: sized from the expected board
  // now (for the progress bar), fixed once the board has answered; the firmware file is read
  // and checked then, once.
  const extraFiles: { [board: string]: { [name: string]: Uint8Array } } = {};
  if (o.key && o.key.gateId !== cfgObj.gateId) fail(`the key file is gate ${o.key.gateId}'s, the configuration is gate ${cfgObj.gateId}'s`);
  const idFile = o.key ? identityFile(o.key.key) : null;
  const extraFor = (boardName: string) => extraFiles[boardName] || (extraFiles[boardName] = withId(flashFiles(boardName, o.config, o.trust), idFile));
  const bundlePathFor = (boardName: string) => {
    const bp = bundleFor(boardName);
    if (!fs.existsSync(bp)) fail(`no firmware bundle ${bp}: run make build-device (or give --bundle FILE)`);
    return bp;
  };
  // A configuration asking for a feature the board's own firmware is built without (boards/<name>.ts
  // features) is refused before anything is written (a given --bundle, or the universal firmware
  // where the board's own is not built, carries everything).
  const checkFeatures = (boardName: string) => {
    if (o.bundle || bundleFor(boardName) !== bundlePath(boardName)) return;
    const p = featureProblems(boardName, config);
    if (p.length) fail(`the configuration asks for what board ${boardName}'s firmware is built without: ${p.join('; ')} (README "Flash budget")`);
  };
  if (wantProfile) checkFeatures(wantProfile.name);
  const guess = wantProfile ? wantProfile.name : 'esp32';
  const guessExtra = extraFor(guess);
  const guessBundle = o.bundle ? o.bundle.length : fs.statSync(bundlePathFor(guess)).size;
  const total = Object.keys(guessExtra).reduce((a, n) => a + guessExtra[n].length, guessBundle);
  const units = total + 4 * 1024; // writing, plus the steps around it
  let done = 0;
  prog.setTotal(units);
  prog.update(0, `connecting to ${o.port}`);

  let client: EspruinoClient;
  try {
    // a locked gate: the password of this configuration's site, or of QRGATE_CONFIG's (tools/board/unlock.ts)
    client = await EspruinoClient.open(o.port, { baud: o.baud, timeoutMs: Math.min(o.answerTimeoutMs || 5000, 5000), passwords: [consolePasswordOf(o.config)].concat(defaultPasswords()) });
  } catch (e: any) {
    throw new FlashError(e.message);
  }
  if (o.onLine) client.onLine(o.onLine);
  try {
    // 2. board checks
    let env: any;
    try {
      env = await client.sync(o.answerTimeoutMs || DEFAULT_ANSWER_TIMEOUT_MS,
        (sec) => prog.update(0, `waiting for the board to answer (busy?): ${sec} s`));
    } catch (e: any) {
      if (e instanceof LinkError) fail(`${e.message.replace(/: no answer.*$/, '')}: no Espruino console answered (is it an Espruino? is another program using it?)`);
      throw e;
    }
    const boardId = String(env && env.BOARD || '');
    let profile: BoardProfile | undefined = BOARDS.find((b) => b.ids.indexOf(boardId) >= 0);
    if (wantProfile && wantProfile.ids.indexOf(boardId) < 0) {
      fail(`wrong board: expected ${wantProfile.name} (${wantProfile.ids.join('/')}) but the board on ${o.port} is ${boardId || 'unknown'}`);
    }
    if (!profile) fail(`board ${boardId || '(no process.env.BOARD)'} on ${o.port} is not supported: the firmware has no pin profile for it (boards: ${BOARDS.map((b) => b.name).join(', ')})`);
    profile = profile!;
    checkFeatures(profile.name);
    let bundle = o.bundle;
    if (!bundle) {
      bundle = new Uint8Array(fs.readFileSync(bundlePathFor(profile.name)));
      checkBundleShape(bundle);
    }
    // qg.cfg and qg.trust first (flashFiles' order), the firmware last
    const extra = extraFor(profile.name);
    // The layout (tools/board/layout.ts), planned against the free areas this board reports
    // and checked against its board file's map before anything is written.
    const plan = await planOnBoard(client, profile.name, bundle, extra, config.log, tokenisesOn(String(env.VERSION || '')));
    const files = Object.keys(extra).filter((name) => !plan.image || plan.storage.some((s) => s.name === name))
      .map((name) => ({ name, data: extra[name] }));
    files.push({ name: FIRMWARE_FILE, data: plan.image ? new Uint8Array(Buffer.from(plan.bootcde, 'latin1')) : bundle });
    done += 512;
    prog.update(done, `found ${profile.name} (${boardId} ${env.VERSION || ''})`);

    const replaced = [FIRMWARE_FILE, '.bootrst', '.varimg'].concat(files.map((f) => f.name));
    const st = await client.eval('(function(){var S=require("Storage"),g=S.getStats?S.getStats():null,f={},L=' +
      JSON.stringify(replaced) + ';for(var i=0;i<L.length;i++){var s=S.read(L[i]);f[L[i]]=s===undefined?-1:s.length}' +
      'return{free:S.getFree(),trash:g?g.trashBytes:0,files:f,tver:S.read(' + JSON.stringify(TVER_FILE) + ')}})()');
    let available = Number(st.free) + Number(st.trash || 0);
    for (const n of replaced) if (st.files[n] >= 0) available += storageCost(st.files[n]);
    const needed = files.reduce((a, f) => a + storageCost(f.data.length), 0);
    if (needed > available) {
      const sizes = files.map((f) => `${f.name} ${f.data.length}`).join(' + ');
      fail(`not enough flash on the ${profile.name}: ${sizes} bytes need ${needed} bytes of Storage, the board has ${available} (README "Flash budget")`);
    }
    const tver = st.tver === undefined || st.tver === null ? -1 : parseInt(String(st.tver), 10);
    if (tver > bundleVersion) {
      fail(`trust bundle version ${bundleVersion} is older than version ${tver} installed on the board (the gate refuses a rollback): build a bundle with --version ${tver} or higher`);
    }

    // 3. stop the running program. A gate that armed the board's hardware watchdog (boards/*.ts
    //    watchdogS) would restart the board mid-flash once nothing kicks it: reset() keeps the
    //    watchdog (Espruino cannot stop one), so it is first made to kick itself from the idle
    //    loop (E.enableWatchdog(s, true): kept through reset(), README "Watchdog").
    prog.update(done, 'stopping the running program');
    await client.statement(stopStatement(profile.watchdogS));
    await delay(300);
    await client.sync(o.answerTimeoutMs || 10000);

    // 4. no firmware from here on
    await client.eval('(function(){var S=require("Storage");S.erase(".bootcde");S.erase(".bootrst");S.erase(".varimg");return 1})()');
    done += 512;

    // 5. the image outside Storage (its pages erased, written, its CRC-32 checked on the board),
    //    then the files, firmware last
    if (plan.image) {
      const im = plan.image;
      prog.update(done, `erasing ${im.pages.length} page(s) at 0x${im.addr.toString(16)}`);
      for (const p of im.pages) await client.eval(`(require("Flash").erasePage(${p}),1)`, 30000);
      for (let off = 0; off < im.data.length; off += CHUNK_IMAGE) {
        const part = Buffer.from(im.data.subarray(off, Math.min(im.data.length, off + CHUNK_IMAGE))).toString('base64');
        await client.eval(`(require("Flash").write(atob(${JSON.stringify(part)}),${im.addr + off}),1)`, 15000);
        prog.update(done + off, `writing the image at 0x${im.addr.toString(16)} (${im.data.length} bytes)`);
      }
      const got = await client.eval(`E.CRC32(E.memoryArea(${im.addr},${im.data.length}))`, 60000);
      const want = crc32(im.data);
      if (Number(got) !== want) fail(`read-back of the image at 0x${im.addr.toString(16)} failed: the board's CRC-32 is ${got}, the host's ${want}`);
      done += im.data.length;
    }
    for (const f of files) {
      const base = done;
      prog.update(done, `writing ${f.name} (${f.data.length} bytes)`);
      await client.writeFile(f.name, f.data, (n) => {
        prog.update(base + n, `writing ${f.name} (${f.data.length} bytes)`);
        if (o.onChunk) o.onChunk(f.name, n);
      });
      done = base + f.data.length;
    }

    // 6. restart from flash, watching the console: the ready line ends the wait; an uncaught
    //    error, a fault or a reboot loop ends it at once (tools/board/watch.ts)
    if (o.setTime !== false) await client.eval(`setTime(${Date.now() / 1000})`);
    const readyTimeout = o.readyTimeoutMs || DEFAULT_READY_TIMEOUT_MS;
    const waitStep = (s: number) => `starting the firmware: ${s} s (waits up to ${Math.round(readyTimeout / 1000)} s)`;
    prog.update(done, waitStep(0));
    const fromLine = client.lineCount;
    const fromEvent = client.events.length;
    await client.statement('load()');
    let ready: any;
    try {
      ready = await watchStart(client, {
        fromLine, fromEvent, timeoutMs: readyTimeout,
        onTick: (sec) => { if (prog.interactive || sec % 10 === 0) prog.update(done, waitStep(sec)); },
      });
    } catch (e: any) {
      if (e instanceof FirmwareStartError) {
        // stop what is left of it (timers of a crashed firmware, a loop, a hang) so that the next
        // flash finds a quiet board; the files stay, so a power cycle starts it again
        try { await client.interrupt(); await client.statement(stopStatement(profile.watchdogS)); await delay(200); } catch (e2) { /* gone */ }
        throw new FirmwareError(e.message + '. ' + advice(e.kind, o.port, readyTimeout), e.kind, e.words);
      }
      throw e;
    }
    if (ready.gateId !== config.gateId) fail(`the board runs gate id ${JSON.stringify(ready.gateId)}, not the configured ${JSON.stringify(config.gateId)}`);
    if (!ready.trust || ready.trust.version !== bundleVersion) fail(`the board runs trust bundle version ${ready.trust ? ready.trust.version : 'none'}, not ${bundleVersion}`);
    done += 1024;

    // 7. read back
    await client.sync(o.answerTimeoutMs || 10000);
    const out: FlashResult['files'] = [];
    for (const f of files) {
      prog.update(done, `checking ${f.name}`);
      const want = sha256Hex(f.data);
      const got = await client.hashFile(f.name);
      if (got !== want) fail(`read-back of ${f.name} failed: the board's SHA-256 is ${got || '(no file)'}, the host's ${want}`);
      out.push({ name: f.name, bytes: f.data.length, sha256: want });
      done += 512;
    }
    let status: any = null;
    const s = await client.eval('typeof qgStatus=="function"?qgStatus():null', 300000);
    if (s !== null && s !== undefined) {
      status = typeof s === 'string' ? JSON.parse(s) : s;
      const fw = out[out.length - 1]; // the firmware is written (and checked) last
      if (status.firmware && status.firmware.sha256 && status.firmware.sha256 !== fw.sha256) {
        fail(`the firmware reports SHA-256 ${status.firmware.sha256}, the host's is ${fw.sha256}`);
      }
    }
    prog.update(units, 'done');
    prog.finish();
    return { board: profile.name, boardId, interpreter: String(env.VERSION || ''), files: out, ready, status };
  } catch (e: any) {
    prog.finish();
    if (e instanceof BoardError) throw new FlashError(`the board refused: ${e.message}`);
    if (e instanceof LinkError || e instanceof ConsoleLockedError) throw new FlashError(e.message);
    throw e;
  } finally {
    await client.close();
  }
}

/** Bytes of the image per Flash.write over the console (base64: 4/3 of it on the line). */
const CHUNK_IMAGE = 384;

/**
 * The board's layout: planned from its board file and the free areas the board reports
 * (require('Flash').getFree()), each erase page checked with require('Flash').getPage() to be
 * the page the plan expects; a plan that does not fit, or any difference, fails before a byte is
 * written (FlashError: exit 2).
 */
async function planOnBoard(client: EspruinoClient, board: string, bundle: Uint8Array, files: { [name: string]: Uint8Array },
  log: { segments: number; segmentSize: number }, tokenise: boolean): Promise<FlashPlan> {
  const bf = boardFileOf(board)!;
  const journal = firmwareWrites(bf, log);
  const text = Buffer.from(bundle).toString('latin1');
  // Storage alone when it holds everything: no question to the board.
  const storageOnly = planLayout({ ...bf, flash: { ...bf.flash, free: [] } }, { bundle: text, files, journal });
  if (storageOnly.fits) return storageOnly;
  let reported: { addr: number; length: number }[] = [];
  try {
    const r = await client.eval('(function(){try{return require("Flash").getFree()}catch(e){return[]}})()', 15000);
    if (Array.isArray(r)) reported = r.filter((a: any) => a && typeof a.addr === 'number' && typeof a.length === 'number');
  } catch (e) { reported = []; }
  // (an image's code pretokenised when the board's Espruino reads it: layout.ts tokenisesOn)
  const plan = planLayout(bf, { bundle: text, files, journal, reported, tokenise });
  if (!plan.fits) {
    const seen = reported.map((a) => `0x${a.addr.toString(16)} ${a.length}`).join(', ') || 'none';
    fail(`not enough flash on the ${board}: ${plan.problems.join('; ')} (the board reports free: ${seen}; README "Flash layout")`);
  }
  const im = plan.image!;
  for (const p of im.pages) {
    const pg = await client.eval(`(function(){var p=require("Flash").getPage(${p});return p?[p.addr,p.length]:null})()`, 15000);
    const want = im.area.page || bf.flash.pageSize;
    if (!Array.isArray(pg) || pg[0] !== p || pg[1] !== want) {
      fail(`the ${board}'s flash page at 0x${p.toString(16)} is ${Array.isArray(pg) ? `0x${pg[0].toString(16)}, ${pg[1]} bytes` : 'unknown'}, not the ${want}-byte page boards/${board}.ts plans: nothing written`);
    }
  }
  return plan;
}

/**
 * The board's flash layout as `doctor` reports it: where Storage is and what the board reports
 * free; with a loader .bootcde (tools/board/layout.ts), the image it runs (address, length, the
 * CRC-32 the loader expects and the one the board computes now) and the files placed outside
 * Storage. `damaged`: why the image cannot run, or null.
 */
async function layoutReport(client: EspruinoClient, timeoutMs: number): Promise<{ layout: any; damaged: string | null }> {
  const head = await client.eval('(function(){var h=require("Storage").read(".bootcde",0,400);return h===undefined?null:btoa(h)})()', timeoutMs);
  const text = head ? Buffer.from(String(head), 'base64').toString('latin1') : '';
  let free: any = [];
  try { free = await client.eval('(function(){try{return require("Flash").getFree()}catch(e){return[]}})()', timeoutMs); } catch (e) { free = []; }
  const code = loaderCode(text);
  if (!code) return { layout: { firmware: head ? 'storage' : 'none', free }, damaged: null };
  const crc = Number(await client.eval(`E.CRC32(E.memoryArea(${code.addr},${code.length}))`, timeoutMs));
  const placed = loaderMap(text).map((p) => ({ name: p.name, addr: p.addr, length: p.length }));
  const damaged = crc !== code.crc ? `the firmware image at 0x${code.addr.toString(16)} (${code.length} bytes) is damaged: CRC-32 ${crc}, the loader expects ${code.crc} (qrgate flash writes it again)` : null;
  return { layout: { firmware: 'image', image: { addr: code.addr, length: code.length, crc: code.crc, ok: !damaged }, placed, free }, damaged };
}

export interface DoctorOptions {
  port: string; baud?: number; answerTimeoutMs?: number; timeoutMs?: number;
  /** The site's configuration: unlocks a locked gate's console (tools/board/unlock.ts); default QRGATE_CONFIG. */
  config?: Uint8Array;
}

/**
 * Doctor's `why` for a firmware that reports a fault. Fault `start`: the firmware stopped with an
 * error after it defined qgStatus() and before it was ready (the error's words are in faults).
 */
function faultWhy(st: any): string {
  if (st.fault !== 'start') return `the firmware reports a fault: ${st.fault}`;
  const f = Array.isArray(st.faults) ? st.faults.find((x: any) => x && x.what === 'start') : null;
  return 'the firmware reports a fault: start: it stopped with an error while starting' +
    (f && f.why ? ` (${f.why})` : '') + ' and never became ready; qrgate monitor shows what it prints after a restart';
}

/**
 * The doctor line of spec/tools.md, read from a live board: the firmware's qgStatus() when it
 * offers one; otherwise what the console can tell (hash of .bootcde on the board, gate id from
 * qg.cfg, trust version and key count from qg.trust, clock, memory; no firmware version or
 * backlog), marked "source":"console". `ok` says whether the gate runs: false when the firmware
 * reports a fault or never started (no qgStatus()), and `why` says what is wrong (null when ok).
 */
export async function doctor(o: DoctorOptions): Promise<any> {
  let client: EspruinoClient;
  try {
    let passwords: string[];
    try {
      passwords = o.config ? [consolePasswordOf(o.config)] : defaultPasswords();
    } catch (e: any) {
      throw new FlashError(String(e.message).split('\n')[0]);
    }
    client = await EspruinoClient.open(o.port, { baud: o.baud, timeoutMs: Math.min(o.answerTimeoutMs || 5000, 5000), passwords });
  } catch (e: any) {
    throw new FlashError(e.message);
  }
  try {
    let env: any;
    try {
      env = await client.sync(o.answerTimeoutMs || DEFAULT_ANSWER_TIMEOUT_MS);
    } catch (e: any) {
      if (e instanceof LinkError) fail(`${e.message.replace(/: no answer.*$/, '')}: no Espruino console answered`);
      throw e;
    }
    const timeout = o.timeoutMs || 300000;
    const s = await client.eval('typeof qgStatus=="function"?qgStatus():null', timeout);
    if (s !== null && s !== undefined) {
      const st = typeof s === 'string' ? JSON.parse(s) : s;
      const lay = await layoutReport(client, timeout);
      const why = st.fault ? faultWhy(st) : lay.damaged;
      return { ...st, boardId: env.BOARD, interpreter: env.VERSION, source: 'firmware', layout: lay.layout, ok: !why, why };
    }
    const lay = await layoutReport(client, timeout);
    const info = await client.eval('(function(){var c=require("Storage").readJSON(' + JSON.stringify(CONFIG_FILE) +
      ',1),t=getTime(),m=process.memory();return{gateId:c&&typeof c=="object"?(c.gateId===undefined?null:c.gateId):null,' +
      'time:t,used:m.usage,total:m.total}})()', timeout);
    const fwHash = await client.hashFile(FIRMWARE_FILE, timeout);
    const trustBytes = await client.readFile(TRUST_FILE, timeout);
    let trust: any = null;
    if (trustBytes) {
      try {
        const b = decodeTrustBundle(trustBytes);
        trust = { version: b.version, keys: b.keyCount };
      } catch (e) { trust = null; }
    }
    const clock = info.time >= 1577836800 ? new Date(Math.floor(info.time) * 1000).toISOString().replace('.000Z', 'Z') : null;
    return {
      firmware: { version: null, sha256: fwHash },
      gateId: info.gateId,
      trust,
      clock,
      memory: { used: info.used, total: info.total },
      backlog: null,
      boardId: env.BOARD,
      interpreter: env.VERSION,
      source: 'console',
      layout: lay.layout,
      ok: false,
      why: lay.damaged ? lay.damaged : fwHash === null
        ? 'no firmware on the board (no .bootcde): qrgate flash puts it there'
        : 'the firmware did not start: .bootcde is on the board but it defines no qgStatus() (it stopped with an error while starting, was stopped, or is not the gate firmware); qrgate monitor shows what it prints after a restart, qrgate flash puts it back',
    };
  } catch (e: any) {
    if (e instanceof BoardError) throw new FlashError(`the board refused: ${e.message}`);
    if (e instanceof LinkError || e instanceof ConsoleLockedError) throw new FlashError(e.message);
    throw e;
  } finally {
    await client.close();
  }
}
