// The prelude: JavaScript run inside the sandbox's context before the program, with the global
// object `g` and the host hooks `H` (index.ts): removes the builtins Espruino lacks and makes typed
// arrays, String.prototype.indexOf/includes/match/replace, DataView, TypeError, Date, Math.random,
// Promise and Pin objects behave as Espruino 2v29's (index.ts header, docs/espruino.md).
// It is source text (run by vm.runInContext in the sandbox's realm, so that its functions and
// objects belong to that realm): a TypeScript function stringified would carry tsx's `__name(...)`
// helper calls, which do not exist in the sandbox.

export const PRELUDE = String.raw`(function (g, H) {
  'use strict';
  var del = function (o, ks) { for (var i = 0; i < ks.length; i++) { try { delete o[ks[i]]; } catch (e) {} } };
  del(g, ['Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Symbol', 'Proxy', 'Reflect',
    'RangeError', 'EvalError', 'URIError', 'AggregateError', 'BigInt', 'BigInt64Array', 'BigUint64Array',
    'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'Intl', 'TextEncoder', 'TextDecoder', 'setImmediate',
    'queueMicrotask', 'structuredClone', 'Iterator']);
  del(Array, ['from', 'of']);
  del(Array.prototype, ['at', 'flat', 'flatMap', 'lastIndexOf', 'reduceRight', 'findLast', 'findLastIndex',
    'toSorted', 'toReversed', 'toSpliced', 'with', 'copyWithin']);
  del(Object, ['freeze', 'seal', 'is', 'isFrozen', 'isSealed', 'preventExtensions', 'isExtensible',
    'getOwnPropertySymbols', 'groupBy', 'hasOwn']);
  del(Number, ['isInteger', 'isSafeInteger']);
  del(Math, ['imul', 'trunc', 'clz32', 'log2', 'fround', 'log1p', 'expm1', 'cbrt', 'hypot']);
  del(String.prototype, ['codePointAt', 'localeCompare', 'search', 'at', 'normalize', 'matchAll',
    'replaceAll', 'isWellFormed', 'toWellFormed']);
  del(String, ['fromCodePoint', 'raw']);
  del(ArrayBuffer, ['isView']);
  var TA = Object.getPrototypeOf(Uint8Array);
  del(TA, ['from', 'of']);
  del(TA.prototype, ['at', 'findLast', 'findLastIndex', 'toSorted', 'toReversed', 'with']);
  del(Date, ['UTC']);
  del(Date.prototype, ['setUTCDate', 'setUTCFullYear', 'setUTCHours', 'setUTCMilliseconds', 'setUTCMinutes',
    'setUTCMonth', 'setUTCSeconds']);

  // Typed arrays as Espruino has them.
  var taSlice = TA.prototype.slice, taFilter = TA.prototype.filter, taSet = TA.prototype.set;
  Object.defineProperty(TA.prototype, 'slice', { configurable: true, writable: true, value: function (a, b) {
    var r = taSlice.call(this, a, b), out = [];
    for (var i = 0; i < r.length; i++) out.push(r[i]);
    return out;
  } });
  Object.defineProperty(TA.prototype, 'filter', { configurable: true, writable: true, value: function (f, t) {
    var r = taFilter.call(this, f, t), out = [];
    for (var i = 0; i < r.length; i++) out.push(r[i]);
    return out;
  } });
  Object.defineProperty(TA.prototype, 'set', { configurable: true, writable: true, value: function (src, off) {
    off = off | 0;
    var room = this.length - off;
    if (room <= 0) return;
    if (src && src.length > room) {
      if (typeof src.subarray === 'function') src = src.subarray(0, room);
      else src = [].slice.call(src, 0, room);
    }
    taSet.call(this, src, off);
  } });
  // subarray(begin, end) as jswrap_arraybufferview_subarray: negative begin/end count from the end,
  // end is NOT clamped to the length and begin only to end; the view is made on the underlying
  // ArrayBuffer, whose bytes past its end read as 0; a negative (or > 65535) byte offset throws.
  // A view within the buffer is a real view; one that runs past the buffer's end is a zero-padded
  // COPY (writes through it are not reflected; Espruino's reads are what device code hits).
  var taSub = TA.prototype.subarray;
  var toInt = function (v) { return (+v) | 0; };
  var isNum = function (v) { return typeof v === 'number' || typeof v === 'boolean'; };
  Object.defineProperty(TA.prototype, 'subarray', { configurable: true, writable: true, value: function (begin, end) {
    var len = this.length, C = this.constructor, bpe = this.BYTES_PER_ELEMENT;
    var b = toInt(begin), e = isNum(end) ? toInt(end) : len;
    if (b < 0) b += len;
    if (e < 0) e += len;
    if (e < 0) e = 0;
    if (b > e) { b = 0; e = 0; }
    if (b === e) return new C(0);
    var off = this.byteOffset + b * bpe, n = e - b;
    if (off < 0 || off > 65535) throw new Error('byteOffset too large (or negative)');
    if (b >= 0 && e <= len) return taSub.call(this, b, e);
    var buf = this.buffer;
    if (off + n * bpe <= buf.byteLength) return new C(buf, off, n);
    var out = new C(n), avail = Math.floor((buf.byteLength - off) / bpe);
    if (avail > 0) taSet.call(out, new C(buf, off, avail), 0);
    return out;
  } });

  // String.prototype.indexOf as jswrap_string_indexOf (2v29, not SAVE_ON_FLASH): from each start
  // index while a character remains it compares with jsvCompareStringIt(equalAtEndOfString=true),
  // so running off the end of the string counts as a match: 'abc'.indexOf('cd') === 2. A needle
  // longer than the string gives -1; a numeric fromIndex is clamped to [0, len - sub.length + 1];
  // '' is found only before a character ('abc'.indexOf('', 3) === -1). includes, match and replace
  // with a string argument go through it.
  var strIndexOf = String.prototype.indexOf;
  var espIndexOf = function (s, sub, from) {
    var len = s.length, n = sub.length;
    if (n > len) return -1;
    var end = len - n + 1, idx = 0;
    if (isNum(from)) { idx = toInt(from); if (idx < 0) idx = 0; if (idx > end) idx = end; }
    var r = strIndexOf.call(s, sub, idx);
    if (r >= 0 && r < len) return r;
    // no whole match: the first start whose tail of s is a prefix of sub (past-the-end match)
    for (var p = idx > end ? idx : end; p < len; p++) {
      if (s.substring(p) === sub.substring(0, len - p)) return p;
    }
    return -1;
  };
  var isRegExp = function (v) { return Object.prototype.toString.call(v) === '[object RegExp]'; };
  var strMatch = String.prototype.match, strReplace = String.prototype.replace;
  var defStr = function (name, fn) {
    Object.defineProperty(String.prototype, name, { configurable: true, writable: true, value: fn });
  };
  defStr('indexOf', function indexOf(sub, from) { return espIndexOf(String(this), String(sub), from); });
  defStr('includes', function includes(sub, from) { return espIndexOf(String(this), String(sub), from) >= 0; });
  defStr('match', function match(sub) {
    if (isRegExp(sub)) return strMatch.call(this, sub);
    sub = String(sub);
    var i = espIndexOf(String(this), sub, undefined);
    if (i < 0) return null;
    var out = [sub];
    out.index = i;
    out.input = sub;
    return out;
  });
  // replace(string, x): x is converted to a string (a function is NOT called, '$&' is literal)
  defStr('replace', function replace(sub, rep) {
    if (isRegExp(sub)) return strReplace.call(this, sub, rep);
    var s = String(this);
    sub = String(sub);
    var i = espIndexOf(s, sub, undefined);
    if (i < 0) return s;
    return s.substring(0, i) + String(rep) + s.substring(i + sub.length);
  });
  ['getInt8', 'getUint8', 'getInt16', 'getUint16', 'getInt32', 'getUint32', 'getFloat32', 'getFloat64']
    .forEach(function (m) {
      var orig = DataView.prototype[m];
      Object.defineProperty(DataView.prototype, m, { configurable: true, writable: true, value: function () {
        try { return orig.apply(this, arguments); } catch (e) { return 0; }
      } });
    });
  del(DataView.prototype, ['getBigInt64', 'getBigUint64', 'setBigInt64', 'setBigUint64', 'getFloat16', 'setFloat16']);
  // TypeError is not an Error on Espruino.
  Object.setPrototypeOf(TypeError.prototype, Object.prototype);
  TypeError.prototype.toString = function () { return 'TypeError: ' + this.message; };

  // Virtual wall clock.
  var RealDate = Date;
  var VDate = function Date(a, b, c, d, e, f, h) {
    var n = arguments.length;
    if (!(this instanceof VDate)) return new RealDate(H.nowMs()).toString();
    if (n === 0) return new RealDate(H.nowMs());
    if (n === 1) return new RealDate(a);
    return new RealDate(a, b, n > 2 ? c : 1, n > 3 ? d : 0, n > 4 ? e : 0, n > 5 ? f : 0, n > 6 ? h : 0);
  };
  VDate.prototype = RealDate.prototype;
  VDate.now = function () { return H.nowMs(); };
  VDate.parse = RealDate.parse;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: VDate, configurable: true, writable: true });
  g.Date = VDate;
  Math.random = function () { return H.random(); };

  // Espruino's Promise: reactions are queued events (after an already-queued setTimeout(0)).
  function P(executor) {
    if (!(this instanceof P)) throw new TypeError('Promise must be called with new');
    this._s = 0; this._v = undefined; this._r = [];
    var self = this, done = false;
    function res(v) { if (done) return; done = true; resolveP(self, v); }
    function rej(v) { if (done) return; done = true; settle(self, 2, v); }
    try { executor(res, rej); } catch (e) { rej(e); }
  }
  function resolveP(p, v) {
    if (v === p) { settle(p, 2, new TypeError('Promise resolved with itself')); return; }
    if (v && (typeof v === 'object' || typeof v === 'function')) {
      var then;
      try { then = v.then; } catch (e) { settle(p, 2, e); return; }
      if (typeof then === 'function') {
        var called = false;
        try {
          then.call(v, function (x) { if (!called) { called = true; resolveP(p, x); } },
            function (x) { if (!called) { called = true; settle(p, 2, x); } });
        } catch (e) { if (!called) { called = true; settle(p, 2, e); } }
        return;
      }
    }
    settle(p, 1, v);
  }
  function settle(p, s, v) {
    if (p._s) return;
    p._s = s; p._v = v;
    var rs = p._r; p._r = null;
    if (s === 2 && rs.length === 0) {
      H.defer(function () {
        if (!p._handled) H.uncaught('Unhandled promise rejection: ' + H.fmt(v));
      });
    }
    for (var i = 0; i < rs.length; i++) react(p, rs[i]);
  }
  function react(p, r) {
    p._handled = true;
    H.defer(function () {
      var cb = p._s === 1 ? r.ok : r.fail;
      if (typeof cb !== 'function') {
        if (p._s === 1) resolveP(r.p, p._v); else settle(r.p, 2, p._v);
        return;
      }
      var out;
      try { out = cb(p._v); } catch (e) { settle(r.p, 2, e); return; }
      resolveP(r.p, out);
    });
  }
  P.prototype.then = function (ok, fail) {
    var np = new P(function () {});
    var r = { ok: ok, fail: fail, p: np };
    if (this._s === 0) this._r.push(r); else react(this, r);
    this._handled = true;
    return np;
  };
  P.prototype['catch'] = function (fail) { return this.then(undefined, fail); };
  P.resolve = function (v) { if (v instanceof P) return v; return new P(function (r) { r(v); }); };
  P.reject = function (v) { return new P(function (r, j) { j(v); }); };
  P.all = function (arr) {
    return new P(function (res, rej) {
      var n = arr.length, out = new Array(n), left = n;
      if (n === 0) { res(out); return; }
      for (var i = 0; i < n; i++) (function (i) {
        P.resolve(arr[i]).then(function (v) { out[i] = v; if (--left === 0) res(out); }, rej);
      })(i);
    });
  };
  g.Promise = P;

  // Pin objects.
  function Pin(name) { this._n = name; }
  Pin.prototype.toString = function () { return this._n; };
  Pin.prototype.read = function () { return !!H.digitalRead(this._n); };
  Pin.prototype.write = function (v) { H.digitalWrite(this._n, v); };
  Pin.prototype.set = function () { H.digitalWrite(this._n, 1); };
  Pin.prototype.reset = function () { H.digitalWrite(this._n, 0); };
  Pin.prototype.mode = function (m) { H.pinMode(this._n, m); };
  Pin.prototype.getMode = function () { return H.getPinMode(this._n); };
  g.Pin = function (name) { return new Pin(String(name)); };
  g.Pin.prototype = Pin.prototype;
  for (var i = 0; i < H.pins.length; i++) g[H.pins[i]] = new Pin(H.pins[i]);

  g.global = g;
  g.globalThis = g;
})`;
