// Bounded work before any signature (issue 17 item 5): every limit on what an unsigned scan can make
// the gate allocate or loop over (JSON, inflate, zip, the DIVOC text, the N-Quads statements) holds at
// its boundary, every real certificate passes with the margin the README states, and each of the
// worst inputs we could build (test/util/worst-inputs.ts) ends in deny/malformed, early. Peak memory
// on the real interpreter: test/real/limits.test.ts.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { parseJsonBytes, JsonObject, JSON_MAX_BYTES, JSON_MAX_DEPTH, JSON_MAX_KEYS, JSON_MAX_VALUES } from '../../proto/json';
import { inflateRaw, INFLATE_MAX_BLOCKS } from '../../proto/inflate';
import { unzipCertificate, ZIP_MAX_BYTES, ZIP_MAX_INFLATED, ZIP_MAX_RATIO } from '../../proto/zip';
import { base64Decode } from '../../proto/base64';
import { DIVOC_MAX_TEXT } from '../../proto/divoc/verify';
import { documentGraph } from '../../proto/divoc/nquads';
import { parseScan } from '../../firmware/parse';
import { sha256 } from '../../firmware/crypto/sha256';
import { configOf, fixtures, trustOf } from './fixtures';
import { decide } from '../../firmware/decide';
import { verify } from '../../firmware/crypto/ed25519';
import { makeZip, sampleText } from '../util/divoc';
import { worstInputs } from '../util/worst-inputs';

const J = (s: string) => parseJsonBytes(new Uint8Array(Buffer.from(s, 'latin1')));
const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
const list = (item: string, n: number) => '[' + Array(n).fill(item).join(',') + ']';
const keys = (n: number) => '{' + Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',') + '}';

/** The fixture and sample DIVOC certificates, measured as the limits see them. */
function realDivoc(): { name: string; text: string }[] {
  const out = ['dose1', 'dose2', 'dose3', 'tampered-dose'].map((n) => ({ name: n, text: sampleText(n) }));
  const certs = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'certs.json'), 'utf8')).certs;
  for (const k of Object.keys(certs)) {
    if (certs[k].text.startsWith('B64:') && certs[k].reason !== 'malformed') out.push({ name: k, text: certs[k].text });
  }
  return out;
}

function measure(text: string) {
  const zip = base64Decode(text.slice(4));
  const csize = zip[18] | (zip[19] << 8);
  const json = unzipCertificate(zip);
  const doc = parseJsonBytes(json) as JsonObject;
  const s = { text: text.length - 4, zip: zip.length, ratio: json.length / csize, bytes: json.length, depth: 0, values: 0, keys: 0, quads: 0 };
  const walk = (v: any, d: number) => {
    s.values++;
    if (v instanceof JsonObject) { s.depth = Math.max(s.depth, d); s.keys = Math.max(s.keys, v.keys.length); v.values.forEach((x) => walk(x, d + 1)); }
    else if (Array.isArray(v)) { s.depth = Math.max(s.depth, d); v.forEach((x) => walk(x, d + 1)); }
  };
  walk(doc, 1);
  s.quads = documentGraph(doc).quads.length;
  return s;
}

/** The gate's decision on a text, with the fixtures' configuration, trust bundle and clock. */
function decideText(text: string) {
  const cfg = configOf(fixtures.config);
  return decide(text, { now: Math.floor(Date.parse(fixtures.clock) / 1000), trust: trustOf(fixtures.trust, cfg), policy: cfg.policy, verify, sha256 });
}

describe('proto limits: bounded work before any signature', () => {
  describe('each limit at its boundary', () => {
    it(`JSON: depth ${JSON_MAX_DEPTH} accepted, ${JSON_MAX_DEPTH + 1} refused; a caller's deeper maxDepth is capped`, () => {
      J(nest(JSON_MAX_DEPTH));
      assert.throws(() => J(nest(JSON_MAX_DEPTH + 1)), /json: too deep at 8/);
      assert.throws(() => parseJsonBytes(new Uint8Array(Buffer.from(nest(JSON_MAX_DEPTH + 1))), 100), /too deep/);
      assert.throws(() => J(nest(2000)), /json: too deep at 8$/); // refused at byte 8, not after reading 4 KB
    });
    it(`JSON: ${JSON_MAX_VALUES} values accepted, ${JSON_MAX_VALUES + 1} refused (as soon as the next value starts)`, () => {
      J(list('0', JSON_MAX_VALUES - 1));
      assert.throws(() => J(list('0', JSON_MAX_VALUES)), /json: too many values at 511$/);
      assert.throws(() => J(list('{}', 1300)), /json: too many values at 766$/);
    });
    it(`JSON: ${JSON_MAX_KEYS} keys in an object accepted, ${JSON_MAX_KEYS + 1} refused`, () => {
      assert.equal((J(keys(JSON_MAX_KEYS)) as JsonObject).keys.length, JSON_MAX_KEYS);
      assert.throws(() => J(keys(JSON_MAX_KEYS + 1)), /json: too many keys/);
    });
    it(`JSON: ${JSON_MAX_BYTES} bytes accepted, one more refused before parsing`, () => {
      J('"' + 'a'.repeat(JSON_MAX_BYTES - 2) + '"');
      assert.throws(() => J('"' + 'a'.repeat(JSON_MAX_BYTES - 1) + '"'), /json: too large$/);
    });
    it(`inflate: ${INFLATE_MAX_BLOCKS} blocks accepted, ${INFLATE_MAX_BLOCKS + 1} refused`, () => {
      const stream = (n: number) => Buffer.concat([...Array(n - 1).fill(Buffer.from([0, 0, 0, 0xff, 0xff])), Buffer.from([1, 0, 0, 0xff, 0xff])]);
      assert.equal(inflateRaw(new Uint8Array(stream(INFLATE_MAX_BLOCKS)), 16).data.length, 0);
      assert.throws(() => inflateRaw(new Uint8Array(stream(INFLATE_MAX_BLOCKS + 1)), 16), /inflate: too many blocks/);
    });
    it(`zip: ratio ${ZIP_MAX_RATIO}:1 accepted, above refused before inflating; ${ZIP_MAX_INFLATED} bytes inflated; ${ZIP_MAX_BYTES}-byte archives`, () => {
      // (the sizes are the headers': the ratio is checked before anything is inflated)
      const stored = (b: Buffer) => { const h = Buffer.alloc(5); h.writeUInt16LE(b.length, 1); h.writeUInt16LE(~b.length & 0xffff, 3); return Buffer.concat([h, b]); };
      const body = Buffer.alloc(1200, 0x41);
      const mixed = Buffer.concat([stored(body.subarray(0, 100)), zlib.deflateRawSync(body.subarray(100))]);
      assert.ok(body.length <= mixed.length * ZIP_MAX_RATIO);
      assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(body, { data: mixed }))), new Uint8Array(body));
      const tight = Buffer.concat([stored(body.subarray(0, 1)), zlib.deflateRawSync(body.subarray(1))]);
      assert.ok(body.length > tight.length * ZIP_MAX_RATIO);
      assert.throws(() => unzipCertificate(new Uint8Array(makeZip(body, { data: tight }))), /zip: compression ratio too high/);
      assert.throws(() => unzipCertificate(new Uint8Array(makeZip(Buffer.alloc(ZIP_MAX_INFLATED + 1, 0x41), { method: 0 }))), /zip: (entry|archive) too large/);
      const big = makeZip(Buffer.alloc(ZIP_MAX_BYTES, 0x41), { method: 0 });
      assert.ok(big.length > ZIP_MAX_BYTES);
      assert.throws(() => unzipCertificate(new Uint8Array(big)), /zip: archive too large/);
      const fits = makeZip(Buffer.alloc(ZIP_MAX_BYTES - 160, 0x41), { method: 0 });
      assert.ok(fits.length <= ZIP_MAX_BYTES);
      assert.equal(unzipCertificate(new Uint8Array(fits)).length, ZIP_MAX_BYTES - 160);
    });
    it(`DIVOC: a B64 text over ${DIVOC_MAX_TEXT} chars is refused before decoding`, () => {
      assert.throws(() => parseScan('B64:' + 'A'.repeat(DIVOC_MAX_TEXT + 4), sha256), /divoc: too long/);
    });
  });

  it('every real certificate (../shared/divoc/samples, test/fixtures) passes with at least 2x margin on each limit', () => {
    const real = realDivoc();
    assert.ok(real.length >= 6);
    for (const c of real) {
      const m = measure(c.text);
      const where = `${c.name}: ${JSON.stringify(m)}`;
      assert.ok(m.text * 3 <= DIVOC_MAX_TEXT, where);
      assert.ok(m.zip * 3 <= ZIP_MAX_BYTES, where);
      assert.ok(m.bytes * 2.5 <= ZIP_MAX_INFLATED && ZIP_MAX_INFLATED <= JSON_MAX_BYTES, where);
      assert.ok(m.ratio * 5 <= ZIP_MAX_RATIO, where);
      assert.ok(m.depth + 3 <= JSON_MAX_DEPTH, where);
      assert.ok(m.values * 4 <= JSON_MAX_VALUES, where);
      assert.ok(m.keys * 3 <= JSON_MAX_KEYS, where);
      assert.ok(m.quads * 2.5 <= 128, where);
    }
  });

  describe('the worst inputs end in deny/malformed, refused by the limit aimed at', () => {
    for (const w of worstInputs()) {
      it(`${w.name}: ${w.what} (${w.text.length} chars)`, () => {
        assert.ok(w.text.length <= 4096, 'fits scanner.maxLen');
        assert.throws(() => parseScan(w.text, sha256), new RegExp(w.error));
        const d = decideText(w.text);
        assert.deepEqual([d.decision, d.reason], [w.decision, w.reason]);
      });
    }
  });
});
