// The LoRaWAN uplink of the entry log: journal records in the compact frames of proto/lorawire.ts
// (FPort 2), as many as the data rate's payload limit allows (EU868: 51 bytes at DR0..DR2, 115 at
// DR3, 222 at DR4/DR5), acknowledged by the collector through downlinks.
//
// Class A: a downlink only comes in the receive windows after an uplink, and the network server
// can only send the collector's answer to one uplink after the next one. So uplinks are
// pipelined: each carries records not yet sent (and brings back the answer to the previous one);
// a record sent RESEND_AFTER uplinks ago and still not acknowledged is sent again; when only
// answers are outstanding, a 1-byte frame fetches them. The modem driver keeps the 1% duty cycle
// (an uplink waits for its off-period), so a backlog drains at the duty cycle's pace.
//
// The gate id and the issuer kids travel as definitions, once: the gate id first after each boot
// and whenever the collector asks (flag WHO, e.g. after it restarted), a kid before the first
// record that names it (flag KIDS: define them again). Unacknowledged uplinks (collector or
// network down) back off: after RESEND_AFTER + 1 uplinks without an answer, intervalMs doubling
// up to maxBackoffMs, with jitter. Everything is asynchronous: scanning never waits for the radio.
import { Timers } from '../hal/types';
import { LogRecord, AckRange } from '../proto/logrecord';
import {
  LoraFrameWriter, LORA_PORT, LEVEL_PORT, kidTag, decodeLoraAck, TIME_PORT, SEALED, TIME_ASK, SEAL_BYTES, DEF_SESSION,
  DEF_UNLOGGED, DEF_FIRST, DEF_LAST, REFUSALS, sealFrame, sessionBytes, timeDownlink, ackSealOk,
} from '../proto/lorawire';
import { varintSize, putVarint } from '../proto/logrecord';
import { TRUST_PORT } from '../proto/trustfrag';
import { EU868_MAX_PAYLOAD, Downlink } from './rn2483';
import { backoffMs, clipRanges } from './uplink-wifi';

/** What the uplink needs of the modem (drivers/rn2483.ts). */
export interface LoraModem {
  whenReady(cb: () => void): void;
  send(port: number, payload: Uint8Array, confirmed: boolean, cb: (err: string | null, down: Downlink | null) => void): void;
}

/** What the uplink needs of the journal (firmware/journal/). */
export interface RecordSource {
  pending(max: number): LogRecord[];
  ack(ranges: AckRange[]): number;
}

export interface UplinkLoraOptions {
  modem: LoraModem;
  timers: Timers;
  source: RecordSource;
  gateId: string;
  /** EU868 data rate 0..5: the payload limit. */
  dataRate: number;
  /** Time between checks when idle, and the first backoff step (ms). */
  intervalMs: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** 'sent' {records, bytes, defs, first, last}, 'acked' {acked, fresh}, 'asked' {who, kids}, 'failed' {error, retryMs}. */
  onEvent?: (what: string, fields: any) => void;
  /** The collector's PPKM level for this gate's site (a downlink on FPort 3, issue 14). */
  onLevel?: (level: number) => void;
  /**
   * Trust updates over LoRa (issue 13, proto/trustfrag.ts): `status()` the status uplink for
   * FPort 201 and whether a session is under way; `fragment(data)` a downlink on FPort 201, true
   * when the session ended; an idle gate sends its status every `pollMs` (0: only after boot).
   */
  trust?: { status(): { frame: Uint8Array; active: boolean }; fragment(data: Uint8Array): boolean; pollMs: number };
  /** Seal the frames, ask for the time (absent: frames go unauthenticated, as before issue 13). */
  auth?: LoraAuth;
  /** Entries the journal could not log that no record carries yet (issue 17). */
  unlogged?: () => number;
}

/**
 * A gate's identity over LoRa (issue 13; README "Gate identity"): frames are sealed with the up key
 * under (epoch, session, counter); a time question is answered on FPort 202 under the time key.
 */
export interface LoraAuth {
  epoch: number;
  /** Drawn at random at each boot. */
  session: number;
  up: Uint8Array;
  time: Uint8Array;
  /** The answers' key (HMAC(answer key, "qg lora ack")): acknowledgements are believed only sealed with it. */
  ack: Uint8Array;
  hmac: (key: Uint8Array, data: Uint8Array) => Uint8Array;
  /** The board's clock (seconds; counts from 0 at power-on when unset). */
  now(): number;
  /** An authenticated, fresh time (firmware/uplink/clock.ts trustedTime). */
  onTime(t: number): void;
  /** Whether to ask for the time. */
  wantTime(): boolean;
}

/** A time answer older than this (s, since the question went) is not believed. */
export var TIME_FRESH_S = 900;
/** Refusals in a row that make a 'misconfigured' event. */
export var REFUSALS_FAULT = 3;

/** Sealed uplinks whose answer is still believed (the network server queues answers: they come late). */
export var ACK_WINDOW = 8;

/** Uplinks after which an unacknowledged record is sent again. */
export var RESEND_AFTER = 1;

export class UplinkLora {
  o: UplinkLoraOptions;
  maxPayload: number;
  timer: number;
  busy: boolean;
  running: boolean;
  /** Successful uplinks since boot. */
  uplinks: number;
  /** Records sent and not yet acknowledged: seq -> the uplink number that carried them last. */
  inflightSeq: number[];
  inflightAt: number[];
  idKnown: boolean;
  kidsKnown: number[];
  /** A kid whose definition is split over frames: the kid and how much of it went. */
  kidPart: Uint8Array | null;
  kidOff: number;
  /** The uplink numbers that last carried the gate id and a kid definition. */
  idSentAt: number;
  kidsSentAt: number;
  failures: number;
  /** Uplinks in a row that brought no acknowledgement while some were awaited. */
  silent: number;
  stats: { uplinks: number; records: number; acked: number; bytes: number; failed: number };
  /** Trust status uplinks still wanted (after boot, a poll, or a fragment), and idle ms since the last. */
  trustLeft: number;
  trustIdle: number;
  /** The last sealed frame's counter; the time questions awaiting an answer (counter, clock when sent). */
  ctr: number;
  asks: number[];
  askT: number[];
  /** The uplink number of the last time question. */
  askAt: number;
  /** The last uplink brought a downlink (more may be queued: the time answer after an acknowledgement). */
  downLast: boolean;
  /** REFUSED answers in a row. */
  refusals: number;
  /** The unlogged count last sent (-1: to send again). */
  unloggedSent: number;
  /** The counters of the last ACK_WINDOW sealed frames not answered yet (an answer counts once). */
  sent: number[];

  constructor(o: UplinkLoraOptions) {
    this.o = o;
    this.maxPayload = EU868_MAX_PAYLOAD[o.dataRate];
    if (!this.maxPayload) throw new Error('uplink-lora: data rate 0..5');
    this.timer = 0;
    this.busy = false;
    this.running = false;
    this.uplinks = 0;
    this.inflightSeq = [];
    this.inflightAt = [];
    this.idKnown = false;
    this.kidsKnown = [];
    this.kidPart = null;
    this.kidOff = 0;
    this.idSentAt = -1;
    this.kidsSentAt = -1;
    this.failures = 0;
    this.silent = 0;
    this.stats = { uplinks: 0, records: 0, acked: 0, bytes: 0, failed: 0 };
    this.trustLeft = o.trust ? 2 : 0;
    this.trustIdle = 0;
    this.ctr = 0;
    this.asks = [];
    this.askT = [];
    this.askAt = -1;
    this.refusals = 0;
    this.unloggedSent = 0;
    this.downLast = false;
    this.sent = [];
  }

  start(firstMs?: number): void {
    this.running = true;
    this.plan(firstMs === undefined ? this.o.intervalMs : firstMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) { this.o.timers.clearTimeout(this.timer); this.timer = 0; }
  }

  plan(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.o.timers.clearTimeout(this.timer);
    var self = this;
    this.timer = this.o.timers.setTimeout(function () { self.timer = 0; self.tick(); }, ms);
  }

  event(what: string, fields: any): void {
    if (this.o.onEvent) {
      try { this.o.onEvent(what, fields); } catch (e) { /* never stops the uplink */ }
    }
  }

  inflightIndex(seq: number): number {
    for (var i = 0; i < this.inflightSeq.length; i++) if (this.inflightSeq[i] === seq) return i;
    return -1;
  }

  /** Sent recently enough that its answer may still come. */
  fresh(seq: number): boolean {
    var i = this.inflightIndex(seq);
    return i >= 0 && this.uplinks - this.inflightAt[i] < RESEND_AFTER;
  }

  tick(): void {
    if (!this.running || this.busy) return;
    this.busy = true;
    var self = this;
    this.o.modem.whenReady(function () { self.build(); });
  }

  /** Builds the next frame (now that the modem may send) and sends it, or goes idle. */
  build(): void {
    if (!this.running) { this.busy = false; return; }
    var au = this.o.auth, ctr = this.ctr + 1, nowT = au ? au.now() : 0;
    // questions too old for their answer to be believed are forgotten
    while (this.asks.length && !(nowT - this.askT[0] <= TIME_FRESH_S && nowT >= this.askT[0])) { this.asks.shift(); this.askT.shift(); }
    var w = new LoraFrameWriter(this.maxPayload - (au ? SEAL_BYTES : 0));
    // A time question: the clock wants it, and none went within an interval (answers come with the
    // next uplink: a frame that asked is followed by one that fetches, `fetch`).
    var ask = !!au && au.wantTime() && (!this.asks.length || nowT - this.askT[this.asks.length - 1] >= this.o.intervalMs / 1000 || nowT < this.askT[0]);
    var fetch = this.asks.length > 0 && (this.askAt === this.uplinks || this.downLast);
    var unl = this.o.unlogged ? this.o.unlogged() : 0;
    var sayUnl = unl > 0 && unl !== this.unloggedSent;
    var recs: LogRecord[], i: number;
    try {
      recs = this.o.source.pending(this.inflightSeq.length + 16);
    } catch (e) {
      this.busy = false;
      this.fail('journal: ' + ((e as any).message || e));
      return;
    }
    // forget in-flight marks of records that are no longer pending (acknowledged, dropped)
    var keepS: number[] = [], keepA: number[] = [];
    for (i = 0; i < this.inflightSeq.length; i++) {
      for (var j = 0; j < recs.length; j++) if (recs[j].seq === this.inflightSeq[i]) { keepS.push(this.inflightSeq[i]); keepA.push(this.inflightAt[i]); break; }
    }
    this.inflightSeq = keepS;
    this.inflightAt = keepA;

    var eligible = false, awaiting = false;
    for (i = 0; i < recs.length; i++) if (!this.fresh(recs[i].seq)) eligible = true;
    for (i = 0; i < this.inflightSeq.length; i++) if (this.fresh(this.inflightSeq[i])) awaiting = true;
    var sentId = false, kidsDone: number[] = [], kidPart: Uint8Array | null = this.kidPart, kidOff = this.kidOff;
    // definitions only go with records, a time question or an unlogged count: an idle gate sends nothing
    var full = !eligible && !ask && !sayUnl;
    if (!full && !this.idKnown) {
      sentId = w.defineGateId(this.o.gateId) && (!au || w.define(DEF_SESSION | DEF_FIRST | DEF_LAST, sessionBytes(au.epoch, au.session, ctr), 0, 12));
      if (!sentId) full = true;
    }
    var unlSent = false;
    if (!full && sayUnl) {
      var ub = new Uint8Array(varintSize(unl));
      putVarint(ub, 0, unl);
      unlSent = w.define(DEF_UNLOGGED | DEF_FIRST | DEF_LAST, ub, 0, ub.length);
    }
    if (!full && kidPart) {
      var end = w.defineKid(kidPart, kidOff);
      if (end === kidPart.length) { kidsDone.push(kidTag(kidPart)); kidPart = null; kidOff = 0; }
      else { kidOff = end; full = true; }
    }
    var seqs: number[] = [];
    for (i = 0; i < recs.length && !full; i++) {
      var r = recs[i];
      if (this.fresh(r.seq)) continue;
      if (r.kid.length) {
        var tag = kidTag(r.kid);
        if (this.kidsKnown.indexOf(tag) < 0 && kidsDone.indexOf(tag) < 0) {
          if (w.records) break; // definitions go before records: next frame
          var e2 = w.defineKid(r.kid, 0);
          if (e2 === r.kid.length) kidsDone.push(tag);
          else {
            if (e2 > 0) { kidPart = r.kid; kidOff = e2; }
            break;
          }
        }
      }
      if (!w.addRecord(r)) break;
      seqs.push(r.seq);
    }
    if (!seqs.length && !w.defs && !awaiting && !ask && !fetch) {
      var tr = this.o.trust;
      if (tr && !this.trustLeft && tr.pollMs && this.trustIdle >= tr.pollMs) this.trustLeft = 2;
      if (tr && this.trustLeft) { this.sendTrust(tr); return; }
      // nothing to send, nothing to hear about
      this.trustIdle += this.o.intervalMs;
      this.busy = false;
      this.silent = 0;
      this.plan(this.o.intervalMs);
      return;
    }
    var frame = w.finish(au ? SEALED | (ask ? TIME_ASK : 0) : 0), self = this;
    if (au) {
      frame = sealFrame(frame, au.epoch, au.session, ctr, au.up, au.hmac);
      this.ctr = ctr; // each counter goes once, sent or not
    }
    this.o.modem.send(LORA_PORT, frame, false, function (err: string | null, down: Downlink | null) {
      self.busy = false;
      if (err) { self.fail(err); return; }
      if (ask) {
        self.asks.push(ctr);
        self.askT.push(nowT);
        if (self.asks.length > 4) { self.asks.shift(); self.askT.shift(); }
        self.askAt = self.uplinks + 1;
      }
      if (unlSent) self.unloggedSent = unl;
      if (au) {
        self.sent.push(ctr);
        if (self.sent.length > ACK_WINDOW) self.sent.shift();
      }
      self.failures = 0;
      self.uplinks++;
      self.stats.uplinks++;
      self.stats.records += seqs.length;
      self.stats.bytes += frame.length;
      if (sentId) { self.idKnown = true; self.idSentAt = self.uplinks; }
      if (w.defs > (sentId ? 1 : 0)) self.kidsSentAt = self.uplinks;
      for (var k = 0; k < kidsDone.length; k++) if (self.kidsKnown.indexOf(kidsDone[k]) < 0) self.kidsKnown.push(kidsDone[k]);
      self.kidPart = kidPart;
      self.kidOff = kidOff;
      for (k = 0; k < seqs.length; k++) {
        var at = self.inflightIndex(seqs[k]);
        if (at >= 0) self.inflightAt[at] = self.uplinks;
        else { self.inflightSeq.push(seqs[k]); self.inflightAt.push(self.uplinks); }
      }
      self.event('sent', { records: seqs.length, bytes: frame.length, defs: w.defs, first: seqs.length ? seqs[0] : null, last: seqs.length ? seqs[seqs.length - 1] : null });
      self.downLast = !!down;
      var got = self.downlink(down);
      if (got) self.silent = 0;
      else if (awaiting || seqs.length || fetch) self.silent++;
      // more to do: at once (the modem waits for the duty cycle); answers missing for long: back off
      var wait = 0;
      if (self.silent > RESEND_AFTER + 1) {
        wait = backoffMs(self.o.intervalMs, self.o.maxBackoffMs || 3600000, self.silent - RESEND_AFTER - 1, self.o.random ? self.o.random() : Math.random());
      }
      self.plan(wait);
    });
  }

  /** The trust status uplink (FPort 201): a trust update's progress, or a question for one. */
  sendTrust(tr: { status(): { frame: Uint8Array; active: boolean }; fragment(data: Uint8Array): boolean }): void {
    var st;
    try {
      st = tr.status();
    } catch (e) {
      this.busy = false;
      this.trustLeft = 0;
      this.fail('trust: ' + ((e as any).message || e));
      return;
    }
    this.trustIdle = 0;
    this.trustLeft = st.active ? 2 : this.trustLeft - 1;
    var self = this, frame = st.frame;
    this.o.modem.send(TRUST_PORT, frame, false, function (err: string | null, down: Downlink | null) {
      self.busy = false;
      if (err) { self.fail(err); return; }
      self.failures = 0;
      self.uplinks++;
      self.stats.uplinks++;
      self.stats.bytes += frame.length;
      self.event('sent', { records: 0, bytes: frame.length, defs: 0, port: TRUST_PORT, first: null, last: null });
      self.downlink(down);
      self.plan(0);
    });
  }

  /** Applies a downlink; true when it was the collector's answer. */
  downlink(down: Downlink | null): boolean {
    if (down && down.port === LEVEL_PORT && down.data.length === 1) {
      if (this.o.onLevel) this.o.onLevel(down.data[0]);
      return true; // the collector heard an earlier uplink
    }
    if (down && down.port === TRUST_PORT && this.o.trust) {
      var ended = false;
      try { ended = this.o.trust.fragment(down.data); } catch (e) { /* a fault event said why */ }
      this.trustLeft = ended ? 2 : this.trustLeft > 1 ? this.trustLeft : 1;
      return false;
    }
    if (down && down.port === TIME_PORT && this.o.auth) return this.timeAnswer(down.data);
    if (!down || down.port !== LORA_PORT) return false;
    var a;
    try {
      a = decodeLoraAck(down.data);
    } catch (e) {
      this.event('failed', { error: 'bad downlink: ' + ((e as any).message || e), retryMs: 0 });
      return false;
    }
    if (a.refused) {
      // a gate the collector does not believe: define the gate id, session and count again
      var why = REFUSALS[a.refused] || 'refused (' + a.refused + ')';
      this.idKnown = false;
      this.unloggedSent = -1;
      this.event('refused', { why: why });
      if (++this.refusals === REFUSALS_FAULT) this.event('misconfigured', { why: why });
      return false;
    }
    var au = this.o.auth, by = -1, c: number;
    if (au) {
      // A sealed gate believes an answer only when its MAC checks for one of its recent uplinks,
      // each uplink's answer once (a replay for another uplink, a forgery: nothing is deleted, the
      // records go again). A WHO alone the collector cannot seal (it lost the session); it only
      // makes the gate define itself again, as an unsealed REFUSED answer would.
      for (c = 0; c < this.sent.length && a.ctrLow !== undefined; c++) {
        if (ackSealOk(down.data, au.epoch, au.session, this.sent[c], au.ack, au.hmac)) { by = c; break; }
      }
      if (by < 0) {
        if (a.who && this.idSentAt !== this.uplinks) {
          this.idKnown = false;
          this.unloggedSent = -1;
          this.event('asked', { who: true, kids: false });
        }
        if (a.ranges.length || a.kids || a.ctrLow !== undefined) this.event('failed', { error: 'answer not authenticated: ignored', retryMs: 0 });
        return false;
      }
      this.sent.splice(by, 1);
    }
    // believed (a WHO alone is not: a refused gate is asked for its session in between)
    if (!a.who) {
      if (this.refusals >= REFUSALS_FAULT) this.event('recovered', {});
      this.refusals = 0;
    }
    // The answer in an uplink's receive windows is the collector's answer to an earlier uplink:
    // a question the uplink just sent has already answered is ignored.
    var who = a.who && this.idSentAt !== this.uplinks;
    var kids = a.kids && this.kidsSentAt !== this.uplinks;
    if (who) { this.idKnown = false; this.unloggedSent = -1; }
    if (kids) { this.kidsKnown = []; this.kidPart = null; this.kidOff = 0; }
    if (who || kids) this.event('asked', { who: who, kids: kids });
    // only what was sent can be acknowledged
    var ranges = clipRanges(a.ranges, this.inflightSeq), held = 0, i: number;
    for (i = 0; i < ranges.length; i++) held += ranges[i].last - ranges[i].first + 1;
    if (held) {
      var n = 0;
      try {
        n = this.o.source.ack(ranges);
      } catch (e) {
        this.event('failed', { error: 'journal: ' + ((e as any).message || e), retryMs: 0 });
        return true;
      }
      this.stats.acked += n;
      // forget them now: build() reads inflightSeq.length (how many records to fetch) before it
      // drops the seqs that are no longer pending
      var keepS: number[] = [], keepA: number[] = [];
      for (i = 0; i < this.inflightSeq.length; i++) {
        var s = this.inflightSeq[i], hit = false;
        for (var k = 0; k < ranges.length; k++) if (s >= ranges[k].first && s <= ranges[k].last) { hit = true; break; }
        if (!hit) { keepS.push(s); keepA.push(this.inflightAt[i]); }
      }
      this.inflightSeq = keepS;
      this.inflightAt = keepA;
      this.event('acked', { acked: held, fresh: n, first: ranges[0].first, last: ranges[ranges.length - 1].last });
    }
    return true;
  }

  /** A time downlink: believed only as the answer to a question still awaited, and fresh. */
  timeAnswer(d: Uint8Array): boolean {
    var au = this.o.auth!, now = au.now();
    for (var i = 0; i < this.asks.length; i++) {
      var t = timeDownlink(d, au.epoch, au.session, this.asks[i], au.time, au.hmac), el = now - this.askT[i];
      if (t >= 0 && el >= 0 && el <= TIME_FRESH_S) {
        this.asks = [];
        this.askT = [];
        // the collector's time when the question arrived, plus what passed since it went
        au.onTime(t + el);
        return true;
      }
    }
    this.event('failed', { error: 'time downlink not authenticated or not fresh: refused', retryMs: 0 });
    return false;
  }

  fail(error: string): void {
    this.failures++;
    this.stats.failed++;
    var wait = backoffMs(this.o.intervalMs, this.o.maxBackoffMs || 3600000, this.failures, this.o.random ? this.o.random() : Math.random());
    this.event('failed', { error: error, retryMs: wait, failures: this.failures });
    this.plan(wait);
  }
}
