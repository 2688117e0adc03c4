// Issue 14 item 1 end to end: the door's alarms as journal records (log.proto Kind ALARM) reach the
// collector over Wi-Fi (protobuf Batches) and over LoRa (the compact framing), stored as alarms,
// next to the entries, on the real device bundle with an in-process collector.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario, DEFAULT_BUNDLE } from '../../sim/scenario';
import { REPO } from '../util/shared';

const SCAN = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'scenarios', 'ok.json'), 'utf8')).steps[0].scan;

function scenario(file: string): any {
  const sc = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'scenarios-uplink', file), 'utf8'));
  sc.config.door = { contact: 'board', button: 'board', heldOpenS: 10 };
  sc.description = 'door alarms over the uplink';
  sc.steps = [
    { door: 'open' }, { wait: 100 }, { expect: { alarm: 'forced' } },
    { door: 'close' }, { wait: 100 },
    { scan: SCAN }, { wait: 300 }, { expect: { decision: 'open', relay: true } },
    { door: 'open' }, { wait: 11000 }, { expect: { alarm: 'held' } },
    { door: 'close' }, { wait: 100 }, { expect: { alarm: 'none' } },
    { wait: 60000 },
    { expect: { collector: { alarms: ['forced', 'cleared', 'held', 'cleared'], unique: true } } },
  ];
  return sc;
}

describe('door alarms reach the collector (issue 14)', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(DEFAULT_BUNDLE)) this.skip();
  });
  for (const file of ['log-wifi.json', 'log-lora-dr5.json']) {
    it(`over ${/lora/.test(file) ? 'LoRa' : 'Wi-Fi'}: forced, held and their clearing, in order, besides the entry`, async () => {
      const lines: string[] = [];
      const res = await runScenario(scenario(file), { out: (l) => lines.push(l), baseDir: path.join(REPO, 'test', 'scenarios-uplink') });
      assert.ok(res.ok, `${res.failures.join('\n')}\n${lines.filter((l) => !/"led"/.test(l)).slice(-30).join('\n')}`);
    });
  }
});
