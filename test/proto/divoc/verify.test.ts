// The published PeduliLindungi (DIVOC) samples through the device reader and the device Ed25519
// verifier; claims mapping; tampering; undefined terms; unknown contexts.
import { strict as assert } from 'assert';
import nacl from 'tweetnacl';
import { decodeDivoc, parseIsoSeconds, daysFromCivil } from '../../../proto/divoc/verify';
import { sha256 } from '../../../firmware/crypto/sha256';
import { verify } from '../../../firmware/crypto/ed25519';
import { INDEX, SAMPLE_PUB, sampleText, sampleJson, qrPayload, signDivoc } from '../../util/divoc';

function payload(name: string): string {
  const t = sampleText(name);
  assert.equal(t.slice(0, 4), 'B64:');
  return t.slice(4);
}

function utf8(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}

describe('divoc samples', () => {
  it('index.json key: the hex and the SPKI hold the same Ed25519 key', () => {
    const spki = Buffer.from(INDEX.publicKeySpkiBase64, 'base64');
    assert.deepEqual(new Uint8Array(spki.subarray(spki.length - 32)), SAMPLE_PUB);
  });

  for (const s of INDEX.samples) {
    it(`${s.file}: ${s.expected}`, () => {
      const c = decodeDivoc(payload(s.file), sha256);
      const ok = verify(SAMPLE_PUB, c.signingInput, c.signature);
      assert.equal(ok, nacl.sign.detached.verify(c.signingInput, c.signature, SAMPLE_PUB));
      assert.equal(utf8(c.kid), INDEX.verificationMethod);
      if (s.file === 'tampered-dose') {
        assert.equal(ok, false);
        return;
      }
      assert.equal(ok, true);
      // Claims mapping (spec/qg1.md section 6) against the published JSON and index.json.
      const j = sampleJson(s.file);
      assert.equal(utf8(c.cti), s.certificateId);
      assert.equal(utf8(c.cti), j.evidence[0].certificateId);
      assert.equal(c.claims.kind, 0);
      assert.equal(c.claims.dose, s.doses);
      assert.equal(c.claims.series, s.totalDoses);
      const [y, m, d] = s.date.split('-').map(Number);
      assert.equal(c.claims.date, daysFromCivil(y, m, d));
      assert.equal(c.claims.date, Math.floor(Date.parse(j.evidence[0].date) / 86400000));
      assert.equal(utf8(c.claims.sub), j.credentialSubject.id);
      assert.equal(c.claims.iat, Date.parse(j.issuanceDate) / 1000);
      // Nothing that names the person in the result.
      assert.deepEqual(Object.keys(c).sort(), ['claims', 'cti', 'kid', 'revocationIds', 'signature', 'signingInput']);
      assert.deepEqual(Object.keys(c.claims).sort(), ['date', 'dose', 'iat', 'kind', 'series', 'sub']);
      const dump = JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? utf8(v) : v));
      for (const secret of [j.credentialSubject.name, j.credentialSubject.dob, j.credentialSubject.address.streetAddress]) {
        assert.ok(!dump.includes(secret));
      }
    });
  }

  it('the sample JSON re-zipped reads the same as the QR text', () => {
    const a = decodeDivoc(payload('dose2'), sha256);
    const b = decodeDivoc(qrPayload(JSON.stringify(sampleJson('dose2'))), sha256);
    assert.deepEqual(b.signingInput, a.signingInput);
    assert.equal(verify(SAMPLE_PUB, b.signingInput, b.signature), true);
  });
});

describe('divoc tampering and shape', () => {
  const base = sampleJson('dose2');
  const verifies = (cert: any) => {
    const c = decodeDivoc(qrPayload(JSON.stringify(cert)), sha256);
    return verify(SAMPLE_PUB, c.signingInput, c.signature);
  };

  // Every string/number leaf of the document and proof, except the jws itself.
  function leaves(v: any, p: (string | number)[] = []): (string | number)[][] {
    if (v !== null && typeof v === 'object') {
      return Object.keys(v).flatMap((k) => leaves(v[k], p.concat(Array.isArray(v) ? Number(k) : k)));
    }
    return [p];
  }
  function setAt(o: any, p: (string | number)[], f: (v: any) => any): any {
    const c = JSON.parse(JSON.stringify(o));
    let t = c;
    for (let i = 0; i < p.length - 1; i++) t = t[p[i]];
    t[p[p.length - 1]] = f(t[p[p.length - 1]]);
    return c;
  }

  it('changing any signed field makes the signature fail', () => {
    const paths = leaves(base).filter((p) => !(p[0] === 'proof' && p[1] === 'jws') && p[0] !== '@context');
    assert.ok(paths.length > 40);
    let refused = 0;
    for (const p of paths) {
      const t = setAt(base, p, (v) => (typeof v === 'number' ? v + 1 : p[p.length - 1] === 'id' || p[0] === 'issuer' || p[1] === 'verificationMethod' ? v + 'x' : v + 'X'));
      let ok: boolean;
      try {
        ok = verifies(t);
      } catch (e) {
        // A change may also make the document unreadable (e.g. another type): that is a refusal too.
        assert.ok(e instanceof Error);
        refused++;
        continue;
      }
      assert.equal(ok, false, 'tampering ' + p.join('.') + ' went unnoticed');
    }
    assert.ok(refused < paths.length / 4, `${refused} of ${paths.length} changes were refused instead of checked`);
  });

  it('removing a signed field makes the signature fail', () => {
    for (const p of [['credentialSubject', 'name'], ['evidence', 0, 'batch'], ['nonTransferable'], ['credentialSubject', 'address', 'city']]) {
      const t = JSON.parse(JSON.stringify(base));
      let o = t;
      for (let i = 0; i < p.length - 1; i++) o = o[p[i]];
      delete o[p[p.length - 1]];
      assert.equal(verifies(t), false);
    }
  });

  it('an added field no context defines is malformed, wherever it is', () => {
    for (const where of [[], ['credentialSubject'], ['credentialSubject', 'address'], ['evidence', 0], ['evidence', 0, 'facility'], ['evidence', 0, 'verifier'], ['proof']]) {
      const t = JSON.parse(JSON.stringify(base));
      let o = t;
      for (const k of where) o = o[k];
      o.extraField = 'x';
      assert.throws(() => decodeDivoc(qrPayload(JSON.stringify(t)), sha256), /divoc: term not defined/);
    }
    // A term defined only in another type's scope is undefined here.
    const t = JSON.parse(JSON.stringify(base));
    t.evidence[0].nationality = 'x';
    assert.throws(() => decodeDivoc(qrPayload(JSON.stringify(t)), sha256), /divoc: term not defined/);
  });

  it('unknown or reordered @context, other types, nested surprises are malformed', () => {
    const cases: ((t: any) => void)[] = [
      (t) => (t['@context'] = ['https://www.w3.org/2018/credentials/v1', 'https://example.org/v2']),
      (t) => (t['@context'] = t['@context'].slice().reverse()),
      (t) => (t['@context'] = 'https://www.w3.org/2018/credentials/v1'),
      (t) => (t.type = ['VerifiableCredential']),
      (t) => (t.credentialSubject.type = 'Vaccination'),
      (t) => (t.credentialSubject.name = { first: 'x' }),
      (t) => (t.credentialSubject.name = null),
      (t) => (t.credentialSubject.name = [['x']]),
      (t) => (t.issuer = 'relative/iri'),
      (t) => (t.issuer = 'schema:foo'),
      (t) => (t.credentialSubject.id = 'did:x y'),
      (t) => (t.proof['@context'] = 'https://w3id.org/security/v2'),
      (t) => (t.proof.proofPurpose = 'somethingElse'),
      (t) => (t.evidence[0].dose = 1.5),
      (t) => (t.evidence = [t.evidence[0], t.evidence[0]]),
      (t) => (t.evidence[0]['@context'] = {}),
      (t) => (t.proof.jws = t.proof.jws.replace('..', '.x.')),
      (t) => (t.proof.type = 'RsaSignature2018'),
    ];
    for (const f of cases) {
      const t = JSON.parse(JSON.stringify(base));
      f(t);
      assert.throws(() => decodeDivoc(qrPayload(JSON.stringify(t)), sha256), (e: any) => e instanceof Error);
    }
  });

  it('the JWS header must be exactly alg EdDSA, b64 false, crit [b64]', () => {
    const sig = base.proof.jws.split('..')[1];
    const hdr = (o: any) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const h of [
      { alg: 'EdDSA', b64: true, crit: ['b64'] },
      { alg: 'none', b64: false, crit: ['b64'] },
      { alg: 'EdDSA', b64: false },
      { alg: 'EdDSA', b64: false, crit: ['b64'], kid: 'x' },
      { alg: 'EdDSA', b64: false, crit: ['b64', 'x'] },
    ]) {
      const t = JSON.parse(JSON.stringify(base));
      t.proof.jws = hdr(h) + '..' + sig;
      assert.throws(() => decodeDivoc(qrPayload(JSON.stringify(t)), sha256), /divoc: bad jws/);
    }
    const t = JSON.parse(JSON.stringify(base));
    t.proof.jws = base.proof.jws.split('..')[0] + '..' + sig.slice(0, -2);
    assert.throws(() => decodeDivoc(qrPayload(JSON.stringify(t)), sha256), /base64|signature length/);
  });

  it('swapping dose and totalDoses (both schema:doseValue) cannot raise the dose', async () => {
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
    const one = JSON.parse(JSON.stringify(base));
    one.evidence[0].dose = 1;
    one.evidence[0].totalDoses = 2;
    const signed = await signDivoc(one, kp.secretKey);
    const swapped = JSON.parse(JSON.stringify(signed));
    swapped.evidence[0].dose = 2;
    swapped.evidence[0].totalDoses = 1;
    const c = decodeDivoc(qrPayload(JSON.stringify(swapped)), sha256);
    assert.equal(verify(kp.publicKey, c.signingInput, c.signature), true); // the RDF cannot tell them apart
    assert.equal(c.claims.dose, 1);
    assert.equal(c.claims.series, 2);
  });

  it('error messages never quote field values', () => {
    const t = JSON.parse(JSON.stringify(base));
    t.credentialSubject.secretField = 'SECRET-NAME';
    t.credentialSubject.name = 'SECRET-NAME';
    try {
      decodeDivoc(qrPayload(JSON.stringify(t)), sha256);
      assert.fail('accepted');
    } catch (e: any) {
      assert.ok(!String(e.message).includes('SECRET'));
      assert.ok(!String(e.message).includes('secretField'));
    }
  });
});

describe('divoc dates', () => {
  it('parses ISO 8601 dates and date-times like Date.parse', () => {
    for (const s of ['1970-01-01', '2021-08-01', '2000-02-29', '2021-08-01T10:00:00.000Z', '2021-08-01T10:00:00Z', '2021-08-01T23:30:00+07:00', '1999-12-31T23:59:59.123456-05:30', '2400-02-29T00:00:00Z']) {
      assert.equal(parseIsoSeconds(s), Math.floor(Date.parse(s) / 1000), s);
    }
    for (const s of ['2021-8-01', '2021-02-29', '2021-13-01', '2021-08-01T24:00:00Z', '2021-08-01T10:00:00', '2021-08-01T10:00Z', '2021-08-01 10:00:00Z', '2021-08-01T10:00:00.Z', '20210801']) {
      assert.throws(() => parseIsoSeconds(s), Error, s);
    }
  });
});
