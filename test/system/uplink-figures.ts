// The entry-log uplink's figures (issue 5 closing note), computed with the real code paths:
//   npx tsx test/system/uplink-figures.ts
// bytes per record in flash (journal frames and the ack frames the uplink writes), on air (Wi-Fi:
// the Batch body and the measured HTTP bytes per batch; LoRa: FRMPayload and PHY bytes), records
// per LoRa uplink for each EU868 data rate, and how long a day's backlog of 2,000 entries takes to
// drain: Wi-Fi measured on the host's loopback against the real collector, LoRa from airtime under
// the 1% duty cycle: T = uplinks x airtime(frame) / 0.01.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import * as net from 'net';
import { Journal, SEG_HEADER } from '../../firmware/journal';
import { FlashImage } from '../../sim/flash';
import { LogEntry, encodeLogRecord } from '../../proto/logrecord';
import { LoraFrameWriter } from '../../proto/lorawire';
import { EU868_MAX_PAYLOAD, uplinkAirtimeMs, dutyCycleWaitMs, LORAWAN_OVERHEAD } from '../../drivers/rn2483';
import { UplinkWifi } from '../../drivers/uplink-wifi';
import { HttpClient, Timers } from '../../hal/types';
import { SqliteStore } from '../../tools/collector/sqlite';
import { startCollectorServer } from '../../tools/collector/server';

const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;
const N = 2000;
const GATE = 'gate-east-door';

/** A day's entries: one every 30 s over ~17 h, kid issuer-1 (QG1), open/ok. */
function entry(i: number): LogEntry {
  return {
    time: T0 + 30 * i, decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array(Buffer.from('issuer-1')),
    subject: new Uint8Array(16).fill(i & 255), cert: new Uint8Array(16).fill((i * 7) & 255),
  };
}

/** Flash bytes per record when records are acknowledged `perAck` at a time. */
function flashPerRecord(perAck: number): number {
  const j = new Journal({ storage: new FlashImage({ size: 512 * 1024, pageSize: 4096 }).storage(), gateId: GATE, segments: 2, segmentSize: 65536 });
  j.open();
  const n = 500;
  for (let i = 0; i < n; i++) {
    j.append(entry(i));
    if ((i + 1) % perAck === 0) j.ack([{ first: i + 1 - perAck, last: i }]);
  }
  return (j.stats().bytesUsed - SEG_HEADER) / n;
}

function loraFrames(dr: number): { perUplink: number; payload: number[] } {
  const payload: number[] = [];
  let i = 0, per = 0;
  while (i < N) {
    const w = new LoraFrameWriter(EU868_MAX_PAYLOAD[dr]);
    let k = 0;
    for (; i < N; i++, k++) {
      const e = entry(i);
      const rec = { seq: 10000 + i, time: e.time, kind: 'entry', decision: 'open', reason: 'ok', format: 'qg1', kid: e.kid!, subject: e.subject!, cert: e.cert!, clockUntrusted: false, dropped: 0 };
      if (!w.addRecord(rec)) break;
    }
    per = Math.max(per, k);
    payload.push(w.finish().length);
  }
  return { perUplink: per, payload };
}

/** A Node HttpClient for the Wi-Fi driver on the host (what sim/net.ts gives the sandbox). */
function nodeHttp(): HttpClient {
  return {
    request(url, method, headers, body, cb) {
      const u = new URL(url);
      const r = http.request({ host: u.hostname, port: Number(u.port), path: u.pathname, method, headers: { ...headers, 'content-length': String(body.length), connection: 'close' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => cb(res.statusCode || 0, new Uint8Array(Buffer.concat(parts)), ''));
      });
      r.on('error', (e) => setTimeout(() => cb(0, new Uint8Array(0), e.message), 0));
      r.end(Buffer.from(body));
    },
  };
}

const nodeTimers: Timers = {
  setTimeout: (cb, ms) => setTimeout(cb, ms) as any,
  clearTimeout: (id) => clearTimeout(id as any),
  setInterval: (cb, ms) => setInterval(cb, ms) as any,
  clearInterval: (id) => clearInterval(id as any),
};

async function wifiDrain(batch: number): Promise<{ ms: number; requests: number; up: number; down: number; body: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-figures-'));
  const store = new SqliteStore(path.join(dir, 'c.db'));
  const srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0 });
  // a counting TCP proxy in front of the collector: bytes on the wire, both ways
  let up = 0, down = 0;
  const proxy = net.createServer((c) => {
    const s = net.connect(srv.port, '127.0.0.1');
    c.on('data', (d) => { up += d.length; s.write(d); });
    s.on('data', (d) => { down += d.length; c.write(d); });
    c.on('end', () => s.end()); s.on('end', () => c.end());
    c.on('error', () => s.destroy()); s.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const port = (proxy.address() as net.AddressInfo).port;
  const j = new Journal({ storage: new FlashImage({ size: 896 * 1024, pageSize: 4096 }).storage(), gateId: GATE, segments: 16, segmentSize: 16384 });
  j.open();
  for (let i = 0; i < N; i++) j.append(entry(i));
  let requests = 0, body = 0;
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    const u = new UplinkWifi({
      http: nodeHttp(), timers: nodeTimers, source: j, url: `http://127.0.0.1:${port}/ingest`, gateId: GATE, batchSize: batch,
      intervalMs: 10000, onEvent: (what, f) => {
        if (what === 'sent') { requests++; body += f.bytes; }
        if (what === 'acked' && j.stats().pending === 0) { u.stop(); resolve(); }
        if (what === 'failed') throw new Error(f.error);
      },
    });
    u.start(0);
  });
  const ms = Date.now() - t0;
  proxy.close();
  await srv.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, requests, up, down, body };
}

function hms(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(2)} h`;
  return `${(s / 86400).toFixed(2)} days`;
}

async function main(): Promise<void> {
  const rec = encodeLogRecord(entry(0), 10000).length;
  console.log(`A typical record (QG1, kid "issuer-1", open/ok, seq 10000): LogRecord ${rec} bytes`);
  console.log('');
  console.log('Flash (journal frames 5 + record, plus the ack frames the uplink appends):');
  for (const [what, k] of [['Wi-Fi, batches of 20', 20], ['LoRa DR5, 5 per ack', 5], ['LoRa DR0, 1 per ack', 1]] as [string, number][]) {
    console.log(`  ${what}: ${flashPerRecord(k).toFixed(1)} bytes/record`);
  }
  console.log('');
  const w = await wifiDrain(20);
  console.log(`Wi-Fi (batch 20): Batch body ${(w.body / N).toFixed(1)} bytes/record; on the wire (HTTP/1.1 over TCP payload, both ways) ` +
    `${((w.up + w.down) / N).toFixed(1)} bytes/record = ${(w.up / w.requests).toFixed(0)} up + ${(w.down / w.requests).toFixed(0)} down per batch`);
  console.log(`  drain 2,000: ${w.requests} requests, ${hms(w.ms)} measured on the host loopback (real collector, SQLite synchronous=FULL);` +
    ` on a board ~ ${w.requests} x (request time) e.g. ${hms(w.requests * 500)} at 0.5 s per request`);
  console.log('');
  console.log('LoRa EU868 (unconfirmed uplinks, FPort 2; PHY = FRMPayload + 13):');
  console.log('  DR  SF  max  rec/uplink  FRMPayload/rec  PHY/rec  airtime/uplink  off-period  uplinks  drain 2,000 at 1%');
  for (let dr = 0; dr <= 5; dr++) {
    const f = loraFrames(dr);
    const full = f.payload[0];
    const air = uplinkAirtimeMs(full, dr);
    // every uplink waits its own off-period (the last one is partly full)
    let total = 0;
    for (const p of f.payload) total += dutyCycleWaitMs(uplinkAirtimeMs(p, dr));
    // plus the definitions frame (gate id + kid) at the start and the poll that fetches the last answer
    total += dutyCycleWaitMs(uplinkAirtimeMs(27, dr)) + dutyCycleWaitMs(uplinkAirtimeMs(1, dr));
    console.log(`  ${dr}   ${12 - dr}  ${String(EU868_MAX_PAYLOAD[dr]).padStart(3)}  ${String(f.perUplink).padStart(10)}  ` +
      `${(full / f.perUplink).toFixed(1).padStart(14)}  ${((full + LORAWAN_OVERHEAD) / f.perUplink).toFixed(1).padStart(7)}  ` +
      `${(air.toFixed(1) + ' ms').padStart(14)}  ${hms(dutyCycleWaitMs(air)).padStart(10)}  ${String(f.payload.length + 2).padStart(7)}  ${hms(total)}` +
      `  (at most ${Math.floor(86400000 / dutyCycleWaitMs(air)) * f.perUplink} records/day)`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
