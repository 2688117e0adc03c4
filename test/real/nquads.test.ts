// DIVOC's canonical N-Quads (proto/divoc/nquads.ts) on the REAL interpreter (ESPRUINO=/path/to/espruino),
// bundled as the gate's are: the native pre-checks (Espruino's RegExp) against the loops over the
// chars they stand in for, on every char 0..255 (and a few above) in several places and on random
// byte strings; the interpreter's own sort() of ASCII lines against the comparator; and the
// canonical N-Quads of generated certificates made with the built-ins (sort, join, E.toUint8Array)
// against the same code in Node (which test/proto/divoc/nquads.test.ts compares with jsonld).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { REPO } from '../util/shared';
import { onInterpreter, hostFiles, seedAndRun, bundleProgram } from './interp';
import { sampleJson, asciiJson } from '../util/divoc';
import { firstEscapeLoop, iriCharsBadLoop, hasNonAsciiLoop, canonicalDocument, canonicalProofOptions } from '../../proto/divoc/nquads';
import { parseJsonBytes, JsonObject } from '../../proto/json';
import { sha256 } from '../../firmware/crypto/sha256';

const SKIP_MSG = 'skipped: set ESPRUINO=/path/to/espruino to run the DIVOC N-Quads on the real interpreter';

/** Each line of qg.cases: `e HEX` (a string), `s HEX,HEX,...` (lines to sort), `c HEX` (certificate JSON). */
const ENTRY = (tsc: string) => `
import { firstEscape, firstEscapeLoop, iriCharsBad, iriCharsBadLoop, hasNonAsciiLoop, Graph, canonicalBytes, documentGraph, proofOptionsGraph } from ${JSON.stringify(tsc + '/proto/divoc/nquads.js')};
import { parseJsonBytes } from ${JSON.stringify(tsc + '/proto/json.js')};
import { fromHex, hexOf, bytesToByteString } from ${JSON.stringify(tsc + '/proto/bytes.js')};
import { sha256 } from ${JSON.stringify(tsc + '/firmware/crypto/sha256.js')};
import { builtins } from ${JSON.stringify(tsc + '/hal/espruino/builtins.js')};
var nat = builtins();
var lines = require('Storage').read('qg.cases').split('\\n');
var n = 0;
for (var i = 0; i < lines.length; i++) {
  var k = lines[i].charAt(0);
  if (k === 'e') {
    var s = bytesToByteString(fromHex(lines[i].substr(2)));
    if (lines[i].charAt(1) === 'u') s = s + String.fromCharCode(0x100 + (n % 300)); // above 255 (the Linux build's Unicode strings)
    var g = new Graph(false);
    g.literal(s);
    print('@e ' + n + ' ' + firstEscape(s) + ' ' + firstEscapeLoop(s) + ' ' + iriCharsBad(s, 0) + ' ' + iriCharsBadLoop(s, 0) + ' ' + g.ascii + ' ' + !hasNonAsciiLoop(s));
  } else if (k === 's') {
    var ls = lines[i].substr(2).split(',').map(function (h) { return bytesToByteString(fromHex(h)); });
    var a = ls.slice(), b = ls.slice();
    a.sort();
    b.sort(function (x, y) { return x < y ? -1 : x > y ? 1 : 0; });
    print('@s ' + n + ' ' + (a.join('\\n') === b.join('\\n')));
  } else if (k === 'c') {
    var r;
    try {
      var doc = parseJsonBytes(fromHex(lines[i].substr(2)));
      var opt = canonicalBytes(proofOptionsGraph(doc.get('proof')), sha256, nat.bytes);
      r = hexOf(sha256(canonicalBytes(documentGraph(doc, true), sha256, nat.bytes))) + ' ' + hexOf(sha256(opt));
    } catch (e) {
      r = 'E ' + e.message;
    }
    print('@c ' + n + ' ' + r);
  } else continue;
  n++;
}
print('@done ' + n + ' ' + (nat ? 'builtins' : 'none'));
`;

interface Case { kind: 'e' | 'eu' | 's' | 'c'; hex: string; want: string }

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u007f', 'é', 'ß', '中', '😀', '\uE000', 'a', ' ', 'Z'), { maxLength: 6 }).map((a) => a.join('')),
);

function cases(): Case[] {
  const out: Case[] = [];
  const str = (b: Buffer, unicode: boolean) => out.push({ kind: unicode ? 'eu' : 'e', hex: b.toString('hex'), want: '' });
  for (let c = 0; c < 256; c++) {
    for (const [pre, post] of [['', ''], ['ab', 'cd'], ['https://x.org/', '']]) str(Buffer.concat([Buffer.from(pre), Buffer.from([c]), Buffer.from(post)]), false);
  }
  for (let c = 0; c < 20; c++) str(Buffer.from('abc'), true);
  for (const b of fc.sample(fc.uint8Array({ maxLength: 40 }), { numRuns: 300, seed: 21 })) str(Buffer.from(b), false);
  for (const b of fc.sample(fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 30 }), { numRuns: 200, seed: 22 })) str(Buffer.from(b), false);
  // ASCII lines, many sharing prefixes (as N-Quads lines do)
  const line = fc.array(fc.constantFrom('_:c14n', '<https://', 'schema.org/', '1', '10', '2', ' ', '"', 'a', 'Z', '~', '.', '\t', '\n'), { maxLength: 8 }).map((a) => a.join(''));
  for (const ls of fc.sample(fc.array(line, { maxLength: 50 }), { numRuns: 150, seed: 23 })) {
    out.push({ kind: 's', hex: ls.map((l) => Buffer.from(l, 'latin1').toString('hex') || '').join(','), want: 'true' });
  }
  // certificates: the samples with changed names, ids and addresses (ASCII and not), as UTF-8 JSON.
  // (Not a non-ASCII char after an escaped one in a string: proto/json.ts then makes other bytes
  // than Node on the Linux build only (its Unicode strings), before these changes as after; boards
  // have no Unicode strings.)
  const certText = fc.oneof(
    fc.array(fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u007f', 'a', ' ', 'Z', '<', '>'), { maxLength: 6 }).map((a) => a.join('')),
    fc.array(fc.constantFrom('é', 'ß', '中', '😀', '\uE000', '\uFFFD', 'a', ' ', 'Z'), { maxLength: 6 }).map((a) => a.join('')),
  );
  const certs = fc.sample(fc.record({ sample: fc.constantFrom('dose1', 'dose2', 'dose3'), name: certText, city: certText, batch: certText, ascii: fc.constant(false) }), { numRuns: 40, seed: 24 });
  for (const c of certs) {
    const j = sampleJson(c.sample);
    j.credentialSubject.name = c.name;
    if (j.credentialSubject.address) j.credentialSubject.address.city = c.city;
    const ev = Array.isArray(j.evidence) ? j.evidence[0] : j.evidence;
    ev.batch = c.batch;
    const json = Buffer.from(c.ascii ? asciiJson(j) : JSON.stringify(j), 'utf8');
    const h = (s: string) => crypto.createHash('sha256').update(Buffer.from(s, 'latin1')).digest('hex');
    let want: string;
    try {
      const doc = parseJsonBytes(new Uint8Array(json)) as JsonObject;
      want = h(canonicalDocument(doc, sha256)) + ' ' + h(canonicalProofOptions(doc.get('proof') as JsonObject, sha256));
    } catch (e: any) {
      want = 'E ' + e.message;
    }
    out.push({ kind: 'c', hex: json.toString('hex'), want });
  }
  return out;
}

describe('espruino: DIVOC canonical N-Quads with the interpreter\'s own operations', function () {
  this.timeout(20 * 60 * 1000);
  const all = cases();
  let out = '';

  onInterpreter('qg-nquads-', SKIP_MSG, async (bin, work) => {
    const prog = bundleProgram(work, ENTRY);
    const lines = all.map((c) => `${c.kind === 'eu' ? 'eu' : c.kind + ' '}${c.hex}`).join('\n') + '\n';
    const files = hostFiles(work, { 'qg.cases': new Uint8Array(Buffer.from(lines, 'latin1')) });
    out = await seedAndRun(bin, path.join(work, 'run'), files, prog, /@done [^\n]*\n/, 15 * 60 * 1000);
  });

  function results(tag: string): Map<number, string[]> {
    const m = new Map<number, string[]>();
    for (const l of out.split('\n')) if (l.startsWith(tag + ' ')) { const p = l.split(' '); m.set(+p[1], p.slice(2)); }
    return m;
  }

  it('has the built-ins and ran every case', () => {
    assert.match(out, new RegExp(`@done ${all.length} builtins`), out.slice(-2000));
  });
  it('the RegExp pre-checks answer as the loops, for every char and random byte strings', () => {
    const r = results('@e');
    let n = 0;
    all.forEach((c, i) => {
      if (c.kind !== 'e' && c.kind !== 'eu') return;
      const x = r.get(i);
      assert.ok(x, `case ${i} missing`);
      const [fe, fel, ib, ibl, asc, ascl] = x!;
      assert.equal(fe, fel, `firstEscape ${c.hex}${c.kind}`);
      assert.equal(ib, ibl, `iriCharsBad ${c.hex}${c.kind}`);
      assert.equal(asc, ascl, `ascii ${c.hex}${c.kind}`);
      if (c.kind === 'e') {
        // and the loops on the interpreter answer as in Node
        const s = Buffer.from(c.hex, 'hex').toString('latin1');
        assert.equal(+fel, firstEscapeLoop(s));
        assert.equal(ibl, String(iriCharsBadLoop(s, 0)));
        assert.equal(ascl, String(!hasNonAsciiLoop(s)));
      }
      n++;
    });
    assert.ok(n > 1000);
  });
  it('sort() without a comparator orders ASCII lines as the comparator does', () => {
    const r = results('@s');
    all.forEach((c, i) => { if (c.kind === 's') assert.deepEqual(r.get(i), ['true'], c.hex); });
  });
  it('the canonical N-Quads made with the built-ins are the bytes Node makes', () => {
    const r = results('@c');
    let ok = 0;
    all.forEach((c, i) => {
      if (c.kind !== 'c') return;
      assert.equal((r.get(i) || []).join(' '), c.want, `certificate ${i}`);
      if (!c.want.startsWith('E')) ok++;
    });
    assert.ok(ok >= 30, `${ok} certificates compared`);
  });
});
