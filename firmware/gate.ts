// The gate's run-time loop: scans in, one decision at a time, the door asked to open or to show a
// refusal (firmware/door.ts), events to the event sink (firmware/events.ts), the trust bundle read
// from the trust store at each decision (firmware/truststore.ts). Receives everything it uses in
// its constructor (firmware/main.ts wires the board).
// Scans wait in the scanner driver's queue (drivers/scanner.ts, `queue.max` frames), which hands
// them over one per timer callback; the gate decides each at once, synchronously, so that a
// decision's seconds on a board hold the UART's later frames in that bounded queue. Frames the
// scanner drops (queue full, longer than scanner.maxLen) reach `drop()`: a console event each.
import { Clock } from '../hal/types';
import { GateConfig } from './config';
import { Decision, decide, DecideContext } from './decide';
import { hexOf } from '../proto/bytes';
import { VerifiedCache } from './cache';
import type { NativeInflate } from '../proto/zip';
import { Events } from './events';
import { DoorLike } from './door';
import { TrustBundle } from '../proto/trustbundle';
import { FORMAT_DIVOC, formatOfText } from '../proto/formats';
import type { MemReserve } from '../boards/types';

/** A hook that records each decision (the entry log, issue 5); may be absent. */
export interface DecisionSink { record(d: Decision, now: number, clockTrusted: boolean, occupancy?: number): number }

/** The room's count (firmware/occupancy.ts): judges each decision after decide(). */
export interface CrowdLike { n: number; judge(d: Decision, now: number | null): void }

export interface GateOptions {
  config: GateConfig;
  /** The trust store: its bundle decides; a new one empties the repeat-visitor cache. */
  trust: { bundle: TrustBundle | null };
  clock: Clock;
  door: DoorLike;
  events: Events;
  verify: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;
  sha256: (d: Uint8Array) => Uint8Array;
  /** SHA-256 of a byte string as it is (Hashes.sha256Text): the repeat-visitor cache key. */
  sha256Text: (text: string) => Uint8Array;
  /** A board's native inflate (firmware/native-inflate.ts), or null/undefined. */
  inflate?: NativeInflate | null;
  sink?: DecisionSink;
  /** Occupancy, capacity, anti-passback (firmware/occupancy.ts), at gates configured to count. */
  crowd?: CrowdLike | null;
  /**
   * The board's MemReserve (boards/<name>.ts memReserve) and its free variables now (hal memory().free:
   * on Espruino a garbage collection each time): before a decision the cache did not answer, its
   * least recently used entries go until `reserve` (by kind of text) variables are free. Absent:
   * the cache keeps its entries.
   */
  reserve?: MemReserve | null;
  free?: () => number;
}

/** Times before 2020-01-01 mean the clock was never set (a board counts from 0 at power-on). */
export var CLOCK_VALID_AFTER = 1577836800;

/** Text for a kid: itself when printable ASCII, else hex. */
export function kidText(kid: Uint8Array | null): string {
  if (!kid) return '';
  var s = '';
  for (var i = 0; i < kid.length; i++) {
    var c = kid[i];
    if (c < 0x20 || c > 0x7e) return hexOf(kid);
    s += String.fromCharCode(c);
  }
  return s;
}

/** The JSON-able summary of a decision (what `qrgate verify` prints and the console reports). */
export function decisionSummary(d: Decision): any {
  return {
    decision: d.decision, reason: d.reason, format: d.format,
    kid: kidText(d.kid), cti: d.cti ? hexOf(d.cti) : '', detail: d.detail,
  };
}

export class Gate {
  o: GateOptions;
  stats: { scans: number; dropped: number; tooLong: number; decisions: number };
  cache: VerifiedCache;
  /** decide()'s beforeParse: makeRoom, on a gate with a reserve and a cache (else unset: no RAM). */
  room?: (text: string) => void;

  constructor(o: GateOptions) {
    this.o = o;
    this.cache = new VerifiedCache(o.config.cache.size);
    this.stats = { scans: 0, dropped: 0, tooLong: 0, decisions: 0 };
    if (o.reserve && o.free && o.config.cache.size > 0) {
      var self = this;
      this.room = function (text: string) { self.makeRoom(text); };
    }
  }

  /**
   * Memory for deciding `text` (which the cache did not answer): the cache's least recently used
   * entries go, one at a time, until the board's reserve for this kind of text is free or the
   * cache is empty. Free memory is read only while the cache holds something (reading it collects
   * garbage on Espruino). A decision that still runs short runs out as it would without a cache:
   * no decision, the door stays locked (README "Limits on unsigned input").
   */
  makeRoom(text: string): void {
    var o = this.o;
    var c = this.cache;
    var need = formatOfText(text) === FORMAT_DIVOC ? o.reserve!.divoc : o.reserve!.qg1;
    while (c.entries.length && o.free!() < need) c.evict();
  }

  /** The gate's notion of now: null when the clock was never set. */
  now(): number | null {
    var t = this.o.clock.now();
    return t >= CLOCK_VALID_AFTER ? Math.floor(t) : null;
  }

  /**
   * A framed text from the scanner (delivered from the scanner's timer callback, one at a time):
   * decided now. Frames arriving meanwhile wait in the scanner's bounded queue.
   */
  scan(text: string): Decision {
    var o = this.o;
    var now = this.now();
    this.stats.scans++;
    // (A bundle installed since the last scan: the cache empties itself on its first lookup under
    // another bundle, firmware/cache.ts.)
    var ctx: DecideContext = {
      now: now, trust: o.trust.bundle, policy: o.config.policy, verify: o.verify, sha256: o.sha256, sha256Text: o.sha256Text, cache: this.cache,
      inflate: o.inflate,
    };
    if (this.room) ctx.beforeParse = this.room;
    var d = decide(text, ctx);
    // Gate-level decisions after decide() (issue 14): not vaccinated as the policy needs -> the
    // vaccination booth (policy.boothReferral: amber); then the room's capacity and anti-passback.
    if (d.reason === 'policy' && d.decision === 'deny' && o.config.policy.boothReferral) {
      d.reason = 'booth';
      d.detail += ': please go to the vaccination booth';
    }
    if (o.crowd) o.crowd.judge(d, now);
    this.stats.decisions++;
    o.door.signal(d.reason === 'booth' ? 'booth' : d.decision);
    var ev = decisionSummary(d);
    if (d.cached) ev.cached = true;
    o.events.emit('decision', ev);
    if (o.sink) {
      try {
        var seq = o.sink.record(d, now === null ? Math.floor(o.clock.now()) : now, now !== null, o.crowd ? o.crowd.n : 0);
        o.events.emit('log', { seq: seq });
      } catch (e) {
        o.events.emit('fault', { what: 'log', why: String((e as any).message || e) });
      }
    }
    return d;
  }

  /**
   * A frame the scanner dropped: why 'busy' (queue.max frames were waiting) or 'too-long' (over
   * scanner.maxLen); count is the scanner's running count of that kind; len the frame's bytes.
   * One console event: {"ev":"drop","why":...,"count":...,"len":...}.
   */
  drop(why: string, count: number, len: number): void {
    if (why === 'too-long') this.stats.tooLong = count;
    else this.stats.dropped = count;
    this.o.events.emit('drop', { why: why, count: count, len: len });
    // A text too long to read is refused where the visitor can see it (red), like a malformed
    // one: a DIVOC certificate at a gate built without DIVOC is one. (A busy drop is not: the
    // scans before it are still being decided.)
    if (why === 'too-long') this.o.door.signal('deny');
  }
}
