// Configuration files: "//" comment keys (ignored by the gate's validation, left out of the board's
// copy by flash), every problem at once (configProblems), and config init's starting configuration.
import { strict as assert } from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { configProblems, fields, validateConfig } from '../../firmware/config';
import { DESCRIPTIONS, hasComments, hostProblems, initConfig, stripComments } from '../../tools/configfile';
import { flashFiles } from '../../tools/flashfiles';
import { REPO } from '../util/shared';

const FIX = path.join(REPO, 'test', 'fixtures');
const gate = (): any => JSON.parse(fs.readFileSync(path.join(FIX, 'gate.json'), 'utf8'));
const runs = Number(process.env.FUZZ_RUNS) || 100;

describe('configuration files', () => {
  it('a "//" key is a comment at any depth; any other unknown key is still an error', () => {
    const c = gate();
    c['//'] = 'about this file';
    c.relay = Object.assign({}, c.relay, { '//openMs': 'how long' });
    c['//policy.minDoses'] = 'dotted';
    assert.ok(validateConfig(c).config, validateConfig(c).error);
    assert.deepEqual(configProblems(c), []);
    c.relay['/openMs'] = 1;
    assert.equal(validateConfig(c).error, 'unknown key relay./openMs');
  });

  it('configProblems names every problem; validateConfig reports the first of them', () => {
    const keys = fields().filter((f) => f.type === 'int');
    fc.assert(fc.property(fc.subarray(keys, { minLength: 1 }), (bad) => {
      const c = gate();
      for (const f of bad) c[f.path] = (f.max as number) + 1;
      const problems = configProblems(c);
      assert.equal(problems.length, bad.length);
      for (const f of bad) assert.ok(problems.indexOf(`invalid ${f.path}: must be ${f.min}..${f.max}`) >= 0, f.path);
      assert.equal(validateConfig(c).error, problems[0]);
    }), { numRuns: runs });
    const c = gate();
    delete c.gateId;
    c.site = { secret: 'zz' };
    c.extra = 1;
    assert.deepEqual(configProblems(c), ['unknown key extra', 'missing gateId', 'invalid site.secret: must be hex']);
  });

  it('stripComments leaves exactly the configuration; flash writes the board\'s copy without comments', () => {
    const withComments = initConfig({ rootKeys: gate().rootKeys });
    assert.ok(hasComments(withComments));
    const plain = stripComments(withComments);
    assert.ok(!hasComments(plain));
    assert.deepEqual(configProblems(plain), []);
    const trust = new Uint8Array(fs.readFileSync(path.join(FIX, 'trust.bin')));
    const text = JSON.stringify(withComments, null, 2);
    const cfg = Buffer.from(flashFiles('esp32', text, trust)['qg.cfg']).toString('utf8');
    assert.deepEqual(JSON.parse(cfg), plain);
    assert.doesNotMatch(cfg, /"\/\//);
    // a file without comments is written byte for byte as given
    const given = fs.readFileSync(path.join(FIX, 'gate.json'));
    assert.deepEqual(Buffer.from(flashFiles('esp32', new Uint8Array(given), trust)['qg.cfg']), given);
  });

  it('config init: every key with its default and a description, a fresh secret each time', () => {
    for (const f of fields()) assert.ok(typeof DESCRIPTIONS[f.path] === 'string' && DESCRIPTIONS[f.path].length > 10, `${f.path} is described`);
    const a = initConfig({ rootKeys: gate().rootKeys });
    const b = initConfig({ rootKeys: gate().rootKeys });
    assert.notEqual(a.site.secret, b.site.secret);
    assert.match(a.site.secret, /^[0-9a-f]{64}$/);
    const v = validateConfig(a);
    assert.ok(v.config, v.error);
    assert.equal(v.config!.relay.openMs, 3000);
    assert.equal(a.relay['//openMs'], DESCRIPTIONS['relay.openMs']);
    assert.deepEqual(configProblems(initConfig()), ['invalid rootKeys: must be a list of 1 to 8 Ed25519 public JWKs']);
  });

  it('host checks: the uplink.url path of each transport, and the board name', () => {
    assert.deepEqual(hostProblems({ uplink: { transport: 'wifi', url: 'http://10.0.0.5:8700/ingest' } }), []);
    assert.deepEqual(hostProblems({ 'uplink.transport': 'lora', 'uplink.url': 'https://collector.example/qrgate/lorawan' }), []);
    assert.match(hostProblems({ uplink: { transport: 'wifi', url: 'http://10.0.0.5:8700' } })[0], /posts to the collector's \/ingest .*http:\/\/10\.0\.0\.5:8700\/ingest/);
    assert.match(hostProblems({ uplink: { transport: 'lora', url: 'http://10.0.0.5:8700/ingest' } })[0], /\/lorawan/);
    assert.match(hostProblems({ uplink: { transport: 'wifi', url: 'collector:8700/ingest' } })[0], /not an http/);
    assert.deepEqual(hostProblems({ uplink: { transport: 'none', url: '' }, board: 'ESP32' }), []);
    assert.match(hostProblems({ board: 'esp-32' })[0], /unknown board 'esp-32'/);
  });
});
