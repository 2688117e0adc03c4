// Espruino misreads a `case` clause whose first statement starts with a string literal
// (tools/build/casestrings.js): the bundler wraps it in parentheses, the build and the simulator
// refuse any left, and the real interpreter (ESPRUINO) shows the quirk and the cure.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO } from '../../util/shared';
import { espruinoCode } from '../../../sim/espruino';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { caseStrings, fixCaseStrings } = require('../../../tools/build/casestrings.js');

const SNIPPET = `var x = "abc", out = [], b;
switch ("s") { case "s": "string" != typeof x ? b = "bad" : b = "ok"; break; }
out.push(b);
switch ("s") { case "s": "abc" == x ? b = "eq" : b = "ne"; break; }
out.push(b);
b = "init"; switch ("s") { case "s": "x" == "x" && (b = "and"); break; }
out.push(b);
b = "init"; switch ("s") { case "s": b = 0; "string" != typeof x ? b = "bad" : b = "ok"; break; }
out.push(b);
`;
const NODE_ANSWER = ['ok', 'eq', 'and', 'ok'];

function nodeRun(code: string): string[] {
  // eslint-disable-next-line no-new-func
  return new Function(code + '\nreturn out;')();
}

describe('case clauses starting with a string literal (an Espruino quirk)', () => {
  it('finds them, and the fix keeps what the code means', () => {
    assert.equal(caseStrings(SNIPPET).length, 3, 'the first statements of three clauses');
    const fixed = fixCaseStrings(SNIPPET).code;
    assert.deepEqual(caseStrings(fixed), []);
    assert.deepEqual(nodeRun(SNIPPET), NODE_ANSWER);
    assert.deepEqual(nodeRun(fixed), NODE_ANSWER);
  });

  it('no shipped bundle has one (the gate refused every configuration on the interpreter)', () => {
    const dist = path.join(REPO, 'dist');
    const bundles = fs.readdirSync(dist).filter((f) => /\.js$/.test(f));
    assert.ok(bundles.indexOf('gate.js') >= 0, 'make build first');
    for (const b of bundles) assert.deepEqual(caseStrings(fs.readFileSync(path.join(dist, b), 'utf8')), [], b);
  });

  it('the simulator refuses such code instead of running it as Node does', () => {
    assert.throws(() => espruinoCode(SNIPPET), /misreads 3 case clause/);
    assert.doesNotThrow(() => espruinoCode(fixCaseStrings(SNIPPET).code));
  });

  it('on the real interpreter: the quirk, and the fixed code answering as Node', function () {
    const bin = process.env.ESPRUINO;
    if (!bin) { console.log('      skipped: set ESPRUINO=/path/to/espruino to see the quirk on the real interpreter'); this.skip(); }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-case-'));
    const run = (code: string): string[] => {
      const f = path.join(dir, 'p.js');
      fs.writeFileSync(f, code + 'print("@out " + JSON.stringify(out));\n');
      const r = spawnSync(path.resolve(bin as string), [f], { encoding: 'latin1', timeout: 30000, input: '' });
      const line = (r.stdout || '').split('\n').find((l) => l.indexOf('@out ') === 0);
      assert.ok(line, r.stdout);
      return JSON.parse((line as string).slice(5));
    };
    try {
      const raw = run(SNIPPET);
      assert.notDeepEqual(raw, NODE_ANSWER, 'Espruino 2v29 misreads these clauses (if this fails, the quirk is gone)');
      assert.equal(raw[3], 'ok', 'a statement that is not first in its clause is read right');
      assert.deepEqual(run(fixCaseStrings(SNIPPET).code), NODE_ANSWER);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
