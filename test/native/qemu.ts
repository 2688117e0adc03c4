// Test helper for the native verifier: builds it (tools/native/build.sh) once per mocha process
// into a temporary folder and runs the qemu-arm harness on batches of cases.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { REPO } from '../util/shared';
import { NATIVE_ED25519_BASE64 } from '../../firmware/crypto/native-code.generated';
import { caseBytes } from '../../tools/native/count';

export interface NativeBuild {
  dir: string; // build output: harness, qg_verify.bin, native-code.generated.ts, qg_verify.su
  harness: string;
  committedBin: string; // the committed module's bytes, written out for the harness
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Why the native tests cannot run here, or undefined when they can. */
/**
 * A fuzz script's command line (test/native/*-fuzz.ts): --count N (default 100,000), --seed S
 * (default from the clock, printed by the script so that a run can be repeated), other options by
 * name. Exits 2, saying what is missing, without the toolchain and qemu-arm.
 */
export function fuzzCommandLine(name: string): { count: number; seed: number; opt: (o: string) => string | undefined } {
  const args = process.argv.slice(2);
  const opt = (o: string) => {
    const i = args.indexOf(o);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const why = missingTools();
  if (why) {
    console.error(`${name}: ${why}`);
    process.exit(2);
  }
  return { count: Number(opt('--count') || 100000), seed: opt('--seed') !== undefined ? Number(opt('--seed')) : (Date.now() % 1e9), opt };
}

export function missingTools(): string | undefined {
  const missing = ['arm-none-eabi-gcc', 'arm-none-eabi-objcopy', 'qemu-arm'].filter((c) => !has(c));
  if (missing.length === 0) return undefined;
  return `${missing.join(', ')} not installed (apt-get install -y gcc-arm-none-eabi binutils-arm-none-eabi qemu-user)`;
}

/** Skips the test (outside CI) or fails it (CI=1) when the ARM toolchain or qemu-arm is missing. */
export function requireTools(ctx: Mocha.Context): void {
  const why = missingTools();
  if (!why) return;
  if (process.env.CI) throw new Error(`native tests: ${why}`);
  console.log(`    (native tests skipped: ${why})`);
  ctx.skip();
}

let cached: NativeBuild | undefined;

export function nativeBuild(): NativeBuild {
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-native-'));
  const r = spawnSync(path.join(REPO, 'tools', 'native', 'build.sh'), [dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tools/native/build.sh failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const committedBin = path.join(dir, 'committed.bin');
  fs.writeFileSync(committedBin, Buffer.from(NATIVE_ED25519_BASE64, 'base64'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  cached = { dir, harness: path.join(dir, 'harness'), committedBin };
  return cached;
}

export interface Case {
  pub: Uint8Array;
  sig: Uint8Array;
  msg: Uint8Array;
  /** The message passed in pieces (native/harness/harness.c): 2 (a third, the rest) or 4 (empty, thirds). */
  pieces?: 2 | 4;
}

/** The harness' input: the cases in its framing (tools/native/count.ts caseBytes). */
export function frame(cases: Case[]): Buffer {
  return Buffer.concat(cases.map((c) => {
    if (c.pub.length !== 32 || c.sig.length !== 64) throw new Error('harness cases need a 32-byte key and 64-byte signature');
    const b = caseBytes(c.pub, c.sig, c.msg);
    if (c.pieces) b.writeUInt32LE((c.msg.length | (c.pieces === 4 ? 0xc0000000 : 0x80000000)) >>> 0, 0);
    return b;
  }));
}

export interface HarnessRun {
  verdicts: boolean[];
  stack: number;
  base: number;
  size: number;
}

/** Reads the harness' output: one verdict line per case ("1", "0", or "?" for any other return), then stack, base, size. */
function parseHarness(stdout: string, n: number): { lines: string[]; stack: number; base: number; size: number } {
  const lines = stdout.split('\n');
  const tail = lines.slice(n);
  const m = /^stack (\d+)\nbase 0x([0-9a-f]+)\nsize (\d+)\n$/.exec(tail.join('\n'));
  if (!m) throw new Error(`unexpected harness output tail: ${JSON.stringify(tail.join('\n').slice(0, 300))}`);
  return { lines: lines.slice(0, n), stack: Number(m[1]), base: parseInt(m[2], 16), size: Number(m[3]) };
}

function harnessArgs(opts: { bin?: string; offset?: number }): string[] {
  const b = nativeBuild();
  const args = [b.harness, opts.bin || b.committedBin];
  if (opts.offset !== undefined) args.push(String(opts.offset));
  return args;
}

/** Runs all cases in one qemu-arm process on the committed code (or `bin`), loaded at `offset`. */
export function runHarness(cases: Case[], opts: { bin?: string; offset?: number } = {}): HarnessRun {
  const r = spawnSync('qemu-arm', harnessArgs(opts), { input: frame(cases), encoding: 'latin1', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`harness failed (${r.status}, signal ${r.signal}): ${r.stdout}${r.stderr}`);
  const p = parseHarness(r.stdout, cases.length);
  const verdicts = p.lines.map((l, i) => {
    if (l !== '0' && l !== '1') throw new Error(`case ${i}: harness answered ${JSON.stringify(l)}`);
    return l === '1';
  });
  return { verdicts, stack: p.stack, base: p.base, size: p.size };
}

export interface HarnessAnswers {
  /** Per case: "1" (valid), "0" (invalid) or "?" (the code returned something else). */
  answers: string[];
  stack: number;
  base: number;
  size: number;
}

/**
 * runHarness without blocking: the qemu-arm process works while the caller computes (the fuzz
 * computes the TypeScript verdicts meanwhile). Answers other than 0/1 are returned, not thrown.
 */
export function startHarness(cases: Case[], opts: { bin?: string; offset?: number } = {}): Promise<HarnessAnswers> {
  const args = harnessArgs(opts);
  const input = frame(cases);
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-arm', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('latin1');
    child.stdout.on('data', (d: string) => (out += d));
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`harness failed (${code}, signal ${signal}): ${out.slice(-300)}${err.slice(-300)}`));
      try {
        const p = parseHarness(out, cases.length);
        resolve({ answers: p.lines, stack: p.stack, base: p.base, size: p.size });
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.on('error', () => undefined); // a harness that dies early: reported by 'close'
    child.stdin.end(input);
  });
}
