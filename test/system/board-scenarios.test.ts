// Every scenario in test/scenarios/*.json on each ARM board's own bundle (dist/gate-<board>.js),
// flashed with its planned layout (tools/board/layout.ts: the image in the board's free area, the
// loader in its Storage, both of the board's own geometry) and its native verifier emulated
// (sim/board.ts). A scenario needing a feature the board's bundle is built without (DIVOC) must
// get `unsupported` for each of its certificates instead of its expectations.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario } from '../../sim/scenario';
import { BOARD_FILES } from '../../boards/index';
import { bundlePath } from '../../tools/build/boards';

const DIR = path.resolve(__dirname, '..', 'scenarios');
const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];

/** Does a scenario expect a DIVOC decision (a format the bundle may lack)? */
function needsDivoc(file: string, sc: any): boolean {
  return /divoc/.test(file) || sc.steps.some((st: any) => (st.expect && st.expect.format === 'divoc') ||
    (typeof st.scan === 'string' && st.scan.indexOf('B64:') === 0));
}

describe('scenarios on each ARM board\'s own bundle and flash layout', function () {
  this.timeout(600000);
  for (const bf of BOARD_FILES.filter((b) => b.features.native && b.features.fits)) {
    describe(bf.name, () => {
      it('boots from its layout: the loader in Storage, the image in its free area', async function () {
        if (!fs.existsSync(bundlePath(bf.name))) this.skip(); // make build-device
        const lines: string[] = [];
        const res = await runScenario({ board: bf.name, config: 'gate.json', trust: 'trust.bin', clock: '2021-09-27T08:00:00Z', steps: [{ wait: 10 }] },
          { baseDir: path.join(DIR, '..', 'fixtures'), out: (l) => lines.push(l) });
        assert.ok(res.ok, res.failures.join('\n'));
        const ready = res.events.find((e) => e.event === 'ready')!;
        assert.ok(ready && !ready.fault, lines.join('\n'));
      });
      for (const f of files) {
        it(f, async function () {
          if (!fs.existsSync(bundlePath(bf.name))) this.skip(); // make build-device
          const sc = JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
          sc.board = bf.name;
          const lines: string[] = [];
          const lacks = needsDivoc(f, sc) && !bf.features.divoc;
          if (lacks) sc.steps = sc.steps.map((st: any) => (st.expect ? { wait: 0 } : st));
          const res = await runScenario(sc, { baseDir: DIR, out: (l) => lines.push(l) });
          assert.ok(res.ok, `${bf.name} ${f}:\n  ${res.failures.join('\n  ')}\n--- events:\n${lines.slice(-30).join('\n')}`);
          if (lacks) {
            const d = res.events.filter((e) => e.event === 'decision');
            assert.ok(d.length > 0 && d.every((e) => e.decision === 'deny' && e.reason === 'unsupported'), lines.join('\n'));
          }
        });
      }
    });
  }

});
