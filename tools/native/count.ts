// Counts the ARM instructions one native Ed25519 verification executes, by running the harness
// under qemu-arm with one instruction per translation block and an execution trace
// (`-d exec,nochain`), and counting the traced program counters that fall inside the loaded
// verifier (the harness prints where it loaded it). The harness' own work is outside that range.
//
//   npx tsx tools/native/count.ts [--msglen N] [--bin CODE.bin] [--harness PATH] [--json]
//
// By default it counts the committed code (firmware/crypto/native-code.generated.ts) with the
// harness built by tools/native/build.sh in build/native. Needs qemu-arm (Debian qemu-user).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import nacl from 'tweetnacl';
import { NATIVE_ED25519_BASE64 } from '../../firmware/crypto/native-code.generated';
import { ROOT } from '../root';

export interface CountResult {
  msglen: number;
  verdict: string;
  instructions: number; // executed inside the verifier's code
  totalInstructions: number; // the whole harness run, for reference
  stackBytes: number;
  codeBytes: number;
  qemuFlag: string;
}

/** `-one-insn-per-tb` (qemu >= 8.1) or the older `-singlestep`. */
export function singleStepFlag(qemu = 'qemu-arm'): string {
  const help = spawnSync(qemu, ['-h'], { encoding: 'utf8' });
  if (help.error) throw new Error(`${qemu} not found (apt-get install -y qemu-user)`);
  return /-one-insn-per-tb/.test(help.stdout) ? '-one-insn-per-tb' : '-singlestep';
}

/** One case in the harness' framing: msglen (u32 LE), pub, sig, msg. */
export function caseBytes(pub: Uint8Array, sig: Uint8Array, msg: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32LE(msg.length);
  return Buffer.concat([h, Buffer.from(pub), Buffer.from(sig), Buffer.from(msg)]);
}

/** A signed message of msglen bytes under a fixed key (deterministic). */
export function sampleCase(msglen: number): Buffer {
  const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(0x51));
  const msg = new Uint8Array(msglen);
  for (let i = 0; i < msglen; i++) msg[i] = (i * 131 + 7) & 255;
  return caseBytes(kp.publicKey, nacl.sign.detached(msg, kp.secretKey), msg);
}

export function countInstructions(opts: { msglen?: number; bin?: string; harness?: string } = {}): Promise<CountResult> {
  const msglen = opts.msglen === undefined ? 250 : opts.msglen;
  const harness = opts.harness || path.join(ROOT, 'build', 'native', 'harness');
  if (!fs.existsSync(harness)) throw new Error(`${harness} missing: run tools/native/build.sh (make native)`);
  let bin = opts.bin;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-native-count-'));
  if (!bin) {
    bin = path.join(tmp, 'code.bin');
    fs.writeFileSync(bin, Buffer.from(NATIVE_ED25519_BASE64, 'base64'));
  }
  const flag = singleStepFlag();
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-arm', [flag, '-d', 'exec,nochain', harness, bin!], { stdio: ['pipe', 'pipe', 'pipe'] });
    const perPc = new Map<number, number>();
    let total = 0;
    let rest = '';
    let stdout = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('latin1');
    child.stderr.on('data', (chunk: string) => {
      const text = rest + chunk;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        // "Trace 0: 0x7f.. [cs_base/pc/flags/cflags] sym"
        if (text.startsWith('Trace', start)) {
          const a = text.indexOf('/', start);
          const b = text.indexOf('/', a + 1);
          const pc = parseInt(text.slice(a + 1, b), 16);
          perPc.set(pc, (perPc.get(pc) || 0) + 1);
          total++;
        }
        start = nl + 1;
      }
      rest = text.slice(start);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`harness exited with ${code}: ${stdout}`));
      const m = /^([01])\nstack (\d+)\nbase 0x([0-9a-f]+)\nsize (\d+)\n$/.exec(stdout);
      if (!m) return reject(new Error(`unexpected harness output: ${JSON.stringify(stdout)}`));
      const base = parseInt(m[3], 16), size = Number(m[4]);
      let inside = 0;
      perPc.forEach((n, pc) => {
        if (pc >= base && pc < base + size) inside += n;
      });
      resolve({
        msglen, verdict: m[1] === '1' ? 'valid' : 'invalid', instructions: inside, totalInstructions: total,
        stackBytes: Number(m[2]), codeBytes: size, qemuFlag: flag,
      });
    });
    child.stdin.end(sampleCase(msglen));
  });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const msglen = get('--msglen');
  countInstructions({ msglen: msglen === undefined ? undefined : Number(msglen), bin: get('--bin'), harness: get('--harness') })
    .then((r) => {
      if (args.includes('--json')) return console.log(JSON.stringify(r));
      const ms = (mhz: number) => ((r.instructions / (mhz * 1e6)) * 1000).toFixed(0);
      console.log(
        `native ed25519 verify (${r.msglen}-byte message, ${r.verdict}): ${r.instructions} instructions ` +
          `(target <= 10000000; about ${ms(84)} ms at 84 MHz, ${ms(72)} ms at 72 MHz at one instruction a cycle), ` +
          `stack ${r.stackBytes} bytes, code ${r.codeBytes} bytes`,
      );
      if (r.verdict !== 'valid') process.exitCode = 1;
    })
    .catch((e) => {
      console.error(String(e && e.message ? e.message : e));
      process.exitCode = 2;
    });
}
