// Fields that share one RDF predicate can be swapped without breaking the signature (the
// canonical N-Quads hold the set of values, not which field had which), and "x", ["x"] and
// ["x", "x"] give the same N-Quads. The gate reads the evidence from the signed statements, each
// predicate as the set of all its values: the smallest schema:doseValue is the dose, the latest
// schema:date the dose day, and every schema:id value is checked against the revocation list.
import { strict as assert } from 'assert';
import { decodeDivoc, doseDay } from '../../../proto/divoc/verify';
import { decide, Decision } from '../../../firmware/decide';
import { verify } from '../../../firmware/crypto/ed25519';
import { sha256 } from '../../../firmware/crypto/sha256';
import { decodeTrustBundle } from '../../../proto/trustbundle';
import { escapeLiteral, literalText } from '../../../proto/divoc/nquads';
import fc from 'fast-check';
import { sampleJson, qrPayload, signedJson, signedText, divocText, divocTrustBytes, POLICY } from '../../util/divoc';

const at = Date.parse('2022-08-01T08:00:00Z') / 1000;
const day = (iso: string) => Date.parse(iso + 'T00:00:00Z') / 86400000;

function decideAt(text: string, revoked: string[], now = at): Decision {
  const trust = decodeTrustBundle(divocTrustBytes(revoked));
  return decide(text, { now, trust, policy: POLICY, verify: (p, m, s) => verify(p, m, s), sha256 });
}

/** The published sample dose2 (signed by its issuer), its JSON changed by `mutate`, as QR text. */
function sampleText(mutate: (c: any) => void): string {
  const c = sampleJson('dose2');
  mutate(c);
  return 'B64:' + qrPayload(JSON.stringify(c));
}

describe('DIVOC fields that share a predicate', () => {
  it('issue 17 (1): the revoked sample with another certificateId and the revoked id in batch as ["<id>"] is still revoked', () => {
    // dose2: certificateId "100000001", batch "TEST123"; the signature does not see the swap.
    assert.equal(decideAt(sampleText(() => undefined), ['100000001']).reason, 'revoked');
    const swapped = sampleText((c) => { c.evidence[0].certificateId = 'TEST123'; c.evidence[0].batch = ['100000001']; });
    assert.equal(decideAt(swapped, []).reason, 'ok'); // the signature still holds
    const d = decideAt(swapped, ['100000001']);
    assert.deepEqual([d.decision, d.reason], ['deny', 'revoked']);
  });

  it('the revoked id in any schema:id field, wrapped, duplicated or beside others, is found', () => {
    const moves: ((e: any) => void)[] = [
      (e) => { e.certificateId = 'TEST123'; e.batch = '100000001'; },
      (e) => { e.certificateId = 'TEST123'; e.batch = ['100000001', '100000001']; },
      (e) => { e.certificateId = 'TEST123'; delete e.batch; e.vaccine = ['COVID-19 Vaccine Test', '100000001']; },
      (e) => { e.certificateId = 'TEST123'; e.batch = []; e.icd11Code = ['', '100000001']; },
      (e) => { e.certificateId = '-'; e.manufacturer = ['TEST123', '100000001']; },
    ];
    for (const m of moves) {
      const text = sampleText((c) => m(c.evidence[0]));
      assert.equal(decideAt(text, []).reason, 'ok');
      assert.equal(decideAt(text, ['100000001']).reason, 'revoked');
    }
  });

  it('evidence as an object instead of a one-element array, the revoked id wrapped: still revoked', () => {
    const text = sampleText((c) => { c.evidence = c.evidence[0]; c.evidence.certificateId = 'TEST123'; c.evidence.batch = ['100000001']; });
    assert.equal(decideAt(text, ['100000001']).reason, 'revoked');
  });

  it('the date is the latest of date, effectiveStart and effectiveUntil', async () => {
    const text = await signedText((c) => { c.evidence[0].date = '2021-08-01T00:00:00.000Z'; c.evidence[0].effectiveUntil = '2022-07-25'; });
    const d = decodeDivoc(text.substr(4), sha256);
    assert.equal(d.claims.date, day('2022-07-25'));
    assert.equal(decideAt(text, []).reason, 'policy'); // 2022-07-25 + 14 days is after 2022-08-01
  });

  it('issue 17 (1): a too-recent effectiveUntil wrapped in an array still counts (policy, not open)', async () => {
    const c = await signedJson((e) => { e.evidence[0].date = '2021-08-01T00:00:00.000Z'; e.evidence[0].effectiveUntil = '2022-07-25'; });
    assert.equal(decideAt(divocText(c), []).reason, 'policy');
    // The same statements: effectiveUntil as ["2022-07-25"], then the recent day as date's second value.
    const wrapped = JSON.parse(JSON.stringify(c));
    wrapped.evidence[0].effectiveUntil = ['2022-07-25'];
    const asDate = JSON.parse(JSON.stringify(c));
    delete asDate.evidence[0].effectiveUntil;
    asDate.evidence[0].effectiveStart = [];
    asDate.evidence[0].date = ['2021-08-01T00:00:00.000Z', '2022-07-25', '2021-08-01'];
    for (const v of [wrapped, asDate]) {
      const t = divocText(v);
      const r = decideAt(t, []);
      assert.deepEqual([r.decision, r.reason], ['deny', 'policy'], JSON.stringify(v.evidence[0]));
      assert.equal(decodeDivoc(t.substr(4), sha256).claims.date, day('2022-07-25'));
    }
  });

  it('dose is the smallest schema:doseValue, however the values are laid out', async () => {
    const text = await signedText((c) => { c.evidence[0].dose = 2; c.evidence[0].totalDoses = 1; });
    const d = decodeDivoc(text.substr(4), sha256);
    assert.equal(d.claims.dose, 1);
    assert.equal(d.claims.series, 2);
    const c = sampleJson('dose1'); // 1 of 2, signed by the samples' issuer
    for (const lay of [{ dose: [2, 1] }, { totalDoses: [1, 2, 2] }, { dose: 2, totalDoses: [1] }, { dose: [2], totalDoses: [1, 1] }]) {
      const e: any = Object.assign({}, c.evidence[0]);
      delete e.dose;
      delete e.totalDoses;
      const t = 'B64:' + qrPayload(JSON.stringify(Object.assign({}, c, { evidence: [Object.assign(e, lay)] })));
      const cert = decodeDivoc(t.substr(4), sha256);
      assert.deepEqual([cert.claims.dose, cert.claims.series], [1, 2], JSON.stringify(lay));
      assert.equal(decideAt(t, [], Date.parse('2021-09-27T08:00:00Z') / 1000).reason, 'policy');
    }
  });

  it('a value of another kind where the id, date or dose is (number, boolean, string dose) or none at all is refused', async () => {
    for (const m of [
      (e: any) => { e.batch = 100000001; },
      (e: any) => { e.manufacturer = [true]; },
      (e: any) => { e.effectiveUntil = 20210801; },
      (e: any) => { e.totalDoses = '2'; },
      (e: any) => { delete e.dose; delete e.totalDoses; },
      (e: any) => { delete e.date; delete e.effectiveStart; delete e.effectiveUntil; },
      (e: any) => { e.effectiveStart = '2021-08-01T00:00:00'; }, // no zone: which day?
    ]) {
      const text = await signedText((c) => m(c.evidence[0]));
      assert.deepEqual([decideAt(text, []).decision, decideAt(text, []).reason], ['deny', 'malformed'], m.toString());
    }
  });
});

describe('DIVOC literal terms read back', () => {
  it('literalText undoes escapeLiteral (any byte string), and refuses other terms', () => {
    const XSD = 'http://www.w3.org/2001/XMLSchema#integer';
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }), (s) => {
      assert.equal(literalText('"' + escapeLiteral(s) + '"', ''), s);
      assert.equal(literalText('"' + escapeLiteral(s) + '"^^<' + XSD + '>', XSD), s);
      assert.throws(() => literalText('"' + escapeLiteral(s) + '"^^<' + XSD + '>', ''));
      assert.throws(() => literalText('"' + escapeLiteral(s) + '"', XSD));
    }));
    for (const t of ['<https://example.org/>', '\u00010', '', '"', 'abc']) assert.throws(() => literalText(t, ''), t);
  });

  it('an id with quotes, backslashes and controls, moved into an array, is still found revoked', async () => {
    const id = 'A"B\\C\n\u0001';
    const text = await signedText((c) => { c.evidence[0].certificateId = 'C-9'; c.evidence[0].batch = id; });
    assert.equal(decideAt(text, [id]).reason, 'revoked');
    const c = await signedJson((e) => { e.evidence[0].certificateId = 'C-9'; e.evidence[0].batch = id; });
    c.evidence[0].batch = [id, id];
    assert.equal(decideAt(divocText(c), []).reason, 'ok');
    assert.equal(decideAt(divocText(c), [id]).reason, 'revoked');
  });
});

describe('DIVOC dose dates with an offset (issue 17 (7))', () => {
  it('count from the later of the day written and the UTC day, so that no offset shortens the wait', () => {
    assert.equal(doseDay('2021-08-01'), day('2021-08-01'));
    assert.equal(doseDay('2021-08-01T00:00:00.000Z'), day('2021-08-01'));
    assert.equal(doseDay('2021-08-01T23:59:59Z'), day('2021-08-01'));
    assert.equal(doseDay('2021-08-01T10:00:00+07:00'), day('2021-08-01'));
    assert.equal(doseDay('2021-08-01T05:00:00+07:00'), day('2021-08-01')); // 2021-07-31T22:00Z
    assert.equal(doseDay('2021-08-01T00:30:00+14:00'), day('2021-08-01'));
    assert.equal(doseDay('2021-08-01T20:00:00-05:00'), day('2021-08-02')); // 2021-08-02T01:00Z
    assert.equal(doseDay('2021-08-01T12:00:00-05:00'), day('2021-08-01'));
    assert.equal(doseDay('2021-12-31T23:00:00-02:00'), day('2022-01-01'));
    assert.throws(() => doseDay('2021-08-01T05:00:00'));
    assert.throws(() => doseDay('2021-08-01T05:00:00+7:00'));
  });

  it('a dose at 05:00 +07:00 (22:00 UTC the day before) opens 14 days after the local day, not the UTC day', async () => {
    const text = await signedText((c) => {
      c.evidence[0].date = '2021-08-01T05:00:00+07:00';
      c.evidence[0].effectiveStart = c.evidence[0].effectiveUntil = '2021-07-01';
    });
    assert.equal(decodeDivoc(text.substr(4), sha256).claims.date, day('2021-08-01'));
    // 2021-07-31 + 14 days would open on 2021-08-14; 2021-08-01 + 14 opens on 2021-08-15 (UTC).
    assert.equal(decideAt(text, [], Date.parse('2021-08-14T12:00:00Z') / 1000).reason, 'policy');
    assert.equal(decideAt(text, [], Date.parse('2021-08-15T00:00:00Z') / 1000).reason, 'ok');
  });

  it('a dose at 20:00 -05:00 (01:00 UTC the next day) counts from the UTC day, the later one', async () => {
    const text = await signedText((c) => {
      c.evidence[0].date = '2021-08-01T20:00:00-05:00';
      c.evidence[0].effectiveStart = c.evidence[0].effectiveUntil = '2021-07-01';
    });
    assert.equal(decodeDivoc(text.substr(4), sha256).claims.date, day('2021-08-02'));
    assert.equal(decideAt(text, [], Date.parse('2021-08-15T12:00:00Z') / 1000).reason, 'policy');
    assert.equal(decideAt(text, [], Date.parse('2021-08-16T00:00:00Z') / 1000).reason, 'ok');
  });
});
