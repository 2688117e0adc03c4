// A gate whose uplink.url names the collector's root (or any path it does not serve): the
// collector's 404 names what it serves; the Wi-Fi uplink reports the misconfiguration once as a
// fault (console, qgStatus()), not at every retry, and clears it when the collector accepts again.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { FakeTimers } from '../../fakes/hal';
import { HttpClient } from '../../../hal/types';
import { UplinkWifi } from '../../../drivers/uplink-wifi';
import { startWifiUplink } from '../../../firmware/uplink/wifi';
import { validateConfig } from '../../../firmware/config';
import { statusJson } from '../../../firmware/status';
import { Journal } from '../../../firmware/journal';
import { FlashImage } from '../../../sim/flash';
import { encodeAck, decodeBatch } from '../../../proto/logrecord';
import { startCollectorServer, CollectorServer } from '../../../tools/collector/server';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { runScenario, DEFAULT_BUNDLE } from '../../../sim/scenario';
import { personCert } from '../../system/make-uplink-scenarios';
import { REPO } from '../../util/shared';
import { consoleEvents } from '../../../firmware/events';

const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;

class ScriptedHttp implements HttpClient {
  reqs: string[] = [];
  constructor(private timers: FakeTimers, public answer: (body: Uint8Array) => [number, Uint8Array]) {}
  request(url: string, method: string, headers: any, body: Uint8Array, cb: (s: number, b: Uint8Array, e: string) => void): void {
    this.reqs.push(url);
    const [s, b] = this.answer(body);
    this.timers.setTimeout(() => cb(s, b, ''), 5);
  }
}

function journal(): Journal {
  const j = new Journal({ storage: new FlashImage({ size: 64 * 1024, pageSize: 4096 }).storage(), gateId: 'gate-1' });
  j.open();
  for (let i = 0; i < 3; i++) j.append({ time: T0 + i, subject: new Uint8Array(16).fill(i), cert: new Uint8Array(16) });
  return j;
}

const text = (s: string) => new Uint8Array(Buffer.from(s));
const ackAll = (body: Uint8Array): [number, Uint8Array] => {
  const b = decodeBatch(body);
  return [200, encodeAck('gate-1', b.records.map((r) => ({ first: r.seq, last: r.seq })))];
};

async function get(port: number, method: string, p: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers: { 'content-type': 'application/x-protobuf' } }, (res) => {
      let d = '';
      res.on('data', (c) => { d += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(d) }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? Buffer.from([10, 1, 103]) : undefined);
  });
}

describe('uplink misconfiguration (a wrong uplink.url)', function () {
  this.timeout(60000);

  it('the collector answers a path it does not serve with 404 naming the paths it serves', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-misconf-'));
    const store = new SqliteStore(path.join(dir, 'c.db'));
    const srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0 });
    try {
      for (const [m, p] of [['POST', '/'], ['GET', '/'], ['POST', '/ingest/'], ['POST', '/collector/ingest']]) {
        const r = await get(srv.port, m, p);
        assert.equal(r.status, 404, `${m} ${p}`);
        assert.match(r.body.error, /POST \/ingest/);
        assert.match(r.body.error, /POST \/lorawan/);
        assert.ok(r.body.paths.some((x: string) => x.indexOf('uplink.url http://HOST:PORT/ingest') >= 0));
      }
      assert.equal((await get(srv.port, 'GET', '/ingest')).status, 405);
    } finally {
      await srv.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('driver: persistent refusals (404, 405, 400 ...) are one misconfigured event; a 503 or no answer is not', () => {
    for (const status of [400, 401, 403, 404, 405, 415]) {
      const timers = new FakeTimers();
      const h = new ScriptedHttp(timers, () => [status, text('{"error":"no such path /"}')]);
      const events: { what: string; f: any }[] = [];
      const up = new UplinkWifi({
        http: h, timers, source: journal(), url: 'http://127.0.0.1:8700/', gateId: 'gate-1', batchSize: 5,
        intervalMs: 1000, maxBackoffMs: 8000, random: () => 0.5, onEvent: (what, f) => events.push({ what, f }),
      });
      up.start(0);
      timers.advance(120000);
      assert.ok(h.reqs.length >= 10, `${status}: retries go on (${h.reqs.length})`);
      const mis = events.filter((e) => e.what === 'misconfigured');
      assert.equal(mis.length, 1, `${status}: once`);
      assert.equal(mis[0].f.status, status);
      assert.equal(mis[0].f.url, 'http://127.0.0.1:8700/');
      assert.match(mis[0].f.said, /no such path/);
      // Fixed (the collector now takes the batches): recovered, once.
      h.answer = ackAll;
      timers.advance(120000);
      assert.equal(events.filter((e) => e.what === 'recovered').length, 1);
      up.stop();
    }
    for (const status of [0, 500, 503]) {
      const timers = new FakeTimers();
      const h = new ScriptedHttp(timers, () => [status, new Uint8Array(0)]);
      const events: string[] = [];
      const up = new UplinkWifi({
        http: h, timers, source: journal(), url: 'http://127.0.0.1:8700/ingest', gateId: 'gate-1', batchSize: 5,
        intervalMs: 1000, maxBackoffMs: 8000, random: () => 0.5, onEvent: (what) => events.push(what),
      });
      up.start(0);
      timers.advance(120000);
      assert.ok(events.filter((w) => w === 'failed').length >= 10);
      assert.equal(events.indexOf('misconfigured'), -1, `${status} is not a misconfiguration`);
      up.stop();
    }
  });

  it('firmware: one fault event on the console, and qgStatus() lists it until the collector accepts', () => {
    const timers = new FakeTimers();
    const h = new ScriptedHttp(timers, () => [404, text('{"error":"no such path /"}')]);
    const lines: string[] = [];
    const faults: { [k: string]: any } = {};
    const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
    const v = validateConfig({ ...base, gateId: 'gate-1', uplink: { transport: 'wifi', url: 'http://127.0.0.1:8700/', intervalMs: 1000, wifi: { ssid: 's', password: 'p' } } });
    assert.ok(v.config, JSON.stringify(v));
    const j = journal();
    startWifiUplink(v.config!, j, timers, consoleEvents({ log: (l: string) => lines.push(l) }), {
      httpClient: () => h, wifiConnect: (s, p, cb) => { timers.setTimeout(() => cb(null), 1); },
      serialPort: () => { throw new Error('no'); }, outputPin: () => { throw new Error('no'); }, faults,
    });
    timers.advance(3600000);
    const faultLines = lines.filter((l) => l.indexOf('@qg {"ev":"fault"') === 0);
    assert.equal(faultLines.length, 1, faultLines.join('\n'));
    const f = JSON.parse(faultLines[0].slice(4));
    assert.equal(f.what, 'uplink');
    assert.equal(f.status, 404);
    assert.match(f.why, /\/ingest/);
    const st = () => JSON.parse(statusJson({
      storage: new FlashImage().storage(), sha256: () => new Uint8Array(32), memory: { usage: () => 1, total: () => 2 },
      version: "x", board: "esp32", config: v.config!, trust: { bundle: null }, now: () => null, backlog: () => 0, fault: '', journal: j, faults,
    }));
    assert.deepEqual(st().faults.map((x: any) => [x.what, x.status]), [['uplink', 404]]);
    assert.equal(st().fault, '', 'the boot fault is another thing: the gate still decides');
    h.answer = ackAll;
    timers.advance(3600000);
    assert.deepEqual(st().faults, []);
    assert.equal(j.stats().pending, 0);
  });

  it('dist/gate.js on the simulated board, uplink.url = the collector root: the fault once, every retry failing', async function () {
    if (!fs.existsSync(DEFAULT_BUNDLE)) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-misconf-'));
    const store = new SqliteStore(path.join(dir, 'c.db'));
    const srv: CollectorServer = await startCollectorServer({ store, host: '127.0.0.1', port: 0 });
    try {
      const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
      const lines: string[] = [];
      const res = await runScenario({
        config: { ...base, uplink: { transport: 'wifi', url: `http://127.0.0.1:${srv.port}/`, intervalMs: 1000, wifi: { ssid: 's', password: 'p' } } },
        trust: 'test/fixtures/trust.bin', clock: '2021-09-27T08:00:00Z',
        steps: [{ scan: personCert(1) }, { wait: 600000 }, { expect: { events: { fault: 1 } } }],
      }, { baseDir: REPO, out: (l) => lines.push(l) });
      const evs = lines.map((l) => JSON.parse(l));
      assert.ok(res.ok, res.failures.join('\n') + '\n' + lines.slice(-10).join('\n'));
      const fault = evs.filter((e) => e.event === 'fault')[0];
      assert.equal(fault.what, 'uplink');
      assert.equal(fault.status, 404);
      assert.match(fault.said, /POST \/ingest/, 'the collector said what it serves');
      assert.ok(evs.filter((e) => e.event === 'uplink' && e.what === 'failed').length >= 5);
    } finally {
      await srv.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
