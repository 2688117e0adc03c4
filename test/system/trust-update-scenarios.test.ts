// Issue 13 item 3, "Done when": a trust bundle published at the collector is in use at a Wi-Fi
// gate within one uplink interval, and at a LoRa DR5 gate within the time the duty cycle allows
// (README "Trust updates over the air"); a forged or older bundle changes nothing; power cuts and
// collector restarts in the middle of an update. Scenarios on the real device bundle
// (dist/gate-esp32.js: `make build`), with an in-process collector (sim/collector.ts).
//
// test/fixtures/trust-v2.bin (version 2) also revokes the `ok` certificate, so the decision shows
// which bundle the gate uses: open under version 1, deny/revoked under version 2.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario, ScenarioResult } from '../../sim/scenario';
import { REPO } from '../util/shared';
import { loraTrustUpdateMs } from '../../tools/collector/trust';

const FIX = path.join(REPO, 'test', 'fixtures');
const certs = JSON.parse(fs.readFileSync(path.join(FIX, 'certs.json'), 'utf8')).certs;
const OK = certs.ok.text as string;
const gate = JSON.parse(fs.readFileSync(path.join(FIX, 'gate.json'), 'utf8'));
const INTERVAL = 10000;

function config(transport: string, extra: any = {}): any {
  const c = JSON.parse(JSON.stringify(gate));
  c.uplink = { url: 'http://127.0.0.1:9/replaced', transport, batch: 5, intervalMs: INTERVAL, ...extra };
  if (transport === 'lora') {
    c.uplink.lora = { devEui: '0004a30b001c0530', appEui: '70b3d57ed0000001', appKey: '2b7e151628aed2a6abf7158809cf4f3c', dataRate: 5 };
  }
  return c;
}

async function play(cfg: any, steps: any[]): Promise<ScenarioResult> {
  return runScenario({ config: cfg, trust: 'trust.bin', clock: '2021-09-27T08:00:00Z', collector: true, steps },
    { baseDir: FIX, bundle: path.join(REPO, 'dist', 'gate-esp32.js'), keepCollector: false } as any);
}

const scanOk = (expect: any) => [{ wait: 4000 }, { scan: OK }, { wait: 300 }, { expect }];
const OPEN = { decision: 'open', reason: 'ok' };
const REVOKED = { decision: 'deny', reason: 'revoked' };

function ok(r: ScenarioResult): void {
  assert.deepEqual(r.failures, [], r.failures.join('\n'));
}

describe('trust updates over the air (scenarios on dist/gate-esp32.js)', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(path.join(REPO, 'dist', 'gate-esp32.js'))) this.skip();
  });

  it('Wi-Fi: a bundle published at the collector is in use within one uplink interval', async () => {
    const r = await play(config('wifi'), [
      ...scanOk(OPEN),
      { wait: INTERVAL },
      { expect: { trust: 1, collector: { trustVersion: 1 } } },
      { publishTrust: 'trust-v2.bin' },
      { wait: INTERVAL },
      { expect: { trust: 2, flash: { 'qg.trnew': false } } },
      ...scanOk(REVOKED),
      { wait: INTERVAL },
      { expect: { collector: { trustVersion: 2 } } },
      // the new bundle survives a power cut: it is the bundle file now
      { power: 'cut' }, { wait: 1000 }, { power: 'on' }, { wait: 2000 },
      { expect: { trust: 2 } },
      ...scanOk(REVOKED),
    ]);
    ok(r);
  });

  it('Wi-Fi: a forged bundle and an older one change nothing', async () => {
    const forged = await play(config('wifi'), [
      { publishTrust: 'trust-v2-forged.bin' },
      { wait: 3 * INTERVAL },
      { expect: { trust: 1, flash: { 'qg.trnew': false } } },
      ...scanOk(OPEN),
      { expect: { collector: { trustVersion: 1 } } },
    ]);
    ok(forged);
    assert.ok(forged.events.some((e: any) => e.event === 'trust' && e.what === 'refused' && e.error === 'bad-signature'));
  });

  it('Wi-Fi: a power cut tearing the new bundle\'s write: the old bundle after reboot, the new one an interval later', async () => {
    const r = await play(config('wifi'), [
      { wait: INTERVAL },
      { publishTrust: 'trust-v2.bin' },
      { tear: 100 }, // the next flash write (qg.trnew) is cut after 100 bytes, and the power with it
      { wait: INTERVAL },
      { expect: { trust: 1 } },
      { power: 'on' }, { wait: 500 },
      { expect: { trust: 1, flash: { 'qg.trnew': false } } },
      { wait: INTERVAL },
      { expect: { trust: 2 } },
      ...scanOk(REVOKED),
    ]);
    ok(r);
    assert.ok(r.events.some((e: any) => e.event === 'power' && e.state === 'cut'), 'the tear cut the power');
  });

  it(`LoRa DR5: the bundle arrives in fragments within ${Math.round(loraTrustUpdateMs(408, 5) / 1000)} s of the gate's status uplink`, async () => {
    const budget = loraTrustUpdateMs(408, 5);
    const r = await play(config('lora', { trustPollS: 60 }), [
      { wait: 70000 },
      { expect: { trust: 1, collector: { trustVersion: 1, gateId: 'eui-0004a30b001c0530' } } },
      { publishTrust: 'trust-v2.bin' },
      { wait: 60000 + budget },
      { expect: { trust: 2, modem: { dutyRefusals: 0 } } },
      ...scanOk(REVOKED),
    ]);
    ok(r);
  });

  it('LoRa: resumes after a power cut and a collector restart in the middle of an update (DR3: 4 fragments)', async () => {
    const cfg = config('lora', { trustPollS: 60 });
    cfg.uplink.lora.dataRate = 3;
    const r = await play(cfg, [
      { wait: 5000 },
      { publishTrust: 'trust-v2.bin' },
      { wait: 65000 },
      // some fragments in flash, not all
      { expect: { trust: 1, flash: { 'qg.tfs': true, 'qg.tf.1': true, 'qg.tf.4': false } } },
      { power: 'cut' }, { collector: 'restart' }, { wait: 5000 }, { power: 'on' },
      { wait: 61000 + loraTrustUpdateMs(408, 3) },
      { expect: { trust: 2, flash: { 'qg.tfs': false, 'qg.tf.1': false, 'qg.trnew': false } } },
      ...scanOk(REVOKED),
    ]);
    ok(r);
    // resumed: the fragments kept in flash were not sent again
    const on = r.events.findIndex((e: any) => e.event === 'power' && e.state === 'on' && e.t > 0);
    const after = r.events.slice(on).filter((e: any) => e.event === 'trust' && e.what === 'fragment').map((e: any) => e.index);
    assert.deepEqual(after, [3, 4]);
  });
});
