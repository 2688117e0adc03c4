// make bench: speed and memory figures, one run on the host. Targets live here, never in tests.
//   verifications per second: the project's verifier, tweetnacl, @noble/curves, node:crypto
//   a full QG1 and DIVOC decision (parse, verify, decide), first scan and repeat visitor
//   the native ARM verifier's instructions per verification under qemu (when qemu-arm is here)
import { ROOT } from './root';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as nacl from 'tweetnacl';
import { verify } from '../firmware/crypto/ed25519';
import { makeBaseTable, makeKeyTable, openTable, TABLE_KIND_BASE, TABLE_KIND_KEY } from '../firmware/crypto/ed25519-fast';
import { sha256 } from '../firmware/crypto/sha256';
import { sigStructure, encodeCertificate, qg1Text } from './qg1-issuer';
import { decide, DecideContext } from '../firmware/decide';
import { validateConfig } from '../firmware/config';
import { acceptTrustBundle } from '../firmware/trust';

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
  const seed = new Uint8Array(32).fill(7);
  const kp = nacl.sign.keyPair.fromSeed(seed);
  // A QG1-sized message: the Sig_structure of a typical certificate.
  const cert = encodeCertificate({
    exp: 1700000000, iat: 1630000000, cti: new Uint8Array(8).fill(1),
    hc: { sub: new Uint8Array(16).fill(2), kind: 0, dose: 2, series: 2, date: 18800 },
  } as any, { secretKey: kp.secretKey, publicKey: kp.publicKey } as any, new TextEncoder().encode('bench-1'));
  void cert;
  const msg = sigStructure(new Uint8Array([0xa2, 0x01, 0x27, 0x04, 0x47, 1, 2, 3, 4, 5, 6, 7]), new Uint8Array(180).fill(9));
  const sig = nacl.sign.detached(msg, kp.secretKey);
  const pub = kp.publicKey;

  const lines: string[] = [];
  lines.push('| verifier | verifications/s | ms each | note |', '|---|---|---|---|');
  const ours = rate(() => { if (!verify(pub, msg, sig)) throw new Error('ours'); });
  lines.push(row('qrgate (firmware/crypto, JS)', ours, 'strict profile'));
  const baseTable = openTable(makeBaseTable(), TABLE_KIND_BASE);
  const keyTable = openTable(makeKeyTable(pub), TABLE_KIND_KEY, pub);
  const fastKey = rate(() => { if (!verify(pub, msg, sig, undefined, { baseTable, keyTable })) throw new Error('fast'); });
  lines.push(row('qrgate fast (base + key tables)', fastKey, 'strict profile, ed25519-fast.ts'));
  const fastBase = rate(() => { if (!verify(pub, msg, sig, undefined, { baseTable })) throw new Error('fast'); });
  lines.push(row('qrgate fast (base table only)', fastBase, 'key table made per call'));
  const tn = rate(() => { if (!nacl.sign.detached.verify(msg, sig, pub)) throw new Error('nacl'); });
  lines.push(row('tweetnacl', tn));
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
  lines.push(row('node:crypto (OpenSSL)', nc));
  lines.push('', `qrgate JS verifier vs tweetnacl on this host: ${(tn.msEach ? ours.perSec / tn.perSec : 0).toFixed(2)}x`);

  // Full decisions on the test fixtures (the same code the gate runs).
  const fx = path.join(root, 'test', 'fixtures');
  if (fs.existsSync(path.join(fx, 'certs.json'))) {
    const cfg = validateConfig(JSON.parse(fs.readFileSync(path.join(fx, 'gate.json'), 'utf8'))).config!;
    const t = acceptTrustBundle(new Uint8Array(fs.readFileSync(path.join(fx, 'trust.bin'))), cfg.rootKeys, -1, verify);
    const certs = JSON.parse(fs.readFileSync(path.join(fx, 'certs.json'), 'utf8'));
    const ctx: DecideContext = {
      now: Date.parse('2021-09-27T08:00:00Z') / 1000, trust: t.bundle, policy: cfg.policy, verify, sha256,
    };
    const ok = certs.ok || certs['ok'] || Object.values(certs)[0];
    const qg = rate(() => { decide(typeof ok === 'string' ? ok : ok.text, ctx); });
    lines.push('', '| decision | per second | ms each |', '|---|---|---|');
    lines.push(`| full QG1 decision (first scan) | ${qg.perSec.toFixed(1)} | ${qg.msEach.toFixed(3)} |`);
    const sample = path.resolve(root, '..', 'shared', 'divoc', 'samples', 'dose2.qr.txt');
    const shared = process.env.QRGATE_SHARED ? path.join(process.env.QRGATE_SHARED, 'divoc/samples/dose2.qr.txt') : sample;
    if (fs.existsSync(shared)) {
      const text = fs.readFileSync(shared, 'latin1').trim();
      const dctx = { ...ctx, now: Date.parse('2022-08-01T08:00:00Z') / 1000 };
      const dv = rate(() => { decide(text, dctx); });
      lines.push(`| full DIVOC decision (first scan) | ${dv.perSec.toFixed(1)} | ${dv.msEach.toFixed(3)} |`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
