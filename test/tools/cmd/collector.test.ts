// qrgate collector (tools/cmd/collector.ts), end to end on 127.0.0.1: the gate's journal to a
// collector killed mid-batch, with power cuts and a full flash (every record once or counted);
// query and trace from the command line.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import * as crypto from 'crypto';
import { spawn, ChildProcess, execFile } from 'child_process';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { Journal } from '../../../firmware/journal';
import { pseudonyms } from '../../../firmware/pseudonym';
import { FlashImage, PowerCutError } from '../../../sim/flash';
import { LogEntry, encodeBatch, encodeLogRecord, decodeAck } from '../../../proto/logrecord';
import { utf8Encode } from '../../../proto/bytes';
import { REPO } from '../../util/shared';
import { SECRET, T0, tmpdir, scan, post } from '../../util/collector';

const QRGATE = path.join(REPO, 'bin', 'qrgate.js');

/** Runs `qrgate ARGS` to completion. */
function qrgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QRGATE, ...args], { cwd: REPO }, (err: any, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** Starts `qrgate collector serve` on 127.0.0.1 and waits for its listening line. */
function serveCli(db: string, env: NodeJS.ProcessEnv = {}): Promise<{ proc: ChildProcess; port: number; exited: Promise<number | string> }> {
  const proc = spawn(process.execPath, [QRGATE, 'collector', 'serve', '--db', db, '--listen', '127.0.0.1:0'],
    { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, sig) => resolve(code === null ? String(sig) : code)));
  return new Promise((resolve, reject) => {
    let buf = '', err = '';
    proc.stderr!.on('data', (c) => { err += c; });
    proc.stdout!.on('data', (c) => {
      buf += c;
      const line = buf.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ proc, port: JSON.parse(line).port, exited });
    });
    proc.on('exit', () => reject(new Error('collector exited before listening: ' + err)));
  });
}

describe('qrgate collector (end to end, 127.0.0.1)', function () {
  this.timeout(60000);
  let dir: string;
  const procs: ChildProcess[] = [];
  beforeEach(() => { dir = tmpdir(); });
  afterEach(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    procs.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gate journal -> collector killed mid-batch, power cuts, full flash -> every record once or counted', async () => {
    const db = path.join(dir, 'c.db');
    const img = new FlashImage({ size: 32 * 1024, pageSize: 2048 });
    const opts = { storage: img.storage(), gateId: 'gate-e2e', segments: 3, segmentSize: 1024 };
    const boot = () => { const j = new Journal(opts); j.open(); return j; };
    let j = boot();
    const made = new Map<number, LogEntry>();
    let who = 0;
    const add = (n: number) => { for (let i = 0; i < n; i++) { const e = scan(who, T0 + who * 30); who++; made.set(j.append(e), e); } };
    add(25);
    // a power cut in the middle of a record write: the torn record is lost, nothing else
    img.armTear(20);
    assert.throws(() => add(1), PowerCutError);
    img.repower();
    j = boot();
    assert.equal(j.stats().nextSeq, 25);

    // The collector dies after storing 5 rows of a 12-record batch (inside its transaction).
    let c = await serveCli(db, { QRGATE_COLLECTOR_CRASH_AFTER: '5' });
    procs.push(c.proc);
    let b = j.batch(12)!;
    await assert.rejects(post(c.port, '/ingest', b.body, 'application/x-protobuf'));
    assert.equal(await c.exited, 'SIGKILL');
    // the rows of the interrupted transaction are not in the database
    const look = new SqliteStore(db);
    assert.equal((look.db.prepare('SELECT count(*) AS n FROM entries').get() as any).n, 0);
    await look.close();
    // restarted, the same batch is redelivered and acknowledged
    c = await serveCli(db);
    procs.push(c.proc);
    const deliver = async () => {
      const bb = j.batch(12);
      if (!bb) return false;
      const r = await post(c.port, '/ingest', bb.body, 'application/x-protobuf');
      assert.equal(r.status, 200);
      const ack = decodeAck(new Uint8Array(r.body));
      assert.equal(ack.gateId, 'gate-e2e');
      j.ack(ack.ranges);
      return true;
    };
    await deliver();
    assert.equal(j.stats().pending, 13);
    // a lost acknowledgement: delivered twice
    b = j.batch(5)!;
    assert.equal((await post(c.port, '/ingest', b.body, 'application/x-protobuf')).status, 200);
    // the network is away while the gate keeps scanning: the flash fills up and drops the oldest
    add(200);
    assert.ok(j.stats().dropped > 0, 'records were dropped');
    j = boot();
    while (await deliver()) { /* until nothing is pending */ }
    const st = j.stats();
    assert.equal(st.pending, 0);

    c.proc.kill('SIGTERM');
    assert.equal(await c.exited, 0);
    const q = await qrgate(['collector', 'query', '--db', db, '--gate', 'gate-e2e']);
    assert.equal(q.code, 0, q.stderr);
    const lines = q.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const seqs = lines.map((l) => l.seq);
    assert.equal(new Set(seqs).size, seqs.length, 'each record once');
    const maxDropped = Math.max(0, ...lines.filter((l) => l.kind === 'dropped').map((l) => l.dropped));
    assert.equal(maxDropped, st.dropped);
    // Nothing is lost uncounted. The 5 records whose ack was lost reached the collector, but the
    // gate may have dropped them (unacknowledged) when its flash filled: then they are both held
    // and counted, and only they.
    const missing = st.nextSeq - seqs.filter((s) => s < st.nextSeq).length;
    assert.ok(missing <= maxDropped, `${missing} missing, ${maxDropped} counted`);
    const excess = lines.length + maxDropped - st.nextSeq;
    assert.ok(excess >= 0 && excess <= 5, `${lines.length} held + ${maxDropped} dropped vs ${st.nextSeq}`);
    for (const l of lines) {
      if (l.kind === 'dropped') {
        assert.deepEqual([l.decision, l.reason, l.subject], ['', '', '']);
        continue;
      }
      const e = made.get(l.seq)!;
      assert.deepEqual([l.time, l.decision, l.reason, l.kid, l.subject, l.cert, l.format],
        [new Date(e.time * 1000).toISOString().replace('.000Z', 'Z'), 'open', 'ok', 'kidA',
          Buffer.from(e.subject!).toString('hex'), Buffer.from(e.cert!).toString('hex'), 'qg1']);
    }
  });

  it('query and trace from the command line', async () => {
    const db = path.join(dir, 'c.db');
    const c = await serveCli(db);
    procs.push(c.proc);
    const entries = [scan(1, T0), scan(2, T0 + 5 * 60), scan(3, T0 + 50 * 60), scan(1, T0 + 60 * 60, 'deny', 'expired')];
    const r = await post(c.port, '/ingest', encodeBatch('gate-q', entries.map((e, s) => encodeLogRecord(e, s))), 'application/x-protobuf');
    assert.equal(r.status, 200);
    c.proc.kill('SIGTERM');
    await c.exited;
    const q = await qrgate(['collector', 'query', '--db', db, '--from', '2021-09-27T08:04:00Z', '--to', String(T0 + 50 * 60)]);
    assert.equal(q.code, 0, q.stderr);
    const p2 = pseudonyms(SECRET, utf8Encode('person-2'), utf8Encode('cert-2'));
    assert.deepEqual(q.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
      { gateId: 'gate-q', seq: 1, time: '2021-09-27T08:05:00Z', decision: 'open', reason: 'ok', kid: 'kidA',
        subject: Buffer.from(p2.subject).toString('hex'), cert: Buffer.from(p2.cert).toString('hex'), format: 'qg1',
        clockUntrusted: false, kind: 'entry' },
      { gateId: 'gate-q', seq: 2, time: '2021-09-27T08:50:00Z', decision: 'open', reason: 'ok', kid: 'kidA',
        subject: Buffer.from(scan(3, 0).subject!).toString('hex'), cert: Buffer.from(scan(3, 0).cert!).toString('hex'),
        format: 'qg1', clockUntrusted: false, kind: 'entry' },
    ]);
    // the pseudonym on the host (node:crypto) is the device's
    const sub1 = Buffer.from('person-1').toString('hex');
    assert.equal(crypto.createHmac('sha256', Buffer.from(SECRET)).update('person-1').digest().subarray(0, 16).toString('hex'),
      Buffer.from(scan(1, 0).subject!).toString('hex'));
    const t = await qrgate(['collector', 'trace', '--db', db, '--site-secret', Buffer.from(SECRET).toString('hex'), '--sub', sub1, '--window-min', '15']);
    assert.equal(t.code, 0, t.stderr);
    const hits = t.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(hits.map((h) => [h.seq, h.decision, h.contacts.map((x: any) => x.seq)]), [[0, 'open', [1]], [3, 'deny', [2]]]);
    assert.equal(hits[0].contacts[0].subject, Buffer.from(p2.subject).toString('hex'));
    const t2 = await qrgate(['collector', 'trace', '--db', db, '--site-secret', Buffer.from(SECRET).toString('hex'), '--sub-text', 'person-1']);
    assert.deepEqual(t2.stdout.trim().split('\n').map((l) => JSON.parse(l).contacts.map((x: any) => x.seq)), [[1], [2]]);
    // errors: one line, exit 2
    const bad = await qrgate(['collector', 'query', '--db', path.join(dir, 'missing.db')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^qrgate collector: cannot read database .*no such file\n$/);
    assert.equal((await qrgate(['collector', 'serve', '--db', db, '--listen', 'nowhere'])).code, 2);
    assert.equal((await qrgate(['collector', 'trace', '--db', db, '--site-secret', 'zz', '--sub', '00'])).code, 2);
  });
});
