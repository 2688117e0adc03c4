// Property (issue 17): no rearrangement of a signed DIVOC certificate's values turns a refusal into
// an open. A rearrangement keeps the signed statements: values move between fields that share a
// predicate on the same node (schema:id, schema:date, schema:doseValue, schema:url on the evidence;
// schema:id and schema:gender on the subject), are wrapped in arrays, duplicated, reordered, empty
// fields dropped or written [], keys reordered, evidence written as an object or a one-element
// array. The gate reads the claim from the statements, so the decision must be exactly the
// unchanged certificate's, except that a certificateId which is no longer one plain string (the id
// a log names it by) is refused as malformed. The signature always still verifies.
// FUZZ_RUNS sets the number of rearrangements (default 300; `make fuzz` runs 20,000).
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { decide, Decision } from '../../../firmware/decide';
import { verify } from '../../../firmware/crypto/ed25519';
import { sha256 } from '../../../firmware/crypto/sha256';
import { decodeTrustBundle } from '../../../proto/trustbundle';
import { sampleJson, signedJson, divocText, divocTrustBytes, POLICY } from '../../util/divoc';

const RUNS = parseInt(process.env.FUZZ_RUNS || '300', 10);
const T = (iso: string) => Date.parse(iso) / 1000;

/** Fields sharing a predicate, per node. */
const EVIDENCE_GROUPS = [
  ['certificateId', 'batch', 'vaccine', 'manufacturer', 'icd11Code'],
  ['date', 'effectiveStart', 'effectiveUntil'],
  ['dose', 'totalDoses'],
  ['feedbackUrl', 'infoUrl'],
];
const SUBJECT_GROUPS = [['refId', 'uhid'], ['gender', 'sex']];
const SLOTS = 24;

interface Plan {
  /** Field (modulo the group's size) of each value, in order of appearance. */
  place: number[];
  /** Extra copies: [group, value, field], each modulo its range. */
  dups: [number, number, number][];
  /** Per field: a single value written as [v]. */
  wrap: boolean[];
  /** Per field: an empty field written [] (else left out). */
  empty: boolean[];
  /** Sort keys: of the values inside an array, and of the evidence's keys. */
  order: number[];
  evidenceObject: boolean;
  /** Most of the time: which id value certificateId then holds as one plain string (the log's label). */
  label: number | null;
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  place: fc.array(fc.nat(15), { minLength: SLOTS, maxLength: SLOTS }),
  dups: fc.array(fc.tuple(fc.nat(5), fc.nat(15), fc.nat(15)), { maxLength: 4 }),
  wrap: fc.array(fc.boolean(), { minLength: SLOTS, maxLength: SLOTS }),
  empty: fc.array(fc.boolean(), { minLength: SLOTS, maxLength: SLOTS }),
  order: fc.array(fc.nat(99), { minLength: 2 * SLOTS, maxLength: 2 * SLOTS }),
  evidenceObject: fc.boolean(),
  label: fc.option(fc.nat(15), { freq: 4 }),
});

/** The certificate with its values laid out by `plan` (the same signed statements). */
function rearrange(cert: any, plan: Plan): any {
  const c = JSON.parse(JSON.stringify(cert));
  const ev = Array.isArray(c.evidence) ? c.evidence[0] : c.evidence;
  let vi = 0;
  let fi = 0;
  let gi = 0;
  for (const [node, groups] of [[ev, EVIDENCE_GROUPS], [c.credentialSubject, SUBJECT_GROUPS]] as [any, string[][]][]) {
    for (const g of groups) {
      const vals: any[] = [];
      for (const f of g) {
        if (node[f] !== undefined) vals.push(...([] as any[]).concat(node[f]));
        delete node[f];
      }
      const lists: { v: any; k: number }[][] = g.map(() => []);
      for (const v of vals) { lists[plan.place[vi % SLOTS] % g.length].push({ v, k: plan.order[vi % SLOTS] }); vi++; }
      for (const [dg, dv, df] of plan.dups) {
        if (dg === gi && vals.length) lists[df % g.length].push({ v: vals[dv % vals.length], k: plan.order[(dv + df) % SLOTS] });
      }
      g.forEach((f, i) => {
        const l = lists[i].sort((a, b) => a.k - b.k).map((e) => e.v);
        if (l.length === 0) { if (plan.empty[fi % SLOTS]) node[f] = []; } else node[f] = l.length === 1 && !plan.wrap[fi % SLOTS] ? l[0] : l;
        fi++;
      });
      gi++;
    }
  }
  if (plan.label !== null) {
    // certificateId gets one plain id (its former values go to batch: the same set).
    const ids = ([] as any[]).concat(...EVIDENCE_GROUPS[0].map((f) => ([] as any[]).concat(ev[f] ?? []))).filter((v) => v !== '');
    if (ids.length) {
      const moved = ([] as any[]).concat(ev.certificateId ?? []);
      if (moved.length) ev.batch = ([] as any[]).concat(ev.batch ?? [], moved);
      ev.certificateId = ids[plan.label % ids.length];
    }
  }
  const keys = Object.keys(ev).sort((a, b) => plan.order[SLOTS + (keyIndex(a) % SLOTS)] - plan.order[SLOTS + (keyIndex(b) % SLOTS)]);
  const out: any = {};
  for (const k of keys) out[k] = ev[k];
  c.evidence = plan.evidenceObject ? out : [out];
  return c;
}

function keyIndex(k: string): number {
  let h = 0;
  for (let i = 0; i < k.length; i++) h = (h * 31 + k.charCodeAt(i)) % 9973;
  return h;
}

interface Base { name: string; cert: any; revoked: string[]; now: number; trust?: any; decision?: Decision }

function decideWith(b: Base, cert: any): Decision {
  return decide(divocText(cert), { now: b.now, trust: b.trust, policy: POLICY, verify: (p, m, s) => verify(p, m, s), sha256 });
}

describe('DIVOC: rearranging a signed certificate\'s values', function () {
  this.timeout(600000);
  const bases: Base[] = [];

  before(async function () {
    this.timeout(60000);
    const at = T('2021-09-27T08:00:00Z');
    bases.push(
      { name: 'revoked sample dose2', cert: sampleJson('dose2'), revoked: ['100000001'], now: at },
      { name: 'revoked id signed in batch', revoked: ['100000009'], now: at,
        cert: await signedJson((c) => { c.evidence[0].certificateId = 'C-7'; c.evidence[0].batch = '100000009'; c.evidence[0].infoUrl = 'https://example.org/i'; }) },
      { name: 'effectiveStart too recent', revoked: [], now: at,
        cert: await signedJson((c) => { c.evidence[0].effectiveStart = '2021-09-20'; c.evidence[0].effectiveUntil = '2021-07-01'; }) },
      { name: 'one dose of two (sample dose1)', cert: sampleJson('dose1'), revoked: [], now: at },
      { name: 'dose at 05:00 +07:00, 13.5 days after the UTC day', revoked: [], now: T('2021-08-14T12:00:00Z'),
        cert: await signedJson((c) => {
          c.evidence[0].date = '2021-08-01T05:00:00+07:00';
          c.evidence[0].effectiveStart = c.evidence[0].effectiveUntil = '2021-07-01';
          c.credentialSubject.uhid = 'U-1';
          c.credentialSubject.sex = 'F';
        }) },
      { name: 'everything at once', revoked: ['X-1'], now: at,
        cert: await signedJson((c) => {
          const e = c.evidence[0];
          e.certificateId = 'C-8'; e.vaccine = 'X-1'; e.effectiveUntil = '2021-09-25'; e.dose = 1; e.totalDoses = 3;
        }) },
      { name: 'open (control): sample dose2, nothing revoked', cert: sampleJson('dose2'), revoked: [], now: at },
    );
    for (const b of bases) {
      b.trust = decodeTrustBundle(divocTrustBytes(b.revoked));
      b.decision = decideWith(b, b.cert);
    }
  });

  it('the unchanged certificates: refusals for revocation, date and dose, and one open', () => {
    assert.deepEqual(bases.map((b) => [b.name, (b.decision as Decision).decision, (b.decision as Decision).reason]), [
      ['revoked sample dose2', 'deny', 'revoked'],
      ['revoked id signed in batch', 'deny', 'revoked'],
      ['effectiveStart too recent', 'deny', 'policy'],
      ['one dose of two (sample dose1)', 'deny', 'policy'],
      ['dose at 05:00 +07:00, 13.5 days after the UTC day', 'deny', 'policy'],
      ['everything at once', 'deny', 'revoked'],
      ['open (control): sample dose2, nothing revoked', 'open', 'ok'],
    ]);
  });

  it('property: no rearrangement (swaps, arrays, duplicates, order) turns a refusal into an open or changes the decision', () => {
    let kept = 0;
    fc.assert(fc.property(fc.nat(bases.length - 1), planArb, (bi, plan) => {
      const b = bases[bi];
      const base = b.decision as Decision;
      const cert = rearrange(b.cert, plan);
      const d = decideWith(b, cert);
      const ev = Array.isArray(cert.evidence) ? cert.evidence[0] : cert.evidence;
      const labelled = typeof ev.certificateId === 'string' && ev.certificateId.length > 0;
      if (base.decision !== 'open') assert.notEqual(d.decision, 'open', `${b.name}: ${JSON.stringify(ev)}`);
      if (labelled) {
        kept++;
        assert.deepEqual([d.decision, d.reason], [base.decision, base.reason], `${b.name}: ${JSON.stringify(ev)}`);
      } else assert.deepEqual([d.decision, d.reason], ['deny', 'malformed'], `${b.name}: ${JSON.stringify(ev)}`);
    }), { numRuns: RUNS });
    assert.ok(kept > RUNS / 10, `only ${kept} of ${RUNS} rearrangements kept a plain certificateId`);
  });
});
