// Counts the ARM instructions the native inflate (the committed code,
// firmware/native-inflate.generated.ts) executes for one stream: the inflate harness
// (native/harness/inflate-harness.c, built by tools/native/build-inflate.sh) runs under qemu-arm
// with one instruction per translation block and an execution trace, and the traced program
// counters inside the loaded code are counted (as tools/native/count.ts does for the verifier).
//
//   npx tsx tools/native/count-inflate.ts [--json]
//
// Default stream: the deflate data of data/divoc/samples/dose2.qr.txt's zip (the board-time
// model's DIVOC sample). Needs qemu-arm.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { NATIVE_INFLATE_BASE64 } from '../../firmware/native-inflate.generated';
import { ROOT } from '../root';
import { singleStepFlag, tracedPcs } from './count';

export interface InflateCount {
  instructions: number;
  result: number;
  outBytes: number;
  stackBytes: number;
  codeBytes: number;
}

/** The deflate data and inflated size of a DIVOC sample's zip (default dose2, the bench's sample). */
export function divocSampleStream(name = 'dose2'): { src: Buffer; size: number } {
  const t = fs.readFileSync(path.join(ROOT, 'data', 'divoc', 'samples', `${name}.qr.txt`), 'utf8').trim();
  const zip = Buffer.from(t.replace(/^B64:/, ''), 'base64');
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return { src: zip.subarray(start, start + zip.readUInt32LE(18)), size: zip.readUInt32LE(22) };
}

export function countInflate(opts: { src?: Buffer; max?: number; harness?: string } = {}): Promise<InflateCount> {
  const s = opts.src ? { src: opts.src, size: opts.max || 4096 } : divocSampleStream();
  const harness = opts.harness || path.join(ROOT, 'build', 'native', 'inflate-harness');
  if (!fs.existsSync(harness)) throw new Error(`${harness} missing: run tools/native/build-inflate.sh`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-inflate-count-'));
  const bin = path.join(tmp, 'code.bin');
  fs.writeFileSync(bin, Buffer.from(NATIVE_INFLATE_BASE64, 'base64'));
  const flag = singleStepFlag();
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-arm', [flag, '-d', 'exec,nochain', harness, bin], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pcs: number[] = [];
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    tracedPcs(child, (pc) => pcs.push(pc));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(tmp, { recursive: true, force: true });
      const o = Buffer.concat(out);
      if (code !== 0) return reject(new Error(`inflate harness exited with ${code}`));
      const ret = o.readInt32LE(0);
      const outBytes = ret >= 0 ? ret & 0xffff : 0;
      const m = /stack (\d+) base 0x([0-9a-f]+) size (\d+)\n$/.exec(o.subarray(4 + outBytes).toString('latin1'));
      if (!m) return reject(new Error('unexpected harness output'));
      const base = parseInt(m[2], 16), size = Number(m[3]);
      const inside = pcs.filter((pc) => pc >= base && pc < base + size).length;
      resolve({ instructions: inside, result: ret, outBytes, stackBytes: Number(m[1]), codeBytes: size });
    });
    const h = Buffer.alloc(8);
    h.writeUInt32LE(s.src.length, 0);
    h.writeUInt32LE(s.size, 4);
    child.stdin.end(Buffer.concat([h, s.src]));
  });
}

if (require.main === module) {
  countInflate().then((r) => {
    if (process.argv.includes('--json')) return console.log(JSON.stringify(r));
    console.log(`native inflate (dose2: ${r.outBytes} bytes out): ${r.instructions} instructions, stack ${r.stackBytes} bytes, code ${r.codeBytes} bytes`);
    if (r.result < 0) process.exitCode = 1;
  }).catch((e) => { console.error(String(e.message || e)); process.exitCode = 2; });
}
