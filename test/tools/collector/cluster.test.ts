// `qrgate collector serve --workers N` (tools/collector/cluster.ts), through bin/qrgate.js on a
// private PostgreSQL: the workers share one copy of what the collector remembers (the nonces seen,
// the LoRaWAN devices' definitions), so a replay is refused and a LoRa device is known whichever
// worker a connection reaches; every acknowledged record is stored; SQLite refuses --workers.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { spawn, spawnSync, ChildProcess } from 'child_process';
import { LoraFrameWriter, LORA_PORT } from '../../../proto/lorawire';
import { LogRecord, encodeBatch, encodeLogRecord } from '../../../proto/logrecord';
import { logSchema } from '../../../tools/collector/server';
import { addGate, readKeyFile, derivedKeys, hmac } from '../../../tools/collector/gates';
import { PostgresStore } from '../../../tools/collector/postgres';
import { freshDatabase, pgSkipReason } from '../../util/postgres';
import { T0, entry } from '../../util/logrecords';

const REPO = path.resolve(__dirname, '..', '..', '..');
const QRGATE = path.join(REPO, 'bin', 'qrgate.js');
const WORKERS = 3;

/** One POST on a connection of its own (as a gate makes it), so that any worker may take it. */
function post(port: number, p: string, body: Uint8Array | string, type: string, headers: any = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', agent: false,
      headers: { 'content-type': type, connection: 'close', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(Buffer.from(body as any));
  });
}

describe('collector serve --workers N (PostgreSQL)', function () {
  this.timeout(120000);
  let dir: string, url: string, proc: ChildProcess | null = null, port = 0;
  /** A second collector without --gates, for the LoRaWAN test (with --gates, frames must be sealed). */
  let open: { proc: ChildProcess; port: number } | null = null;

  function serve(db: string, more: string[]): Promise<{ proc: ChildProcess; port: number }> {
    const p = spawn(process.execPath, [QRGATE, 'collector', 'serve', '--db', db, '--listen', '127.0.0.1:0',
      '--workers', String(WORKERS), ...more], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let buf = '', err = '';
      p.stderr!.on('data', (c) => { err += c; });
      p.stdout!.on('data', (c) => {
        buf += c;
        const line = buf.split('\n').find((l) => l.includes('"listening"'));
        if (line) resolve({ proc: p, port: JSON.parse(line).port });
      });
      p.on('exit', (code) => reject(new Error(`collector exited ${code}: ${err}`)));
    });
  }

  before(async function () {
    const why = pgSkipReason();
    if (why) { console.log(`      skipped: ${why}`); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-cluster-'));
    addGate(path.join(dir, 'gates.json'), 'gate-1', path.join(dir, 'gate-1.key'));
    url = await freshDatabase();
    const a = await serve(url, ['--gates', path.join(dir, 'gates.json')]);
    proc = a.proc;
    port = a.port;
    open = await serve(await freshDatabase(), []);
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc!.on('exit', r));
    }
    if (open && open.proc.exitCode === null) {
      open.proc.kill('SIGTERM');
      await new Promise((r) => open!.proc.on('exit', r));
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs N worker processes', () => {
    const kids = spawnSync('pgrep', ['-P', String(proc!.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    assert.equal(kids.length, WORKERS);
  });

  it('a replayed batch is refused whichever worker it reaches; each genuine one is stored once', async () => {
    const { Batch } = logSchema();
    const key = derivedKeys(readKeyFile(path.join(dir, 'gate-1.key')).key).batch;
    const batch = (nonce: number, seq: number) => {
      const r = entry(seq, T0 + seq);
      const m: any = Batch.decode(encodeBatch('gate-1', [encodeLogRecord(r, seq)]));
      m.epoch = 77;
      m.nonce = nonce;
      const body = Batch.encode(m).finish();
      return { body, mac: hmac(key, body).toString('hex') };
    };
    // Several genuine batches, each sent again and again on new connections (spread over the workers).
    const statuses: number[][] = [];
    for (let n = 1; n <= 6; n++) {
      const b = batch(1000 + n, n);
      const got = await Promise.all(Array.from({ length: 8 }, () =>
        post(port, '/ingest', b.body, 'application/x-protobuf', { 'x-qg-mac': b.mac }).then((r) => r.status)));
      statuses.push(got.sort());
    }
    for (const s of statuses) assert.deepEqual(s, [200, 401, 401, 401, 401, 401, 401, 401]);
    const store = await PostgresStore.open(url, { readonly: true });
    try {
      const seqs: number[] = [];
      for await (const r of store.query({ gateId: 'gate-1' })) seqs.push(r.seq);
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
    } finally {
      await store.close();
    }
  });

  it('a LoRaWAN device that said who it is once is known to every later delivery', async () => {
    const eui = '0004A30B001C0531';
    const frame = (recs: LogRecord[], defs?: (w: LoraFrameWriter) => void) => {
      const w = new LoraFrameWriter(222);
      if (defs) defs(w);
      for (const r of recs) assert.ok(w.addRecord(r));
      return JSON.stringify({ end_device_ids: { dev_eui: eui }, uplink_message: { f_port: LORA_PORT, frm_payload: Buffer.from(w.finish()).toString('base64') } });
    };
    const first = entry(0, T0);
    const r = await post(open!.port, '/lorawan', frame([first], (w) => { w.defineGateId('gate-lora'); w.defineKid(first.kid, 0); }), 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()).acked, [[0, 0]]);
    const later = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      post(open!.port, '/lorawan', frame([entry(i + 1, T0 + i + 1)]), 'application/json').then((x) => JSON.parse(x.body.toString()))));
    for (let i = 0; i < later.length; i++) {
      assert.equal(later[i].gateId, 'gate-lora');
      assert.deepEqual(later[i].acked, [[i + 1, i + 1]]);
    }
  });

  it('stops cleanly on SIGTERM, its workers with it', async () => {
    const kids = spawnSync('pgrep', ['-P', String(proc!.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
    proc!.kill('SIGTERM');
    const code = await new Promise((r) => proc!.on('exit', r));
    assert.equal(code, 0);
    for (const k of kids) assert.throws(() => process.kill(k, 0), /ESRCH/);
  });

  it('refuses --workers with a SQLite file (one writer)', () => {
    const r = spawnSync(process.execPath, [QRGATE, 'collector', 'serve', '--db', path.join(dir, 'c.db'), '--listen', '127.0.0.1:0', '--workers', '2'],
      { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--workers needs a PostgreSQL --db/);
  });
});
