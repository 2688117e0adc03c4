// Espruino's built-ins as the simulator models them (sim/espruino/builtins.ts), in the shape the
// gate's hal gives them (hal/espruino builtins(): byte strings), and base64 texts to try them on:
// canonical ones of random bytes and mutations of them that atob's leniency would take.
import fc from 'fast-check';
import type { DivocBuiltins } from '../../proto/divoc/verify';
import { espruinoAtob, espruinoBtoa, espruinoCrc32, espruinoJsonStringify } from '../../sim/espruino/builtins';
import { bytesOf, byteString } from '../../sim/flash';

/**
 * hal/espruino builtins() over the simulator's model of Espruino 2v29's atob, btoa, E.CRC32,
 * E.toString and JSON.stringify (JSON.parse and Object.keys/values: Node's, as in the sandbox).
 */
export function simBuiltins(): DivocBuiltins {
  return {
    atob: (s) => byteString(espruinoAtob(bytesOf(s))),
    btoa: (s) => espruinoBtoa(bytesOf(s)),
    bytes: (s) => bytesOf(s),
    crc32: (b) => espruinoCrc32(b),
    text: (b) => byteString(b),
    parse: (s) => JSON.parse(s),
    stringify: (v) => espruinoJsonStringify(v) as string,
    keys: (o) => Object.keys(o),
    values: (o) => Object.values(o),
  };
}

/** Chars that Espruino's atob skips or reads leniently, and the other alphabet's. */
const ODD = ['=', '==', ' ', '\t', '\n', '\r', '\x0b', '\x0c', '\0', '-', '_', '+', '/', '.', '\x80', '\xff', 'A', 'Q', 'w'];

/** One mutation of s chosen by the numbers (insert, replace or delete a char, cut, append). */
export function mutate(s: string, op: number, at: number, pick: number): string {
  return mutateWith(ODD, s, op, at, pick);
}

/** mutate() with its own alphabet of inserted texts (`odd`). */
export function mutateWith(odd: string[], s: string, op: number, at: number, pick: number): string {
  const i = s.length ? at % (s.length + 1) : 0;
  const c = odd[pick % odd.length];
  switch (op % 5) {
    case 0: return s.slice(0, i) + c + s.slice(i);
    case 1: return s.slice(0, i) + c + s.slice(i + 1);
    case 2: return s.slice(0, i) + s.slice(i + 1);
    case 3: return s.slice(0, i);
    default: return s + c;
  }
}

/** Standard base64 of bytes (with '='), base64url (without), or a mutation of one of them. */
export function base64Text(): fc.Arbitrary<{ url: boolean; text: string }> {
  return fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.boolean(), fc.nat(4), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 3 }))
    .map(([b, url, keep, muts]) => {
      let text = Buffer.from(b).toString(url ? 'base64url' : 'base64');
      if (keep !== 0) for (const [op, at, pick] of muts) text = mutate(text, op, at, pick);
      return { url, text };
    });
}

/** Short texts over the chars that matter (any of them, any length). */
export function base64Junk(): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom('A', 'B', 'g', 'Q', '0', '+', '/', '-', '_', '=', ' ', '\n', '\0', '\xff'), { maxLength: 10 }).map((a) => a.join(''));
}

/** Runs fn with Espruino's built-ins as globals (each counted; JSON: the model's); `without` leaves one of them out. */
export function withBuiltins<T>(calls: { [k: string]: number }, without: string | null, fn: () => T): T {
  const g = globalThis as any;
  const old = { E: g.E, atob: g.atob, btoa: g.btoa, hadE: 'E' in g, JSON: g.JSON };
  const count = (k: string, f: (...a: any[]) => any) => (...a: any[]) => { calls[k] = (calls[k] || 0) + 1; return f(...a); };
  const E: any = {
    CRC32: count('CRC32', (b: Uint8Array) => espruinoCrc32(b)),
    toUint8Array: count('toUint8Array', (s: string) => bytesOf(s)),
    toString: count('text', (b: Uint8Array) => byteString(b)),
  };
  const nodeJson = old.JSON;
  g.JSON = { parse: count('parse', (s: string) => nodeJson.parse(s)), stringify: count('stringify', (v: any) => espruinoJsonStringify(v, nodeJson.stringify)) };
  g.atob = count('atob', (s: string) => byteString(espruinoAtob(bytesOf(s))));
  g.btoa = count('btoa', (s: string) => espruinoBtoa(bytesOf(s)));
  if (without === 'atob' || without === 'btoa') g[without] = undefined;
  else if (without) delete E[without];
  g.E = E;
  try { return fn(); } finally { g.atob = old.atob; g.btoa = old.btoa; g.JSON = old.JSON; if (old.hadE) g.E = old.E; else delete g.E; }
}
