// Inputs for the native inflate's differential runs (test/native/inflate.test.ts in make test,
// test/native/inflate-fuzz.ts in make fuzz): every fixture the firmware inflates, zlib's streams
// at every level and strategy, and seeded random and mutated streams.
import { DIVOC_DATA_BASE64, DIVOC_DATA_SIZE } from '../../proto/divoc/table-data.generated';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { REPO } from '../util/shared';
import { InflateCase } from './inflate-qemu';

/** Deterministic 32-bit generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The deflate data inside a zip's first entry (local header at 0). */
export function zipDeflateData(zip: Buffer): Buffer {
  const nameLen = zip.readUInt16LE(26), extraLen = zip.readUInt16LE(28), csize = zip.readUInt32LE(18);
  const start = 30 + nameLen + extraLen;
  return zip.subarray(start, start + csize);
}

/** The DIVOC samples' zips (data/divoc/samples/*.qr.txt, "B64:" + base64 of the zip). */
export function divocZips(): { name: string; zip: Buffer }[] {
  const dir = path.join(REPO, 'data', 'divoc', 'samples');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.qr.txt')).sort().map((f) => {
    const t = fs.readFileSync(path.join(dir, f), 'utf8').trim();
    return { name: f, zip: Buffer.from(t.replace(/^B64:/, ''), 'base64') };
  });
}

/** Texts like those the gate inflates: the DIVOC samples' JSON and the JSON-LD contexts. */
export function plainTexts(): Buffer[] {
  const out: Buffer[] = [];
  for (const sub of ['samples', 'contexts']) {
    const dir = path.join(REPO, 'data', 'divoc', sub);
    for (const f of fs.readdirSync(dir).sort()) if (/\.(json|jsonld)$/.test(f)) out.push(fs.readFileSync(path.join(dir, f)));
  }
  return out;
}

const STRATEGIES = [zlib.constants.Z_DEFAULT_STRATEGY, zlib.constants.Z_FILTERED, zlib.constants.Z_HUFFMAN_ONLY, zlib.constants.Z_RLE, zlib.constants.Z_FIXED];

/** Every fixture: the samples' own deflate data, and zlib's streams of every text at every level and strategy (texts cut to 8 KB). */
export function fixtureCases(): { label: string; c: InflateCase }[] {
  const out: { label: string; c: InflateCase }[] = [];
  for (const z of divocZips()) {
    const d = zipDeflateData(z.zip);
    const usize = z.zip.readUInt32LE(22);
    out.push({ label: `${z.name} (usize ${usize})`, c: { src: new Uint8Array(d), max: usize } });
    out.push({ label: `${z.name} one byte short`, c: { src: new Uint8Array(d), max: usize - 1 } });
    out.push({ label: `${z.name} at 4096`, c: { src: new Uint8Array(d), max: 4096 } });
  }
  // DIVOC's context table as data, as `qrgate flash` writes it (qg.divoc: the WiFi inflates it natively)
  const table = new Uint8Array(Buffer.from(DIVOC_DATA_BASE64, 'base64'));
  out.push({ label: `qg.divoc (usize ${DIVOC_DATA_SIZE})`, c: { src: table, max: DIVOC_DATA_SIZE } });
  out.push({ label: 'qg.divoc one byte short', c: { src: table, max: DIVOC_DATA_SIZE - 1 } });
  plainTexts().forEach((t, i) => {
    const text = t.subarray(0, 8192);
    for (let level = 0; level <= 9; level++) {
      for (const strategy of STRATEGIES) {
        const d = zlib.deflateRawSync(text, { level, strategy });
        out.push({ label: `text ${i} level ${level} strategy ${strategy}`, c: { src: new Uint8Array(d), max: 8192 } });
      }
    }
  });
  return out;
}

/** A random source text: bytes, a small alphabet (long matches), or a slice of a fixture text. */
function randomText(r: () => number, texts: Buffer[]): Buffer {
  const kind = r() % 4;
  const n = r() % 3000;
  if (kind === 0) return Buffer.from(Array.from({ length: n }, () => r() & 255));
  if (kind === 1) {
    const alpha = 'ab "name":{}[],0123\n\u00e9'.split('');
    const k = 1 + (r() % alpha.length);
    return Buffer.from(Array.from({ length: n }, () => alpha[r() % k]).join(''));
  }
  const t = texts[r() % texts.length];
  const at = r() % t.length;
  return t.subarray(at, at + n);
}

/** One mutation: bit flips, byte sets, a cut, an insertion or a deletion. */
function mutate(r: () => number, d: Buffer): Buffer {
  let m = Buffer.from(d);
  const times = 1 + (r() % 4);
  for (let i = 0; i < times && m.length > 0; i++) {
    const at = r() % m.length;
    switch (r() % 6) {
      case 0: case 1: m[at] ^= 1 << (r() % 8); break;
      case 2: m[at] = r() & 255; break;
      case 3: m = m.subarray(0, at); break;
      case 4: m = Buffer.concat([m.subarray(0, at), Buffer.from([r() & 255]), m.subarray(at)]); break;
      default: m = Buffer.concat([m.subarray(0, at), m.subarray(at + 1 + (r() % 4))]);
    }
  }
  return m;
}

/** A limit around the true size (exact, short, long) or a random one. */
function randomMax(r: () => number, size: number): number {
  switch (r() % 4) {
    case 0: return size;
    case 1: return Math.max(0, size - 1 - (r() % 8));
    case 2: return 4096;
    default: return r() % 9000;
  }
}

/**
 * `n` cases from `seed`: a quarter valid zlib streams, half mutated ones, a quarter random bytes
 * (whose first bits choose a block type, so most reach the block decoders).
 */
export function randomCases(seed: number, n: number): InflateCase[] {
  const r = rng(seed);
  const texts = plainTexts();
  const zips = divocZips().map((z) => zipDeflateData(z.zip));
  const out: InflateCase[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r() % 4;
    if (kind === 3) {
      const len = r() % (r() % 2 ? 40 : 2000);
      const b = Buffer.from(Array.from({ length: len }, () => r() & 255));
      out.push({ src: new Uint8Array(b), max: randomMax(r, 4096) });
      continue;
    }
    let text: Buffer, d: Buffer;
    if (r() % 8 === 0) {
      d = zips[r() % zips.length];
      text = Buffer.alloc(1500);
    } else {
      text = randomText(r, texts);
      d = zlib.deflateRawSync(text, { level: r() % 10, strategy: STRATEGIES[r() % STRATEGIES.length] });
    }
    if (kind !== 0) d = mutate(r, d);
    if (d.length >= 32768) d = d.subarray(0, 32767);
    out.push({ src: new Uint8Array(d), max: randomMax(r, text.length) });
  }
  return out;
}
