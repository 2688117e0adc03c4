// Differential: the device canonicalizer (proto/divoc/nquads.ts over the JSON bytes) against
// npm jsonld's canonize (URDNA2015) on many generated certificates: byte-identical N-Quads for
// the document and the proof options, and signatures made with jsonld verify on the device.
import { strict as assert } from 'assert';
import fc from 'fast-check';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const jsonld = require('jsonld');
import nacl from 'tweetnacl';
import { parseJsonBytes, JsonObject } from '../../../proto/json';
import {
  canonicalBytes, canonicalHash, canonicalDocument, canonicalProofOptions, compareUtf16, documentGraph, proofOptionsGraph, firstEscape, firstEscapeLoop,
  iriCharsBad, iriCharsBadLoop, hasNonAsciiLoop, Graph,
} from '../../../proto/divoc/nquads';
import { decodeDivoc } from '../../../proto/divoc/verify';
import { sha256 } from '../../../firmware/crypto/sha256';
import { verify } from '../../../firmware/crypto/ed25519';
import { refCanon, asciiJson, signDivoc, qrPayload, sampleJson } from '../../util/divoc';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 200;

// Text full of the awkward cases: non-ASCII letters, quotes, backslashes, controls, emoji,
// chars around U+E000..U+FFFF (where UTF-16 order and code point order differ), empty strings.
const special = fc.constantFrom('"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0001', '\u001f', '\u007f', 'é', 'Ö', 'ß', 'ğ', 'Ş', 'ı', '中', '文', 'ア', '\uE000', '\uFFFD', '\uFF21', '😀', '𝄞', '🇮🇩', ' ', '/', '<', '>', '\u2028', '\u00a0');
const text = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(special, fc.string({ maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '-', 'BUDI CONTOH', 'JL. "MAWAR" NO. 5\\B') },
);
const iriTail = fc.stringMatching(/^[A-Za-z0-9._~:\/?#@!$&'()*+,;=%-]{1,20}$/);

function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 4 });
}

function clean(o: any): any {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const address = fc
  .record({
    streetAddress: maybe(text),
    streetAddress2: maybe(text),
    district: maybe(text),
    city: maybe(text),
    addressRegion: maybe(text),
    addressCountry: maybe(text),
    postalCode: maybe(fc.oneof(text, fc.integer({ min: 0, max: 99999 }))),
  })
  .map(clean);

const cert = fc
  .record({
    issuer: fc.constantFrom('https://www.pedulilindungi.id/', 'https://cowin.gov.in/', 'did:example:issuer'),
    ctx: fc.constantFrom('https://www.pedulilindungi.id/credentials/vaccination/v2', 'https://cowin.gov.in/credentials/vaccination/v2'),
    typeOrder: fc.boolean(),
    subjectId: iriTail.map((s) => 'did:indonesia:' + s),
    name: text,
    refId: maybe(text),
    gender: maybe(text),
    sex: maybe(text),
    age: maybe(fc.oneof(text, fc.integer({ min: 0, max: 120 }))),
    nationality: maybe(text),
    dob: maybe(fc.constantFrom('1990-01-01', '1985-12-31', '')),
    address: maybe(address),
    issued: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
    certificateId: fc.stringMatching(/^[0-9]{1,12}$/),
    batch: maybe(text),
    vaccine: maybe(text),
    manufacturer: maybe(text),
    dose: fc.integer({ min: 0, max: 5 }),
    totalDoses: fc.integer({ min: 0, max: 5 }),
    effectiveStart: maybe(fc.constantFrom('2021-08-01', '2022-01-31')),
    effectiveUntil: maybe(fc.constantFrom('2021-08-01', '2023-01-31')),
    verifierName: maybe(text),
    facilityName: maybe(text),
    facilityAddress: maybe(address),
    feedbackUrl: maybe(text),
    infoUrl: maybe(text),
    icd11Code: maybe(text),
    prophylaxis: maybe(text),
    nonTransferable: maybe(fc.oneof(fc.constant('true'), fc.boolean())),
    created: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
    proofPurpose: fc.constantFrom('assertionMethod', 'authentication'),
    vm: fc.constantFrom('did:indonesia', 'did:india', 'https://example.org/keys/1'),
    ascii: fc.boolean(),
  })
  .map((r) => {
    const iso = r.issued.toISOString();
    const c: any = {
      '@context': ['https://www.w3.org/2018/credentials/v1', r.ctx],
      type: r.typeOrder ? ['VerifiableCredential', 'ProofOfVaccinationCredential'] : ['ProofOfVaccinationCredential', 'VerifiableCredential'],
      credentialSubject: clean({
        type: 'Person',
        id: r.subjectId,
        refId: r.refId,
        name: r.name,
        gender: r.gender,
        sex: r.sex,
        age: r.age,
        nationality: r.nationality,
        address: r.address,
        dob: r.dob,
      }),
      issuer: r.issuer,
      issuanceDate: iso,
      evidence: [
        clean({
          certificateId: r.certificateId,
          type: ['Vaccination'],
          batch: r.batch,
          vaccine: r.vaccine,
          manufacturer: r.manufacturer,
          date: iso.slice(0, 10) + 'T00:00:00.000Z',
          effectiveStart: r.effectiveStart,
          effectiveUntil: r.effectiveUntil,
          dose: r.dose,
          totalDoses: r.totalDoses,
          verifier: r.verifierName === undefined ? undefined : { name: r.verifierName },
          facility: r.facilityName === undefined ? undefined : clean({ name: r.facilityName, address: r.facilityAddress }),
          feedbackUrl: r.feedbackUrl,
          infoUrl: r.infoUrl,
          icd11Code: r.icd11Code,
          prophylaxis: r.prophylaxis,
        }),
      ],
      nonTransferable: r.nonTransferable,
      proof: {
        type: 'Ed25519Signature2018',
        created: r.created.toISOString().replace('.000Z', 'Z'),
        verificationMethod: r.vm,
        proofPurpose: r.proofPurpose,
        jws: 'unused',
      },
    };
    return { cert: clean(c), ascii: r.ascii };
  });

/** E.toUint8Array of a byte string, as the gate's built-ins give it (hal/espruino builtins().bytes). */
const toBytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'latin1'); // a byte string: one char per byte
}

describe('divoc canonical N-Quads: device vs jsonld (property)', function () {
  this.timeout(120000);

  it('byte-identical N-Quads for document and proof options on generated certificates', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(cert, async ({ cert: c, ascii }) => {
        const json = ascii ? asciiJson(c, 1) : JSON.stringify(c);
        const parsed = parseJsonBytes(new Uint8Array(Buffer.from(json, 'utf8'))) as JsonObject;
        const doc = JSON.parse(json);
        const proof = doc.proof;
        delete doc.proof;
        const options = Object.assign({ '@context': 'https://w3id.org/security/v2' }, proof);
        delete options.jws;
        const refDoc = await refCanon(doc);
        const refOpt = await refCanon(options);
        let mine: string;
        try {
          mine = canonicalDocument(parsed, sha256);
        } catch (e: any) {
          // The only refusal allowed for these shapes: colliding first-degree hashes.
          assert.match(e.message, /n-degree/);
          return;
        }
        assert.deepEqual(bytesOf(mine), refDoc);
        assert.deepEqual(bytesOf(canonicalProofOptions(parsed.get('proof') as JsonObject, sha256)), refOpt);
        // The device's path (decodeDivoc): the tree emptied as it is read, the bytes written directly.
        const again = parseJsonBytes(new Uint8Array(Buffer.from(json, 'utf8'))) as JsonObject;
        assert.deepEqual(Buffer.from(canonicalBytes(documentGraph(again, true), sha256)), refDoc);
        assert.equal(again.keys.length + again.values.length, 0, 'tree consumed');
        // The gate's path with the built-ins: lines sorted and joined natively, E.toUint8Array.
        assert.deepEqual(Buffer.from(canonicalBytes(documentGraph(parsed), sha256, toBytes)), refDoc);
        assert.deepEqual(Buffer.from(canonicalBytes(proofOptionsGraph(parsed.get('proof') as JsonObject), sha256, toBytes)), refOpt);
        // canonicalHash (decodeDivoc): with a text hash (a board's crypto.SHA256 takes the byte
        // string as it is) the text is hashed, never copied into bytes; without one, the bytes.
        const digest = (b: Uint8Array | Buffer) => Buffer.from(sha256(new Uint8Array(b)));
        const textHash = (t: string) => sha256(new Uint8Array(Buffer.from(t, 'latin1')));
        for (const th of [textHash, null]) {
          assert.deepEqual(Buffer.from(canonicalHash(documentGraph(parsed), sha256, toBytes, th)), digest(refDoc));
          assert.deepEqual(Buffer.from(canonicalHash(proofOptionsGraph(parsed.get('proof') as JsonObject), sha256, toBytes, th)), digest(refOpt));
        }
        assert.deepEqual(Buffer.from(canonicalHash(documentGraph(parsed), sha256, null, textHash)), digest(refDoc));
        checked++;
      }),
      { numRuns: RUNS },
    );
    assert.ok(checked >= RUNS * 0.9, `only ${checked} of ${RUNS} compared`);
  });

  it('certificates signed with jsonld verify on the device; a changed name does not', async () => {
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
    await fc.assert(
      fc.asyncProperty(cert, text, async ({ cert: c, ascii }, other) => {
        const signed = await signDivoc(c, kp.secretKey);
        const json = ascii ? asciiJson(signed) : JSON.stringify(signed);
        const d = decodeDivoc(qrPayload(json), sha256);
        assert.equal(verify(kp.publicKey, d.signingInput, d.signature), true);
        assert.equal(d.claims.dose, Math.min(c.evidence[0].dose, c.evidence[0].totalDoses));
        if (other !== c.credentialSubject.name) {
          const t = JSON.parse(json);
          t.credentialSubject.name = other;
          const d2 = decodeDivoc(qrPayload(JSON.stringify(t)), sha256);
          assert.equal(verify(kp.publicKey, d2.signingInput, d2.signature), false);
        }
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
    );
  });

  it('documents with a term no context defines: the device refuses, jsonld (safe mode) too', async () => {
    const base = sampleJson('dose2');
    delete base.proof;
    for (const [where, key] of [[[], 'foo'], [['credentialSubject'], 'bloodType'], [['evidence', 0], 'lot'], [['credentialSubject', 'address'], 'country']] as [any[], string][]) {
      const t = JSON.parse(JSON.stringify(base));
      let o = t;
      for (const k of where) o = o[k];
      o[key] = 'x';
      assert.throws(() => canonicalDocument(parseJsonBytes(new Uint8Array(Buffer.from(JSON.stringify(t)))) as JsonObject, sha256), /term not defined/);
      await assert.rejects(refCanon(t));
    }
  });

  it('keys that are inherited properties of a JS object, or the table\'s own marks, are terms no context defines', () => {
    const base = sampleJson('dose2');
    delete base.proof;
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '|', '', '+', 'type ', 'name=', '|name']) {
      for (const where of [[], ['credentialSubject'], ['evidence', 0]] as any[][]) {
        const doc = parseJsonBytes(new Uint8Array(Buffer.from(JSON.stringify(base), 'utf8'))) as JsonObject;
        let node: any = doc;
        for (const k of where) node = typeof k === 'number' ? node[k] : node.get(k);
        node.keys.push(key);
        node.values.push('x');
        assert.throws(() => canonicalDocument(doc, sha256), /term not defined/, JSON.stringify([where, key]));
      }
    }
  });

  it('canonicalBytes of any small graph (blank nodes linked in any way, self-links too), both paths, is jsonld\'s canonical N-Quads', async () => {
    const term = (k: number) => fc.oneof(
      fc.nat(k - 1).map((i) => ({ blank: i })),
      fc.constantFrom('https://example.org/a', 'https://example.org/b', 'did:x').map((iri) => ({ iri })),
    );
    const graph = fc.integer({ min: 1, max: 4 }).chain((k) => fc.record({
      k: fc.constant(k),
      quads: fc.array(fc.record({
        s: term(k),
        p: fc.constantFrom('https://schema.org/name', 'https://schema.org/knows', 'https://schema.org/id'),
        o: fc.oneof(term(k), text.map((v) => ({ lit: v }))),
      }), { minLength: 1, maxLength: 10 }),
    }));
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(graph, fc.boolean(), async ({ k, quads }, native) => {
        const used = new Set<number>();
        for (const q of quads) for (const t of [q.s, q.o] as any[]) if (t.blank !== undefined) used.add(t.blank);
        if (used.size !== k) return; // every blank node in some statement (as the certificates' are)
        const g = new Graph(false);
        g.nodes = k;
        const nq: string[] = [];
        const dev = (t: any) => (t.blank !== undefined ? String.fromCharCode(1, 48 + t.blank) : t.iri !== undefined ? '<' + t.iri + '>' : g.literal(Buffer.from(t.lit, 'utf8').toString('latin1')));
        const ref = (t: any) => (t.blank !== undefined ? '_:b' + t.blank : t.iri !== undefined ? '<' + t.iri + '>' : Buffer.from(dev(t), 'latin1').toString('utf8'));
        for (const q of quads) {
          g.add(dev(q.s), '<' + q.p + '>', dev(q.o));
          nq.push(ref(q.s) + ' <' + q.p + '> ' + ref(q.o) + ' .\n');
        }
        // (the reference without its work limit: rdf-canonize's default, maxWorkFactor 1, refuses
        // some of these small graphs, "Maximum deep iterations exceeded", seed 312076922)
        const want: string = await jsonld.canonize(nq.join(''), { algorithm: 'URDNA2015', inputFormat: 'application/n-quads', format: 'application/n-quads',
          canonizeOptions: { maxWorkFactor: Infinity } } as any);
        let mine: Uint8Array;
        try {
          mine = canonicalBytes(g, sha256, native ? toBytes : null);
        } catch (e: any) {
          assert.match(e.message, /n-degree/);
          return;
        }
        assert.equal(Buffer.from(mine).toString('utf8'), want);
        compared++;
      }),
      { numRuns: RUNS * 2 },
    );
    assert.ok(compared >= RUNS / 4, `only ${compared} compared`);
  });

  it('the native pre-checks (RegExp) answer as the loops over the chars', () => {
    const str = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 20 }),
      fc.constantFrom('https://example.org/a', 'did:india', 'urn:x', 'a b', 'a"b', 'x\\y', 'x\u007f', 'x\u0080', 'é', '\u00ff', '\u0100'));
    fc.assert(
      fc.property(str, (s) => {
        assert.equal(firstEscape(s), firstEscapeLoop(s));
        assert.equal(iriCharsBad(s, 0), iriCharsBadLoop(s, 0));
        const g = new Graph(false);
        g.literal(s);
        assert.equal(g.ascii, !hasNonAsciiLoop(s));
      }),
      { numRuns: RUNS * 5 },
    );
    for (let c = 0; c < 0x180; c++) {
      const s = 'ab' + String.fromCharCode(c) + 'c';
      assert.equal(firstEscape(s), firstEscapeLoop(s), String(c));
      assert.equal(iriCharsBad(s, 0), iriCharsBadLoop(s, 0), String(c));
    }
  });

  it('compareUtf16 on UTF-8 byte strings orders like JS sorts the decoded strings', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), special), { maxLength: 12 }), (arr) => {
        const bytes = arr.map((s) => Buffer.from(s, 'utf8').toString('latin1'));
        const mine = bytes.slice().sort(compareUtf16).map((b) => Buffer.from(b, 'latin1').toString('utf8'));
        assert.deepEqual(mine, arr.slice().sort());
      }),
      { numRuns: RUNS * 5 },
    );
  });
});
