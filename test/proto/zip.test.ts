// The zip entry reader (proto/zip.ts, under the DIVOC reader).
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { unzipCertificate, crc32 } from '../../proto/zip';
import { makeZip, sampleText } from '../util/divoc';
import { simBuiltins } from '../util/builtins';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 300;

describe('zip', () => {
  const json = Buffer.from('{"a":"b"}');
  it('reads the samples and DIVOC-style archives, stored or deflated', () => {
    const z = new Uint8Array(Buffer.from(sampleText('dose2').slice(4), 'base64'));
    const out = unzipCertificate(z);
    assert.equal(JSON.parse(Buffer.from(out).toString('utf8')).evidence[0].certificateId, '100000001');
    assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(json))), new Uint8Array(json));
    assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(json, { method: 0 }))), new Uint8Array(json));
    assert.deepEqual(unzipCertificate(new Uint8Array(makeZip(json, { flags: 0x0800, extra: Buffer.from([1, 0, 0, 0]) }))), new Uint8Array(json));
  });
  it('crc32 matches zlib', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => assert.equal(crc32(b), zlib.crc32(b))), { numRuns: RUNS });
  });
  it('refuses malformed archives', () => {
    const ok = makeZip(json);
    const cases: [string, Buffer][] = [
      ['other name', makeZip(json, { name: 'certificate.jso' })],
      ['other name 2', makeZip(json, { name: 'Certificate.json' })],
      ['bad crc', makeZip(json, { crc: 1 })],
      ['bad size', makeZip(json, { usize: json.length + 1 })],
      ['encrypted', makeZip(json, { flags: 1 })],
      ['data descriptor', makeZip(json, { flags: 8 })],
      ['method 12', makeZip(json, { method: 12 })],
      ['stored size mismatch', makeZip(json, { method: 0, usize: 3 })],
      ['trailing bytes', makeZip(json, { trailing: Buffer.from([0]) })],
      ['deflate leaves bytes', makeZip(json, { data: Buffer.concat([zlib.deflateRawSync(json), Buffer.from([0])]) })],
      ['too large', makeZip(Buffer.alloc(9000, 32))],
      ['not a zip', Buffer.from('{"a":1}')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [what, z] of cases) assert.throws(() => unzipCertificate(new Uint8Array(z)), Error, what);
    for (let n = 0; n < ok.length; n++) {
      assert.throws(() => unzipCertificate(new Uint8Array(ok.subarray(0, n))), Error, 'truncated at ' + n);
    }
  });
  it('every single-byte change is refused or yields the same content (property)', () => {
    const ok = makeZip(json);
    fc.assert(
      fc.property(fc.nat(ok.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const m = new Uint8Array(ok);
        m[i] ^= x;
        try {
          const out = unzipCertificate(m);
          assert.deepEqual(Buffer.from(out), json); // e.g. a version or time field
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      }),
      { numRuns: RUNS },
    );
  });

  // A board's E.CRC32 (hal/espruino builtins(); here the simulator's model of Espruino 2v29's):
  // the same archives read the same, and a wrong CRC is refused through it too.
  it('with a native CRC-32: the same answers, and the native one is what checks', () => {
    const nat = simBuiltins();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => assert.equal(nat.crc32(b), zlib.crc32(b))), { numRuns: RUNS });
    const z = new Uint8Array(Buffer.from(sampleText('dose2').slice(4), 'base64'));
    assert.deepEqual(unzipCertificate(z, undefined, null, nat.crc32), unzipCertificate(z));
    assert.throws(() => unzipCertificate(new Uint8Array(makeZip(json, { crc: 1 })), undefined, null, nat.crc32), /CRC mismatch/);
    let calls = 0;
    const wrong = (b: Uint8Array) => { calls++; return (nat.crc32(b) + 1) >>> 0; };
    assert.throws(() => unzipCertificate(z, undefined, null, wrong), /CRC mismatch/);
    assert.equal(calls, 1);
  });
});
