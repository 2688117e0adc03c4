// Occupancy, capacity and anti-passback (issue 14 items 2 and 4): who is inside the room behind the
// gate, and the gate-level refusals that follow from it. Plain logic over the decision decide()
// returned (decide() itself does no IO and knows nothing of the room): the gate hands each decision
// to judge() after decide(); capacity and passback can only turn an `open` into a refusal, never
// the other way round.
//
// Counting (preamble contract): admitted() is an opening granted; with a door contact (option
// `contact`, wired by the lead to door.ts's onDoor 'opened') the person counts as entered when the
// door opens within the relay's time after it (doorOpened()); without one, at once. exited() is
// someone leaving: the exit button (door.ts onDoor 'exit') or a scan at the exit-side scanner
// (capacity.exitSerial), which also names the subject for anti-passback. The count never goes
// below 0.
//
// Capacity: the limit is capacity.max, or what capacity.levels gives for the PPKM level in force
// (the collector's answers carry it: setLevel(); until then capacity.level). At the limit an
// `open` becomes `deny` / `capacity`.
// Anti-passback (passback.windowS > 0): a subject admitted within the window who has not left
// (an exit scan naming it) is sent to the attendant: `attendant` / `passback`. Subjects are kept
// as a 32-bit FNV-1a of their sub (two people sharing one are both sent to the attendant, the safe
// side: about one pair in 2^32/64 with PASSBACK_MAX subjects inside), in RAM only (at most PASSBACK_MAX, the oldest forgotten first): after a reboot nobody is inside
// for passback purposes (the count itself survives).
//
// Flash (file qg.occ, JSON {"n","l","r"}: count, level, time of the last reset): a level change and
// a reset are written at once; a count change at most every capacity.saveS seconds (a timer), so a
// power cut loses at most the count changes of the last capacity.saveS seconds (0: every change
// is written at once). The count goes back to 0 at capacity.resetHour (local time by
// capacity.utcOffsetMin), checked at the next scan or exit after that hour.
import { Timers } from '../hal/types';
import { GateConfig } from './config';
import { parseLevels } from './levels';
import { Events } from './events';
import { LogEntry } from '../proto/logrecord';

/**
 * The anti-passback key of a sub: 's' + its FNV-1a-32 (as proto/lorawire.ts kidTag; a copy, so
 * that boards without LoRa do not carry that module).
 */
export function subKey(sub: Uint8Array): string {
  var h = 2166136261;
  for (var i = 0; i < sub.length; i++) {
    h = (h ^ sub[i]) >>> 0;
    h = (((h << 24) >>> 0) + h * 403) % 4294967296;
  }
  return 's' + h;
}

/** The flash file holding the count. */
export var OCC_FILE = 'qg.occ';
/** Subjects remembered for anti-passback. */
export var PASSBACK_MAX = 64;

/** What occupancy needs of a decision (firmware/decide.ts Decision). */
export interface Judged { decision: string; reason: string; detail: string; sub: Uint8Array | null }

/** The configuration of a gate that counts (config.ts keeps capacity and passback then). */
export interface CountingConfig {
  capacity: NonNullable<GateConfig['capacity']>;
  passback: NonNullable<GateConfig['passback']>;
  relay: { openMs: number };
}

export interface OccupancyOptions {
  config: CountingConfig;
  storage: { readText(name: string): string | undefined; write(name: string, data: string): void };
  timers: Timers;
  events: Events;
  /** Where exit records go (the entry-log journal); absent: not logged. */
  journal?: { append(e: LogEntry): number };
  /** A door contact reports openings (doorOpened()); without one an admission counts at once. */
  contact?: boolean;
}

export class Occupancy {
  o: OccupancyOptions;
  /** People inside. */
  n: number;
  /** PPKM level in force (0: none). */
  level: number;
  /** Time of the last reset (s), 0: never. */
  r: number;
  /** Admissions waiting for the door to open (with a contact), and the time of the latest. */
  p: number;
  pt: number;
  /** Anti-passback: subject key -> time admitted. */
  inside: { [k: string]: number };
  /** The pending save's timer, or 0. */
  tm: number;

  constructor(o: OccupancyOptions) {
    this.o = o;
    this.n = 0;
    this.level = o.config.capacity.level;
    this.r = 0;
    this.p = 0;
    this.pt = 0;
    this.inside = {};
    this.tm = 0;
    var t = o.storage.readText(OCC_FILE);
    if (t) {
      try {
        var j = JSON.parse(t);
        if (j.n >= 0) this.n = j.n;
        if (j.l >= 0) this.level = j.l;
        if (j.r > 0) this.r = j.r;
      } catch (e) {
        o.events.emit('fault', { what: 'occupancy', why: OCC_FILE + ' unreadable: count from 0' });
      }
    }
  }

  /** The limit now (0: none): capacity.max, or what capacity.levels says for the level in force. */
  limit(): number {
    var c = this.o.config.capacity;
    var lv = c.levels ? parseLevels(c.levels) : null;
    var e = lv && this.level ? lv[String(this.level)] : null;
    if (!e) return c.max;
    return e[1] ? Math.floor(c.max * e[0] / 100) : e[0];
  }

  /**
   * The gate-level checks on a decision, after decide(): at the limit an `open` becomes `deny` /
   * `capacity`, a subject inside (anti-passback) `attendant` / `passback`; an `open` that stays
   * one is an admission (admitted()). `now`: seconds, or null (the clock is unset: no `open`).
   */
  judge(d: Judged, now: number | null): void {
    if (d.decision !== 'open' || now === null) return;
    this.tick(now);
    var max = this.limit();
    var key = this.o.config.passback.windowS && d.sub ? subKey(d.sub) : '';
    var at = key ? this.inside[key] : undefined;
    if (max && this.n + (this.o.contact ? this.p : 0) >= max) {
      d.decision = 'deny';
      d.reason = 'capacity';
      d.detail = 'the room is full: ' + this.n + ' of ' + max + ' inside';
    } else if (at !== undefined && now - at < this.o.config.passback.windowS) {
      d.decision = 'attendant';
      d.reason = 'passback';
      d.detail = 'entered before without leaving: ask the attendant';
    } else {
      if (key) this.remember(key, now);
      this.admitted(now);
    }
  }

  /** An opening granted: the person counts as entered now, or when the door opens (contact). */
  admitted(now: number): void {
    if (this.o.contact) {
      this.p++;
      this.pt = now;
    } else this.change(1, now, '');
  }

  /** The door opened: one admission that waited for it enters (none waiting: nobody counted). */
  doorOpened(now: number): void {
    if (this.p > 0 && now - this.pt <= this.o.config.relay.openMs / 1000 + 1) {
      this.p--;
      this.change(1, now, '');
    } else this.p = 0;
  }

  /** Someone left (exit button; exit scan with the subject, or null). Logged as a record of kind EXIT. */
  exited(now: number | null, sub: Uint8Array | null): void {
    if (now !== null) this.tick(now);
    if (sub) delete this.inside[subKey(sub)];
    this.change(-1, now, 'exit');
  }

  /** The PPKM level the collector holds for this gate's site (0: none: keep the current one). */
  setLevel(level: number): void {
    if (!level || level === this.level) return;
    this.level = level;
    this.save();
    this.say('level');
  }

  /** Goes back to 0 when capacity.resetHour passed since the last reset. */
  tick(now: number): void {
    var c = this.o.config.capacity;
    if (c.resetHour < 0) return;
    var off = c.utcOffsetMin * 60;
    var t = Math.floor((now + off) / 86400) * 86400 + c.resetHour * 3600 - off;
    if (t > now) t -= 86400;
    if (this.r >= t) return;
    var first = !this.r;
    this.r = now;
    if (first) { this.save(); return; } // the first time the gate knows the time: from now on
    this.n = 0;
    this.p = 0;
    this.inside = {};
    this.save();
    this.say('reset');
  }

  remember(key: string, now: number): void {
    var w = this.o.config.passback.windowS, ins = this.inside, k: string, oldest = '', count = 0;
    for (k in ins) {
      if (now - ins[k] >= w) delete ins[k];
      else {
        count++;
        if (!oldest || ins[k] < ins[oldest]) oldest = k;
      }
    }
    if (count >= PASSBACK_MAX) delete ins[oldest];
    ins[key] = now;
  }

  change(by: number, now: number | null, kind: string): void {
    var o = this.o, self = this;
    this.n = Math.max(0, this.n + by);
    if (kind && o.journal) {
      try {
        o.journal.append({ time: now === null ? 0 : now, kind: kind, occupancy: this.n, clockUntrusted: now === null });
      } catch (e) {
        o.events.emit('fault', { what: 'log', why: String((e as any).message || e) });
      }
    }
    if (!o.config.capacity.saveS) this.save();
    else if (!this.tm) this.tm = o.timers.setTimeout(function () { self.tm = 0; self.save(); }, o.config.capacity.saveS * 1000);
    this.say(kind || 'entry');
  }

  save(): void {
    try {
      this.o.storage.write(OCC_FILE, JSON.stringify({ n: this.n, l: this.level, r: this.r }));
    } catch (e) {
      this.o.events.emit('fault', { what: 'occupancy', why: 'cannot write ' + OCC_FILE });
    }
  }

  /** The console event: {"ev":"occupancy","n","max","level","why"}. */
  say(why: string): void {
    this.o.events.emit('occupancy', { n: this.n, max: this.limit(), level: this.level, why: why });
  }
}

/**
 * The gate's occupancy when the configuration asks for one (capacity.max, passback.windowS or an
 * exit-side scanner), else null. A lazy part of the bundle (tools/build/bundle.js): a gate that
 * does not count carries none of this code in RAM.
 */
export function startOccupancy(o: { config: GateConfig } & Pick<OccupancyOptions, 'storage' | 'timers' | 'events' | 'journal' | 'contact'>): Occupancy | null {
  var c = o.config;
  // (config.ts leaves capacity and passback out of a configuration that does not count)
  if (!c.capacity || !c.passback || (!c.capacity.max && !c.passback.windowS && !c.capacity.exitSerial)) return null;
  var occ = new Occupancy(o as OccupancyOptions);
  occ.say('boot');
  return occ;
}
