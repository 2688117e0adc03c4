// The Wi-Fi uplink of the entry log: batches of the journal POSTed to the collector
// (tools/collector/server.ts, POST /ingest, proto/log.proto Batch), records removed only when the
// collector's Ack (gate id matching) says it holds them.
//
//  - one request at a time; the next is planned only when the previous one has ended (answer,
//    error or the driver's own timeout, whichever first; a late answer after a timeout is ignored);
//  - after an acknowledged batch the next one goes at once while records are pending (a backlog
//    drains at the speed of the link), else after intervalMs;
//  - a failure (no answer, a status other than 200, an undecodable Ack, an Ack for another gate)
//    retries after intervalMs * 2^(failures-1), at most maxBackoffMs, with jitter: a uniform
//    draw in [d/2, d];
//  - a collector that keeps refusing the requests as such (400, 401, 403, 404, 405, 415: a wrong
//    uplink.url, such as the collector's root instead of /ingest) is a misconfiguration: after
//    `misconfigAfter` such answers in a row, one 'misconfigured' event (with what the server
//    said), and 'recovered' at the next acknowledged batch; the retries go on meanwhile;
//  - everything is asynchronous: the scanner and the gate never wait for the network;
//  - with `auth` (the gate's key: proto/gateauth.ts), every Batch carries the gate's epoch, a
//    fresh nonce and its clock, and the header X-QG-MAC its HMAC; an answer counts only when its
//    mac (the answer key's HMAC of the whole Ack before it) checks and it repeats the nonce: an
//    unauthenticated or replayed Ack removes nothing and sets no clock (a failure: the batch is
//    sent again). An authenticated answer's time goes to auth.onTime (the gate's clock).
import { HttpClient, Timers } from '../hal/types';
import { AckRange, decodeAck, encodeBatch, withTrustVersion } from '../proto/logrecord';
import { GateKeys, Hmac, sealBatch, hexBytes, answerOk } from '../proto/gateauth';

/** What the uplink needs of the journal (firmware/journal/). */
export interface BatchSource {
  batch(maxRecords: number, maxBytes?: number, gateId?: string): { body: Uint8Array; seqs: number[] } | null;
  ack(ranges: AckRange[]): number;
  /** Records not yet acknowledged: each Batch says how many stay behind it (Batch.backlog). */
  stats?(): { pending: number };
}

export interface UplinkWifiOptions {
  http: HttpClient;
  timers: Timers;
  source: BatchSource;
  /** The collector's ingest address (http://host:port/ingest). */
  url: string;
  /** This gate's id: an Ack must name it. */
  gateId: string;
  /** Records per batch (1..100). */
  batchSize: number;
  /** Time between attempts when idle, and the first backoff step (ms). */
  intervalMs: number;
  /** Largest backoff (default 10 minutes). */
  maxBackoffMs?: number;
  /** A request without an answer after this long has failed (default 30 s). */
  requestTimeoutMs?: number;
  /** Largest Batch in bytes (default 8192). */
  maxBytes?: number;
  /** Uniform [0, 1) for the jitter (default Math.random). */
  random?: () => number;
  /** Refusals in a row (see MISCONFIG_STATUS) that make a misconfiguration (default 3). */
  misconfigAfter?: number;
  /**
   * 'sent' {records, bytes, first, last}, 'acked' {records, acked, first, last}, 'failed' {status,
   * error, retryMs, failures}, 'misconfigured' {status, url, said} (once), 'recovered' {}.
   */
  onEvent?: (what: string, fields: any) => void;
  /** The PPKM level an Ack carries (field 7, issue 14), when it carries one. */
  onLevel?: (level: number) => void;
  /** The gate's identity (absent: unauthenticated batches, unauthenticated answers accepted). */
  auth?: UplinkAuth;
  /** The version of the trust bundle in use (0: none), sent in each batch (Batch field 7). */
  trustVersion?: () => number;
  /** Idle polls: with no records, an empty batch every `pollMs` so that updates reach the gate (0: never). */
  pollMs?: number;
  /** A newer trust bundle came with an Ack (Ack field 6). */
  onTrust?: (bundle: Uint8Array) => void;
}

export interface UplinkAuth {
  keys: GateKeys;
  hmac: Hmac;
  /** 32 random bits for each request's nonce, from the hardware where it can (default Math.random). */
  nonce?: () => number;
  /** The gate's clock (seconds since 1970; 0 when unset): Batch.time. */
  now: () => number;
  /**
   * The time of an authenticated answer to the request in flight (Ack.time, when not 0): fresh,
   * since it came before the request's timeout (its error is at most that delay).
   */
  onTime?: (time: number) => void;
  /** Whether the clock wants the collector's time now (unset, or not set for long): then an empty batch goes even with nothing to send. */
  wantTime?: () => boolean;
}

/** HTTP answers that say the request itself is wrong (where it goes, or what it is), not the server's state. */
export var MISCONFIG_STATUS = [400, 401, 403, 404, 405, 415];

/** Up to max printable ASCII characters of an answer's body (for a person to read). */
function bodyText(b: Uint8Array, max: number): string {
  var s = '';
  for (var i = 0; i < b.length && s.length < max; i++) {
    var c = b[i];
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : ' ';
  }
  return s;
}

/** The seqs of `seqs` that `ranges` covers, as ranges (an Ack never removes what was not sent). */
export function clipRanges(ranges: AckRange[], seqs: number[]): AckRange[] {
  var out: AckRange[] = [];
  for (var i = 0; i < seqs.length; i++) {
    var s = seqs[i], hit = false;
    for (var j = 0; j < ranges.length; j++) if (s >= ranges[j].first && s <= ranges[j].last) { hit = true; break; }
    if (!hit) continue;
    var last = out.length ? out[out.length - 1] : null;
    if (last && last.last + 1 === s) last.last = s;
    else out.push({ first: s, last: s });
  }
  return out;
}

/** The backoff before retry number `failures` (1, 2, ...), with jitter r in [0, 1). */
export function backoffMs(baseMs: number, maxMs: number, failures: number, r: number): number {
  var d = baseMs;
  for (var i = 1; i < failures && d < maxMs; i++) d *= 2;
  if (d > maxMs) d = maxMs;
  return Math.floor(d / 2 + (d / 2) * r);
}

export class UplinkWifi {
  o: UplinkWifiOptions;
  timer: number;
  /** A request is in flight (its number; 0 = none). */
  inFlight: number;
  attempts: number;
  failures: number;
  running: boolean;
  /** Misconfiguration answers in a row, and whether that was reported. */
  refusals: number;
  misconfigured: boolean;
  /** Idle time since the last request (ms), for pollMs. */
  idleMs: number;
  stats: { sent: number; acked: number; failed: number };

  constructor(o: UplinkWifiOptions) {
    this.o = o;
    this.timer = 0;
    this.inFlight = 0;
    this.attempts = 0;
    this.failures = 0;
    this.running = false;
    this.refusals = 0;
    this.misconfigured = false;
    this.idleMs = 0;
    this.stats = { sent: 0, acked: 0, failed: 0 };
  }

  /** Starts sending, the first attempt after `firstMs` (default intervalMs). */
  start(firstMs?: number): void {
    this.running = true;
    this.plan(firstMs === undefined ? this.o.intervalMs : firstMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) { this.o.timers.clearTimeout(this.timer); this.timer = 0; }
  }

  /** Try soon (a new record, the link came back); no effect while a request is in flight or backing off. */
  kick(): void {
    if (this.running && !this.inFlight && !this.failures) this.plan(0);
  }

  plan(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.o.timers.clearTimeout(this.timer);
    var self = this;
    this.timer = this.o.timers.setTimeout(function () { self.timer = 0; self.tick(); }, ms);
  }

  event(what: string, fields: any): void {
    if (this.o.onEvent) {
      try { this.o.onEvent(what, fields); } catch (e) { /* a broken listener never stops the uplink */ }
    }
  }

  tick(): void {
    if (!this.running || this.inFlight) return;
    var b: { body: Uint8Array; seqs: number[] } | null;
    try {
      b = this.o.source.batch(this.o.batchSize, this.o.maxBytes || 8192);
    } catch (e) {
      this.fail(0, 'journal: ' + ((e as any).message || e));
      return;
    }
    var a0 = this.o.auth;
    if (!b) {
      // Nothing to send: an empty batch when the clock wants the collector's time, or now and
      // then to hear of trust updates (issue 13).
      var idle = (this.idleMs || 0) + this.o.intervalMs;
      var wantTime = !!(a0 && a0.wantTime && a0.wantTime());
      if (!wantTime && (!this.o.pollMs || idle < this.o.pollMs)) { this.idleMs = idle; this.plan(this.o.intervalMs); return; }
      b = { body: encodeBatch(this.o.gateId, []), seqs: [] };
    }
    this.idleMs = 0;
    var src = this.o.source, left = src.stats ? src.stats().pending - b.seqs.length : 0;
    b.body = withTrustVersion(b.body, this.o.trustVersion ? this.o.trustVersion() : 0, left > 0 ? left : 0);
    var batch = b, n = ++this.attempts, self = this, done = false;
    this.inFlight = n;
    this.stats.sent++;
    this.event('sent', { records: batch.seqs.length, bytes: batch.body.length, first: batch.seqs.length ? batch.seqs[0] : null,
      last: batch.seqs.length ? batch.seqs[batch.seqs.length - 1] : null });
    var guard = this.o.timers.setTimeout(function () {
      if (done) return;
      done = true;
      self.inFlight = 0;
      self.fail(0, 'timeout');
    }, this.o.requestTimeoutMs || 30000);
    var headers: { [k: string]: string } = { 'Content-Type': 'application/x-protobuf' };
    var body = batch.body, a = this.o.auth, nonce = 0;
    if (a) {
      // A nonce never 0 (0 is "absent"), drawn afresh for every request.
      nonce = (a.nonce ? a.nonce() : Math.floor(Math.random() * 4294967296)) % 4294967295 + 1;
      var t = Math.floor(a.now());
      body = sealBatch(body, a.keys.epoch, nonce, t >= 0 && t <= 4294967295 ? t : 0);
      headers['X-QG-MAC'] = hexBytes(a.hmac(a.keys.batch, body));
    }
    this.o.http.request(this.o.url, 'POST', headers, body,
      function (status: number, answerBody: Uint8Array, error: string) {
        if (done || self.inFlight !== n) return;
        done = true;
        self.o.timers.clearTimeout(guard);
        self.inFlight = 0;
        self.answer(batch.seqs, status, answerBody, error, nonce);
      });
  }

  answer(seqs: number[], status: number, body: Uint8Array, error: string, nonce?: number): void {
    if (status !== 200) {
      var refused = MISCONFIG_STATUS.indexOf(status) >= 0;
      if (status) this.refusals = refused ? this.refusals + 1 : 0;
      this.fail(status, error || 'status ' + status);
      if (refused && !this.misconfigured && this.refusals >= (this.o.misconfigAfter || 3)) {
        this.misconfigured = true;
        this.event('misconfigured', { status: status, url: this.o.url, said: body ? bodyText(body, 160) : '' });
      }
      return;
    }
    var ranges: AckRange[];
    try {
      var ack = decodeAck(body);
      if (ack.gateId !== this.o.gateId) { this.fail(status, 'ack for gate ' + ack.gateId); return; }
      var a = this.o.auth;
      if (a && !answerOk(ack, body, nonce || 0, a.keys.answer, a.hmac)) {
        this.fail(status, ack.mac ? 'ack not authenticated (mac or nonce)' : 'ack without mac: is the collector serving with --gates?');
        return;
      }
      ranges = clipRanges(ack.ranges, seqs);
      if (a && a.onTime && ack.time) a.onTime(ack.time);
      if (ack.level && this.o.onLevel) this.o.onLevel(ack.level);
      var tb = ack.trust;
      // handled after this answer, from a timer of its own (an install takes a signature check)
      if (tb && this.o.onTrust) {
        var on = this.o.onTrust;
        this.o.timers.setTimeout(function () { on(tb!); }, 0);
      }
    } catch (e) {
      this.fail(status, 'bad ack: ' + ((e as any).message || e));
      return;
    }
    var n = 0;
    try {
      n = ranges.length ? this.o.source.ack(ranges) : 0;
    } catch (e) {
      this.fail(status, 'journal: ' + ((e as any).message || e));
      return;
    }
    this.failures = 0;
    this.refusals = 0;
    if (this.misconfigured) {
      this.misconfigured = false;
      this.event('recovered', {});
    }
    this.stats.acked += n;
    var held = 0;
    for (var i = 0; i < ranges.length; i++) held += ranges[i].last - ranges[i].first + 1;
    this.event('acked', { records: seqs.length, acked: held, fresh: n, first: seqs[0], last: seqs[seqs.length - 1] });
    // All held: go on at once while there is more. Some not held (the collector refused them):
    // the usual interval, so a record the collector will never take does not spin.
    this.plan(held === seqs.length && seqs.length >= 1 ? 0 : this.o.intervalMs);
  }

  fail(status: number, error: string): void {
    this.failures++;
    this.stats.failed++;
    var r = this.o.random ? this.o.random() : Math.random();
    var wait = backoffMs(this.o.intervalMs, this.o.maxBackoffMs || 600000, this.failures, r);
    this.event('failed', { status: status, error: error, retryMs: wait, failures: this.failures });
    this.plan(wait);
  }
}
