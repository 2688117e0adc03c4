// The simulator's decisions for a list of scanned texts (sim/scenario.ts runScenario), to compare a
// real interpreter's with: test/real/bundles.test.ts (the x86 Linux interpreter) and
// test/real/arm-stores.test.ts (the ARM ones under qemu-arm, native code).
import { runScenario } from '../../sim/scenario';

/** The decision event's fields compared (the rest: times, counters, pseudonyms); a drop event's `why`. */
export const DECISION_FIELDS = ['decision', 'reason', 'format', 'kid', 'cti', 'cached', 'why'];

/** The compared fields of a decision event (the simulator's, or a real board's parsed @qg line). */
export function pickDecision(ev: any): any {
  const o: any = {};
  for (const k of DECISION_FIELDS) if (ev[k] !== undefined) o[k] = ev[k];
  return o;
}

/**
 * The simulator's decisions (pickDecision), or too-long drops, for `texts` (latin1 byte strings, each sent with its CR)
 * with `bundle` on `board` at `clock` (seconds), its configuration (a path or an object) and trust
 * bundle (a path); a board whose own bundle it is runs as `qrgate flash` lays it out, native code
 * emulated (ScenarioOptions.layout).
 */
export async function simDecisions(o: { board: string; bundle: string; clock: number; config: string | object; trust: string; texts: string[];
  /** Storage of this many bytes (ScenarioOptions.flashBytes: files larger than the board's Storage holds). */
  flashBytes?: number; }): Promise<any[]> {
  const steps: any[] = [];
  for (const t of o.texts) {
    steps.push({ scanRaw: Buffer.from(t + '\r', 'latin1').toString('hex') });
    steps.push({ wait: 5000 });
  }
  const r = await runScenario({ board: o.board, clock: o.clock, config: o.config, trust: o.trust, steps }, { bundle: o.bundle, flashBytes: o.flashBytes });
  // (a text over the scanner's frame limit is a drop event where a decision would be)
  return r.events.filter((e) => e.event === 'decision' || (e.event === 'drop' && e.why === 'too-long')).map(pickDecision);
}
