// DIVOC's reading as the gate runs it (firmware/divoc-read.ts): with the interpreter's built-ins
// (hal/espruino builtins(): atob, btoa, E.toUint8Array, E.CRC32, here Espruino 2v29's as the
// simulator models them, sim/espruino/builtins.ts) they are used and read every sample as the
// TypeScript does; without them (Node, an Espruino built with SAVE_ON_FLASH) the TypeScript runs.
import { strict as assert } from 'assert';
import { readDivoc } from '../../firmware/divoc-read';
import { decodeDivoc } from '../../proto/divoc/verify';
import { sha256 } from '../../firmware/crypto/sha256';
import { builtins } from '../../hal/espruino/index';
import { INDEX, sampleText } from '../util/divoc';
import { espruinoAtob, espruinoBtoa, espruinoCrc32 } from '../../sim/espruino/builtins';
import { bytesOf, byteString } from '../../sim/flash';

/** Runs fn with Espruino's built-ins as globals (each counted); `without` leaves one of them out. */
function withBuiltins<T>(calls: { [k: string]: number }, without: string | null, fn: () => T): T {
  const g = globalThis as any;
  const old = { E: g.E, atob: g.atob, btoa: g.btoa, hadE: 'E' in g };
  const count = (k: string, f: (...a: any[]) => any) => (...a: any[]) => { calls[k] = (calls[k] || 0) + 1; return f(...a); };
  const E: any = {
    CRC32: count('CRC32', (b: Uint8Array) => espruinoCrc32(b)),
    toUint8Array: count('toUint8Array', (s: string) => bytesOf(s)),
  };
  g.atob = count('atob', (s: string) => byteString(espruinoAtob(bytesOf(s))));
  g.btoa = count('btoa', (s: string) => espruinoBtoa(bytesOf(s)));
  if (without === 'atob' || without === 'btoa') g[without] = undefined;
  else if (without) delete E[without];
  g.E = E;
  try { return fn(); } finally { g.atob = old.atob; g.btoa = old.btoa; if (old.hadE) g.E = old.E; else delete g.E; }
}

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
    }
  });
  it('a firmware without any one of them (SAVE_ON_FLASH): none is used', () => {
    const t = sampleText('dose2').slice(4);
    for (const w of ['atob', 'btoa', 'CRC32', 'toUint8Array']) {
      const calls: { [k: string]: number } = {};
      assert.equal(withBuiltins(calls, w, () => builtins()), null, w);
      assert.deepEqual(withBuiltins(calls, w, () => readDivoc(t, sha256)), decodeDivoc(t, sha256), w);
      assert.deepEqual(calls, {}, w);
    }
  });
});
