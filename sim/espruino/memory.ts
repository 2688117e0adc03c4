// process.memory().usage is an ESTIMATE of Espruino JsVars, by walking what the program can reach:
// the global object's new properties (and new properties on builtins), live timers, watches and
// listeners, and the closure scopes of every function reached (read through the inspector
// protocol, which V8 answers synchronously). Cost model (one JsVar is 13-16 bytes):
//  - a fixed base of BASE_VARS for the interpreter itself;
//  - object or array: 1, plus per property or element 1 (the name, which holds an int, bool,
//    null or undefined value inline), plus 1 per 12 name chars beyond 8, plus the value:
//    a non-int number 1, a string its string cost, an object or function counted once where it is
//    first reached (a reference is free);
//  - string: 1 for up to 10 chars, +1 per further 12 chars; a string that came from
//    Storage.read() is memory-mapped: 1;
//  - typed array: 1 for the view + 1 for its ArrayBuffer + ceil(bytes / 12) for the data (a
//    buffer shared by several views counts once); DataView likewise;
//  - function: 1 + 1 per parameter + its code: 1 when the code is in flash (`codeInFlash`: the
//    bundle was run from Storage, as .bootcde is), else 1 + 1 per 27 chars of its source text
//    (calibrated: tweetnacl-fast gives ~2400 from RAM and ~1470 from flash here, 2124 and 1121
//    measured on Espruino); plus
//    1 per closure scope link, and each scope once: 1 + per variable as for properties;
//  - Date 2, RegExp 2 + source, boxed values 2.
// It is a model, not a measurement: it tracks growth (an array of 1000 ints costs ~1000 vars,
// of 1000 doubles ~2000) and orders of magnitude; `make bench` on a board gives the truth.
// (The sandbox adds BASE_VARS and gathers the roots: index.ts memoryUsage.)

/** The builtins: every object reachable before the program ran, with its own property names then. */
export type Baseline = Map<object, Set<string>>;

export interface EstimateOptions {
  baseline: Baseline;
  /** The sandbox's global object. */
  global: any;
  /** Functions keep their code in flash (host.codeInFlash). */
  codeInFlash: boolean;
  /** Strings that came from Storage.read() (memory-mapped). */
  mapped: Set<string>;
}

/** Everything reachable from the global object before the program ran: builtins, not counted. */
export function snapshotBaseline(global: any): Baseline {
  const seen = new Map<object, Set<string>>();
  const stack: any[] = [global];
  while (stack.length) {
    const o = stack.pop();
    if (seen.has(o)) continue;
    const keys = Object.getOwnPropertyNames(o);
    seen.set(o, new Set(keys));
    for (const k of keys) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (!d) continue;
      for (const v of [d.value, d.get, d.set]) if (v && (typeof v === 'object' || typeof v === 'function') && !seen.has(v)) stack.push(v);
    }
    const p = Object.getPrototypeOf(o);
    if (p && !seen.has(p)) stack.push(p);
  }
  return seen;
}

/**
 * JsVars for everything reachable from `roots` (and, with fromGlobal, from the global object's
 * and builtins' new properties), builtins excluded.
 */
export function estimate(roots: any[], fromGlobal: boolean, opts: EstimateOptions): number {
  const base = opts.baseline;
  const seen = new Set<any>();
  const buffers = new Set<any>();
  const scopeKeys = new Set<string>();
  const codeInFlash = opts.codeInFlash;
  const mapped = opts.mapped;
  let vars = 0;
  const stack: any[] = [];
  const strCost = (s: string) => (mapped.has(s) ? 1 : s.length <= 10 ? 1 : 1 + Math.ceil((s.length - 10) / 12));
  // function text in RAM: calibrated on espruino.md's tweetnacl-fast figures (2124 vars from RAM,
  // 1121 from flash): Espruino stores bodies tokenised, so about 1 var per 27 chars of minified code
  const codeCost = (src: string) => 1 + Math.ceil(src.length / 27);
  const nameCost = (k: string) => 1 + (k.length > 8 ? Math.ceil((k.length - 8) / 12) : 0);
  const valueCost = (v: any): number => {
    switch (typeof v) {
      case 'number': return (v | 0) === v ? 0 : 1;
      case 'string': return strCost(v);
      case 'object': case 'function':
        if (v !== null) stack.push(v);
        return 0;
      default: return 0;
    }
  };
  const props = (o: any, skip?: Set<string>) => {
    let keys: string[];
    try { keys = Object.getOwnPropertyNames(o); } catch (e) { return; }
    for (const k of keys) {
      if (skip && skip.has(k)) continue;
      if (typeof o === 'function' && (k === 'length' || k === 'name' || k === 'prototype' || k === 'arguments' || k === 'caller')) {
        if (k === 'prototype') { const pr = o.prototype; if (pr && !base.has(pr)) stack.push(pr); }
        continue;
      }
      if (k === 'length' && Array.isArray(o)) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (!d) continue;
      vars += nameCost(k);
      if ('value' in d) vars += valueCost(d.value);
      else { if (d.get) stack.push(d.get); if (d.set) stack.push(d.set); }
    }
  };
  if (fromGlobal) {
    for (const [o, keys] of base) {
      let own: string[];
      try { own = Object.getOwnPropertyNames(o); } catch (e) { continue; }
      if (own.length === keys.size && own.every((k) => keys.has(k))) {
        // same keys; values of the global's own keys may have been replaced (polyfills)
        if (o !== opts.global) continue;
      }
      for (const k of own) {
        if (keys.has(k)) {
          const d = Object.getOwnPropertyDescriptor(o, k);
          if (d && 'value' in d && d.value && (typeof d.value === 'object' || typeof d.value === 'function') && !base.has(d.value)) stack.push(d.value);
          continue;
        }
        const d = Object.getOwnPropertyDescriptor(o, k);
        if (!d) continue;
        vars += nameCost(k);
        if ('value' in d) vars += valueCost(d.value);
      }
    }
  }
  for (const r of roots) valueCost(r);
  const fns: any[] = [];
  while (stack.length || fns.length) {
    if (!stack.length) {
      // closure scopes of the functions reached (each scope counted once, each link 1)
      for (const scopes of closureScopes(fns.splice(0))) {
        for (const sc of scopes) {
          vars += 1;
          const key = scopeKey(sc);
          if (scopeKeys.has(key)) continue;
          scopeKeys.add(key);
          vars += 1;
          props(sc);
        }
      }
      continue;
    }
    const o = stack.pop();
    if (seen.has(o) || base.has(o)) continue;
    seen.add(o);
    if (isHostObject(o)) continue; // the simulator's own objects (native on a board)
    const tag = Object.prototype.toString.call(o);
    if (typeof o === 'function') {
      vars += 1;
      let src = '';
      try { src = Function.prototype.toString.call(o); } catch (e) { src = ''; }
      if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) continue; // host-provided
      vars += Math.max(0, (o.length as number) | 0) + (codeInFlash ? 1 : codeCost(src));
      props(o);
      fns.push(o);
    } else if (ArrayBuffer.isView(o)) {
      vars += 1;
      const buf = (o as any).buffer;
      if (!buffers.has(buf)) { buffers.add(buf); vars += 1 + Math.ceil(buf.byteLength / 12); }
    } else if (tag === '[object ArrayBuffer]') {
      if (!buffers.has(o)) { buffers.add(o); vars += 1 + Math.ceil(o.byteLength / 12); }
    } else if (tag === '[object Date]') vars += 2;
    else if (tag === '[object RegExp]') vars += 2 + strCost(o.source);
    else {
      vars += 1;
      props(o);
      const p = Object.getPrototypeOf(o);
      if (p && !base.has(p)) stack.push(p);
    }
  }
  return vars;
}



/** True for objects of the host realm (Node), as opposed to the sandbox's. */
function isHostObject(o: any): boolean {
  let p = o;
  for (let i = 0; i < 64 && p; i++) {
    const q = Object.getPrototypeOf(p);
    if (q === null) return p === Object.prototype;
    p = q;
  }
  return false;
}
// ---------------------------------------------------------------------------- closure scopes

let session: any = null;
let sessionOk = true;
const holder: { fn: any; out: any[][] } = { fn: null, out: [] };

function post(method: string, params: any): any {
  let res: any, err: any, done = false;
  session.post(method, params, (e: any, r: any) => { err = e; res = r; done = true; });
  if (!done) throw new Error('inspector answered asynchronously');
  if (err) throw err;
  return res;
}

/**
 * The closure scopes (Closure/Block/Script, not Global) of each function, as snapshot objects
 * (read through the inspector protocol: about two synchronous round trips per function).
 */
export function closureScopes(fns: any[]): any[][] {
  const result: any[][] = fns.map(() => []);
  if (!sessionOk || fns.length === 0) return result;
  try {
    if (!session) {
      const inspector = require('inspector');
      session = new inspector.Session();
      session.connect();
      (globalThis as any).__qgScopeHolder = holder;
    }
    holder.fn = fns;
    holder.out = result;
    const arrId = post('Runtime.evaluate', { expression: 'globalThis.__qgScopeHolder.fn', objectGroup: 'qgmem' }).result.objectId;
    const outId = post('Runtime.evaluate', { expression: 'globalThis.__qgScopeHolder.out', objectGroup: 'qgmem' }).result.objectId;
    const elems = post('Runtime.getProperties', { objectId: arrId, ownProperties: true }).result;
    for (const el of elems) {
      const i = Number(el.name);
      if (!(i >= 0) || !el.value || !el.value.objectId) continue;
      const props = post('Runtime.getProperties', { objectId: el.value.objectId, ownProperties: true });
      const sc = (props.internalProperties || []).find((p: any) => p.name === '[[Scopes]]');
      if (!sc || !sc.value || !sc.value.objectId) continue;
      post('Runtime.callFunctionOn', {
        objectId: sc.value.objectId,
        functionDeclaration: 'function (out, i) { for (var k = 0; k < this.length; k++) { var s = this[k]; if (s && s.type !== "global" && s.object) out[i].push(s.object); } }',
        arguments: [{ objectId: outId }, { value: i }],
      });
    }
    post('Runtime.releaseObjectGroup', { objectGroup: 'qgmem' });
  } catch (e) {
    sessionOk = false;
  }
  holder.fn = null;
  holder.out = [];
  return result;
}

const objIds = new WeakMap<object, number>();
let nextObjId = 1;
function scopeKey(sc: any): string {
  const parts: string[] = [];
  for (const k of Object.getOwnPropertyNames(sc)) {
    const v = sc[k];
    if (v && (typeof v === 'object' || typeof v === 'function')) {
      let id = objIds.get(v);
      if (!id) { id = nextObjId++; objIds.set(v, id); }
      parts.push(k + '#' + id);
    } else parts.push(k + '=' + typeof v + ':' + String(v).slice(0, 40));
  }
  return parts.join('|');
}
