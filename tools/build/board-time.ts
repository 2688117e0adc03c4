// The board-time model (issue 12 item 1): how long a decision takes on each board in the README's
// table, from what the Linux interpreter and qemu-arm measure on this machine.
//
// Interpreted work is counted in units of the interpreter's own empty-loop iteration (LOOP_JS,
// timed in the same run as the decisions: dist/bench-espruino.js prints loop_us= and each
// decision's time), and a board runs one such iteration in usPerLoop(board) microseconds:
//
//   usPerLoop = ARM_LOOP_INSNS x cpi / MHz
//
// ARM_LOOP_INSNS is the ARM (Thumb-2) instructions one iteration executes in Espruino's Linux
// interpreter cross-compiled for ARM with software floating point (as every board in the table
// computes JavaScript's doubles: the Cortex-M4F's FPU and the ESP32's are single precision),
// counted under qemu-arm (tools/native/count.ts, countEspruinoArm). cpi, cycles per instruction,
// is calibrated on the one published whole-interpreter board timing we have (CALIBRATION below)
// and assumed equal for the Cortex-M3/M4 boards; the ESP32's is an assumption (see ESP32_CPI).
// Native work (the Thumb-2 verifier) is counted in qemu instructions and converted at the board's
// clock with the same cpi.
//
// With ESPRUINO_ARM set, `make bench` also counts whole decisions on that ARM interpreter, which
// replaces the loop-unit conversion (x86 time -> loops) by a direct count: see tools/bench.ts.
import { BOARD_FILES } from '../../boards';

/** The empty loop that defines the unit (ES5; a function-local counter, as the gate's code has). */
export const LOOP_JS = 'function LOOP(n) { for (var i = 0; i < n; i++) {} }';

/**
 * ARM instructions per iteration of LOOP_JS: Espruino 2v29 (c5ff787b1) for Linux, built with
 * arm-linux-gnueabi-gcc 12.2 -Os -march=armv7-a -mthumb -mfloat-abi=soft, static, counted with
 * tools/native/insn-plugin.c under qemu-arm 7.2 (`make bench` with ESPRUINO_ARM re-measures it).
 */
export const ARM_LOOP_INSNS = 7367;

/**
 * The calibration: "Float Speed: Espruino Pico vs Pyboard", Espruino forum, 23 Dec 2017: the
 * Leibniz series (1,000,000 iterations of `x = x * -1; pi = pi + (x / (2*i-1));`, global
 * variables) took 458 s on an Espruino Pico (STM32F401, 84 MHz), 458 us an iteration. The same
 * loop counts CALIBRATION.armInsns ARM instructions an iteration on the soft-float ARM build, so
 * the Pico spends 458 x 84 / armInsns cycles an instruction. (The Pico then ran Espruino 1v9x;
 * the count is 2v29's.)
 */
export const CALIBRATION = {
  js: 'for (i = 2; i < iterations + 2; i++) { x = x * -1; pi = pi + (x / (2*i-1)); }',
  boardUs: 458,
  boardMhz: 84,
  armInsns: 28254,
  source: 'forum.espruino.com "Float Speed: Espruino Pico vs Pyboard", 2017-12-23: 1,000,000 iterations in 458 s',
};

/** Cycles per ARM instruction on the Cortex-M3/M4 boards, from CALIBRATION. */
export const ARM_CPI = CALIBRATION.armInsns ? (CALIBRATION.boardUs * CALIBRATION.boardMhz) / CALIBRATION.armInsns : 1;

/**
 * The ESP32 (Xtensa LX6, 240 MHz) is not measured: no Xtensa interpreter is counted here. We
 * assume it executes as many instructions as the ARM build (both 32-bit RISC cores with 16/24-bit
 * and 16/32-bit encodings, compiled -Os), at ESP32_CPI cycles each: the calibrated ARM cpi times
 * 1.5 for running Espruino's ~1.5 MB of code from external SPI flash through a 32 KB cache
 * (the STM32s run theirs from on-chip flash with a prefetch/ART accelerator). The estimate is
 * therefore a range: from ARM_CPI (no cache misses) to 2 x ARM_CPI.
 */
export const ESP32_CPI_FACTOR = 1.5;

/** Instructions of one native verification (tools/native/count.ts, the committed code). */
export const NATIVE_VERIFY_INSNS = 1740351;

/**
 * Instructions of the native inflate (native/inflate) on the DIVOC sample the bench decides
 * (dose2: 1,476 bytes out), counted by tools/native/count-inflate.ts on the committed code.
 * Boards with native code run it in place of proto/inflate.ts (firmware/native-inflate.ts).
 */
export const NATIVE_INFLATE_INSNS = 207342;

export interface BoardTime {
  board: string;
  /** Espruino's boards/<id>.py 'speed' (MHz). */
  mhz: number;
  core: string;
  cpi: number;
  /** The native verifier (boards/<name>.ts features.native). */
  native: boolean;
  /** crypto.SHA256 in the board's firmware (README board table). */
  sha256: boolean;
}

/** The boards of the README's table (every board file with a cpu): clock and core from boards/<name>.ts. */
export const BOARD_TIMES: BoardTime[] = BOARD_FILES
  .filter((b) => !!b.cpu)
  .map((b) => ({
    board: b.name, mhz: b.cpu!.mhz, core: b.cpu!.core,
    cpi: b.arm ? ARM_CPI : ARM_CPI * ESP32_CPI_FACTOR,
    native: b.features.native, sha256: b.nativeSha256,
  }));

/** Microseconds one LOOP_JS iteration takes on a board. */
export function usPerLoop(b: BoardTime, loopInsns = ARM_LOOP_INSNS): number {
  return (loopInsns * b.cpi) / b.mhz;
}

/** Milliseconds a board takes for `insns` ARM instructions (native code or the interpreter). */
export function msOfInsns(b: BoardTime, insns: number): number {
  return (insns * b.cpi) / b.mhz / 1000;
}

/**
 * A decision's estimate on a board, in ms. `loops`: the whole decision in loop units (JavaScript
 * verifier); `jsLoops`: the decision without its signature checks; `verifies`: how many it made.
 */
export function estimateMs(b: BoardTime, d: { loops: number; jsLoops: number; verifies: number; inflateLoops?: number },
  loopInsns = ARM_LOOP_INSNS, nativeInsns = NATIVE_VERIFY_INSNS, inflateInsns = NATIVE_INFLATE_INSNS): number {
  const us = usPerLoop(b, loopInsns);
  // inflateLoops: the decision's interpreted inflate, which boards with native code run natively
  if (b.native) {
    const inflate = d.inflateLoops ? -(d.inflateLoops * us) / 1000 + msOfInsns(b, inflateInsns) : 0;
    return (d.jsLoops * us) / 1000 + d.verifies * msOfInsns(b, nativeInsns) + inflate;
  }
  return (d.loops * us) / 1000;
}
