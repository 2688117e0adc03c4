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
import { ChildProcess, spawn, spawnSync } from 'child_process';
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

/** Calls onPc with the program counter of each block in qemu's execution trace (`-d exec`, on stderr). */
export function tracedPcs(child: ChildProcess, onPc: (pc: number) => void): void {
  let rest = '';
  child.stderr!.setEncoding('latin1');
  child.stderr!.on('data', (chunk: string) => {
    const text = rest + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      // "Trace 0: 0x7f.. [cs_base/pc/flags/cflags] sym"
      if (text.startsWith('Trace', start)) {
        const a = text.indexOf('/', start);
        onPc(parseInt(text.slice(a + 1, text.indexOf('/', a + 1)), 16));
      }
      start = nl + 1;
    }
    rest = text.slice(start);
  });
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
    let stdout = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d: string) => (stdout += d));
    tracedPcs(child, (pc) => {
      perPc.set(pc, (perPc.get(pc) || 0) + 1);
      total++;
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

/**
 * The qemu plugin that counts instructions per guest thread and prints the count at each marker
 * (tools/native/insn-plugin.c), built with the host's cc into build/native when missing or older
 * than its source.
 */
export function buildInsnPlugin(outDir = path.join(ROOT, 'build', 'native')): string {
  const src = path.join(ROOT, 'tools', 'native', 'insn-plugin.c');
  const so = path.join(outDir, 'insn-plugin.so');
  if (fs.existsSync(so) && fs.statSync(so).mtimeMs >= fs.statSync(src).mtimeMs) return so;
  fs.mkdirSync(outDir, { recursive: true });
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', so, src], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`cannot build the qemu plugin: ${r.error ? r.error.message : r.stderr}`);
  return so;
}

export interface Segment {
  /** ARM instructions of the whole segment (a decision), the markers' own work taken out. */
  insns: number;
  /** Of which inside the signature checks. */
  verifyInsns: number;
  verifies: number;
}

export interface ArmCount {
  /** ARM instructions per iteration of the empty loop (tools/build/board-time.ts LOOP_JS). */
  loopInsns: number;
  /** Instructions of one marker (what is taken out per marker). */
  markInsns: number;
  segments: { [name: string]: Segment };
  /** The script's own output lines (name=value). */
  lines: { [name: string]: string };
}

/**
 * Reads a count run: `out` is what the script printed (`seg.<name>=a,b[,v0,v1,...]`: the marker
 * numbers bounding a segment and, in pairs, each signature check in it; `seg.loop=a,b,c,d`:
 * 1,000 then 2,000 iterations of the empty loop and two markers back to back), `err` the plugin's
 * `qg-insn-mark <n> <count>` lines.
 */
export function parseArmCount(out: string, err: string): ArmCount {
  const at: number[] = [];
  err.split('\n').forEach((l) => {
    const m = /^qg-insn-mark (\d+) (\d+)/.exec(l);
    if (m) at[Number(m[1])] = Number(m[2]);
  });
  const lines: { [name: string]: string } = {};
  const segs: { [name: string]: number[] } = {};
  out.split(/\r?\n/).forEach((l) => {
    const m = /^([A-Za-z0-9_.]+)=(.*)$/.exec(l.trim());
    if (!m) return;
    lines[m[1]] = m[2];
    if (m[1].startsWith('seg.')) segs[m[1].slice(4)] = m[2].split(',').map(Number);
  });
  const c = (k: number) => {
    if (at[k + skip] === undefined) throw new Error(`marker ${k} not counted (is the qemu plugin loaded?)`);
    return at[k + skip];
  };
  // The interpreter stats a few files as it starts, before the script: the script's markers are
  // the last `marks=` the plugin saw.
  const made = lines.marks === undefined ? at.length : Number(lines.marks);
  if (made > at.length) throw new Error(`the script made ${made} markers, the plugin counted ${at.length}`);
  const skip = at.length - made;
  const lp = segs.loop;
  if (!lp || lp.length !== 4) throw new Error('no seg.loop= line: not a count script?');
  const markInsns = c(lp[3]) - c(lp[2]);
  const loopInsns = (c(lp[2]) - c(lp[1]) - (c(lp[1]) - c(lp[0]))) / 1000;
  const segments: { [name: string]: Segment } = {};
  Object.keys(segs).forEach((name) => {
    if (name === 'loop') return;
    const m = segs[name];
    const inner = m.length - 2;
    let verifyInsns = 0;
    for (let i = 2; i + 1 < m.length; i += 2) verifyInsns += c(m[i + 1]) - c(m[i]) - markInsns;
    segments[name] = { insns: c(m[1]) - c(m[0]) - (1 + inner) * markInsns, verifyInsns, verifies: inner / 2 };
  });
  return { loopInsns, markInsns, segments, lines };
}

/**
 * Runs a count script (dist/bench-espruino-count.js) on Espruino's Linux interpreter built for
 * ARM (`espruinoArm`, e.g. env ESPRUINO_ARM) under qemu-arm with the plugin, in a fresh directory
 * (the interpreter keeps its flash in ./espruino.flash), and reads the counts.
 */
export function countEspruinoArm(script: string, espruinoArm: string): Promise<ArmCount> {
  const so = buildInsnPlugin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-arm-count-'));
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-arm', ['-plugin', so, espruinoArm, path.resolve(script)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('latin1');
    child.stdout.on('data', (d: string) => (out += d));
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      try {
        const r = parseArmCount(out, err);
        if (r.lines.ok !== 'true') return reject(new Error(`count run failed (exit ${code}): ${out.slice(-2000)}`));
        resolve(r);
      } catch (e) {
        reject(e);
      }
    });
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
