// Issue 17.4: the gate turns off the network consoles and locks its console with a password
// derived from site.secret; flash and doctor unlock it with the site's configuration, nothing
// else does. Runs the built firmware (dist/gate-<board>.js) in the simulator, and the CLI
// against `qrgate board`.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { SimBoard } from '../../sim/board';
import { ConsoleServer } from '../../sim/console';
import { defaultBundleFor } from '../../sim/scenario';
import { flashFiles } from '../../tools/flashfiles';
import { EspruinoClient } from '../../tools/board/client';
import { ConsoleLockedError, consolePasswordOf } from '../../tools/board/unlock';
import { LOCK_FILE } from '../../firmware/console-lock';
import { GATE_JSON, TRUST_BIN, qrgate, startBoardProcess, stopProcess, tmpDir, writeTmp } from '../util/board';

const cfgBytes = () => new Uint8Array(fs.readFileSync(GATE_JSON));
const trustBytes = () => new Uint8Array(fs.readFileSync(TRUST_BIN));
const SECRET = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')).site.secret as string;

/** The fixture configuration with another site secret. */
function otherSite(): Buffer {
  const c = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'));
  c.site.secret = 'ab'.repeat(32);
  return Buffer.from(JSON.stringify(c));
}

/** A simulated board holding what `qrgate flash` writes, booted, its console on TCP. */
async function flashedBoard(board: string) {
  const b = new SimBoard({ board, clock: 1632729600 });
  const files = flashFiles(board, cfgBytes(), trustBytes());
  for (const n of Object.keys(files)) b.flash.write(n, files[n]);
  b.flash.write('.bootcde', fs.readFileSync(defaultBundleFor(board), 'latin1'));
  const server = new ConsoleServer(b);
  server.console.bootFromFlash();
  const port = await server.listen(0);
  return { board: b, server, port: `tcp://127.0.0.1:${port}`, tcp: port };
}

/** Type `lines` at a console over raw TCP (no password), return everything it printed. */
function typeRaw(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('error', reject);
    s.on('connect', async () => {
      for (const l of lines) { s.write(Buffer.from(l, 'latin1')); await new Promise((r) => setTimeout(r, 150)); }
      await new Promise((r) => setTimeout(r, 300));
      s.destroy();
      resolve(out);
    });
  });
}

/**
 * qrgate ARGS. bin/qrgate.js (build/host) cannot load `flash` today ("Cannot find module
 * './bundle.js'": tools/build/bundle.js is not copied to build/host), so, as test/tools/board/flasher.test.ts
 * does, the TypeScript sources run (helpers.qrgate).
 */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return qrgate(args, { env, timeoutMs: 240000 });
}

describe('console lock: the gate (dist bundles in the simulator)', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(defaultBundleFor('esp32'))) this.skip();
  });

  it('ESP32: telnet off, Bluetooth console off and not advertising, console locked with the site password', async () => {
    const g = await flashedBoard('esp32');
    try {
      const sb = g.board.sandbox!;
      assert.equal(sb.netConsoles.telnet, 'off');
      assert.equal(sb.netConsoles.bleUart, false);
      assert.equal(sb.netConsoles.bleAdvertising, false);
      assert.deepEqual(sb.consoleLock, { password: consolePasswordOf(cfgBytes()), locked: true });
      assert.equal(g.board.events.filter((e) => e.event === 'ready')[0].console, 'locked');
    } finally { await g.server.close(); }
  });

  it('Linux build: its --telnet console stays (the one its owner asked for), locked', async () => {
    const g = await flashedBoard('linux');
    try {
      assert.equal(g.board.sandbox!.netConsoles.telnet, 'on');
      assert.equal(g.board.sandbox!.consoleLock.locked, true);
    } finally { await g.server.close(); }
  });

  it('a damaged qg.cfg still locks with the site password (qg.lock); no qg.lock either: locked with a password nobody has', async () => {
    const g = await flashedBoard('esp32');
    try {
      const cfg = Buffer.from(cfgBytes());
      cfg[0] ^= 0x20; // '{' -> '[': not JSON
      g.board.flash.erase('qg.cfg');
      g.board.flash.write('qg.cfg', new Uint8Array(cfg));
      g.board.powerCut();
      g.board.powerOn();
      assert.ok(g.board.events.some((e) => e.event === 'fault' && e.what === 'config'));
      assert.deepEqual(g.board.sandbox!.consoleLock, { password: consolePasswordOf(cfgBytes()), locked: true });
      g.board.flash.erase(LOCK_FILE);
      g.board.powerCut();
      g.board.powerOn();
      const lk = g.board.sandbox!.consoleLock;
      assert.equal(lk.locked, true);
      assert.match(String(lk.password), /^[a-z]{20}$/);
      assert.notEqual(lk.password, consolePasswordOf(cfgBytes()));
      // nothing secret left (no qg.cfg, no qg.lock): open, so that the board can be flashed
      g.board.flash.erase('qg.cfg');
      g.board.powerCut();
      g.board.powerOn();
      assert.equal(g.board.sandbox!.consoleLock.locked, false);
      assert.equal(g.board.sandbox!.netConsoles.telnet, 'off');
    } finally { await g.server.close(); }
  });

  it('a locked console refuses everything but the password: qg.cfg unreadable, the relay pin untouched', async () => {
    const g = await flashedBoard('esp32');
    try {
      const out = await typeRaw(g.tcp, [
        '\x10print(require("Storage").read("qg.cfg"))\n',
        'print(JSON.stringify(require("Storage").readJSON("qg.cfg")))\r',
        '\x03digitalWrite(D26,1);pinMode(D26,"output");digitalWrite(D26,0)\n',
        'reset(true)\n',
        'E.setPassword()\n',
      ]);
      assert.ok(!out.includes(SECRET) && !out.includes(SECRET.slice(0, 16)), 'no secret printed');
      assert.ok(!out.includes('gate-test-1'), 'nothing of qg.cfg printed');
      assert.equal((out.match(/Invalid password/g) || []).length, 5, out);
      assert.equal(g.board.pin('D26').mode, 'input');
      assert.equal(g.board.relay(), false);
      assert.ok(g.board.flash.exists('.bootcde') && g.board.flash.exists('qg.cfg'), 'reset(true) did not run');
      assert.equal(g.board.sandbox!.consoleLock.locked, true);
    } finally { await g.server.close(); }
  });

  it('the client: no password -> a clear error; the site\'s -> unlocked, then locked again on close; another site\'s -> a clear error', async () => {
    const g = await flashedBoard('esp32');
    try {
      const c0 = await EspruinoClient.open(g.port, { passwords: [] });
      await assert.rejects(c0.sync(), (e: any) => e instanceof ConsoleLockedError && /locked.*--config FILE/.test(e.message));
      await c0.close();
      const c1 = await EspruinoClient.open(g.port, { passwords: [consolePasswordOf(otherSite())] });
      await assert.rejects(c1.sync(), (e: any) => e instanceof ConsoleLockedError && /does not open it.*another site\.secret/.test(e.message));
      await c1.close();
      const c2 = await EspruinoClient.open(g.port, { passwords: [consolePasswordOf(otherSite()), consolePasswordOf(cfgBytes())] });
      const env = await c2.sync();
      assert.equal(env.BOARD, 'ESP32');
      assert.equal(g.board.sandbox!.consoleLock.locked, false);
      assert.equal(await c2.eval('require("Storage").readJSON("qg.cfg").gateId'), 'gate-test-1');
      await c2.close();
      await new Promise((r) => setTimeout(r, 100));
      g.server.tick();
      assert.equal(g.board.sandbox!.consoleLock.locked, true, 'locked again when the client closes');
    } finally { await g.server.close(); }
  });
});

describe('console lock: qrgate flash and doctor against qrgate board', function () {
  this.timeout(300000);
  const dir = tmpDir('lock');
  let board: Awaited<ReturnType<typeof startBoardProcess>> | undefined;
  before(function () {
    if (!fs.existsSync(defaultBundleFor('esp32'))) this.skip(); // make build-device
  });
  after(async () => { await stopProcess(board && board.child); fs.rmSync(dir, { recursive: true, force: true }); });

  it('flash locks the gate; doctor needs the site configuration; flash again unlocks it; a wrong secret fails in one line', async () => {
    board = await startBoardProcess(['--board', 'esp32', '--flash', path.join(dir, 'flash')]);
    const port = `tcp://127.0.0.1:${board.port}`;
    const f = await cli(['flash', '--port', port, '--config', GATE_JSON, '--trust', TRUST_BIN, '--quiet']);
    assert.equal(f.code, 0, f.stderr);
    assert.ok(JSON.parse(f.stdout).files.some((x: any) => x.name === LOCK_FILE));
    // locked: doctor without the configuration says so
    const d0 = await cli(['doctor', '--port', port]);
    assert.equal(d0.code, 2);
    assert.match(d0.stderr, /^qrgate doctor: the board's console on \S+ is locked .*--config FILE.*\n$/);
    const d1 = await cli(['doctor', '--port', port, '--config', GATE_JSON]);
    assert.equal(d1.code, 0, d1.stderr);
    const st = JSON.parse(d1.stdout);
    assert.equal(st.gateId, 'gate-test-1');
    assert.equal(st.source, 'firmware');
    assert.ok(!d1.stdout.includes(SECRET));
    const d2 = await cli(['doctor', '--port', port], { QRGATE_CONFIG: GATE_JSON });
    assert.equal(d2.code, 0, d2.stderr);
    const other = writeTmp(dir, 'other.json', otherSite());
    const d3 = await cli(['doctor', '--port', port, '--config', other]);
    assert.equal(d3.code, 2);
    assert.match(d3.stderr, /^qrgate doctor: the board's console on \S+ is locked and the password of the configuration given does not open it.*\n$/);
    // re-flash of a locked gate with the same site: unlocks, writes, the new firmware locks again
    const f2 = await cli(['flash', '--port', port, '--config', GATE_JSON, '--trust', TRUST_BIN, '--quiet']);
    assert.equal(f2.code, 0, f2.stderr);
    // a new site secret: the old configuration (QRGATE_CONFIG) opens the board, the new one locks it
    const f3 = await cli(['flash', '--port', port, '--config', other, '--trust', TRUST_BIN, '--quiet']);
    assert.equal(f3.code, 2);
    assert.match(f3.stderr, /^qrgate flash: the board's console on \S+ is locked and the password .* does not open it/);
    const f4 = await cli(['flash', '--port', port, '--config', other, '--trust', TRUST_BIN, '--quiet'], { QRGATE_CONFIG: GATE_JSON });
    assert.equal(f4.code, 0, f4.stderr);
    const d4 = await cli(['doctor', '--port', port, '--config', other]);
    assert.equal(d4.code, 0, d4.stderr);
  });
});
