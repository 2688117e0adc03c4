// Test helper for the native inflate (native/inflate): builds it (tools/native/build-inflate.sh)
// once per process into a temporary folder, runs batches of cases through the qemu-arm harness
// (native/harness/inflate-harness.c) on the committed bytes (firmware/native-inflate.generated.ts),
// and compares each result with the TypeScript reference, proto/inflate.ts inflateRaw.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO } from '../util/shared';
import { NATIVE_INFLATE_BASE64 } from '../../firmware/native-inflate.generated';
import { inflateRaw } from '../../proto/inflate';

/** native/inflate/qg_inflate.c's error codes (QGI_E_*, -code - 1 is the index) and proto/inflate.ts' messages. */
export const NATIVE_INFLATE_ERRORS = [
  'bad arguments', 'inflate: input ends early', 'inflate: output too large', 'inflate: bad stored length',
  'inflate: bad code', 'inflate: bad length code', 'inflate: bad distance code', 'inflate: distance too far',
  'inflate: bad counts', 'inflate: over-subscribed code', 'inflate: incomplete code length code',
  'inflate: repeat with no first length', 'inflate: too many lengths', 'inflate: no end-of-block code',
  'inflate: incomplete literal code', 'inflate: incomplete distance code', 'inflate: too many blocks',
  'inflate: bad block type',
];

export interface InflateCase {
  src: Uint8Array;
  max: number;
}

/** One outcome, native or TypeScript, in a form deepEqual compares. */
export interface Outcome {
  error?: string;
  used?: number;
  data?: string; // hex
}

interface Build {
  dir: string;
  harness: string;
  committedBin: string;
  builtBin: string;
}

let cached: Build | undefined;

export function inflateBuild(): Build {
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-inflate-'));
  const r = spawnSync(path.join(REPO, 'tools', 'native', 'build-inflate.sh'), [dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tools/native/build-inflate.sh failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const committedBin = path.join(dir, 'committed.bin');
  fs.writeFileSync(committedBin, Buffer.from(NATIVE_INFLATE_BASE64, 'base64'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  cached = { dir, harness: path.join(dir, 'inflate-harness'), committedBin, builtBin: path.join(dir, 'qg_inflate.bin') };
  return cached;
}

export interface InflateRun {
  outcomes: Outcome[];
  stack: number;
  base: number;
  size: number;
}

/** Runs all cases in one qemu-arm process on the committed code (or `bin`) loaded at `offset`. */
export function runInflate(cases: InflateCase[], opts: { bin?: string; offset?: number } = {}): InflateRun {
  const b = inflateBuild();
  const args = [b.harness, opts.bin || b.committedBin];
  if (opts.offset !== undefined) args.push(String(opts.offset));
  const input = Buffer.concat(cases.map((c) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(c.src.length, 0);
    h.writeUInt32LE(c.max, 4);
    return Buffer.concat([h, Buffer.from(c.src)]);
  }));
  const r = spawnSync('qemu-arm', args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`inflate harness failed (${r.status}, signal ${r.signal}): ${r.stdout.toString('latin1').slice(-300)}${r.stderr}`);
  const out = r.stdout as Buffer;
  const outcomes: Outcome[] = [];
  let p = 0;
  for (let i = 0; i < cases.length; i++) {
    const ret = out.readInt32LE(p);
    p += 4;
    if (ret < 0) {
      outcomes.push({ error: NATIVE_INFLATE_ERRORS[-ret - 1] || `code ${ret}` });
    } else {
      const len = ret & 0xffff;
      outcomes.push({ used: ret >>> 16, data: out.subarray(p, p + len).toString('hex') });
      p += len;
    }
  }
  const m = /^stack (\d+) base 0x([0-9a-f]+) size (\d+)\n$/.exec(out.subarray(p).toString('latin1'));
  if (!m) throw new Error(`unexpected harness output tail: ${JSON.stringify(out.subarray(p).toString('latin1').slice(0, 200))}`);
  return { outcomes, stack: Number(m[1]), base: parseInt(m[2], 16), size: Number(m[3]) };
}

/** What proto/inflate.ts does with the case. */
export function reference(c: InflateCase): Outcome {
  try {
    const r = inflateRaw(c.src, c.max);
    return { used: r.used, data: Buffer.from(r.data).toString('hex') };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Cases where the native and TypeScript outcomes differ (at most `limit` listed). */
export function differences(cases: InflateCase[], run: InflateRun, limit = 5): string[] {
  const bad: string[] = [];
  cases.forEach((c, i) => {
    const want = reference(c);
    const got = run.outcomes[i];
    if (JSON.stringify(want) !== JSON.stringify(got) && bad.length < limit) {
      bad.push(`case ${i} (src ${Buffer.from(c.src).toString('hex').slice(0, 400)}, max ${c.max}): ts ${JSON.stringify(want).slice(0, 200)} native ${JSON.stringify(got).slice(0, 200)}`);
    }
  });
  return bad;
}
