// Opens the collector's store named by --db: a PostgreSQL URL (postgres://...) or a SQLite file.
import * as fs from 'fs';
import { CollectorStore } from './store';
import { SqliteStore } from './sqlite';
import { PostgresStore, isPostgresUrl } from './postgres';

export interface OpenStoreOptions {
  /** query, trace: open what exists, write nothing. */
  readonly?: boolean;
  retainDays?: number;
  /** SQLite fault injection for tests (QRGATE_COLLECTOR_CRASH_AFTER). */
  crashAfterInserts?: number;
}

/** The database named in errors: a URL without its password. */
export function dbLabel(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const u = new URL(db);
    if (u.password) u.password = '***';
    return u.toString();
  } catch (e) {
    return 'postgres://...';
  }
}

export async function openStore(db: string, opts: OpenStoreOptions = {}): Promise<CollectorStore> {
  if (isPostgresUrl(db)) return PostgresStore.open(db, { readonly: opts.readonly, retainDays: opts.retainDays });
  if (opts.readonly && !fs.existsSync(db)) throw new Error('no such file');
  return new SqliteStore(db, {
    mustExist: !!opts.readonly, readonly: !!opts.readonly,
    retainDays: opts.retainDays, crashAfterInserts: opts.crashAfterInserts,
  });
}
