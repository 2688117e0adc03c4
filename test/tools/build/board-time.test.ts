// tools/build/board-time.ts: the board-time model covers every board of the README's table, and
// converts loop units and native instructions as README "Speed" says.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../../../tools/root';
import { ARM_CPI, ARM_LOOP_INSNS, BOARD_TIMES, CALIBRATION, NATIVE_INFLATE_INSNS, NATIVE_VERIFY_INSNS, estimateMs, msOfInsns, usPerLoop } from '../../../tools/build/board-time';
import { boardFileOf } from '../../../boards';

/** The boards of the README's pin table: rows "| `wifi` Espruino WiFi | ESPRUINOWIFI | ...". */
function readmeBoards(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out: string[] = [];
  text.split('\n').forEach((l) => {
    const m = /^\| `([a-z0-9]+)` [^|]+\| [A-Z0-9_]+ \|/.exec(l);
    if (m && out.indexOf(m[1]) < 0) out.push(m[1]);
  });
  return out;
}

describe('tools/build/board-time', function () {
  it('has a factor for every board in the README table, and no other', function () {
    const boards = readmeBoards();
    assert.ok(boards.length >= 5, `README board table not found (${boards})`);
    // the Linux host is in the table (it runs the firmware) but is no board to estimate
    assert.deepEqual(BOARD_TIMES.map((b) => b.board).sort(), boards.filter((b) => b !== 'linux').sort());
  });

  it('takes native, clock and core from the board files', function () {
    BOARD_TIMES.forEach((b) => {
      const f = boardFileOf(b.board)!;
      assert.equal(b.native, f.features.native, b.board);
      assert.equal(b.mhz, f.cpu!.mhz, b.board);
    });
  });

  it('a Cortex-M board runs the calibration loop in the published time', function () {
    const pico = BOARD_TIMES.filter((b) => b.board === 'pico')[0];
    assert.equal(pico.cpi, ARM_CPI);
    assert.ok(Math.abs(msOfInsns(pico, CALIBRATION.armInsns) * 1000 - CALIBRATION.boardUs) < 1e-6);
  });

  it('estimates: the JavaScript verifier in loops, or the rest in loops plus native checks', function () {
    const d = { loops: 200000, jsLoops: 20000, verifies: 1 };
    BOARD_TIMES.forEach((b) => {
      const us = (ARM_LOOP_INSNS * b.cpi) / b.mhz;
      assert.ok(Math.abs(usPerLoop(b) - us) < 1e-9);
      const want = b.native ? (20000 * us) / 1000 + (NATIVE_VERIFY_INSNS * b.cpi) / b.mhz / 1000 : (200000 * us) / 1000;
      assert.ok(Math.abs(estimateMs(b, d) - want) < 1e-6, b.board);
      // two checks cost two native verifications
      if (b.native) assert.ok(estimateMs(b, { ...d, verifies: 2 }) > estimateMs(b, d));
    });
  });

  it('boards with native code: the interpreted inflate out, the native inflate in; the others unchanged', function () {
    const d = { loops: 200000, jsLoops: 20000, verifies: 1, inflateLoops: 5000 };
    BOARD_TIMES.forEach((b) => {
      const us = (ARM_LOOP_INSNS * b.cpi) / b.mhz;
      const without = estimateMs(b, { loops: 200000, jsLoops: 20000, verifies: 1 });
      const want = b.native ? without - (5000 * us) / 1000 + (NATIVE_INFLATE_INSNS * b.cpi) / b.mhz / 1000 : without;
      assert.ok(Math.abs(estimateMs(b, d) - want) < 1e-6, b.board);
    });
    assert.ok(BOARD_TIMES.some((b) => b.native));
  });
});
