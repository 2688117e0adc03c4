// JSON texts to try proto/jsonnative.ts on (against proto/json.ts): compact JSON.stringify output
// of random values (the shape of DIVOC's certificate.json) and mutations of it that Espruino's
// lenient JSON.parse, its JSON.stringify or the strict parser read differently (whitespace,
// duplicate keys, 1.0/1e2/-0, \u escapes, non-ASCII, __proto__, digit keys, trailing commas,
// deep nesting ...); the DIVOC samples' certificate.json and JWS headers; a serializer of the
// trees that runs the same in Node and on Espruino (SER_JS).
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { SAMPLES, INDEX } from './divoc';
import { base64Decode, base64UrlDecode } from '../../proto/base64';
import { unzipCertificate } from '../../proto/zip';
import { JsonObject, JsonValue } from '../../proto/json';
import { mutateWith } from './builtins';

/** The inflated certificate.json of each DIVOC sample, and its JWS header, as bytes. */
export function sampleJsonTexts(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const s of INDEX.samples) {
    const qr = fs.readFileSync(path.join(SAMPLES, s.file + '.qr.txt'), 'utf8').trim();
    const cert = unzipCertificate(base64Decode(qr.slice(4)));
    out.push({ name: s.file, bytes: cert });
    const jws: string = JSON.parse(Buffer.from(cert).toString('latin1')).proof.jws;
    out.push({ name: s.file + ' jws header', bytes: base64UrlDecode(jws.split('..')[0]) });
  }
  return out;
}

const KEYS = ['a', 'b', 'id', 'type', '@context', '', 'length', 'toString', 'hasOwnProperty', '__proto__', 'constructor', 'prototype',
  '1', '0', '01', '-1', 'x y', 'é', '\u00ff', 'a"b', 'a\\b', '\n', '€'];
const STRS = fc.oneof(
  fc.constantFrom('', 'abc', 'http://x/y#z', 'a"b', 'a\\b', 'a/b', '\b\f\n\r\t', '\x01\x1f', '\x7f', 'é', '\u00ff', '€', '😀', '\ud800', '2021-08-01T05:00:00.000Z'),
  fc.string({ unit: 'binary-ascii', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const NUMS = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer(), fc.constantFrom(0, -0, 2147483647, -2147483648, 2147483648, 999999999999999,
  1000000000000000, 1234567890123456, 0.5, 0.1, 1e21, -1e-7, 12345.678));

/** A random JSON value (keys from KEYS), small and at most 5 levels deep. */
export const jsonValue: fc.Arbitrary<any> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', maxDepth: 5 }, STRS, NUMS, fc.boolean(), fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('v')), { maxLength: 5 }).map((kv) => {
      const o: any = {};
      for (const [k, v] of kv) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
      return o;
    })),
})).v;

/** Tokens that mutations insert or put in place of a char. */
const ODD = [' ', '\n', '\t', ',', ',]', ',}', '\\u00E9', '\\u00e9', '\\u0041', '\\u007F', '\\ud83d\\ude00', '\\/', '\\x41', '\\0', '1.0', '1e2', '-0',
  '01', '0x1', '1234567890123456', '2147483648', '"__proto__":1,', '"constructor":{},', '"1":2,', '"a":1,"a":2,', '"a":1,', '[', ']', '{', '}',
  '"', "'", '/*x*/', '\xe9', '\xc3\xa9', '\xe2\x82\xac', '\x7f', '\x01', 'true', 'null', ':'];

/** One mutation of s chosen by the numbers (insert, replace, delete, cut, append, nest). */
export function mutateJson(s: string, op: number, at: number, pick: number): string {
  const i = s.length ? at % (s.length + 1) : 0;
  switch (op % 7) {
    case 5: return '['.repeat(1 + (pick % 10)) + s + ']'.repeat(1 + (pick % 10));
    case 6: return s.slice(0, i) + s.slice(i, i + 1 + (pick % 8)) + s.slice(i); // a repeated run (a key twice ...)
    default: return mutateWith(ODD, s, op % 7, at, pick); // insert, replace, delete, cut, append
  }
}

/** Bytes of a JSON text: compact JSON.stringify of a random value (UTF-8), often mutated. */
export function jsonText(): fc.Arbitrary<Uint8Array> {
  return fc.tuple(jsonValue, fc.nat(3), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }))
    .map(([v, keep, muts]) => {
      let s = Buffer.from(JSON.stringify(v), 'utf8').toString('latin1');
      if (keep !== 0) for (const [op, at, pick] of muts) s = mutateJson(s, op, at, pick);
      return new Uint8Array(Buffer.from(s, 'latin1'));
    });
}

/** Mutations of the samples' certificate.json (most of them a certificate with one thing odd). */
export function sampleMutations(n: number, seed: number): Uint8Array[] {
  const texts = sampleJsonTexts().map((t) => Buffer.from(t.bytes).toString('latin1'));
  return fc.sample(fc.tuple(fc.nat(texts.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 2 })), { numRuns: n, seed })
    .map(([k, muts]) => {
      let s = texts[k];
      for (const [op, at, pick] of muts) s = mutateJson(s, op, at, pick);
      return new Uint8Array(Buffer.from(s, 'latin1'));
    });
}

/** Named texts: each an edge the native path must get right. */
export const EDGES: string[] = [
  '{"a":1}', '[]', '{}', 'null', 'true', '0', '-1', '"x"', '{"a":1,"a":2}', '{"a":{"b":1,"b":1}}', '{"__proto__":{"x":1},"b":2}', '{"constructor":1}',
  '{"b":1,"1":2,"0":3}', '{"1":1}', '[1,]', '{"a":1,}', '1 2', '[1]x', '"\\u00E9"', '"\\u00e9"', '"\\u0001"', '"\\u007F"', '"\\u20AC"',
  '"\\x41"', '"\\/"', '"\x7f"', '"\xe9"', '"\xe2\x82\xac"', '-0', '1.0', '1e2', '1234567890123456', '12345678901', '2147483648', '-2147483649',
  '999999999999999', '0.1', '1e21', '"\\b\\f\\n\\r\\t\\"\\\\"', '"\\v"', '{"":1}', '{"a":{"b":[[]]}}', '/*c*/1', "'a'", '0x10', '"a\\0b"', '.5', '01',
  '[[[[[[[[1]]]]]]]]', '[[[[[[[[[1]]]]]]]]]', '{"a":[{"b":[{"c":[{"d":1}]}]}]}', '{"a":[{"b":[{"c":[{"d":[1]}]}]}]}', '[' + '1,'.repeat(255) + '1]',
  '[' + '1,'.repeat(254) + '1]', '[' + '"a,",'.repeat(200) + '1]', '{' + Array.from({ length: 48 }, (_, i) => `"k${i}":${i}`).join(',') + '}',
  '{' + Array.from({ length: 49 }, (_, i) => `"k${i}":${i}`).join(',') + '}', '[' + '[],'.repeat(23) + '[]]', '[' + '[],'.repeat(22) + '[]]',
  '{"a" :1}', ' {"a":1}', '{"a":1} ', '{"a":true,"b":false,"c":null,"d":"\\"\\\\"}', '[-2147483648,2147483647]', '{"length":3}', '{"toString":1}',
  '{"a":"' + 'x'.repeat(4080) + '"}', '"' + 'x'.repeat(4094) + '"', '"' + 'x'.repeat(4095) + '"',
];

/**
 * A tree's text: n, t, f, #number, s<hex of the chars>; (each char < 256), [..] and {key value ...};
 * ES5, so that Espruino prints it as Node does (new Function('JsonObject', SER_JS)). (-0 prints as 0:
 * proto/json.ts reads "-0" as -0 in Node, as 0 on Espruino, whose parseInt('-0') is 0.)
 */
export const SER_JS = `
function hx(s) { var o = ''; for (var i = 0; i < s.length; i++) { var c = s.charCodeAt(i); o += (c < 16 ? '0' : '') + c.toString(16); } return o; }
function ser(v) {
  if (v === null) return 'n';
  if (v === true) return 't';
  if (v === false) return 'f';
  if (typeof v === 'number') return '#' + String(v);
  if (typeof v === 'string') return 's' + hx(v) + ';';
  var o = '', i;
  if (v instanceof JsonObject) { for (i = 0; i < v.keys.length; i++) o += 's' + hx(v.keys[i]) + ';' + ser(v.values[i]); return '{' + o + '}'; }
  if (v instanceof Array) { for (i = 0; i < v.length; i++) o += ser(v[i]); return '[' + o + ']'; }
  return '?' + typeof v;
}
return ser;`;

/** SER_JS in Node. */
export const ser: (v: JsonValue) => string = new Function('JsonObject', SER_JS)(JsonObject);
