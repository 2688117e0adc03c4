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
// Each phase also prints the CPU time the collector (all its processes) and PostgreSQL (the
// server's processes, when it runs on this machine) spent per acknowledged batch, from /proc: what
// a core costs per batch whatever else runs on the machine.
//
// A "capacity" phase (database:capacity) pins the collector (and the private PostgreSQL) to core 0
// and this load generator to core 1 (taskset), then offers BENCH_CAPACITY_START batches/s (default
// 400), 25 % more each step of BENCH_STEP_SECONDS (default 8), until a step has p99 over 2 s, a
// failure or a deferral: the last step that passed is what one core sustains, and from it the
// cores a province at 10x its average rate needs.
//
// Environment: BENCH_SECONDS (per phase, default 20), BENCH_GATES (default 10000),
// BENCH_INTERVAL_MS (the gates' uplink interval, default 10000), BENCH_RECORDS (records per batch,
// default 2), BENCH_BULK_ROWS (the bulk insert's rows, default 50000), BENCH_CAPACITY_MAX (the
// capacity ramp's last offered rate, default none), BENCH_PHASES (default "sqlite:1,postgres:1,postgres:10,sqlite:capacity,postgres:capacity":
// database:load factor or database:capacity), BENCH_WORKERS (the PostgreSQL collector's --workers
// in the load phases, default 1: on this 2-core machine, shared with the load generator and the
// database, a second worker costs more than it gives; capacity phases run 1 on its one core),
// BENCH_PROFILE=DIR (the collector writes --cpu-prof profiles there), BENCH_QRGATE (another
// checkout's bin/qrgate.js, to compare collectors under the same generator), QRGATE_PG_URL (a PostgreSQL
// of your own; otherwise a private one is started).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { spawn, spawnSync, ChildProcess } from 'child_process';
import { Client } from 'pg';
import { encodeBatch, encodeLogRecord, LogRecord } from '../proto/logrecord';
import { SqliteStore } from './collector/sqlite';
import { PostgresStore } from './collector/postgres';
import { freshDatabase, pgSkipReason } from './collector/pglocal';
import { ROOT } from './root';

const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const GATES = Number(process.env.BENCH_GATES || 10000);
const INTERVAL = Number(process.env.BENCH_INTERVAL_MS || 10000);
const RECORDS = Number(process.env.BENCH_RECORDS || 2);
const PHASES = (process.env.BENCH_PHASES || 'sqlite:1,postgres:1,postgres:10,sqlite:capacity,postgres:capacity').split(',').map((p) => {
  const [db, f] = p.split(':');
  return { db, factor: f === 'capacity' ? 0 : Number(f || 1) };
});
const WORKERS = Number(process.env.BENCH_WORKERS || 1);
const CAPACITY_START = Number(process.env.BENCH_CAPACITY_START || 400);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS || 8);
/** A capacity phase stops here even when every step passed (the figure is then "at least"). */
const CAPACITY_MAX = Number(process.env.BENCH_CAPACITY_MAX || 1e9);
const BULK_ROWS = Number(process.env.BENCH_BULK_ROWS || 50000);
/** What the target asks of every acknowledgement. */
const P99_LIMIT_MS = 2000;
const T0 = Math.floor(Date.now() / 1000);

function record(seq: number, t: number): LogRecord {
  const sub = new Uint8Array(16);
  for (let i = 0; i < 16; i++) sub[i] = (seq * 31 + i * 7) & 255;
  return { seq, time: t, kind: 'entry', decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array([1, 2, 3, 4]),
    subject: sub, cert: sub.slice().reverse(), clockUntrusted: false, dropped: 0 };
}

function startCollector(db: string, workers: number, cpu: string | null): Promise<{ proc: ChildProcess; port: number }> {
  const bin = process.env.BENCH_QRGATE || path.join(ROOT, 'bin', 'qrgate.js');
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : [];
  const cmd = [process.execPath, ...prof, bin, 'collector', 'serve', '--db', db, '--listen', '127.0.0.1:0', '--quiet'];
  if (workers > 1) cmd.push('--workers', String(workers));
  const argv = cpu !== null ? ['taskset', '-c', cpu, ...cmd] : cmd;
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
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

// Gate seqs go on across the steps of a capacity phase (one collector, one database).
const seqs = new Uint32Array(GATES);

async function load(port: number, batchesPerSecond: number, seconds = SECONDS): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const lat: number[] = [];
  let sent = 0, acked = 0, deferred = 0, failed = 0, inFlight = 0, gate = 0;
  const MAX_IN_FLIGHT = 20000;
  const start = Date.now();
  const end = start + seconds * 1000;
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
  return { sent, acked, entries: acked * RECORDS, deferred, failed, p50: q(0.5), p99: q(0.99), seconds: (Date.now() - start) / 1000, offered: batchesPerSecond };
}

/** The database's own rate: one transaction of many rows, through the same store code. */
async function bulkRate(kind: string, db: string): Promise<number> {
  const n = BULK_ROWS;
  const recs: LogRecord[] = [];
  for (let i = 0; i < n; i++) recs.push(record(i, T0));
  const store = kind === 'sqlite' ? new SqliteStore(db) : await PostgresStore.open(db);
  const t = Date.now();
  await store.put('bulk-gate', recs);
  const rate = n / ((Date.now() - t) / 1000);
  await store.close();
  return rate;
}

// --- CPU time from /proc (Linux): a process tree's user + system time, its reaped children's too.

const TICK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout) || 100;
})();

/** `root` and every process descending from it, with their CPU ticks (empty when /proc cannot tell). */
function tree(root: number): Map<number, number> {
  const out = new Map<number, number>();
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  let names: string[];
  try { names = fs.readdirSync('/proc'); } catch (e) { return out; }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    let st: string;
    try { st = fs.readFileSync('/proc/' + n + '/stat', 'utf8'); } catch (e) { continue; }
    const f = st.slice(st.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    parent.set(Number(n), Number(f[1]));
    ticks.set(Number(n), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])); // utime stime cutime cstime
  }
  for (const [pid, t] of ticks) {
    let p: number | undefined = pid;
    for (let d = 0; p && d < 64; d++) { if (p === root) { out.set(pid, t); break; } p = parent.get(p); }
  }
  return out;
}

/** CPU seconds of `root` and its descendants (0 when /proc cannot tell). */
function treeCpu(root: number | null): number {
  if (!root) return 0;
  let sum = 0;
  for (const t of tree(root).values()) sum += t;
  return sum / TICK;
}

/** The PostgreSQL server's main process, when it runs on this machine (else null). */
async function postmasterPid(url: string): Promise<number | null> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query('SELECT pg_backend_pid() AS pid');
    const st = fs.readFileSync('/proc/' + r.rows[0].pid + '/stat', 'utf8');
    return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
  } catch (e) {
    return null;
  } finally {
    await c.end();
  }
}

/** Pins a process, its threads and its descendants (those it forks later inherit it). */
function pin(root: number, cpus: string): void {
  for (const pid of tree(root).keys()) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

interface Measured extends PhaseResult { collectorCpu: number; dbCpu: number; genCpu: number }

/** One load step, with the CPU seconds each side spent in it. */
async function measured(port: number, rate: number, seconds: number, collector: number, pg: number | null): Promise<Measured> {
  const c0 = treeCpu(collector), d0 = treeCpu(pg), g0 = process.cpuUsage();
  const r = await load(port, rate, seconds);
  const g = process.cpuUsage(g0);
  return { ...r, collectorCpu: treeCpu(collector) - c0, dbCpu: pg ? treeCpu(pg) - d0 : 0, genCpu: (g.user + g.system) / 1e6 };
}

function cpuText(r: Measured): string {
  const per = (x: number) => (r.acked ? (x / r.acked) * 1e6 : NaN).toFixed(0);
  return `CPU per batch: collector ${per(r.collectorCpu)} us` + (r.dbCpu ? `, database ${per(r.dbCpu)} us` : '') +
    `, load generator ${(r.genCpu / r.seconds * 100).toFixed(0)} % of a core`;
}

const passes = (r: PhaseResult) => r.failed === 0 && r.deferred === 0 && r.acked > 0 && r.p99 < P99_LIMIT_MS;

async function main(): Promise<void> {
  const avg = GATES / (INTERVAL / 1000);
  const cores = os.cpus().length;
  console.log(`collector load: ${GATES} gates, a batch of ${RECORDS} records every ${INTERVAL / 1000} s each ` +
    `(${avg} batches/s at 1x), ${SECONDS} s per phase, ${cores} cores; PostgreSQL collector --workers ${WORKERS}`);
  const rows: string[] = [];
  const canPin = cores >= 2 && spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
  for (const ph of PHASES) {
    let db: string;
    if (ph.db === 'postgres') {
      const why = pgSkipReason();
      if (why) { console.log(`postgres: skipped (${why})`); continue; }
      db = await freshDatabase();
    } else {
      db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-bench-')), 'c.db');
    }
    const capacity = ph.factor === 0;
    const pg = ph.db === 'postgres' ? await postmasterPid(db) : null;
    const bulkDb = ph.db === 'postgres' ? await freshDatabase() : db + '.bulk';
    const bulk = await bulkRate(ph.db, bulkDb);
    const pinned = capacity && canPin;
    if (capacity && !canPin) console.log(`${ph.db} capacity: not pinned (taskset or a second core missing): the figure shares the cores with the generator`);
    if (pinned) {
      spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' }); // not the children (the database)
      if (pg) pin(pg, '0'); // the server and the backends it has forked; new ones inherit it
    }
    const workers = ph.db === 'postgres' && !capacity ? WORKERS : 1;
    const c = await startCollector(db, workers, pinned ? '0' : null);
    try {
      if (!capacity) {
        const r = await measured(c.port, avg * ph.factor, SECONDS, c.proc.pid!, pg);
        const eps = r.entries / SECONDS;
        const line = `${ph.db} ${ph.factor}x: offered ${r.offered} batches/s, acked ${r.acked}/${r.sent} ` +
          `(${eps.toFixed(0)} entries/s), ack p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms, ` +
          `deferred(503) ${r.deferred}, failed ${r.failed}; bulk insert ${bulk.toFixed(0)} rows/s, ratio ${(eps / bulk).toFixed(3)}`;
        console.log(line);
        console.log(`  ${cpuText(r)}`);
        rows.push(`collector.${ph.db}.${ph.factor}x entries_per_s=${eps.toFixed(0)} p50_ms=${r.p50.toFixed(1)} p99_ms=${r.p99.toFixed(1)} ` +
          `failed=${r.failed} deferred=${r.deferred} bulk_rows_per_s=${bulk.toFixed(0)} ratio=${(eps / bulk).toFixed(3)} ` +
          `collector_cpu_us_per_batch=${(r.collectorCpu / Math.max(1, r.acked) * 1e6).toFixed(0)} db_cpu_us_per_batch=${(r.dbCpu / Math.max(1, r.acked) * 1e6).toFixed(0)}`);
      } else {
        // Ramp until a step fails; the last step that passed is the capacity.
        let rate = CAPACITY_START;
        let best: Measured | null = null;
        let bad: Measured | null = null;
        for (let step = 0; step < 30 && !bad && rate <= CAPACITY_MAX; step++) {
          const r = await measured(c.port, Math.round(rate), STEP_SECONDS, c.proc.pid!, pg);
          console.log(`  ${ph.db} capacity step: offered ${r.offered} batches/s, acked ${(r.acked / STEP_SECONDS).toFixed(0)}/s, ` +
            `p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms, deferred ${r.deferred}, failed ${r.failed}; ${cpuText(r)}`);
          if (passes(r)) { best = r; rate *= 1.25; } else bad = r;
          // let the queue empty before the next step (what a slow step left behind is not the next one's)
          await new Promise((res) => setTimeout(res, 1000));
        }
        const where = pinned ? 'one core (collector' + (pg ? ' and PostgreSQL' : '') + ' on core 0, generator on core 1)' : 'unpinned';
        if (!best) {
          console.log(`${ph.db} capacity: not even ${CAPACITY_START} batches/s at p99 < 2 s without failures, ${where}`);
          rows.push(`collector.${ph.db}.capacity batches_per_s=0`);
        } else {
          const bps = best.acked / STEP_SECONDS;
          const need = Math.ceil((avg * 10) / bps);
          // The CPU estimate: what a batch costs the collector and the database, at the rate that passed.
          const cpuPer = (best.collectorCpu + best.dbCpu) / best.acked;
          const cpuCores = (avg * 10 * cpuPer);
          console.log(`${ph.db} capacity, ${where}: ${bps.toFixed(0)} batches/s = ${(bps * RECORDS).toFixed(0)} entries/s at ` +
            `p99 ${best.p99.toFixed(0)} ms, no failure or deferral (${bad ? `the next step, ${bad.offered} batches/s, did not hold` : `at least: BENCH_CAPACITY_MAX reached`}); ` +
            `10x (${avg * 10} batches/s) needs ${need} such cores; by CPU time per batch ` +
            `(${(cpuPer * 1e6).toFixed(0)} us) ${cpuCores.toFixed(1)} cores busy`);
          rows.push(`collector.${ph.db}.capacity batches_per_s=${bps.toFixed(0)} entries_per_s=${(bps * RECORDS).toFixed(0)} ` +
            `p99_ms=${best.p99.toFixed(0)} pinned=${pinned ? 1 : 0} cores_for_10x=${need} cpu_us_per_batch=${(cpuPer * 1e6).toFixed(0)}`);
        }
      }
    } finally {
      c.proc.kill('SIGTERM');
      await new Promise((r) => c.proc.on('exit', r));
      if (ph.db === 'sqlite') fs.rmSync(path.dirname(db), { recursive: true, force: true });
      if (pinned) {
        const all = `0-${cores - 1}`;
        spawnSync('taskset', ['-a', '-p', '-c', all, String(process.pid)], { stdio: 'ignore' });
        if (pg) pin(pg, all);
      }
    }
  }
  for (const r of rows) console.log(r);
  process.exit(0);
}

main().catch((e) => { console.error('bench-collector: ' + (e && e.stack || e)); process.exit(1); });
