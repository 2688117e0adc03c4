// The technician's commands against the real Espruino Linux interpreter's --telnet console, when
// ESPRUINO points at one (see realboard.ts); skipped, saying why, otherwise. Driven through the
// shipped command (bin/qrgate.js). The gate firmware itself takes minutes to start there on a busy
// machine (44 s of CPU: see README), so the scan goes to a small firmware that frames the
// scanner UART's bytes and reports what it got; ESPRUINO_GATE=1 also scans with dist/gate.js.
import * as assert from 'assert';
import * as fs from 'fs';
import { miniBundle, tmpDir, writeTmp, GATE_JSON, TRUST_BIN, DIST, FIXTURES } from '../util/board';
import { realBoardUnavailable, startRealBoard, RealBoard } from '../util/realboard';
import { cli, cliBackground, THROWING_BUNDLE } from '../util/board-cli';
import * as path from 'path';

const CERTS = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'certs.json'), 'utf8'));

/** Frames Serial1 (the linux profile's scanner UART) on CR and reports length and a checksum. */
const ECHO_BUNDLE = 'function qgBoot(){var b="";global.qgStatus=function(){return "{}"};Serial1.setup(9600,{rx:D1,tx:D0});Serial1.on("data",function(d){b+=d;var i=b.indexOf("\\r");' +
  'if(i<0)return;var t=b.substr(0,i),s=0;b="";for(var j=0;j<t.length;j++)s=(s+t.charCodeAt(j))%65536;' +
  'console.log("@qg "+JSON.stringify({ev:"decision",decision:"attendant",reason:"echo",format:"none",detail:t.length+":"+s}))});' +
  'console.log("@qg "+JSON.stringify({ev:"ready",fw:"echo",board:"linux",gateId:"gate-test-1",fault:"",detail:"",trust:{version:1,keys:4},clock:true}))}qgBoot();';

/** Reports ready, then an event every 300 ms and an uncaught error every fifth. */
const TICKER_BUNDLE = 'function qgBoot(){var n=0;console.log("@qg "+JSON.stringify({ev:"ready",fw:"ticker",board:"linux",gateId:"gate-test-1",fault:"",detail:"",trust:{version:1,keys:4},clock:true}));' +
  'setInterval(function(){n++;console.log("@qg {\\"ev\\":\\"tick\\",\\"n\\":"+n+"}");if(n%5==0)setTimeout(function(){throw new Error("tock "+n)},1)},300)}qgBoot();';

describe('qrgate flash, doctor, monitor, scan and clock against the real Espruino interpreter (ESPRUINO)', function () {
  this.timeout(600000);
  let rb: RealBoard | undefined;
  let port = '';
  const dir = tmpDir('realtech');
  const flashArgs = (b: string, extra: string[] = []) => ['flash', '--port', port, '--config', GATE_JSON, '--trust', TRUST_BIN, '--bundle', b, ...extra];
  before(async function () {
    const why = realBoardUnavailable();
    if (why) {
      // eslint-disable-next-line no-console
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    rb = await startRealBoard();
    port = `tcp://127.0.0.1:${rb.port}`;
  });
  after(async () => { if (rb) await rb.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('a firmware that throws at boot: flash exits 1 at once with the board\'s error; doctor exits 1; flashing again succeeds', async () => {
    const r = await cli(flashArgs(writeTmp(dir, 'boom.js', THROWING_BUNDLE)), 300000);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /\nboard: Uncaught Error: boom at boot 1\n/);
    assert.match(r.stderr, /\nqrgate flash: the firmware stopped with an error while starting: Uncaught Error: boom at boot 1\. /);
    // the wait after the restart ended at the error, long before the default --timeout
    const waited = /starting the firmware: (\d+) s/g;
    let m: RegExpExecArray | null, last = 0;
    while ((m = waited.exec(r.stderr))) last = Number(m[1]);
    assert.ok(last < 30, `waited ${last} s`);
    const d = await cli(['doctor', '--port', port, '--config', GATE_JSON], 120000);
    assert.strictEqual(d.code, 1, d.stderr);
    assert.match(JSON.parse(d.stdout).why, /^the firmware did not start/);
    const again = await cli(flashArgs(writeTmp(dir, 'mini.js', miniBundle())), 300000);
    assert.strictEqual(again.code, 0, again.stderr);
    const d2 = await cli(['doctor', '--port', port, '--config', GATE_JSON], 120000);
    assert.strictEqual(d2.code, 0, d2.stderr);
  });

  it('scan stages the text on the board and emits it on the scanner UART (Serial1) in 32-byte data events', async () => {
    assert.strictEqual((await cli(flashArgs(writeTmp(dir, 'echo.js', ECHO_BUNDLE)), 300000)).code, 0);
    for (const text of [CERTS.certs.ok.text, 'B64:' + 'x'.repeat(1500) + '\u00e9']) {
      const bytes = Buffer.from(text, 'utf8');
      let sum = 0;
      for (const b of bytes) sum = (sum + b) % 65536;
      const s = await cli(['scan', '--port', port, '--config', GATE_JSON, text], 120000);
      assert.strictEqual(s.code, 0, s.stderr);
      const got = JSON.parse(s.stdout);
      assert.deepStrictEqual(Object.keys(got).slice(0, 3), ['decision', 'reason', 'format']);
      assert.strictEqual(got.detail, `${bytes.length}:${sum}`);
    }
  });

  it('monitor prints the events and the uncaught errors of a running firmware until Ctrl-C (exit 0)', async () => {
    assert.strictEqual((await cli(flashArgs(writeTmp(dir, 'ticker.js', TICKER_BUNDLE)), 300000)).code, 0);
    const m = cliBackground(['monitor', '--port', port, '--config', GATE_JSON]);
    try {
      await m.waitFor(/\d\d:\d\d:\d\d tick +n=\d+/, 60000);
      await m.waitFor(/ERROR    Uncaught Error: tock \d+/, 60000);
    } finally {
      assert.strictEqual(await m.stop('SIGINT'), 0, m.err());
    }
  });

  it('clock reads the interpreter\'s time; setting it is refused because the Linux build ignores setTime', async () => {
    const r = await cli(['clock', '--port', port, '--config', GATE_JSON], 120000);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(Math.abs(JSON.parse(r.stdout).seconds - Date.now() / 1000) < 60, r.stdout);
    const s = await cli(['clock', '--port', port, '--config', GATE_JSON, '--set', '2021-09-27T08:00:00Z'], 120000);
    assert.strictEqual(s.code, 2, s.stdout);
    assert.match(s.stderr, /^qrgate clock: the board did not keep the time: .*Linux build ignores setTime/);
  });

  it('ESPRUINO_GATE=1: dist/gate.js flashed (about a minute to start there), scan gives the fixture\'s decision', async function () {
    if (!process.env.ESPRUINO_GATE || !fs.existsSync(DIST)) { console.log('      skipped: set ESPRUINO_GATE=1 (and make build) to flash dist/gate.js'); this.skip(); }
    this.timeout(1800000);
    const f = await cli(flashArgs(writeTmp(dir, 'gate.js', fs.readFileSync(DIST)), ['--timeout', '1200']), 1500000);
    assert.strictEqual(f.code, 0, f.stderr);
    for (const name of ['ok', 'expired']) {
      const c = CERTS.certs[name];
      if (!c) continue;
      const s = await cli(['scan', '--port', port, '--config', GATE_JSON, '--timeout', '300', c.text], 400000);
      assert.strictEqual(s.code, 0, s.stderr);
      // the Linux build's clock is the computer's (setTime is ignored): compare with verify now
      const v = await cli(['verify', '--config', GATE_JSON, '--trust', TRUST_BIN, c.text]);
      const want = JSON.parse(v.stdout), got = JSON.parse(s.stdout);
      for (const k of Object.keys(want)) assert.deepStrictEqual(got[k], want[k], `${name}: ${k}`);
    }
  });
});
