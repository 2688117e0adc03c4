// qrgate board + qrgate flash + qrgate doctor, end to end, and the one-line errors of issue 6.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as crypto from 'crypto';
import { SimBoard } from '../../../sim/board';
import { FreeFlash } from '../../../sim/flash';
import { bundlePath } from '../../../tools/build/boards';
import { boardFileOf } from '../../../boards/index';
import { loaderCode, PLACEABLE } from '../../../tools/board/layout';
import { flashBudget, fixtureInputs } from '../../../tools/flashbudget';
import { ConsoleServer } from '../../../sim/console';
import { flashBoard, doctor, FlashError, stopStatement } from '../../../tools/board/flasher';
import { EspruinoClient } from '../../../tools/board/client';
import { consolePasswordOf } from '../../../tools/board/unlock';
import { packedProblem } from '../../util/packed';
import {
  miniBundle, qrgate, startBoardProcess, stopProcess, tmpDir, writeTmp, GATE_JSON, TRUST_BIN, DIST,
} from '../../util/board';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const cfgBytes = () => new Uint8Array(fs.readFileSync(GATE_JSON));
const trustBytes = () => new Uint8Array(fs.readFileSync(TRUST_BIN));

async function inProcessBoard(name: string, opts: { native?: boolean; freeFlash?: FreeFlash } = {}) {
  const board = new SimBoard({ board: name, clock: 1632729600, ...opts });
  const server = new ConsoleServer(board);
  server.console.bootFromFlash();
  const port = await server.listen(0);
  return { board, server, port: `tcp://127.0.0.1:${port}` };
}

/** Type the console password at a (locked) board's console and leave it open. */
function unlockByHand(port: number, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => { s.write('\r' + password + '\r'); });
    let out = '';
    s.on('data', (d) => { out += d; if (/Logged in\./.test(out)) { s.destroy(); resolve(); } });
    s.on('error', reject);
    setTimeout(() => { s.destroy(); resolve(); }, 5000);
  });
}

async function expectFlashError(p: Promise<any>, re: RegExp): Promise<string> {
  try {
    await p;
  } catch (e: any) {
    assert.ok(e instanceof FlashError, `not a FlashError: ${e && e.stack}`);
    assert.match(e.message, re);
    assert.ok(!/\n/.test(e.message), 'one line');
    return e.message;
  }
  throw new Error('expected an error');
}

describe('qrgate flash / doctor against qrgate board', function () {
  this.timeout(120000);
  const dir = tmpDir('board');
  let board: Awaited<ReturnType<typeof startBoardProcess>> | undefined;
  after(async () => { await stopProcess(board && board.child); fs.rmSync(dir, { recursive: true, force: true }); });

  it('flash then doctor report the bundle\'s hash, the gate id and the trust version; the flash survives a restart', async () => {
    board = await startBoardProcess(['--board', 'esp32', '--flash', path.join(dir, 'flash')]);
    const port = `tcp://127.0.0.1:${board.port}`;
    const bundle = writeTmp(dir, 'mini.js', miniBundle());
    const f = await qrgate(['flash', '--port', port, '--config', GATE_JSON, '--trust', TRUST_BIN, '--bundle', bundle]);
    assert.strictEqual(f.code, 0, f.stderr);
    const fr = JSON.parse(f.stdout);
    assert.strictEqual(fr.files.find((x: any) => x.name === '.bootcde').sha256, sha(miniBundle()));
    assert.match(f.stderr, /100% done/);
    const d = await qrgate(['doctor', '--port', port]);
    assert.strictEqual(d.code, 0, d.stderr);
    const st = JSON.parse(d.stdout);
    assert.strictEqual(st.firmware.sha256, sha(miniBundle()));
    assert.strictEqual(st.gateId, 'gate-test-1');
    assert.deepStrictEqual(st.trust, { version: 1, keys: 4 });
    assert.strictEqual(typeof st.memory.used, 'number');
    assert.strictEqual(st.backlog, 0);
    assert.match(st.clock, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(!d.stdout.includes(JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')).site.secret), 'no secret printed');
    // power off, power on: the board boots the firmware from the flash kept in DIR
    await stopProcess(board.child);
    board = await startBoardProcess(['--board', 'esp32', '--flash', path.join(dir, 'flash')]);
    const d2 = await qrgate(['doctor', '--port', `tcp://127.0.0.1:${board.port}`]);
    assert.strictEqual(d2.code, 0, d2.stderr);
    assert.strictEqual(JSON.parse(d2.stdout).firmware.sha256, sha(miniBundle()));
    assert.strictEqual(JSON.parse(d2.stdout).source, 'firmware');
  });

  it('flashes dist/gate.js when it is built', async function () {
    if (!fs.existsSync(DIST)) this.skip();
    const bundle = new Uint8Array(fs.readFileSync(DIST));
    const copy = writeTmp(dir, 'gate.js', bundle); // dist/ may be rebuilt meanwhile
    const port = `tcp://127.0.0.1:${board!.port}`;
    const f = await qrgate(['flash', '--port', port, '--config', GATE_JSON, '--trust', TRUST_BIN, '--bundle', copy, '--quiet']);
    assert.strictEqual(f.code, 0, f.stderr);
    const d = await qrgate(['doctor', '--port', port, '--config', GATE_JSON]); // the gate locks its console (issue 17.4)
    assert.strictEqual(d.code, 0, d.stderr);
    const st = JSON.parse(d.stdout);
    assert.strictEqual(st.firmware.sha256, sha(bundle));
    assert.strictEqual(st.gateId, 'gate-test-1');
    assert.strictEqual(st.trust.version, 1);
  });

  it('the espruino command line tool evaluates an expression on the same board', async () => {
    const { spawnSync } = require('child_process');
    // the firmware flashed above locked the console (issue 17.4): the espruino tool types no
    // password, so unlock it first as a person would (it stays open until the board restarts)
    await unlockByHand(board!.port, consolePasswordOf(new Uint8Array(fs.readFileSync(GATE_JSON))));
    // short -e code never completes in espruino 0.1.67 (its write callback only fires for code
    // longer than one 512-byte block, on real boards too, and it strips comments): pad it
    const expr = 'print("answer="+(6*7)+" "+process.env.BOARD);var qgPad="' + 'x'.repeat(600) + '"';
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', '..', 'node_modules', 'espruino', 'bin', 'espruino-cli.js'),
      '--no-ble', '--port', `tcp://127.0.0.1:${board!.port}`, '-e', expr], { encoding: 'utf8', timeout: 60000 });
    assert.match(r.stdout, /--\] answer=42 ESP32/, r.stdout + r.stderr);
    assert.strictEqual(r.status, 0);
  });

  it('refuses a configuration that fails validation before connecting, without printing secrets', async () => {
    const cfg = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'));
    cfg.site.secret = 'zz' + cfg.site.secret;
    const bad = writeTmp(dir, 'bad.json', JSON.stringify(cfg));
    const r = await qrgate(['flash', '--port', 'tcp://127.0.0.1:1', '--config', bad, '--trust', TRUST_BIN, '--bundle', writeTmp(dir, 'm.js', miniBundle())]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /^qrgate flash: configuration: invalid site\.secret: must be hex\n$/);
    assert.ok(!r.stderr.includes(cfg.site.secret));
  });

  it('says when no board answers (nothing listening / something silent)', async () => {
    const r = await qrgate(['flash', '--port', 'tcp://127.0.0.1:1', '--config', GATE_JSON, '--trust', TRUST_BIN, '--bundle', writeTmp(dir, 'm.js', miniBundle())]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /\nqrgate flash: no board answering at tcp:\/\/127\.0\.0\.1:1: connection refused[^\n]*\n$/);
    const silent = net.createServer((s) => { s.on('data', () => {}); });
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    const port = `tcp://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    await expectFlashError(flashBoard({ port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle(), answerTimeoutMs: 800 }),
      /no board answering on .*no Espruino console answered/);
    silent.close();
  });

  it('says when the port is in use (qrgate board on a taken port)', async () => {
    const r = await qrgate(['board', '--listen', `127.0.0.1:${board!.port}`]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /^qrgate board: cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
  });
});

describe('flash errors and recovery (in-process board)', function () {
  this.timeout(60000);

  it('wrong board: --board esp32 against a Pico', async () => {
    const b = await inProcessBoard('pico');
    await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle(), board: 'esp32' }),
      /^wrong board: expected esp32 \(ESP32\) but the board on tcp:\S+ is PICO_R1_3$/);
    await b.server.close();
  });

  it('not enough flash: checked before anything is written', async () => {
    const b = await inProcessBoard('original');
    b.board.flash.write('keep', 'me');
    b.board.flash.write('big', new Uint8Array(19 * 1024));
    const before = Buffer.from(b.board.flash.bytes);
    const msg = await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle() }),
      /^not enough flash on the original: qg\.cfg \d+ \+ qg\.lock \d+ \+ qg\.trust \d+ \+ \.bootcde \d+ bytes need \d+ bytes of Storage, the board has \d+ \(README "Flash budget"\)$/);
    assert.ok(msg.length < 200);
    assert.ok(Buffer.from(b.board.flash.bytes).equals(before), 'flash untouched');
    await b.server.close();
  });

  it('MDBT42Q on the stock Espruino (no free flash reported) or one whose code ends in the guard page: refused, nothing written', async function () {
    if (!fs.existsSync(bundlePath('mdbt42q'))) this.skip(); // make build-device
    const area = boardFileOf('mdbt42q')!.flash.free[0];
    for (const free of [new FreeFlash([]), new FreeFlash([{ addr: area.addr, length: area.length }])]) {
      const b = await inProcessBoard('mdbt42q', { native: true, freeFlash: free });
      const before = Buffer.from(b.board.flash.bytes);
      await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes() }),
        /^not enough flash on the mdbt42q: \d+ bytes needed in Storage, 40960 there, and none of the free areas the board file lists is reported free \(the board reports free: (none|0x5e000 57344); README "Flash layout"\)$/);
      assert.ok(Buffer.from(b.board.flash.bytes).equals(before), 'Storage untouched');
      assert.ok(free.areas.every((a) => a.bytes.every((x) => x === 0xff)), 'free flash untouched');
      await b.server.close();
    }
  });

  it('wifi: a configuration asking for occupancy counting, which its firmware is built without, is refused before a byte is written', async function () {
    if (!fs.existsSync(bundlePath('wifi'))) this.skip(); // make build-device
    assert.equal(boardFileOf('wifi')!.features.crowd, false);
    const b = await inProcessBoard('wifi', { native: true });
    const before = Buffer.from(b.board.flash.bytes);
    const cfg = { ...JSON.parse(Buffer.from(cfgBytes()).toString('utf8')), capacity: { max: 40 } };
    const bytes = new Uint8Array(Buffer.from(JSON.stringify(cfg)));
    // named by --board (before connecting), and found from the board itself
    for (const board of ['wifi', undefined]) {
      await expectFlashError(flashBoard({ port: b.port, config: bytes, trust: trustBytes(), board }),
        /^the configuration asks for what board wifi's firmware is built without: occupancy counting \(capacity.max, capacity.exitSerial, passback.windowS\) is not built into the firmware for board wifi \(README "Flash budget"\)$/);
    }
    assert.ok(Buffer.from(b.board.flash.bytes).equals(before), 'flash untouched');
    await b.server.close();
  });

  // (the ARM boards whose firmware fits their flash: boards/<name>.ts features.fits)
  for (const name of ['pico', 'wifi', 'original', 'mdbt42q'].filter((n) => boardFileOf(n)!.features.fits)) {
    it(`${name}: the image goes to the free area, the loader to Storage; the gate runs it, doctor checks it`, async function () {
      if (!fs.existsSync(bundlePath(name))) this.skip(); // make build-device
      const b = await inProcessBoard(name, { native: true });
      const r = await flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes() });
      assert.strictEqual(r.board, name);
      assert.strictEqual(r.ready.gateId, 'gate-test-1');
      assert.ok(!r.ready.fault, JSON.stringify(r.ready));
      const boot = b.board.flash.readString('.bootcde')!;
      const code = loaderCode(boot)!;
      assert.ok(code, boot.slice(0, 200));
      assert.ok(!b.board.flash.exists('qg.ed25519'), 'the native code is in the image, not in Storage');
      const area = b.board.freeFlash.areas[0];
      const full = fs.readFileSync(bundlePath(name), 'latin1');
      const head = Buffer.from(area.bytes.subarray(code.addr - area.addr, code.addr - area.addr + code.length)).toString('latin1');
      assert.strictEqual(packedProblem(full, head, boot.slice(boot.indexOf('\n', boot.indexOf('\n') + 1) + 1)), '', 'head in the image + tail in .bootcde = the firmware');
      // (as text where it fits; the WiFi's firmware with DIVOC fits only pretokenised: README "Flash budget")
      const textFits = flashBudget(name, fixtureInputs(), full, false).fits;
      assert.equal(/[\x80-\xff]/.test(head), !textFits, textFits ? 'the firmware fits as text: written as text' : 'written pretokenised');
      const st = await doctor({ port: b.port, config: cfgBytes() });
      assert.strictEqual(st.ok, true, st.why);
      assert.deepStrictEqual(st.layout.image, { addr: code.addr, length: code.length, crc: code.crc, ok: true });
      // the native code in the image: qg.ed25519, and qg.inflate on the boards with DIVOC
      assert.deepStrictEqual(st.layout.placed.map((p: any) => p.name), PLACEABLE.filter((n) => boardFileOf(name)!.files.some((f) => f.name === n)));
      assert.ok(!b.board.flash.exists('qg.inflate'));
      // one bit of the image flips: the loader refuses to run it, doctor says so
      area.bytes[code.addr - area.addr + 100] ^= 0x01;
      const lines: string[] = [];
      b.board.onConsoleLine = ((prev) => (l: string) => { lines.push(l); if (prev) prev(l); })(b.board.onConsoleLine);
      b.board.powerCut();
      b.server.console.bootFromFlash();
      assert.ok(!lines.some((l) => l.indexOf('@qg ') === 0), lines.join('\n'));
      assert.ok(lines.some((l) => /firmware image at 0x[0-9a-f]+ is damaged/.test(l)), lines.join('\n'));
      const st2 = await doctor({ port: b.port, config: cfgBytes() });
      assert.strictEqual(st2.ok, false);
      assert.match(st2.why, /firmware image at 0x[0-9a-f]+ \(\d+ bytes\) is damaged/);
      await b.server.close();
    });
  }

  it('wifi: a firmware that fits only pretokenised is written so (the board runs 2v29), and the gate runs it', async function () {
    if (!fs.existsSync(bundlePath('wifi'))) this.skip(); // make build-device
    // the WiFi's own firmware with DIVOC (session 14): over its flash as text, within it pretokenised
    const full = fs.readFileSync(bundlePath('wifi'), 'latin1');
    assert.equal(flashBudget('wifi', fixtureInputs(), full, false).fits, false, 'fits as text');
    assert.equal(flashBudget('wifi', fixtureInputs(), full).fits, true, 'does not fit pretokenised');
    const b = await inProcessBoard('wifi', { native: true });
    try {
      const r = await flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: new Uint8Array(Buffer.from(full, 'latin1')) });
      assert.ok(!r.ready.fault, JSON.stringify(r.ready));
      const boot = b.board.flash.readString('.bootcde')!;
      const code = loaderCode(boot)!;
      const area = b.board.freeFlash.areas[0];
      const head = Buffer.from(area.bytes.subarray(code.addr - area.addr, code.addr - area.addr + code.length)).toString('latin1');
      const tail = boot.slice(boot.indexOf('\n', boot.indexOf('\n') + 1) + 1);
      assert.ok(/[\x80-\xff]/.test(head) && /[\x80-\xff]/.test(tail), 'head and tail pretokenised');
      assert.strictEqual(packedProblem(full, head, tail), '');
      const st = await doctor({ port: b.port, config: cfgBytes() });
      assert.strictEqual(st.ok, true, st.why);
    } finally {
      await b.server.close();
    }
  });

  it('pico: a gate that armed its watchdog is flashed again: no restart mid-flash, however long the link takes', async function () {
    if (!fs.existsSync(bundlePath('pico'))) this.skip(); // make build-device
    assert.equal(boardFileOf('pico')!.watchdogS, 20);
    const b = await inProcessBoard('pico', { native: true });
    try {
      await flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes() });
      assert.deepEqual([b.board.sandbox!.watchdog.timeoutMs, b.board.sandbox!.watchdog.auto], [20000, false], 'armed by the gate');
      let slowed = false;
      const r = await flashBoard({
        port: b.port, config: cfgBytes(), trust: trustBytes(),
        onChunk: () => {
          if (slowed) return;
          slowed = true;
          // the program is stopped: the watchdog now kicks itself; a slow link (40 s) must not restart the board
          assert.deepEqual([b.board.sandbox!.watchdog.timeoutMs, b.board.sandbox!.watchdog.auto], [20000, true]);
          b.board.advance(40000);
        },
      });
      assert.ok(slowed);
      assert.strictEqual(r.ready.gateId, 'gate-test-1');
      assert.equal(b.board.events.filter((e) => e.event === 'watchdog').length, 0, 'no restart');
      assert.deepEqual([b.board.sandbox!.watchdog.timeoutMs, b.board.sandbox!.watchdog.auto], [20000, false], 'armed again by the new gate');
      assert.equal(stopStatement(20), 'E.enableWatchdog(20,true);reset()');
      assert.equal(stopStatement(0), 'reset()');
    } finally {
      await b.server.close();
    }
  });

  it('a board reporting less free flash than its board file, or other erase pages: nothing is written', async function () {
    if (!fs.existsSync(bundlePath('pico'))) this.skip(); // make build-device
    for (const free of [
      new FreeFlash([{ addr: 0x08060000, length: 64 * 1024, page: 64 * 1024 }]),
      new FreeFlash([{ addr: 0x08060000, length: 128 * 1024, page: 16 * 1024 }]),
    ]) {
      const b = await inProcessBoard('pico', { native: true, freeFlash: free });
      const before = Buffer.from(b.board.flash.bytes);
      await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes() }),
        free.areas[0].length < 128 * 1024 ? /^not enough flash on the pico: .*the board reports free: 0x8060000 65536;/ :
          /^the pico's flash page at 0x8060000 is 0x8060000, 16384 bytes, not the 131072-byte page boards\/pico\.ts plans: nothing written$/);
      assert.ok(Buffer.from(b.board.flash.bytes).equals(before), 'Storage untouched');
      assert.ok(free.areas[0].bytes.every((x) => x === 0xff), 'free flash untouched');
      await b.server.close();
    }
  });

  it('an interrupted flash leaves no firmware that runs, and the next flash recovers', async () => {
    const b = await inProcessBoard('esp32');
    await flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle() });
    for (const cut of [{ file: 'qg.trust', at: 384 }, { file: '.bootcde', at: 384 * 20 }]) {
      await expectFlashError(flashBoard({
        port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle(),
        onChunk: (name, done) => { if (name === cut.file && done >= cut.at) throw new FlashError('cable pulled'); },
      }), /cable pulled/);
      // power cycle: no `ready` from a half-written firmware (old one erased, new one incomplete)
      const lines: string[] = [];
      b.board.onConsoleLine = ((prev) => (l: string) => { lines.push(l); if (prev) prev(l); })(b.board.onConsoleLine);
      b.board.powerCut();
      b.server.console.bootFromFlash();
      assert.ok(!lines.some((l) => l.indexOf('@qg ') === 0), lines.join('\n'));
      if (cut.file === '.bootcde') assert.ok(b.board.flash.exists('.bootcde'), 'partial firmware present');
      const r = await flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle() });
      assert.strictEqual(r.files[r.files.length - 1].sha256, sha(miniBundle()), 'the firmware is written last');
      assert.strictEqual(r.ready.gateId, 'gate-test-1');
    }
    const st = await doctor({ port: b.port });
    assert.strictEqual(st.firmware.sha256, sha(miniBundle()));
    await b.server.close();
  });

  it('the on-board JavaScript SHA-256 (boards without crypto) agrees with Node at block edges', async () => {
    const b = await inProcessBoard('original');
    const c = await EspruinoClient.open(b.port);
    await c.sync();
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) {
      const data = crypto.randomBytes(n);
      b.board.flash.write('h', new Uint8Array(data));
      assert.strictEqual(await c.hashFile('h'), sha(data), `length ${n}`);
    }
    await c.close();
    await b.server.close();
  });

  it('refuses a trust bundle older than the one installed, and a bundle that runs code before its last statement', async () => {
    const b = await inProcessBoard('esp32');
    b.board.flash.write('qg.tver', '7');
    await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: miniBundle() }),
      /^trust bundle version 1 is older than version 7 installed on the board/);
    await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: Buffer.from('var a=f();function f(){return 1}print(a);') }),
      /must only define until its last statement.*statement 1 of 3 calls "f\(\)"/);
    await expectFlashError(flashBoard({ port: b.port, config: cfgBytes(), trust: trustBytes(), bundle: Buffer.from('function f(){}var a=1;') }),
      /its last statement is not an expression/);
    await b.server.close();
  });
});
