// Issue 17.4 on the real Espruino Linux interpreter (ESPRUINO, see realboard.ts): what
// E.setPassword / E.lockConsole do there (the simulator's model, sim/console-lock.ts, follows it),
// and qrgate flash / doctor against a firmware that locks its console as firmware/main.ts does
// (mini-lock-firmware.ts: the whole dist/gate-linux.js takes minutes to flash through the
// interpreter's telnet console): doctor unlocks it with the site's configuration and only with
// it. Skipped, saying why, without ESPRUINO.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as crypto from 'crypto';
import { flashBoard, doctor, FlashError } from '../../tools/board/flasher';
import { EspruinoClient } from '../../tools/board/client';
import { ConsoleLockedError, consolePasswordOf } from '../../tools/board/unlock';
import { GATE_JSON, TRUST_BIN } from '../util/board';
import * as path from 'path';

/** mini-lock-firmware.ts as one file (as helpers.miniBundle makes the mini firmware). */
function miniLockBundle(): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const esbuild = require('esbuild');
  const r = esbuild.buildSync({
    entryPoints: [path.join(__dirname, '..', 'util', 'mini-lock-firmware.ts')], bundle: true, format: 'iife', target: 'es2015',
    platform: 'neutral', external: ['Storage', 'crypto', 'TelnetServer'], write: false, logLevel: 'silent', legalComments: 'none',
  });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  let code: string = require('../../tools/build/bundle.js').plainRequire(r.outputFiles[0].text);
  code = esbuild.transformSync(code, { minify: true, target: 'es2015', legalComments: 'none' }).code;
  return Buffer.from(code, 'utf8');
}
import { realBoardUnavailable, startRealBoard, RealBoard } from '../util/realboard';

const SECRET = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')).site.secret as string;

/** Type these at the console over a raw connection; everything printed back. */
function typeRaw(port: number, parts: string[], gapMs = 400): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('error', reject);
    s.on('connect', async () => {
      await new Promise((r) => setTimeout(r, gapMs));
      for (const p of parts) { s.write(Buffer.from(p, 'latin1')); await new Promise((r) => setTimeout(r, gapMs)); }
      s.destroy();
      resolve(out);
    });
  });
}

describe('console lock on the real Espruino interpreter (ESPRUINO)', function () {
  this.timeout(300000);
  let rb: RealBoard | undefined;
  before(async function () {
    const why = realBoardUnavailable();
    if (why) {
      // eslint-disable-next-line no-console
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    rb = await startRealBoard();
  });
  after(async () => { if (rb) await rb.stop(); });

  it('E.lockConsole: every line is "Invalid password" until the password line, then "Logged in."', async () => {
    const out = await typeRaw(rb!.port, [
      'E.setPassword("pw-1234");E.lockConsole()\n',
      'print("sec"+"ret")\n',
      '\x10print(1)\n', // (no Ctrl-C here: on the Linux build a second one ends the interpreter)
      'pw-1234\r',
      'print(6*7)\n',
      'E.setPassword();E.lockConsole()\n',
    ]);
    // (Espruino echoes a half-typed password line when it gives the prompt back after output: not
    // matched exactly)
    assert.match(out, /=undefined\r\n[\s\S]*Invalid password[\s\S]*Invalid password[\s\S]*password>\r\n  Logged in\.\r\n>print\(6\*7\)\r\n42\r\n/);
    assert.equal((out.match(/Invalid password/g) || []).length, 2, out);
    assert.ok(!/secret/.test(out), 'nothing ran while locked');
  });

  it('a firmware that locks its console: flash unlocks it after the restart; doctor needs the site configuration; a wrong one fails clearly', async function () {
    const port = `tcp://127.0.0.1:${rb!.port}`;
    const bundle = miniLockBundle();
    const r = await flashBoard({ port, config: fs.readFileSync(GATE_JSON), trust: fs.readFileSync(TRUST_BIN), bundle });
    assert.equal(r.ready.gateId, 'gate-test-1');
    assert.ok(r.status, 'flash read qgStatus() after unlocking the restarted board');
    // nothing without the password: not qg.cfg, not a pin
    const raw = await typeRaw(rb!.port, ['\r', 'print(require("Storage").read("qg.cfg"))\n', 'digitalWrite(D2,1)\n']);
    assert.match(raw, /Invalid password/);
    assert.ok(!raw.includes(SECRET) && !raw.includes('gate-test-1'), raw);
    await assert.rejects(doctor({ port, config: undefined }), (e: any) => e instanceof FlashError && /locked .*--config FILE/.test(e.message));
    const other = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'));
    other.site.secret = 'cd'.repeat(32);
    await assert.rejects(doctor({ port, config: new Uint8Array(Buffer.from(JSON.stringify(other))) }),
      (e: any) => e instanceof FlashError && /does not open it/.test(e.message));
    const st = await doctor({ port, config: new Uint8Array(fs.readFileSync(GATE_JSON)) });
    assert.equal(st.gateId, 'gate-test-1');
    assert.equal(st.source, 'firmware');
    assert.equal(st.firmware.sha256, crypto.createHash('sha256').update(bundle).digest('hex'));
    // doctor locked it again as it closed
    const c = await EspruinoClient.open(port, { passwords: [] });
    try {
      await assert.rejects(c.sync(), (e: any) => e instanceof ConsoleLockedError);
    } finally { await c.close(); }
    assert.equal(consolePasswordOf(fs.readFileSync(GATE_JSON)).length, 20);
  });
});
