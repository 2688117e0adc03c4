// The DIVOC reader with a board's Espruino built-ins (base64 through atob/btoa, the zip's CRC-32
// through E.CRC32: hal/espruino builtins(), here the simulator's model of Espruino 2v29's) reads
// every sample, every rearranged case and every mutated text exactly as without them.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { decodeDivoc, DivocCert } from '../../../proto/divoc/verify';
import { sha256 } from '../../../firmware/crypto/sha256';
import { INDEX, sampleText, sampleJson, divocText, rearrangedCases } from '../../util/divoc';
import { mutate, simBuiltins } from '../../util/builtins';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 100;
const nat = simBuiltins();

/** Either the certificate or 'refused'; the native path's refusal must be a decoder's Error. */
function read(text: string, withBuiltins: boolean): DivocCert | string {
  try {
    return decodeDivoc(text, sha256, null, withBuiltins ? nat : null);
  } catch (e: any) {
    assert.ok(e instanceof Error && !/atob/.test(e.message), e.message);
    return 'refused';
  }
}

function same(text: string): void {
  assert.deepEqual(read(text, true), read(text, false), JSON.stringify(text.slice(0, 60)));
}

describe('divoc reader with Espruino\'s built-ins (property)', () => {
  it('every sample and rearranged case reads the same', async () => {
    for (const s of INDEX.samples) {
      const t = sampleText(s.file).slice(4);
      assert.notEqual(read(t, true), 'refused', s.file);
      same(t);
    }
    for (const c of await rearrangedCases()) same(c.text.slice(4));
  });
  it('mutated payloads: refused or read alike', () => {
    const t = sampleText('dose2').slice(4);
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.nat(), (op, at, pick) => same(mutate(t, op, at, pick))), { numRuns: RUNS });
  });
  it('JWS texts atob would read leniently: refused alike', () => {
    const j = sampleJson('dose2');
    const jws: string = j.proof.jws;
    const dot = jws.indexOf('..');
    const variants = [jws + '=', jws + '==', jws.replace('..', '..\n'), jws.slice(0, dot) + '=..' + jws.slice(dot + 2),
      jws.replace(/-/g, '+'), jws.replace(/_/g, '/'), jws.slice(0, -1), jws.slice(0, -2), jws + 'A', jws.slice(0, 5) + ' ' + jws.slice(5)];
    for (const v of variants) {
      j.proof.jws = v;
      const text = divocText(j).slice(4);
      same(text);
      if (v !== jws) assert.equal(read(text, true), 'refused', v);
    }
  });
});
