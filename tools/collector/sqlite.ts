// The collector's default store: one SQLite file (better-sqlite3), WAL with synchronous=FULL so
// that a committed transaction is on disk before put() resolves (and so before any ack is sent).
import Database from 'better-sqlite3';
import { LogRecord } from '../../proto/logrecord';
import { CollectorStore, PutResult, QueryFilter, StoredRecord, TraceHit, sameRecord } from './store';

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  gate_id TEXT NOT NULL,
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
  PRIMARY KEY (gate_id, seq)
);
CREATE INDEX IF NOT EXISTS entries_subject ON entries (subject);
CREATE INDEX IF NOT EXISTS entries_gate_time ON entries (gate_id, time);
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
}

function rowToRecord(r: any): StoredRecord {
  return {
    gateId: r.gate_id, seq: r.seq, time: r.time, kind: r.kind, decision: r.decision, reason: r.reason,
    format: r.format, kid: new Uint8Array(r.kid), subject: new Uint8Array(r.subject), cert: new Uint8Array(r.cert),
    clockUntrusted: !!r.clock_untrusted, dropped: r.dropped, unlogged: r.unlogged || 0, receivedAt: r.received_at,
  };
}

export class SqliteStore implements CollectorStore {
  readonly db: Database.Database;
  private inserts = 0;
  private crashAfter: number;
  private insert: Database.Statement;
  private select: Database.Statement;
  private putTx: (gateId: string, records: LogRecord[], now: number) => PutResult;

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    this.db = new Database(file, { fileMustExist: !!opts.mustExist, readonly: !!opts.readonly });
    this.crashAfter = opts.crashAfterInserts || 0;
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
      const v = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as any;
      if (!v) this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
      else if (v.value !== SCHEMA_VERSION) throw new Error(`database schema ${v.value}, this collector knows ${SCHEMA_VERSION}`);
      // Added to schema 1 later (log.proto LogRecord.unlogged): older databases get the column.
      const cols = (this.db.prepare('PRAGMA table_info(entries)').all() as any[]).map((c) => c.name);
      if (cols.indexOf('unlogged') < 0) this.db.exec('ALTER TABLE entries ADD COLUMN unlogged INTEGER NOT NULL DEFAULT 0');
    } else {
      const t = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'entries'").get();
      if (!t) throw new Error('not a collector database (no entries table)');
    }
    this.busyTimeout(5000);
    this.insert = opts.readonly ? (null as any) : this.db.prepare(
      `INSERT INTO entries (gate_id, seq, time, kind, decision, reason, format, kid, subject, cert, clock_untrusted, dropped, received_at, unlogged)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (gate_id, seq) DO NOTHING`);
    this.select = this.db.prepare('SELECT * FROM entries WHERE gate_id = ? AND seq = ?');
    this.putTx = this.db.transaction((gateId: string, records: LogRecord[], now: number): PutResult => {
      const res: PutResult = { held: [], inserted: 0, duplicates: 0, conflicts: 0 };
      for (const r of records) {
        const info = this.insert.run(gateId, r.seq, r.time, r.kind, r.decision, r.reason, r.format,
          Buffer.from(r.kid), Buffer.from(r.subject), Buffer.from(r.cert), r.clockUntrusted ? 1 : 0, r.dropped, now, r.unlogged || 0);
        if (info.changes === 1) {
          res.inserted++;
          if (this.crashAfter && ++this.inserts >= this.crashAfter) process.kill(process.pid, 'SIGKILL');
        } else if (sameRecord(rowToRecord(this.select.get(gateId, r.seq)), r)) res.duplicates++;
        else res.conflicts++;
        res.held.push(r.seq);
      }
      res.held = Array.from(new Set(res.held)).sort((a, b) => a - b);
      return res;
    });
  }

  private busyTimeout(ms: number): void {
    this.db.pragma(`busy_timeout = ${ms}`);
  }

  async put(gateId: string, records: LogRecord[]): Promise<PutResult> {
    // better-sqlite3 is synchronous: when this returns, the transaction is committed and (WAL,
    // synchronous=FULL) synced.
    return this.putTx(gateId, records, Math.floor(Date.now() / 1000));
  }

  async *query(filter: QueryFilter): AsyncIterable<StoredRecord> {
    const where: string[] = [];
    const args: any[] = [];
    if (filter.gateId !== undefined) { where.push('gate_id = ?'); args.push(filter.gateId); }
    if (filter.from !== undefined) { where.push('time >= ?'); args.push(filter.from); }
    if (filter.to !== undefined) { where.push('time <= ?'); args.push(filter.to); }
    const sql = `SELECT * FROM entries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY gate_id, seq`;
    for (const row of this.db.prepare(sql).iterate(...args)) yield rowToRecord(row);
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
