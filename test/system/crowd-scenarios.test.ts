// Issue 14, "Done when" (items 2-4): the occupancy scenarios (test/scenarios-crowd/*.json, made by
// make-crowd-scenarios.ts) on the real device bundle: the room filling to capacity and a refusal,
// the PPKM level lowered at the collector and the new limit in force at the gate (Wi-Fi and
// LoRaWAN), a booth referral counted at the collector, the count surviving a power cut,
// anti-passback.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario, validateScenario, DEFAULT_BUNDLE, ScenarioResult, ScenarioError } from '../../sim/scenario';
import { crowdScenarios, OUT_DIR } from './make-crowd-scenarios';

describe('occupancy scenarios (test/scenarios-crowd on the device bundle)', function () {
  this.timeout(120000);
  const files = crowdScenarios();

  it('the scenario files are those make-crowd-scenarios.ts makes', () => {
    for (const f of Object.keys(files)) {
      const p = path.join(OUT_DIR, f);
      assert.ok(fs.existsSync(p), `${p} missing: npx tsx test/system/make-crowd-scenarios.ts`);
      assert.deepEqual(JSON.parse(fs.readFileSync(p, 'utf8')), files[f], `${f} is stale: npx tsx test/system/make-crowd-scenarios.ts`);
    }
  });

  it('refuses malformed exitScan, level and occupancy steps', () => {
    const bad = (sc: any, re: RegExp) => assert.throws(() => validateScenario({ steps: [], ...sc }), (e: any) => e instanceof ScenarioError && re.test(e.message));
    bad({ steps: [{ exitScan: 3 }] }, /exitScan must be text/);
    bad({ steps: [{ level: 3 }] }, /needs the top-level "collector": true/);
    bad({ collector: true, steps: [{ level: 12 }] }, /level must be 0..9/);
    bad({ collector: true, steps: [{ level: 2, site: '' }] }, /site must be text/);
    bad({ steps: [{ expect: { occupancy: { count: 1 } } }] }, /occupancy must be/);
    bad({ collector: true, steps: [{ expect: { collector: { referrals: 'x' } } }] }, /referrals must be a count/);
    validateScenario({ collector: true, steps: [{ exitScan: 'x', paced: true }, { level: 4, site: 'polres-a' }, { level: 0 },
      { expect: { occupancy: { n: 1, max: 2, level: 3 }, collector: { referrals: 1, exits: 0 } } }] });
  });

  if (!fs.existsSync(DEFAULT_BUNDLE)) {
    it('plays them', function () { this.skip(); });
    return;
  }

  const play = async (f: string, keep = false): Promise<{ res: ScenarioResult; events: any[] }> => {
    const lines: string[] = [];
    const res = await runScenario(path.join(OUT_DIR, f), { out: (l) => lines.push(l), keepCollectorDb: keep });
    assert.ok(res.ok, `${f}:\n  ${res.failures.join('\n  ')}\n--- last events:\n${lines.slice(-30).join('\n')}`);
    return { res, events: lines.map((l) => JSON.parse(l)) };
  };

  it('crowd-capacity.json: the room fills, the next is refused (deny/capacity), an exit scan frees a place', async () => {
    const { events } = await play('crowd-capacity.json');
    // the exit scan never opened the door: one relay opening per admission, four admissions
    assert.equal(events.filter((e) => e.event === 'relay' && e.on === true).length || events.filter((e) => e.event === 'decision' && e.decision === 'open').length, 4);
    assert.deepEqual(events.filter((e) => e.event === 'occupancy').map((e) => e.n), [0, 1, 2, 3, 2, 3]);
  });

  it('crowd-door.json: with a door contact the count follows the door; the exit button counts a leaving', async () => {
    const { events } = await play('crowd-door.json');
    assert.deepEqual(events.filter((e) => e.event === 'occupancy').map((e) => e.n), [0, 1, 0]);
  });

  for (const f of ['crowd-level-wifi.json', 'crowd-level-lora.json']) {
    it(`${f}: the level set at the collector reaches the gate, whose limit follows`, async () => {
      const { events } = await play(f);
      const lv = events.filter((e) => e.event === 'occupancy' && e.why === 'level');
      assert.ok(lv.length >= 1 && lv[0].level === 4 && lv[0].max === 2, JSON.stringify(lv));
    });
  }

  it('crowd-booth.json: a referral to the vaccination booth, counted by the collector report', async () => {
    const { res } = await play('crowd-booth.json', true);
    fs.rmSync(path.dirname(res.collectorDb!), { recursive: true, force: true });
  });

  it('crowd-power-cut.json: the count is back after a power cut', async () => {
    const { events } = await play('crowd-power-cut.json');
    const boots = events.filter((e) => e.event === 'occupancy' && e.why === 'boot');
    assert.deepEqual(boots.map((e) => e.n), [0, 2]);
  });

  it('crowd-passback.json: the same person again without leaving goes to the attendant', async () => {
    await play('crowd-passback.json');
  });
});
