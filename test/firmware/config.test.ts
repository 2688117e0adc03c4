// Configuration validation (firmware/config.ts): the same code judges a configuration on the
// laptop (qrgate flash, verify) and on the board at boot.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { validateConfig, redactConfig, fields, fieldTable, parseField, configProblems, SECRET_KEYS } from '../../firmware/config';

const REPO = path.resolve(__dirname, '..', '..');
const base = () => JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));

function err(cfg: any): string {
  const v = validateConfig(cfg);
  assert.ok(!v.config, 'expected a refusal');
  return v.error as string;
}

describe('firmware/config: validation', () => {
  it('fills the documented defaults', () => {
    const c = validateConfig({ gateId: 'g', rootKeys: base().rootKeys, site: { secret: '00'.repeat(16) } }).config!;
    assert.equal(c.relay.openMs, 3000);
    assert.equal(c.relay.activeHigh, true);
    assert.deepEqual(c.policy, { minDoses: 2, daysAfterLastDose: 14, testValidHours: 24, recoveryValidDays: 180, acceptExemptions: false });
    assert.equal(c.scanner.dedupMs, 3000);
    assert.equal(c.uplink.transport, 'none');
    assert.equal(c.rootKeys[0].key.length, 32);
    assert.equal(c.site.secret.length, 16);
  });
  it('door.contact / door.button / door.buzzer: "" (none), "board" or a pin name; anything else is refused', () => {
    const d = validateConfig(base()).config!.door;
    assert.deepEqual(d, { contact: '', contactOpenHigh: true, button: '', buttonActiveHigh: false, debounceMs: 50, heldOpenS: 30, buzzer: '', buzzerActiveHigh: true });
    assert.equal(validateConfig({ ...base(), 'door.buzzer': 'board' }).config!.door.buzzer, 'board');
    assert.match(validateConfig({ ...base(), 'door.buzzer': 'X1' }).error || '', /invalid door\.buzzer/);
    for (const v of ['', 'board', 'B13', 'D7', 'A0', 'H15']) {
      assert.equal(validateConfig({ ...base(), 'door.contact': v }).config!.door.contact, v);
      assert.equal(validateConfig({ ...base(), door: { button: v } }).config!.door.button, v);
    }
    for (const v of ['B', 'B123', 'X1', 'b13', 'BOARD', 'B1x', 13, true]) {
      assert.match(validateConfig({ ...base(), 'door.contact': v }).error || '', /invalid door\.contact/, String(v));
    }
    assert.match(validateConfig({ ...base(), 'door.heldOpenS': 0 }).error || '', /invalid door\.heldOpenS/);
  });

  it('a gate that does not count keeps no capacity or passback keys (RAM); one that does keeps them all', () => {
    const mk = (o: any) => validateConfig({ gateId: 'g', rootKeys: base().rootKeys, site: { secret: '00'.repeat(16) }, ...o }).config!;
    const none = mk({});
    assert.equal(none.capacity, undefined);
    assert.equal(none.passback, undefined);
    assert.equal('boothReferral' in none.policy, false);
    const counting = mk({ 'capacity.max': 30, 'policy.boothReferral': true });
    assert.deepEqual(counting.capacity, { max: 30, levels: '', level: 0, resetHour: -1, utcOffsetMin: 0, saveS: 10, exitSerial: '', exitRx: '', exitTx: '' });
    assert.deepEqual(counting.passback, { windowS: 0 });
    assert.equal(counting.policy.boothReferral, true);
    assert.deepEqual(mk({ passback: { windowS: 60 } }).capacity!.max, 0);
  });
  it('accepts dotted keys as well as nested objects', () => {
    const cfg = base();
    delete cfg.relay;
    cfg['relay.openMs'] = 1500;
    assert.equal(validateConfig(cfg).config!.relay.openMs, 1500);
  });
  it('refuses unknown keys, so a typo never falls back to a default', () => {
    const cfg = base();
    cfg.relay.openMS = 1500;
    assert.match(err(cfg), /unknown key relay\.openMS/);
    // a prefix of a key is not a key, nor is a key's path with more after it, nor a section
    for (const [k, v] of [['relay.open', 1], ['relay.openMs.x', 1], ['relay', 5], ['gate', 'x']] as [string, any][]) {
      const c = base();
      if (k === 'relay') c.relay = v; else c[k] = v;
      assert.match(err(c), new RegExp('unknown key ' + k.replace(/\./g, '\\.') + '$'), k);
    }
    const c = base();
    c.door = { contact: { pin: 'B3' } };
    assert.match(err(c), /unknown key door\.contact\.pin/);
    assert.deepEqual(configProblems(Object.assign(base(), { x: 1, y: { z: 2 } })), ['unknown key x', 'unknown key y.z']);
  });
  it('fieldTable: one row a key, seven columns, no two rows for a path, fields() its rows parsed', () => {
    const rows = fieldTable().split('\n');
    assert.equal(rows[0], '');
    const paths = rows.slice(1).map((r) => { assert.equal(r.split('|').length, 7, r); return r.split('|')[0]; });
    assert.equal(new Set(paths).size, paths.length);
    assert.deepEqual(fields(), rows.slice(1).map(parseField));
    assert.deepEqual(parseField('a.b|int||-1|-1|23|'), { path: 'a.b', type: 'int', def: -1, min: -1, max: 23 });
    assert.deepEqual(parseField('x|enum||on|||on,off'), { path: 'x', type: 'enum', def: 'on', values: ['on', 'off'] });
    assert.deepEqual(parseField('k|hex|r||16|64|'), { path: 'k', type: 'hex', req: true, min: 16, max: 64 });
  });
  it('refuses missing, mistyped and out-of-range values, naming the key', () => {
    const cases: [(c: any) => void, RegExp][] = [
      [(c) => delete c.gateId, /missing gateId/],
      [(c) => { c.relay.openMs = 5; }, /relay\.openMs/],
      [(c) => { c.relay.openMs = 1.5; }, /relay\.openMs.*whole number/],
      [(c) => { c.policy.acceptExemptions = 'yes'; }, /policy\.acceptExemptions/],
      [(c) => { c.site.secret = 'xyz'; }, /site\.secret.*hex/],
      [(c) => { c.site.secret = '00'; }, /site\.secret.*bytes/],
      [(c) => { c.uplink = { transport: 'wifi' }; }, /uplink\.url/],
      [(c) => { c.uplink = { transport: 'lora', url: 'http://x' }; }, /uplink\.lora/],
      [(c) => { c.uplink = { transport: 'carrier-pigeon' }; }, /uplink\.transport/],
      [(c) => { c.rootKeys = []; }, /rootKeys/],
      [(c) => { c.rootKeys[0].x = c.rootKeys[0].x.slice(1); }, /rootKeys.*32 bytes/],
      [(c) => { c.rootKeys[0].crv = 'P-256'; }, /rootKeys.*Ed25519/],
      [(c) => { c.rootKeys[0].d = c.rootKeys[0].x; }, /private key/],
    ];
    for (const [mutate, re] of cases) {
      const cfg = base();
      mutate(cfg);
      assert.match(err(cfg), re);
    }
    assert.match(err([]), /JSON object/);
  });
  it('never names a secret value in an error', () => {
    const cfg = base();
    cfg.uplink = { transport: 'wifi', url: 'http://127.0.0.1/ingest', wifi: { ssid: 's', password: 'p'.repeat(70) } };
    const e = err(cfg);
    assert.match(e, /uplink\.wifi\.password/);
    assert.ok(!e.includes('ppp'));
  });
  it('redactConfig hides every secret, nested or dotted', () => {
    const cfg = base();
    cfg['uplink.wifi.password'] = 'hunter2';
    const r = JSON.stringify(redactConfig(cfg));
    assert.ok(!r.includes(cfg.site.secret));
    assert.ok(!r.includes('hunter2'));
    assert.equal(SECRET_KEYS.length, 3);
  });
  it('README documents every key', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    for (const f of fields()) {
      const last = f.path.split('.').pop() as string;
      assert.ok(readme.includes('`' + f.path + '`') || readme.includes(last + '`'), `README lacks ${f.path}`);
    }
  });
});
