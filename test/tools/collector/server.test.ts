// The collector (tools/collector/*, qrgate collector serve|query|trace): each (gate, seq) stored
// once however often it arrives, acks only after the write is durable, a collector killed in the
// middle of a batch, LoRaWAN uplinks, and the whole path from the gate's journal (with power cuts
// and a full flash) to the database.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import * as crypto from 'crypto';
import { spawn, ChildProcess, execFile } from 'child_process';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { startCollectorServer, CollectorServer } from '../../../tools/collector/server';
import { toRanges } from '../../../tools/collector/store';
import { Journal } from '../../../firmware/journal';
import { pseudonyms } from '../../../firmware/pseudonym';
import { FlashImage, PowerCutError } from '../../../sim/flash';
import { LogEntry, LogRecord, encodeBatch, encodeLogRecord, decodeAck } from '../../../proto/logrecord';
import { utf8Encode } from '../../../proto/bytes';
import { REPO } from '../../util/shared';

const QRGATE = path.join(REPO, 'bin', 'qrgate.js');
const SECRET = new Uint8Array(Buffer.from('8f3a0c1d2e4b5a69788796a5b4c3d2e1', 'hex'));
const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;

function tmpdir(): string { return fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-collector-')); }

/** An entry of person `who` (sub = "person-<who>") at time t. */
function scan(who: number, t: number, decision = 'open', reason = 'ok'): LogEntry {
  const p = pseudonyms(SECRET, utf8Encode('person-' + who), utf8Encode('cert-' + who));
  return { time: t, decision, reason, format: 'qg1', kid: utf8Encode('kidA'), subject: p.subject, cert: p.cert };
}
function rec(seq: number, e: LogEntry): LogRecord {
  return {
    seq, time: e.time, kind: e.kind || 'entry', decision: e.decision || 'open', reason: e.reason || 'ok',
    format: e.format || 'qg1', kid: e.kid || new Uint8Array(0), subject: e.subject || new Uint8Array(0),
    cert: e.cert || new Uint8Array(0), clockUntrusted: !!e.clockUntrusted, dropped: e.dropped || 0,
  };
}

function post(port: number, p: string, body: Uint8Array | string, type: string): Promise<{ status: number; body: Buffer; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: { 'content-type': type } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts), type: String(res.headers['content-type']) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(Buffer.from(body as any));
  });
}

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

describe('collector store (SQLite)', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => { dir = tmpdir(); store = new SqliteStore(path.join(dir, 'c.db')); });
  afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('stores each (gate, seq) once however often it arrives, and says what it holds', async () => {
    const recs = [0, 1, 2, 3].map((s) => rec(s, scan(s, T0 + s * 60)));
    let r = await store.put('g1', recs.slice(0, 3));
    assert.deepEqual([r.held, r.inserted, r.duplicates, r.conflicts], [[0, 1, 2], 3, 0, 0]);
    r = await store.put('g1', [recs[2], recs[3], recs[2]]);
    assert.deepEqual([r.held, r.inserted, r.duplicates, r.conflicts], [[2, 3], 1, 2, 0]);
    // the same seq from another gate is another record
    r = await store.put('g2', [recs[0]]);
    assert.equal(r.inserted, 1);
    // a different record under a held (gate, seq): the first copy stays, counted as a conflict
    r = await store.put('g1', [rec(1, scan(99, T0))]);
    assert.deepEqual([r.held, r.inserted, r.conflicts], [[1], 0, 1]);
    const all: any[] = [];
    for await (const x of store.query({})) all.push([x.gateId, x.seq, Buffer.from(x.subject).toString('hex')]);
    assert.deepEqual(all.map((x) => x.slice(0, 2)), [['g1', 0], ['g1', 1], ['g1', 2], ['g1', 3], ['g2', 0]]);
    assert.equal(all[1][2], Buffer.from(recs[1].subject).toString('hex'));
    const some: number[] = [];
    for await (const x of store.query({ gateId: 'g1', from: T0 + 60, to: T0 + 120 })) some.push(x.seq);
    assert.deepEqual(some, [1, 2]);
    assert.deepEqual(toRanges([5, 1, 2, 3, 9, 10, 3]), [{ first: 1, last: 3 }, { first: 5, last: 5 }, { first: 9, last: 10 }]);
  });

  it('traces a subject: its entries and the other subjects at the same gate within the window', async () => {
    await store.put('g1', [rec(0, scan(1, T0)), rec(1, scan(2, T0 + 10 * 60)), rec(2, scan(3, T0 + 31 * 60)),
      rec(3, scan(1, T0 + 40 * 60)), rec(4, scan(4, T0 + 41 * 60, 'deny', 'expired'))]);
    await store.put('g2', [rec(0, scan(5, T0 + 60)), rec(1, { time: T0, kind: 'dropped', dropped: 3 })]);
    const subject = pseudonyms(SECRET, utf8Encode('person-1'), null).subject;
    const hits = await store.trace(subject, 30 * 60);
    assert.deepEqual(hits.map((h) => [h.entry.seq, h.contacts.map((c) => c.seq)]), [[0, [1]], [3, [1, 2, 4]]]);
  });
});

describe('collector server (in process, 127.0.0.1)', () => {
  let dir: string;
  let store: SqliteStore;
  let srv: CollectorServer;
  beforeEach(async () => {
    dir = tmpdir();
    store = new SqliteStore(path.join(dir, 'c.db'));
    srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, maxBody: 4096 });
  });
  afterEach(async () => { await srv.close(); await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('ingests a device batch and answers with an Ack the device decodes; redelivery is stored once', async () => {
    const body = encodeBatch('gate-1', [0, 1, 2, 5].map((s) => encodeLogRecord(scan(s, T0 + s), s)));
    for (let i = 0; i < 3; i++) {
      const r = await post(srv.port, '/ingest', body, 'application/x-protobuf');
      assert.equal(r.status, 200);
      assert.equal(r.type, 'application/x-protobuf');
      assert.deepEqual(decodeAck(new Uint8Array(r.body)), { gateId: 'gate-1', ranges: [{ first: 0, last: 2 }, { first: 5, last: 5 }] });
    }
    const n = (store.db.prepare('SELECT count(*) AS n FROM entries').get() as any).n;
    assert.equal(n, 4);
  });

  it('refuses what it cannot take: wrong type, malformed, too large, no gate id, other paths', async () => {
    const ok = encodeBatch('g', [encodeLogRecord(scan(1, T0), 1)]);
    assert.equal((await post(srv.port, '/ingest', ok, 'application/json')).status, 415);
    assert.equal((await post(srv.port, '/ingest', new Uint8Array([0x12, 0x40, 1]), 'application/x-protobuf')).status, 400);
    assert.equal((await post(srv.port, '/ingest', encodeBatch('', [encodeLogRecord(scan(1, T0), 1)]), 'application/x-protobuf')).status, 400);
    const big = encodeBatch('g', Array.from({ length: 100 }, (_, s) => encodeLogRecord(scan(s, T0), s)));
    assert.ok(big.length > 4096);
    const r = await post(srv.port, '/ingest', big, 'application/x-protobuf');
    assert.equal(r.status, 413);
    assert.equal((await post(srv.port, '/other', ok, 'application/x-protobuf')).status, 404);
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM entries').get() as any).n, 0);
  });

  it('takes LoRaWAN uplinks from The Things Stack and ChirpStack HTTP integrations', async () => {
    const batch = (seqs: number[]) => Buffer.from(encodeBatch('', seqs.map((s) => encodeLogRecord(scan(s, T0 + s), s)))).toString('base64');
    const tts = { end_device_ids: { device_id: 'gate-a', dev_eui: '70B3D57ED0000001' }, uplink_message: { f_port: 1, frm_payload: batch([0, 1]) } };
    let r = await post(srv.port, '/lorawan', JSON.stringify(tts), 'application/json');
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body.toString());
    assert.equal(j.gateId, 'eui-70b3d57ed0000001');
    assert.deepEqual(j.acked, [[0, 1]]);
    assert.deepEqual(decodeAck(new Uint8Array(Buffer.from(j.downlink, 'base64'))), { gateId: '', ranges: [{ first: 0, last: 1 }] });
    const cs4 = { deviceInfo: { devEui: '70b3d57ed0000002' }, fPort: 1, data: batch([7]) };
    r = await post(srv.port, '/lorawan?event=up', JSON.stringify(cs4), 'application/json');
    assert.equal(JSON.parse(r.body.toString()).gateId, 'eui-70b3d57ed0000002');
    const cs3 = { devEUI: Buffer.from('70b3d57ed0000001', 'hex').toString('base64'), fPort: 1, data: batch([1, 2]) };
    r = await post(srv.port, '/lorawan', JSON.stringify(cs3), 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()).acked, [[1, 2]]);
    // other events and ports are acknowledged to the network server but not stored
    r = await post(srv.port, '/lorawan?event=join', JSON.stringify({ deviceInfo: { devEui: '70b3d57ed0000002' } }), 'application/json');
    assert.ok(JSON.parse(r.body.toString()).ignored);
    r = await post(srv.port, '/lorawan', JSON.stringify({ ...cs4, fPort: 9 }), 'application/json');
    assert.ok(JSON.parse(r.body.toString()).ignored);
    assert.equal((await post(srv.port, '/lorawan', '{"devEUI":"zz","fPort":1,"data":"AA=="}', 'application/json')).status, 400);
    const rows = store.db.prepare('SELECT gate_id, seq FROM entries ORDER BY gate_id, seq').all().map((x: any) => `${x.gate_id}/${x.seq}`);
    assert.deepEqual(rows, ['eui-70b3d57ed0000001/0', 'eui-70b3d57ed0000001/1', 'eui-70b3d57ed0000001/2', 'eui-70b3d57ed0000002/7']);
  });
});

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
