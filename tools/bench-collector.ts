// `make bench-collector`: the collector under a province's load, over loopback.
//
// Simulated gates post entry-log batches the way the firmware does (drivers/uplink-wifi.ts: one
// HTTP POST of a protobuf Batch per uplink interval, a new connection each time, a few records per
// batch), at a fixed arrival rate (open loop: a slow collector does not slow the gates down). The
// collector is `qrgate collector serve` in its own process, as in the field. For each database it
// prints entries/s acknowledged, acknowledgement latency p50/p99, failures (no answer or a status
// other than 200/503) and deferrals (503: the gate keeps its records and retries), and the
// database's own bulk-insert rate measured in the same run (one transaction of many rows), with
// the ratio of the two.
//
// Environment: BENCH_SECONDS (per phase, default 20), BENCH_GATES (default 10000),
// BENCH_INTERVAL_MS (the gates' uplink interval, default 10000), BENCH_RECORDS (records per batch,
// default 2), BENCH_PHASES (default "sqlite:1,postgres:1,postgres:10,sqlite:10": database:load
// factor), QRGATE_PG_URL (a PostgreSQL of your own; otherwise a private one is started).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { spawn, ChildProcess } from 'child_process';
import { encodeBatch, encodeLogRecord, LogRecord } from '../proto/logrecord';
import { SqliteStore } from './collector/sqlite';
import { PostgresStore } from './collector/postgres';
import { freshDatabase, pgSkipReason } from './collector/pglocal';
import { ROOT } from './root';

const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const GATES = Number(process.env.BENCH_GATES || 10000);
const INTERVAL = Number(process.env.BENCH_INTERVAL_MS || 10000);
const RECORDS = Number(process.env.BENCH_RECORDS || 2);
const PHASES = (process.env.BENCH_PHASES || 'sqlite:1,postgres:1,postgres:10,sqlite:10').split(',').map((p) => {
  const [db, f] = p.split(':');
  return { db, factor: Number(f || 1) };
});
const T0 = Math.floor(Date.now() / 1000);

function record(seq: number, t: number): LogRecord {
  const sub = new Uint8Array(16);
  for (let i = 0; i < 16; i++) sub[i] = (seq * 31 + i * 7) & 255;
  return { seq, time: t, kind: 'entry', decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array([1, 2, 3, 4]),
    subject: sub, cert: sub.slice().reverse(), clockUntrusted: false, dropped: 0 };
}

function startCollector(db: string): Promise<{ proc: ChildProcess; port: number }> {
  const bin = path.join(ROOT, 'bin', 'qrgate.js');
  const proc = spawn(process.execPath, [bin, 'collector', 'serve', '--db', db, '--listen', '127.0.0.1:0', '--quiet'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buf = '', err = '';
    proc.stderr!.on('data', (c) => { err += c; });
    proc.stdout!.on('data', (c) => {
      buf += c;
      const line = buf.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ proc, port: JSON.parse(line).port });
    });
    proc.on('exit', () => reject(new Error('collector exited: ' + err)));
  });
}

interface PhaseResult {
  sent: number; acked: number; entries: number; deferred: number; failed: number;
  p50: number; p99: number; seconds: number; offered: number;
}

async function load(port: number, batchesPerSecond: number): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const seqs = new Uint32Array(GATES);
  const lat: number[] = [];
  let sent = 0, acked = 0, deferred = 0, failed = 0, inFlight = 0, gate = 0;
  const MAX_IN_FLIGHT = 20000;
  const start = Date.now();
  const end = start + SECONDS * 1000;
  const one = () => {
    const g = gate++ % GATES;
    const first = seqs[g];
    seqs[g] += RECORDS;
    const recs: Uint8Array[] = [];
    for (let i = 0; i < RECORDS; i++) recs.push(encodeLogRecord(record(first + i, T0), first + i));
    const body = Buffer.from(encodeBatch('bench-gate-' + g, recs));
    const t = process.hrtime.bigint();
    sent++;
    inFlight++;
    const req = http.request({ host: '127.0.0.1', port, path: '/ingest', method: 'POST', agent,
      headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        if (res.statusCode === 200) { acked++; lat.push(Number(process.hrtime.bigint() - t) / 1e6); }
        else if (res.statusCode === 503) deferred++;
        else failed++;
      });
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', () => { inFlight--; failed++; });
    req.end(body);
  };
  await new Promise<void>((resolve) => {
    let due = 0;
    const tick = () => {
      const now = Date.now();
      if (now >= end) { resolve(); return; }
      const should = Math.floor(((now - start) / 1000) * batchesPerSecond);
      while (due < should) {
        if (inFlight >= MAX_IN_FLIGHT) { failed += should - due; due = should; break; } // a gate that cannot even connect
        one();
        due++;
      }
      setTimeout(tick, 2);
    };
    tick();
  });
  // Let the answers to what was sent come in (bounded).
  const drainEnd = Date.now() + 30000;
  while (inFlight > 0 && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 20));
  failed += inFlight;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
  const seconds = (Date.now() - start) / 1000;
  return { sent, acked, entries: acked * RECORDS, deferred, failed, p50: q(0.5), p99: q(0.99), seconds, offered: batchesPerSecond };
}

/** The database's own rate: one transaction of many rows, through the same store code. */
async function bulkRate(kind: string, db: string): Promise<number> {
  const n = 50000;
  const recs: LogRecord[] = [];
  for (let i = 0; i < n; i++) recs.push(record(i, T0));
  const store = kind === 'sqlite' ? new SqliteStore(db) : await PostgresStore.open(db);
  const t = Date.now();
  await store.put('bulk-gate', recs);
  const rate = n / ((Date.now() - t) / 1000);
  await store.close();
  return rate;
}

async function main(): Promise<void> {
  const avg = GATES / (INTERVAL / 1000);
  console.log(`collector load: ${GATES} gates, a batch of ${RECORDS} records every ${INTERVAL / 1000} s each ` +
    `(${avg} batches/s at 1x), ${SECONDS} s per phase, ${os.cpus().length} cores`);
  const rows: string[] = [];
  for (const ph of PHASES) {
    let db: string;
    if (ph.db === 'postgres') {
      const why = pgSkipReason();
      if (why) { console.log(`postgres: skipped (${why})`); continue; }
      db = await freshDatabase();
    } else {
      db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-bench-')), 'c.db');
    }
    const bulkDb = ph.db === 'postgres' ? await freshDatabase() : db + '.bulk';
    const bulk = await bulkRate(ph.db, bulkDb);
    const c = await startCollector(db);
    try {
      const r = await load(c.port, avg * ph.factor);
      const eps = r.entries / SECONDS;
      const line = `${ph.db} ${ph.factor}x: offered ${r.offered} batches/s, acked ${r.acked}/${r.sent} ` +
        `(${eps.toFixed(0)} entries/s), ack p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms, ` +
        `deferred(503) ${r.deferred}, failed ${r.failed}; bulk insert ${bulk.toFixed(0)} rows/s, ratio ${(eps / bulk).toFixed(3)}`;
      console.log(line);
      rows.push(`collector.${ph.db}.${ph.factor}x entries_per_s=${eps.toFixed(0)} p50_ms=${r.p50.toFixed(1)} p99_ms=${r.p99.toFixed(1)} ` +
        `failed=${r.failed} deferred=${r.deferred} bulk_rows_per_s=${bulk.toFixed(0)} ratio=${(eps / bulk).toFixed(3)}`);
    } finally {
      c.proc.kill('SIGTERM');
      await new Promise((r) => c.proc.on('exit', r));
    }
  }
  for (const r of rows) console.log(r);
  process.exit(0);
}

main().catch((e) => { console.error('bench-collector: ' + (e && e.stack || e)); process.exit(1); });
