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

// The same over LoRaWAN (issue 13): frames sealed with the gate key, the time as a downlink on
// FPort 202 answering a sealed question (README "Trusted time").
const LORA_INTERVAL = 60000;

function loraScenario(steps: any[], dataRate = 5, intervalMs = LORA_INTERVAL): any {
  const base = config();
  return {
    ...scenario(steps),
    config: { ...base, uplink: { url: 'http://127.0.0.1:9/replaced', transport: 'lora', intervalMs,
      lora: { devEui: '0004a30b001c0530', appEui: '70b3d57ed0000001', appKey: '2b7e151628aed2a6abf7158809cf4f3c', dataRate } } },
  };
}

describe('sim: gate identity and trusted time over LoRaWAN (scenarios)', function () {
  this.timeout(180000);

  it('power lost for an hour: the clock comes back by a FPort 202 downlink within one uplink interval; a replayed and a forged one are refused', async () => {
    const r = await runScenario(loraScenario([
      { collectorTime: '2021-09-27T08:00:00Z' },
      { scan: personCert(1) }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok' } },
      { wait: LORA_INTERVAL },
      { expect: { collector: { records: 1 } } },
      { power: 'cut' }, { clock: null }, { wait: 3600000 },
      { collectorTime: '2021-09-27T09:00:30Z' },
      // a forger on the path: the first time downlink after power returns is an earlier genuine one
      // replayed, the second has its time moved a year on
      { forge: 2 },
      { power: 'on' },
      { scan: personCert(2) }, { wait: 300 },
      { expect: { decision: 'attendant', reason: 'clock-unset' } },
      { wait: LORA_INTERVAL },
      { scan: personCert(3) }, { wait: 300 },
      { expect: { decision: 'attendant', reason: 'clock-unset' } },
      // each refused answer costs the gate an interval before it asks again
      { wait: 3 * LORA_INTERVAL },
      { scan: personCert(4) }, { wait: 300 },
      { expect: { decision: 'open', reason: 'ok' } },
      { wait: LORA_INTERVAL },
      { expect: { collector: { records: 4, unique: true } } },
    ]));
    if (process.env.QG_DBG) for (const e of r.events) if (e.event === 'uplink' || e.event === 'clock' || e.event === 'decision' || e.event === 'power' || e.event === 'collector') console.log(JSON.stringify(e).slice(0, 200));
    assert.deepEqual(r.failures, []);
    const sets = r.events.filter((e: any) => e.event === 'clock' && e.set);
    assert.equal(sets.length, 1);
    assert.match(sets[0].set, /^2021-09-27T09:0/);
    assert.equal(r.events.filter((e: any) => e.event === 'uplink' && /time downlink not authenticated/.test(e.error || '')).length, 2);
  });

  it('forged acknowledgements (a bit flipped by the network server) delete nothing: the records go again and all reach the collector', async () => {
    const r = await runScenario(loraScenario([
      { collectorTime: '2021-09-27T08:00:00Z' },
      { forgeAcks: 2 },
      { scan: personCert(1) }, { wait: 300 }, { scan: personCert(2) }, { wait: 300 },
      { expect: { decision: 'open', reason: 'ok' } },
      { wait: 6 * LORA_INTERVAL },
      { scan: personCert(3) }, { wait: 300 },
      { wait: 3 * LORA_INTERVAL },
      { expect: { collector: { records: 3, unique: true } } },
    ]));
    if (process.env.QG_DBG) for (const e of r.events) if (e.event === 'uplink' && e.what !== 'tx' || e.event === 'collector') console.log(JSON.stringify(e).slice(0, 200));
    assert.deepEqual(r.failures, []);
    const ignored = r.events.filter((e: any) => e.event === 'uplink' && /answer not authenticated/.test(e.error || ''));
    assert.equal(ignored.length, 2);
    // nothing was acknowledged (deleted) before the forged answers had all been ignored
    const acked = r.events.filter((e: any) => e.event === 'uplink' && e.what === 'acked');
    assert.ok(acked.length >= 1 && acked[0].t > ignored[1].t, JSON.stringify(acked.map((e: any) => e.t)));
  });

  // DR0 (SF12): the 1 % duty cycle holds the first uplink 150 s after the join request (1.5 s on
  // air), and the one that fetches the answer 230 s after the question (36 bytes with the boot's
  // definitions, 2.3 s on air): about 6.5 minutes from power to clock; a 10-minute interval there.
  it('power back with no forger: the clock is set within one uplink interval, without any scan (DR5, 1 min; DR0, 10 min)', async () => {
    for (const [dr, interval] of [[5, LORA_INTERVAL], [0, 600000]]) {
      const r = await runScenario(loraScenario([
        { power: 'cut' }, { clock: null }, { wait: 3600000 },
        { collectorTime: '2021-09-27T09:00:00Z' },
        { power: 'on' },
        { wait: interval },
        { scan: personCert(1) }, { wait: 300 },
        { expect: { decision: 'open', reason: 'ok' } },
      ], dr, interval));
      if (process.env.QG_DBG) for (const e of r.events) if (e.event === "uplink" && e.what !== "tx" || e.event === "clock" || e.event === "power") console.log(JSON.stringify(e).slice(0, 180));
      assert.deepEqual(r.failures, [], `DR${dr}`);
      const on = r.events.filter((e: any) => e.event === 'power' && e.state === 'on').pop()!;
      const set = r.events.find((e: any) => e.event === 'clock' && e.set && e.t >= on.t);
      assert.ok(set && set.t - on.t <= interval, `DR${dr}: ${set ? set.t - on.t : 'never'}`);
      if (process.env.QG_DBG) console.log(`DR${dr}: clock set ${(set!.t - on.t) / 1000} s after power on`);
    }
  });
});
