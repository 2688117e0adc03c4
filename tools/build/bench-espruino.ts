// Writes dist/bench-espruino.js: a self-contained script for any Espruino interpreter that prints
//   verify_ms=            median time of the gate's verifier (fast path: base + key tables read in
//                         place from Storage, native SHA-512 where the board has it) on the
//                         signature of a QG1 certificate by a trusted key
//   verify_nokey_ms=      the same without the key's table (made for the call)
//   verify_ref_ms=        the reference verifier (no tables) on the same input
//   tweetnacl_verify_ms=  tweetnacl-fast (nacl-fast.min.js, public domain) on the same input
//   divoc_ms=             a full DIVOC certificate check (decodeDivoc + verify, with tables)
//   qg1_first_ms=         a whole QG1 decision through the gate's decide() (text to verdict: base45,
//                         inflate, COSE, claims, trust lookup, fast verifier with tables, checks)
//                         on the fixture certificate "ok" with test/fixtures/trust.bin
//   qg1_repeat_ms=        the same certificate again, decided from the repeat-visitor cache (the
//                         SHA-256 of the text, native where the board has it, and the checks);
//                         repeat_ratio= is first / repeat (issue 3 item 4: at least 50)
//   jsvars=               the GATE's variables after boot (process.memory().usage, less what was
//                         in use before it loaded): dist/gate.js run from flash as a board does
//                         (eval of its Storage text, timers cleared and flash erased after) with
//                         test/fixtures/gate.json, a 64-key trust bundle and the verifier tables in
//                         flash (tools/build/memory-fixture.ts); budget 2,500 (issue 3 item 5)
//   verifier_jsvars=      process.memory().usage once the verifier bundle alone is loaded from flash
//                         and its tables opened
// one per line (plus `speedup=` and `ok=` lines). Times are medians of wall-clock runs.
//
// How it runs: the first pass writes the gate and its boot files into Storage, boots the gate from
// flash and prints jsvars=, stops it (timers cleared, Storage erased: both sets do not fit 256 KB of
// flash at once), then writes the verifier bundle, tweetnacl, the tables and the inputs into
// Storage, sets the boot code and calls load(); the boot code then starts from a clean
// interpreter, loads the code from flash with eval(require('Storage').read(..)) (as a gate's
// boot does), measures and prints, and quits.
//
// Usage (after `tsc -p tsconfig.device.json` and dist/gate.js: `make build-device` does both):
//   npx tsx tools/build/bench-espruino.ts [OUT.js] [--runs N] [--nacl-runs N]
// Run: /work/espruino-bin/run.sh dist/bench-espruino.js   (or upload to a board: it replaces the
// gate's own qg.* files in Storage, so reflash the gate afterwards).
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import nacl from 'tweetnacl';
import { encodeCbor, encodeProtected, sigStructure, CborValue } from '../qg1-issuer';
import { makeBaseTable, makeKeyTable } from '../../firmware/crypto/ed25519-fast';
import { verify } from '../../firmware/crypto/ed25519';
import { memoryBootFiles, memoryDivocText, memoryDivocIndex, hasMemoryDivoc } from './memory-fixture';
import { ROOT } from '../root';
import { decodeTrustBundle, findKeys } from '../../proto/trustbundle';
import { validateConfig } from '../../firmware/config';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { bundle } = require('./bundle.js');

const root = ROOT;
const sha256 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64Of = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The boot code: runs in a fresh interpreter after load(). ES5, no dependencies. */
function driver(runs: number, naclRuns: number): string {
  return `
var S = require('Storage');
function hx(s) { var o = new Uint8Array(s.length >> 1); for (var i = 0; i < o.length; i++) o[i] = parseInt(s.substr(i * 2, 2), 16); return o; }
function med(a) { a.sort(function (x, y) { return x - y; }); return a[a.length >> 1]; }
function timed(n, f) { var t = [], i, t0, ok = true; for (i = 0; i < n; i++) { t0 = getTime(); if (!f()) ok = false; t.push((getTime() - t0) * 1000); } return { ms: med(t), ok: ok }; }
eval(S.read('qgb.js'));
var Q = QGB, H = Q.hashes(), ST = Q.storage();
var KEY = hx(S.read('qgb.pub'));
var BT = Q.openTable(ST.readBytes('qgb.edb'), Q.TABLE_KIND_BASE, undefined, H.sha256);
var KT = Q.openTable(ST.readBytes('qgb.edk'), Q.TABLE_KIND_KEY, KEY, H.sha256);
print('verifier_jsvars=' + process.memory().usage);
// The Linux build emulates flash with a file: every read of a flash-resident string or buffer is a
// file read (code run from flash is ~12x slower, table reads ~4x). On a board flash is memory-
// mapped and read in place at RAM speed, so on Linux time the same code and tables from RAM copies.
// ram(): a file's bytes in place (a board), or a RAM copy (Linux).
var ram = function (n) { return ST.readBytes(n); };
if (process.env.BOARD === 'LINUX') {
  eval(S.read('qgb.js') + '');
  Q = QGB; H = Q.hashes();
  ram = function (n) { var f = ST.readBytes(n); return f ? new Uint8Array(f) : f; };
  BT = Q.openTable(ram('qgb.edb'), Q.TABLE_KIND_BASE, undefined, H.sha256);
  KT = Q.openTable(ram('qgb.edk'), Q.TABLE_KIND_KEY, KEY, H.sha256);
  print('timing_from=ram');
}
var D = JSON.parse(S.read('qgb.dat'));
var MSG = hx(D.msg), SIG = hx(D.sig), BAD = hx(D.sig); BAD[40] ^= 1;
var TAB = { baseTable: BT, keyTable: KT };
print('tables_ok=' + (!!BT && !!KT));
var r = timed(${runs}, function () { return Q.verify(KEY, MSG, SIG, H.sha512, TAB); });
var rejects = !Q.verify(KEY, MSG, BAD, H.sha512, TAB);
print('verify_ms=' + r.ms.toFixed(1));
var r2 = timed(${Math.max(1, runs >> 1)}, function () { return Q.verify(KEY, MSG, SIG, H.sha512, { baseTable: BT }); });
print('verify_nokey_ms=' + r2.ms.toFixed(1));
var r3 = timed(1, function () { return Q.verify(KEY, MSG, SIG, H.sha512); });
print('verify_ref_ms=' + r3.ms.toFixed(1));
var dv = 'NA';
if (Q.decodeDivoc && D.divoc) {
  var DK = hx(D.divocPub);
  var DV = ST.readBytes('qgb.edv');
  var DT = Q.openTable(process.env.BOARD === 'LINUX' ? new Uint8Array(DV) : DV, Q.TABLE_KIND_KEY, DK, H.sha256);
  try {
    var rd = timed(${Math.max(1, runs >> 1)}, function () {
      var c = Q.decodeDivoc(D.divoc, H.sha256);
      return Q.verify(DK, c.signingInput, c.signature, H.sha512, { baseTable: BT, keyTable: DT });
    });
    dv = rd.ok ? rd.ms.toFixed(1) : 'FAIL(signature)';
  } catch (e) {
    dv = 'FAIL(' + e.message + ')';
  }
}
print('divoc_ms=' + dv);
eval(S.read('qgd.js') + ''); // the decision bundle (from RAM: timed like the verifier above)
var G = QGD, KI = Q.openTable(ram('qgb.eki'), Q.TABLE_KIND_KEY, hx(D.issuerPub), H.sha256);
var CTX = { now: D.now, trust: G.decodeTrustBundle(ram('qgb.trf')), policy: D.policy, sha256: H.sha256, sha256Text: H.sha256Text,
  verify: function (p, m, s) { return Q.verify(p, m, s, H.sha512, { baseTable: BT, keyTable: KI }); } };
var rf = timed(${runs}, function () { return G.decide(D.qg1, CTX).reason === 'ok'; });
CTX.cache = new G.VerifiedCache(16);
G.decide(D.qg1, CTX);
var rr = timed(${runs * 4}, function () { var d = G.decide(D.qg1, CTX); return d.reason === 'ok' && d.cached === true; });
print('qg1_first_ms=' + rf.ms.toFixed(1));
print('qg1_repeat_ms=' + rr.ms.toFixed(2));
print('repeat_ratio=' + (rf.ms / rr.ms).toFixed(0));
var self = {};
eval(S.read('nacl.js') + ''); // from RAM, like a fresh upload (tweetnacl is not the gate's code)
var N = self.nacl;
var rn = timed(${naclRuns}, function () { return N.sign.detached.verify(MSG, SIG, KEY); });
print('tweetnacl_verify_ms=' + rn.ms.toFixed(1));
print('speedup=' + (rn.ms / r.ms).toFixed(1));
print('ok=' + (r.ok && r2.ok && r3.ok && rn.ok && rejects && rf.ok && rr.ok));
if (typeof quit === 'function') quit();
`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out = path.join(root, 'dist', 'bench-espruino.js');
  let runs = 5, naclRuns = 3;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else if (args[i] === '--nacl-runs') naclRuns = Number(args[++i]);
    else out = path.resolve(args[i]);
  }
  const entry = path.join(root, 'build', 'device', 'firmware', 'bench-entry.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} missing: run tsc -p tsconfig.device.json first`);
  const tmp = path.join(root, 'build', 'bench-espruino-bundle.js');
  await bundle(entry, tmp, {});
  const code = fs.readFileSync(tmp, 'utf8');
  const decideEntry = path.join(root, 'build', 'device', 'firmware', 'bench-decide-entry.js');
  await bundle(decideEntry, tmp, {});
  const decideCode = fs.readFileSync(tmp, 'utf8');
  const gatePath = path.join(root, 'dist', 'gate.js');
  if (!fs.existsSync(gatePath)) throw new Error(`${gatePath} missing: run make build-device first`);
  const gateText = fs.readFileSync(gatePath, 'utf8');
  const bootFiles = memoryBootFiles();
  const naclText = fs.readFileSync(path.join(root, 'node_modules', 'tweetnacl', 'nacl-fast.min.js'), 'utf8');

  // A QG1 certificate signed by a (deterministic) trusted key.
  const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
  const claims = new Map<number, CborValue>([
    [1, 'Dinas Kesehatan Bench'],
    [4, 1767225600],
    [6, 1630000000],
    [7, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])],
    [-100, new Map<number, CborValue>([[1, new Uint8Array(16).fill(0x5a)], [2, 0], [3, 2], [4, 2], [5, 18800], [6, 'Comirnaty']])],
  ]);
  const msg = sigStructure(encodeProtected(new TextEncoder().encode('bench-1')), encodeCbor(claims));
  const sig = nacl.sign.detached(msg, kp.secretKey);
  if (!verify(kp.publicKey, msg, sig)) throw new Error('bench signature does not verify');
  const baseTable = makeBaseTable(sha256);
  const keyTable = makeKeyTable(kp.publicKey, undefined, sha256)!;

  // DIVOC sample and its key.
  let divoc = '', divocPub: Uint8Array = new Uint8Array(32), divocTable: Uint8Array = new Uint8Array(0);
  if (hasMemoryDivoc()) {
    const text = memoryDivocText();
    divoc = text.startsWith('B64:') ? text.slice(4) : text;
    divocPub = new Uint8Array(Buffer.from(memoryDivocIndex().publicKeyHex, 'hex'));
    divocTable = makeKeyTable(divocPub, undefined, sha256)!;
  }

  // A whole QG1 decision: the fixture certificate "ok", its trust bundle and the gate's policy.
  const fx = path.join(root, 'test', 'fixtures');
  const certs = JSON.parse(fs.readFileSync(path.join(fx, 'certs.json'), 'utf8'));
  const fixtureTrust = new Uint8Array(fs.readFileSync(path.join(fx, 'trust.bin')));
  const ok = certs.certs.ok;
  const issuer = findKeys(decodeTrustBundle(fixtureTrust), new Uint8Array(Buffer.from(ok.kidHex, 'hex')), 'qg1');
  if (issuer.length !== 1) throw new Error('fixture certificate "ok": no single trusted key');
  const issuerTable = makeKeyTable(issuer[0].key, undefined, sha256)!;
  const policy = validateConfig(JSON.parse(fs.readFileSync(path.join(fx, 'gate.json'), 'utf8'))).config!.policy;

  const data = {
    msg: hexOf(msg), sig: hexOf(sig), divoc, divocPub: hexOf(divocPub),
    qg1: Buffer.from(ok.text, 'utf8').toString('latin1'), now: Date.parse(certs.clock) / 1000, policy, issuerPub: hexOf(issuer[0].key),
  };
  const js = `// GENERATED by tools/build/bench-espruino.ts: Ed25519 verification benchmark for Espruino.
// Contains tweetnacl-fast (public domain) and the qrgate verifier bundle. See the generator.
var S = require('Storage');
function WIPE() { S.list(/^qg/).forEach(function (n) { S.erase(n); }); S.compact(); }
if (S.read('qgb.phase') === undefined) {
  WIPE();
  S.write('qgb.gate', ${JSON.stringify(gateText)});
${Object.keys(bootFiles).map((n) => `  S.write(${JSON.stringify(n)}, atob(${JSON.stringify(b64Of(bootFiles[n]))}));`).join('\n')}
  // (upper-case names: the gate's top-level names, now globals, all start lower-case)
  var M0 = process.memory().usage;
  eval(S.read('qgb.gate'));
  print('jsvars=' + (process.memory().usage - M0));
  clearInterval();
  clearTimeout();
  clearWatch();
  WIPE();
  S.write('qgb.js', ${JSON.stringify(code)});
  S.write('nacl.js', ${JSON.stringify(naclText)});
  S.write('qgb.edb', atob(${JSON.stringify(b64Of(baseTable))}));
  S.write('qgb.edk', atob(${JSON.stringify(b64Of(keyTable))}));
  ${divocTable.length ? `S.write('qgb.edv', atob(${JSON.stringify(b64Of(divocTable))}));` : ''}
  S.write('qgd.js', ${JSON.stringify(decideCode)});
  S.write('qgb.eki', atob(${JSON.stringify(b64Of(issuerTable))}));
  S.write('qgb.trf', atob(${JSON.stringify(b64Of(fixtureTrust))}));
  S.write('qgb.pub', ${JSON.stringify(hexOf(kp.publicKey))});
  S.write('qgb.dat', ${JSON.stringify(JSON.stringify(data))});
  S.write('qgb.phase', '1');
  E.setBootCode(${JSON.stringify(driver(runs, naclRuns))});
  load();
}
`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, js);
  console.log(`${out}: ${js.length} bytes (verifier bundle ${code.length}, base table ${baseTable.length}, key table ${keyTable.length})`);
}

main().catch((e) => { console.error(`bench-espruino: ${e.message}`); process.exit(1); });
