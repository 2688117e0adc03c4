// The compile-time feature flags (firmware/build-flags.ts): without defines (Node, tests, the
// universal bundle) every feature is in; bundled with esbuild defines as tools/build/boards.ts does,
// each flag and the native code digest follow them, and terser's folding drops the guarded code.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { builtFeatures, nativeCodeDigest, QG_NATIVE, QG_NATIVE_EMBED, QG_JSVERIFY, QG_DIVOC, QG_WIFI, QG_LORA } from '../../firmware/build-flags';

const FLAGS = ['NATIVE', 'NATIVE_EMBED', 'JSVERIFY', 'DIVOC', 'WIFI', 'LORA'];

/** build-flags.ts bundled with the given defines, evaluated: its exports. */
function bundled(define: { [name: string]: string }): any {
  const r = esbuild.buildSync({
    entryPoints: [path.join(__dirname, '..', '..', 'firmware', 'build-flags.ts')],
    bundle: true, write: false, format: 'cjs', platform: 'neutral', define, logLevel: 'silent',
  });
  const mod = { exports: {} as any };
  new Function('module', 'exports', r.outputFiles[0].text)(mod, mod.exports);
  return mod.exports;
}

describe('firmware/build-flags', () => {
  it('without defines every feature is in, and no native code digest', () => {
    assert.deepEqual([QG_NATIVE, QG_NATIVE_EMBED, QG_JSVERIFY, QG_DIVOC, QG_WIFI, QG_LORA], [true, true, true, true, true, true]);
    assert.deepEqual(builtFeatures(), ['native', 'jsverify', 'divoc', 'wifi', 'lora']);
    assert.equal(nativeCodeDigest(), '');
  });

  it('follows each define, and builtFeatures lists what is in', () => {
    const all = (v: boolean) => Object.fromEntries(FLAGS.map((f) => [`__QG_${f}__`, String(v)]));
    assert.deepEqual(bundled(all(false)).builtFeatures(), []);
    assert.deepEqual(bundled(all(true)).builtFeatures(), ['native', 'jsverify', 'divoc', 'wifi', 'lora']);
    const m = bundled({ ...all(true), __QG_DIVOC__: 'false', __QG_LORA__: 'false', __QG_NATIVE_EMBED__: 'false' });
    assert.deepEqual(m.builtFeatures(), ['native', 'jsverify', 'wifi']);
    assert.equal(m.QG_NATIVE_EMBED, false);
    assert.equal(m.QG_DIVOC, false);
    assert.equal(m.QG_WIFI, true);
    const embed = bundled({ ...all(false), __QG_NATIVE__: 'true' });
    assert.deepEqual(embed.builtFeatures(), ['native']);
    assert.equal(embed.QG_NATIVE_EMBED, false, 'embedding is a flag of its own');
  });

  it('reports the native code digest the build defines', () => {
    const digest = 'ab'.repeat(32);
    assert.equal(bundled({ __QG_NATIVE_SHA256__: JSON.stringify(digest) }).nativeCodeDigest(), digest);
  });
});
