// Dates in the future (issue 17.7): a certificate issued after now, and a negative test, recovery or
// exemption dated after today, never open the door; a clock skew of CLOCK_SKEW seconds is allowed.
// Certificates are issued by the host code (tools/issuer/: cbor-x and tweetnacl) with the
// fixture issuer key, decided by the gate's own code with the fixture trust bundle.
import { strict as assert } from 'assert';
import * as fc from 'fast-check';
import * as nacl from 'tweetnacl';
import * as path from 'path';
import { decide, DecideContext, CLOCK_SKEW } from '../../firmware/decide';
import { VerifiedCache } from '../../firmware/cache';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';
import { decodeTrustPayload } from '../../proto/trustbundle';
import { Claims, encodeCertificate, qg1Text } from '../../tools/issuer';
import { readPrivateJwkFile } from '../../tools/keys';
import { fixtures, configOf, trustOf } from './fixtures';
import { cbor } from '../proto/qg1-fixtures';
import { sampleJson, signDivoc, qrPayload } from '../util/divoc';

const RUNS = Number(process.env.FUZZ_RUNS) || 100;
const DAY = 86400;
const issuer = readPrivateJwkFile(path.join(__dirname, '..', 'fixtures', 'issuer.jwk'));
const cfg = configOf(fixtures.config);
const cfgEx = configOf('gate-exemptions.json');
const trust = trustOf(fixtures.trust, cfg);
const NOW = Date.parse(fixtures.clock) / 1000; // 2021-09-27T08:00:00Z
const TODAY = Math.floor(NOW / DAY);

let serial = 0;
function cert(over: Partial<Claims>, hc: Partial<Claims['hc']>): string {
  const n = ++serial;
  const c: Claims = {
    iss: 'future dates', iat: NOW - 30 * DAY, exp: NOW + 365 * DAY,
    cti: new Uint8Array([0xf0, n & 255, n >> 8]), ...over,
    hc: { sub: new Uint8Array([1, 2, 3, n & 255]), kind: 0, dose: 2, series: 2, date: TODAY - 30, ...hc },
  };
  return qg1Text(encodeCertificate(c, issuer));
}
function ctx(now: number, exemptions = false, cache?: VerifiedCache): DecideContext {
  return { now, trust, policy: (exemptions ? cfgEx : cfg).policy, verify: (p, m, s) => verify(p, m, s), sha256, cache };
}
const decideAt = (text: string, now: number, exemptions = false) => decide(text, ctx(now, exemptions));
const TEST = { kind: 1, dose: undefined, series: undefined };
const RECOVERY = { kind: 2, dose: undefined, series: undefined };
const EXEMPTION = { kind: 3, dose: undefined, series: undefined };

describe('firmware/decide: dates in the future', () => {
  it('a certificate issued a day from now is not-yet-valid (it opened before)', () => {
    const d = decideAt(cert({ iat: NOW + DAY }, {}), NOW);
    assert.equal(d.decision, 'deny');
    assert.equal(d.reason, 'not-yet-valid');
  });
  it('allows CLOCK_SKEW (300 s) of issuer clock ahead of the gate, not one second more', () => {
    assert.equal(CLOCK_SKEW, 300);
    assert.equal(decideAt(cert({ iat: NOW + CLOCK_SKEW }, {}), NOW).reason, 'ok');
    assert.equal(decideAt(cert({ iat: NOW + CLOCK_SKEW + 1 }, {}), NOW).reason, 'not-yet-valid');
  });
  it('iat: open exactly when iat <= now + CLOCK_SKEW (everything else valid)', () => {
    fc.assert(fc.property(fc.integer({ min: -200 * DAY, max: 3000 * DAY }), (off) => {
      const d = decideAt(cert({ iat: NOW + off, exp: NOW + 4000 * DAY }, {}), NOW);
      assert.equal(d.decision === 'open', off <= CLOCK_SKEW, `iat now${off >= 0 ? '+' : ''}${off}: ${d.reason}`);
      if (off > CLOCK_SKEW) assert.equal(d.reason, 'not-yet-valid');
    }), { numRuns: RUNS });
  });
  it('a repeat visitor (cache) is checked again: the same certificate issued after an earlier clock', () => {
    const text = cert({ iat: NOW }, {});
    const cache = new VerifiedCache(4);
    assert.equal(decide(text, ctx(NOW, false, cache)).reason, 'ok');
    const d = decide(text, ctx(NOW - DAY, false, cache));
    assert.equal(d.reason, 'not-yet-valid');
    assert.equal(d.cached, true);
  });
  it('a negative test dated tomorrow or next year is refused (policy); today passes', () => {
    assert.equal(decideAt(cert({}, { ...TEST, date: TODAY }), NOW).reason, 'ok');
    for (const date of [TODAY + 1, TODAY + 365, TODAY + 20000]) {
      const d = decideAt(cert({}, { ...TEST, date }), NOW);
      assert.equal(d.decision, 'deny', `test dated day ${date - TODAY} from today`);
      assert.equal(d.reason, 'policy');
      assert.match(d.detail, /future/);
    }
  });
  it('a recovery dated in the future is refused (policy)', () => {
    assert.equal(decideAt(cert({}, { ...RECOVERY, date: TODAY - 10 }), NOW).reason, 'ok');
    for (const date of [TODAY + 1, TODAY + 100]) {
      const d = decideAt(cert({}, { ...RECOVERY, date }), NOW);
      assert.equal(d.decision, 'deny');
      assert.equal(d.reason, 'policy');
    }
  });
  it('an accepted exemption starting in the future goes to the attendant', () => {
    assert.equal(decideAt(cert({}, { ...EXEMPTION, date: TODAY - 1 }), NOW, true).decision, 'open');
    const d = decideAt(cert({}, { ...EXEMPTION, date: TODAY + 2 }), NOW, true);
    assert.equal(d.decision, 'attendant');
    assert.equal(d.reason, 'policy');
  });
  it('test and recovery: open exactly while date - CLOCK_SKEW <= now < end of validity', () => {
    const texts: { [k: string]: string } = {};
    fc.assert(fc.property(fc.constantFrom(1, 2), fc.integer({ min: -400, max: 400 }), fc.integer({ min: -2 * DAY, max: 2 * DAY }),
      (kind, dayOff, secOff) => {
        const key = kind + ':' + dayOff;
        const date = TODAY + dayOff;
        const t = texts[key] || (texts[key] = cert({ iat: (TODAY - 500) * DAY }, { ...(kind === 1 ? TEST : RECOVERY), date }));
        const now = NOW + secOff;
        const start = date * DAY - CLOCK_SKEW;
        const end = date * DAY + (kind === 1 ? cfg.policy.testValidHours * 3600 : cfg.policy.recoveryValidDays * DAY);
        const d = decideAt(t, now);
        assert.equal(d.decision === 'open', now >= start && now < end, `kind ${kind} date ${dayOff} now ${secOff}: ${d.reason} ${d.detail}`);
      }), { numRuns: RUNS });
  });
  it('a DIVOC certificate whose issuanceDate is in the future is not-yet-valid', async function () {
    this.timeout(20000);
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
    const payload = new Map<number, any>([[1, 1], [2, 1630000000],
      [3, [new Map<number, any>([[1, 'did:indonesia'], [2, -8], [3, Buffer.from(kp.publicKey)], [6, 'divoc']])]]]);
    const divocTrust: any = decodeTrustPayload(cbor(payload));
    const at = Date.parse('2021-09-27T08:00:00Z') / 1000;
    const text = async (issued: string) => {
      const c = sampleJson('dose2');
      delete c.proof.jws;
      c.issuanceDate = issued;
      return 'B64:' + qrPayload(JSON.stringify(await signDivoc(c, kp.secretKey)));
    };
    const c = { now: at, trust: divocTrust, policy: cfg.policy, verify: (p: Uint8Array, m: Uint8Array, s: Uint8Array) => verify(p, m, s), sha256 };
    assert.equal(decide(await text('2021-08-01T10:00:00.000Z'), c).reason, 'ok');
    const d = decide(await text('2023-01-01T10:00:00.000Z'), c);
    assert.equal(d.decision, 'deny');
    assert.equal(d.reason, 'not-yet-valid');
  });
});
