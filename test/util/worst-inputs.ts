// The worst scanned texts we could build against the work done before any signature is checked
// (issue 17 item 5): each is unsigned and must end in a refusal with bounded memory and work. Used
// by test/firmware/decide.limits.test.ts (host modules and the simulator) and test/real/limits.test.ts
// (the real interpreter, peak variables). All fit scanner.maxLen's top (4096) so that the scanner
// hands them to the decoder; a gate configured with the default 2048 drops the longer ones sooner.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { makeZip, SAMPLES } from './divoc';
import { base45Encode } from '../../proto/base45';

export interface WorstInput {
  name: string;
  /** What it attacks. */
  what: string;
  /** The scanned text. */
  text: string;
  /** The refusal expected (decision/reason), and the decoder error expected (a RegExp source). */
  decision: string;
  reason: string;
  error: string;
}

const b64 = (json: string | Buffer, o: Parameters<typeof makeZip>[1] = {}) =>
  'B64:' + makeZip(Buffer.isBuffer(json) ? json : Buffer.from(json, 'latin1'), o).toString('base64');

/** `[item,item,...]` as long as it stays within n bytes. */
function list(item: string, n: number, open = '[', close = ']'): string {
  const k = Math.floor((n - open.length - close.length + 1) / (item.length + 1));
  return open + Array(k).fill(item).join(',') + close;
}

/** A deflate stream of `count` empty stored blocks (not final), then a final fixed block holding `tail`. */
function emptyBlocks(count: number, tail: Buffer): Buffer {
  const empty = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]); // BFINAL 0, BTYPE 00, LEN 0, NLEN ffff
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(empty);
  parts.push(zlib.deflateRawSync(tail, { strategy: zlib.constants.Z_FIXED }));
  return Buffer.concat(parts);
}

/** A stored block (not final) of `head`, then the final block of deflate(tail): ratio kept low by the stored part. */
function storedThen(head: Buffer, tail: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = 0x00;
  h.writeUInt16LE(head.length, 1);
  h.writeUInt16LE(~head.length & 0xffff, 3);
  return Buffer.concat([h, head, zlib.deflateRawSync(tail)]);
}

/**
 * `B64:` of a zip whose deflate stream starts with a stored block of the first 360 bytes: a JSON text
 * of up to 4 KB, however compressible, passes the zip's ratio limit and reaches the JSON parser.
 */
function toParser(json: string): string {
  const b = Buffer.from(json, 'latin1');
  return b64(b, { data: storedThen(b.subarray(0, 360), b.subarray(360)) });
}

/** A DIVOC sample with credentialSubject.name an array of n distinct strings (many statements); unsigned as changed. */
function manyStatements(n: number): string {
  const doc = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'dose2.json'), 'utf8'));
  doc.credentialSubject.name = Array.from({ length: n }, (_, i) => 'N' + i);
  return JSON.stringify(doc);
}

/** A QG1 text of a 512-byte message that is one CBOR array of 509 zeros. */
function qg1Items(): string {
  const b = Buffer.alloc(512);
  b[0] = 0x99;
  b.writeUInt16BE(509, 1);
  return 'QG1:' + base45Encode(new Uint8Array(b));
}

/** A QG1 text of a 512-byte message holding one CBOR map of 169 int keys. */
function qg1Map(): string {
  const parts = [Buffer.from([0xb8, 169])];
  for (let i = 0; i < 169; i++) parts.push(Buffer.from([0x18, i + 24, 0x00]));
  const b = Buffer.concat(parts);
  return 'QG1:' + base45Encode(new Uint8Array(Buffer.concat([b, Buffer.alloc(512 - b.length)])));
}

export function worstInputs(): WorstInput[] {
  const bomb = Buffer.from(list('{}', 8192)); // the reproduction: 8 KB of small objects
  const out: WorstInput[] = [
    { name: 'repro-8k-objects', what: 'the reproduction: a short text inflating to 8 KB of {} (about 22,000 variables before)', text: b64(bomb), decision: 'deny', reason: 'malformed', error: 'zip: entry too large' },
    { name: 'deep', what: '[[[[... 2048 levels (4 KB)', text: toParser('['.repeat(2048) + ']'.repeat(2048)), decision: 'deny', reason: 'malformed', error: 'json: too deep' },
    { name: 'objects', what: '[{},{},...] 4 KB', text: toParser(list('{}', 4096)), decision: 'deny', reason: 'malformed', error: 'json: too many values' },
    { name: 'numbers', what: '[0,0,...] 4 KB', text: toParser(list('0', 4096)), decision: 'deny', reason: 'malformed', error: 'json: too many values' },
    { name: 'keys', what: '{"k0":0,"k1":0,...} 400 keys (a quadratic duplicate-key check)', text: toParser('{' + Array.from({ length: 400 }, (_, i) => `"k${i}":0`).join(',') + '}'), decision: 'deny', reason: 'malformed', error: 'json: too many keys' },
    { name: 'objects-of-47-keys', what: '[{47 keys},...] within the value limit', text: b64('[' + Array.from({ length: 5 }, (_, j) => '{' + Array.from({ length: 47 }, (_, i) => `"k${i}":${j}`).join(',') + '}').join(',') + ']'), decision: 'deny', reason: 'malformed', error: 'divoc: document missing' },
    { name: 'long-string', what: 'one 4 KB string', text: toParser('"' + 'a'.repeat(4094) + '"'), decision: 'deny', reason: 'malformed', error: 'divoc: document missing' },
    { name: 'zip-bomb', what: 'a 1 MB deflate bomb declared as 1 MB', text: b64(Buffer.alloc(1 << 20, 0x20)), decision: 'deny', reason: 'malformed', error: 'zip: entry too large' },
    { name: 'zip-bomb-ratio', what: 'a 64 KB bomb declared as 4 KB (ratio 250:1)', text: b64(Buffer.alloc(4096, 0x20), { data: zlib.deflateRawSync(Buffer.alloc(65536, 0x20)) }), decision: 'deny', reason: 'malformed', error: 'zip: compression ratio too high' },
    { name: 'zip-bomb-stored-prefix', what: 'a 64 KB bomb behind a stored block (ratio within the limit, output over the declared size)', text: b64(Buffer.alloc(4096, 0x20), { data: storedThen(Buffer.alloc(400, 0x20), Buffer.alloc(65536, 0x20)) }), decision: 'deny', reason: 'malformed', error: 'inflate: output too large' },
    { name: 'empty-blocks', what: '400 empty stored blocks', text: b64(Buffer.from('{}'), { data: emptyBlocks(400, Buffer.from('{}')) }), decision: 'deny', reason: 'malformed', error: 'inflate: too many blocks' },
    { name: 'base64-4096', what: '4096 chars of base64 (the longest text the scanner passes)', text: 'B64:' + 'A'.repeat(4092), decision: 'deny', reason: 'malformed', error: 'zip: not a local file header' },
    { name: 'statements', what: 'a signed sample with 190 names: many N-Quads statements, then the signature', text: b64(manyStatements(190)), decision: 'deny', reason: 'malformed', error: 'divoc: too many statements' },
    { name: 'qg1-items', what: 'QG1: a 512-byte CBOR array of 509 items', text: qg1Items(), decision: 'deny', reason: 'malformed', error: 'too many items' },
    { name: 'qg1-map', what: 'QG1: a 512-byte message with a 169-key CBOR map', text: qg1Map(), decision: 'deny', reason: 'malformed', error: 'too many items' },
  ];
  return out;
}

/**
 * The worst texts within a board's own DIVOC bounds (boards/<name>.ts features.divocMax: text
 * chars, inflated bytes, JSON values), for that board's memory (test/real/stores.test.ts): the
 * largest document they let through to the statements, the hashes and the signature check (a
 * sample with as many names as the values allow: unsigned as changed), and the largest texts of
 * small values, of one string and of keys that its parser refuses.
 */
export function worstWithin(max: { text: number; inflated: number; values: number }): WorstInput[] {
  const base = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'dose2.json'), 'utf8'));
  const values = (v: any): number => (v && typeof v === 'object' ? Object.keys(v).reduce((n, k) => n + values(v[k]), 1) : 1);
  // the sample's values less its name, plus the names' array: n names take values(base) + n
  let n = max.values - values(base);
  while (n > 0 && (manyStatements(n).length > max.inflated || b64(manyStatements(n)).length - 4 > max.text)) n--;
  const fit = (json: (k: number) => string) => {
    let k = max.inflated;
    while (k > 2 && Buffer.byteLength(json(k), 'latin1') > max.inflated) k--;
    return json(k);
  };
  return [
    { name: 'within-statements', what: `a sample with ${n} names: ${max.values} JSON values, the statements, the hashes, the signature`, text: b64(manyStatements(n)), decision: 'deny', reason: 'bad-signature', error: '' },
    { name: 'within-objects', what: `[{},{},...] of ${max.inflated} bytes`, text: toParser(fit((k) => list('{}', k))), decision: 'deny', reason: 'malformed', error: 'json: too many values' },
    { name: 'within-string', what: `one string of ${max.inflated} bytes`, text: toParser(fit((k) => '"' + 'a'.repeat(k - 2) + '"')), decision: 'deny', reason: 'malformed', error: 'divoc: document missing' },
    { name: 'within-keys', what: `{"k0":0,...} of ${max.inflated} bytes`, text: toParser(fit((k) => '{' + Array.from({ length: Math.floor(k / 8) }, (_, i) => `"k${i}":0`).join(',') + '}')), decision: 'deny', reason: 'malformed', error: 'json: too many' },
  ];
}
