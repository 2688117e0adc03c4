// One virtual-time timer queue, shared by the Espruino sandbox (sim/espruino: the program's
// setTimeout/setInterval and the simulator's own events) and the unit-test fakes
// (test/fakes/hal.ts FakeTimers). Host code. Its semantics are Espruino 2v29's where device code
// can tell them apart (src/jswrap_interactive.c, src/jsinteractive.c; test/sim/vtime.test.ts
// states each one, and with ESPRUINO=... checks the sandbox against the real interpreter):
//  - time is virtual: a clock object `{ ms }` shared with the queue's owner; nothing runs when it
//    is set: the owner takes due entries one at a time (`take`) and runs them;
//  - order: by due time, then by when the entry was queued; an interval re-queued after it ran
//    counts as queued at that moment (it goes after entries already waiting for its new time);
//  - ids: a program timer's id is the highest live id + 1, so ids are reused (a fired or cleared
//    timer's id comes back once no higher one is live): clearing a stale id can hit another timer;
//    events (internal entries: promise reactions, device IO, debounce checks) have id 0, take no
//    id and survive `clearAll`;
//  - delays: a timeout's delay below 0 (or NaN) is 0; an interval's at or below 0 (or NaN) is
//    MIN_INTERVAL_MS, so time passes; an interval's next due time is its previous due time plus
//    the interval (no drift, however late the owner ran it);
//  - clear(id) of an id that is not live does nothing (Espruino 2v29 ignores it; it returns false
//    so that a strict fake can complain); clear(undefined) is refused by the caller (Espruino throws
//    "clearTimeout(undefined) not allowed. Use clearTimeout() instead"); clearAll() (clearTimeout()
//    with no argument) removes every program timer but no event; change(id, ms) (changeInterval)
//    restarts the timer `ms` from now with that interval;
//  - a one-shot entry leaves the queue before its callback runs and an interval is re-queued
//    before, so a callback may clear its own interval. (Espruino removes a timeout only after its
//    callback: a setTimeout made inside the callback of the only live timer gets id 2 on a board
//    and 1 here; device code must not depend on id values.)
//  - exceptions: the queue never calls a callback; its owner does and decides: the sandbox prints
//    "Uncaught ..." and goes on (an interval keeps running), as Espruino does; FakeTimers rethrows
//    by default so that a unit test sees it, or records it and goes on (`onError: 'record'`).

/** Virtual time in milliseconds, shared by a queue and its owner (a board and its sandbox). */
export class VirtualClock {
  ms = 0;
}

export interface VTimer<F = any> {
  /** Program timers: 1, 2, ...; 0 for events (internal entries). */
  id: number;
  /** Due time (virtual ms). */
  due: number;
  /** Queue order among equal due times. */
  seq: number;
  /** Interval in ms, 0 for a one-shot entry. */
  interval: number;
  fn: F;
  args: any[];
  internal: boolean;
}

/** The interval used for setInterval(fn, 0) (and changeInterval(id, 0)): time must pass. */
export const MIN_INTERVAL_MS = 0.001;

function timeoutMs(ms: number): number {
  return ms >= 0 ? ms : 0;
}
function intervalMs(ms: number): number {
  return ms > 0 ? ms : MIN_INTERVAL_MS;
}

export class TimerQueue<F = any> {
  private list: VTimer<F>[] = [];
  private seq = 0;

  constructor(readonly clock: { ms: number } = new VirtualClock()) {}

  /** A program's setTimeout: runs once, `ms` from now. */
  timeout(fn: F, ms: number, args: any[] = []): VTimer<F> {
    return this.push(fn, timeoutMs(ms), args, false, 0);
  }

  /** A program's setInterval: runs every `ms` from now. */
  interval(fn: F, ms: number, args: any[] = []): VTimer<F> {
    const iv = intervalMs(ms);
    return this.push(fn, iv, args, false, iv);
  }

  /** An event (not a program timer: no id, not cleared by clearAll), `ms` from now. */
  event(fn: F, ms = 0, args: any[] = []): VTimer<F> {
    return this.push(fn, timeoutMs(ms), args, true, 0);
  }

  private push(fn: F, ms: number, args: any[], internal: boolean, interval: number): VTimer<F> {
    let id = 0;
    if (!internal) {
      let max = 0;
      for (const t of this.list) if (t.id > max) max = t.id;
      id = max + 1;
    }
    const t: VTimer<F> = { id, due: this.clock.ms + ms, seq: ++this.seq, interval, fn, args, internal };
    this.list.push(t);
    return t;
  }

  /** The live program timer with this id. */
  find(id: unknown): VTimer<F> | undefined {
    for (const t of this.list) if (!t.internal && t.id === id) return t;
    return undefined;
  }

  /** clearTimeout(id) / clearInterval(id): false when no program timer with that id is live. */
  clear(id: unknown): boolean {
    const t = this.find(id);
    if (!t) return false;
    this.list.splice(this.list.indexOf(t), 1);
    return true;
  }

  /** clearTimeout() with no argument: every program timer goes, events stay. */
  clearAll(): void {
    this.list = this.list.filter((t) => t.internal);
  }

  /** changeInterval(id, ms): the timer becomes an interval of `ms`, next due `ms` from now. */
  change(id: unknown, ms: number): boolean {
    const t = this.find(id);
    if (!t) return false;
    const iv = intervalMs(ms);
    t.interval = iv;
    t.due = this.clock.ms + iv;
    return true;
  }

  /** Remove one entry (a pending debounce check); nothing when it is no longer queued. */
  remove(t: VTimer<F>): void {
    const i = this.list.indexOf(t);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The entry to run next (earliest due, then first queued), or undefined. */
  first(): VTimer<F> | undefined {
    let best: VTimer<F> | undefined;
    for (const t of this.list) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }

  /** Due time of the next entry, or undefined. */
  nextDue(): number | undefined {
    const t = this.first();
    return t ? t.due : undefined;
  }

  /**
   * Take the next entry due at or before `limit`: the clock moves to its due time (never back), a
   * one-shot entry leaves the queue, an interval is re-queued one interval later. The caller runs
   * `fn`. Undefined when nothing is due by `limit`.
   */
  take(limit: number): VTimer<F> | undefined {
    const t = this.first();
    if (!t || t.due > limit) return undefined;
    if (t.due > this.clock.ms) this.clock.ms = t.due;
    if (t.interval > 0) {
      t.due += t.interval;
      t.seq = ++this.seq;
    } else this.list.splice(this.list.indexOf(t), 1);
    return t;
  }

  /** Live program timers (not events). */
  count(): number {
    let n = 0;
    for (const t of this.list) if (!t.internal) n++;
    return n;
  }

  /** Everything queued (program timers and events). */
  size(): number {
    return this.list.length;
  }

  /** Live program timer ids, ascending. */
  ids(): number[] {
    return this.list.filter((t) => !t.internal).map((t) => t.id).sort((a, b) => a - b);
  }

  /** The live program timers (not events), in no particular order. */
  timers(): VTimer<F>[] {
    return this.list.filter((t) => !t.internal);
  }

  /** Drop everything (the program stopped). */
  reset(): void {
    this.list = [];
  }
}
