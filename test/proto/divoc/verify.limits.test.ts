// A board's own bounds on a DIVOC text (decodeDivoc's `max`: boards/<name>.ts features.divocMax,
// firmware/build-flags.ts divocMax): the real certificates pass the Pico's; past one, a text is
// refused before the memory that bound guards is spent (the text before base64, the inflated size
// from the zip's headers before inflating, the JSON values while parsing, before any statement).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import { decodeDivoc, DivocLimits } from '../../../proto/divoc/verify';
import { sha256 } from '../../../firmware/crypto/sha256';
import { PICO } from '../../../boards/pico';
import { INDEX, sampleText, makeZip } from '../../util/divoc';
import { worstWithin } from '../../util/worst-inputs';
import { simBuiltins } from '../../util/builtins';

const PICO_MAX = PICO.features.divocMax as DivocLimits;
const payload = (text: string) => text.slice(4);
const err = (f: () => unknown): string => {
  try { f(); } catch (e: any) { return String(e.message); }
  return '';
};

describe('decodeDivoc: a board\'s own bounds (the Pico\'s)', () => {
  it('the Pico has bounds under the global limits, over the real certificates', () => {
    assert.ok(PICO_MAX && PICO_MAX.text < 4096 && PICO_MAX.inflated < 4096 && PICO_MAX.values < 256);
    for (const s of INDEX.samples) {
      const t = payload(sampleText(s.file));
      assert.ok(t.length <= PICO_MAX.text, s.file);
    }
  });

  for (const s of INDEX.samples) {
    it(`${s.file}: decoded within the Pico's bounds exactly as without them`, () => {
      const t = payload(sampleText(s.file));
      assert.deepEqual(decodeDivoc(t, sha256, null, null, PICO_MAX), decodeDivoc(t, sha256));
    });
  }

  it('the largest document within the values bound is decoded; one value more is refused while parsing', () => {
    const at = worstWithin(PICO_MAX)[0].text;
    assert.doesNotThrow(() => decodeDivoc(payload(at), sha256, null, null, PICO_MAX));
    const over = worstWithin({ ...PICO_MAX, values: PICO_MAX.values + 1 })[0].text;
    assert.match(err(() => decodeDivoc(payload(over), sha256, null, null, PICO_MAX)), /^json: too many values/);
    assert.doesNotThrow(() => decodeDivoc(payload(over), sha256)); // the global limit lets it through
  });

  it('with the built-ins (JSON.parse) the values bound holds too, and an over-bound text never reaches JSON.parse', () => {
    const at = payload(worstWithin(PICO_MAX)[0].text);
    const over = payload(worstWithin({ ...PICO_MAX, values: PICO_MAX.values + 1 })[0].text);
    const nat = simBuiltins();
    let parsed = 0;
    const parse = nat.parse;
    nat.parse = (t) => { parsed++; return parse(t); };
    assert.deepEqual(decodeDivoc(at, sha256, null, nat, PICO_MAX), decodeDivoc(at, sha256, null, null, PICO_MAX));
    assert.equal(parsed, 2, 'the document and the JWS header through JSON.parse');
    parsed = 0;
    assert.match(err(() => decodeDivoc(over, sha256, null, nat, PICO_MAX)), /^json: too many values/);
    assert.equal(parsed, 0);
  });

  it('a text over the bound is refused before base64', () => {
    const t = 'A'.repeat(PICO_MAX.text + 4); // (whole base64 groups)
    assert.equal(err(() => decodeDivoc(t, sha256, null, null, PICO_MAX)), 'divoc: too long');
    assert.notEqual(err(() => decodeDivoc(t, sha256)), 'divoc: too long');
  });

  it('an entry declared over the inflated bound is refused from the zip headers: the inflate never runs', () => {
    // (hex of a hash chain: compresses about 2:1, within the zip's ratio limit)
    let hex = '', h = Buffer.from('qg');
    while (hex.length < PICO_MAX.inflated) { h = crypto.createHash('sha256').update(h).digest(); hex += h.toString('hex'); }
    const json = Buffer.from('{"a":"' + hex + '"}');
    const t = makeZip(json).toString('base64');
    assert.ok(t.length <= PICO_MAX.text);
    let calls = 0;
    const inflate = () => { calls++; return null; };
    assert.equal(err(() => decodeDivoc(t, sha256, inflate, null, PICO_MAX)), 'zip: entry too large');
    assert.equal(calls, 0);
    assert.equal(err(() => decodeDivoc(t, sha256, inflate)), 'divoc: proof missing'); // (inflated and parsed)
    assert.equal(calls, 1);
  });

  it('bounds of 0 are the global limits', () => {
    const t = payload(worstWithin({ ...PICO_MAX, values: PICO_MAX.values + 1 })[0].text);
    assert.deepEqual(decodeDivoc(t, sha256, null, null, { text: 0, inflated: 0, values: 0 }), decodeDivoc(t, sha256));
  });
});
