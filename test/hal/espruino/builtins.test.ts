// hal/espruino/builtins.ts: Espruino's atob, btoa, E.toUint8Array, E.CRC32, E.toString, JSON and
// Object.keys/values as the gate's DIVOC
// reading takes them (here the simulator's model of Espruino 2v29's as globals), or null when the
// firmware lacks any of them (SAVE_ON_FLASH) and in Node.
import { strict as assert } from 'assert';
import { builtins } from '../../../hal/espruino/builtins';
import { withBuiltins } from '../../util/builtins';

describe('hal/espruino builtins', () => {
  it('null in Node (no E) and on a firmware without any one of them', () => {
    assert.equal(builtins(), null);
    for (const w of ['atob', 'btoa', 'CRC32', 'toUint8Array']) assert.equal(withBuiltins({}, w, () => builtins()), null, w);
  });
  it('calls through to the interpreter\'s: byte strings, a Uint8Array, an unsigned CRC', () => {
    const calls: { [k: string]: number } = {};
    withBuiltins(calls, null, () => {
      const b = builtins()!;
      assert.equal(b.atob('AP+A'), '\x00\xff\x80');
      assert.equal(b.btoa('\x00\xff\x80'), 'AP+A');
      assert.deepEqual(Array.from(b.bytes('\x00\xff\x80')), [0, 255, 128]);
      assert.equal(b.crc32(new Uint8Array([255, 255, 255, 255])), 0xffffffff);
      assert.equal(b.text(new Uint8Array([0, 255, 128])), '\x00\xff\x80');
      assert.deepEqual(b.parse('{"a":[1]}'), { a: [1] });
      assert.equal(b.stringify({ a: '\xe9' }), '{"a":"\\u00E9"}');
      assert.deepEqual(b.keys({ a: 1, b: 2 }), ['a', 'b']);
      assert.deepEqual(b.values({ a: 1, b: 2 }), [1, 2]);
    });
    assert.deepEqual(calls, { atob: 1, btoa: 1, toUint8Array: 1, CRC32: 1, text: 1, parse: 1, stringify: 1 });
  });
});
