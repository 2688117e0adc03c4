// The flash layout (tools/board/layout.ts): Storage alone where it holds everything, else an image
// in a free area (the native code, the firmware's head) and a loader in Storage; every plan checked
// against the board file's map (free areas, what Espruino reserves, Storage) and the areas the
// board reports. The per-board bundles need `make build-device`.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as vm from 'vm';
import { BOARD_FILES, boardFileOf } from '../../../boards/index';
import { Board } from '../../../boards/types';
import {
  checkPlan, crc32, loaderCode, loaderMap, loaderText, packHead, planLayout, statementEnds, storageCost, PLACEABLE,
} from '../../../tools/board/layout';
import { packedProblem } from '../../util/packed';
import { fixtureInputs } from '../../../tools/flashbudget';
import { flashFiles } from '../../../tools/flashfiles';
import { bundlePath } from '../../../tools/build/boards';

const JOURNAL = [0, 1, 2, 3].map((i) => ({ name: `qg.j${i}`, bytes: 4096 })).concat([{ name: 'qg.tver', bytes: 10 }]);
const inside = (a: { addr: number; length: number }, b: { addr: number; length: number }) => a.addr >= b.addr && a.addr + a.length <= b.addr + b.length;
const overlaps = (a: { addr: number; length: number }, b: { addr: number; length: number }) => a.addr < b.addr + b.length && b.addr < a.addr + a.length;

/** A made-up board: 8 KB of Storage, one 16 KB free area of 4 KB pages, its firmware around it. */
function smallBoard(): Board {
  const b: Board = JSON.parse(JSON.stringify(boardFileOf('pico')));
  b.name = 'small';
  b.flash = {
    storageStart: 0x10000, storageSize: 8192, pageSize: 1024,
    free: [{ addr: 0x20000, length: 16384, what: 'test area', page: 4096 }],
    reserved: [{ addr: 0, length: 0x10000, what: 'bootloader' }, { addr: 0x24000, length: 0x10000, what: 'firmware' }],
  };
  return b;
}

/** A firmware of top-level statements that use each other at load time and later. */
function program(n: number): string {
  let s = '"use strict";var log=[];';
  for (let i = 0; i < n; i++) s += `function f${i}(x){return x+${i}${i ? `+f${i - 1}(0)` : ''}}\nvar v${i}=f${i}(1);log.push(v${i});\n`;
  return s + 'var done=log.join(",");';
}

/**
 * The firmware run whole, and its head then its tail, each in a fresh context: Espruino evaluates
 * both at the top level with no strict mode, so they run so.
 */
function runBoth(code: string, head: string, tail: string): { whole: vm.Context; split: vm.Context } {
  const whole = vm.createContext({});
  vm.runInContext(code.replace('"use strict";', ''), whole);
  const split = vm.createContext({});
  vm.runInContext(head.replace('"use strict";', ''), split);
  vm.runInContext(tail, split);
  return { whole, split };
}

describe('tools/board/layout', () => {
  it('crc32 is the IEEE CRC-32 (E.CRC32, zlib)', () => {
    assert.equal(crc32(new Uint8Array(Buffer.from('123456789'))), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('the loader names the placed files and the image, and reads back', () => {
    const placed = [{ name: 'qg.ed25519', addr: 0x08060000, length: 7872 }];
    const code = { addr: 0x08061ec0, length: 40000, crc: 4000000000 };
    const t = loaderText(placed, code, 'var tail=1;');
    assert.deepEqual(loaderMap(t), placed);
    assert.deepEqual(loaderCode(t), code);
    assert.ok(t.endsWith('\nvar tail=1;'));
    assert.deepEqual(loaderMap('var x=1'), []);
    assert.equal(loaderCode('"use strict";var x=1'), null);
  });

  it('Storage alone when it holds everything (the ESP32): .bootcde is the firmware, no image', () => {
    const b = smallBoard();
    b.flash.storageSize = 64 * 1024;
    const p = planLayout(b, { bundle: program(3), files: { 'qg.cfg': new Uint8Array(100) }, journal: JOURNAL });
    assert.equal(p.image, null);
    assert.equal(p.bootcde, program(3));
    assert.ok(p.fits);
    assert.equal(p.storageUsed, storageCost(program(3).length) + storageCost(100) + JOURNAL.reduce((n, j) => n + storageCost(j.bytes), 0));
  });

  it('a firmware larger than Storage: native code and the head in the free area, the tail after the loader; head then tail runs as the whole', () => {
    const b = smallBoard();
    const code = program(260); // about 18 KB: more than the free area after the native code
    const native = new Uint8Array(1001).map((_, i) => i & 0xff);
    const p = planLayout(b, { bundle: code, files: { 'qg.cfg': new Uint8Array(50), 'qg.ed25519': native }, journal: [] });
    assert.ok(p.fits, p.problems.join('; '));
    const im = p.image!;
    assert.equal(im.addr, 0x20000);
    assert.deepEqual(im.pages, [0x20000, 0x21000, 0x22000, 0x23000].slice(0, Math.ceil(im.data.length / 4096)));
    assert.deepEqual(loaderMap(p.bootcde), [{ name: 'qg.ed25519', addr: 0x20000, length: 1001 }]);
    assert.deepEqual(Array.from(im.data.subarray(0, 1001)), Array.from(native));
    assert.equal(im.code.addr, 0x20000 + 1004, 'the code follows the native code, 4-byte aligned');
    const head = Buffer.from(im.data.subarray(1004)).toString('latin1');
    assert.equal(im.code.length, head.length);
    assert.equal(im.code.crc, crc32(im.data.subarray(1004)));
    assert.ok(p.codeInStorage > 0 && p.codeInImage === head.length);
    assert.ok(!p.storage.some((f) => f.name === 'qg.ed25519'), 'the native code is not in Storage');
    const tail = p.bootcde.slice(p.bootcde.indexOf('\n', p.bootcde.indexOf('\n') + 1) + 1);
    assert.equal(p.codeInStorage, tail.length);
    assert.equal(packedProblem(code, head, tail), '');
    assert.ok(head.length > b.flash.free[0].length - 1004 - 64, `the head fills the area (${head.length} bytes)`);
    const { whole, split } = runBoth(code, head, tail);
    assert.equal(split.done, whole.done);
  });

  it('packHead: the cut, then later function declarations that fit; none whose name is declared twice; no statement runs on into the next', () => {
    const code = '"use strict";var a=1\nvar z=a\nvar w="' + 'y'.repeat(300) + '"\nfunction big(){return "' + 'x'.repeat(200) + '"}\n(a)\nfunction g(){return 1}var b=g();' +
      'function g(){return 2}var c=g();function small(){return 3}var d=[small(),big().length,b,c].join(",");';
    const cut = code.indexOf('var z');
    for (const room of [cut, cut + 40, cut + 250, code.length - 1]) {
      const { head, tail } = packHead(code, room);
      assert.ok(head.length <= room, `${head.length} <= ${room}`);
      assert.equal(packedProblem(code, head, tail), '', `room ${room}`);
      const all = head + '\n' + tail;
      const at = (t: string) => all.indexOf(t);
      assert.ok(at('var b=g()') < at('function g(){return 2}') && at('function g(){return 2}') < at('var c=g()'), 'g is declared twice: it stays');
      const { whole, split } = runBoth(code, head, tail);
      assert.equal(split.d, whole.d);
      assert.equal(split.z, 1);
    }
    // w does not fit: small (28 bytes) moves at cut + 40; at cut + 250 big does (225), leaving "(a)" to follow w in the tail
    assert.match(packHead(code, cut + 40).head, /var z=a\nfunction small\(\)\{return 3\}$/);
    assert.match(packHead(code, cut + 250).head, /var z=a\nfunction big[^\n]*$/);
    assert.match(packHead(code, cut + 250).tail, /^\s*var w="y+"\s*;\s*\(a\)/);
    // the cut inside the leading run of declarations: the run is packed as a whole
    const run = 'function a(){return 1}function b(){return "' + 'b'.repeat(80) + '"}function c(){return 3}var r=[a(),b().length,c()].join(",");';
    const packed = packHead(run, 105);
    assert.equal(packed.head, '\nfunction b(){return "' + 'b'.repeat(80) + '"}');
    assert.equal(packedProblem(run, packed.head, packed.tail), '');
    const ctx = vm.createContext({});
    vm.runInContext(packed.head, ctx);
    vm.runInContext(packed.tail, ctx);
    assert.equal(ctx.r, '1,80,3');
    // the check itself: a declaration moved after a statement that calls it, a statement lost, two swapped
    assert.match(packedProblem('function f(){}var x=f();', 'var x=f();', 'function f(){}'), /moved later/);
    assert.match(packedProblem('var x=1;var y=2;', 'var x=1;', ''), /statements/);
    assert.match(packedProblem('var x=1;var y=2;', 'var y=2;', 'var x=1;'), /moved before/);
    // a statement that no longer fits is not cut
    assert.deepEqual(packHead(code, 5), { head: '', tail: code });
  });

  it('checkPlan: nothing over what Espruino reserves, over Storage, or outside what the board reports free', () => {
    const b = smallBoard();
    const inp = { bundle: program(260), files: { 'qg.ed25519': new Uint8Array(1000) }, journal: [] };
    const p = planLayout(b, inp);
    assert.deepEqual(checkPlan(b, p, b.flash.free), []);
    // the same image placed over the firmware, or over Storage
    const moved = { ...p, image: { ...p.image!, addr: 0x24000, pages: [0x24000] } };
    assert.ok(checkPlan(b, moved, b.flash.free).some((m) => /overlaps firmware \(0x24000/.test(m)), checkPlan(b, moved, b.flash.free).join('; '));
    const onStorage = { ...p, image: { ...p.image!, addr: 0x10000, pages: [0x10000] } };
    assert.ok(checkPlan(b, onStorage, b.flash.free).some((m) => /overlaps Storage/.test(m)));
    // the board reports less than its board file: no area is used, and Storage alone is too small
    const less = planLayout(b, { ...inp, reported: [{ addr: 0x20000, length: 4096 }] });
    assert.equal(less.fits, false);
    assert.equal(less.image, null);
    assert.match(less.problems[0], /none of the free areas the board file lists is reported free/);
    // an image larger than the free area with the tail too large for Storage
    const big = planLayout(b, { bundle: program(600), files: {}, journal: [] });
    assert.equal(big.fits, false);
    assert.match(big.problems.join('; '), /bytes needed in Storage \(\d+ of them firmware\), 8192 there/);
  });

  it('a guarded free area (nRF52: Espruino\'s .data image may follow its code end) is used only where the board reports the guard free too', () => {
    const b = smallBoard();
    b.flash.free = [{ addr: 0x21000, length: 12288, what: 'guarded area', page: 4096, guard: 4096 }];
    b.flash.reserved = [{ addr: 0, length: 0x10000, what: 'bootloader' }, { addr: 0x11000, length: 0xf000, what: 'firmware' }];
    const inp = { bundle: program(250), files: {}, journal: [] };
    // the board reports the guard page and the area: the image starts after the guard
    const ok = planLayout(b, { ...inp, reported: [{ addr: 0x20000, length: 16384 }] });
    assert.ok(ok.fits, ok.problems.join('; '));
    assert.equal(ok.image!.addr, 0x21000);
    assert.ok(ok.image!.pages.every((pg) => pg >= 0x21000));
    // by default, the board is taken to report what its board file says, guard included
    assert.ok(planLayout(b, inp).fits);
    // the board reports the area but not the page before it (Espruino's code ends in it): refused
    const late = planLayout(b, { ...inp, reported: [{ addr: 0x21000, length: 12288 }] });
    assert.equal(late.fits, false);
    assert.equal(late.image, null);
    assert.match(late.problems[0], /none of the free areas the board file lists is reported free/);
    // and checkPlan says so of an image planned before
    assert.ok(checkPlan(b, ok, [{ addr: 0x21000, length: 12288 }]).some((m) => /the 4096 bytes before the image \(0x20000\) are not reported free/.test(m)));
  });

  describe('every board with its own bundle and the fixture files', () => {
    for (const bf of BOARD_FILES) {
      it(`${bf.name}: ${bf.features.fits ? 'fits' : 'does not fit'} as its board file says; nothing over Espruino or Storage`, function () {
        if (!fs.existsSync(bundlePath(bf.name))) this.skip(); // make build-device
        const inp = fixtureInputs();
        const bundle = fs.readFileSync(bundlePath(bf.name), 'latin1');
        const files = flashFiles(bf.name, inp.config, inp.trust);
        // (pretokenised where the text does not fit, as flash writes it for a current Espruino: the WiFi's since session 14)
        const p = planLayout(bf, { bundle, files, journal: JOURNAL, tokenise: true });
        assert.equal(p.fits, bf.features.fits, p.problems.join('; '));
        if (!p.image) {
          assert.equal(p.bootcde, bundle);
          return;
        }
        const im = p.image;
        const range = { addr: im.addr, length: im.data.length };
        assert.ok(bf.flash.free.some((a) => inside(range, a)));
        for (const r of bf.flash.reserved) assert.ok(!overlaps(range, r), r.what);
        assert.ok(!overlaps(range, { addr: bf.flash.storageStart, length: bf.flash.storageSize }));
        const page = im.area.page!;
        for (const pg of im.pages) assert.ok(pg % page === 0 && inside({ addr: pg, length: page }, im.area));
        assert.ok(im.pages.length * page >= im.data.length);
        for (const name of PLACEABLE) if (files[name]) assert.ok(loaderMap(p.bootcde).some((x) => x.name === name && x.addr % 4 === 0));
        if (bf.features.fits) assert.ok(p.storageUsed <= bf.flash.storageSize);
      });
    }
  });
});
