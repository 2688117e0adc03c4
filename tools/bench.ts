// make bench: speed and memory figures, one run on the host. Targets live here, never in tests.
//   verifications per second: the project's verifier, tweetnacl, @noble/curves, node:crypto
//   a full QG1 and DIVOC decision (parse, verify, decide), first scan and repeat visitor
//   the native ARM verifier's instructions per verification under qemu (when qemu-arm is here)
//   the board-time model (tools/build/board-time.ts): each board's factors; with env ESPRUINO (the
//   Linux interpreter) dist/bench-espruino.js's loop units and board estimates; with env
//   ESPRUINO_ARM (Espruino's Linux interpreter built for ARM, soft float: see README "Speed") the
//   ARM instructions of whole decisions under qemu-arm, and each board's estimate from them
import { ROOT, DATA } from './root';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as nacl from 'tweetnacl';
import { verify } from '../firmware/crypto/ed25519';
import { makeBaseTable, makeKeyTable, openTable, TABLE_KIND_BASE, TABLE_KIND_KEY } from '../firmware/crypto/ed25519-fast';
import { decide, DecideContext } from '../firmware/decide';
import { validateConfig } from '../firmware/config';
import { acceptTrustBundle } from '../firmware/trustcheck';
import { VerifiedCache } from '../firmware/cache';
import { decodeQg1 } from '../proto/qg1';
import { sigStructureOf } from '../proto/cose';
import { findKeys } from '../proto/trustbundle';
import { spawnSync } from 'child_process';
import { ARM_CPI, ARM_LOOP_INSNS, BOARD_TIMES, CALIBRATION, NATIVE_INFLATE_INSNS, NATIVE_VERIFY_INSNS, msOfInsns, usPerLoop } from './build/board-time';
import { countInflate } from './native/count-inflate';
import { countEspruinoArm, countInstructions } from './native/count';

const root = ROOT;

function rate(fn: () => void, minMs = 1500): { perSec: number; msEach: number; n: number } {
  fn(); // warm
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < minMs) {
    fn();
    n++;
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return { perSec: (n * 1000) / el, msEach: el / n, n };
}

function row(name: string, r: { perSec: number; msEach: number }, note = ''): string {
  return `| ${name} | ${r.perSec.toFixed(1)} | ${r.msEach.toFixed(3)} | ${note} |`;
}

async function main(): Promise<void> {
  // One signature of a QG1 certificate by a trusted key: the fixture certificate "ok".
  const fx = path.join(root, 'test', 'fixtures');
  const certs = JSON.parse(fs.readFileSync(path.join(fx, 'certs.json'), 'utf8'));
  const cfg = validateConfig(JSON.parse(fs.readFileSync(path.join(fx, 'gate.json'), 'utf8'))).config!;
  const trust = acceptTrustBundle(new Uint8Array(fs.readFileSync(path.join(fx, 'trust.bin'))), cfg.rootKeys, -1, verify).bundle!;
  const okText: string = certs.certs.ok.text;
  const q = decodeQg1(okText.substr(4));
  const msg = sigStructureOf(q.cose);
  const sig = q.cose.signature;
  const pub = findKeys(trust, q.cose.kid, 'qg1')[0].key;

  const lines: string[] = [];
  lines.push(`Host: ${process.version}, one QG1 certificate signature (${msg.length}-byte Sig_structure).`, '');
  lines.push('| verifier | verifications/s | ms each | note |', '|---|---|---|---|');
  const ours = rate(() => { if (!verify(pub, msg, sig)) throw new Error('ours'); });
  lines.push(row('qrgate reference (firmware/crypto, JS)', ours, 'strict profile'));
  const baseTable = openTable(makeBaseTable(), TABLE_KIND_BASE);
  const keyTable = openTable(makeKeyTable(pub), TABLE_KIND_KEY, pub);
  const fastKey = rate(() => { if (!verify(pub, msg, sig, undefined, { baseTable, keyTable })) throw new Error('fast'); });
  lines.push(row('qrgate fast (base + key tables)', fastKey, 'strict profile, what boards without native code run'));
  const fastBase = rate(() => { if (!verify(pub, msg, sig, undefined, { baseTable })) throw new Error('fast'); });
  lines.push(row('qrgate fast (base table only)', fastBase, 'a key without a table'));
  const tn = rate(() => { if (!nacl.sign.detached.verify(msg, sig, pub)) throw new Error('nacl'); });
  lines.push(row('tweetnacl', tn, 'not strict'));
  try {
    const noble: any = await import('@noble/curves/ed25519.js');
    const nb = rate(() => { if (!noble.ed25519.verify(sig, msg, pub, { zip215: false })) throw new Error('noble'); });
    lines.push(row('@noble/curves', nb, 'zip215: false'));
  } catch (e: any) {
    lines.push(`| @noble/curves | - | - | not loadable: ${e.message} |`);
  }
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pub)]);
  const ko = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const nc = rate(() => { if (!crypto.verify(null, msg, ko, sig)) throw new Error('node'); });
  lines.push(row('node:crypto (OpenSSL)', nc, 'not strict'));
  lines.push('', `fast verifier vs tweetnacl on this host: ${(fastKey.perSec / tn.perSec).toFixed(1)}x; reference vs tweetnacl: ${(ours.perSec / tn.perSec).toFixed(1)}x`);

  // Full decisions (parse, verify, every check) through the gate's decision code.
  const fastVerify = (p: Uint8Array, m: Uint8Array, s: Uint8Array) =>
    verify(p, m, s, undefined, { baseTable, keyTable: p === pub || Buffer.compare(Buffer.from(p), Buffer.from(pub)) === 0 ? keyTable : null });
  const now = Date.parse(certs.clock) / 1000;
  // SHA-256 as a board with a native one computes it (ESP32, WiFi, Pico, MDBT42Q): node:crypto,
  // a byte string hashed as it is (Espruino's crypto.SHA256 takes strings), the digest returned
  // without a copy (a Buffer is a Uint8Array; a board's is a view on the returned ArrayBuffer).
  const nativeSha256 = (d: Uint8Array): Uint8Array => crypto.createHash('sha256').update(d).digest();
  const nativeSha256Text = (s: string): Uint8Array => crypto.createHash('sha256').update(s, 'latin1').digest();
  const ctx = (cache?: VerifiedCache): DecideContext => ({
    now, trust, policy: cfg.policy, verify: fastVerify, sha256: nativeSha256, sha256Text: nativeSha256Text, cache,
  });
  lines.push('', '| decision (fast verifier, native SHA-256) | per second | ms each |', '|---|---|---|');
  const first = rate(() => { if (decide(okText, ctx()).reason !== 'ok') throw new Error('qg1'); });
  lines.push(`| QG1, first scan | ${first.perSec.toFixed(1)} | ${first.msEach.toFixed(3)} |`);
  const cache = new VerifiedCache(16);
  const c = ctx(cache);
  decide(okText, c);
  const repeat = rate(() => { const r = decide(okText, c); if (r.reason !== 'ok' || !r.cached) throw new Error('cache'); });
  lines.push(`| QG1, repeat visitor (cache) | ${repeat.perSec.toFixed(1)} | ${repeat.msEach.toFixed(4)} |`);
  const sample = path.join(DATA, 'divoc', 'samples', 'dose2.qr.txt');
  if (fs.existsSync(sample)) {
    const text = fs.readFileSync(sample, 'latin1').trim();
    const dctx = { ...ctx(), now: Date.parse('2022-08-01T08:00:00Z') / 1000 };
    const dv = rate(() => { if (decide(text, dctx).reason !== 'ok') throw new Error('divoc'); });
    lines.push(`| DIVOC (PeduliLindungi), first scan | ${dv.perSec.toFixed(1)} | ${dv.msEach.toFixed(3)} |`);
  }
  lines.push('', `repeat visitor / first scan: 1/${Math.round(first.msEach / repeat.msEach)} of the time (target: at most 1/50)`);
  process.stdout.write(lines.join('\n') + '\n');
  await boardTime();
}

/** The board-time model: factors, the Linux interpreter's loop units, the ARM counts. */
async function boardTime(): Promise<void> {
  const say = (...s: string[]): void => { process.stdout.write(s.join('\n') + '\n'); };
  let nativeInsns = NATIVE_VERIFY_INSNS;
  try {
    nativeInsns = (await countInstructions()).instructions;
  } catch (e: any) {
    say(`(native verifier not counted here: ${e.message}; using ${NATIVE_VERIFY_INSNS})`);
  }
  let inflateInsns = NATIVE_INFLATE_INSNS;
  try {
    inflateInsns = (await countInflate()).instructions;
  } catch (e: any) {
    say(`(native inflate not counted here: ${e.message}; using ${NATIVE_INFLATE_INSNS})`);
  }
  say('');
  say(`Board-time model: ${ARM_LOOP_INSNS} ARM instructions an empty-loop iteration, ${ARM_CPI.toFixed(3)} cycles an instruction ` +
    `(${CALIBRATION.source}: ${CALIBRATION.armInsns} instructions an iteration), native verify ${nativeInsns} instructions, ` +
    `native inflate (the DIVOC sample) ${inflateInsns} instructions.`);
  say('', '| board | core | MHz | us per loop | native verify ms |', '|---|---|---|---|---|');
  BOARD_TIMES.forEach((b) => say(`| ${b.board} | ${b.core} | ${b.mhz} | ${usPerLoop(b).toFixed(1)} | ${b.native ? msOfInsns(b, nativeInsns).toFixed(1) : '-'} |`));
  const dist = path.join(root, 'dist', 'bench-espruino.js');
  if (process.env.ESPRUINO && fs.existsSync(dist)) {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'qg-bench-espruino-'));
    const r = spawnSync(process.env.ESPRUINO, [dist], { cwd: dir, encoding: 'latin1', timeout: 30 * 60 * 1000 });
    fs.rmSync(dir, { recursive: true, force: true });
    say('', `${process.env.ESPRUINO} dist/bench-espruino.js (wall-clock times: a loaded machine inflates them; the loop units less):`);
    (r.stdout || '').split(/\r?\n/).filter((l) => /^(loop_us|qg1_|divoc_|board_est_ms|verify_ms|ok)=?/.test(l)).forEach((l) => say(l));
  } else {
    say('', 'skipped dist/bench-espruino.js on the Linux interpreter (set ESPRUINO to its path)');
  }
  const arm = process.env.ESPRUINO_ARM;
  const countJs = path.join(root, 'dist', 'bench-espruino-count.js');
  if (!arm || !fs.existsSync(arm)) {
    say('', 'skipped the ARM count (set ESPRUINO_ARM to Espruino\'s Linux interpreter built for ARM: README "Speed")');
    return;
  }
  const c = await countEspruinoArm(countJs, arm);
  say('', `ARM count (${arm} under qemu-arm): arm_insn.loop=${c.loopInsns.toFixed(0)} (model constant ${ARM_LOOP_INSNS})`);
  say('', '| decision | ARM instructions | in signature checks | rest | rest in loops |', '|---|---|---|---|---|');
  Object.keys(c.segments).forEach((n) => {
    const g = c.segments[n];
    say(`| ${n} | ${g.insns} | ${g.verifyInsns} (${g.verifies}) | ${g.insns - g.verifyInsns} | ${((g.insns - g.verifyInsns) / c.loopInsns).toFixed(0)} |`);
  });
  const keyed: string[] = [];
  say('', '| board | QG1 first ms | QG1 repeat ms | DIVOC ms | DIVOC repeat ms |', '|---|---|---|---|---|');
  BOARD_TIMES.forEach((b) => {
    const x = b.sha256 ? '' : '_sw256';
    const est = (n: string) => {
      const g = c.segments[n + x];
      if (!g) return '-';
      let ms = b.native ? msOfInsns(b, g.insns - g.verifyInsns) + g.verifies * msOfInsns(b, nativeInsns) : msOfInsns(b, g.insns);
      // boards with native code inflate DIVOC's zip natively: the interpreted inflate out, the native one in
      const inf = c.segments['divoc_phase.inflate'];
      if (b.native && n === 'divoc_decision' && inf) {
        keyed.push(`board_arm_ms.${b.board}.divoc_js_inflate=${ms.toFixed(0)}`);
        ms += msOfInsns(b, inflateInsns - inf.insns);
      }
      // a firmware without atob/btoa/E.CRC32/Object.values (SAVE_ON_FLASH): base64, the CRC-32 and the JSON in TypeScript
      const b64 = c.segments['divoc_phase.base64'], b64js = c.segments['divoc_phase.base64_js'];
      const crc = c.segments['divoc_phase.crc32'], crcjs = c.segments['divoc_phase.crc32_js'];
      // (and the canonical N-Quads without E.toUint8Array: nquads.ts canonicalBytes' loops)
      const can = c.segments['divoc_phase.document_canonical'], canjs = c.segments['divoc_phase.document_canonical_js'];
      const canMore = can && canjs ? canjs.insns - can.insns : 0;
      const js = c.segments['divoc_phase.json'], jsjs = c.segments['divoc_phase.json_js'];
      if (n === 'divoc_decision' && b64 && b64js && crc && crcjs) {
        const json = js && jsjs ? jsjs.insns - js.insns : 0;
        keyed.push(`board_arm_ms.${b.board}.divoc_js_builtins=${(ms + msOfInsns(b, b64js.insns - b64.insns + crcjs.insns - crc.insns + canMore + json)).toFixed(0)}`);
      }
      keyed.push(`board_arm_ms.${b.board}.${n}=${ms.toFixed(0)}`);
      return ms.toFixed(0);
    };
    const row = [est('qg1_first'), est('qg1_repeat'), est('divoc_decision'), est('divoc_repeat')];
    say(`| ${b.board} | ${row.join(' | ')} |`);
  });
  say('', ...keyed);
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
