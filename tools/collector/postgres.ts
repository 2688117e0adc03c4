// The collector's store for a province: PostgreSQL (node-postgres), selected by
// `--db postgres://...`. Same contract as every store (tools/collector/store.ts).
//
// Layout: one table `entries`, partitioned by the record's day (UTC, from the record's own time),
// one partition per day made on first use, plus a default partition for records whose time is
// before 2020 (a gate whose clock was never set). The key is (gate_id, epoch, day, seq): a record
// delivered again carries the same time, so it lands in the same partition and is held once
// there. Retention drops whole partitions (`retainDays`).
//
// Group commit: put() queues its batch; one writer takes everything queued and stores it in one
// transaction (one WAL flush), then answers every put() of the group. Batches that arrive while a
// commit is in flight share the next one. put() resolves only after COMMIT, and PostgreSQL's
// default synchronous_commit=on makes COMMIT durable.
import { Pool, PoolClient } from 'pg';
import { HOURLY_COLUMNS, hourRow } from './store';
import { LogRecord } from '../../proto/logrecord';
import { BatchInfo, CollectorStore, ConflictRecord, GateState, GateSummary, HourCount, PutResult, QueryFilter, StoredRecord, TraceHit, gateState, sameRecord } from './store';
import { gateRow, stateRow } from './sqlite';

// 2: records named (gate_id, epoch, day, seq) (log.proto Batch.epoch); schema 1 is migrated.
const SCHEMA_VERSION = '2';
const DAY = 86400;
/** Records dated before this go to the default partition (a clock that was never set). */
const FIRST_DAY = Date.UTC(2020, 0, 1) / 1000 / DAY;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS qrgate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  gate_id TEXT NOT NULL,
  epoch BIGINT NOT NULL DEFAULT 0,
  day INTEGER NOT NULL,
  seq BIGINT NOT NULL,
  time BIGINT NOT NULL,
  kind TEXT NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  format TEXT NOT NULL,
  kid BYTEA NOT NULL,
  subject BYTEA NOT NULL,
  cert BYTEA NOT NULL,
  clock_untrusted BOOLEAN NOT NULL,
  dropped INTEGER NOT NULL,
  unlogged INTEGER NOT NULL DEFAULT 0,
  received_at BIGINT NOT NULL,
  alarm TEXT NOT NULL DEFAULT '',
  occupancy INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (gate_id, epoch, day, seq)
) PARTITION BY RANGE (day);
CREATE TABLE IF NOT EXISTS entries_default PARTITION OF entries DEFAULT;
-- A true conflict (same gate, epoch, day and seq as a stored record, other contents) is kept
-- here, once, for a person to see (qrgate collector conflicts, the web page).
CREATE TABLE IF NOT EXISTS conflicts (
  gate_id TEXT NOT NULL, epoch BIGINT NOT NULL, day INTEGER NOT NULL, seq BIGINT NOT NULL, time BIGINT NOT NULL,
  kind TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL, format TEXT NOT NULL,
  kid BYTEA NOT NULL, subject BYTEA NOT NULL, cert BYTEA NOT NULL, clock_untrusted BOOLEAN NOT NULL,
  dropped INTEGER NOT NULL, unlogged INTEGER NOT NULL, received_at BIGINT NOT NULL,
  alarm TEXT NOT NULL DEFAULT '', occupancy INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS conflicts_key ON conflicts (gate_id, epoch, day, seq);
-- Each gate's latest state as its batches say it (store.ts gateState).
CREATE TABLE IF NOT EXISTS gate_state (
  gate_id TEXT PRIMARY KEY, last_contact BIGINT NOT NULL, trust_version BIGINT, backlog BIGINT,
  clock TEXT NOT NULL DEFAULT 'unknown', unsure_since BIGINT
);
CREATE INDEX IF NOT EXISTS entries_subject ON entries (subject);
CREATE INDEX IF NOT EXISTS entries_gate_time ON entries (gate_id, time);
CREATE INDEX IF NOT EXISTS entries_time ON entries (time);
`;

export interface PostgresStoreOptions {
  /** Keep this many days (by the record's day); older partitions are dropped. 0: keep all. */
  retainDays?: number;
  /** Connections for readers (query, trace); the writer has its own. */
  poolSize?: number;
  /** For tests: today's day number (seconds since 1970 / 86400). */
  today?: () => number;
}

interface Pending {
  gateId: string;
  records: LogRecord[];
  info?: BatchInfo;
  resolve: (r: PutResult) => void;
  reject: (e: any) => void;
}

function rowToRecord(r: any): StoredRecord {
  return {
    gateId: r.gate_id, epoch: Number(r.epoch || 0), seq: Number(r.seq), time: Number(r.time), kind: r.kind, decision: r.decision,
    reason: r.reason, format: r.format, kid: new Uint8Array(r.kid), subject: new Uint8Array(r.subject),
    cert: new Uint8Array(r.cert), clockUntrusted: !!r.clock_untrusted, dropped: r.dropped,
    unlogged: r.unlogged || 0, receivedAt: Number(r.received_at), occupancy: r.occupancy || 0,
    ...(r.alarm ? { alarm: r.alarm } : {}),
  };
}

/** A row read back through to_jsonb: bytea columns come as '\\x...' text. */
function jsonRow(j: any): any {
  const o: any = { ...j };
  for (const k of ['kid', 'subject', 'cert']) o[k] = Buffer.from(String(j[k]).replace(/^\\x/, ''), 'hex');
  return o;
}

/** The partition day of a record time (seconds since 1970). */
export function dayOf(time: number): number {
  return Math.floor(time / DAY);
}

function partitionName(day: number): string {
  return 'entries_d' + new Date(day * DAY * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** WHERE terms and their arguments for a filter; the day bounds let the planner skip partitions. */
function filterSql(filter: QueryFilter): { where: string[]; args: any[] } {
  const where: string[] = [];
  const args: any[] = [];
  const add = (term: string, v: any) => { args.push(v); where.push(term.replace('?', '$' + args.length)); };
  if (filter.gateId !== undefined) add('gate_id = ?', filter.gateId);
  if (filter.from !== undefined) { add('time >= ?', filter.from); add('day >= ?', dayOf(filter.from)); }
  if (filter.to !== undefined) { add('time <= ?', filter.to); add('day <= ?', dayOf(filter.to)); }
  return { where, args };
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export class PostgresStore implements CollectorStore {
  private pool: Pool;
  private writer: PoolClient | null = null;
  private queue: Pending[] = [];
  private writing = false;
  private days = new Set<number>();
  private closed = false;
  private retainDays: number;
  private today: () => number;
  private lastPrune = -1;
  /** Transactions committed by the writer (each holds one group of batches). */
  commits = 0;

  private constructor(url: string, opts: PostgresStoreOptions) {
    this.pool = new Pool({ connectionString: url, max: (opts.poolSize || 4) + 1 });
    // An idle client that loses its server is reported here, not thrown at the process.
    this.pool.on('error', () => undefined);
    this.retainDays = opts.retainDays || 0;
    this.today = opts.today || (() => dayOf(Date.now() / 1000));
  }

  /** Connects, creates the schema when missing (unless readonly) and checks its version. */
  static async open(url: string, opts: PostgresStoreOptions & { readonly?: boolean } = {}): Promise<PostgresStore> {
    const s = new PostgresStore(url, opts);
    try {
      const c = await s.pool.connect();
      try {
        if (!opts.readonly) {
          // Two collectors starting at once must not both create the schema.
          await c.query('SELECT pg_advisory_lock(7140213)');
          try {
            await c.query(SCHEMA);
            // Added later (log.proto LogRecord.alarm, issue 14): older databases get the column.
            await c.query("ALTER TABLE entries ADD COLUMN IF NOT EXISTS alarm TEXT NOT NULL DEFAULT ''");
            // LogRecord.occupancy (issue 14), for databases made before it
            await c.query('ALTER TABLE entries ADD COLUMN IF NOT EXISTS occupancy INTEGER NOT NULL DEFAULT 0');
            const v = await c.query('SELECT value FROM qrgate_meta WHERE key = $1', ['schema']);
            if (!v.rows.length) await c.query('INSERT INTO qrgate_meta (key, value) VALUES ($1, $2)', ['schema', SCHEMA_VERSION]);
            else if (v.rows[0].value === '1') {
              // Schema 1: records named (gate_id, day, seq); they become epoch 0.
              await c.query('BEGIN');
              await c.query('ALTER TABLE entries ADD COLUMN IF NOT EXISTS epoch BIGINT NOT NULL DEFAULT 0');
              await c.query('ALTER TABLE entries DROP CONSTRAINT IF EXISTS entries_pkey');
              await c.query('ALTER TABLE entries ADD PRIMARY KEY (gate_id, epoch, day, seq)');
              await c.query('UPDATE qrgate_meta SET value = $1 WHERE key = $2', [SCHEMA_VERSION, 'schema']);
              await c.query('COMMIT');
            } else if (v.rows[0].value !== SCHEMA_VERSION) throw new Error(`database schema ${v.rows[0].value}, this collector knows ${SCHEMA_VERSION}`);
          } finally {
            await c.query('SELECT pg_advisory_unlock(7140213)');
          }
        } else {
          const t = await c.query("SELECT to_regclass('entries') AS t");
          if (!t.rows[0].t) throw new Error('not a collector database (no entries table)');
        }
      } finally {
        c.release();
      }
      if (!opts.readonly) await s.prune();
    } catch (e) {
      await s.pool.end().catch(() => undefined);
      throw e;
    }
    return s;
  }

  /** Batches queued for the next commit (for back-pressure). */
  pending(): number {
    return this.queue.length;
  }

  put(gateId: string, records: LogRecord[], info?: BatchInfo): Promise<PutResult> {
    if (this.closed) return Promise.reject(new Error('store closed'));
    return new Promise<PutResult>((resolve, reject) => {
      this.queue.push({ gateId, records, info, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const group = this.queue.splice(0, this.queue.length);
      try {
        const results = await this.commitGroup(group);
        group.forEach((p, i) => p.resolve(results[i]));
      } catch (e) {
        // The writer connection may be broken: drop it so the next group gets a fresh one.
        if (this.writer) { this.writer.release(true); this.writer = null; }
        group.forEach((p) => p.reject(e));
      }
    }
    this.writing = false;
  }

  private async ensurePartitions(c: PoolClient, days: number[]): Promise<void> {
    for (const d of days) {
      if (d < FIRST_DAY || this.days.has(d)) continue;
      const name = partitionName(d);
      // Rows of that day may already sit in the default partition (they cannot: only days before
      // FIRST_DAY go there, and those never get a partition of their own).
      await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF entries FOR VALUES FROM (${d}) TO (${d + 1})`)
        .catch((e: any) => { if (e.code !== '42P07' && e.code !== '23505') throw e; }); // created by another collector meanwhile
      this.days.add(d);
    }
  }

  private async commitGroup(group: Pending[]): Promise<PutResult[]> {
    if (!this.writer) this.writer = await this.pool.connect();
    const c = this.writer;
    const now = Math.floor(Date.now() / 1000);
    const rows: LogRecord[] = [];
    const gates: string[] = [];
    const dayList = new Set<number>();
    for (const p of group) for (const r of p.records) { rows.push(r); gates.push(p.gateId); dayList.add(dayOf(r.time)); }
    await this.ensurePartitions(c, Array.from(dayList));
    await this.prune();
    const key = (g: string, e: number, d: number, s: number) => g + '\u0000' + e + '\u0000' + d + '\u0000' + s;
    const inserted = new Set<string>();
    const stored = new Map<string, StoredRecord>();
    let results: PutResult[];
    await c.query('BEGIN');
    try {
      if (rows.length) {
        const ins = await c.query(
          `INSERT INTO entries (gate_id, day, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, unlogged, epoch, alarm, occupancy)
           SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                                $9::bytea[], $10::bytea[], $11::bytea[], $12::boolean[], $13::int[], $14::bigint[], $15::int[], $16::bigint[], $17::text[], $18::int[])
           ON CONFLICT DO NOTHING RETURNING gate_id, epoch, day, seq`,
          [gates, rows.map((r) => dayOf(r.time)), rows.map((r) => r.seq), rows.map((r) => r.time), rows.map((r) => r.kind),
            rows.map((r) => r.decision), rows.map((r) => r.reason), rows.map((r) => r.format),
            rows.map((r) => Buffer.from(r.kid)), rows.map((r) => Buffer.from(r.subject)), rows.map((r) => Buffer.from(r.cert)),
            rows.map((r) => !!r.clockUntrusted), rows.map((r) => r.dropped), rows.map(() => now), rows.map((r) => r.unlogged || 0),
            rows.map((r) => r.epoch || 0), rows.map((r) => r.alarm || ''), rows.map((r) => r.occupancy || 0)]);
        for (const r of ins.rows) inserted.add(key(r.gate_id, Number(r.epoch), r.day, Number(r.seq)));
        // What the others collide with: read back to tell duplicates from conflicts.
        const others = rows.map((r, i) => ({ g: gates[i], e: r.epoch || 0, d: dayOf(r.time), s: r.seq }))
          .filter((x) => !inserted.has(key(x.g, x.e, x.d, x.s)));
        if (others.length) {
          const sel = await c.query(
            `SELECT e.* FROM entries e JOIN unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[]) AS k(g, d, s, ep)
               ON e.gate_id = k.g AND e.day = k.d AND e.seq = k.s AND e.epoch = k.ep`,
            [others.map((x) => x.g), others.map((x) => x.d), others.map((x) => x.s), others.map((x) => x.e)]);
          for (const r of sel.rows) stored.set(key(r.gate_id, Number(r.epoch), r.day, Number(r.seq)), rowToRecord(r));
        }
      }
      const firstUse = new Set<string>();
      const clashes: { gateId: string; r: LogRecord; k: string }[] = [];
      results = group.map((p) => {
        const res: PutResult = { held: [], inserted: 0, duplicates: 0, conflicts: 0 };
        for (const r of p.records) {
          const k = key(p.gateId, r.epoch || 0, dayOf(r.time), r.seq);
          if (inserted.has(k) && !firstUse.has(k)) { firstUse.add(k); res.inserted++; stored.set(k, { ...r, gateId: p.gateId, receivedAt: now }); }
          else if (sameRecord(stored.get(k) as StoredRecord, r)) res.duplicates++;
          else { res.conflicts++; clashes.push({ gateId: p.gateId, r, k }); }
          res.held.push(r.seq);
        }
        res.held = Array.from(new Set(res.held)).sort((a, b) => a - b);
        return res;
      });
      if (clashes.length) await this.keepConflicts(c, clashes, now);
      const withInfo = group.filter((p) => p.info);
      if (withInfo.length) await this.saveStates(c, withInfo, now);
      await c.query('COMMIT');
      this.commits++;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return results;
  }

  /** Keeps each conflicting copy once (in the writer's open transaction). */
  private async keepConflicts(c: PoolClient, clashes: { gateId: string; r: LogRecord; k: string }[], now: number): Promise<void> {
    const sel = await c.query(
      `SELECT x.* FROM conflicts x JOIN unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[]) AS k(g, d, s, ep)
         ON x.gate_id = k.g AND x.day = k.d AND x.seq = k.s AND x.epoch = k.ep`,
      [clashes.map((x) => x.gateId), clashes.map((x) => dayOf(x.r.time)), clashes.map((x) => x.r.seq), clashes.map((x) => x.r.epoch || 0)]);
    const kept = new Map<string, LogRecord[]>();
    for (const row of sel.rows) {
      const k = row.gate_id + '\u0000' + Number(row.epoch) + '\u0000' + row.day + '\u0000' + Number(row.seq);
      (kept.get(k) || kept.set(k, []).get(k)!).push(rowToRecord(row));
    }
    const fresh: { gateId: string; r: LogRecord }[] = [];
    for (const x of clashes) {
      const have = kept.get(x.k) || kept.set(x.k, []).get(x.k)!;
      if (have.some((h) => sameRecord(h, x.r))) continue;
      have.push(x.r);
      fresh.push(x);
    }
    if (!fresh.length) return;
    const rows = fresh.map((x) => x.r);
    await c.query(
      `INSERT INTO conflicts (gate_id, day, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, unlogged, epoch, alarm, occupancy)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::bytea[], $10::bytea[], $11::bytea[], $12::boolean[], $13::int[], $14::bigint[], $15::int[], $16::bigint[], $17::text[], $18::int[])`,
      [fresh.map((x) => x.gateId), rows.map((r) => dayOf(r.time)), rows.map((r) => r.seq), rows.map((r) => r.time), rows.map((r) => r.kind),
        rows.map((r) => r.decision), rows.map((r) => r.reason), rows.map((r) => r.format),
        rows.map((r) => Buffer.from(r.kid)), rows.map((r) => Buffer.from(r.subject)), rows.map((r) => Buffer.from(r.cert)),
        rows.map((r) => !!r.clockUntrusted), rows.map((r) => r.dropped), rows.map(() => now), rows.map((r) => r.unlogged || 0),
        rows.map((r) => r.epoch || 0), rows.map((r) => r.alarm || ''), rows.map((r) => r.occupancy || 0)]);
  }

  /** Each gate's state after the group's batches, in their order (in the writer's open transaction). */
  private async saveStates(c: PoolClient, group: Pending[], now: number): Promise<void> {
    const ids = Array.from(new Set(group.map((p) => p.gateId)));
    const states = new Map<string, GateState | null>();
    for (const r of (await c.query('SELECT * FROM gate_state WHERE gate_id = ANY($1::text[])', [ids])).rows) states.set(r.gate_id, stateRow(r));
    for (const p of group) states.set(p.gateId, gateState(states.get(p.gateId) || null, p.records, p.info as BatchInfo, now));
    const st = ids.map((g) => states.get(g) as GateState);
    await c.query(
      `INSERT INTO gate_state (gate_id, last_contact, trust_version, backlog, clock, unsure_since)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[])
       ON CONFLICT (gate_id) DO UPDATE SET last_contact = excluded.last_contact, trust_version = excluded.trust_version,
         backlog = excluded.backlog, clock = excluded.clock, unsure_since = excluded.unsure_since`,
      [ids, st.map((x) => x.lastContact), st.map((x) => x.trustVersion), st.map((x) => x.backlog), st.map((x) => x.clock), st.map((x) => x.unsureSince)]);
  }

  /**
   * Drops the day partitions older than the retention (at most once a day unless `all`), and the
   * rows of clocks never set (the default partition) received before the cut-off.
   */
  async prune(all = false): Promise<number> {
    if (!this.retainDays) return 0;
    const today = this.today();
    if (today === this.lastPrune && !all) return 0;
    this.lastPrune = today;
    const cutoff = today - this.retainDays; // days < cutoff go
    const c = await this.pool.connect();
    let dropped = 0;
    try {
      const parts = await c.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'entries' AND c.relname LIKE 'entries_d%'`);
      for (const r of parts.rows) {
        const m = /^entries_d(\d{4})(\d{2})(\d{2})$/.exec(r.relname);
        if (!m) continue;
        const d = Date.UTC(+m[1], +m[2] - 1, +m[3]) / 1000 / DAY;
        if (d < cutoff) {
          await c.query(`DROP TABLE IF EXISTS ${r.relname}`);
          this.days.delete(d);
          dropped++;
        }
      }
      await c.query('DELETE FROM entries_default WHERE received_at < $1', [cutoff * DAY]);
      // Conflicting copies go with the days they belong to.
      await c.query('DELETE FROM conflicts WHERE (day >= $1 AND day < $2) OR (day < $1 AND received_at < $3)', [FIRST_DAY, cutoff, cutoff * DAY]);
    } finally {
      c.release();
    }
    return dropped;
  }

  async *query(filter: QueryFilter): AsyncIterable<StoredRecord> {
    // Keyset pages, each its own short statement: a long export never holds one snapshot open.
    const { where, args } = filterSql(filter);
    let last: { g: string; e: number; s: number; d: number } | null = null;
    const PAGE = 2000;
    for (;;) {
      const a = args.slice();
      const w = where.slice();
      if (last) {
        a.push(last.g, last.e, last.s, last.d);
        w.push(`(gate_id, epoch, seq, day) > ($${a.length - 3}, $${a.length - 2}, $${a.length - 1}, $${a.length})`);
      }
      const sql = `SELECT * FROM entries ${w.length ? 'WHERE ' + w.join(' AND ') : ''} ORDER BY gate_id, epoch, seq, day LIMIT ${PAGE}`;
      const res = await this.pool.query(sql, a);
      for (const row of res.rows) yield rowToRecord(row);
      if (res.rows.length < PAGE) return;
      const l = res.rows[res.rows.length - 1];
      last = { g: l.gate_id, e: Number(l.epoch), s: Number(l.seq), d: l.day };
    }
  }

  async trace(subject: Uint8Array, windowSeconds: number): Promise<TraceHit[]> {
    const own = await this.pool.query(
      "SELECT * FROM entries WHERE subject = $1 AND kind = 'entry' ORDER BY time, gate_id, seq", [Buffer.from(subject)]);
    const hits: TraceHit[] = [];
    for (const row of own.rows) {
      const t = Number(row.time);
      const near = await this.pool.query(
        `SELECT * FROM entries WHERE gate_id = $1 AND time >= $2 AND time <= $3 AND day >= $4 AND day <= $5
           AND kind = 'entry' AND subject <> $6 AND length(subject) > 0 ORDER BY time, seq`,
        [row.gate_id, t - windowSeconds, t + windowSeconds, dayOf(t - windowSeconds), dayOf(t + windowSeconds), row.subject]);
      hits.push({ entry: rowToRecord(row), contacts: near.rows.map(rowToRecord) });
    }
    return hits;
  }

  async gates(): Promise<GateSummary[]> {
    return (await this.pool.query(`WITH e AS (SELECT gate_id, max(received_at) AS last_contact, count(*) AS records,
         sum(CASE WHEN kind = 'entry' THEN 1 ELSE 0 END) AS entries, max(time) AS last_time,
         sum(CASE WHEN clock_untrusted THEN 1 ELSE 0 END) AS untrusted, max(dropped) AS dropped, sum(unlogged) AS unlogged,
         sum(CASE WHEN kind = 'alarm' AND alarm IN ('forced', 'held') THEN 1 ELSE 0 END) AS alarms
    FROM entries GROUP BY gate_id),
  c AS (SELECT gate_id, count(*) AS n FROM conflicts GROUP BY gate_id),
  ids AS (SELECT gate_id FROM e UNION SELECT gate_id FROM gate_state)
  SELECT ids.gate_id, greatest(coalesce(e.last_contact, 0), coalesce(s.last_contact, 0)) AS last_contact, coalesce(e.records, 0) AS records,
    coalesce(e.entries, 0) AS entries, coalesce(e.last_time, 0) AS last_time, coalesce(e.untrusted, 0) AS untrusted,
    coalesce(e.dropped, 0) AS dropped, e.unlogged, e.alarms, s.trust_version, s.backlog, s.clock, s.unsure_since, c.n AS conflicts
  FROM ids LEFT JOIN e ON e.gate_id = ids.gate_id LEFT JOIN gate_state s ON s.gate_id = ids.gate_id LEFT JOIN c ON c.gate_id = ids.gate_id
  ORDER BY ids.gate_id`)).rows.map(gateRow);
  }

  /** The conflicting copies kept (same gate, epoch, day and seq as a stored record, other contents), each with that record. */
  async conflicts(): Promise<ConflictRecord[]> {
    const t = await this.pool.query("SELECT to_regclass('conflicts') AS t");
    if (!t.rows[0].t) return [];
    const res = await this.pool.query(
      `SELECT to_jsonb(x) AS kept, to_jsonb(e) AS stored FROM conflicts x
         LEFT JOIN entries e ON e.gate_id = x.gate_id AND e.epoch = x.epoch AND e.day = x.day AND e.seq = x.seq
        ORDER BY x.gate_id, x.epoch, x.seq, x.day, x.received_at`);
    return res.rows.map((r: any) => ({ ...rowToRecord(jsonRow(r.kept)), stored: r.stored ? rowToRecord(jsonRow(r.stored)) : null }));
  }

  async hourly(filter: QueryFilter): Promise<HourCount[]> {
    const { where, args } = filterSql(filter);
    where.unshift("kind IN ('entry', 'exit')");
    const res = await this.pool.query(
      `SELECT gate_id, (time / 3600) * 3600 AS hour, ${HOURLY_COLUMNS}
         FROM entries WHERE ${where.join(' AND ')} GROUP BY gate_id, hour ORDER BY gate_id, hour`, args);
    return res.rows.map(hourRow);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
    if (this.writer) { this.writer.release(); this.writer = null; }
    await this.pool.end();
  }
}
