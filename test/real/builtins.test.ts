// Espruino's atob, btoa and E.CRC32 on the REAL interpreter (ESPRUINO=/path/to/espruino) against
// the simulator's model of them (sim/espruino/builtins.ts), and the gate's decoders through them
// (proto/base64.ts, proto/zip.ts with hal/espruino/builtins.ts, bundled as the gate's are) against
// the TypeScript reference on the same interpreter and in Node: a batch of random and mutated
// base64 texts (test/util/builtins.ts) and random byte strings. (DIVOC decisions through the whole
// bundle, with the built-ins, on the real interpreter and in the simulator: bundles.test.ts.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { REPO } from '../util/shared';
import { onInterpreter, hostFiles, seedAndRun, bundleProgram } from './interp';
import { base64Junk, base64Text } from '../util/builtins';
import { base64Decode, base64UrlDecode } from '../../proto/base64';
import { crc32 } from '../../proto/zip';
import { ATOB_UNDERFLOW, espruinoAtob, espruinoBtoa, espruinoCrc32 } from '../../sim/espruino/builtins';
import { sampleText, sampleJson } from '../util/divoc';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to run Espruino\'s built-ins on the real interpreter';
const CASES = Number(process.env.QG_BUILTIN_CASES || 0) || 1500; // random and mutated texts (and as many short ones)

/** The program: each line of qg.cases is `s|u|c HEX`; prints one `@r` line per case, then `@done`. */
const ENTRY = (tsc: string) => `
import { base64Decode, base64UrlDecode, base64DecodeNative, base64UrlDecodeNative } from ${JSON.stringify(tsc + '/proto/base64.js')};
import { crc32 } from ${JSON.stringify(tsc + '/proto/zip.js')};
import { fromHex, hexOf, bytesToByteString } from ${JSON.stringify(tsc + '/proto/bytes.js')};
import { builtins } from ${JSON.stringify(tsc + '/hal/espruino/builtins.js')};
var nat = builtins();
function run(f) { try { return hexOf(f()); } catch (e) { return 'E'; } }
var lines = require('Storage').read('qg.cases').split('\\n');
var n = 0;
for (var i = 0; i < lines.length; i++) {
  var k = lines[i].charAt(0), raw = lines[i].charAt(1) === '!';
  if (k !== 's' && k !== 'u' && k !== 'c') continue;
  var b = fromHex(lines[i].substr(3));
  var s = bytesToByteString(b);
  if (k === 'c') {
    print('@r ' + n + ' ' + nat.crc32(b) + ' ' + crc32(b) + ' ' + btoa(s));
  } else {
    var dec = k === 's' ? base64Decode : base64UrlDecode, ndec = k === 's' ? base64DecodeNative : base64UrlDecodeNative;
    print('@r ' + n + ' ' + run(function () { return ndec(s, nat); }) + ' ' + run(function () { return dec(s); }) + ' ' +
      (raw ? hexOf(E.toUint8Array(atob(s))) : '-'));
  }
  n++;
}
print('@done ' + n + ' ' + (nat ? 'builtins' : 'none'));
`;

interface Case { kind: 's' | 'u' | 'c'; text: Buffer; raw: boolean }

function cases(): Case[] {
  const out: Case[] = [];
  const text = (kind: 's' | 'u', t: string) => {
    const b = Buffer.from(t, 'latin1');
    let raw = true;
    try { espruinoAtob(new Uint8Array(b)); } catch (e: any) { assert.equal(e.message, ATOB_UNDERFLOW); raw = false; }
    out.push({ kind, text: b, raw });
  };
  for (const c of fc.sample(base64Text(), { numRuns: CASES, seed: 12 })) text(c.url ? 'u' : 's', c.text);
  for (const s of fc.sample(base64Junk(), { numRuns: CASES, seed: 13 })) { text('s', s); text('u', s); }
  for (const s of ['', '=', '  ==', 'A===', 'AA=A', 'QUJD=', 'QU=JD', 'Q\0UJD', 'QUJ\nD', 'Zm9v\r\n', 'QU-_JD', '\x80\xffAA']) { text('s', s); text('u', s); }
  text('s', sampleText('dose2').slice(4));
  const jws: string = sampleJson('dose2').proof.jws;
  for (const p of jws.split('..')) text('u', p);
  for (const b of fc.sample(fc.uint8Array({ maxLength: 300 }), { numRuns: 200, seed: 14 })) out.push({ kind: 'c', text: Buffer.from(b), raw: true });
  return out;
}

function ref(kind: 's' | 'u', t: Buffer): string {
  try { return Buffer.from((kind === 's' ? base64Decode : base64UrlDecode)(t.toString('latin1'))).toString('hex'); } catch (e) { return 'E'; }
}

describe('espruino: atob, btoa, E.CRC32 and the decoders through them', function () {
  this.timeout(20 * 60 * 1000);
  const all = cases();
  let out = '';

  onInterpreter('qg-builtins-', SKIP_MSG, async (bin, work) => {
    const prog = bundleProgram(work, ENTRY);
    const lines = all.map((c) => `${c.kind}${c.raw ? '!' : ' '} ${c.text.toString('hex')}`).join('\n') + '\n';
    const files = hostFiles(work, { 'qg.cases': new Uint8Array(Buffer.from(lines, 'latin1')) });
    out = await seedAndRun(bin, path.join(work, 'run'), files, prog, /@done [^\n]*\n/, 15 * 60 * 1000);
  });

  it('has the built-ins and ran every case', () => {
    assert.match(out, new RegExp(`@done ${all.length} builtins`), out.slice(-2000));
  });
  it('atob and btoa give what the simulator\'s model gives; E.CRC32 what zlib and the model give', () => {
    const rs = out.split('\n').filter((l) => l.startsWith('@r ')).map((l) => l.split(' '));
    assert.equal(rs.length, all.length);
    let raws = 0;
    all.forEach((c, i) => {
      const r = rs[i];
      if (c.kind === 'c') {
        assert.equal(+r[2], espruinoCrc32(new Uint8Array(c.text)), `crc ${i}`);
        assert.equal(r[4], espruinoBtoa(new Uint8Array(c.text)), `btoa ${i}`);
      } else if (c.raw) {
        raws++;
        assert.equal(r[4], Buffer.from(espruinoAtob(new Uint8Array(c.text))).toString('hex'), `atob ${JSON.stringify(c.text.toString('latin1'))}`);
      }
    });
    assert.ok(raws > all.length / 2);
  });
  it('the decoders through them accept and refuse as the reference, with the same bytes', () => {
    const rs = out.split('\n').filter((l) => l.startsWith('@r ')).map((l) => l.split(' '));
    let accepted = 0;
    all.forEach((c, i) => {
      const r = rs[i];
      if (c.kind === 'c') {
        assert.equal(+r[2], crc32(new Uint8Array(c.text)), `crc ${i}`);
        assert.equal(r[3], r[2]);
        return;
      }
      const want = ref(c.kind, c.text);
      const what = `${c.kind} ${JSON.stringify(c.text.toString('latin1'))}`;
      assert.equal(r[3], want, 'reference on the interpreter: ' + what);
      assert.equal(r[2] === '' ? '' : r[2], want, 'through the built-ins: ' + what);
      if (want !== 'E') accepted++;
    });
    assert.ok(accepted > 100, `${accepted} accepted`);
  });
});
