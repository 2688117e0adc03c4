// Node-side regression tests for Espruino behaviours that broke device code on the real interpreter
// (test/real/conformance.test.ts finds them there). Each quirk is emulated in Node as Espruino's
// source does it, checked against values seen on the interpreter, and the device code is run under
// the emulation.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { indexOfText } from '../../proto/bytes';
import { decodeDivoc } from '../../proto/divoc/verify';
import { DIVOC_RESERVED } from '../../proto/divoc/table.generated';
import { sha256 } from '../../firmware/crypto/sha256';
import { INDEX, sampleText } from '../util/divoc';
import { fixtures, decideFixture } from '../firmware/fixtures';
import { toByteString, storage } from '../../hal/espruino/index';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOIST_CASES } from '../util/hoisting-cases';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;

/**
 * String.prototype.indexOf of Espruino 2v29 (src/jswrap_string.c, jswrap_string_indexOf without
 * SAVE_ON_FLASH): from each start index to the end of the string it compares with
 * jsvCompareStringIt(..., equalAtEndOfString=true), so running off the end of `this` counts as a
 * match: 'abc'.indexOf('cd') is 2.
 */
function espruinoIndexOf(this: string, substring: unknown, fromIndex?: unknown): number {
  const s = String(this);
  const sub = String(substring);
  if (sub.length > s.length) return -1;
  const end = s.length - sub.length + 1;
  let idx = 0;
  if (typeof fromIndex === 'number') idx = Math.min(Math.max(Math.trunc(fromIndex), 0), end);
  for (; idx < s.length; idx++) {
    let k = 0;
    while (idx + k < s.length && k < sub.length && s.charCodeAt(idx + k) === sub.charCodeAt(k)) k++;
    if (k === sub.length || idx + k === s.length) return idx;
  }
  return -1;
}

/** Run fn with String.prototype.indexOf behaving as on Espruino. */
function withEspruinoIndexOf<T>(fn: () => T): T {
  const orig = String.prototype.indexOf;
  (String.prototype as any).indexOf = espruinoIndexOf;
  try {
    return fn();
  } finally {
    (String.prototype as any).indexOf = orig;
  }
}

describe('espruino quirk: String.prototype.indexOf matches past the end of the string', () => {
  it('the emulation gives what the Linux build printed', () => {
    // `print('|a|b|'.indexOf('|c|'), 'abc'.indexOf('cd'), 'abc'.indexOf('bcd'), 'abcab'.indexOf('abx'),
    //  'abc'.indexOf('cd', 1), 'a.b.'.indexOf('..'))` printed `4 2 1 3 2 3` on 2v29.277.
    const got = withEspruinoIndexOf(() => ['|a|b|'.indexOf('|c|'), 'abc'.indexOf('cd'), 'abc'.indexOf('bcd'),
      'abcab'.indexOf('abx'), 'abc'.indexOf('cd', 1), 'a.b.'.indexOf('..')]);
    assert.deepEqual(got, [4, 2, 1, 3, 2, 3]);
    // the trap the DIVOC reader fell into: every scheme "was" a reserved prefix
    assert.equal(withEspruinoIndexOf(() => DIVOC_RESERVED.indexOf('|did|')), DIVOC_RESERVED.length - 1);
  });

  it('property: indexOfText under the emulation equals the standard indexOf', () => {
    const str = fc.string({ unit: fc.constantFrom('a', 'b', '|', '.'), maxLength: 12 });
    fc.assert(fc.property(str, str, fc.option(fc.nat(14), { nil: undefined }), (s, n, from) => {
      const want = from === undefined ? s.indexOf(n) : s.indexOf(n, from);
      // an empty needle in an empty string is the only other difference (-1 there): never used
      if (n.length === 0) return;
      assert.equal(withEspruinoIndexOf(() => indexOfText(s, n, from)), want);
    }), { numRuns: RUNS });
  });

  it('the DIVOC samples decode the same under the emulation', () => {
    for (const s of INDEX.samples) {
      const text = Buffer.from(sampleText(s.file), 'utf8').toString('latin1').substring(4);
      const a = decodeDivoc(text, sha256);
      const b = withEspruinoIndexOf(() => decodeDivoc(text, sha256));
      assert.deepEqual(b, a, s.file);
    }
  });

  it('every fixture certificate gets the same decision under the emulation', function () {
    this.timeout(120000);
    // the signature-free ones and the DIVOC ones (verification itself does not use strings)
    for (const name of Object.keys(fixtures.certs)) {
      const c = fixtures.certs[name];
      if (c.format !== 'divoc' && c.reason !== 'malformed' && c.reason !== 'unsupported' && c.reason !== 'unknown-key') continue;
      const d = withEspruinoIndexOf(() => decideFixture(name));
      assert.equal(d.reason, c.reason, name);
      assert.equal(d.decision, c.decision, name);
    }
  });
});

/**
 * Uint8Array.prototype.subarray of Espruino 2v29: a negative begin/end counts from the end, but an
 * end past the length is NOT clamped: the view runs on past the array, reading zeros.
 * (`new Uint8Array([1,2,3]).subarray(1,10)` printed `[2,3,0,0,0,0,0,0,0]` on the Linux build.)
 * Emulated with a copy, which is enough for code that only reads the view.
 */
function espruinoSubarray(this: Uint8Array, begin?: number, end?: number): Uint8Array {
  const len = this.length;
  let b = begin === undefined ? 0 : begin < 0 ? begin + len : begin;
  let e = end === undefined ? len : end < 0 ? end + len : end;
  if (b < 0) b = 0;
  if (b > len) b = len;
  if (e < b) e = b;
  const out = new Uint8Array(e - b);
  for (let i = b; i < e && i < len; i++) out[i - b] = this[i];
  return out;
}

function withEspruinoSubarray<T>(fn: () => T): T {
  const orig = Uint8Array.prototype.subarray;
  (Uint8Array.prototype as any).subarray = espruinoSubarray;
  try {
    return fn();
  } finally {
    (Uint8Array.prototype as any).subarray = orig;
  }
}

describe('espruino quirk: Uint8Array subarray does not clamp its end', () => {
  it('the emulation gives what the Linux build printed', () => {
    const a = new Uint8Array([1, 2, 3]);
    const got = withEspruinoSubarray(() => [Array.from(a.subarray(1, 10)), a.subarray(-2).length, a.subarray(2, 1).length, a.subarray(5).length]);
    assert.deepEqual(got, [[2, 3, 0, 0, 0, 0, 0, 0, 0], 2, 0, 0]);
  });

  it('hal/espruino toByteString keeps the length (Storage files were padded to 256 bytes)', () => {
    for (const n of [0, 1, 255, 256, 257, 10032]) {
      const b = new Uint8Array(n).map((_v, i) => (i * 7 + 1) & 255);
      const s = withEspruinoSubarray(() => toByteString(b));
      assert.equal(s.length, n);
      assert.equal(s, Buffer.from(b).toString('latin1'));
    }
  });

  it('hal/espruino storage().write hands Storage exactly the bytes', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const Module = require('module');
    const files: { [k: string]: string } = {};
    const fake = { write: (name: string, data: string) => { files[name] = data; } };
    const load = Module._load;
    Module._load = function (req: string, ...rest: any[]) { return req === 'Storage' ? fake : load.call(this, req, ...rest); };
    try {
      const table = new Uint8Array(10032).map((_v, i) => i & 255);
      withEspruinoSubarray(() => storage().write('qg.tb', table));
    } finally {
      Module._load = load;
    }
    assert.equal(files['qg.tb'].length, 10032);
  });
});

/** Runs `script` (a file in a fresh directory) on the interpreter until it exits or `stop` matches. */
function runOnInterpreter(script: string, stop: RegExp, timeoutMs: number): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { spawn } = require('child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-quirk-'));
  fs.writeFileSync(path.join(dir, 'q.js'), script);
  return new Promise((resolve) => {
    const child = spawn(path.resolve(process.env.ESPRUINO as string), ['q.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => { out += d; if (stop.test(out)) child.kill('SIGKILL'); };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => { out += '\n@timeout\n'; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', () => { clearTimeout(timer); fs.rmSync(dir, { recursive: true, force: true }); resolve(out.replace(/\r/g, '')); });
  });
}

describe('espruino quirk: a function\'s var exists only once its statement has run (no hoisting)', function () {
  this.timeout(120000);
  it('the interpreter prints what test/util/hoisting-cases.ts records (the simulator must print the same)', async function () {
    if (!process.env.ESPRUINO) {
      console.log('      skipped: set ESPRUINO=/path/to/espruino to run on the real interpreter');
      this.skip();
    }
    const script = HOIST_CASES.map((c) => `try{${c.code}}catch(e){print("ERR "+e.message)}`).join('\n') + '\nprint("@end");\n';
    const out = await runOnInterpreter(script, /@end/, 60000);
    const lines = out.split('\n').filter((l) => /^[[{"]|^ERR /.test(l.replace(/^>/, ''))).map((l) => l.replace(/^>/, ''));
    assert.deepEqual(lines.map((l) => JSON.parse(l)), HOIST_CASES.map((c) => c.want), out.slice(-2000));
  });
});
