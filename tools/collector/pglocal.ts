// A private PostgreSQL for the tests and `make bench-collector` (Debian's `postgresql` package; `make test` installs it when
// missing and root): one private server per test process, its own data directory under the
// system's temporary directory, listening on 127.0.0.1 at a free port and on a socket in that
// directory, stopped when the process exits. Each caller gets a database of its own.
//
// QRGATE_PG_URL=postgres://... uses a server you run instead (the tests create and drop
// databases in it). Without a PostgreSQL installation, pgSkipReason() says why.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as net from 'net';
import { execFileSync, spawnSync } from 'child_process';
import { Client } from 'pg';

function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => +b - +a);
    for (const v of versions) {
      const bin = path.join(root, v, 'bin');
      if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
    }
  }
  const w = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return w.status === 0 && w.stdout.trim() ? path.dirname(w.stdout.trim()) : null;
}

export function pgSkipReason(): string | null {
  if (process.env.QRGATE_PG_URL) return null;
  if (!pgBinDir()) return 'PostgreSQL is not installed (apt-get install postgresql; `make test` does it when root)';
  if (process.getuid && process.getuid() === 0) {
    const id = spawnSync('id', ['-u', 'postgres']);
    if (id.status !== 0) return 'running as root and there is no postgres user to run the server as';
  }
  return null;
}

/** A free TCP port on 127.0.0.1 (for servers that must be told their port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

let server: Promise<string> | null = null;
let counter = 0;

/** Runs a PostgreSQL program as the postgres user when we are root (initdb refuses root). */
function asPostgres(bin: string, args: string[], opts: { cwd?: string } = {}): void {
  const root = process.getuid && process.getuid() === 0;
  const cmd = root ? 'runuser' : bin;
  const full = root ? ['-u', 'postgres', '--', bin, ...args] : args;
  execFileSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd || '/' });
}

async function startServer(): Promise<string> {
  if (process.env.QRGATE_PG_URL) return process.env.QRGATE_PG_URL;
  const bin = pgBinDir() as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-pg-'));
  const data = path.join(dir, 'data');
  const root = process.getuid && process.getuid() === 0;
  if (root) execFileSync('chown', ['postgres', dir]);
  fs.chmodSync(dir, 0o755);
  asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // fsync stays on: the store's durability is part of what the tests and benchmarks measure.
  const conf = [
    `listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${dir}'`,
    `max_connections = 200`, `shared_buffers = 128MB`, `logging_collector = off`,
  ].join('\n');
  fs.appendFileSync(path.join(data, 'postgresql.conf'), '\n' + conf + '\n');
  asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = () => {
    try { asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch (e) { /* already gone */ }
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch (e) { /* left behind in tmp */ }
  };
  process.once('exit', stop);
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** A fresh, empty database on the test server; returns its URL. */
export async function freshDatabase(): Promise<string> {
  if (!server) server = startServer();
  const adminUrl = await server;
  const name = `qrgate_t${process.pid}_${++counter}`;
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = '/' + name;
  return u.toString();
}
