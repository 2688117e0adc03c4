// The compile-time feature flags (firmware/build-flags.ts): without defines (Node, tests, the
// universal bundle) every feature is in; bundled with esbuild defines as tools/build/boards.ts does,
// each flag and the native code digest follow them, and terser's folding drops the guarded code.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as fs from 'fs';

const GATE_JSON = path.join(__dirname, '..', 'fixtures', 'gate.json');
import * as esbuild from 'esbuild';
import { buildDefines, boardFile } from '../../tools/build/boards';
import { divocMax, builtFeatures, nativeCodeDigest, unbuiltFeature, QG_NATIVE, QG_NATIVE_EMBED, QG_JSVERIFY, QG_DIVOC, QG_WIFI, QG_LORA, QG_CROWD, QG_SCANNER_MODULE, QG_DOOR } from '../../firmware/build-flags';
import { validateConfig } from '../../firmware/config';

const FLAGS = ['NATIVE', 'NATIVE_EMBED', 'JSVERIFY', 'DIVOC', 'WIFI', 'LORA', 'CROWD', 'SCANNER_MODULE', 'DOOR'];
const ALL = ['native', 'jsverify', 'divoc', 'wifi', 'lora', 'crowd', 'scanner-module', 'door'];

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
    assert.deepEqual([QG_NATIVE, QG_NATIVE_EMBED, QG_JSVERIFY, QG_DIVOC, QG_WIFI, QG_LORA, QG_CROWD, QG_SCANNER_MODULE, QG_DOOR],
      [true, true, true, true, true, true, true, true, true]);
    assert.deepEqual(builtFeatures(), ALL);
    assert.equal(nativeCodeDigest(), '');
  });

  it('follows each define, and builtFeatures lists what is in', () => {
    const all = (v: boolean) => Object.fromEntries(FLAGS.map((f) => [`__QG_${f}__`, String(v)]));
    assert.deepEqual(bundled(all(false)).builtFeatures(), []);
    assert.deepEqual(bundled(all(true)).builtFeatures(), ALL);
    const m = bundled({ ...all(true), __QG_DIVOC__: 'false', __QG_LORA__: 'false', __QG_NATIVE_EMBED__: 'false', __QG_CROWD__: 'false', __QG_SCANNER_MODULE__: 'false' });
    assert.deepEqual(m.builtFeatures(), ['native', 'jsverify', 'wifi', 'door']);
    assert.equal(m.QG_CROWD, false);
    assert.equal(m.QG_NATIVE_EMBED, false);
    assert.equal(m.QG_DIVOC, false);
    assert.equal(m.QG_WIFI, true);
    const embed = bundled({ ...all(false), __QG_NATIVE__: 'true' });
    assert.deepEqual(embed.builtFeatures(), ['native']);
    assert.equal(embed.QG_NATIVE_EMBED, false, 'embedding is a flag of its own');
  });

  it('unbuiltFeature names the first optional feature a configuration asks for that is not built in', () => {
    const cfg = (o: any) => {
      const v = validateConfig({ ...JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')), ...o });
      assert.ok(v.config, v.error);
      return v.config!;
    };
    const plain = cfg({});
    const counting = [cfg({ capacity: { max: 10 } }), cfg({ passback: { windowS: 60 } }),
      cfg({ capacity: { exitSerial: 'Serial2', exitRx: 'A3', exitTx: 'A2' } })];
    const doors = [cfg({ door: { contact: 'board' } }), cfg({ door: { button: 'B9' } })];
    // everything built in, or nothing asked for: nothing missing
    for (const c of [plain].concat(counting, doors)) assert.equal(unbuiltFeature(c, true, true), '');
    assert.equal(unbuiltFeature(plain, false, false), '', 'the default configuration (scanner.module gm65 included) asks for none');
    for (const c of counting) {
      assert.match(unbuiltFeature(c, false, true), /^occupancy counting/);
      assert.equal(unbuiltFeature(c, true, false), '');
    }
    for (const c of doors) {
      assert.match(unbuiltFeature(c, true, false), /door contact and exit button/);
      assert.equal(unbuiltFeature(c, false, true), '');
    }
  });

  it('the JavaScript SHA-256 and inflate are in, DIVOC\'s table as literals, unless the build says otherwise', () => {
    const none = bundled({});
    assert.deepEqual([none.QG_JS_SHA256, none.QG_JS_INFLATE, none.QG_DIVOC_DATA], [true, true, false]);
    assert.deepEqual(none.divocDataOf(), { sha256: '', size: 0 });
    assert.equal(none.inflateCodeDigest(), '');
    // the WiFi's defines (tools/build/boards.ts): native SHA-256 and inflate, the table as data
    const wifi = boardFile('wifi');
    const w = bundled(buildDefines(wifi.features, '', wifi));
    assert.deepEqual([w.QG_JS_SHA256, w.QG_JS_INFLATE, w.QG_DIVOC_DATA], [false, false, true]);
    assert.match(w.divocDataOf().sha256, /^[0-9a-f]{64}$/);
    assert.ok(w.divocDataOf().size > 8000);
    assert.match(w.inflateCodeDigest(), /^[0-9a-f]{64}$/);
    // the Original hashes in JavaScript; the ESP32 inflates in JavaScript
    const o = boardFile('original'), e = boardFile('esp32');
    assert.equal(bundled(buildDefines(o.features, '', o)).QG_JS_SHA256, true);
    assert.deepEqual([bundled(buildDefines(e.features, '', e)).QG_JS_SHA256, bundled(buildDefines(e.features, '', e)).QG_JS_INFLATE], [false, true]);
    assert.throws(() => buildDefines({ ...e.features, divocData: true }, '', e), /divocData/);
  });

  it('reports the native code digest the build defines', () => {
    const digest = 'ab'.repeat(32);
    assert.equal(bundled({ __QG_NATIVE_SHA256__: JSON.stringify(digest) }).nativeCodeDigest(), digest);
  });
  it('divocMax: the board\'s DIVOC bounds from the build (boards/<name>.ts features.divocMax), 0 without them', () => {
    assert.deepEqual(divocMax(), { text: 0, inflated: 0, values: 0 });
    const pico = boardFile('pico').features;
    assert.ok(pico.divoc && pico.divocMax);
    assert.deepEqual(bundled(buildDefines(pico, '')).divocMax(), pico.divocMax);
    assert.deepEqual(bundled(buildDefines(boardFile('esp32').features, '')).divocMax(), { text: 0, inflated: 0, values: 0 });
  });
});
