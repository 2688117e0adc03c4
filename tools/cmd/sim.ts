// qrgate sim: play a simulator scenario on the device bundle (spec/tools.md "Simulator scenarios").
import * as fs from 'fs';
import { CliError, parseArgs } from '../cli';
import { runScenario, ScenarioError } from '../../sim/scenario';

export const help = `usage: qrgate sim SCENARIO.json [--trace FILE] [--bundle FILE]

Loads the device bundle (default dist/gate.js, the file flashed to boards; --bundle another) into a
simulated board and plays the scenario's steps on virtual time. Prints one JSON line per event
{"t": ms, "event": scan|decision|relay|led|log|uplink|power|console|..., ...} as it happens;
--trace FILE also writes them there. Scenario format: docs/qrgate.md and sim/scenario.ts (steps
scan, scanRaw, wait, expect, power, network; extensions clock, tear, pin; expect extensions events,
console, maxMemory, flash; scenario key board = profile name). One wait step is at most 31 days
and may run timers at no more than 1,000,000 instants: beyond that the scenario is bad (exit 2).
Exit status: 0 every expectation held, 1 one failed (the failures are printed on stderr, naming
the step), 2 a bad scenario, a missing file or a missing bundle.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { trace: 'string', bundle: 'string' });
  if (p.positional.length === 0) throw new CliError('missing SCENARIO.json');
  if (p.positional.length > 1) throw new CliError(`unexpected argument ${p.positional[1]}`);
  let traceFd: number | undefined;
  if (p.flags.trace !== undefined) {
    try {
      traceFd = fs.openSync(p.flags.trace, 'w');
    } catch (e: any) {
      throw new CliError(`cannot write trace ${p.flags.trace}: ${e.message}`);
    }
  }
  try {
    const res = await runScenario(p.positional[0], {
      bundle: p.flags.bundle,
      out: (line) => process.stdout.write(line + '\n'),
      trace: traceFd === undefined ? undefined : { write: (s: string) => fs.writeSync(traceFd!, s) },
    });
    for (const f of res.failures) process.stderr.write(`qrgate sim: ${f}\n`);
    return res.ok ? 0 : 1;
  } catch (e: any) {
    if (e instanceof ScenarioError) throw new CliError(e.message);
    throw e;
  } finally {
    if (traceFd !== undefined) fs.closeSync(traceFd);
  }
}
