// firmware/status.ts: qgStatus()'s JSON, read at the time of the call (the trust store's bundle of
// the moment, the firmware's digest from flash, the clock), and isoTime by hand.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { status, statusJson, isoTime, FIRMWARE_FILE, StatusSources } from '../../firmware/status';
import { TrustStore } from '../../firmware/truststore';
import { sha256 } from '../../firmware/crypto/sha256';
import { hexOf } from '../../proto/bytes';
import { configOf } from './fixtures';
import { fixtureBytes, flashStorage, recordingEvents, strictVerify } from './owners-util';

function sources(over: Partial<StatusSources> = {}): { src: StatusSources; trust: TrustStore } {
  const storage = flashStorage();
  const trust = new TrustStore({ storage, verify: strictVerify, events: recordingEvents() });
  trust.roots = configOf('gate.json').rootKeys;
  const src: StatusSources = {
    storage, sha256, memory: { usage: () => 1200, total: () => 5100 }, version: '9.9.9', board: 'pico',
    config: configOf('gate.json'), trust, now: () => null, backlog: () => 0, fault: '', ...over,
  };
  return { src, trust };
}

describe('firmware/status', () => {
  it('occupancy: the count, the limit in force and the PPKM level at a gate that counts, read at the time of the call; null elsewhere', () => {
    assert.equal(status(sources().src).occupancy, null);
    const occ = { n: 2, level: 3, limit: () => (occ.level === 3 ? 5 : 10) };
    const { src } = sources({ occupancy: occ });
    assert.deepEqual(JSON.parse(statusJson(src)).occupancy, { count: 2, max: 5, level: 3 });
    occ.n = 4;
    occ.level = 1;
    assert.deepEqual(status(src).occupancy, { count: 4, max: 10, level: 1 });
  });

  it('reads the trust store at the time of the call', () => {
    const { src, trust } = sources();
    assert.equal(status(src).trust, null);
    trust.install(fixtureBytes());
    assert.deepEqual(status(src).trust, { version: 1, keys: 4 });
  });

  it('the firmware file\'s SHA-256 and size, the clock as ISO time, memory, scans, boot fault', () => {
    const { src } = sources({ now: () => 1632729600, scans: () => ({ frames: 3, decisions: 2, dropped: 1, tooLong: 0, duplicates: 0, noise: 5 }), fault: 'trust' });
    const fw = new Uint8Array([1, 2, 3, 4, 5]);
    src.storage.write(FIRMWARE_FILE, fw);
    const s = JSON.parse(statusJson(src));
    assert.deepEqual(s.firmware, { version: '9.9.9', sha256: hexOf(sha256(fw)), bytes: 5 });
    assert.equal(s.clock, '2021-09-27T08:00:00Z');
    assert.deepEqual(s.memory, { used: 1200, total: 5100 });
    assert.equal(s.scans.noise, 5);
    assert.equal(s.fault, 'trust');
    assert.equal(s.board, 'pico');
    assert.equal(s.gateId, configOf('gate.json').gateId);
  });

  it('no configuration, no firmware file, a backlog that throws: nulls and -1, never a throw', () => {
    const { src } = sources({ config: null, backlog: () => { throw new Error('x'); } });
    const s = status(src);
    assert.equal(s.gateId, null);
    assert.deepEqual(s.firmware, { version: '9.9.9', sha256: null, bytes: 0 });
    assert.equal(s.backlog, -1);
    assert.equal(s.clock, null);
    assert.equal(s.scans, null);
    assert.deepEqual(s.faults, []);
  });

  it('never contains a configuration secret', () => {
    const { src } = sources();
    const text = statusJson(src);
    const cfg = configOf('gate.json');
    assert.ok(text.indexOf(hexOf(cfg.site.secret)) < 0);
    assert.ok(!/secret|password/i.test(text));
  });

  it('faults recorded while running are listed', () => {
    const { src } = sources({ faults: { uplink: { what: 'uplink', why: 'refused' }, gone: null } });
    assert.deepEqual(status(src).faults, [{ what: 'uplink', why: 'refused' }]);
  });

  it('isoTime agrees with Date for any second from 1970 to 2200', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 7258118400 }), (s) => {
      assert.equal(isoTime(s + 0.9), new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
    }), { numRuns: Number(process.env.FUZZ_RUNS) || 200 });
  });
});
