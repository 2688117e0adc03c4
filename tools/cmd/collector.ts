// qrgate collector serve|query|trace (spec/tools.md, "Collector").
import * as fs from 'fs';
import * as crypto from 'crypto';
import { CliError, parseArgs, need, parseTime, parseIntFlag, parseHex, readFileOr } from '../cli';
import { CollectorStore, StoredRecord } from '../collector/store';
import { openStore as openAnyStore, dbLabel } from '../collector/open';
import { kidText, isoTime } from '../collector/format';
import { startWebServer, WebServer } from '../collector/web';
import { UsersFile, readUsers, setUser, removeUser } from '../collector/users';
import { startCollectorServer, collectorShared, CollectorServerOptions } from '../collector/server';
import { isCollectorWorker, workerShared, startWorkers } from '../collector/cluster';
import { isPostgresUrl } from '../collector/postgres';
import { GateRegistry, addGate, revokeGate, listGates } from '../collector/gates';
import { importBatches, ImportError } from '../collector/import';
import { defaultLevelsFile, levelSource, readLevels, setLevel } from '../collector/levels';
import { TrustDir } from '../collector/trust';
import { verifySign1 } from '../issuer';
import { readBundleAndRoots } from './trust';

export const help = `
usage: qrgate collector serve --db DB --listen HOST:PORT [--gates FILE] [--retain-days N] [--max-pending N] [--workers N]
                               [--web HOST:PORT --users FILE [--site-secret-file FILE]]
                               [--max-body BYTES] [--levels FILE] [--quiet] [--trust-dir DIR]
       qrgate collector trust publish --trust-dir DIR (--root FILE... | --config FILE) BUNDLE
       qrgate collector trust status --trust-dir DIR
       qrgate collector user add|remove --users FILE NAME     (password on standard input)
       qrgate collector user list --users FILE
       qrgate collector gates add --gates FILE GATE --key-out KEYFILE   (then qrgate flash --key KEYFILE)
       qrgate collector gates list|revoke --gates FILE [GATE]
       qrgate collector conflicts --db DB
       qrgate collector query --db DB [--gate ID] [--from T] [--to T]
       qrgate collector import --db DB [--receipt FILE] BATCHES...
       qrgate collector trace --db DB --site-secret HEX (--sub HEX | --sub-text TEXT) [--window-min N]
       qrgate collector level set SITE N (--db DB | --levels FILE)
       qrgate collector level list (--db DB | --levels FILE)
       qrgate collector report --db DB [--gate ID] [--from T] [--to T]

DB      a SQLite file (one machine; created by serve when missing), or a PostgreSQL URL
        postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (a province; serve creates the tables,
        partitioned by day). PGPASSWORD and the other libpq variables are honoured.

serve   receives entry-log batches and stores each (gate, seq) once, acknowledging only what is
        durably stored. Listens only on HOST:PORT (e.g. 127.0.0.1:8080; port 0 picks one):
          POST /ingest   a Batch of proto/log.proto (Content-Type application/x-protobuf) from a
                         gate's Wi-Fi uplink; answers with an Ack (the seqs held, as ranges)
          POST /lorawan  an uplink from a LoRaWAN network server's HTTP integration (The Things
                         Stack, ChirpStack: JSON with the DevEUI, fPort and base64 payload); FPort 1
                         carries a Batch; a batch without gate id is filed under eui-<DevEUI>
          GET  /healthz
        Batches that arrive while the store commits share its next commit. With more than
        --max-pending batches waiting (default 2000) a gate is answered 503 with Retry-After and
        tries again later. --retain-days N deletes records older than N days (PostgreSQL: drops
        whole day partitions); default: keep everything.
        --workers N (PostgreSQL only; default 1): N processes take the gates' connections on the
        one listening socket, each with its own database connection and group commit (so the
        ingest uses N cores); --max-pending counts per worker. Nonces, trust versions, LoRaWAN
        devices and the web page stay in the first process. SQLite has one writer: one process.
        --web HOST:PORT serves the health office's page on a second listener (gates post to
        --listen, browsers use --web: the page cannot take entries, the ingest serves nothing to
        read): gates with their last contact, entries per hour, CSV export, and contact tracing
        from a positive person's certificate (QR text or an image of it), behind a login from
        --users. Tracing needs the gates' site secret (--site-secret-file: a file with its hex),
        which the page never shows.
        Prints one JSON line when listening ({"ev":"listening","host","port"}) and one per batch
        (unless --quiet). Stops cleanly on SIGINT/SIGTERM.
query   one JSON line per stored record, by gate then seq: gateId, seq, time (ISO 8601),
        decision, reason, kid, subject, cert (hex), format, clockUntrusted, kind; records of kind
        "dropped" (the gate's flash was full) carry "dropped", the gate's cumulative count of lost
        records, and empty decision, reason, kid, subject and cert; "unlogged" when the gate could
        not log that many entries (its Storage was full) since its previous such record; records
        of kind "alarm" (the door: issue 14) carry "alarm": forced, held, cleared or button-stuck,
        and empty decision, reason, kid, subject and cert; "occupancy" the people inside after it
        at gates that count (kind "exit": someone left). --from/--to (ISO 8601 or
        seconds since 1970) bound the time, inclusive.
import  stores the log batches that \`qrgate logs pull\` read from a gate over USB (gates without
        an uplink), each (gate, seq) once however often it is imported (the database is made when
        missing), and writes a receipt (default: the first BATCHES file + ".receipt.json") naming
        the records now held durably. \`qrgate logs ack --port PORT --receipt FILE\` hands it to the
        gate, which only then lets those records go. Prints one JSON line: files, batches, records,
        inserted, duplicates, conflicts (held with other contents: not in the receipt), unlogged
        (entries a gate said it could not log), receipt.
level   the PPKM level of a site (issue 14): \`level set SITE N\` (N 1..9; 0 clears it) writes it to
        the levels file (--levels; default DB.levels.json next to a SQLite DB, ./collector-levels.json
        for PostgreSQL), which a running serve reads again when it changes: every acknowledgement
        to a gate of that site then carries the level (LoRaWAN: a one-byte downlink on FPort 3),
        and the gate's capacity follows it (capacity.levels). A site is a gate id, or a prefix of
        gate ids followed by '-', '.', '/' or ':' (the longest that matches wins); "*" is every
        other gate. \`level list\` prints {"SITE": N, ...}.
report  per gate and hour, one JSON line: gateId, hour (ISO 8601), entries (scans decided),
        opened, referrals (sent to the vaccination booth: reason booth), full (refused: the room
        was full), passback, exits, occupancy (the most people inside the gate reported).
        --from/--to bound the time; default: everything.
trust   trust updates over the air (docs/uplink.md "Trust updates"). \`publish\` checks BUNDLE (a
        \`qrgate trust build\` file: its signature under the root keys --root JWK files or the gate
        configuration's rootKeys, and a version above the one published) and makes it the
        published bundle of the collector serving with the same --trust-dir (no restart needed):
        a Wi-Fi gate whose batch reports an older trust version gets it with the acknowledgement,
        a LoRa gate in fragments on FPort 201. Prints {"published": VERSION, "previous": V|null}.
        \`status\` prints one JSON line per gate: gateId, version (of the bundle it reported
        using), link, at (ISO 8601), current (true when it uses the published version).
        serve --trust-dir DIR: where the published bundle and the gates' versions are kept.
trace   contact tracing: the subject pseudonym is HMAC-SHA-256(site secret, sub) truncated to 16
        bytes (docs/qg1.md). Prints one JSON line per entry of that subject, with
        "contacts": the entries of other subjects at the same gate within N minutes (default 30)
        either side. --sub-text takes the sub as text (DIVOC credentialSubject.id, UTF-8).
`;

export { kidText, isoTime };

/** The JSON line of `query` for one stored record. */
export function recordJson(r: StoredRecord): any {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const dropped = r.kind === 'dropped' || r.kind === 'alarm';
  const o: any = {
    gateId: r.gateId, seq: r.seq, time: isoTime(r.time),
    decision: dropped ? '' : r.decision, reason: dropped ? '' : r.reason,
    kid: kidText(r.kid), subject: hex(r.subject), cert: hex(r.cert),
    format: dropped ? '' : r.format, clockUntrusted: r.clockUntrusted, kind: r.kind,
  };
  if (r.kind === 'dropped') o.dropped = r.dropped;
  if (r.alarm) o.alarm = r.alarm;
  if (r.unlogged) o.unlogged = r.unlogged;
  if (r.occupancy) o.occupancy = r.occupancy;
  // (gateId, epoch, seq) names a record: the epoch is shown when the gate has one (a key).
  if (r.epoch) o.epoch = r.epoch;
  return o;
}

async function openStore(db: string): Promise<CollectorStore> {
  if (!/^postgres(ql)?:\/\//i.test(db) && !fs.existsSync(db)) throw new CliError(`cannot read database ${db}: no such file`);
  try {
    return await openAnyStore(db, { readonly: true });
  } catch (e: any) {
    throw new CliError(`cannot open database ${dbLabel(db)}: ${e.message}`);
  }
}

function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(v);
  if (!m) throw new CliError(`--listen: expected HOST:PORT, got ${v}`);
  const port = parseInt(m[3], 10);
  if (port > 65535) throw new CliError(`--listen: port out of range: ${m[3]}`);
  return { host: m[1] || m[2], port };
}

async function serve(args: string[]): Promise<number> {
  const p = parseArgs(args, { db: 'string', listen: 'string', 'max-body': 'string', quiet: 'boolean', levels: 'string',
    'retain-days': 'string', 'max-pending': 'string', web: 'string', users: 'string', 'site-secret-file': 'string', gates: 'string', 'trust-dir': 'string', workers: 'string' });
  let gates: GateRegistry | undefined;
  if (p.flags.gates !== undefined) {
    try { gates = new GateRegistry(p.flags.gates); } catch (e: any) { throw new CliError(`gates file ${p.flags.gates}: ${e.message}`); }
  }
  const web = p.flags.web !== undefined ? parseListen(p.flags.web) : null;
  if (web && p.flags.users === undefined) throw new CliError('--web needs --users FILE (qrgate collector user add makes one)');
  let users: UsersFile | null = null;
  if (p.flags.users !== undefined) {
    try { users = readUsers(p.flags.users); } catch (e: any) { throw new CliError(`users file ${p.flags.users}: ${e.message}`); }
  }
  let siteSecret: Uint8Array | undefined;
  if (p.flags['site-secret-file'] !== undefined) {
    const t = readFileOr(p.flags['site-secret-file'], 'site secret').toString('utf8').trim();
    siteSecret = parseHex(t, 'site-secret-file', 16);
  }
  const db = need(p, 'db');
  const { host, port } = parseListen(need(p, 'listen'));
  const maxBody = p.flags['max-body'] ? parseIntFlag(p.flags['max-body'], 'max-body', 1024, 64 * 1024 * 1024) : undefined;
  const crash = process.env.QRGATE_COLLECTOR_CRASH_AFTER ? parseInt(process.env.QRGATE_COLLECTOR_CRASH_AFTER, 10) : 0;
  const retainDays = p.flags['retain-days'] !== undefined ? parseIntFlag(p.flags['retain-days'], 'retain-days', 1, 36500) : 0;
  const maxPending = p.flags['max-pending'] !== undefined ? parseIntFlag(p.flags['max-pending'], 'max-pending', 1, 1000000) : undefined;
  const workers = p.flags.workers !== undefined ? parseIntFlag(p.flags.workers, 'workers', 1, 256) : 1;
  if (workers > 1 && !isPostgresUrl(db)) {
    throw new CliError('--workers needs a PostgreSQL --db: a SQLite file has one writer, so its collector is one process');
  }
  const worker = workers > 1 && isCollectorWorker();
  let store: CollectorStore;
  try {
    store = await openAnyStore(db, { crashAfterInserts: crash, retainDays });
  } catch (e: any) {
    throw new CliError(`cannot open database ${dbLabel(db)}: ${e.message}`);
  }
  const out = (line: string) => { if (!p.flags.quiet) process.stdout.write(line + '\n'); };
  // --quiet: no log function at all (the per-batch line is then not even built)
  const log = p.flags.quiet ? undefined : out;
  let srv: { host: string; port: number; close(): Promise<void> };
  try {
    const levelsFile = p.flags.levels !== undefined ? p.flags.levels : defaultLevelsFile(db);
    const levels = levelSource(levelsFile, (msg) => out(JSON.stringify({ ev: 'error', error: `levels: ${msg}` })));
    const trustDir = p.flags['trust-dir'] !== undefined ? new TrustDir(p.flags['trust-dir']) : undefined;
    const o: CollectorServerOptions = { store, host, port, maxBody, maxPending, log, levels, gates, trust: trustDir };
    if (worker) {
      // A worker of --workers N: serves, tells the primary where, and keeps no state of its own.
      const w = await startCollectorServer({ ...o, shared: workerShared() });
      process.send!({ listening: { host: w.host, port: w.port } });
      return new Promise<number>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          const done = (code: number) => { if (process.connected) process.disconnect(); resolve(code); };
          w.close().then(() => store.close()).then(() => done(0), () => done(1));
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', () => undefined); // the primary stops the workers
        process.once('disconnect', stop);
      });
    }
    if (workers > 1) {
      const c = await startWorkers(workers, collectorShared(o), out);
      srv = { host: c.host, port: c.port, close: c.stop };
    } else {
      srv = await startCollectorServer(o);
    }
    if (!gates) out(JSON.stringify({ ev: 'warning', why: 'no --gates FILE: batches are not authenticated, anyone who reaches the collector can add records' }));
  } catch (e: any) {
    await store.close();
    throw new CliError(`cannot listen on ${host}:${port}: ${e.code || e.message}`);
  }
  let page: WebServer | null = null;
  if (web) {
    const usersFile = p.flags.users as string;
    try {
      // The users file is read again at each login, so that adding a user needs no restart.
      page = await startWebServer({ store, host: web.host, port: web.port, siteSecret, log: out,
        users: () => readUsers(usersFile) });
    } catch (e: any) {
      await srv.close();
      await store.close();
      throw new CliError(`cannot listen on ${web.host}:${web.port} for the web page: ${e.code || e.message}`);
    }
  }
  process.stdout.write(JSON.stringify({ ev: 'listening', host: srv.host, port: srv.port,
    web: page ? { host: page.host, port: page.port } : undefined }) + '\n');
  const s = srv;
  const w = page;
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      (w ? w.close() : Promise.resolve()).then(() => s.close()).then(() => store.close()).then(() => resolve(0), () => resolve(1));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function level(args: string[]): Promise<number> {
  const p = parseArgs(args.slice(1), { db: 'string', levels: 'string' });
  const file = p.flags.levels !== undefined ? p.flags.levels : p.flags.db !== undefined ? defaultLevelsFile(p.flags.db) : '';
  if (!file) throw new CliError('give --db DB (its levels file) or --levels FILE');
  try {
    if (args[0] === 'set') {
      if (p.positional.length !== 2 || !/^\d+$/.test(p.positional[1])) throw new CliError('usage: qrgate collector level set SITE N');
      const levels = setLevel(file, p.positional[0], parseInt(p.positional[1], 10));
      process.stdout.write(JSON.stringify({ site: p.positional[0], level: levels[p.positional[0]] || 0, file }) + '\n');
      return 0;
    }
    if (args[0] === 'list') {
      process.stdout.write(JSON.stringify(readLevels(file)) + '\n');
      return 0;
    }
  } catch (e: any) {
    if (e instanceof CliError) throw e;
    throw new CliError(`levels ${file}: ${e.message}`);
  }
  throw new CliError('usage: qrgate collector level set SITE N | level list');
}

async function report(args: string[]): Promise<number> {
  const p = parseArgs(args, { db: 'string', gate: 'string', from: 'string', to: 'string' });
  const store = await openStore(need(p, 'db'));
  try {
    const rows = await store.hourly({
      gateId: p.flags.gate as string | undefined,
      from: p.flags.from !== undefined ? parseTime(p.flags.from, 'from') : undefined,
      to: p.flags.to !== undefined ? parseTime(p.flags.to, 'to') : undefined,
    });
    for (const r of rows) process.stdout.write(JSON.stringify({ ...r, hour: isoTime(r.hour) }) + '\n');
  } finally {
    await store.close();
  }
  return 0;
}

async function query(args: string[]): Promise<number> {
  const p = parseArgs(args, { db: 'string', gate: 'string', from: 'string', to: 'string' });
  const store = await openStore(need(p, 'db'));
  try {
    const filter = {
      gateId: p.flags.gate as string | undefined,
      from: p.flags.from !== undefined ? parseTime(p.flags.from, 'from') : undefined,
      to: p.flags.to !== undefined ? parseTime(p.flags.to, 'to') : undefined,
    };
    for await (const r of store.query(filter)) process.stdout.write(JSON.stringify(recordJson(r)) + '\n');
  } finally {
    await store.close();
  }
  return 0;
}

async function trace(args: string[]): Promise<number> {
  const p = parseArgs(args, { db: 'string', 'site-secret': 'string', sub: 'string', 'sub-text': 'string', 'window-min': 'string' });
  const db = need(p, 'db');
  const secret = parseHex(need(p, 'site-secret'), 'site-secret', 1);
  if ((p.flags.sub === undefined) === (p.flags['sub-text'] === undefined)) throw new CliError('give one of --sub HEX or --sub-text TEXT');
  const sub = p.flags.sub !== undefined ? parseHex(p.flags.sub, 'sub', 1) : new Uint8Array(Buffer.from(p.flags['sub-text'], 'utf8'));
  const windowMin = p.flags['window-min'] !== undefined ? parseIntFlag(p.flags['window-min'], 'window-min', 0, 525600) : 30;
  const subject = new Uint8Array(crypto.createHmac('sha256', secret).update(sub).digest().subarray(0, 16));
  const store = await openStore(db);
  try {
    for (const hit of await store.trace(subject, windowMin * 60)) {
      const o = recordJson(hit.entry);
      o.contacts = hit.contacts.map((c) => {
        const x = recordJson(c);
        return { gateId: x.gateId, seq: x.seq, time: x.time, decision: x.decision, reason: x.reason,
          subject: x.subject, cert: x.cert, clockUntrusted: x.clockUntrusted };
      });
      process.stdout.write(JSON.stringify(o) + '\n');
    }
  } finally {
    await store.close();
  }
  return 0;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let d = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c) => { d += c; });
    process.stdin.on('end', () => resolve(d));
    process.stdin.on('error', reject);
  });
}

async function user(args: string[]): Promise<number> {
  const p = parseArgs(args, { users: 'string' });
  const file = need(p, 'users');
  const [action, name] = p.positional;
  if (action === 'list') {
    if (!fs.existsSync(file)) return 0;
    const u = readUsers(file);
    for (const n of Object.keys(u.users).sort()) process.stdout.write(JSON.stringify({ user: n, created: u.users[n].created }) + '\n');
    return 0;
  }
  if (!name || p.positional.length !== 2 || (action !== 'add' && action !== 'remove')) {
    throw new CliError('usage: qrgate collector user add|remove --users FILE NAME, or user list --users FILE');
  }
  if (action === 'remove') {
    if (!fs.existsSync(file) || !removeUser(file, name)) throw new CliError(`no user ${name} in ${file}`);
    return 0;
  }
  // The password comes on standard input (its first line), never on the command line.
  if (process.stdin.isTTY) process.stderr.write(`password for ${name} (then Enter, Ctrl-D): `);
  const password = (await readStdin()).split(/\r?\n/)[0];
  try {
    await setUser(file, name, password);
  } catch (e: any) {
    throw new CliError(e.message);
  }
  return 0;
}

async function gatesCmd(args: string[]): Promise<number> {
  const p = parseArgs(args, { gates: 'string', 'key-out': 'string' });
  const file = need(p, 'gates');
  const [action, id] = p.positional;
  try {
    if (action === 'list' && p.positional.length === 1) {
      if (!fs.existsSync(file)) return 0;
      for (const g of listGates(file)) process.stdout.write(JSON.stringify(g) + '\n');
      return 0;
    }
    if (action === 'add' && id && p.positional.length === 2) {
      const r = addGate(file, id, need(p, 'key-out'));
      process.stdout.write(JSON.stringify({ gate: r.gateId, fingerprint: r.fingerprint, keyFile: p.flags['key-out'] }) + '\n');
      return 0;
    }
    if (action === 'revoke' && id && p.positional.length === 2) {
      revokeGate(file, id);
      return 0;
    }
  } catch (e: any) {
    throw new CliError(e.code === 'EEXIST' ? `${p.flags['key-out']} exists: a key file is never overwritten` : e.message);
  }
  throw new CliError('usage: qrgate collector gates add --gates FILE GATE --key-out KEYFILE, gates list --gates FILE, gates revoke --gates FILE GATE');
}

async function conflictsCmd(args: string[]): Promise<number> {
  const p = parseArgs(args, { db: 'string' });
  const db = need(p, 'db');
  const store = await openStore(db);
  try {
    if (!store.conflicts) throw new CliError(`this store (${dbLabel(db)}) does not keep conflicting copies`);
    const rows = await store.conflicts();
    for (const r of rows) {
      // The copy stored first under the same name, beside the one kept apart (null: gone by retention).
      const stored = r.stored ? { ...recordJson(r.stored), receivedAt: isoTime(r.stored.receivedAt) } : null;
      process.stdout.write(JSON.stringify({ ...recordJson(r), epoch: r.epoch || 0, receivedAt: isoTime(r.receivedAt), stored }) + '\n');
    }
    if (rows.length) process.stderr.write(`${rows.length} conflicting record(s): the same gate, epoch and seq as a stored record with other contents\n`);
  } finally {
    await store.close();
  }
  return 0;
}

async function importCmd(args: string[]): Promise<number> {
  const p = parseArgs(args, { db: 'string', receipt: 'string' });
  const db = need(p, 'db');
  if (!p.positional.length) throw new CliError('give the batches files to import (qrgate logs pull --out FILE)');
  const files = p.positional.map((f) => ({ name: f, data: new Uint8Array(readFileOr(f, 'batches file')) }));
  const receiptFile = p.flags.receipt || p.positional[0] + '.receipt.json';
  let store: CollectorStore;
  try {
    store = await openAnyStore(db);
  } catch (e: any) {
    throw new CliError(`cannot open database ${dbLabel(db)}: ${e.message}`);
  }
  let out;
  try {
    out = await importBatches(store, db, files);
  } catch (e: any) {
    if (e instanceof ImportError) throw new CliError(e.message);
    throw e;
  } finally {
    await store.close();
  }
  // The receipt appears whole or not at all.
  const tmp = receiptFile + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(out.receipt) + '\n');
  fs.renameSync(tmp, receiptFile);
  process.stdout.write(JSON.stringify({ ...out.summary, receipt: receiptFile }) + '\n');
  return 0;
}

async function trustCmd(args: string[]): Promise<number> {
  const p = parseArgs(args.slice(1), { 'trust-dir': 'string', root: 'multi', config: 'string' });
  const dir = new TrustDir(need(p, 'trust-dir'));
  if (args[0] === 'status') {
    const pub = dir.published();
    const g = dir.gates();
    for (const id of Object.keys(g).sort()) {
      process.stdout.write(JSON.stringify({ gateId: id, version: g[id].version, link: g[id].link, at: isoTime(g[id].at),
        current: pub ? g[id].version >= pub.version : true }) + '\n');
    }
    return 0;
  }
  if (args[0] !== 'publish') throw new CliError('usage: qrgate collector trust publish|status --trust-dir DIR ...');
  if (p.positional.length !== 1) throw new CliError('give one trust bundle file to publish');
  const file = p.positional[0];
  const { bytes, b, roots } = readBundleAndRoots(file, p.flags);
  if (!roots.length) throw new CliError('give the root keys the gates trust (--root FILE or --config FILE): the bundle is checked before it is published');
  if (!roots.some((r) => verifySign1(b.sign1, r.publicKey))) throw new CliError(`${file}: the signature does not verify under any root key given: not published`);
  let r;
  try { r = dir.publish(bytes); } catch (e: any) { throw new CliError(`not published: ${e.message}`); }
  process.stdout.write(JSON.stringify({ published: r.version, previous: r.previous }) + '\n');
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub === 'trust') return trustCmd(args.slice(1));
  if (sub === 'user') return user(args.slice(1));
  if (sub === 'serve') return serve(args.slice(1));
  if (sub === 'query') return query(args.slice(1));
  if (sub === 'trace') return trace(args.slice(1));
  if (sub === 'import') return importCmd(args.slice(1));
  if (sub === 'level') return level(args.slice(1));
  if (sub === 'report') return report(args.slice(1));
  if (sub === 'gates') return gatesCmd(args.slice(1));
  if (sub === 'conflicts') return conflictsCmd(args.slice(1));
  throw new CliError(sub ? `unknown subcommand '${sub}' (serve, query, trace, import, trust, user, level, report, gates or conflicts)` : 'missing subcommand: serve, query, trace, import, trust, user, level, report, gates or conflicts');
}
