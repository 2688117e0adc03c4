// proto/error.ts: errors without a stack trace for the decoders of unsigned input. On the host:
// instanceof Error, the message, `Error: message` as text, no stack. On the real interpreter
// (ESPRUINO set): an error made 31 calls deep costs a few variables, where `new Error` writes a
// stack trace of hundreds (the reason the decoders use it).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { qgError } from '../../proto/error';
import { parseJsonBytes } from '../../proto/json';
import { onInterpreter, runEspruino } from '../real/interp';

describe('proto/error: qgError', () => {
  it('is an Error with its message and no stack trace', () => {
    const e = qgError('json: too deep at 8');
    assert.ok(e instanceof Error);
    assert.equal(e.message, 'json: too deep at 8');
    assert.equal(String(e), 'Error: json: too deep at 8');
    assert.equal((e as any).stack, undefined);
    assert.throws(() => { throw e; }, /json: too deep/);
  });

  it('is what a decoder of unsigned input throws (the JSON parser refusing depth)', () => {
    const deep = new Uint8Array(Buffer.from('['.repeat(64) + ']'.repeat(64)));
    let got: any = null;
    try { parseJsonBytes(deep); } catch (e) { got = e; }
    assert.ok(got instanceof Error);
    assert.match(got.message, /^json: too deep/);
    assert.equal(got.stack, undefined);
  });

  describe('on the real interpreter', function () {
    this.timeout(60000);
    let out = '';
    onInterpreter('qg-error-', '      skipped: set ESPRUINO=/path/to/espruino to measure the errors on the real interpreter', async (bin, work) => {
      // proto/error.ts as the device bundle has it (tsc's ES5 output of the one function).
      const src = fs.readFileSync(path.join(__dirname, '..', '..', 'proto', 'error.ts'), 'utf8');
      assert.match(src, /Object\.create\(Error\.prototype\)/);
      fs.writeFileSync(path.join(work, 'e.js'), `
function qgError(m) { var e = Object.create(Error.prototype); e.message = m; return e; }
function f(n, mk) { if (n === 0) { var m0 = process.memory().usage; var e = mk(); var m1 = process.memory().usage; return m1 - m0; } return f(n - 1, mk); }
print('@cost ' + f(31, function () { return new Error('json: too deep at 8'); }) + ' ' + f(31, function () { return qgError('json: too deep at 8'); }) + ' ' + (qgError('x') instanceof Error) + ' ' + String(qgError('x')));
`);
      out = await runEspruino(bin, work, 'e.js', /@cost [^\n]*\n/, 30000);
    });
    it('31 calls deep: qgError costs a few variables, new Error hundreds', () => {
      const m = /@cost (\d+) (\d+) (\w+) ([^\r\n]*)/.exec(out);
      assert.ok(m, out.slice(-1000));
      console.log(`      31 calls deep: new Error ${m[1]} variables, qgError ${m[2]}`);
      assert.ok(+m[2] < 20, `qgError: ${m[2]}`);
      assert.ok(+m[1] > 10 * +m[2], `new Error: ${m[1]}`);
      assert.equal(m[3], 'true');
      assert.equal(m[4], 'Error: x');
    });
  });
});
