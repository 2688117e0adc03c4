// The few TypeScript helpers device code may need, written so that Espruino runs them:
// no Object.setPrototypeOf, no Symbol, no spread. Aliased as "tslib" when bundling dist/gate.js.
export function __extends(d, b) {
  for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p];
  function __() { this.constructor = d; }
  __.prototype = b.prototype;
  d.prototype = new __();
}
export function __assign(t) {
  for (var i = 1; i < arguments.length; i++) {
    var s = arguments[i];
    for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p)) t[p] = s[p];
  }
  return t;
}
