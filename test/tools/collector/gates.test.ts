// Gate identity end to end (issue 13 items 1-2): the collector's registry (tools/collector/gates.ts),
// its authenticated /ingest (tools/collector/server.ts) and the gate's Wi-Fi uplink
// (drivers/uplink-wifi.ts with proto/gateauth.ts) over real HTTP and a real SQLite store:
// two boards flashed with the same key both get every record in; an unauthenticated, forged,
// revoked or replayed POST stores nothing; a forged or replayed answer acknowledges nothing and
// sets no clock; a true conflict is kept apart, loudly.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import * as crypto from 'crypto';
import { HttpClient, Timers } from '../../../hal/types';
import { UplinkWifi, UplinkAuth } from '../../../drivers/uplink-wifi';
import { Journal } from '../../../firmware/journal';
import { FlashImage } from '../../../sim/flash';
import { hmacSha256 } from '../../../firmware/crypto/sha256';
import { gateKeys } from '../../../proto/gateauth';
import { startCollectorServer, CollectorServer } from '../../../tools/collector/server';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { GateRegistry, addGate, revokeGate, listGates, readKeyFile } from '../../../tools/collector/gates';
import { identityFile } from '../../../tools/board/flasher';
import { StoredRecord } from '../../../tools/collector/store';

const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;
const NOW = Date.parse('2022-03-01T10:00:00Z') / 1000;
const hmac = (k: Uint8Array, d: Uint8Array) => hmacSha256(k, d);

/** Espruino's http over Node's (what sim/net.ts does for the sandbox). */
class NodeHttp implements HttpClient {
  sent: { headers: any; body: Uint8Array }[] = [];
  /** Rewrites an answer before the gate sees it (a forger on the path). */
  tamper: ((b: Uint8Array) => Uint8Array) | null = null;
  request(url: string, method: string, headers: any, body: Uint8Array, cb: (s: number, b: Uint8Array, e: string) => void): void {
    this.sent.push({ headers, body });
    const req = http.request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        const b = new Uint8Array(Buffer.concat(parts));
        cb(res.statusCode || 0, this.tamper ? this.tamper(b) : b, '');
      });
    });
    req.on('error', (e) => setImmediate(() => cb(0, new Uint8Array(0), e.message)));
    req.end(Buffer.from(body));
  }
}

const realTimers: Timers = {
  setTimeout: (cb, ms) => setTimeout(cb, ms) as any,
  clearTimeout: (id) => clearTimeout(id as any),
  setInterval: (cb, ms) => setInterval(cb, ms) as any,
  clearInterval: (id) => clearInterval(id as any),
};

function post(port: number, body: Uint8Array, headers: any = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/ingest', method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(Buffer.from(body));
  });
}

describe('collector: gate identity (registry, authenticated batches and answers)', function () {
  this.timeout(20000);
  let dir: string, gatesFile: string, store: SqliteStore, srv: CollectorServer, lines: any[];
  /** Every uplink made, stopped after each test (even a failed one). */
  let uplinks: UplinkWifi[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-gates-'));
    gatesFile = path.join(dir, 'gates.json');
    store = new SqliteStore(path.join(dir, 'c.db'));
    lines = [];
    srv = await startCollectorServer({
      store, host: '127.0.0.1', port: 0, gates: new GateRegistry(addAndTouch()), now: () => NOW,
      log: (l) => lines.push(JSON.parse(l)),
    });
  });
  afterEach(async () => {
    uplinks.forEach((u) => u.stop());
    uplinks = [];
    await srv.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function addAndTouch(): string {
    addGate(gatesFile, 'gate-1', path.join(dir, 'gate-1.key'));
    return gatesFile;
  }

  /** A board flashed with gate-1's key file: its journal, clock, identity (a fresh epoch), uplink. */
  function board(n: number, httpClient = new NodeHttp()) {
    const k = readKeyFile(path.join(dir, 'gate-1.key'));
    const j = new Journal({ storage: new FlashImage({ size: 64 * 1024, pageSize: 4096 }).storage(), gateId: 'gate-1' });
    j.open();
    for (let i = 0; i < n; i++) j.append({ time: T0 + i, subject: new Uint8Array(16).fill(i + 7 * n), cert: new Uint8Array(16) });
    const keys = gateKeys(Buffer.from(identityFile(new Uint8Array(k.key))).toString('latin1'), hmac);
    const clock = { t: 0, sets: [] as number[] };
    const events: { what: string; f: any }[] = [];
    const auth: UplinkAuth = { keys, hmac, now: () => clock.t, onTime: (t) => { clock.t = t; clock.sets.push(t); } };
    const up = new UplinkWifi({
      http: httpClient, timers: realTimers, source: j, url: `http://127.0.0.1:${srv.port}/ingest`, gateId: 'gate-1',
      batchSize: 10, intervalMs: 60000, random: Math.random, auth, onEvent: (what, f) => events.push({ what, f }),
    });
    uplinks.push(up);
    return { j, up, clock, events, http: httpClient, keys };
  }

  async function until(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(cond(), 'timed out');
  }

  async function rows(): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for await (const r of store.query({})) out.push(r);
    return out;
  }

  it('keeps keys secret: the key file and registry are 0600, list shows a fingerprint, never the key', () => {
    const key = readKeyFile(path.join(dir, 'gate-1.key')).key.toString('hex');
    assert.equal(fs.statSync(gatesFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'gate-1.key')).mode & 0o777, 0o600);
    const l = listGates(gatesFile);
    assert.equal(l.length, 1);
    assert.equal(JSON.stringify(l).indexOf(key), -1);
    assert.throws(() => addGate(gatesFile, 'gate-1', path.join(dir, 'other.key')), /revoke it first/);
  });

  it('two boards flashed with the same key file both get every record in (epochs differ), and their clocks are set', async () => {
    const a = board(3), b = board(3);
    assert.notEqual(a.keys.epoch, b.keys.epoch);
    a.up.start(0); b.up.start(0);
    await until(() => a.j.stats().pending === 0 && b.j.stats().pending === 0);
    a.up.stop(); b.up.stop();
    const r = await rows();
    assert.equal(r.length, 6, 'seqs 0-2 of each board, none thrown away as a conflict');
    assert.deepEqual(r.map((x) => x.epoch).sort(), [a.keys.epoch, a.keys.epoch, a.keys.epoch, b.keys.epoch, b.keys.epoch, b.keys.epoch].sort());
    assert.equal(lines.filter((l) => l.ev === 'ingest' && l.conflicts).length, 0);
    assert.deepEqual(a.clock.sets, [NOW]);
    assert.deepEqual(b.clock.sets, [NOW]);
  });

  it('stores nothing from an unauthenticated, forged, unknown or revoked POST, and logs why', async () => {
    const a = board(2);
    a.up.start(0);
    await until(() => a.j.stats().pending === 0);
    a.up.stop();
    const good = a.http.sent[0];
    await store.close();
    store = new SqliteStore(path.join(dir, 'c2.db'));
    await srv.close();
    srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, gates: new GateRegistry(gatesFile), now: () => NOW, log: (l) => lines.push(JSON.parse(l)) });
    // no MAC
    assert.equal((await post(srv.port, good.body)).status, 401);
    // a MAC under another key
    const forged = crypto.createHmac('sha256', crypto.randomBytes(32)).update(good.body).digest('hex');
    assert.equal((await post(srv.port, good.body, { 'x-qg-mac': forged })).status, 401);
    // a byte changed under the right MAC
    const changed = Buffer.from(good.body); changed[changed.length - 1] ^= 1; // the nonce (still a valid Batch)
    assert.equal((await post(srv.port, changed, { 'x-qg-mac': good.headers['X-QG-MAC'] })).status, 401);
    assert.equal((await rows()).length, 0);
    // the genuine one goes in once; its replay is refused
    assert.equal((await post(srv.port, good.body, { 'x-qg-mac': good.headers['X-QG-MAC'] })).status, 200);
    assert.equal((await rows()).length, 2);
    const replay = await post(srv.port, good.body, { 'x-qg-mac': good.headers['X-QG-MAC'] });
    assert.equal(replay.status, 401);
    assert.match(replay.body.toString(), /replayed/);
    // revoked: refused from now on
    revokeGate(gatesFile, 'gate-1');
    const b = board(1);
    b.up.start(0);
    await until(() => b.events.some((e) => e.what === 'failed'));
    b.up.stop();
    assert.equal(b.j.stats().pending, 1);
    assert.equal((await rows()).length, 2);
    const why = lines.filter((l) => l.ev === 'refused').map((l) => l.why);
    assert.deepEqual(why, ['no X-QG-MAC header', 'bad MAC', 'bad MAC', 'replayed batch (nonce seen)', 'revoked gate']);
  });

  it('sees a revoke written in the same clock tick as the change before it (same time, size and inode)', () => {
    const f = path.join(dir, 'racy.json');
    const k = crypto.randomBytes(32).toString('hex');
    const first = JSON.stringify({ gates: { g: { key: k, added: '2022-01-01T00:00:00Z' } } });
    const second = JSON.stringify({ gates: { g: { key: k, revoked: '2022-01-01' } } });
    const T = 1700000000; // whole seconds: utimes keeps them exactly
    fs.writeFileSync(f, first);
    fs.utimesSync(f, T, T);
    const reg = new GateRegistry(f);
    assert.ok(!('refused' in reg.lookup('g')));
    const before = fs.statSync(f);
    // In place (the same inode), the same size, the modification time put back: what two writes
    // within one tick of the file system's clock look like to stat().
    fs.writeFileSync(f, second.padEnd(first.length, ' '));
    fs.utimesSync(f, T, T);
    const after = fs.statSync(f);
    assert.deepEqual([after.ino, after.size, after.mtimeMs], [before.ino, before.size, before.mtimeMs]);
    assert.deepEqual(reg.lookup('g'), { refused: 'revoked gate' });
  });

  it('a forged or replayed answer acknowledges nothing and sets no clock', async () => {
    // forged: the time changed in transit (the mac no longer checks)
    const h = new NodeHttp();
    h.tamper = (b) => {
      const c = new Uint8Array(b);
      const i = Buffer.from(c).indexOf(0x1d); // Ack.time's tag (field 3, fixed32)
      if (i >= 0) c[i + 4] ^= 0x01;
      return c;
    };
    const a = board(2, h);
    a.up.start(0);
    await until(() => a.events.some((e) => e.what === 'failed'));
    a.up.stop();
    assert.match(a.events.find((e) => e.what === 'failed')!.f.error, /not authenticated/);
    assert.equal(a.j.stats().pending, 2, 'records stay until an authenticated answer');
    assert.deepEqual(a.clock.sets, []);
    assert.equal((await rows()).length, 2, '(the collector did store them: the gate sends them again, duplicates)');
    // replayed: an earlier genuine answer given to a later request (its nonce is not this one's)
    let old: Uint8Array | null = null;
    const h2 = new NodeHttp();
    h2.tamper = (b) => { if (!old) { old = b; return b; } return old; };
    const c = board(1, h2);
    c.up.start(0);
    await until(() => c.j.stats().pending === 0);
    c.j.append({ time: T0 + 50, subject: new Uint8Array(16), cert: new Uint8Array(16) });
    c.clock.sets.length = 0;
    c.up.kick();
    await until(() => c.events.some((e) => e.what === 'failed'));
    c.up.stop();
    assert.equal(c.j.stats().pending, 1);
    assert.deepEqual(c.clock.sets, []);
  });

  it('keeps a true conflict (same gate, epoch and seq, other contents) apart, and says so', async () => {
    const a = board(2);
    a.up.start(0);
    await until(() => a.j.stats().pending === 0);
    a.up.stop();
    // the same identity sends other contents under seqs 0-1 (a board restored from an old image)
    const j2 = new Journal({ storage: new FlashImage({ size: 64 * 1024, pageSize: 4096 }).storage(), gateId: 'gate-1' });
    j2.open();
    j2.append({ time: T0 + 99, subject: new Uint8Array(16).fill(1), cert: new Uint8Array(16) });
    const b = new UplinkWifi({
      http: new NodeHttp(), timers: realTimers, source: j2, url: `http://127.0.0.1:${srv.port}/ingest`, gateId: 'gate-1',
      batchSize: 10, intervalMs: 60000, auth: { keys: a.keys, hmac, now: () => 0 },
    });
    uplinks.push(b);
    b.start(0);
    await until(() => j2.stats().pending === 0);
    b.stop();
    assert.equal((await rows()).length, 2, 'the first copy stays');
    const kept = await store.conflicts();
    assert.equal(kept.length, 1);
    assert.equal(kept[0].time, T0 + 99);
    assert.equal(kept[0].epoch, a.keys.epoch);
    assert.ok(lines.some((l) => l.ev === 'ingest' && l.conflicts === 1 && /conflict/.test(l.fault)));
  });
});
