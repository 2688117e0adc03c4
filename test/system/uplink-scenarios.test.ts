// Issue 5, "Done when": the uplink scenarios (test/scenarios-uplink/*.json, made by
// make-scenarios.ts) on the real device bundle dist/gate.js, each with an in-process collector:
// twenty scans while the network is down for hours and across a power cut in a journal write,
// the collector crashing after committing a batch it never acknowledged, modem faults on LoRa;
// the collector ends up holding every logged record exactly once, and `qrgate collector trace`
// finds who was near a given person.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFile } from 'child_process';
import { runScenario, validateScenario, DEFAULT_BUNDLE, ScenarioResult, ScenarioError } from '../../sim/scenario';
import { uplinkScenarios, OUT_DIR } from './make-uplink-scenarios';
import { REPO } from '../util/shared';

const QRGATE = path.join(REPO, 'bin', 'qrgate.js');

function qrgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QRGATE, ...args], { cwd: REPO }, (err: any, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

describe('uplink scenarios (test/scenarios-uplink on dist/gate.js, with a collector)', function () {
  const files = uplinkScenarios();

  it('the scenario files are those make-scenarios.ts makes', () => {
    for (const f of Object.keys(files)) {
      const p = path.join(OUT_DIR, f);
      assert.ok(fs.existsSync(p), `${p} missing: npx tsx test/system/make-uplink-scenarios.ts`);
      assert.deepEqual(JSON.parse(fs.readFileSync(p, 'utf8')), files[f], `${f} is stale: npx tsx test/system/make-uplink-scenarios.ts`);
    }
  });

  it('refuses malformed uplink steps and expectations', () => {
    const bad = (sc: any, re: RegExp) => assert.throws(() => validateScenario({ steps: [], ...sc }), (e: any) => e instanceof ScenarioError && re.test(e.message));
    bad({ steps: [{ collector: 'start' }] }, /needs the top-level "collector": true/);
    bad({ collector: true, steps: [{ collector: 'reboot' }] }, /collector must be/);
    bad({ collector: 'yes' }, /collector must be true or false/);
    bad({ steps: [{ modem: { fail: 'on_fire' } }] }, /modem must be/);
    bad({ steps: [{ modem: { fail: 'busy', count: 0 } }] }, /modem must be/);
    bad({ collector: true, steps: [{ expect: { collector: { record: 3 } } }] }, /unknown collector expectation 'record'/);
    bad({ collector: true, steps: [{ expect: { collector: { trace: { contacts: 1 } } } }] }, /sub \(hex\) or subText/);
    validateScenario({ collector: true, steps: [{ modem: { fail: 'mac_err', count: 2 } }, { collector: 'crash' },
      { expect: { collector: { records: 1, unique: true, trace: { subText: 'x', contacts: 0 } }, modem: { dutyRefusals: 0 } } }] });
  });

  if (!fs.existsSync(DEFAULT_BUNDLE)) {
    it('plays them', function () { this.skip(); });
    return;
  }

  const play = async (f: string, keep = false): Promise<{ res: ScenarioResult; lines: string[] }> => {
    const lines: string[] = [];
    const res = await runScenario(path.join(OUT_DIR, f), { out: (l) => lines.push(l), keepCollectorDb: keep });
    assert.ok(res.ok, `${f}:\n  ${res.failures.join('\n  ')}\n--- last events:\n${lines.slice(-30).join('\n')}`);
    return { res, lines };
  };
  const evs = (lines: string[], what: string) => lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'uplink' && e.what === what);

  it('log-wifi.json: every record once, and collector trace finds the contacts', async () => {
    const { res, lines } = await play('log-wifi.json', true);
    const dir = path.dirname(res.collectorDb!);
    try {
      const secret = (files['log-wifi.json'].config.site.secret as string);
      const t = await qrgate(['collector', 'trace', '--db', res.collectorDb!, '--site-secret', secret, '--sub-text', 'person-03']);
      assert.equal(t.code, 0, t.stderr);
      const hits = t.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(hits.length, 1);
      assert.equal(hits[0].gateId, 'gate-east-door');
      assert.equal(hits[0].kid, 'issuer-1');
      assert.equal(hits[0].contacts.length, 9);
      const q = await qrgate(['collector', 'query', '--db', res.collectorDb!]);
      const rows = q.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 20 }, (_, i) => i));
      assert.ok(rows.every((r) => r.gateId === 'gate-east-door' && r.decision === 'open' && r.subject.length === 32));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // the crash: a batch was committed and never acknowledged, so it went twice (stored once)
    const sent = evs(lines, 'sent').filter((e) => e.first === 0);
    assert.ok(sent.length >= 2);
    assert.ok(evs(lines, 'failed').length > 10, 'hours of failures while the network was down');
  });

  for (const f of ['log-flash-full-wifi.json', 'log-flash-full-lora.json']) {
    it(`${f}: a full flash drops the oldest records, counted; the rest arrive once`, async () => {
      const { lines } = await play(f);
      // 7 of the 20 scans were dropped (held 13 entries + 1 drop record with counter 7)
      assert.ok(evs(lines, 'acked').length >= 1);
    });
  }

  for (const f of ['log-lora-dr5.json', 'log-lora-dr0.json']) {
    it(`${f}: every record once, the duty cycle kept, every modem fault survived`, async () => {
      const { res, lines } = await play(f);
      const dr = f.indexOf('dr0') >= 0 ? 0 : 5;
      const sent = evs(lines, 'sent');
      assert.ok(sent.every((e) => e.bytes <= (dr === 0 ? 51 : 222)));
      assert.equal(Math.max(...sent.map((e) => e.records)), dr === 0 ? 1 : 5);
      assert.equal(res.modem!.dutyRefusals, 0);
      // the faults reached the driver and were handled (busy and no_free_ch retried inside it)
      const modemLog = res.modem!.log.filter((l) => l.dir === 'out').map((l) => l.line);
      for (const r of ['busy', 'no_free_ch', 'mac_err', 'not_joined', 'invalid_param']) assert.ok(modemLog.indexOf(r) >= 0, `modem said ${r}`);
      assert.ok(evs(lines, 'asked').length >= 1, 'the restarted collector asked for the gate id and kids again');
    });
  }
});
