// Fields that share one RDF predicate can be swapped without breaking the signature (the
// canonical N-Quads hold the set of values, not which field had which). The gate reads them so
// that a swap gains nothing: the smaller of dose/totalDoses is the dose, the latest of
// date/effectiveStart/effectiveUntil is the date, and every schema:id value is checked against
// the revocation list.
import { strict as assert } from 'assert';
import * as nacl from 'tweetnacl';
import { decodeDivoc } from '../../proto/divoc/verify';
import { decide } from '../../firmware/decide';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';
import { decodeTrustPayload, revocationPrefix } from '../../proto/trust';
import { cbor } from '../proto/qg1-fixtures';
import { sampleJson, signDivoc, qrPayload } from './helpers';

const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(42));

async function signedText(mutate: (c: any) => void): Promise<string> {
  const cert = sampleJson('dose2');
  delete cert.proof.jws;
  mutate(cert);
  const signed = await signDivoc(cert, kp.secretKey);
  return 'B64:' + qrPayload(JSON.stringify(signed));
}

function trustWith(revokedIds: string[]): any {
  const kid = new Uint8Array(Buffer.from('did:indonesia'));
  const prefixes = revokedIds.map((id) => Buffer.from(revocationPrefix(kid, new Uint8Array(Buffer.from(id)), sha256)));
  prefixes.sort(Buffer.compare);
  const payload = new Map<number, any>([[1, 1], [2, 1630000000],
    [3, [new Map<number, any>([[1, 'did:indonesia'], [2, -8], [3, Buffer.from(kp.publicKey)], [6, 'divoc']])]]]);
  if (prefixes.length) payload.set(4, Buffer.concat(prefixes));
  return decodeTrustPayload(cbor(payload));
}

const policy = { minDoses: 2, daysAfterLastDose: 14, testValidHours: 24, recoveryValidDays: 180, acceptExemptions: false };
const at = Date.parse('2022-08-01T08:00:00Z') / 1000;

describe('DIVOC fields that share a predicate', () => {
  it('certificateId swapped with batch is still found in the revocation list', async () => {
    const text = await signedText((c) => { c.evidence[0].certificateId = 'TEST123'; c.evidence[0].batch = '100000001'; });
    const trust = trustWith(['100000001']);
    const d = decide(text, { now: at, trust, policy, verify: (p, m, s) => verify(p, m, s), sha256 });
    assert.equal(d.reason, 'revoked');
    const clean = decide(text, { now: at, trust: trustWith([]), policy, verify: (p, m, s) => verify(p, m, s), sha256 });
    assert.equal(clean.reason, 'ok');
  });
  it('the date is the latest of date, effectiveStart and effectiveUntil', async () => {
    const text = await signedText((c) => { c.evidence[0].date = '2021-08-01T00:00:00.000Z'; c.evidence[0].effectiveUntil = '2022-07-25'; });
    const d = decodeDivoc(text.substr(4), sha256);
    assert.equal(d.claims.date, Date.parse('2022-07-25T00:00:00Z') / 86400000);
    const r = decide(text, { now: at, trust: trustWith([]), policy, verify: (p, m, s) => verify(p, m, s), sha256 });
    assert.equal(r.reason, 'policy'); // 2022-07-25 + 14 days is after 2022-08-01
  });
  it('dose is the smaller of dose and totalDoses', async () => {
    const text = await signedText((c) => { c.evidence[0].dose = 2; c.evidence[0].totalDoses = 1; });
    const d = decodeDivoc(text.substr(4), sha256);
    assert.equal(d.claims.dose, 1);
    assert.equal(d.claims.series, 2);
  });
});
