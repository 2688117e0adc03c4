// FlashImage: Espruino Storage semantics (jsflash.c) and the power-cut model.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlashImage, PowerCutError, HEADER_SIZE, byteString } from '../../sim/flash';

const txt = (b: Uint8Array | undefined) => (b === undefined ? undefined : byteString(b));

describe('sim/flash FlashImage', () => {
  it('writes, reads, lists and erases files', () => {
    const f = new FlashImage();
    f.write('a', 'hello');
    f.write('b', new Uint8Array([0, 1, 2, 255]));
    assert.equal(txt(f.read('a')), 'hello');
    assert.deepEqual(Array.from(f.read('b')!), [0, 1, 2, 255]);
    assert.equal(f.read('c'), undefined);
    assert.deepEqual(f.list(), ['a', 'b']);
    assert.equal(f.erase('a'), true);
    assert.equal(f.read('a'), undefined);
    assert.equal(f.erase('a'), false);
    assert.deepEqual(f.list(), ['b']);
  });

  it('creates a sized file filled with 0xFF and fills it at offsets (Espruino docs example)', () => {
    const f = new FlashImage();
    f.write('a', 'Hello', 0, 14);
    assert.equal(txt(f.read('a')), 'Hello' + '\xff'.repeat(9));
    f.write('a', ' ', 5);
    f.write('a', 'World!!!', 6);
    assert.equal(txt(f.read('a')), 'Hello World!!!');
    f.write('a', ' ', 0); // offset 0 again rewrites the file
    assert.equal(txt(f.read('a')), ' ');
  });

  it('refuses to write over bytes that are not erased, even with the same data', () => {
    const f = new FlashImage();
    f.write('j', 'AB', 0, 8);
    assert.throws(() => f.write('j', 'X', 1), /File already written with different data/);
    assert.throws(() => f.write('j', 'B', 1), /File already written with different data/);
    f.write('j', 'CD', 2);
    assert.throws(() => f.write('j', 'xxxxxxx', 2), /Too much data for file size/);
    assert.throws(() => f.write('nofile', 'x', 3), /Unable to find or create file/);
    assert.throws(() => f.write('z', ''), /Can't create zero length file/);
    // a 0xFF data byte leaves flash erased: it can be written later
    f.write('k', new Uint8Array([1, 0xff, 3]));
    f.write('k', new Uint8Array([2]), 1);
    assert.deepEqual(Array.from(f.read('k')!), [1, 2, 3]);
  });

  it('replacing a file keeps the old one as trash until compact()', () => {
    const f = new FlashImage({ size: 8192, pageSize: 2048 });
    const free0 = f.getFree();
    assert.equal(free0, 8192);
    f.write('cfg', 'x'.repeat(100));
    assert.equal(f.getFree(), free0 - HEADER_SIZE - 100);
    f.write('cfg', 'x'.repeat(100)); // identical contents: no-op
    assert.equal(f.getFree(), free0 - HEADER_SIZE - 100);
    f.write('cfg', 'y'.repeat(101));
    assert.equal(f.getFree(), free0 - 2 * HEADER_SIZE - 100 - 104);
    let st = f.getStats();
    assert.equal(st.trashCount, 1);
    assert.equal(st.fileCount, 1);
    assert.equal(f.compact(), true);
    assert.equal(f.getFree(), free0 - HEADER_SIZE - 104);
    assert.equal(txt(f.read('cfg')), 'y'.repeat(101));
    st = f.getStats();
    assert.equal(st.trashCount, 0);
    assert.equal(f.compact(), false);
  });

  it('compacts by itself when a new file needs the trash space, and fails when full', () => {
    const f = new FlashImage({ size: 4096, pageSize: 1024 });
    const msgs: string[] = [];
    f.onMessage = (m) => msgs.push(m);
    f.write('a', 'a'.repeat(1500));
    f.write('a', 'b'.repeat(1500)); // old one is trash
    assert.ok(f.getFree() < 1500 + HEADER_SIZE);
    f.write('c', 'c'.repeat(1500));
    assert.deepEqual(msgs, ['Compacting...']);
    assert.deepEqual(f.list(), ['a', 'c']);
    assert.equal(txt(f.read('a')), 'b'.repeat(1500));
    assert.throws(() => f.write('d', 'd'.repeat(1500)), /Unable to find or create file/);
  });

  it('truncates names to 28 characters silently, so long names collide', () => {
    const f = new FlashImage();
    const base = 'n'.repeat(28);
    f.write(base + 'one', '1');
    assert.equal(txt(f.read(base + 'two')), '1');
    assert.deepEqual(f.list(), [base]);
    f.write(base + 'two', '2');
    assert.equal(txt(f.read(base)), '2');
    assert.deepEqual(f.list(), [base]);
  });

  it('tears a write after N data bytes, leaving 0xFF and refusing writes until repower', () => {
    const f = new FlashImage();
    let torn = 0;
    f.onTear = () => torn++;
    f.write('log', '', 0, 16);
    f.armTear(3);
    // offset 0 with the same size writes in place into a still-erased file
    assert.throws(() => f.write('log', 'ABCDEFGH', 0, 16), PowerCutError);
    assert.equal(torn, 1);
    assert.equal(f.powerLost, true);
    assert.equal(txt(f.read('log')), 'ABC' + '\xff'.repeat(13));
    assert.throws(() => f.write('other', 'x'), PowerCutError);
    f.repower();
    f.write('log', 'DEF', 3);
    assert.equal(txt(f.read('log')), 'ABCDEF' + '\xff'.repeat(10));
  });

  it("a 'flash' tear can cut a replace between deleting the old file and writing the new", () => {
    const f = new FlashImage();
    f.write('state', 'old');
    f.armTear(4, 'flash'); // the deletion mark (4 bytes) is programmed, the new header is not
    assert.throws(() => f.write('state', 'new!'), PowerCutError);
    f.repower();
    assert.equal(f.read('state'), undefined);
    assert.deepEqual(f.list(), []);
    // a torn header (size word written, name not) leaves a junk file named 0xFF..., as on a board
    const g = new FlashImage();
    g.armTear(4, 'flash');
    assert.throws(() => g.write('x', 'data'), PowerCutError);
    g.repower();
    assert.equal(g.read('x'), undefined);
    assert.deepEqual(g.list(), ['\xff'.repeat(28)]);
  });

  it('saves and loads an image', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qgflash-'));
    try {
      const f = new FlashImage({ size: 16384 });
      f.write('a', 'persist');
      f.save(dir);
      const g = FlashImage.load(dir)!;
      assert.equal(g.size, 16384);
      assert.equal(txt(g.read('a')), 'persist');
      assert.equal(FlashImage.load(path.join(dir, 'none')), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exposes the hal FlashStorage and the require("Storage") API', () => {
    const f = new FlashImage();
    const s = f.storage();
    s.write('x', 'ab', 0, 4);
    s.write('x', new Uint8Array([0x63]), 2);
    assert.equal(s.readText('x'), 'abc\xff');
    assert.deepEqual(Array.from(s.readBytes('x')!), [0x61, 0x62, 0x63, 0xff]);
    assert.deepEqual(s.list('x'), ['x']);
    const S = f.storageModule();
    assert.equal(S.write('j', { a: 1 }), true);
    assert.deepEqual(S.readJSON('j'), { a: 1 });
    S.writeJSON('k', [1, 2]);
    assert.equal(S.read('k'), '[1,2]');
    assert.equal(S.read('k', 1, 1), '1');
    assert.deepEqual(Array.from(new Uint8Array(S.readArrayBuffer('x'))), [0x61, 0x62, 0x63, 0xff]);
    S.write('bad', '{');
    assert.throws(() => S.readJSON('bad'));
    assert.equal(S.readJSON('bad', true), undefined);
    assert.deepEqual(S.list(/^[jk]$/), ['j', 'k']);
    assert.equal(S.getFree(), f.getFree());
    assert.equal(S.getStats().fileCount, 4);
    S.write('arr', [1, 2, 300]);
    assert.equal(S.read('arr'), '\x01\x02\x2c');
    S.erase('arr');
    assert.equal(S.read('arr'), undefined);
    assert.throws(() => S.write('j', 'x', 1), /File already written with different data/);
    S.eraseAll();
    assert.deepEqual(S.list(), []);
  });
});
