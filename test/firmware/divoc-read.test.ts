// DIVOC's reading as the gate runs it (firmware/divoc-read.ts): with the interpreter's built-ins
// (hal/espruino builtins(): atob, btoa, E.toUint8Array, E.CRC32, here Espruino 2v29's as the
// simulator models them, sim/espruino/builtins.ts) they are used and read every sample as the
// TypeScript does; without them (Node, an Espruino built with SAVE_ON_FLASH) the TypeScript runs.
import { strict as assert } from 'assert';
import { readDivoc } from '../../firmware/divoc-read';
import { decodeDivoc } from '../../proto/divoc/verify';
import { sha256 } from '../../firmware/crypto/sha256';
import { builtins } from '../../hal/espruino/builtins';
import { INDEX, sampleText } from '../util/divoc';
import { withBuiltins } from '../util/builtins';

describe('firmware/divoc-read', () => {
  it('in Node (no E): no built-ins, the TypeScript reads', () => {
    assert.equal(builtins(), null);
    const t = sampleText('dose2').slice(4);
    assert.deepEqual(readDivoc(t, sha256), decodeDivoc(t, sha256));
  });
  it('with the built-ins: they are used, and every sample reads as without them', () => {
    for (const s of INDEX.samples) {
      const t = sampleText(s.file).slice(4);
      const calls: { [k: string]: number } = {};
      const got = withBuiltins(calls, null, () => readDivoc(t, sha256));
      assert.deepEqual(got, decodeDivoc(t, sha256), s.file);
      assert.ok(calls.atob >= 3 && calls.btoa >= 3 && calls.toUint8Array >= 3 && calls.CRC32 === 1, JSON.stringify(calls));
      // the certificate and the JWS header read natively (proto/jsonnative.ts: E.toString, JSON.parse
      // and the round trip's JSON.stringify); the context table's frames are JSON.parse'd too
      // (proto/divoc/nquads.ts: standard JavaScript, on every build), hence parse >= 2
      assert.ok(calls.text === 2 && calls.parse >= 2 && calls.stringify === 2, JSON.stringify(calls));
    }
  });
  it('a firmware without any one of them (SAVE_ON_FLASH): none is used', () => {
    const t = sampleText('dose2').slice(4);
    for (const w of ['atob', 'btoa', 'CRC32', 'toUint8Array']) {
      const calls: { [k: string]: number } = {};
      assert.deepEqual(withBuiltins(calls, w, () => readDivoc(t, sha256)), decodeDivoc(t, sha256), w);
      // (JSON.parse reads the context table's frames on every build: proto/divoc/nquads.ts)
      assert.ok(calls.parse >= 1, w);
      delete calls.parse;
      assert.deepEqual(calls, {}, w);
    }
  });
});
