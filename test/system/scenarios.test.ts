// Every scenario in test/scenarios/*.json, played on the real device bundle dist/gate.js.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario, DEFAULT_BUNDLE } from '../../sim/scenario';

const DIR = path.resolve(__dirname, '..', 'scenarios');
const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];

describe('scenarios (test/scenarios/*.json on dist/gate.js)', () => {
  if (!fs.existsSync(DEFAULT_BUNDLE) || files.length === 0) {
    it('plays every scenario', function () {
      this.skip(); // reason below, printed by mocha as pending
    });
    const why = !fs.existsSync(DEFAULT_BUNDLE) ? `${DEFAULT_BUNDLE} is missing (run make build-device)` : `no scenario files in ${DIR}`;
    // eslint-disable-next-line no-console
    console.log(`  scenarios skipped: ${why}`);
    return;
  }
  for (const f of files) {
    it(f, async () => {
      const lines: string[] = [];
      const res = await runScenario(path.join(DIR, f), { out: (l) => lines.push(l) });
      assert.ok(res.ok, `${f}:\n  ${res.failures.join('\n  ')}\n--- events:\n${lines.slice(-40).join('\n')}`);
    });
  }
});
