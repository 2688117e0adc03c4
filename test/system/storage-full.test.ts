// A gate whose Storage has no room for its journal (other files fill it): it keeps deciding, and
// every entry it cannot log is counted and reported: a fault line on the console with the count,
// qgStatus() (what doctor prints) listing the fault, and the Wi-Fi batch telling the collector.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario, DEFAULT_BUNDLE } from '../../sim/scenario';
import { personCert } from './make-uplink-scenarios';
import { statusJson } from '../../firmware/status';
import { Journal } from '../../firmware/journal';
import { FlashImage } from '../../sim/flash';
import { decodeBatchHost } from '../../tools/collector/server';
import { REPO } from '../util/shared';
import { UplinkLora } from '../../drivers/uplink-lora';
import { LoraDevices, decodeLoraFrameHost } from '../../tools/collector/lorawire';
import { FakeTimers } from '../fakes/hal';

describe('Storage full: entries not logged are counted and reported', function () {
  this.timeout(120000);

  it('dist/gate.js: each entry it cannot log is a fault line with the count; the door still works', async function () {
    if (!fs.existsSync(DEFAULT_BUNDLE)) this.skip();
    const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
    const lines: string[] = [];
    // 256 KB of Storage: the firmware (about 193 KB) and its files leave less than one 64 KB segment.
    const res = await runScenario({
      config: { ...base, log: { segments: 2, segmentSize: 65536 } }, trust: 'test/fixtures/trust.bin', clock: '2021-09-27T08:00:00Z',
      steps: [
        { scan: personCert(1) }, { wait: 4000 }, { expect: { decision: 'open', reason: 'ok' } },
        { scan: personCert(2) }, { wait: 4000 }, { expect: { decision: 'open', events: { fault: 2, log: 0 } } },
      ],
    }, { baseDir: REPO, out: (l) => lines.push(l), flashBytes: 256 * 1024 });
    assert.ok(res.ok, res.failures.join('\n') + '\n' + lines.slice(-10).join('\n'));
    const faults = lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'fault');
    assert.deepEqual(faults.map((f) => [f.what, f.why]), [
      ['log', 'storage full: entry not logged (1 since boot)'], ['log', 'storage full: entry not logged (2 since boot)']]);
  });

  it('qgStatus() lists the fault with the count; the next batch tells the collector, even without records', () => {
    const img = new FlashImage({ size: 8 * 1024, pageSize: 2048 });
    img.write('.bootcde', new Uint8Array(7200).fill(0x41));
    const j = new Journal({ storage: img.storage(), gateId: 'gate-9', segments: 2, segmentSize: 1024 });
    j.open();
    for (let i = 0; i < 3; i++) assert.equal(j.append({ time: 1632729600 + i }), -1);
    const st = JSON.parse(statusJson({
      storage: img.storage(), sha256: () => new Uint8Array(32), memory: { usage: () => 1, total: () => 2 },
      version: 'x', board: 'esp32', config: null, trust: { bundle: null }, now: () => null, backlog: () => 0, fault: '', journal: j, faults: {},
    }));
    assert.deepEqual(st.faults, [{ what: 'log', why: 'storage full: entries are not logged', unlogged: 3 }]);
    assert.deepEqual(st.log, { next: 0, dropped: 0, unlogged: 3, torn: 0 });
    const b = j.batch(20)!;
    assert.deepEqual(b.seqs, []);
    const d = decodeBatchHost(b.body);
    assert.deepEqual([d.gateId, d.records.length, d.unlogged], ['gate-9', 0, 3]);
  });

  it('the LoRa uplink tells the collector too (issue 17), even without records', () => {
    const img = new FlashImage({ size: 8 * 1024, pageSize: 2048 });
    img.write('.bootcde', new Uint8Array(7200).fill(0x41));
    const j = new Journal({ storage: img.storage(), gateId: 'gate-9', segments: 2, segmentSize: 1024 });
    j.open();
    for (let i = 0; i < 3; i++) assert.equal(j.append({ time: 1632729600 + i }), -1);
    const timers = new FakeTimers(), devices = new LoraDevices(), told: number[] = [];
    const up = new UplinkLora({
      timers, source: j, gateId: 'gate-9', dataRate: 0, intervalMs: 10000,
      // as firmware/uplink/lora.ts wires it
      unlogged: () => j.unlogged - j.unloggedLogged,
      modem: {
        whenReady: (cb) => { timers.setTimeout(cb, 100); },
        send: (port, payload, _c, cb) => {
          const v = devices.accept('eui-9', decodeLoraFrameHost(payload));
          if (v.unlogged) told.push(v.unlogged);
          timers.setTimeout(() => cb(null, null), 1000);
        },
      },
    });
    up.start(0);
    timers.advance(60000);
    assert.deepEqual(told, [3]);
  });
});
