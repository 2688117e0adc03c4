// A gate bundle built WITHOUT the bundler's hoisting pass (terser's late `var`s left in place, as
// every bundle was before tools/build/latevars.js): the tests that show how such a bundle fails,
// in the simulator and on the real interpreter.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBundle, DEFAULT_ENTRY } from '../../tools/build/boards';
import { runScenario } from '../../sim/scenario';
import { BoardEvent } from '../../sim/board';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const CERTS = require('../fixtures/certs.json');

const built: { [profile: string]: string } = {};

/** The profile's bundle with late vars (a file in the temporary directory), or null without build/device. */
export async function oldBundle(profile: string): Promise<string | null> {
  if (!fs.existsSync(DEFAULT_ENTRY)) return null;
  if (built[profile]) return built[profile];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-late-'));
  const out = path.join(dir, `gate-${profile}.js`);
  await buildBundle(profile, { out, keepLateVars: true });
  built[profile] = out;
  return out;
}

/** The events of the simulator booting `bundle` on `board` with the fixture configuration and trust bundle. */
export async function bootEvents(bundle: string, board: string, steps: any[] = [{ wait: 5000 }]): Promise<BoardEvent[]> {
  const r = await runScenario({
    board, clock: CERTS.clock, config: path.join(FIXTURES, CERTS.config), trust: path.join(FIXTURES, CERTS.trust), steps,
  }, { bundle });
  return r.events;
}
