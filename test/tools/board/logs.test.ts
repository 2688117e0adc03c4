// qrgate logs pull / collector import / logs ack with the BUILT command (bin/qrgate.js after
// make build), against `qrgate board` and, when ESPRUINO points at one, the real interpreter: the
// gate's records reach the database exactly once, and leave the gate only once the import's
// receipt came back to it (never records it does not hold as imported).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { EspruinoClient } from '../../../tools/board/client';
import { boardProfile } from '../../../firmware/boards';
import { GATE_JSON, TRUST_BIN, tmpDir, stopProcess } from '../../util/board';
import { consolePasswordOf } from '../../../tools/board/unlock';
import { realBoardUnavailable, startRealBoard, RealBoard } from '../../util/realboard';
import { personCert } from '../../system/make-uplink-scenarios';
import { REPO } from '../../util/shared';
import { cli as runCli, Run, BUILT, startBuiltBoard } from '../../util/board-cli';

/** The built command (bin/qrgate.js runs build/host when it is up to date: checked in before()). */
const cli = (args: string[], timeoutMs = 120000): Promise<Run> => runCli(args, timeoutMs);

const json = (r: Run) => {
  assert.ok(r.stdout.trim(), `no output; stderr: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
};

/** Scans delivered to the gate's scanner UART from the console; resolves when each was logged. */
async function scan(port: string, texts: string[]): Promise<number[]> {
  const c = await EspruinoClient.open(port, { passwords: [consolePasswordOf(new Uint8Array(fs.readFileSync(GATE_JSON)))] });
  try {
    await c.sync();
    const seqs: number[] = [];
    const serial = boardProfile((await c.eval('process.env.BOARD')) as string).scanner.serial;
    for (const t of texts) {
      const from = c.events.length;
      await c.eval(`(${serial}.emit("data",${JSON.stringify(t + '\r')}),1)`);
      const ev = await c.waitEvent((e) => e.ev === 'log' || (e.ev === 'fault' && e.what === 'log'), from, 60000, 'the entry logged');
      assert.strictEqual(ev.ev, 'log', JSON.stringify(ev));
      seqs.push(ev.seq);
    }
    return seqs;
  } finally { await c.close(); }
}

async function doctorLine(port: string): Promise<any> {
  const r = await cli(['doctor', '--port', port, '--config', GATE_JSON]);
  assert.strictEqual(r.code, 0, r.stderr);
  return json(r);
}

function theRound(getPort: () => string, dir: () => string, flashArgs: string[]) {
  it('flashes the gate, logs scans, and doctor shows the backlog', async () => {
    const f = await cli(['flash', '--port', getPort(), '--config', GATE_JSON, '--config', GATE_JSON, '--trust', TRUST_BIN, '--no-set-time', ...flashArgs], 850000);
    assert.strictEqual(f.code, 0, f.stderr);
    const seqs = await scan(getPort(), [1, 2, 3, 4, 5].map(personCert));
    assert.deepStrictEqual(seqs, [0, 1, 2, 3, 4]);
    const st = await doctorLine(getPort());
    assert.strictEqual(st.backlog, 5);
    assert.deepStrictEqual(st.log, { next: 5, dropped: 0, unlogged: 0, torn: 0 });
    assert.deepStrictEqual(st.faults, []);
  });

  it('logs pull reads them as batches and drops nothing; import stores each once, twice imported', async () => {
    const out = path.join(dir(), 'gate.batches');
    const p = await cli(['logs', 'pull', '--port', getPort(), '--config', GATE_JSON, '--out', out]);
    assert.strictEqual(p.code, 0, p.stderr);
    assert.deepStrictEqual(json(p), { gateId: 'gate-test-1', records: 5, batches: 1, first: 0, last: 4, out });
    assert.strictEqual((await doctorLine(getPort())).backlog, 5, 'pulling drops nothing');
    const db = path.join(dir(), 'entries.db');
    const i1 = json(await cli(['collector', 'import', '--db', db, out]));
    assert.strictEqual(i1.inserted, 5);
    assert.strictEqual(i1.receipt, out + '.receipt.json');
    const i2 = json(await cli(['collector', 'import', '--db', db, '--receipt', path.join(dir(), 'again.json'), out]));
    assert.deepStrictEqual([i2.inserted, i2.duplicates], [0, 5]);
    const q = await cli(['collector', 'query', '--db', db]);
    const rows = q.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(rows.map((r) => [r.gateId, r.seq]), [0, 1, 2, 3, 4].map((s) => ['gate-test-1', s]));
  });

  it('logs ack: a receipt for other records or another gate drops nothing; the real one drops exactly what was imported', async () => {
    const receiptFile = path.join(dir(), 'gate.batches.receipt.json');
    const receipt = JSON.parse(fs.readFileSync(receiptFile, 'utf8'));
    assert.strictEqual(receipt.gates['gate-test-1'].length, 5);
    // A record made after the pull is not in the receipt and stays.
    assert.deepStrictEqual(await scan(getPort(), [personCert(6)]), [5]);
    // Tags of other bytes (a journal made again since, a forged receipt): refused, exit 1.
    const forged = JSON.parse(JSON.stringify(receipt));
    forged.gates['gate-test-1'] = forged.gates['gate-test-1'].map((x: any) => [x[0], x[1].replace(/^./, (c: string) => (c === '0' ? '1' : '0'))]);
    fs.writeFileSync(path.join(dir(), 'forged.json'), JSON.stringify(forged));
    const a0 = await cli(['logs', 'ack', '--port', getPort(), '--config', GATE_JSON, '--receipt', path.join(dir(), 'forged.json')]);
    assert.strictEqual(a0.code, 1, a0.stderr);
    assert.deepStrictEqual(json(a0), { gateId: 'gate-test-1', named: 5, acked: 0, refused: 5, already: 0 });
    const other = { ...receipt, gates: { 'gate-elsewhere': receipt.gates['gate-test-1'] } };
    fs.writeFileSync(path.join(dir(), 'other.json'), JSON.stringify(other));
    const a1 = await cli(['logs', 'ack', '--port', getPort(), '--config', GATE_JSON, '--receipt', path.join(dir(), 'other.json')]);
    assert.strictEqual(a1.code, 2);
    assert.match(a1.stderr, /^qrgate logs: the receipt names no records of this board's gate gate-test-1/);
    assert.strictEqual((await doctorLine(getPort())).backlog, 6);
    // The real receipt.
    const a2 = await cli(['logs', 'ack', '--port', getPort(), '--config', GATE_JSON, '--receipt', receiptFile]);
    assert.strictEqual(a2.code, 0, a2.stderr);
    assert.deepStrictEqual(json(a2), { gateId: 'gate-test-1', named: 5, acked: 5, refused: 0, already: 0 });
    assert.strictEqual((await doctorLine(getPort())).backlog, 1);
    // Again: nothing more goes.
    assert.deepStrictEqual(json(await cli(['logs', 'ack', '--port', getPort(), '--config', GATE_JSON, '--receipt', receiptFile])),
      { gateId: 'gate-test-1', named: 5, acked: 0, refused: 0, already: 5 });
    // The next pull has only the newer record.
    const out2 = path.join(dir(), 'gate2.batches');
    assert.deepStrictEqual(json(await cli(['logs', 'pull', '--port', getPort(), '--config', GATE_JSON, '--out', out2])),
      { gateId: 'gate-test-1', records: 1, batches: 1, first: 5, last: 5, out: out2 });
  });
}

describe('qrgate logs pull / collector import / logs ack (built CLI)', function () {
  this.timeout(300000);

  it('refuses bad input with one line and exit 2', async function () {
    if (!fs.existsSync(BUILT)) this.skip();
    const d = tmpDir('logs-bad');
    try {
      const notBatches = path.join(d, 'x.batches');
      fs.writeFileSync(notBatches, Buffer.from([0xff, 0xff, 0xff]));
      const r = await cli(['collector', 'import', '--db', path.join(d, 'e.db'), notBatches]);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /^qrgate collector: \S+ is not a file of log batches/);
      const r2 = await cli(['logs', 'ack', '--port', 'tcp://127.0.0.1:9', '--receipt', notBatches]);
      assert.strictEqual(r2.code, 2);
      assert.match(r2.stderr, /not a receipt/);
      const r3 = await cli(['logs', 'pull', '--port', 'tcp://127.0.0.1:9']);
      assert.strictEqual(r3.code, 2);
      assert.match(r3.stderr, /missing --out/);
      assert.strictEqual((await cli(['logs', '--help'])).code, 0);
    } finally { fs.rmSync(d, { recursive: true, force: true }); }
  });

  describe('against qrgate board', () => {
    let board: { child: ChildProcess; port: number } | undefined;
    let dir = '';
    before(async function () {
      if (!fs.existsSync(BUILT)) {
        // eslint-disable-next-line no-console
        console.log('      skipped: no build (make build)');
        this.skip();
      }
      dir = tmpDir('logs');
      board = await startBuiltBoard(path.join(dir, 'flash'));
    });
    after(async () => {
      if (board) await stopProcess(board.child);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    theRound(() => `tcp://127.0.0.1:${board!.port}`, () => dir, ['--bundle', path.join(REPO, 'dist', 'gate.js')]);
  });

  describe('against the real Espruino interpreter (ESPRUINO)', function () {
    // Writing the 157 KB bundle through the telnet console takes minutes on a busy machine.
    this.timeout(900000);
    let rb: RealBoard | undefined;
    let dir = '';
    before(async function () {
      const why = realBoardUnavailable() || (fs.existsSync(BUILT) ? '' : 'no build (make build)');
      if (why) {
        // eslint-disable-next-line no-console
        console.log(`      skipped: ${why}`);
        this.skip();
      }
      dir = tmpDir('logs-real');
      rb = await startRealBoard();
    });
    after(async () => {
      if (rb) await rb.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    // dist/gate.js: the bundle that boots there today (the per-board ones wait for the hoist fix).
    theRound(() => `tcp://127.0.0.1:${rb!.port}`, () => dir, ['--bundle', path.join(REPO, 'dist', 'gate.js')]);
  });
});
