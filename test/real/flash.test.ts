// qrgate flash and doctor against the real Espruino Linux interpreter's --telnet console, when
// ESPRUINO points at one (see realboard.ts); skipped, saying why, otherwise.
import * as assert from 'assert';
import * as fs from 'fs';
import * as crypto from 'crypto';
import { flashBoard, doctor, FlashError } from '../../tools/board/flasher';
import { EspruinoClient, boardHashExpr } from '../../tools/board/client';
import { miniBundle, GATE_JSON, TRUST_BIN } from '../util/board';
import { realBoardUnavailable, startRealBoard, RealBoard } from '../util/realboard';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe('qrgate flash / doctor against the real Espruino interpreter (ESPRUINO)', function () {
  this.timeout(180000);
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

  it('flashes the firmware, configuration and trust bundle, and doctor reads them back', async () => {
    const port = `tcp://127.0.0.1:${rb!.port}`;
    const bundle = miniBundle();
    const r = await flashBoard({ port, config: fs.readFileSync(GATE_JSON), trust: fs.readFileSync(TRUST_BIN), bundle });
    assert.strictEqual(r.boardId, 'LINUX');
    // (the verifier's table files come between the trust bundle and the firmware, written last)
    assert.strictEqual(r.files[r.files.length - 1].name, '.bootcde');
    assert.strictEqual(r.files[r.files.length - 1].sha256, sha(bundle));
    assert.strictEqual(r.ready.gateId, 'gate-test-1');
    const st = await doctor({ port });
    assert.strictEqual(st.firmware.sha256, sha(bundle));
    assert.strictEqual(st.gateId, 'gate-test-1');
    assert.deepStrictEqual(st.trust, { version: 1, keys: 4 });
    assert.strictEqual(st.source, 'firmware');
  });

  it('hashes on the board with the JavaScript SHA-256 exactly as with native crypto', async () => {
    const c = await EspruinoClient.open(`tcp://127.0.0.1:${rb!.port}`);
    try {
      await c.sync();
      const data = crypto.randomBytes(1000);
      await c.writeFile('qg.test', new Uint8Array(data));
      assert.strictEqual(await c.hashFile('qg.test'), sha(data));
      // the JavaScript SHA-256 sent to boards without require('crypto').SHA256
      assert.strictEqual(await c.eval(boardHashExpr('qg.test', true)), sha(data));
      const empty = crypto.randomBytes(64);
      await c.writeFile('qg.test2', new Uint8Array(empty));
      assert.strictEqual(await c.eval(boardHashExpr('qg.test2', true)), sha(empty));
    } finally { await c.close(); }
  });

  it('says wrong board for --board esp32', async () => {
    await assert.rejects(flashBoard({ port: `tcp://127.0.0.1:${rb!.port}`, config: fs.readFileSync(GATE_JSON), trust: fs.readFileSync(TRUST_BIN), bundle: miniBundle(), board: 'esp32' }),
      (e: any) => e instanceof FlashError && /^wrong board: expected esp32 \(ESP32\) but the board on \S+ is LINUX$/.test(e.message));
  });
});
