// Shared by the firmware tests: the fixture certificates of test/fixtures (tools/make-fixtures.ts)
// and their configurations and trust bundles, accepted through the gate's own code.
import * as fs from 'fs';
import * as path from 'path';
import { validateConfig, GateConfig } from '../../firmware/config';
import { acceptTrustBundle } from '../../firmware/trustcheck';
import { decide, Decision } from '../../firmware/decide';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';
import { TrustBundle } from '../../proto/trustbundle';

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

