// drivers/uplink-wifi.ts with fakes: one request at a time, acknowledgement only on a 200 whose
// Ack names this gate, bounded exponential backoff with jitter, a backlog drained at once, and a
// dead link that never blocks (every call returns at once; nothing runs synchronously).
import { strict as assert } from 'assert';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { FakeTimers } from '../fakes/hal';
import { HttpClient } from '../../hal/types';
import { UplinkWifi, UplinkWifiOptions, clipRanges, backoffMs, BatchSource } from '../../drivers/uplink-wifi';
import { Journal } from '../../firmware/journal';
import { FlashImage } from '../../sim/flash';
import { encodeAck, decodeBatch, AckRange } from '../../proto/logrecord';

const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;

interface Req { url: string; method: string; headers: any; body: Uint8Array; cb: (s: number, b: Uint8Array, e: string) => void; at: number }

class FakeHttp implements HttpClient {
  reqs: Req[] = [];
  constructor(private timers: FakeTimers) {}
  request(url: string, method: string, headers: any, body: Uint8Array, cb: Req['cb']): void {
    this.reqs.push({ url, method, headers, body, cb, at: this.timers.now });
  }
  get last(): Req { return this.reqs[this.reqs.length - 1]; }
  /** Answers the latest request (asynchronously, as a real client does). */
  answer(status: number, body: Uint8Array = new Uint8Array(0), error = ''): void {
    const r = this.last;
    this.timers.setTimeout(() => r.cb(status, body, error), 0);
  }
  /** The collector's answer to the latest request: an Ack of all its seqs for gateId. */
  ackAll(gateId = 'gate-1'): void {
    const b = decodeBatch(this.last.body);
    this.answer(200, encodeAck(gateId, b.records.length ? [{ first: b.records[0].seq, last: b.records[b.records.length - 1].seq }] : []));
  }
}

function journal(): Journal {
  const j = new Journal({ storage: new FlashImage({ size: 64 * 1024, pageSize: 4096 }).storage(), gateId: 'gate-1' });
  j.open();
  return j;
}

function fill(j: Journal, n: number): void {
  for (let i = 0; i < n; i++) j.append({ time: T0 + i, decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array([1, 2]), subject: new Uint8Array(16).fill(i), cert: new Uint8Array(16) });
}

function setup(over: Partial<UplinkWifiOptions> = {}, source?: BatchSource) {
  const timers = new FakeTimers();
  const http = new FakeHttp(timers);
  const j = journal();
  const events: { what: string; f: any; t: number }[] = [];
  const up = new UplinkWifi({
    http, timers, source: source || j, url: 'http://127.0.0.1:8700/ingest', gateId: 'gate-1', batchSize: 5,
    intervalMs: 10000, maxBackoffMs: 600000, random: () => 0.5, onEvent: (what, f) => events.push({ what, f, t: timers.now }),
    ...over,
  });
  return { timers, http, j, events, up };
}

describe('uplink-wifi', () => {
  it('posts batches to the url and removes records only when acknowledged', () => {
    const { timers, http, j, up, events } = setup();
    fill(j, 12);
    up.start(0);
    assert.equal(http.reqs.length, 0, 'nothing runs synchronously');
    timers.flush();
    assert.equal(http.reqs.length, 1);
    const r = http.last;
    assert.equal(r.url, 'http://127.0.0.1:8700/ingest');
    assert.equal(r.method, 'POST');
    assert.equal(r.headers['Content-Type'], 'application/x-protobuf');
    const b = decodeBatch(r.body);
    assert.equal(b.gateId, 'gate-1');
    assert.deepEqual(b.records.map((x) => x.seq), [0, 1, 2, 3, 4]);
    assert.equal(j.stats().pending, 12);
    http.ackAll();
    timers.flush();
    assert.equal(j.stats().pending, 7);
    // a backlog drains at once: the next batch follows without waiting for the interval
    assert.equal(http.reqs.length, 2);
    assert.deepEqual(decodeBatch(http.last.body).records.map((x) => x.seq), [5, 6, 7, 8, 9]);
    http.ackAll(); timers.flush();
    http.ackAll(); timers.flush();
    assert.equal(j.stats().pending, 0);
    assert.equal(http.reqs.length, 3);
    // nothing left: the next look is an interval later, and sends nothing
    timers.advance(10000);
    assert.equal(http.reqs.length, 3);
    fill(j, 1);
    timers.advance(10000);
    assert.equal(http.reqs.length, 4);
    assert.deepEqual(events.filter((e) => e.what === 'acked').map((e) => e.f.acked), [5, 5, 2]);
  });

  it('each batch says how many records stay behind it (Batch.backlog, field 8)', () => {
    const { timers, http, j, up } = setup();
    const PBatch = protobuf.loadSync(path.join(__dirname, '..', '..', 'proto', 'log.proto')).lookupType('qrgate.log.Batch');
    const backlog = () => (PBatch.toObject(PBatch.decode(http.last.body), { defaults: true }) as any).backlog;
    fill(j, 12);
    up.start(0);
    timers.flush();
    assert.equal(backlog(), 7, '12 pending, 5 sent');
    http.ackAll(); timers.flush();
    assert.equal(backlog(), 2);
    http.ackAll(); timers.flush();
    assert.equal(decodeBatch(http.last.body).records.length, 2);
    assert.equal(backlog(), 0, 'the last batch leaves none behind');
    up.stop();
  });

  it('never overlaps requests, and a late answer after its timeout is ignored', () => {
    const { timers, http, j, up, events } = setup({ requestTimeoutMs: 30000 });
    fill(j, 3);
    up.start(0);
    timers.flush();
    assert.equal(http.reqs.length, 1);
    up.kick();
    timers.advance(29999);
    assert.equal(http.reqs.length, 1, 'no second request while one is in flight');
    timers.advance(1);
    const failed = events.filter((e) => e.what === 'failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].f.error, 'timeout');
    const first = http.reqs[0];
    // the collector's answer to the abandoned request arrives now: ignored
    first.cb(200, encodeAck('gate-1', [{ first: 0, last: 2 }]), '');
    assert.equal(j.stats().pending, 3);
    timers.advance(failed[0].f.retryMs);
    assert.equal(http.reqs.length, 2);
  });

  it('acknowledges nothing without a 200 and a decodable Ack of this gate', () => {
    const cases: [number, Uint8Array, string][] = [
      [500, new Uint8Array(0), 'status 500'],
      [0, new Uint8Array(0), 'ECONNREFUSED'],
      [200, new Uint8Array([0x0a, 0x09, 1]), 'bad ack'],
      [200, encodeAck('gate-2', [{ first: 0, last: 9 }]), 'ack for gate gate-2'],
      [404, encodeAck('gate-1', [{ first: 0, last: 9 }]), 'status 404'],
    ];
    for (const [status, body, why] of cases) {
      const { timers, http, j, up, events } = setup();
      fill(j, 3);
      up.start(0);
      timers.flush();
      http.answer(status, body, status === 0 ? 'ECONNREFUSED' : '');
      timers.flush();
      assert.equal(j.stats().pending, 3, why);
      const f = events.find((e) => e.what === 'failed');
      assert.ok(f && String(f.f.error).indexOf(why) === 0, `${why}: ${f && f.f.error}`);
    }
  });

  it('acknowledges only the seqs it sent, even when the Ack names more', () => {
    assert.deepEqual(clipRanges([{ first: 0, last: 100 }], [3, 4, 5, 9]), [{ first: 3, last: 5 }, { first: 9, last: 9 }]);
    assert.deepEqual(clipRanges([{ first: 4, last: 4 }, { first: 9, last: 20 }], [3, 4, 5, 9]), [{ first: 4, last: 4 }, { first: 9, last: 9 }]);
    const { timers, http, j, up } = setup({ batchSize: 2 });
    fill(j, 5);
    up.start(0);
    timers.flush();
    http.answer(200, encodeAck('gate-1', [{ first: 0, last: 4 }]));
    timers.flush();
    assert.equal(j.stats().pending, 3);
  });

  it('backs off exponentially, bounded, with jitter in [d/2, d]; success resets it', () => {
    assert.equal(backoffMs(10000, 600000, 1, 0), 5000);
    assert.equal(backoffMs(10000, 600000, 1, 0.999999), 9999);
    assert.equal(backoffMs(10000, 600000, 4, 1), 80000);
    assert.equal(backoffMs(10000, 600000, 30, 1), 600000);
    assert.equal(backoffMs(10000, 600000, 30, 0), 300000);
    const { timers, http, j, up, events } = setup({ random: () => 1 - 1e-9 });
    fill(j, 2);
    up.start(0);
    timers.flush();
    const gaps: number[] = [];
    for (let i = 0; i < 9; i++) {
      const n = http.reqs.length;
      http.answer(0, new Uint8Array(0), 'ECONNREFUSED');
      timers.flush();
      const f = events.filter((e) => e.what === 'failed').pop()!;
      timers.advance(f.f.retryMs - 1);
      assert.equal(http.reqs.length, n, 'not before the backoff');
      timers.advance(1);
      assert.equal(http.reqs.length, n + 1);
      gaps.push(f.f.retryMs);
    }
    assert.deepEqual(gaps, [9999, 19999, 39999, 79999, 159999, 319999, 599999, 599999, 599999]);
    http.ackAll(); timers.flush();
    assert.equal(j.stats().pending, 0);
    fill(j, 1);
    timers.advance(10000);
    http.answer(503);
    timers.flush();
    assert.equal(events.filter((e) => e.what === 'failed').pop()!.f.retryMs, 9999, 'after a success the backoff starts over');
  });

  it('a dead link never blocks: requests that never answer, a journal that throws', () => {
    const { timers, http, j, up } = setup({ requestTimeoutMs: 1000 });
    fill(j, 3);
    up.start(0);
    for (let i = 0; i < 50; i++) timers.advance(700000);
    // 35000 s of backoff capped at 600 s (450 s with this jitter) plus the 1 s timeout each
    assert.ok(http.reqs.length >= 70 && http.reqs.length <= 90, `${http.reqs.length} requests`);
    assert.ok(timers.pending() <= 2, 'no timer pile-up');
    // a journal that fails to read: reported, retried later
    const bad: BatchSource = { batch: () => { throw new Error('flash read'); }, ack: () => 0 };
    const s = setup({}, bad);
    s.up.start(0);
    s.timers.flush();
    assert.equal(s.events[0].what, 'failed');
    assert.ok(/flash read/.test(s.events[0].f.error));
    void j;
  });

  it('stops', () => {
    const { timers, http, j, up } = setup();
    fill(j, 3);
    up.start(0);
    up.stop();
    timers.advance(100000);
    assert.equal(http.reqs.length, 0);
    assert.equal(timers.pending(), 0);
    const r: AckRange[] = [];
    void r;
  });
});
