// test/fixtures and test/scenarios: the committed files are exactly what tools/make-fixtures.ts makes
// (deterministic), and every certs.json expectation agrees with a small host reading of spec/qg1.md
// section 4 written here from the spec (host decoders of tools/issuer/, tweetnacl plus the S < L
// check of the strict profile). DIVOC entries are only checked for their shape here.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Decoder, Tag } from 'cbor-x';
import * as nacl from 'tweetnacl';
import { parseJwk } from '../../tools/keys';
import { writeAll } from '../../tools/make-fixtures';
import {
  DecodedTrustBundle, base45Decode, cborProblem, decodeClaims, decodeSign1, decodeTrustBundle, revocationPrefix, sigStructure,
  verifySign1,
} from '../../tools/issuer';
import { REPO } from '../util/shared';

const TEST = path.join(REPO, 'test');
const FIX = path.join(TEST, 'fixtures');
const certsJson = JSON.parse(fs.readFileSync(path.join(FIX, 'certs.json'), 'utf8'));
const REASONS = ['malformed', 'unsupported', 'clock-unset', 'unknown-key', 'bad-signature', 'key-expired', 'not-yet-valid', 'expired',
  'revoked', 'stale-trust', 'policy', 'ok'];
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

interface Decision { decision: string; reason: string }

/** Section 4 for a QG1 text, on the host. `now` null: clock never set. */
function referenceDecide(text: string, config: any, bundle: DecodedTrustBundle, now: number | null): Decision {
  const d = (decision: string, reason: string): Decision => ({ decision, reason });
  if (!text.startsWith('QG1:')) return text.startsWith('B64:') ? d('?', 'divoc') : d('deny', 'unsupported');
  let s; let c;
  try {
    const bytes = base45Decode(text.slice(4));
    s = decodeSign1(bytes); // strict CBOR, tag 18 only on top, depth <= 4, <= 512 bytes, alg -8, kid, no crit, sig 64
    if (cborProblem(s.protectedBytes, { maxDepth: 4 })) throw new Error('protected');
    c = decodeClaims(s.payload);
  } catch (e) {
    return d('deny', 'malformed');
  }
  if (now === null) return d('attendant', 'clock-unset');
  const key = bundle.keys.find((k) => k.alg === -8 && k.format === 'qg1' && k.kid instanceof Uint8Array &&
    Buffer.compare(Buffer.from(k.kid), Buffer.from(s.kid)) === 0);
  if (!key) return d('deny', 'unknown-key');
  let sS = 0n;
  for (let i = 31; i >= 0; i--) sS = (sS << 8n) | BigInt(s.signature[32 + i]);
  if (sS >= L || !verifySign1(s, key.key)) return d('deny', 'bad-signature');
  if ((key.nbf !== undefined && now < key.nbf) || (key.exp !== undefined && now >= key.exp)) return d('deny', 'key-expired');
  if (c.nbf !== undefined && now < c.nbf) return d('deny', 'not-yet-valid');
  if (now >= c.exp) return d('deny', 'expired');
  const prefix = Buffer.from(revocationPrefix(s.kid, c.cti)).toString('hex');
  if (bundle.revoked.some((r) => Buffer.from(r).toString('hex') === prefix)) return d('deny', 'revoked');
  if (bundle.maxAge !== undefined && now > bundle.iat + bundle.maxAge) return d('attendant', 'stale-trust');
  const p = config.policy;
  const day0 = c.hc.date * 86400;
  const kind = c.hc.kind;
  if (kind === 0 && (c.hc.dose as number) >= p.minDoses && now >= day0 + p.daysAfterLastDose * 86400) return d('open', 'ok');
  if (kind === 1 && now < day0 + p.testValidHours * 3600) return d('open', 'ok');
  if (kind === 2 && now < day0 + p.recoveryValidDays * 86400) return d('open', 'ok');
  if (kind === 3) return p.acceptExemptions ? d('open', 'ok') : d('attendant', 'policy');
  return d('deny', 'policy');
}

function bundleFor(file: string, config: any): DecodedTrustBundle {
  const b = decodeTrustBundle(new Uint8Array(fs.readFileSync(path.join(FIX, file))));
  const ok = config.rootKeys.some((j: any) => verifySign1(b.sign1, parseJwk(j).publicKey));
  assert.ok(ok, `${file} verifies under the configuration's rootKeys`);
  return b;
}

describe('test fixtures (tools/make-fixtures.ts)', () => {
  it('the committed fixtures and scenarios are exactly what the script makes (deterministic)', function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-fixtures-'));
    try {
      const names = writeAll(dir);
      assert.ok(names.length > 40);
      for (const rel of names) {
        const mine = path.join(TEST, rel);
        assert.ok(fs.existsSync(mine), `${rel} is missing: run npx tsx tools/make-fixtures.ts`);
        assert.ok(fs.readFileSync(mine).equals(fs.readFileSync(path.join(dir, rel))), `${rel} differs from what tools/make-fixtures.ts makes`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the key files are the keys gate.json and trust.bin name', () => {
    const gate = JSON.parse(fs.readFileSync(path.join(FIX, 'gate.json'), 'utf8'));
    const root = parseJwk(JSON.parse(fs.readFileSync(path.join(FIX, 'root.jwk'), 'utf8')));
    assert.equal(root.kid, 'root-1');
    assert.ok(root.seed);
    assert.deepEqual(parseJwk(gate.rootKeys[0]).publicKey, root.publicKey);
    assert.equal(gate.rootKeys[0].d, undefined, 'the configuration holds no private key');
    assert.equal(gate.gateId, 'gate-test-1');
    assert.equal(gate.relay.openMs, 3000);
    assert.match(gate.site.secret, /^[0-9a-f]{64}$/);
    assert.deepEqual(gate.uplink, { transport: 'none' }, 'fixture gates send nowhere: scenarios make no stray connections');
    const b = bundleFor('trust.bin', gate);
    assert.equal(b.version, 1);
    assert.equal(new Date(b.iat * 1000).toISOString(), '2021-09-01T00:00:00.000Z');
    assert.equal(b.maxAge, 400 * 86400);
    const issuer = parseJwk(JSON.parse(fs.readFileSync(path.join(FIX, 'issuer.jwk'), 'utf8')));
    assert.equal(issuer.kid, 'issuer-1');
    const k1 = b.keys.find((k) => k.kid instanceof Uint8Array && Buffer.from(k.kid).toString() === 'issuer-1');
    assert.ok(k1 && Buffer.from(k1.key).equals(Buffer.from(issuer.publicKey)));
    const dv = b.keys.find((k) => k.kid === 'did:indonesia');
    assert.ok(dv && dv.format === 'divoc');
    const i2 = parseJwk(JSON.parse(fs.readFileSync(path.join(FIX, 'issuer2.jwk'), 'utf8')));
    assert.ok(!b.keys.some((k) => Buffer.from(k.key).equals(Buffer.from(i2.publicKey))), 'issuer-2 is not trusted');
    const stale = bundleFor('trust-stale.bin', gate);
    assert.ok((stale.maxAge as number) < 26 * 86400);
    // the broken bundles do not verify
    for (const f of ['trust-badsig.bin', 'trust-unsigned-by-root.bin']) {
      const x = decodeTrustBundle(new Uint8Array(fs.readFileSync(path.join(FIX, f))));
      assert.ok(!verifySign1(x.sign1, root.publicKey), f);
    }
  });

  it('certs.json covers every decision reason, and each QG1 expectation follows from the spec', () => {
    const certs = certsJson.certs;
    const seen = new Set<string>();
    const clock = Math.floor(Date.parse(certsJson.clock) / 1000);
    assert.equal(certsJson.clock, '2021-09-27T08:00:00Z');
    const configs: { [f: string]: any } = {};
    const bundles: { [f: string]: DecodedTrustBundle } = {};
    for (const name of Object.keys(certs)) {
      const e = certs[name];
      assert.ok(REASONS.includes(e.reason), `${name}: reason ${e.reason}`);
      assert.ok(['open', 'deny', 'attendant'].includes(e.decision), `${name}: decision`);
      seen.add(e.reason);
      const cf = e.config || certsJson.config;
      const tf = e.trust || certsJson.trust;
      configs[cf] = configs[cf] || JSON.parse(fs.readFileSync(path.join(FIX, cf), 'utf8'));
      bundles[tf] = bundles[tf] || bundleFor(tf, configs[cf]);
      const now = e.clock === null ? null : Math.floor(Date.parse(e.clock || certsJson.clock) / 1000);
      const got = referenceDecide(e.text, configs[cf], bundles[tf], now);
      if (got.reason === 'divoc') {
        assert.equal(e.format, 'divoc', name);
        continue;
      }
      assert.deepEqual(got, { decision: e.decision, reason: e.reason }, `${name}: ${e.note}`);
      if (e.ctiHex && e.text.startsWith('QG1:') && e.reason !== 'malformed') {
        const c = decodeClaims(decodeSign1(base45Decode(e.text.slice(4))).payload);
        assert.equal(Buffer.from(c.cti).toString('hex'), e.ctiHex, name);
      }
    }
    for (const r of REASONS) assert.ok(seen.has(r), `no entry for reason ${r}`);
    assert.ok(clock > 0);
  });

  it('malformed QG1 entries carry a valid signature where a lax decoder can find one', () => {
    // so that the malformation alone is what is wrong: a decoder that let it through would go on to
    // a valid signature and open the door
    const lax = new Decoder({ mapsAsObjects: false } as any);
    const issuer = parseJwk(JSON.parse(fs.readFileSync(path.join(FIX, 'issuer.jwk'), 'utf8')));
    let checked = 0;
    for (const name of Object.keys(certsJson.certs)) {
      const e = certsJson.certs[name];
      if (e.reason !== 'malformed' || !e.text.startsWith('QG1:')) continue;
      let v: any;
      try { v = lax.decode(Buffer.from(base45Decode(e.text.slice(4)))); } catch { continue; }
      while (v instanceof Tag) v = v.value;
      if (!Array.isArray(v) || v.length !== 4 || !(v[0] instanceof Uint8Array) || !(v[2] instanceof Uint8Array)) continue;
      if (!(v[3] instanceof Uint8Array) || v[3].length !== 64) continue;
      assert.ok(nacl.sign.detached.verify(sigStructure(v[0], v[2]), v[3], issuer.publicKey), name);
      checked++;
    }
    assert.ok(checked > 30, `${checked}`);
  });

  it('scenarios follow spec/tools.md and match certs.json', () => {
    const dir = path.join(TEST, 'scenarios');
    const LED: { [d: string]: string } = { open: 'green', deny: 'red', attendant: 'amber' };
    const reasons = new Set<string>();
    for (const name of Object.keys(certsJson.certs)) {
      const f = path.join(dir, name + '.json');
      if (!fs.existsSync(f)) continue;
      const e = certsJson.certs[name];
      const sc = JSON.parse(fs.readFileSync(f, 'utf8'));
      assert.ok(fs.existsSync(path.join(dir, sc.config)), `${name}: config`);
      assert.ok(fs.existsSync(path.join(dir, sc.trust)), `${name}: trust`);
      if (e.clock === null) assert.ok(!('clock' in sc), name);
      else assert.equal(sc.clock, '2021-09-27T08:00:00Z');
      assert.deepEqual(sc.steps[0], { scan: e.text });
      assert.deepEqual(sc.steps[1], { wait: 300 });
      assert.deepEqual(sc.steps[2], { expect: { decision: e.decision, reason: e.reason, relay: e.decision === 'open', led: LED[e.decision] } });
      assert.deepEqual(sc.steps.slice(3), [{ wait: 3000 }, { expect: { relay: false } }]);
      reasons.add(e.reason);
    }
    for (const r of REASONS) {
      assert.ok(reasons.has(r), `no scenario for ${r}`);
      assert.ok(fs.existsSync(path.join(dir, r + '.json')), `test/scenarios/${r}.json`);
    }
  });
});
