// Espruino does not hoist `var`: programs whose output shows it, with what the real interpreter
// (2v29.277, Linux build) printed for each. test/real/quirks.test.ts runs them on the
// interpreter (ESPRUINO=...), test/sim/espruino.quirks.test.ts in the simulator's sandbox; both must print
// `want`. Each program prints one JSON line (names are distinct: they may share one global scope).
export interface HoistCase { name: string; code: string; want: any }

export const HOIST_CASES: HoistCase[] = [
  {
    name: 'an assignment before `var x` sets the outer x; the local is undefined after `var x`',
    code: 'var ha = 1; function fa() { ha = 5; var ha; return ha; } var ra = fa(); print(JSON.stringify([typeof ra, ha]));',
    want: ['undefined', 5],
  },
  {
    name: 'terser\'s shape `return t=k,...;var t`: the global t is overwritten',
    code: 'var hb = { read: function () { return 1; } }; function fb(k) { return hb = k, hb + 1; var hb; } ' +
      'var rb = fb(1); print(JSON.stringify([rb, typeof hb]));',
    want: [2, 'number'],
  },
  {
    name: '`var x = v` after an assignment: the outer x keeps the first value',
    code: 'var hc = 2; function fc() { hc = 7; var hc = 8; return hc; } var rc = fc(); print(JSON.stringify([rc, hc]));',
    want: [8, 7],
  },
  {
    name: 'reading a name before its `var` throws ReferenceError when no outer scope has it',
    code: 'function fd() { try { return hd; } catch (e) { return e instanceof ReferenceError ? "ReferenceError" : "other"; } var hd; } ' +
      'print(JSON.stringify([fd(), (function () { return typeof hd2; var hd2; })()]));',
    want: ['ReferenceError', 'undefined'],
  },
  {
    name: 'a `var` in a branch not taken never exists',
    code: 'function fe(a) { if (a) { var he = 1; } try { return he; } catch (e) { return "ReferenceError"; } } ' +
      'print(JSON.stringify([fe(0), fe(1)]));',
    want: ['ReferenceError', 1],
  },
  {
    name: 'in a loop, the name exists from the second pass on',
    code: 'function ff() { var out = []; for (var i = 0; i < 3; i++) { out.push(typeof hf); var hf = i; } return out.join(); } ' +
      'print(JSON.stringify(ff()));',
    want: 'undefined,number,number',
  },
  {
    name: 'a function made before the `var` sees the outer name until the `var` runs',
    code: 'var hg = 3; function fg() { var f = function () { return hg; }; var r1 = f(); var hg = 4; return [r1, f()]; } ' +
      'print(JSON.stringify(fg()));',
    want: [3, 4],
  },
  {
    name: '++ and += before `var x` change the outer x',
    code: 'var hh = 10; function fh() { hh++; hh += 5; var hh; return typeof hh; } var rh = fh(); print(JSON.stringify([rh, hh]));',
    want: ['undefined', 16],
  },
  {
    name: 'a second `var x` keeps the value; for-in declares its variable',
    code: 'function fi() { var v = 1; var v; for (var p in { a: 1 }) {} return [v, p]; } print(JSON.stringify(fi()));',
    want: [1, 'a'],
  },
];
