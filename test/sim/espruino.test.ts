// The Espruino-like sandbox: globals, virtual timers, Promise order, memory estimate.
import { strict as assert } from 'assert';
import { SimBoard } from '../../sim/board';

function boardRun(code: string, opts: { board?: string; clock?: number | null } = {}) {
  const b = new SimBoard({ board: opts.board, clock: opts.clock === undefined ? null : opts.clock });
  b.boot(code);
  return b;
}

describe('sim/espruino sandbox', () => {
  it('has only Espruino globals and methods', () => {
    const b = boardRun(`
      var names = ['Map','Set','WeakMap','WeakSet','Symbol','Proxy','Reflect','RangeError','TextEncoder','TextDecoder',
        'setImmediate','queueMicrotask','BigInt'];
      var absent = names.filter(function (n) { return typeof global[n] !== 'undefined'; });
      var methods = [typeof Array.from, typeof Array.of, typeof [].at, typeof [].flat, typeof [].lastIndexOf,
        typeof [].reduceRight, typeof Object.freeze, typeof Object.seal, typeof Object.is, typeof Number.isInteger,
        typeof Math.imul, typeof Math.trunc, typeof Math.clz32, typeof Math.log2, typeof ''.codePointAt,
        typeof ''.localeCompare, typeof ''.search, typeof ''.at, typeof Promise.prototype.finally, typeof Promise.race,
        typeof Promise.allSettled, typeof Date.UTC, typeof Uint8Array.from, typeof ArrayBuffer.isView];
      console.log(JSON.stringify({ absent: absent, methods: methods.filter(function (t) { return t !== 'undefined'; }).length }));
      console.log(JSON.stringify([typeof Promise, typeof Promise.all, typeof Object.assign, typeof Object.keys,
        typeof [].indexOf, typeof JSON.parse, global === globalThis, typeof E.on, typeof process.memory, process.env.VERSION,
        typeof B3, String(B3)]));
      var u = new Uint8Array([1,2,3,4]);
      console.log(JSON.stringify([Array.isArray(u.slice(1, 3)), Array.isArray(u.filter(function (x) { return x > 1; })),
        (function () { var t = new Uint8Array(2); t.set([7, 8, 9]); return [t[0], t[1]]; })(),
        new DataView(new ArrayBuffer(2)).getUint32(0), (function () { try { null.x; } catch (e) { return e instanceof Error; } })()]));
      try { require('fs'); } catch (e) { console.log(e.message); }
    `);
    assert.deepEqual(JSON.parse(b.lines[0]), { absent: [], methods: 0 });
    assert.deepEqual(JSON.parse(b.lines[1]), ['function', 'function', 'function', 'function', 'function', 'function', true,
      'function', 'function', '2v29', 'object', 'B3']);
    assert.deepEqual(JSON.parse(b.lines[2]), [true, true, [7, 8], 0, false]);
    assert.equal(b.lines[3], 'Module fs not found');
  });

  it('crypto follows the profile: SHA512 on the WiFi, SHA256 only on the Pico, no module on the Original', () => {
    const code = `
      var c; try { c = require('crypto'); } catch (e) { c = null; }
      console.log(c ? [typeof c.SHA256, typeof c.SHA512].join() : 'none');
      if (c && c.SHA256) { var h = new Uint8Array(c.SHA256('abc')); console.log(h[0].toString(16) + h[31].toString(16)); }`;
    assert.deepEqual(boardRun(code, { board: 'wifi' }).lines, ['function,function', 'baad']);
    assert.deepEqual(boardRun(code, { board: 'pico' }).lines, ['function,undefined', 'baad']);
    assert.deepEqual(boardRun(code, { board: 'original' }).lines, ['none']);
  });

  it('runs timers in virtual time, by due time then creation; exceptions print and intervals go on', () => {
    const b = boardRun(`
      setTimeout(function () { console.log('b20'); }, 20);
      setTimeout(function () { console.log('a10'); }, 10);
      setTimeout(function () { console.log('c20'); }, 20);
      var k = 0;
      var iv = setInterval(function () { k++; console.log('iv' + k); if (k === 2) throw new Error('boom'); if (k === 3) clearInterval(iv); }, 15);
      setTimeout(function () { console.log('t0'); }, 0);
      Promise.resolve(1).then(function () { console.log('promise'); });
      console.log('sync');
    `);
    assert.deepEqual(b.lines, ['sync']);
    b.advance(9);
    assert.deepEqual(b.lines, ['sync', 't0', 'promise']);
    b.advance(100);
    assert.deepEqual(b.lines, ['sync', 't0', 'promise', 'a10', 'iv1', 'b20', 'c20', 'iv2', 'Uncaught Error: boom', 'iv3']);
    assert.equal(b.clock.ms, 109);
    assert.equal(b.sandbox!.timerCount(), 0);
  });

  it('reuses timer ids like Espruino and clearTimeout() with no argument clears all', () => {
    const b = boardRun(`
      var a = setTimeout(function () {}, 10), c = setTimeout(function () {}, 10);
      clearTimeout(c);
      var d = setTimeout(function () {}, 10);
      var threw = false; try { clearTimeout(undefined); } catch (e) { threw = true; }
      clearTimeout();
      console.log([a, c, d, threw].join());
    `);
    assert.deepEqual(b.lines, ['1,2,2,true']);
    assert.equal(b.sandbox!.timerCount(), 0);
  });

  it('unhandled promise rejections are reported, handled ones are not', () => {
    const b = boardRun(`
      Promise.reject(new Error('x')).catch(function (e) { console.log('caught ' + e.message); });
      new Promise(function (res, rej) { rej('nope'); });
      Promise.all([1, Promise.resolve(2)]).then(function (v) { console.log(v.join('+')); });
    `);
    b.run();
    assert.deepEqual(b.lines.sort(), ['1+2', 'Uncaught Error: Unhandled promise rejection: nope', 'caught x'].sort());
  });

  it('getTime and Date use the virtual clock; an unset clock counts from boot', () => {
    const b = boardRun(`setTimeout(function () { console.log(getTime() + ' ' + new Date().getTime() + ' ' + Date.now()); }, 1500);`,
      { clock: 1632729600 });
    b.advance(2000);
    assert.deepEqual(b.lines, ['1632729601.5 1632729601500 1632729601500']);
    const u = boardRun(`console.log(getTime()); setTimeout(function () { console.log(getTime()); setTime(1e9); console.log(getTime()); }, 250);`);
    u.advance(300);
    assert.deepEqual(u.lines, ['0', '0.25', '1000000000']);
  });

  it('estimates memory: it grows with data held in globals and in closures', () => {
    const b = boardRun(`
      var m0 = process.memory();
      var ints = []; for (var i = 0; i < 1000; i++) ints.push(i);
      var m1 = process.memory().usage;
      var dbl = []; for (var j = 0; j < 1000; j++) dbl.push(j + 0.5);
      var m2 = process.memory().usage;
      var keep = (function () { var hidden = []; for (var k = 0; k < 500; k++) hidden.push('str' + k + 'xxxxxxxxxxx');
        return function () { return hidden.length; }; })();
      var m3 = process.memory().usage;
      console.log(JSON.stringify([m0.total, m0.free + m0.usage, m1 - m0.usage, m2 - m1, m3 - m2]));
    `);
    const [total, sum, ints, dbl, closure] = JSON.parse(b.lines[0]);
    assert.equal(total, 8190);
    assert.equal(sum, 8190);
    assert.ok(ints >= 1000 && ints <= 2000, `1000 ints: ${ints}`);
    assert.ok(dbl >= 1500 && dbl <= 3000, `1000 doubles: ${dbl}`);
    assert.ok(closure >= 1000 && closure <= 2500, `500 strings in a closure: ${closure}`);
    assert.ok(b.memory().usage > 3000);
  });

  it('code run from flash costs less memory than code loaded into RAM', () => {
    const code = 'var fns = []; for (var i = 0; i < 1; i++) fns.push(function (a, b) { /* ' + 'x'.repeat(4000) + ' */ return a + b; });';
    const ram = new SimBoard();
    ram.boot(code);
    const fl = new SimBoard();
    fl.boot(code, { codeInFlash: true });
    assert.ok(ram.memory().usage - fl.memory().usage > 100, `${ram.memory().usage} vs ${fl.memory().usage}`);
  });
});
