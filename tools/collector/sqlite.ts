// The collector's default store: one SQLite file (better-sqlite3), WAL with synchronous=FULL so
// that a committed transaction is on disk before put() resolves (and so before any ack is sent).
//
// Group commit: put() queues its batch and a writer, run on the next turn of the event loop (under
// load: after about one commit's time), stores everything queued in one transaction (one fsync). better-sqlite3 is synchronous, so while
// a commit runs, requests pile up in the sockets and are parsed together afterwards: they share
// the next commit. Retention (`retainDays`) deletes old rows in small steps; the WAL is kept
// bounded (journal_size_limit, SQLite's autocheckpoint) and `query` reads in keyset pages,
// each its own short read transaction, so a long export never pins the WAL.
import Database from 'better-sqlite3';
import { HOURLY_COLUMNS, hourRow } from './store';
import { LogRecord } from '../../proto/logrecord';
import { BatchInfo, CollectorStore, ConflictRecord, GateState, GateSummary, HourCount, PutResult, QueryFilter, StoredRecord, TraceHit, gateState, sameRecord } from './store';

// 2: records are named (gate_id, epoch, seq) (proto/log.proto Batch.epoch), and a copy that
// conflicts with a stored record is kept in `conflicts` for a person to see (schema 1 databases
// are migrated when a collector opens them for writing).
const SCHEMA_VERSION = '2';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  gate_id TEXT NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  format TEXT NOT NULL,
  kid BLOB NOT NULL,
  subject BLOB NOT NULL,
  cert BLOB NOT NULL,
  clock_untrusted INTEGER NOT NULL,
  dropped INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  unlogged INTEGER NOT NULL DEFAULT 0,
  alarm TEXT NOT NULL DEFAULT '',
  occupancy INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (gate_id, epoch, seq)
);
CREATE TABLE IF NOT EXISTS conflicts (
  gate_id TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL,
  kind TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL, format TEXT NOT NULL,
  kid BLOB NOT NULL, subject BLOB NOT NULL, cert BLOB NOT NULL, clock_untrusted INTEGER NOT NULL,
  dropped INTEGER NOT NULL, unlogged INTEGER NOT NULL, received_at INTEGER NOT NULL,
  alarm TEXT NOT NULL DEFAULT '', occupancy INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS gate_state (
  gate_id TEXT PRIMARY KEY, last_contact INTEGER NOT NULL, trust_version INTEGER, backlog INTEGER,
  clock TEXT NOT NULL DEFAULT 'unknown', unsure_since INTEGER
);
CREATE INDEX IF NOT EXISTS entries_subject ON entries (subject);
CREATE INDEX IF NOT EXISTS entries_gate_time ON entries (gate_id, time);
CREATE INDEX IF NOT EXISTS entries_time ON entries (time);
`;

export interface SqliteStoreOptions {
  /** Open an existing database only (query, trace): a missing file is an error. */
  mustExist?: boolean;
  readonly?: boolean;
  /**
   * Fault injection for tests (QRGATE_COLLECTOR_CRASH_AFTER): the process kills itself with
   * SIGKILL after this many row inserts, in the middle of a batch's transaction.
   */
  crashAfterInserts?: number;
  /** Keep this many days of records (by the record's time); older ones are deleted. 0: keep all. */
  retainDays?: number;
  /** For tests: the time now, seconds since 1970. */
  now?: () => number;
}

interface Pending {
  gateId: string;
  records: LogRecord[];
  info?: BatchInfo;
  resolve: (r: PutResult) => void;
  reject: (e: any) => void;
}

const DAY = 86400;
/** A record dated before this comes from a gate whose clock was never set (2020-01-01). */
const CLOCK_SET = Date.UTC(2020, 0, 1) / 1000;
/** Rows deleted per retention step (one short transaction each). */
const PRUNE_STEP = 5000;

export function gateRow(r: any): GateSummary {
  return {
    gateId: r.gate_id, lastContact: Number(r.last_contact), records: Number(r.records), entries: Number(r.entries),
    lastRecordTime: Number(r.last_time), clockUntrusted: Number(r.untrusted), dropped: Number(r.dropped),
    unlogged: Number(r.unlogged || 0), alarms: Number(r.alarms || 0),
    trustVersion: r.trust_version === null || r.trust_version === undefined ? null : Number(r.trust_version),
    backlog: r.backlog === null || r.backlog === undefined ? null : Number(r.backlog),
    clock: r.clock || 'unknown', unsureSince: r.unsure_since === null || r.unsure_since === undefined ? null : Number(r.unsure_since),
    conflicts: Number(r.conflicts || 0),
  };
}

/** A gate_state row as a GateState (null: no row). */
export function stateRow(r: any): GateState | null {
  if (!r) return null;
  return {
    lastContact: Number(r.last_contact), trustVersion: r.trust_version === null ? null : Number(r.trust_version),
    backlog: r.backlog === null ? null : Number(r.backlog), clock: r.clock,
    unsureSince: r.unsure_since === null ? null : Number(r.unsure_since),
  };
}

function filterSql(filter: QueryFilter): { where: string[]; args: any[] } {
  const where: string[] = [];
  const args: any[] = [];
  if (filter.gateId !== undefined) { where.push('gate_id = ?'); args.push(filter.gateId); }
  if (filter.from !== undefined) { where.push('time >= ?'); args.push(filter.from); }
  if (filter.to !== undefined) { where.push('time <= ?'); args.push(filter.to); }
  return { where, args };
}

/** Schema 1 (records named (gate_id, seq)) to 2: the same rows, in epoch 0. */
function migrate1(db: Database.Database): void {
  db.transaction(() => {
    db.exec('ALTER TABLE entries RENAME TO entries_v1');
    db.exec('DROP INDEX IF EXISTS entries_subject; DROP INDEX IF EXISTS entries_gate_time; DROP INDEX IF EXISTS entries_time');
    db.exec(SCHEMA);
    const cols = (db.prepare('PRAGMA table_info(entries_v1)').all() as any[]).map((c) => c.name);
    const unlogged = cols.indexOf('unlogged') >= 0 ? 'unlogged' : '0';
    const alarm = cols.indexOf('alarm') >= 0 ? 'alarm' : "''";
    const occupancy = cols.indexOf('occupancy') >= 0 ? 'occupancy' : '0';
    db.exec(`INSERT INTO entries (gate_id, epoch, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, unlogged, alarm, occupancy)
      SELECT gate_id, 0, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, ${unlogged}, ${alarm}, ${occupancy} FROM entries_v1`);
    db.exec('DROP TABLE entries_v1');
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(SCHEMA_VERSION, 'schema');
  })();
}

function rowToRecord(r: any): StoredRecord {
  return {
    gateId: r.gate_id, epoch: r.epoch || 0, seq: r.seq, time: r.time, kind: r.kind, decision: r.decision, reason: r.reason,
    format: r.format, kid: new Uint8Array(r.kid), subject: new Uint8Array(r.subject), cert: new Uint8Array(r.cert),
    clockUntrusted: !!r.clock_untrusted, dropped: r.dropped, unlogged: r.unlogged || 0, receivedAt: r.received_at,
    ...(r.alarm ? { alarm: r.alarm } : {}),
    occupancy: r.occupancy || 0,
  };
}

export class SqliteStore implements CollectorStore {
  readonly db: Database.Database;
  private inserts = 0;
  private crashAfter: number;
  private insert: Database.Statement;
  private select: Database.Statement;
  private putTx: (gateId: string, records: LogRecord[], now: number, info?: BatchInfo) => PutResult;
  private groupTx: (group: Pending[], now: number) => PutResult[];
  private queue: Pending[] = [];
  private writing = false;
  /** When the last commit ended and how long it took (ms): the group window under load. */
  private lastCommitEnd = 0;
  private lastCommitMs = 0;
  private retainDays: number;
  private now: () => number;
  private lastPrune = -1;
  /** Transactions committed by the writer (each holds one group of batches). */
  commits = 0;

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    this.db = new Database(file, { fileMustExist: !!opts.mustExist, readonly: !!opts.readonly });
    this.crashAfter = opts.crashAfterInserts || 0;
    this.retainDays = opts.retainDays || 0;
    this.now = opts.now || (() => Math.floor(Date.now() / 1000));
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      // After a checkpoint the WAL file is cut back to this size (it is reused, not grown).
      this.db.pragma('journal_size_limit = 67108864');
      this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const v = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as any;
      if (v && v.value === '1') migrate1(this.db);
      else if (v && v.value !== SCHEMA_VERSION) throw new Error(`database schema ${v.value}, this collector knows ${SCHEMA_VERSION}`);
      this.db.exec(SCHEMA);
      if (!v) this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
      // Added to schema 2 later (log.proto LogRecord.alarm and occupancy, issue 14).
      for (const t of ['entries', 'conflicts']) {
        const cols = (this.db.prepare(`PRAGMA table_info(${t})`).all() as any[]).map((c) => c.name);
        if (cols.indexOf('alarm') < 0) this.db.exec(`ALTER TABLE ${t} ADD COLUMN alarm TEXT NOT NULL DEFAULT ''`);
        if (cols.indexOf('occupancy') < 0) this.db.exec(`ALTER TABLE ${t} ADD COLUMN occupancy INTEGER NOT NULL DEFAULT 0`);
      }
    } else {
      const t = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'entries'").get();
      if (!t) throw new Error('not a collector database (no entries table)');
    }
    this.busyTimeout(5000);
    this.insert = opts.readonly ? (null as any) : this.db.prepare(
      `INSERT INTO entries (gate_id, epoch, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, unlogged, alarm, occupancy)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (gate_id, epoch, seq) DO NOTHING`);
    const insertConflict = opts.readonly ? (null as any) : this.db.prepare(
      `INSERT INTO conflicts (gate_id, epoch, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, unlogged, alarm, occupancy)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.select = this.db.prepare('SELECT * FROM entries WHERE gate_id = ? AND epoch = ? AND seq = ?');
    const selectConflicts = this.db.prepare('SELECT * FROM conflicts WHERE gate_id = ? AND epoch = ? AND seq = ?');
    const selectState = opts.readonly ? (null as any) : this.db.prepare('SELECT * FROM gate_state WHERE gate_id = ?');
    const upsertState = opts.readonly ? (null as any) : this.db.prepare(
      `INSERT INTO gate_state (gate_id, last_contact, trust_version, backlog, clock, unsure_since) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (gate_id) DO UPDATE SET last_contact = excluded.last_contact, trust_version = excluded.trust_version,
         backlog = excluded.backlog, clock = excluded.clock, unsure_since = excluded.unsure_since`);
    this.putTx = this.db.transaction((gateId: string, records: LogRecord[], now: number, info?: BatchInfo): PutResult => {
      const res: PutResult = { held: [], inserted: 0, duplicates: 0, conflicts: 0 };
      for (const r of records) {
        const epoch = r.epoch || 0;
        const args = [gateId, epoch, r.seq, r.time, r.kind, r.decision, r.reason, r.format,
          Buffer.from(r.kid), Buffer.from(r.subject), Buffer.from(r.cert), r.clockUntrusted ? 1 : 0, r.dropped, now, r.unlogged || 0, r.alarm || '', r.occupancy || 0];
        const info = this.insert.run(...args);
        if (info.changes === 1) {
          res.inserted++;
          if (this.crashAfter && ++this.inserts >= this.crashAfter) process.kill(process.pid, 'SIGKILL');
        } else if (sameRecord(rowToRecord(this.select.get(gateId, epoch, r.seq)), r)) res.duplicates++;
        else {
          // A true conflict (same gate, epoch and seq, other contents): the first copy stays in
          // entries, this one is kept in conflicts (once) for a person to see; it is acknowledged
          // only because it is stored there.
          res.conflicts++;
          if (!(selectConflicts.all(gateId, epoch, r.seq) as any[]).some((c) => sameRecord(rowToRecord(c), r))) insertConflict.run(...args);
        }
        res.held.push(r.seq);
      }
      if (info) {
        const st = gateState(stateRow(selectState.get(gateId)), records, info, now);
        upsertState.run(gateId, st.lastContact, st.trustVersion, st.backlog, st.clock, st.unsureSince);
      }
      res.held = Array.from(new Set(res.held)).sort((a, b) => a - b);
      return res;
    });
    // The same work for a whole group of batches, inside one transaction (the inner calls of a
    // better-sqlite3 transaction function become savepoints of the outer one).
    this.groupTx = this.db.transaction((group: Pending[], now: number): PutResult[] =>
      group.map((p) => this.putTx(p.gateId, p.records, now, p.info)));
  }

  /** Batches queued for the next commit (for back-pressure). */
  pending(): number {
    return this.queue.length;
  }

  private busyTimeout(ms: number): void {
    this.db.pragma(`busy_timeout = ${ms}`);
  }

  put(gateId: string, records: LogRecord[], info?: BatchInfo): Promise<PutResult> {
    if (!this.db.open) return Promise.reject(new Error('store closed'));
    return new Promise<PutResult>((resolve, reject) => {
      this.queue.push({ gateId, records, info, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // Under load (a commit just ended), wait about as long as a commit takes before the next
        // one: a commit blocks the event loop, and a request needs a few turns of it (accept,
        // read, parse) before it reaches put(), so without the wait each commit held about one
        // batch and the fsyncs, not the batches, set the pace. Idle: at once.
        const wait = Date.now() - this.lastCommitEnd < 50 ? Math.min(this.lastCommitMs, 20) : 0;
        if (wait >= 1) setTimeout(() => this.drain(), wait);
        else setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    const group = this.queue.splice(0, this.queue.length);
    this.writing = false;
    if (!group.length) return;
    let results: PutResult[];
    try {
      // better-sqlite3 is synchronous: when this returns, the transaction is committed and (WAL,
      // synchronous=FULL) synced. Only then is any put() of the group answered.
      const t = Date.now();
      results = this.groupTx(group, this.now());
      this.lastCommitEnd = Date.now();
      this.lastCommitMs = this.lastCommitEnd - t;
      this.commits++;
    } catch (e) {
      group.forEach((p) => p.reject(e));
      return;
    }
    group.forEach((p, i) => p.resolve(results[i]));
    try {
      // (The WAL is checkpointed by SQLite's own autocheckpoint, every 1000 pages, and cut back
      // to journal_size_limit after: nothing to do here on each commit.)
      this.prune();
    } catch (e) {
      // Retention is housekeeping: a failure here loses nothing acknowledged.
    }
  }

  /**
   * Deletes records older than the retention: by the record's time, or, for a record whose clock
   * was never set (a time before 2020), by when the collector received it. One step of at most
   * PRUNE_STEP rows per call (the writer calls it after each commit until a day's work is done);
   * `all` runs every step now.
   */
  prune(all = false): number {
    if (!this.retainDays) return 0;
    const day = Math.floor(this.now() / DAY);
    if (day === this.lastPrune && !all) return 0;
    const cutoff = (day - this.retainDays) * DAY;
    const step = this.db.prepare(
      `DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE time < ? AND (time >= ? OR received_at < ?) LIMIT ?)`);
    let total = 0;
    for (;;) {
      const n = step.run(cutoff, CLOCK_SET, cutoff, PRUNE_STEP).changes;
      total += n;
      if (n < PRUNE_STEP) { this.lastPrune = day; break; }
      if (!all) break;
    }
    return total;
  }

  async *query(filter: QueryFilter): AsyncIterable<StoredRecord> {
    const { where, args } = filterSql(filter);
    // Keyset pages, each its own short read transaction, so that a long export never keeps the
    // writer from checkpointing the WAL.
    const PAGE = 2000;
    const first = this.db.prepare(`SELECT * FROM entries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY gate_id, epoch, seq LIMIT ${PAGE}`);
    const next = this.db.prepare(`SELECT * FROM entries WHERE ${where.concat(['(gate_id, epoch, seq) > (?, ?, ?)']).join(' AND ')} ORDER BY gate_id, epoch, seq LIMIT ${PAGE}`);
    let rows = first.all(...args) as any[];
    for (;;) {
      for (const row of rows) yield rowToRecord(row);
      if (rows.length < PAGE) return;
      const l = rows[rows.length - 1];
      rows = next.all(...args, l.gate_id, l.epoch, l.seq) as any[];
    }
  }

  async trace(subject: Uint8Array, windowSeconds: number): Promise<TraceHit[]> {
    const own = this.db.prepare(
      "SELECT * FROM entries WHERE subject = ? AND kind = 'entry' ORDER BY time, gate_id, seq").all(Buffer.from(subject));
    const near = this.db.prepare(
      `SELECT * FROM entries WHERE gate_id = ? AND time >= ? AND time <= ? AND kind = 'entry'
         AND subject <> ? AND length(subject) > 0 ORDER BY time, seq`);
    return own.map((row: any) => ({
      entry: rowToRecord(row),
      contacts: near.all(row.gate_id, row.time - windowSeconds, row.time + windowSeconds, row.subject).map(rowToRecord),
    }));
  }

  private hasTable(name: string): boolean {
    return !!this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
  }

  async gates(): Promise<GateSummary[]> {
    // (A database opened read-only may predate gate_state and conflicts.)
    const state = this.hasTable('gate_state') ? 'gate_state' : "(SELECT '' AS gate_id, 0 AS last_contact, NULL AS trust_version, NULL AS backlog, 'unknown' AS clock, NULL AS unsure_since WHERE 0)";
    const conflicts = this.hasTable('conflicts') ? 'conflicts' : "(SELECT '' AS gate_id WHERE 0)";
    return (this.db.prepare(`WITH e AS (SELECT gate_id, max(received_at) AS last_contact, count(*) AS records,
         sum(CASE WHEN kind = 'entry' THEN 1 ELSE 0 END) AS entries, max(time) AS last_time,
         sum(CASE WHEN clock_untrusted = 1 THEN 1 ELSE 0 END) AS untrusted, max(dropped) AS dropped, sum(unlogged) AS unlogged,
         sum(CASE WHEN kind = 'alarm' AND alarm IN ('forced', 'held') THEN 1 ELSE 0 END) AS alarms
    FROM entries GROUP BY gate_id),
  s AS (SELECT * FROM ${state}),
  c AS (SELECT gate_id, count(*) AS n FROM ${conflicts} GROUP BY gate_id),
  ids AS (SELECT gate_id FROM e UNION SELECT gate_id FROM s)
  SELECT ids.gate_id, max(coalesce(e.last_contact, 0), coalesce(s.last_contact, 0)) AS last_contact, coalesce(e.records, 0) AS records,
    coalesce(e.entries, 0) AS entries, coalesce(e.last_time, 0) AS last_time, coalesce(e.untrusted, 0) AS untrusted,
    coalesce(e.dropped, 0) AS dropped, e.unlogged, e.alarms, s.trust_version, s.backlog, s.clock, s.unsure_since, c.n AS conflicts
  FROM ids LEFT JOIN e ON e.gate_id = ids.gate_id LEFT JOIN s ON s.gate_id = ids.gate_id LEFT JOIN c ON c.gate_id = ids.gate_id
  ORDER BY ids.gate_id`).all() as any[]).map(gateRow);
  }

  async hourly(filter: QueryFilter): Promise<HourCount[]> {
    const { where, args } = filterSql(filter);
    return (this.db.prepare(
      `SELECT gate_id, (time / 3600) * 3600 AS hour, ${HOURLY_COLUMNS}
         FROM entries WHERE kind IN ('entry', 'exit')${where.length ? ' AND ' + where.join(' AND ') : ''}
        GROUP BY gate_id, hour ORDER BY gate_id, hour`).all(...args) as any[])
      .map(hourRow);
  }

  /** The conflicting copies kept (same gate, epoch and seq as a stored record, other contents), by gate, epoch, seq. */
  async conflicts(): Promise<ConflictRecord[]> {
    if (!this.hasTable('conflicts')) return [];
    return (this.db.prepare('SELECT * FROM conflicts ORDER BY gate_id, epoch, seq, received_at').all() as any[]).map((r) => {
      const first = this.select.get(r.gate_id, r.epoch, r.seq);
      return { ...rowToRecord(r), stored: first ? rowToRecord(first) : null };
    });
  }

  async close(): Promise<void> {
    if (this.queue.length) this.drain();
    if (this.db.open) this.db.close();
  }
}
