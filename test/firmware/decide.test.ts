// Every certificate in test/fixtures/certs.json (made by tools/make-fixtures.ts, an independent
// implementation of spec/qg1.md on cbor-x and tweetnacl) gets the decision and reason the spec
// gives, through the gate's own decision code.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { validateConfig, GateConfig } from '../../firmware/config';
import { acceptTrustBundle } from '../../firmware/trust';
import { decide, Decision } from '../../firmware/decide';
import { decisionSummary, CLOCK_VALID_AFTER } from '../../firmware/gate';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';
import { TrustBundle } from '../../proto/trust';
import { toHex } from '../util/shared';

const FX = path.join(__dirname, '..', 'fixtures');
export const fixtures = JSON.parse(fs.readFileSync(path.join(FX, 'certs.json'), 'utf8'));

const configs: { [f: string]: GateConfig } = {};
const bundles: { [f: string]: TrustBundle } = {};
export function configOf(file: string): GateConfig {
  if (!configs[file]) {
    const v = validateConfig(JSON.parse(fs.readFileSync(path.join(FX, file), 'utf8')));
    if (!v.config) throw new Error(`${file}: ${v.error}`);
    configs[file] = v.config;
  }
  return configs[file];
}
export function trustOf(file: string, cfg: GateConfig): TrustBundle {
  if (!bundles[file]) {
    const t = acceptTrustBundle(new Uint8Array(fs.readFileSync(path.join(FX, file))), cfg.rootKeys, -1, verify);
    if (!t.bundle) throw new Error(`${file}: ${t.detail}`);
    bundles[file] = t.bundle;
  }
  return bundles[file];
}

export function decideFixture(name: string): Decision {
  const c = fixtures.certs[name];
  const cfg = configOf(c.config || fixtures.config);
  const trust = trustOf(c.trust || fixtures.trust, cfg);
  const clock = c.clock === null ? null : Math.floor(Date.parse(c.clock || fixtures.clock) / 1000);
  // The scanner hands the gate bytes: the text as a byte string.
  const text = Buffer.from(c.text, 'utf8').toString('latin1');
  return decide(text, { now: clock, trust, policy: cfg.policy, verify: (p, m, s) => verify(p, m, s), sha256 });
}

describe('firmware/decide: every fixture certificate', () => {
  const names = Object.keys(fixtures.certs);
  it('covers every reason of spec/qg1.md section 4', () => {
    const reasons = new Set(names.map((n) => fixtures.certs[n].reason));
    for (const r of ['malformed', 'unsupported', 'clock-unset', 'unknown-key', 'bad-signature', 'key-expired',
      'not-yet-valid', 'expired', 'revoked', 'stale-trust', 'policy', 'ok']) assert.ok(reasons.has(r), r);
  });
  for (const name of names) {
    const c = fixtures.certs[name];
    it(`${name}: ${c.decision}/${c.reason}`, () => {
      const d = decideFixture(name);
      assert.equal(d.reason, c.reason, `${name}: ${d.detail}`);
      assert.equal(d.decision, c.decision);
      if (c.format) assert.equal(d.format, c.format);
      if (c.kidHex && d.kid) assert.equal(toHex(d.kid), c.kidHex);
      if (c.ctiHex && d.cti) assert.equal(toHex(d.cti), c.ctiHex);
      const s = decisionSummary(d);
      assert.deepEqual(Object.keys(s), ['decision', 'reason', 'format', 'kid', 'cti', 'detail']);
    });
  }
  it('treats a time before 2020 as a clock that was never set', () => {
    assert.equal(CLOCK_VALID_AFTER, Date.parse('2020-01-01T00:00:00Z') / 1000);
  });
});
