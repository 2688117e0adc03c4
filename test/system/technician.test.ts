// The technician's flow against the simulated board (qrgate board's console), through the shipped
// command (bin/qrgate.js): a flasher that tells the truth (a firmware that throws at boot, reports
// a fault or restarts in a loop ends flash at once with exit 1 and the board's words; the next
// flash succeeds), doctor's exit status, and monitor, scan and clock.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard } from '../../sim/board';
import { ConsoleServer } from '../../sim/console';
import { cli, cliBackground, THROWING_BUNDLE, FAULT_BUNDLE } from '../util/board-cli';
import { miniBundle, tmpDir, writeTmp, GATE_JSON, TRUST_BIN, DIST, FIXTURES } from '../util/board';

const CERTS = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'certs.json'), 'utf8'));
const AT = Date.parse(CERTS.clock) / 1000;

async function inProcessBoard(clock: number | null = AT) {
  const board = new SimBoard({ board: 'esp32', clock });
  const server = new ConsoleServer(board);
  server.console.bootFromFlash();
  const port = await server.listen(0);
  return { board, server, port: `tcp://127.0.0.1:${port}` };
}

describe('qrgate flash tells the truth; doctor, monitor, scan and clock (simulated board)', function () {
  this.timeout(120000);
  const dir = tmpDir('tech');
  const bundle = (name: string, text: string | Uint8Array) => writeTmp(dir, name, text);
  const flashArgs = (port: string, b: string) => ['flash', '--port', port, '--config', GATE_JSON, '--trust', TRUST_BIN, '--bundle', b, '--no-set-time'];
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a firmware that throws at boot ends flash at once: exit 1, the board\'s error, what to do; doctor exits 1; the next flash succeeds', async () => {
    const b = await inProcessBoard();
    try {
      const r = await cli(flashArgs(b.port, bundle('boom.js', THROWING_BUNDLE)), 60000);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /\nboard: Uncaught Error: boom at boot 1\n/);
      assert.match(r.stderr, /\nqrgate flash: the firmware stopped with an error while starting: Uncaught Error: boom at boot 1\. The board was stopped \(reset\(\)\); [^\n]*flash a firmware built for it[^\n]*\n$/);
      assert.strictEqual(r.stdout, '');
      const d = await cli(['doctor', '--port', b.port, '--config', GATE_JSON]);
      assert.strictEqual(d.code, 1, d.stderr);
      const st = JSON.parse(d.stdout);
      assert.strictEqual(st.ok, false);
      assert.match(st.why, /^the firmware did not start: \.bootcde is on the board but it defines no qgStatus\(\)/);
      assert.match(d.stderr, /^qrgate doctor: the firmware did not start/);
      const again = await cli(flashArgs(b.port, bundle('mini.js', miniBundle())));
      assert.strictEqual(again.code, 0, again.stderr);
      const d2 = await cli(['doctor', '--port', b.port, '--config', GATE_JSON]);
      assert.strictEqual(d2.code, 0, d2.stderr);
      assert.strictEqual(JSON.parse(d2.stdout).ok, true);
      assert.strictEqual(JSON.parse(d2.stdout).why, null);
    } finally { await b.server.close(); }
  });

  it('a fault reported while starting ends flash with exit 1 and the fault; a reboot loop too', async () => {
    const b = await inProcessBoard();
    try {
      const r = await cli(flashArgs(b.port, bundle('fault.js', FAULT_BUNDLE)));
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /qrgate flash: the firmware reports a fault while starting: uplink: the collector answers 404 at \/\. /);
      const loop = await cli(flashArgs(b.port, bundle('loop.js', 'function qgBoot(){E.reboot()}qgBoot();')));
      assert.strictEqual(loop.code, 1, loop.stderr);
      assert.match(loop.stderr, /qrgate flash: the board restarted 2 times while starting the firmware \(a reboot loop\)/);
      assert.match(loop.stderr, /board: +\|_\| espruino\.com/);
      // the loop was stopped: the board answers and takes a working firmware
      const ok = await cli(flashArgs(b.port, bundle('mini2.js', miniBundle())));
      assert.strictEqual(ok.code, 0, ok.stderr);
    } finally { await b.server.close(); }
  });

  it('no ready line: flash waits --timeout S showing the time, then exit 1 naming --timeout', async () => {
    const b = await inProcessBoard();
    try {
      const r = await cli(flashArgs(b.port, bundle('silent.js', 'function qgBoot(){}qgBoot();')).concat(['--timeout', '2']));
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /starting the firmware: 0 s \(waits up to 2 s\)/);
      assert.match(r.stderr, /qrgate flash: the firmware printed no ready line within 2 s of the restart\. .*--timeout 4/);
    } finally { await b.server.close(); }
  });

  it('doctor exits 1 and says why when the running firmware reports a fault', async () => {
    const b = await inProcessBoard();
    try {
      // the mini firmware boots with fault "trust" when qg.trust is missing
      assert.strictEqual((await cli(flashArgs(b.port, bundle('mini3.js', miniBundle())))).code, 0);
      b.board.flash.erase('qg.trust');
      b.board.powerCut();
      b.server.console.bootFromFlash();
      const d = await cli(['doctor', '--port', b.port, '--config', GATE_JSON]);
      assert.strictEqual(d.code, 1, d.stderr);
      const st = JSON.parse(d.stdout);
      assert.strictEqual(st.fault, 'trust');
      assert.strictEqual(st.ok, false);
      assert.strictEqual(st.why, 'the firmware reports a fault: trust');
    } finally { await b.server.close(); }
  });

  it('doctor exits 1 for the gate firmware stopped by an error after it defined qgStatus() (before ready); the door stays locked', async function () {
    if (!fs.existsSync(DIST)) { console.log('      skipped: dist/gate.js is not built (make build)'); this.skip(); }
    const b = await inProcessBoard();
    try {
      const f = await cli(flashArgs(b.port, bundle("gate0.js", fs.readFileSync(DIST))));
      assert.strictEqual(f.code, 0, f.stderr);
      // the scanner's UART cannot be set up (as Espruino says of pins that cannot carry it): the
      // wiring stops after qgStatus() exists
      b.board.scanner().failSetup('Pin D16 is not capable of USART RX');
      b.board.powerCut();
      b.server.console.bootFromFlash();
      assert.ok(b.board.lines.some((l) => /Uncaught Error: Pin D16 is not capable of USART RX/.test(l)), b.board.lines.slice(-5).join('\n'));
      const d = await cli(['doctor', '--port', b.port, '--config', GATE_JSON]);
      assert.strictEqual(d.code, 1, d.stdout + d.stderr);
      const st = JSON.parse(d.stdout);
      assert.strictEqual(st.source, 'firmware');
      assert.strictEqual(st.fault, 'start');
      assert.strictEqual(st.ok, false);
      assert.match(st.why, /^the firmware reports a fault: start: it stopped with an error while starting \(Pin D16 is not capable of USART RX\) and never became ready/);
      assert.strictEqual(b.board.relay(), false);
      // repaired: the next boot is ready and doctor reads ok
      b.board.scanner().failSetup(null);
      b.board.powerCut();
      b.server.console.bootFromFlash();
      const d2 = await cli(['doctor', '--port', b.port, '--config', GATE_JSON]);
      assert.strictEqual(d2.code, 0, d2.stdout + d2.stderr);
      assert.strictEqual(JSON.parse(d2.stdout).fault, '');
    } finally { await b.server.close(); }
  });

  describe('with the gate firmware (dist/gate.js) flashed', function () {
    let b: Awaited<ReturnType<typeof inProcessBoard>>;
    before(async function () {
      if (!fs.existsSync(DIST)) { console.log('      skipped: dist/gate.js is not built (make build)'); this.skip(); }
      b = await inProcessBoard();
      const r = await cli(flashArgs(b.port, bundle('gate.js', fs.readFileSync(DIST))));
      assert.strictEqual(r.code, 0, r.stderr);
    });
    after(async () => { if (b) await b.server.close(); });

    it('scan feeds the scanner UART and prints the decision with verify\'s fields; the same text again gives none (exit 1)', async () => {
      for (const name of ['ok', 'ok-test', 'expired', 'revoked']) {
        const c = CERTS.certs[name];
        if (!c) continue;
        const s = await cli(['scan', '--port', b.port, '--config', GATE_JSON, c.text]);
        assert.strictEqual(s.code, 0, `${name}: ${s.stderr}`);
        const got = JSON.parse(s.stdout);
        const v = await cli(['verify', '--config', GATE_JSON, '--trust', TRUST_BIN, '--at', CERTS.clock, c.text]);
        const want = JSON.parse(v.stdout);
        assert.deepStrictEqual(Object.keys(got).slice(0, Object.keys(want).length), Object.keys(want), `${name}: verify's fields first`);
        for (const k of Object.keys(want)) assert.deepStrictEqual(got[k], want[k], `${name}: ${k}`);
        assert.strictEqual(got.decision, c.decision);
      }
      // --in FILE (a final line break is not part of the scan)
      const c = CERTS.certs['ok-minimal'];
      const f = await cli(['scan', '--port', b.port, '--config', GATE_JSON, '--in', bundle('scan.txt', c.text + '\r\n')]);
      assert.strictEqual(f.code, 0, f.stderr);
      assert.strictEqual(JSON.parse(f.stdout).decision, c.decision);
      // a text longer than scanner.maxLen is dropped by the scanner driver: no decision, exit 1
      const none = await cli(['scan', '--port', b.port, '--config', GATE_JSON, '--timeout', '2', '--in', bundle('long.txt', 'QG1:' + 'A'.repeat(3000) + '\n')]);
      assert.strictEqual(none.code, 1, none.stderr);
      assert.match(none.stderr, /qrgate scan: the gate (gave no decision within 2 s|dropped the scan)/);
    });

    it('monitor shows the gate\'s events live beside another client, uncaught errors too, and stops cleanly on Ctrl-C', async () => {
      const m = cliBackground(['monitor', '--port', b.port, '--config', GATE_JSON]);
      const j = cliBackground(['monitor', '--port', b.port, '--config', GATE_JSON, '--json']);
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const c = CERTS.certs['ok-booster'] || CERTS.certs['ok-minimal'];
        const s = await cli(['scan', '--port', b.port, '--config', GATE_JSON, c.text]);
        assert.strictEqual(s.code, 0, s.stderr);
        await m.waitFor(/\d\d:\d\d:\d\d decision OPEN ok qg1 /);
        await j.waitFor(/"ev":"decision"/);
        const ev = JSON.parse(j.out().split('\n').filter((l) => /"ev":"decision"/.test(l))[0]);
        assert.strictEqual(ev.decision, 'open');
        // the board's own error (a flash of a firmware that throws), seen by the monitor
        const f = await cli(flashArgs(b.port, bundle('boom2.js', THROWING_BUNDLE)));
        assert.strictEqual(f.code, 1);
        await m.waitFor(/ERROR    Uncaught Error: boom at boot 1/);
        await j.waitFor(/\{"ev":"uncaught","text":"Uncaught Error: boom at boot 1"\}/);
      } finally {
        assert.strictEqual(await m.stop('SIGINT'), 0, m.err());
        assert.strictEqual(await j.stop('SIGINT'), 0, j.err());
      }
    });
  });

  it('clock reads the board\'s time, sets it, and says "null" for a clock never set', async () => {
    const b = await inProcessBoard(null);
    try {
      const r = await cli(['clock', '--port', b.port, '--config', GATE_JSON]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout).clock, null);
      const s = await cli(['clock', '--port', b.port, '--config', GATE_JSON, '--set', '2021-09-27T08:00:00Z']);
      assert.strictEqual(s.code, 0, s.stderr);
      const o = JSON.parse(s.stdout);
      assert.strictEqual(o.set, AT);
      assert.strictEqual(o.was, null);
      assert.match(o.clock, /^2021-09-27T08:00:0\dZ$/);
      const n = await cli(['clock', '--port', b.port, '--config', GATE_JSON, '--set', 'now']);
      assert.ok(Math.abs(JSON.parse(n.stdout).seconds - Date.now() / 1000) < 10, n.stdout);
      const bad = await cli(['clock', '--port', b.port, '--config', GATE_JSON, '--set', 'yesterday']);
      assert.strictEqual(bad.code, 2);
      assert.match(bad.stderr, /^qrgate clock: --set: not a time/);
    } finally { await b.server.close(); }
  });

  it('qrgate board prints the gate\'s events as they happen, and nothing with --quiet', async () => {
    const loud = cliBackground(['board', '--listen', '127.0.0.1:0', '--clock', CERTS.clock]);
    const quiet = cliBackground(['board', '--listen', '127.0.0.1:0', '--quiet']);
    try {
      await loud.waitFor(/listening on tcp:\/\/[^:]+:\d+/);
      await quiet.waitFor(/listening on tcp:\/\/[^:]+:\d+/);
      const lp = 'tcp://127.0.0.1:' + /listening on tcp:\/\/[^:]+:(\d+)/.exec(loud.out())![1];
      const qp = 'tcp://127.0.0.1:' + /listening on tcp:\/\/[^:]+:(\d+)/.exec(quiet.out())![1];
      assert.strictEqual((await cli(flashArgs(lp, bundle('mini4.js', miniBundle())))).code, 0);
      assert.strictEqual((await cli(flashArgs(qp, bundle('mini5.js', miniBundle())))).code, 0);
      await loud.waitFor(/\d\d:\d\d:\d\d ready    gate gate-test-1 fw [^ ]+ on esp32, trust v1 \(4 keys\)/);
      assert.strictEqual((await cli(flashArgs(lp, bundle('boom3.js', THROWING_BUNDLE)))).code, 1);
      await loud.waitFor(/ERROR    Uncaught Error: boom at boot 1/);
      assert.strictEqual(quiet.out().split('\n').filter((l) => l && !/^listening on/.test(l)).length, 0, quiet.out());
    } finally {
      await loud.stop('SIGTERM');
      await quiet.stop('SIGTERM');
    }
  });
});
