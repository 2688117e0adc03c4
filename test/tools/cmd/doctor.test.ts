// qrgate doctor (tools/cmd/doctor.ts) with the BUILT command (bin/qrgate.js after make build)
// against `qrgate board` running dist/gate.js: a gate that counts (capacity.*) shows its occupancy
// (the people inside, the limit in force for its PPKM level, the level), read from qgStatus() at
// the time of the call; a gate that does not count shows null.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { EspruinoClient } from '../../../tools/board/client';
import { boardProfile } from '../../../firmware/boards';
import { GATE_JSON, TRUST_BIN, tmpDir, stopProcess } from '../../util/board';
import { consolePasswordOf } from '../../../tools/board/unlock';
import { personCert } from '../../system/make-uplink-scenarios';
import { REPO } from '../../util/shared';
import { cli as runCli, Run, BUILT, startBuiltBoard } from '../../util/board-cli';

/** The built command (bin/qrgate.js runs build/host when it is up to date: checked in before()). */
const cli = (args: string[], timeoutMs = 120000): Promise<Run> => runCli(args, timeoutMs);

describe('qrgate doctor (built CLI): occupancy', function () {
  this.timeout(600000);
  let board: { child: ChildProcess; port: number } | undefined;
  let dir = '';
  let cfg = '';
  const port = () => `tcp://127.0.0.1:${board!.port}`;

  async function doctorLine(): Promise<any> {
    const r = await cli(['doctor', '--port', port(), '--config', cfg]);
    assert.strictEqual(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string);
  }

  async function flash(config: any): Promise<void> {
    fs.writeFileSync(cfg, JSON.stringify(config));
    const f = await cli(['flash', '--port', port(), '--config', cfg, '--trust', TRUST_BIN, '--no-set-time',
      '--bundle', path.join(REPO, 'dist', 'gate.js')], 550000);
    assert.strictEqual(f.code, 0, f.stderr);
  }

  before(async function () {
    if (!fs.existsSync(BUILT)) {
      // eslint-disable-next-line no-console
      console.log('      skipped: no build (make build)');
      this.skip();
    }
    dir = tmpDir('doctor');
    cfg = path.join(dir, 'gate.json');
    board = await startBuiltBoard(path.join(dir, 'flash'));
  });
  after(async () => {
    if (board) await stopProcess(board.child);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the count, the limit in force for the PPKM level, and the level; the count follows an entry', async () => {
    const base = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'));
    await flash({ ...base, capacity: { max: 20, levels: '2:3,3:50%', level: 3 } });
    assert.deepStrictEqual((await doctorLine()).occupancy, { count: 0, max: 10, level: 3 });
    // someone enters (no door contact: an opening counts at once)
    const c = await EspruinoClient.open(port(), { passwords: [consolePasswordOf(new Uint8Array(fs.readFileSync(cfg)))] });
    try {
      await c.sync();
      const serial = boardProfile((await c.eval('process.env.BOARD')) as string).scanner.serial;
      const from = c.events.length;
      await c.eval(`(${serial}.emit("data",${JSON.stringify(personCert(1) + '\r')}),1)`);
      const ev = await c.waitEvent((e) => e.ev === 'occupancy' && e.why === 'entry', from, 60000, 'the entry counted');
      assert.strictEqual(ev.n, 1);
    } finally { await c.close(); }
    assert.deepStrictEqual((await doctorLine()).occupancy, { count: 1, max: 10, level: 3 });
  });

  it('shows null at a gate that does not count', async () => {
    await flash(JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')));
    const st = await doctorLine();
    assert.ok(st.ok, JSON.stringify(st));
    assert.strictEqual(st.occupancy, null);
  });
});
