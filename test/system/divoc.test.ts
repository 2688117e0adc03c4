// Issue 17 (1, 7) on what ships: the device bundle (dist/gate-esp32.js, else dist/gate.js) in the
// simulator, with gate.json and a trust bundle signed by the fixtures' root that trusts the
// DIVOC samples' key and the test issuer and revokes certificate 100000001.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runScenario, defaultBundleFor, DEFAULT_SCENARIO_BOARD } from '../../sim/scenario';
import { sampleJson, signedJson, divocText, divocTrustBytes } from '../util/divoc';

const FIX = path.resolve(__dirname, '..', 'fixtures');

describe('DIVOC shared predicates and dose-date offsets on the device bundle (simulator)', function () {
  this.timeout(120000);
  let dir = '';
  let trust = '';

  before(function () {
    const bundle = defaultBundleFor(DEFAULT_SCENARIO_BOARD);
    if (!fs.existsSync(bundle)) {
      // eslint-disable-next-line no-console
      console.log(`      skipped: ${bundle} is missing (run make build-device)`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-divoc-sim-'));
    trust = path.join(dir, 'trust.bin');
    fs.writeFileSync(trust, divocTrustBytes(['100000001']));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function play(clock: string, scans: [string, string, string][]): Promise<void> {
    const steps: any[] = [];
    for (const [, text, reason] of scans) {
      steps.push({ scan: text }, { wait: 500 }, { expect: { decision: reason === 'ok' ? 'open' : 'deny', reason, relay: reason === 'ok' } }, { wait: 4000 });
    }
    const lines: string[] = [];
    const res = await runScenario({ config: path.join(FIX, 'gate.json'), trust, clock, steps }, { out: (l) => lines.push(l) });
    const got = res.events.filter((e: any) => e.event === 'decision').map((e: any) => e.reason);
    assert.ok(res.ok, `${scans.map((s) => s[0]).join(', ')}:\n  ${res.failures.join('\n  ')}\n  reasons: ${got.join(' ')}\n${lines.slice(-20).join('\n')}`);
    assert.equal(got.length, scans.length);
  }

  it('issue 17 (1): the revoked sample, then its certificateId swapped with batch as ["100000001"]: revoked both times', async () => {
    const swapped = sampleJson('dose2');
    swapped.evidence[0].certificateId = 'TEST123';
    swapped.evidence[0].batch = ['100000001'];
    await play('2021-09-27T08:00:00Z', [
      ['sample dose2', divocText(sampleJson('dose2')), 'revoked'],
      ['swapped', divocText(swapped), 'revoked'],
    ]);
  });

  it('issue 17 (1): a too-recent effectiveUntil wrapped in an array still counts (policy, not open)', async () => {
    const c = await signedJson((e) => { e.evidence[0].effectiveUntil = '2021-09-20'; e.evidence[0].certificateId = 'C-2'; });
    const wrapped = JSON.parse(JSON.stringify(c));
    wrapped.evidence[0].effectiveUntil = ['2021-09-20'];
    await play('2021-09-27T08:00:00Z', [['signed', divocText(c), 'policy'], ['wrapped', divocText(wrapped), 'policy']]);
  });

  it('issue 17 (7): a dose at 05:00 +07:00 counts from its local day (policy 13.5 days after the UTC day, open after 14 local days)', async () => {
    const c = await signedJson((e) => {
      e.evidence[0].date = '2021-08-01T05:00:00+07:00';
      e.evidence[0].effectiveStart = e.evidence[0].effectiveUntil = '2021-07-01';
      e.evidence[0].certificateId = 'C-3';
    });
    await play('2021-08-14T12:00:00Z', [['+07:00', divocText(c), 'policy']]);
    await play('2021-08-15T00:00:01Z', [['+07:00', divocText(c), 'ok']]);
  });
});
