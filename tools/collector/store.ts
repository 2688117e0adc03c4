// The collector's storage, behind a small interface: SQLite (tools/collector/sqlite.ts) by
// default, PostgreSQL (tools/collector/postgres.ts) for a province's worth of gates; `openStore`
// (tools/collector/open.ts) picks one from the --db argument. test/tools/collector/store.test.ts runs
// one suite on both.
//
// Contract of every store:
//  - (gateId, epoch, seq) names a record (LogRecord.epoch, from the Batch; 0 when absent); put() stores each once however often it arrives (the first
//    copy is kept; a later copy with other contents is counted as a conflict, not stored).
//    PostgreSQL partitions by the record's day, so there the name is (gateId, day, seq): a copy
//    with the same seq but another day's time is stored as another record;
//  - put() resolves only when the batch is durable (committed and synced), and then with every
//    seq of the batch: those stored now and those already held. Nothing is acknowledged otherwise.
import { LogRecord } from '../../proto/logrecord';

export interface StoredRecord extends LogRecord {
  gateId: string;
  /** The gate's boot epoch (Batch.epoch; 0 for a gate without a key): (gateId, epoch, seq) names a record. */
  epoch?: number;
  /** When the collector first stored it (seconds since 1970). */
  receivedAt: number;
}

export interface PutResult {
  /** Seqs of the batch the store now holds durably (new and already held), ascending, unique. */
  held: number[];
  /** How many were new. */
  inserted: number;
  /** Already held with the same contents. */
  duplicates: number;
  /** Already held with other contents (a gate whose journal was reset): the first copy stays. */
  conflicts: number;
}

export interface QueryFilter {
  gateId?: string;
  /** Seconds since 1970, inclusive. */
  from?: number;
  /** Seconds since 1970, inclusive. */
  to?: number;
}

export interface TraceHit {
  /** One entry of the person traced. */
  entry: StoredRecord;
  /** Entries of other subjects at the same gate within the window, by time. */
  contacts: StoredRecord[];
}

/** What the collector knows of a gate, from what it has stored. */
export interface GateSummary {
  gateId: string;
  /** When the collector last stored a batch of it (seconds since 1970). */
  lastContact: number;
  records: number;
  entries: number;
  /** The time of its latest record (its own clock). */
  lastRecordTime: number;
  /** Records made while its clock was unsure. */
  clockUntrusted: number;
  /** The highest count of records it reported lost (its flash was full). */
  dropped: number;
  /** Entries it said it could not log at all (its Storage was full). */
  unlogged: number;
  /** Door alarms it raised (held open, forced: records of kind 'alarm'). */
  alarms: number;
  /** The trust bundle version of its latest Wi-Fi batch (Batch.trust_version; null: never said). */
  trustVersion: number | null;
  /** Records it still held unsent beyond its latest Wi-Fi batch (Batch.backlog; null: never said). */
  backlog: number | null;
  /** Its clock as its latest batch showed it (gateClock): set, unsure, or unknown (never said). */
  clock: 'set' | 'unsure' | 'unknown';
  /** Since when (seconds since 1970, the collector's clock) its clock has been unsure; null when set. */
  unsureSince: number | null;
  /** Conflicting copies kept for it (same gate, epoch and seq as a stored record, other contents). */
  conflicts: number;
}

/** What a batch says of its gate besides its records (proto/log.proto Batch fields 4, 6-8). */
export interface BatchInfo {
  /** Batch.epoch (0: an unauthenticated gate, which does not send its clock). */
  epoch?: number;
  /** Batch.time: the gate's clock when it sent the batch (authenticated gates). */
  time?: number;
  trustVersion?: number;
  backlog?: number;
}

/** The latest state of a gate kept by a store (table gate_state). */
export interface GateState {
  lastContact: number;
  trustVersion: number | null;
  backlog: number | null;
  clock: 'set' | 'unsure' | 'unknown';
  unsureSince: number | null;
}

/** firmware/gate.ts's CLOCK_VALID_AFTER (2020-01-01): a gate clock before it was never set. */
const CLOCK_VALID_AFTER = 1577836800;

/**
 * A gate's state after a batch received at `now`. The clock: an authenticated gate sends its
 * clock (Batch.time), and one unset since power-on counts from 0, so its time is the seconds since
 * then (unsure since now - time); otherwise the batch's latest record says whether its clock was
 * trusted when it was made (unsure since the first batch that said so). No record and no clock:
 * as before.
 */
export function gateState(prev: GateState | null, records: LogRecord[], info: BatchInfo, now: number): GateState {
  const wasSince = prev && prev.clock === 'unsure' && prev.unsureSince !== null ? prev.unsureSince : null;
  let clock: GateState['clock'] = prev ? prev.clock : 'unknown';
  let since = wasSince;
  if (info.epoch) {
    const t = info.time || 0;
    if (t < CLOCK_VALID_AFTER) { clock = 'unsure'; since = wasSince !== null ? Math.min(wasSince, now - t) : now - t; }
    else clock = 'set';
  } else if (records.length) {
    let last = records[0];
    for (const r of records) if (r.seq > last.seq) last = r;
    if (last.clockUntrusted) { clock = 'unsure'; if (since === null) since = now; }
    else clock = 'set';
  }
  return {
    lastContact: now, clock, unsureSince: clock === 'unsure' ? since : null,
    trustVersion: info.trustVersion !== undefined ? info.trustVersion : prev ? prev.trustVersion : null,
    backlog: info.backlog !== undefined ? info.backlog : prev ? prev.backlog : null,
  };
}

/** A conflicting copy kept, with the copy stored first under the same name (null if gone: retention). */
export interface ConflictRecord extends StoredRecord {
  stored: StoredRecord | null;
}

export interface HourCount {
  gateId: string;
  /** Start of the hour, seconds since 1970. */
  hour: number;
  entries: number;
  /** How many of them opened the door. */
  opened: number;
  /** Issue 14: refusals sent to the vaccination booth (reason booth). */
  referrals: number;
  /** Refused because the room was full (reason capacity). */
  full: number;
  /** Sent to the attendant by anti-passback (reason passback). */
  passback: number;
  /** People who left (records of kind exit). */
  exits: number;
  /** The most people inside the gate reported in that hour (0: the gate does not count). */
  occupancy: number;
}

/** The SQL (SQLite and PostgreSQL alike) of an hour's counts, over rows of kind entry and exit. */
export const HOURLY_COLUMNS = `sum(CASE WHEN kind = 'entry' THEN 1 ELSE 0 END) AS entries,
  sum(CASE WHEN kind = 'entry' AND decision = 'open' THEN 1 ELSE 0 END) AS opened,
  sum(CASE WHEN kind = 'entry' AND reason = 'booth' THEN 1 ELSE 0 END) AS referrals,
  sum(CASE WHEN kind = 'entry' AND reason = 'capacity' THEN 1 ELSE 0 END) AS full_,
  sum(CASE WHEN kind = 'entry' AND reason = 'passback' THEN 1 ELSE 0 END) AS passback,
  sum(CASE WHEN kind = 'exit' THEN 1 ELSE 0 END) AS exits,
  max(occupancy) AS occupancy`;

export function hourRow(r: any): HourCount {
  return {
    gateId: r.gate_id, hour: Number(r.hour), entries: Number(r.entries), opened: Number(r.opened),
    referrals: Number(r.referrals), full: Number(r.full_), passback: Number(r.passback), exits: Number(r.exits),
    occupancy: Number(r.occupancy || 0),
  };
}

export interface CollectorStore {
  /** `info` (a Wi-Fi or LoRa Batch's other fields) updates the gate's state in the same commit. */
  put(gateId: string, records: LogRecord[], info?: BatchInfo): Promise<PutResult>;
  /** Stored records (entries and drop counters), by gate then seq. */
  query(filter: QueryFilter): AsyncIterable<StoredRecord>;
  /** Entries whose subject pseudonym is `subject`, each with the other subjects within windowSeconds. */
  trace(subject: Uint8Array, windowSeconds: number): Promise<TraceHit[]>;
  /** Every gate heard from, by gate id. */
  gates(): Promise<GateSummary[]>;
  /** Entries per gate and hour, within the filter's bounds, by gate then hour. */
  hourly(filter: QueryFilter): Promise<HourCount[]>;
  /** The conflicting copies kept for a person to see (same gate, epoch and seq, other contents). */
  conflicts?(): Promise<ConflictRecord[]>;
  /** Batches waiting for the next commit (the server answers 503 above its limit). */
  pending?(): number;
  close(): Promise<void>;
}

/** Sorted unique seqs as inclusive ranges. */
export function toRanges(seqs: number[]): { first: number; last: number }[] {
  const s = Array.from(new Set(seqs)).sort((a, b) => a - b);
  const out: { first: number; last: number }[] = [];
  for (const v of s) {
    const r = out[out.length - 1];
    if (r && v === r.last + 1) r.last = v;
    else out.push({ first: v, last: v });
  }
  return out;
}

/** Same record contents (the seq and gate being equal). */
export function sameRecord(a: LogRecord, b: LogRecord): boolean {
  const eq = (x: Uint8Array, y: Uint8Array) => Buffer.compare(Buffer.from(x), Buffer.from(y)) === 0;
  return a.time === b.time && a.kind === b.kind && a.decision === b.decision && a.reason === b.reason &&
    a.format === b.format && eq(a.kid, b.kid) && eq(a.subject, b.subject) && eq(a.cert, b.cert) &&
    a.clockUntrusted === b.clockUntrusted && a.dropped === b.dropped && (a.unlogged || 0) === (b.unlogged || 0) &&
    (a.alarm || '') === (b.alarm || '') &&
    (a.occupancy || 0) === (b.occupancy || 0);
}
