// An in-process collector for simulator scenarios (tools/collector/server.ts over a SQLite file in
// a temporary directory), listening on 127.0.0.1 on a port that stays the same across restarts
// (the gate's configuration names it).
//
//   start()    listens (and opens the database)
//   stop()     closes the listener, drops open connections, closes the database
//   restart()  stop() then start()
//   crash()    arms a crash: the next batch is committed to the database, then the collector dies
//              before it answers (the gate never hears the acknowledgement); start() revives it
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SqliteStore } from '../tools/collector/sqlite';
import { startCollectorServer, CollectorServer } from '../tools/collector/server';
import { BatchInfo, CollectorStore, HourCount, PutResult, QueryFilter, StoredRecord, TraceHit } from '../tools/collector/store';
import { LogRecord } from '../proto/logrecord';
import { levelSource, setLevel } from '../tools/collector/levels';
import { GateRegistry, addGate, readKeyFile } from '../tools/collector/gates';

/** Offset of Ack.time's tag (field 3, fixed32) in an encoded Ack, -1 when absent. */
function timeAt(b: Buffer): number {
  let p = 0;
  const varint = () => { let v = 0, m = 1, c; do { c = b[p++]; v += (c & 127) * m; m *= 128; } while (c >= 128); return v; };
  while (p < b.length) {
    const at = p, key = varint(), wire = key & 7;
    if (key === 0x1d) return at;
    if (wire === 0) varint();
    else if (wire === 2) { const n = varint(); p += n; }
    else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else return -1;
  }
  return -1;
}
import { TrustDir } from '../tools/collector/trust';

export class SimCollector {
  readonly dir: string;
  readonly dbFile: string;
  /** Trust updates (tools/collector/trust.ts): kept across restarts, like the database. */
  readonly trust: TrustDir;
  port = 0;
  private store: SqliteStore | null = null;
  private server: CollectorServer | null = null;
  private crashArmed = false;
  /** One entry per ingest, crash, start and stop. */
  readonly log: any[] = [];
  /** The registry of gates (identity()): then every batch must be authenticated. */
  gatesFile: string | null = null;
  /** The collector's clock for its answers: `time` (seconds since 1970) when virtual time was
   *  `timeSetMs`, running on with virtual time (virtualMs); null: the host's clock. */
  time: number | null = null;
  timeSetMs = 0;
  virtualMs: () => number = () => 0;
  /** Answers still to forge: their time changed after the mac was made. */
  forgeAnswers = 0;
  /** The last genuine LoRa time downlink (a forger replays it once). */
  private lastTimeDownlink: Buffer | null = null;
  private replayedTime = false;
  /** LoRa acknowledgements still to forge: a bit of their first range flipped, the MAC left as it was. */
  forgeAcks = 0;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-simcollector-'));
    this.dbFile = path.join(this.dir, 'collector.db');
    this.trust = new TrustDir(path.join(this.dir, 'trust'));
  }

  get running(): boolean { return this.server !== null; }

  /** Registers gateId (as `qrgate collector gates add`) and returns its key, as `qrgate flash --key` reads it. */
  identity(gateId: string): Uint8Array {
    this.gatesFile = path.join(this.dir, 'gates.json');
    const keyFile = path.join(this.dir, `${gateId}.key`);
    addGate(this.gatesFile, gateId, keyFile);
    return new Uint8Array(readKeyFile(keyFile).key);
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.store = new SqliteStore(this.dbFile);
    const self = this;
    const inner = this.store;
    const store: CollectorStore = {
      async put(gateId: string, records: LogRecord[], info?: BatchInfo): Promise<PutResult> {
        const r = await inner.put(gateId, records, info);
        if (self.crashArmed) {
          self.crashArmed = false;
          self.log.push({ ev: 'crash', gateId, records: records.length, inserted: r.inserted });
          await self.stop();
          throw new Error('collector crashed after the commit');
        }
        return r;
      },
      query: (f: QueryFilter) => inner.query(f),
      trace: (s: Uint8Array, w: number) => inner.trace(s, w),
      gates: () => inner.gates(),
      hourly: (f: QueryFilter) => inner.hourly(f),
      conflicts: () => inner.conflicts(),
      pending: () => inner.pending(),
      close: () => inner.close(),
    };
    this.server = await startCollectorServer({
      store, host: '127.0.0.1', port: this.port, levels: levelSource(this.levelsFile), trust: new TrustDir(this.trust.dir),
      gates: this.gatesFile ? new GateRegistry(this.gatesFile) : undefined,
      now: () => (this.time !== null ? Math.floor(this.time + (this.virtualMs() - this.timeSetMs) / 1000) : Math.floor(Date.now() / 1000)),
      tamper: (ack) => {
        if (this.forgeAnswers <= 0) return ack;
        this.forgeAnswers--;
        // Ack.time (field 3, fixed32: tag 0x1d) moved a year on; the mac left as it was.
        const b = Buffer.from(ack), i = timeAt(b);
        if (i >= 0) b.writeUInt32LE((b.readUInt32LE(i + 1) + 365 * 86400) >>> 0, i + 1);
        this.log.push({ ev: 'forged' });
        return new Uint8Array(b);
      },
      tamperTime: (data) => {
        if (this.forgeAnswers <= 0) { this.lastTimeDownlink = data; return data; }
        this.forgeAnswers--;
        // the first forgery replays an earlier genuine time downlink; the others move the time a year on
        const replay = this.lastTimeDownlink !== null && !this.replayedTime;
        this.replayedTime = this.replayedTime || replay;
        const b = Buffer.from(replay ? this.lastTimeDownlink! : data);
        if (!replay) b.writeUInt32LE((b.readUInt32LE(0) + 365 * 86400) >>> 0, 0);
        this.log.push({ ev: 'forged', link: 'lora', how: replay ? 'replayed' : 'time moved' });
        return b;
      },
      tamperAck: (data) => {
        // only a sealed answer that acknowledges something (header, counter byte, a range, the MAC)
        if (this.forgeAcks <= 0 || !(data[0] & 0x20) || data.length < 8) return data;
        this.forgeAcks--;
        const b = Buffer.from(data);
        b[2] ^= 1; // the first acknowledged seq: another one
        this.log.push({ ev: 'forged', link: 'lora', how: 'ack bit flipped' });
        return b;
      },
      log: (line) => { try { this.log.push(JSON.parse(line)); } catch (e) { this.log.push({ line }); } },
    });
    this.port = this.server.port;
    this.log.push({ ev: 'start', port: this.port });
  }

  async stop(): Promise<void> {
    const srv = this.server, st = this.store;
    this.server = null;
    this.store = null;
    if (srv) await srv.close();
    if (st) await st.close();
    if (srv) this.log.push({ ev: 'stop' });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  crash(): void { this.crashArmed = true; }

  /** The PPKM levels file (`qrgate collector level set` writes the same). */
  get levelsFile(): string { return path.join(this.dir, 'levels.json'); }

  /** `qrgate collector level set SITE N`: the next answers to gates of that site carry it. */
  setLevel(site: string, level: number): void { setLevel(this.levelsFile, site, level); }

  /** Entries per gate and hour (with the booth referrals, exits ...), as `qrgate collector report`. */
  async hourly(gateId?: string): Promise<HourCount[]> {
    return this.withStore(async (s) => (s ? s.hourly({ gateId }) : []));
  }

  /** The address a gate posts batches to (Wi-Fi) or a network server forwards uplinks to (LoRa). */
  url(transport: string): string {
    return `http://127.0.0.1:${this.port}/${transport === 'lora' ? 'lorawan' : 'ingest'}`;
  }

  private async withStore<T>(fn: (s: SqliteStore) => Promise<T>): Promise<T> {
    if (this.store) return fn(this.store);
    if (!fs.existsSync(this.dbFile)) return fn(null as any);
    const s = new SqliteStore(this.dbFile, { mustExist: true, readonly: true });
    try { return await fn(s); } finally { await s.close(); }
  }

  /** Every stored record (optionally of one gate), by gate then seq. */
  async records(gateId?: string): Promise<StoredRecord[]> {
    return this.withStore(async (s) => {
      const out: StoredRecord[] = [];
      if (!s) return out;
      for await (const r of s.query({ gateId })) out.push(r);
      return out;
    });
  }

  async trace(subject: Uint8Array, windowSeconds: number): Promise<TraceHit[]> {
    return this.withStore(async (s) => (s ? s.trace(subject, windowSeconds) : []));
  }

  /** Stops and removes the temporary directory (unless keep). */
  async close(keep = false): Promise<void> {
    await this.stop();
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
