// Gate identity and trusted time in the simulator (sim/scenario.ts "identity", collectorTime,
// forge), on the shipped bundle: issue 13 "Done when": a gate that lost power (and its clock)
// for an hour sets its clock from the collector within one uplink interval of power returning,
// and a forged time answer is refused; the records made meanwhile reach the collector, authenticated.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario } from '../../sim/scenario';
import { personCert } from '../system/make-uplink-scenarios';
import { REPO } from '../util/shared';

const INTERVAL = 10000;

function config(): any {
  const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
  return { ...base, gateId: 'gate-east-door', uplink: { url: 'http://127.0.0.1:9/replaced', transport: 'wifi', batch: 5, intervalMs: INTERVAL } };
}

function scenario(steps: any[]): any {
  return {
    config: config(), trust: path.join(REPO, 'test', 'fixtures', 'trust.bin'),
    clock: '2021-09-27T08:00:00Z', collector: true, identity: true, steps,
  };
}

describe('sim: gate identity and trusted time (scenarios)', function () {
  this.timeout(120000);

  it('power lost for an hour: the clock comes back from the collector within one interval; a forged time is refused', async () => {
    const r = await runScenario(scenario([
      { collectorTime: '2021-09-27T08:00:00Z' },
      { scan: personCert(1) }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok' } },
      { wait: INTERVAL },
      { expect: { collector: { records: 1 } } },
      // an hour without power, and the clock lost with it
      { power: 'cut' }, { clock: null }, { wait: 3600000 },
      { collectorTime: '2021-09-27T09:00:30Z' },
      // a forger on the path answers the first requests after power returns
      { forge: 3 },
      { power: 'on' },
      { scan: personCert(2) }, { wait: 300 },
      { expect: { decision: 'attendant', reason: 'clock-unset' } },
      { wait: 2 * INTERVAL },
      { scan: personCert(3) }, { wait: 300 },
      { expect: { decision: 'attendant', reason: 'clock-unset' } },
      // the forger gives up; the next attempt (after the uplink's backoff: at most 40 s after the
      // third failure) gets the genuine answer
      { wait: 8 * INTERVAL },
      { scan: personCert(4) }, { wait: 300 },
      { expect: { decision: 'open', reason: 'ok' } },
      { wait: INTERVAL },
      { expect: { collector: { records: 4, unique: true } } },
    ]));
    if (process.env.QG_DBG) for (const e of r.events) if (e.event === 'uplink' || e.event === 'clock' || e.event === 'decision') console.log(JSON.stringify(e).slice(0, 200));
    assert.deepEqual(r.failures, []);
    // the clock was set once, to the collector's genuine time, never to the forged one
    const sets = r.events.filter((e: any) => e.event === 'clock' && e.set);
    assert.equal(sets.length, 1);
    assert.match(sets[0].set, /^2021-09-27T09:0/);
    assert.equal(r.events.filter((e: any) => e.event === 'uplink' && /not authenticated/.test(e.error || '')).length, 3);
  });

  it('power back with no forger: the clock is set within one uplink interval, without any scan', async () => {
    const r = await runScenario(scenario([
      { power: 'cut' }, { clock: null }, { wait: 3600000 },
      { collectorTime: '2021-09-27T09:00:00Z' },
      { power: 'on' },
      { wait: INTERVAL },
      { scan: personCert(1) }, { wait: 300 },
      { expect: { decision: 'open', reason: 'ok' } },
    ]));
    assert.deepEqual(r.failures, []);
  });
});
