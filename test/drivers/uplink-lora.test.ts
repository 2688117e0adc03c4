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
import { encodeLoraAck, LORA_PORT, TIME_PORT } from '../../proto/lorawire';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as crypto from 'crypto';
import { GateRegistry, addGate, readKeyFile, revokeGate } from '../../tools/collector/gates';
import { encodeLoraRefusalHost, encodeTimeDownlinkHost, encodeLoraAnswerHost, LoraVerdict } from '../../tools/collector/lorawire';
import { gateKeys } from '../../proto/gateauth';
import { LoraAuth } from '../../drivers/uplink-lora';

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
  /** A registry of gates: frames are then checked as the collector does (issue 13). */
  gates?: GateRegistry;
  /** The collector's clock; a forger of time downlinks (moves the time a year on, or replays). */
  now = T0;
  verdicts: LoraVerdict[] = [];
  timeDowns: Uint8Array[] = [];
  forgeTime: ('move' | 'replay')[] = [];
  /**
   * A forger of acknowledgements (it controls the network server): the next uplinks that carry
   * records never reach the collector, and their answer acknowledges them all the same: 'flip' a
   * genuine sealed answer for other seqs with one bit flipped (to name these), 'other' sealed with
   * another gate's key, 'replay' the genuine answer `replayAck` (made for another uplink).
   */
  forgeAck: ('flip' | 'other' | 'replay')[] = [];
  replayAck: Uint8Array | null = null;
  /** The genuine FPort 2 answers sent. */
  acks: Uint8Array[] = [];
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
      const r = this.devices.accept('dev1', decodeLoraFrameHost(payload), this.gates);
      this.verdicts.push(r);
      if (r.refused) {
        this.queue.push({ port: LORA_PORT, data: new Uint8Array(encodeLoraRefusalHost(r.refused.code)) });
        this.timers.setTimeout(() => cb(null, down), 3000);
        return;
      }
      if (r.time) {
        let t = new Uint8Array(encodeTimeDownlinkHost(r.time, this.now));
        const f = this.forgeTime.shift();
        if (f === 'move') { t = new Uint8Array(t); Buffer.from(t.buffer).writeUInt32LE(this.now + 365 * 86400, 0); }
        if (f === 'replay') t = new Uint8Array(this.timeDowns[0]);
        this.timeDowns.push(t);
        this.queue.push({ port: TIME_PORT, data: t });
      }
      const held: number[] = [];
      const forge = r.records.length ? this.forgeAck.shift() : undefined;
      for (const rec of r.records) {
        const key = `${r.gateId}/${rec.seq}`;
        if (!forge && !this.held.has(key)) { this.held.set(key, rec); this.stored.push(key); }
        held.push(rec.seq);
      }
      if (this.loseAnswers > 0) this.loseAnswers--;
      else if (forge) {
        const rg = toRanges(held);
        let data: Uint8Array;
        if (forge === 'flip') {
          // sealed for first ^ 1 (a one-byte varint after the header and the counter byte), then flipped
          const f = rg[0].first ^ 1;
          data = new Uint8Array(encodeLoraAnswerHost(r, [{ first: f, last: f + rg[0].last - rg[0].first }]));
          data[2] ^= 1;
        } else if (forge === 'other') {
          data = new Uint8Array(encodeLoraAnswerHost({ ...r, seal: { ...r.seal!, key: crypto.randomBytes(32) } }, rg));
        } else data = new Uint8Array(this.replayAck!);
        this.queue.push({ port: LORA_PORT, data });
      } else if (held.length || r.who || r.kids) {
        const data = new Uint8Array(encodeLoraAnswerHost(r, toRanges(held)));
        this.acks.push(data);
        this.queue.push({ port: LORA_PORT, data });
      }
    }
    this.timers.setTimeout(() => cb(null, down), 3000);
  }
}

function hmacHost(k: Uint8Array, d: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHmac('sha256', Buffer.from(k)).update(Buffer.from(d)).digest());
}

/** A registry holding gate-east-door, and the gate's LoRa identity from its key (as firmware/uplink/lora.ts derives it). */
function identity(clock: { t: number | null }, times: number[], key?: Buffer) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-uplora-'));
  const file = path.join(dir, 'gates.json');
  addGate(file, 'gate-east-door', path.join(dir, 'k.key'));
  const k = readKeyFile(path.join(dir, 'k.key')).key;
  const keys = gateKeys(JSON.stringify({ key: (key || k).toString('hex'), epoch: 77 }), hmacHost);
  let unset = clock.t === null, boot = 0;
  const auth: LoraAuth = {
    epoch: keys.epoch, session: 0x12345678, hmac: hmacHost,
    up: hmacHost(keys.batch, new Uint8Array(Buffer.from('qg lora up'))), time: hmacHost(keys.answer, new Uint8Array(Buffer.from('qg lora time'))),
    ack: hmacHost(keys.answer, new Uint8Array(Buffer.from('qg lora ack'))),
    now: () => (unset ? boot : clock.t!), onTime: (t) => { times.push(t); unset = false; clock.t = t; }, wantTime: () => unset,
  };
  return { registry: new GateRegistry(file), auth, file, dir, tick: (s: number) => { boot += s; if (!unset) clock.t! += s; } };
}

function setup(dr: number, n: number, opts: { kid?: Uint8Array; gapMs?: number; auth?: LoraAuth; unlogged?: () => number } = {}) {
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
  const events: { what: string; f: any; t: number; pending: number }[] = [];
  const up = new UplinkLora({ modem: net, timers, source: j, gateId: 'gate-east-door', dataRate: dr, intervalMs: 10000,
    maxBackoffMs: 600000, random: () => 0.5, onEvent: (what, f) => events.push({ what, f, t: timers.now, pending: j.stats().pending }), auth: opts.auth, unlogged: opts.unlogged });
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

  describe('sealed with the gate key (issue 13)', () => {
    function sealed(dr: number, n: number, clockAt: number | null, o: { key?: Buffer; unlogged?: () => number } = {}) {
      const clock = { t: clockAt }, times: number[] = [];
      const id = identity(clock, times, o.key);
      const s = setup(dr, n, { auth: id.auth, unlogged: o.unlogged });
      s.net.gates = id.registry;
      // the board's clock runs with the fake timers
      const adv = s.timers.advance.bind(s.timers);
      (s.timers as any).advance = (ms: number) => { id.tick(ms / 1000); s.net.now += ms / 1000; adv(ms); };
      return { ...s, id, times, clock };
    }

    it('DR0: every frame sealed and at most 51 bytes, one record each; the collector checks and stores them under the epoch', () => {
      const s = sealed(0, 6, T0);
      s.up.start(0);
      drain(s);
      if (process.env.QG_DBG) console.log(JSON.stringify(s.events.slice(0, 12)), JSON.stringify(s.net.verdicts.slice(0, 5)), s.net.frames.slice(0, 3).map((f) => Buffer.from(f).toString('hex')));
      assert.equal(s.j.stats().pending, 0);
      for (const f of s.net.frames) assert.ok(f.length <= 51 && (f[0] & 0x20), `frame of ${f.length} bytes, header ${f[0]}`);
      const sent = s.events.filter((e) => e.what === 'sent');
      assert.ok(sent.some((e) => e.f.records === 1 && e.f.bytes === 49), JSON.stringify(sent.map((e) => e.f)));
      assert.ok(s.net.verdicts.every((v) => !v.refused && !v.asked), JSON.stringify(s.net.verdicts.filter((v) => v.refused || v.asked)));
      assert.equal(s.net.stored.length, 6);
      assert.equal(s.net.held.get('gate-east-door/3')!.epoch, 77);
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });

    it('a replayed or forged frame is refused and stores nothing', () => {
      const s = sealed(5, 3, T0);
      s.up.start(0);
      drain(s);
      assert.equal(s.net.stored.length, 3);
      const before = s.net.held.size;
      for (const f of s.net.frames) {
        const v = s.net.devices.accept('dev1', decodeLoraFrameHost(f), s.id.registry);
        assert.ok(v.refused && /replayed/.test(v.refused.why), JSON.stringify(v));
      }
      const forged = Buffer.from(s.net.frames[1]);
      forged[3] ^= 1;
      const v = s.net.devices.accept('dev1', decodeLoraFrameHost(forged), s.id.registry);
      assert.ok(v.records.length === 0 && (v.refused || v.asked), JSON.stringify(v));
      assert.equal(s.net.held.size, before);
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });

    it('clock unset: it asks, and sets the clock from the authenticated answer (time + what passed since the question); forged and replayed answers are refused', () => {
      const s = sealed(5, 0, null);
      s.net.forgeTime = ['move'];
      s.up.start(0);
      for (let i = 0; i < 600 && !s.times.length; i++) s.timers.advance(1000);
      assert.equal(s.times.length, 1, JSON.stringify(s.events.map((e) => [e.what, e.f])));
      // the answer to the question's uplink came with the next: the collector's time then, plus the gap
      assert.ok(s.times[0] > T0 && s.times[0] < T0 + 3 * 10 + 30, String(s.times[0] - T0));
      assert.equal(s.events.filter((e) => e.what === 'failed' && /time downlink/.test(e.f.error)).length, 1);
      // a replay of the genuine answer, once the clock is set and nothing is asked: refused
      assert.equal(s.up.timeAnswer(s.net.timeDowns[s.net.timeDowns.length - 1]), false);
      assert.equal(s.times.length, 1);
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });

    it('a gate whose key the collector does not hold: REFUSED answers, one misconfigured event, nothing stored', () => {
      const s = sealed(5, 4, T0, { key: crypto.randomBytes(32) });
      s.up.start(0);
      s.timers.advance(600000);
      assert.equal(s.net.stored.length, 0);
      assert.ok(s.events.filter((e) => e.what === 'refused').length >= 3);
      const mis = s.events.filter((e) => e.what === 'misconfigured');
      assert.equal(mis.length, 1);
      assert.equal(mis[0].f.why, 'bad MAC');
      // revoked: refused as such
      revokeGate(s.id.file, 'gate-east-door');
      // a registry that reads the file anew: written twice within the file system's timestamp tick,
      // the file keeps its mtime and the test's registry would keep its cached copy
      const v = s.net.devices.accept('dev1', decodeLoraFrameHost(s.net.frames[0]), new GateRegistry(s.id.file));
      assert.equal(v.refused && v.refused.why, 'revoked gate');
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });

    it('acknowledgements are sealed for the uplink they answer; forged ones (bit flipped, another gate\'s key) delete nothing and the records go again', () => {
      const s = sealed(5, 3, T0);
      s.net.forgeAck = ['flip', 'other'];
      s.up.start(0);
      drain(s);
      const ignored = s.events.filter((e) => e.what === 'failed' && /answer not authenticated/.test(e.f.error));
      assert.equal(ignored.length, 2, JSON.stringify(s.events.map((e) => [e.what, e.f])));
      // nothing was deleted while the forged answers came, nor acknowledged before them
      assert.ok(ignored.every((e) => e.pending === 3));
      const acked = s.events.filter((e) => e.what === 'acked');
      assert.ok(acked.length >= 1 && acked[0].t > ignored[1].t);
      assert.equal(s.j.stats().pending, 0);
      assert.deepEqual(s.net.stored, [0, 1, 2].map((q) => `gate-east-door/${q}`));
      // every genuine answer is sealed: header bit 5, the counter's low byte, a 4-byte MAC
      assert.ok(s.net.acks.length >= 1 && s.net.acks.every((a) => (a[0] & 0x20) !== 0 && a.length <= 51));
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });

    it('a replay of a genuine acknowledgement made for another uplink (another boot, the same counter) deletes nothing', () => {
      const s1 = sealed(5, 3, T0);
      s1.up.start(0);
      drain(s1);
      assert.equal(s1.j.stats().pending, 0);
      const genuine = s1.net.acks[0];
      // the same gate after a boot with a wiped journal: seqs 0..2 again, a new session, its counters from 1
      const s = setup(5, 3, { auth: { ...s1.id.auth, session: 0x0badcafe } });
      s.net.gates = s1.id.registry;
      s.net.forgeAck = ['replay', 'replay'];
      s.net.replayAck = genuine;
      s.up.start(0);
      drain(s);
      const ignored = s.events.filter((e) => e.what === 'failed' && /answer not authenticated/.test(e.f.error));
      assert.equal(ignored.length, 2, JSON.stringify(s.events.map((e) => [e.what, e.f])));
      assert.ok(ignored.every((e) => e.pending === 3));
      assert.equal(s.j.stats().pending, 0);
      assert.equal(s.net.stored.length, 3);
      // and a genuine answer counts once: delivered again, it is ignored
      const n = s.events.length;
      assert.equal(s.up.downlink({ port: LORA_PORT, data: s.net.acks[s.net.acks.length - 1] }), false);
      assert.ok(s.events.slice(n).some((e) => e.what === 'failed' && /answer not authenticated/.test(e.f.error)));
      fs.rmSync(s1.id.dir, { recursive: true, force: true });
    });

    it('an unsealed answer to a sealed gate deletes nothing; its WHO alone makes the gate define itself again', () => {
      const s = sealed(5, 3, T0);
      s.up.start(0);
      s.net.loseAnswers = 2;
      for (let i = 0; i < 60 && s.net.frames.length < 2; i++) s.timers.advance(500);
      s.timers.advance(3500);
      assert.equal(s.net.frames.length, 2); // the second resent the records (no answer came)
      const n = s.events.length;
      assert.equal(s.up.downlink({ port: LORA_PORT, data: encodeLoraAck(true, false, [{ first: 0, last: 2 }]) }), false);
      assert.equal(s.j.stats().pending, 3);
      assert.deepEqual(s.events.slice(n).map((e) => e.what), ['asked', 'failed']);
      assert.equal(s.up.idKnown, false);
      drain(s);
      assert.equal(s.j.stats().pending, 0);
      assert.equal(s.net.stored.length, 3);
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });

    it('the unlogged count reaches the collector, again after it forgot the device', () => {
      let unl = 0;
      const s = sealed(5, 0, T0, { unlogged: () => unl });
      s.up.start(0);
      s.timers.advance(30000);
      unl = 7;
      s.timers.advance(30000);
      assert.deepEqual(s.net.verdicts.filter((v) => v.unlogged).map((v) => v.unlogged), [7]);
      s.net.devices = new LoraDevices();
      s.add(1);
      s.timers.advance(120000);
      assert.deepEqual(s.net.verdicts.filter((v) => v.unlogged).map((v) => v.unlogged), [7, 7]);
      fs.rmSync(s.id.dir, { recursive: true, force: true });
    });
  });
});
