// drivers/uplink-lora.ts over a fake modem whose network delivers the collector's answer to an
// uplink in the receive window of the next one (class A with an HTTP integration), and a fake
// collector built from the real decoder (tools/collector/lorawire.ts): payload limits per data
// rate, records per uplink, pipelining, resending what was not acknowledged, definitions asked
// for again after a collector restart, backoff, and acknowledgements only for what was sent.
import { strict as assert } from 'assert';
import { FakeTimers } from '../fakes/hal';
import { UplinkLora, LoraModem, RESEND_AFTER } from '../../drivers/uplink-lora';
import { Downlink, EU868_MAX_PAYLOAD } from '../../drivers/rn2483';
import { backoffMs } from '../../drivers/uplink-wifi';
import { Journal } from '../../firmware/journal';
import { FlashImage } from '../../sim/flash';
import { LoraDevices, decodeLoraFrameHost, encodeLoraAckHost } from '../../tools/collector/lorawire';
import { toRanges } from '../../tools/collector/store';
import { LogEntry, LogRecord } from '../../proto/logrecord';
import { encodeLoraAck, LORA_PORT } from '../../proto/lorawire';

const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;
const KID = new Uint8Array(Buffer.from('issuer-1'));

class FakeNetwork implements LoraModem {
  frames: Uint8Array[] = [];
  queue: Downlink[] = [];
  devices = new LoraDevices();
  held = new Map<string, LogRecord>();
  stored: string[] = [];
  up = true;
  /** Drop the answer to the next n uplinks (a lost downlink). */
  loseAnswers = 0;
  /** Fail the next sends with this reply. */
  failNext: string[] = [];
  constructor(private timers: FakeTimers, public gapMs = 1000) {}
  whenReady(cb: () => void): void { this.timers.setTimeout(cb, this.gapMs); }
  send(port: number, payload: Uint8Array, confirmed: boolean, cb: (err: string | null, down: Downlink | null) => void): void {
    assert.equal(port, LORA_PORT);
    assert.equal(confirmed, false);
    const f = this.failNext.shift();
    if (f) { this.timers.setTimeout(() => cb(f, null), 10); return; }
    this.frames.push(payload);
    const down = this.up ? this.queue.shift() || null : null;
    if (this.up) {
      const r = this.devices.resolve('dev1', decodeLoraFrameHost(payload));
      const held: number[] = [];
      for (const rec of r.records) {
        const key = `${r.gateId}/${rec.seq}`;
        if (!this.held.has(key)) { this.held.set(key, rec); this.stored.push(key); }
        held.push(rec.seq);
      }
      if (this.loseAnswers > 0) this.loseAnswers--;
      else if (held.length || r.who || r.kids) this.queue.push({ port: LORA_PORT, data: new Uint8Array(encodeLoraAckHost(r.who, r.kids, toRanges(held))) });
    }
    this.timers.setTimeout(() => cb(null, down), 3000);
  }
}

function setup(dr: number, n: number, opts: { kid?: Uint8Array; gapMs?: number } = {}) {
  const timers = new FakeTimers();
  const net = new FakeNetwork(timers, opts.gapMs);
  const j = new Journal({ storage: new FlashImage({ size: 64 * 1024, pageSize: 4096 }).storage(), gateId: 'gate-east-door' });
  j.open();
  const add = (k: number) => {
    for (let i = 0; i < k; i++) {
      const e: LogEntry = { time: T0 + 60 * i, decision: 'open', reason: 'ok', format: 'qg1', kid: opts.kid || KID,
        subject: new Uint8Array(16).fill(i + 1), cert: new Uint8Array(16).fill(200 - i) };
      j.append(e);
    }
  };
  add(n);
  const events: { what: string; f: any; t: number }[] = [];
  const up = new UplinkLora({ modem: net, timers, source: j, gateId: 'gate-east-door', dataRate: dr, intervalMs: 10000,
    maxBackoffMs: 600000, random: () => 0.5, onEvent: (what, f) => events.push({ what, f, t: timers.now }) });
  return { timers, net, j, up, events, add };
}

function drain(s: ReturnType<typeof setup>, maxMs = 24 * 3600000): void {
  for (let t = 0; t < maxMs && s.j.stats().pending > 0; t += 1000) s.timers.advance(1000);
  s.timers.advance(60000);
}

describe('uplink-lora', () => {
  it('DR0: definitions first, then one record per 51-byte uplink; the collector holds each once, named as on Wi-Fi', () => {
    const s = setup(0, 6);
    s.up.start(0);
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    for (const f of s.net.frames) assert.ok(f.length <= 51, `frame of ${f.length} bytes`);
    const sent = s.events.filter((e) => e.what === 'sent');
    assert.deepEqual(sent[0].f, { records: 0, bytes: 27, defs: 2, first: null, last: null });
    assert.ok(sent.slice(1, 7).every((e) => e.f.records === 1 && e.f.bytes === 44), JSON.stringify(sent.map((e) => e.f)));
    assert.deepEqual(s.net.stored, [0, 1, 2, 3, 4, 5].map((q) => `gate-east-door/${q}`));
    const r = s.net.held.get('gate-east-door/3')!;
    assert.equal(Buffer.from(r.kid).toString(), 'issuer-1');
    assert.deepEqual(r.subject, new Uint8Array(16).fill(4));
    assert.equal(r.time, T0 + 180);
    // pipelined: 1 definitions frame + 6 record frames + 1 poll for the last answer, nothing sent twice
    assert.equal(s.net.frames.length, 8);
    assert.deepEqual(sent[7].f, { records: 0, bytes: 1, defs: 0, first: null, last: null });
  });

  it('records per uplink at each data rate, never over the payload limit', () => {
    const perUplink: number[] = [];
    for (let dr = 0; dr <= 5; dr++) {
      const s = setup(dr, 30);
      s.up.start(0);
      drain(s);
      assert.equal(s.j.stats().pending, 0, `DR${dr}`);
      for (const f of s.net.frames) assert.ok(f.length <= EU868_MAX_PAYLOAD[dr], `DR${dr}: frame of ${f.length} bytes`);
      assert.equal(s.net.stored.length, 30);
      const sent = s.events.filter((e) => e.what === 'sent').map((e) => e.f.records);
      perUplink.push(Math.max(...sent));
    }
    assert.deepEqual(perUplink, [1, 1, 1, 2, 5, 5]);
  });

  it('a lost answer: the records are sent again after RESEND_AFTER uplinks, stored once', () => {
    assert.equal(RESEND_AFTER, 1);
    const s = setup(5, 12);
    s.net.loseAnswers = 2; // the answers to the definitions+records frame and the next one
    s.up.start(0);
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    const seqs = s.events.filter((e) => e.what === 'sent' && e.f.records).map((e) => `${e.f.first}-${e.f.last}`);
    assert.deepEqual(seqs.slice(0, 3), ['0-3', '4-8', '0-9']);
    assert.equal(s.net.stored.length, 12);
  });

  it('a collector that forgot the device (restart): WHO and KIDS asked, defined again, nothing lost or doubled', () => {
    const s = setup(3, 10);
    s.up.start(0);
    for (let i = 0; i < 40 && s.net.stored.length < 4; i++) s.timers.advance(1000);
    s.net.devices = new LoraDevices();
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    assert.equal(s.net.stored.length, 10);
    const asked = s.events.filter((e) => e.what === 'asked');
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0].f, { who: true, kids: true });
    assert.equal(s.events.filter((e) => e.what === 'sent' && e.f.defs === 2).length, 2);
  });

  it('a long kid is defined over several DR0 frames before the record that names it', () => {
    const kid = new Uint8Array(Buffer.from('https://issuer.example.org/keys/2021/verification#key-1'));
    const s = setup(0, 2, { kid });
    s.up.start(0);
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    const defs = s.events.filter((e) => e.what === 'sent' && e.f.defs).map((e) => e.f);
    assert.equal(defs.length, 2);
    assert.equal(Buffer.from(s.net.held.get('gate-east-door/1')!.kid).toString(), Buffer.from(kid).toString());
  });

  it('modem errors: the frame waits a backoff, then goes', () => {
    const s = setup(5, 3);
    s.net.failNext = ['no_free_ch', 'mac_err', 'busy'];
    s.up.start(0);
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    const failed = s.events.filter((e) => e.what === 'failed');
    assert.deepEqual(failed.map((e) => e.f.error), ['no_free_ch', 'mac_err', 'busy']);
    assert.deepEqual(failed.map((e) => e.f.retryMs), [1, 2, 3].map((k) => backoffMs(10000, 600000, k, 0.5)));
    assert.equal(s.net.stored.length, 3);
  });

  it('no answers (network down): uplinks back off; when it returns, the backlog goes', () => {
    const s = setup(5, 5);
    s.net.up = false;
    s.up.start(0);
    s.timers.advance(6 * 3600000);
    const t = s.events.filter((e) => e.what === 'sent').map((e) => e.t);
    // after RESEND_AFTER + 1 unanswered uplinks: 10 s doubling to the 600 s cap (450 s with this jitter)
    assert.ok(t.length >= 45 && t.length <= 60, `${t.length} uplinks in 6 h`);
    const gaps = t.slice(1).map((x, i) => x - t[i]);
    assert.ok(gaps[gaps.length - 1] >= 300000, `backed off to ${gaps[gaps.length - 1]} ms`);
    assert.equal(s.j.stats().pending, 5);
    s.net.up = true;
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    assert.equal(s.net.stored.length, 5);
  });

  it('acknowledges only records it has sent; nothing pending means no uplink', () => {
    const s = setup(0, 0);
    s.up.start(0);
    s.timers.advance(120000);
    assert.equal(s.net.frames.length, 0);
    s.add(3);
    // an answer acknowledging everything arrives with the first uplink (at DR0: definitions only)
    s.net.queue.push({ port: LORA_PORT, data: encodeLoraAck(false, false, [{ first: 0, last: 100 }]) });
    s.timers.advance(4500); // the modem is ready after 1 s, the uplink and its windows take 3 s
    assert.equal(s.net.frames.length, 1);
    assert.equal(s.j.stats().pending, 3, 'nothing was sent, nothing is acknowledged');
    drain(s);
    assert.equal(s.j.stats().pending, 0);
    assert.equal(s.net.stored.length, 3);
  });
});
