// tools/native/count.ts: reading a board-time count run (markers from tools/native/insn-plugin.c),
// and, with env ESPRUINO_ARM (Espruino's Linux interpreter built for ARM) and qemu-arm, the plugin
// on the real interpreter: the empty loop costs what the board-time model says.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { parseArmCount, buildInsnPlugin } from '../../../tools/native/count';
import { ARM_LOOP_INSNS, LOOP_JS } from '../../../tools/build/board-time';

/** Plugin lines for marker counts (the first `skip` from the interpreter's own start). */
function err(counts: number[]): string {
  return counts.map((c, i) => `qg-insn-mark ${i} ${c}`).join('\n') + '\nqg-insn-total 1 1\n';
}

describe('tools/native/count parseArmCount', function () {
  // loop: 1,000 iterations between markers 0 and 1, 2,000 between 1 and 2, 2 and 3 back to back
  const loop = [1000, 1000 + 50 + 7000 * 1000, 1000 + 100 + 7000 * 3000, 1000 + 150 + 7000 * 3000];
  it('the loop is the difference of 2,000 and 1,000 iterations; a marker costs what two back to back cost', function () {
    const r = parseArmCount('loop_us=1\nseg.loop=0,1,2,3\nmarks=4\nok=true\n', err(loop));
    assert.equal(r.loopInsns, 7000);
    assert.equal(r.markInsns, 50);
    assert.equal(r.lines.ok, 'true');
  });

  it('a decision less its markers, and the signature checks inside it', function () {
    const m = loop.slice();
    const a = m[3] + 10000; // decision starts (marker 4)
    m.push(a, a + 50 + 300, a + 50 + 300 + 50 + 9000, a + 50 + 300 + 50 + 9000 + 50 + 200);
    // markers 4 (start), 5, 6 (one check), 7 (end)
    const r = parseArmCount('seg.loop=0,1,2,3\nseg.qg1_first=4,7,5,6\nmarks=8\n', err(m));
    assert.deepEqual(r.segments.qg1_first, { insns: 300 + 9000 + 200, verifyInsns: 9000, verifies: 1 });
  });

  it('markers the interpreter made before the script are skipped', function () {
    const r = parseArmCount('seg.loop=0,1,2,3\nmarks=4\n', err([5, 9].concat(loop)));
    assert.equal(r.loopInsns, 7000);
  });

  it('refuses a run where the plugin saw fewer markers than the script made, or none', function () {
    assert.throws(() => parseArmCount('seg.loop=0,1,2,3\nmarks=5\n', err(loop)), /made 5 markers/);
    assert.throws(() => parseArmCount('seg.loop=0,1,2,3\n', ''), /not counted/);
    assert.throws(() => parseArmCount('ok=true\n', err(loop)), /seg.loop/);
  });
});

describe('tools/native/insn-plugin.c on the ARM interpreter (ESPRUINO_ARM)', function () {
  it('counts the empty loop within 5% of the model constant ARM_LOOP_INSNS', function () {
    const arm = process.env.ESPRUINO_ARM;
    if (!arm || !fs.existsSync(arm) || spawnSync('qemu-arm', ['-version']).error) {
      console.log('    (skipped: set ESPRUINO_ARM to Espruino\'s Linux interpreter built for ARM, with qemu-user)');
      return this.skip();
    }
    this.timeout(120000);
    const so = buildInsnPlugin(path.join(os.tmpdir(), 'qg-insn-plugin-test'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-count-test-'));
    const js = path.join(dir, 'loop.js');
    fs.writeFileSync(js, `var MK = 0;
function MARK() { require('fs').statSync('/qg-mark'); return MK++; }
${LOOP_JS}
LOOP(1);
var LM = [MARK()]; LOOP(1000); LM.push(MARK()); LOOP(2000); LM.push(MARK()); LM.push(MARK());
print('seg.loop=' + LM.join(','));
print('marks=' + MK);
quit();
`);
    const r = spawnSync('qemu-arm', ['-plugin', so, arm, js], { cwd: dir, encoding: 'latin1' });
    fs.rmSync(dir, { recursive: true, force: true });
    const c = parseArmCount(r.stdout, r.stderr);
    assert.ok(Math.abs(c.loopInsns / ARM_LOOP_INSNS - 1) < 0.05, `${c.loopInsns} instructions an iteration, the model says ${ARM_LOOP_INSNS}`);
  });
});
