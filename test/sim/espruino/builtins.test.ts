// The simulator's atob, btoa, E.CRC32 and JSON.stringify (sim/espruino/builtins.ts) against what Espruino 2v29's
// Linux build printed for the same calls (atob's leniency: whitespace and unknown chars skipped,
// its output sized from the char count and the trailing '='), against Node for canonical text,
// and absent from a sandbox whose firmware is built with SAVE_ON_FLASH.
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { ATOB_UNDERFLOW, espruinoAtob, espruinoBtoa, espruinoCrc32, espruinoJsonStringify } from '../../../sim/espruino/builtins';
import { bytesOf, byteString } from '../../../sim/flash';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard } from '../../../sim/board';
import { runScenario } from '../../../sim/scenario';
import { REPO } from '../../util/shared';
import { INDEX, sampleText } from '../../util/divoc';

const FX = path.join(REPO, 'test', 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../../fixtures/certs.json');

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 300;
const atob = (s: string) => byteString(espruinoAtob(bytesOf(s)));

describe('sim: Espruino\'s atob, btoa, E.CRC32', () => {
  it('atob as the real interpreter answers (seen on 2v29)', () => {
    const seen: [string, string][] = [
      ['A===', '\0'], ['AA=', '\0'], [' AA== ', '\0'], ['A!B@C#D$', '\0\0\b\0\0\0'], ['AA=A', '\0\0'], ['QUJD=', 'AB'],
      ['QU=JD', 'A@\t'], ['\x80\xffAA', '\0\0\0'], ['AAAAA', '\0\0\0'], ['', ''], ['AP+AyAE=', '\x00\xff\x80\xc8\x01'],
      ['Q\0UJD', '@\x05\t'], ['QUJ\nD', 'ABC'], ['Zm9v\r\n', 'foo'], ['QU-_JD', 'A$\0\0'],
    ];
    for (const [s, want] of seen) assert.equal(atob(s), want, JSON.stringify(s));
    for (const s of ['=', '==', '  ==', ' =\n']) assert.throws(() => atob(s), new RegExp(ATOB_UNDERFLOW.slice(0, 20)), JSON.stringify(s));
  });
  it('atob and btoa agree with Node on canonical base64; E.CRC32 with zlib', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
      const s = Buffer.from(b).toString('base64');
      assert.equal(espruinoBtoa(b), s);
      assert.deepEqual(espruinoAtob(bytesOf(s)), b);
      assert.equal(espruinoCrc32(b), zlib.crc32(b));
    }), { numRuns: RUNS });
  });
  it('are there on every board, and absent with saveOnFlash', async () => {
    for (const saveOnFlash of [false, true]) {
      const lines: string[] = [];
      const board = new SimBoard({ board: 'pico', saveOnFlash, onConsoleLine: (l) => lines.push(l) });
      board.boot('print(typeof atob, typeof btoa, typeof E.CRC32)');
      assert.match(lines.join('\n'), saveOnFlash ? /undefined undefined undefined/ : /function function function/);
    }
  });
});

describe('sim: Espruino\'s JSON.stringify', () => {
  it('as the real interpreter writes it (seen on 2v29): upper-case \\uXXXX from 0x7f up and for controls, no __proto__/constructor', () => {
    const seen: [any, string][] = [
      ['\xe9', '"\\u00E9"'], ['\x01', '"\\u0001"'], ['\x7f', '"\\u007F"'], ['\v', '"\\u000B"'], ['\u20ac', '"\\u20AC"'],
      ['\b\f\n\r\t"\\', '"\\b\\f\\n\\r\\t\\"\\\\"'], ['a/b', '"a/b"'], ['\\u0041', '"\\\\u0041"'],
      [JSON.parse('{"__proto__":{"x":1},"b":2}'), '{"b":2}'], [JSON.parse('{"constructor":1}'), '{}'], [{ '\xffx': 1, a: [1, 'b'] }, '{"a":[1,"b"]}'],
      [{ prototype: 1, toString: 2, length: 4 }, '{"prototype":1,"toString":2,"length":4}'], [[null, true, -2147483648, 1234567890123456], '[null,true,-2147483648,1234567890123456]'],
      ['\ud83d\ude00', '"\\uD83D\\uDE00"'],
    ];
    for (const [v, want] of seen) assert.equal(espruinoJsonStringify(v), want, JSON.stringify(v));
    assert.equal(espruinoJsonStringify(undefined), undefined);
  });
  it('is Node\'s on printable ASCII without __proto__/constructor (property); the sandbox\'s JSON.stringify', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const s = JSON.stringify(v);
      if (!/^[ -~]*$/.test(s) || /\\u|"(__proto__|constructor)":/.test(s)) return;
      assert.equal(espruinoJsonStringify(v), s);
    }), { numRuns: RUNS });
    const lines: string[] = [];
    const board = new SimBoard({ board: 'pico', onConsoleLine: (l) => lines.push(l) });
    board.boot('print(JSON.stringify({a:"\\xe9\\x01", constructor: 1, b: [1]}))');
    assert.match(lines.join('\n'), /\{"a":"\\u00E9\\u0001","b":\[1\]\}/);
  });
});

// The gate's bundle in the simulator decides every DIVOC sample and rearranged case the same with
// Espruino's built-ins (every board's 2v29 firmware) and without them (a SAVE_ON_FLASH firmware).
describe('sim: DIVOC decisions with and without Espruino\'s built-ins', function () {
  this.timeout(10 * 60 * 1000);
  it('the same decisions, every one with a signature checked', async function () {
    const bundle = path.join(REPO, 'dist', 'gate.js');
    if (!fs.existsSync(bundle)) { console.log('      skipped: no dist/gate.js (make build)'); this.skip(); }
    const texts = INDEX.samples.map((s: any) => sampleText(s.file));
    const steps: any[] = [{ wait: 2000 }];
    for (const t of texts) steps.push({ scanRaw: Buffer.from(Buffer.from(t, 'utf8').toString('latin1') + '\r', 'latin1').toString('hex') }, { wait: 3000 });
    const run = async (saveOnFlash: boolean) => {
      const r = await runScenario({ board: 'linux', clock: '2022-08-01T08:00:00Z', config: path.join(FX, CERTS.config), trust: path.join(FX, CERTS.trust), steps },
        { bundle, saveOnFlash });
      return r.events.filter((e) => e.event === 'decision').map((e: any) => [e.decision, e.reason, e.format, e.kid, e.cti].join(' '));
    };
    const withB = await run(false);
    const without = await run(true);
    assert.equal(withB.length, texts.length);
    assert.deepEqual(withB, without);
    for (const d of withB) assert.match(d, / divoc /);
  });
});
