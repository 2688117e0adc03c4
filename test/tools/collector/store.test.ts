// One suite for every collector store (tools/collector/store.ts): SQLite and a real PostgreSQL
// (test/util/postgres.ts starts one on a private port). Exactly-once, conflicts, queries by gate
// and time across pages, tracing, group commit, retention; and `qrgate collector` on both.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { execFile } from 'child_process';
import { Client } from 'pg';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { PostgresStore } from '../../../tools/collector/postgres';
import { CollectorStore } from '../../../tools/collector/store';
import { startCollectorServer } from '../../../tools/collector/server';
import { pseudonyms } from '../../../firmware/pseudonym';
import { LogRecord, encodeBatch, encodeLogRecord } from '../../../proto/logrecord';
import { utf8Encode } from '../../../proto/bytes';
import { freshDatabase, pgSkipReason } from '../../util/postgres';
import { REPO } from '../../util/shared';

const QRGATE = path.join(REPO, 'bin', 'qrgate.js');
const SECRET = new Uint8Array(Buffer.from('8f3a0c1d2e4b5a69788796a5b4c3d2e1', 'hex'));
const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;
const DAY = 86400;

function rec(seq: number, who: number, t: number, decision = 'open', reason = 'ok'): LogRecord {
  const p = pseudonyms(SECRET, utf8Encode('person-' + who), utf8Encode('cert-' + who));
  return { seq, time: t, kind: 'entry', decision, reason, format: 'qg1', kid: utf8Encode('kidA'),
    subject: p.subject, cert: p.cert, clockUntrusted: false, dropped: 0 };
}

interface Backend {
  name: string;
  skip(): string | null;
  open(opts?: { retainDays?: number; now?: number }): Promise<CollectorStore>;
  /** The --db argument for the CLI. */
  db(): string;
}

function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'SQLite',
    skip: () => null,
    async open(opts = {}) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-store-'));
      return new SqliteStore(path.join(dir, 'c.db'), { retainDays: opts.retainDays, now: opts.now !== undefined ? () => opts.now as number : undefined });
    },
    db: () => path.join(dir, 'c.db'),
  };
}

function postgresBackend(): Backend {
  let url = '';
  return {
    name: 'PostgreSQL',
    skip: pgSkipReason,
    async open(opts = {}) {
      url = await freshDatabase();
      return PostgresStore.open(url, { retainDays: opts.retainDays, today: opts.now !== undefined ? () => Math.floor((opts.now as number) / DAY) : undefined });
    },
    db: () => url,
  };
}

async function all(store: CollectorStore, f: any = {}): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for await (const x of store.query(f)) out.push([x.gateId, x.seq]);
  return out;
}

function qrgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QRGATE, ...args], { cwd: REPO }, (err: any, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`collector store: ${backend.name}`, function () {
    this.timeout(120000);
    let store: CollectorStore | null = null;
    before(function () {
      const why = backend.skip();
      if (why) { console.log(`      skipped: ${why}`); this.skip(); }
    });
    afterEach(async () => { if (store) await store.close(); store = null; });

    it('stores each record once however often it arrives; a different copy is a conflict', async () => {
      store = await backend.open();
      const recs = [0, 1, 2, 3].map((s) => rec(s, s, T0 + s * 60));
      let r = await store.put('g1', recs.slice(0, 3));
      assert.deepEqual([r.held, r.inserted, r.duplicates, r.conflicts], [[0, 1, 2], 3, 0, 0]);
      r = await store.put('g1', [recs[2], recs[3], recs[2]]);
      assert.deepEqual([r.held, r.inserted, r.duplicates, r.conflicts], [[2, 3], 1, 2, 0]);
      r = await store.put('g2', [recs[0]]);
      assert.equal(r.inserted, 1);
      // Same gate, seq and day, other contents: the first copy stays.
      r = await store.put('g1', [{ ...rec(1, 99, T0 + 60), decision: 'deny', reason: 'expired' }]);
      assert.deepEqual([r.held, r.inserted, r.conflicts], [[1], 0, 1]);
      assert.deepEqual(await all(store), [['g1', 0], ['g1', 1], ['g1', 2], ['g1', 3], ['g2', 0]]);
      const kept: string[] = [];
      for await (const x of store.query({ gateId: 'g1' })) kept.push(x.decision);
      assert.deepEqual(kept, ['open', 'open', 'open', 'open']);
    });

    it('door alarms (issue 14): stored with their name, counted per gate; another alarm under the same seq is a conflict', async () => {
      store = await backend.open();
      const alarm = (seq: number, a: string): LogRecord => ({ ...rec(seq, 0, T0 + seq), kind: 'alarm', decision: 'open', reason: 'ok',
        kid: new Uint8Array(0), subject: new Uint8Array(0), cert: new Uint8Array(0), alarm: a });
      await store.put('g1', [rec(0, 1, T0), alarm(1, 'forced'), alarm(2, 'cleared'), alarm(3, 'held')]);
      const got: string[] = [];
      for await (const x of store.query({ gateId: 'g1' })) got.push(x.kind + ':' + (x.alarm || ''));
      assert.deepEqual(got, ['entry:', 'alarm:forced', 'alarm:cleared', 'alarm:held']);
      const g = (await store.gates())[0];
      assert.equal(g.alarms, 2, 'forced and held; a clearing is no alarm');
      assert.equal(g.entries, 1);
      const r = await store.put('g1', [alarm(1, 'held')]);
      assert.equal(r.conflicts, 1);
    });

    it('true conflicts are kept once each, listed with the stored copy, counted per gate; qrgate collector conflicts lists them', async () => {
      store = await backend.open();
      const first = rec(1, 1, T0 + 60);
      const other = { ...rec(1, 99, T0 + 60), decision: 'deny', reason: 'expired' };
      const third = { ...rec(1, 98, T0 + 60), occupancy: 7 };
      await store.put('g1', [rec(0, 0, T0), first]);
      await store.put('g2', [first]);
      assert.equal((await store.put('g1', [other])).conflicts, 1);
      // The same conflicting copy again, in one group with a second distinct one: each kept once.
      const rs = await Promise.all([store.put('g1', [other]), store.put('g1', [third, other])]);
      assert.deepEqual(rs.map((r) => r.conflicts), [1, 2]);
      // Another epoch is another record, not a conflict.
      assert.equal((await store.put('g1', [{ ...other, epoch: 5 }])).inserted, 1);
      const kept = await store.conflicts!();
      assert.deepEqual(kept.map((k) => [k.gateId, k.seq, k.epoch, k.decision, k.occupancy]).sort(),
        [['g1', 1, 0, 'deny', 0], ['g1', 1, 0, 'open', 7]]);
      for (const k of kept) {
        assert.ok(k.stored, 'the stored copy comes along');
        assert.deepEqual([k.stored!.decision, Buffer.from(k.stored!.subject).toString('hex')], ['open', Buffer.from(first.subject).toString('hex')]);
        assert.equal(k.receivedAt > 0 && k.stored!.receivedAt > 0, true);
      }
      assert.deepEqual((await store.gates()).map((g) => [g.gateId, g.conflicts]), [['g1', 2], ['g2', 0]]);
      await store.close();
      store = null;
      const c = await qrgate(['collector', 'conflicts', '--db', backend.db()]);
      assert.equal(c.code, 0, c.stderr);
      const lines = c.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines.map((l) => [l.gateId, l.seq, l.decision, l.stored.decision]).sort(),
        [['g1', 1, 'deny', 'open'], ['g1', 1, 'open', 'open']]);
      assert.match(c.stderr, /2 conflicting record/);
    });

    it('gate state: trust version, backlog and clock as the batches say, stored with them', async () => {
      store = await backend.open();
      const now = Math.floor(Date.now() / 1000);
      const byId = async () => { const o: any = {}; for (const g of await store!.gates()) o[g.gateId] = g; return o; };
      // An unauthenticated gate: its latest record says whether its clock was trusted.
      await store.put('g1', [rec(0, 1, T0), { ...rec(1, 2, 500), clockUntrusted: true }], { trustVersion: 3, backlog: 40 });
      // An authenticated gate whose clock counts from power-on (1,000 s ago), with no record: it still appears.
      await store.put('g2', [], { epoch: 9, time: 1000, trustVersion: 0, backlog: 0 });
      // A store without the batch's other fields (qrgate collector import): no state.
      await store.put('g3', [rec(0, 1, T0)]);
      let g = await byId();
      assert.deepEqual([g.g1.trustVersion, g.g1.backlog, g.g1.clock], [3, 40, 'unsure']);
      assert.ok(Math.abs(g.g1.unsureSince - now) < 60, `unsure since the batch that said so: ${g.g1.unsureSince}`);
      assert.deepEqual([g.g2.trustVersion, g.g2.backlog, g.g2.clock, g.g2.records], [0, 0, 'unsure', 0]);
      assert.ok(Math.abs(g.g2.unsureSince - (now - 1000)) < 60, `unsure since power-on: ${g.g2.unsureSince}`);
      assert.ok(g.g2.lastContact >= now - 60);
      assert.deepEqual([g.g3.trustVersion, g.g3.backlog, g.g3.clock, g.g3.unsureSince], [null, null, 'unknown', null]);
      // Later batches: still unsure keeps the first moment; batches in one commit apply in order.
      await store.put('g1', [{ ...rec(2, 3, 600), clockUntrusted: true }], { backlog: 39 });
      const since = (await byId()).g1.unsureSince;
      assert.equal(since, g.g1.unsureSince);
      await Promise.all([store.put('g1', [rec(3, 3, T0 + 60)], { trustVersion: 4, backlog: 10 }),
        store.put('g1', [rec(4, 3, T0 + 120)], { trustVersion: 4, backlog: 5 }),
        store.put('g2', [], { epoch: 9, time: T0 + 9000, trustVersion: 4, backlog: 0 })]);
      g = await byId();
      assert.deepEqual([g.g1.trustVersion, g.g1.backlog, g.g1.clock, g.g1.unsureSince], [4, 5, 'set', null]);
      assert.deepEqual([g.g2.trustVersion, g.g2.clock, g.g2.unsureSince], [4, 'set', null]);
      assert.deepEqual(g.g1.records, 5);
    });

    it('queries by gate and by time, inclusive, across pages and days, with unset clocks', async () => {
      store = await backend.open();
      // 4,500 records over three days (more than two pages), and two from a clock never set.
      const recs: LogRecord[] = [];
      for (let s = 0; s < 4500; s++) recs.push(rec(s, s % 50, T0 + s * 60));
      for (let i = 0; i < recs.length; i += 500) await store.put('g1', recs.slice(i, i + 500));
      await store.put('g0', [{ ...rec(0, 1, 5), clockUntrusted: true }, { ...rec(1, 2, 9), clockUntrusted: true }]);
      const every = await all(store);
      assert.equal(every.length, 4502);
      assert.deepEqual(every.slice(0, 3), [['g0', 0], ['g0', 1], ['g1', 0]]);
      assert.deepEqual(every[every.length - 1], ['g1', 4499]);
      const from = T0 + 1000 * 60, to = T0 + 3999 * 60;
      const some = await all(store, { gateId: 'g1', from, to });
      assert.equal(some.length, 3000);
      assert.deepEqual([some[0][1], some[2999][1]], [1000, 3999]);
      assert.deepEqual(await all(store, { to: 100 }), [['g0', 0], ['g0', 1]]);
      assert.deepEqual(await all(store, { gateId: 'nobody' }), []);
    });

    it('traces a subject: its entries and the other subjects at the same gate within the window', async () => {
      store = await backend.open();
      await store.put('g1', [rec(0, 1, T0), rec(1, 2, T0 + 10 * 60), rec(2, 3, T0 + 31 * 60),
        rec(3, 1, T0 + 40 * 60), rec(4, 4, T0 + 41 * 60, 'deny', 'expired')]);
      await store.put('g2', [rec(0, 5, T0 + 60), { ...rec(1, 0, T0), kind: 'dropped', dropped: 3, subject: new Uint8Array(0), cert: new Uint8Array(0), kid: new Uint8Array(0), decision: '', reason: '', format: '' } as any]);
      // Around midnight: the window reaches into the previous day's partition.
      const midnight = Math.ceil(T0 / DAY) * DAY;
      await store.put('g3', [rec(0, 6, midnight - 5 * 60), rec(1, 1, midnight + 5 * 60)]);
      const subject = pseudonyms(SECRET, utf8Encode('person-1'), null).subject;
      const hits = await store.trace(subject, 30 * 60);
      assert.deepEqual(hits.map((h) => [h.entry.gateId, h.entry.seq, h.contacts.map((c) => c.seq)]),
        [['g1', 0, [1]], ['g1', 3, [1, 2, 4]], ['g3', 1, [0]]]);
    });

    it('group commit: batches that arrive together share one transaction, each answered for itself', async () => {
      store = await backend.open();
      const s = store as any;
      const before = s.commits;
      const puts: Promise<any>[] = [];
      for (let g = 0; g < 60; g++) puts.push(store.put('gate-' + g, [rec(0, g, T0 + g), rec(1, g + 100, T0 + g + 1)]));
      puts.push(store.put('gate-0', [rec(0, 0, T0)])); // the same record twice in one group
      const res = await Promise.all(puts);
      for (let g = 0; g < 60; g++) assert.deepEqual([res[g].held, res[g].inserted], [[0, 1], 2]);
      assert.deepEqual([res[60].held, res[60].inserted, res[60].duplicates], [[0], 0, 1]);
      const commits = s.commits - before;
      assert.ok(commits >= 1 && commits <= 3, `61 batches took ${commits} commits`);
      assert.equal((await all(store)).length, 120);
    });

    it('retention: records older than the kept days go, newer ones stay', async () => {
      const now = T0 + 10 * DAY;
      store = await backend.open({ retainDays: 3, now });
      const recs: LogRecord[] = [];
      for (let d = 0; d <= 10; d++) recs.push(rec(d, d, T0 + d * DAY));
      await store.put('g1', recs);
      // Pruning runs with the writer; a new day makes it run again.
      await (store as any).prune(true);
      await store.put('g1', [rec(11, 11, now)]);
      const left = (await all(store)).map((x) => x[1]);
      assert.deepEqual(left, [7, 8, 9, 10, 11]);
    });

    it('qrgate collector serve, query and trace on this database', async () => {
      store = await backend.open();
      await store.close();
      store = null;
      const db = backend.db();
      const { spawn } = await import('child_process');
      const proc = spawn(process.execPath, [QRGATE, 'collector', 'serve', '--db', db, '--listen', '127.0.0.1:0', '--quiet'],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const port: number = await new Promise((resolve, reject) => {
          let buf = '', err = '';
          proc.stderr!.on('data', (c) => { err += c; });
          proc.stdout!.on('data', (c) => {
            buf += c;
            const line = buf.split('\n').find((l) => l.includes('"listening"'));
            if (line) resolve(JSON.parse(line).port);
          });
          proc.on('exit', () => reject(new Error('collector exited: ' + err)));
        });
        const body = encodeBatch('gate-x', [rec(0, 1, T0), rec(1, 2, T0 + 60)].map((r) => encodeLogRecord(r, r.seq)));
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path: '/ingest', method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
          req.on('error', reject);
          req.end(Buffer.from(body));
        });
        assert.equal(status, 200);
      } finally {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.on('exit', r));
      }
      const q = await qrgate(['collector', 'query', '--db', db, '--gate', 'gate-x']);
      assert.equal(q.code, 0, q.stderr);
      assert.deepEqual(q.stdout.trim().split('\n').map((l) => JSON.parse(l).seq), [0, 1]);
      const t = await qrgate(['collector', 'trace', '--db', db, '--site-secret', Buffer.from(SECRET).toString('hex'), '--sub-text', 'person-1']);
      assert.equal(t.code, 0, t.stderr);
      const hits = t.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(hits.map((h) => [h.seq, h.contacts.map((c: any) => c.seq)]), [[0, [1]]]);
    });
  });
}

describe('collector store: PostgreSQL layout', function () {
  this.timeout(120000);
  before(function () {
    const why = pgSkipReason();
    if (why) { console.log(`      skipped: ${why}`); this.skip(); }
  });

  it('one partition per day, unset clocks in the default partition, old partitions dropped', async () => {
    const url = await freshDatabase();
    let today = Math.floor(T0 / DAY) + 2;
    const store = await PostgresStore.open(url, { retainDays: 2, today: () => today });
    try {
      await store.put('g1', [rec(0, 1, T0), rec(1, 2, T0 + DAY), rec(2, 3, T0 + 2 * DAY), { ...rec(3, 4, 7), clockUntrusted: true }]);
      const c = new Client({ connectionString: url });
      await c.connect();
      const parts = async () => (await c.query(
        `SELECT c.relname AS n, (SELECT count(*) FROM entries e WHERE e.tableoid = c.oid) AS rows
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
          WHERE p.relname = 'entries' ORDER BY c.relname`)).rows.map((r: any) => `${r.n}:${r.rows}`);
      try {
        assert.deepEqual(await parts(), ['entries_d20210927:1', 'entries_d20210928:1', 'entries_d20210929:1', 'entries_default:1']);
        today += 1; // two days kept: the 27th goes; the unset-clock row counts from when it was received (now)
        await store.prune();
        assert.deepEqual(await parts(), ['entries_d20210928:1', 'entries_d20210929:1', 'entries_default:1']);
      } finally {
        await c.end();
      }
    } finally {
      await store.close();
    }
  });

  it('answers 503 with Retry-After when too many batches wait for a commit, and stores nothing then', async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    const srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, maxPending: 1, retryAfter: 7 });
    try {
      const send = () => new Promise<{ status: number; retry: string | undefined }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/ingest', method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, retry: res.headers['retry-after'] as string }));
        });
        req.on('error', reject);
        req.end(Buffer.from(encodeBatch('g', [encodeLogRecord(rec(0, 1, T0), 0)])));
      });
      // Hold the writer: a batch queued behind a lock that the test owns.
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query('BEGIN');
      await c.query('LOCK TABLE entries IN ACCESS EXCLUSIVE MODE');
      const first = store.put('g', [rec(5, 1, T0)]);
      await new Promise((r) => setTimeout(r, 200));
      const second = store.put('g', [rec(6, 1, T0)]); // waits for the next commit
      const r = await send();
      assert.deepEqual(r, { status: 503, retry: '7' });
      await c.query('ROLLBACK');
      await c.end();
      await Promise.all([first, second]);
      assert.equal((await send()).status, 200);
    } finally {
      await srv.close();
      await store.close();
    }
  });
});
