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
//                         with a fresh repeat-visitor cache, as the gate decides a first scan
//   qg1_repeat_ms=        the same certificate again, decided from the repeat-visitor cache (the
//                         SHA-256 of the text, native where the board has it, and the checks);
//                         repeat_ratio= is first / repeat (issue 3 item 4: at least 50)
//   divoc_decision_ms=, divoc_repeat_ms=  the DIVOC sample through decide(), first and repeat
//   <decision>_verify_ms= the part of it inside the signature checks, <decision>_loops= both in
//                         units of loop_us= (the empty loop, timed in the same run); _sw256 lines:
//                         the same with the JavaScript SHA-256 (boards without crypto.SHA256)
//   divoc_phase.<stage>_ms= decodeDivoc's stages one by one (base64, inflate, JSON, N-Quads, ...)
//   board_est_ms.<board>.<qg1|qg1_repeat|divoc|divoc_repeat>=  the board-time model's estimate for
//                         every board of the README's table (tools/build/board-time.ts): loops x
//                         the board's us per loop, native verifications at its clock where it has them
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
// It also writes dist/bench-espruino-count.js: the same decisions once each, no tweetnacl, no gate
// boot, with markers (fs.statSync('/qg-mark')) around each decision and signature check, for
// Espruino's Linux interpreter built for ARM run under qemu-arm with tools/native/insn-plugin.c
// (tools/native/count.ts countEspruinoArm; `make bench` with env ESPRUINO_ARM).
//
// Usage (after `tsc -p tsconfig.device.json` and dist/gate.js: `make build-device` does both):
//   npx tsx tools/build/bench-espruino.ts [OUT.js] [--runs N] [--nacl-runs N (0: none)]
// Run: espruino dist/bench-espruino.js in an empty directory (or upload to a board: it replaces the
// gate's own qg.* files in Storage, so reflash the gate afterwards).
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import nacl from 'tweetnacl';
import { encodeCbor, encodeProtected, sigStructure, CborValue } from '../issuer';
import { makeBaseTable, makeKeyTable } from '../../firmware/crypto/ed25519-fast';
import { verify } from '../../firmware/crypto/ed25519';
import { memoryBootFiles, memoryDivocText, memoryDivocIndex, hasMemoryDivoc } from './memory-fixture';
import { ROOT } from '../root';
import { decodeTrustBundle, findKeys } from '../../proto/trustbundle';
import { validateConfig } from '../../firmware/config';
import { BOARD_TIMES, LOOP_JS, NATIVE_INFLATE_INSNS, NATIVE_VERIFY_INSNS, msOfInsns, usPerLoop } from './board-time';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { bundle } = require('./bundle.js');

const root = ROOT;
const sha256 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64Of = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The boot code: runs in a fresh interpreter after load(). ES5, no dependencies. */
interface DriverOpts { runs: number; naclRuns: number; count: boolean; needSw256: boolean; boards: BoardRow[] }
interface BoardRow { board: string; us: number; native: boolean; nativeMs: number; inflateMs: number; sha256: boolean }
function driver(o: DriverOpts): string {
  const { runs, naclRuns, count, needSw256, boards } = o;
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
var LINUX = /^LINUX/.test(process.env.BOARD); // (an ARM build for the board-time count may be named LINUXARM...)
if (LINUX) {
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
var r = { ms: 1, ok: true }, r2 = r, r3 = r, rn = r, rejects = true;
if (${!count}) {
  r = timed(${runs}, function () { return Q.verify(KEY, MSG, SIG, H.sha512, TAB); });
  rejects = !Q.verify(KEY, MSG, BAD, H.sha512, TAB);
  print('verify_ms=' + r.ms.toFixed(1));
  r2 = timed(${Math.max(1, runs >> 1)}, function () { return Q.verify(KEY, MSG, SIG, H.sha512, { baseTable: BT }); });
  print('verify_nokey_ms=' + r2.ms.toFixed(1));
  r3 = timed(1, function () { return Q.verify(KEY, MSG, SIG, H.sha512); });
  print('verify_ref_ms=' + r3.ms.toFixed(1));
}
var dv = 'NA', DK = null, DT = null, DV;
if (${!count} && Q.decodeDivoc && D.divoc) {
  DK = hx(D.divocPub);
  DV = ST.readBytes('qgb.edv');
  DT = Q.openTable(LINUX ? new Uint8Array(DV) : DV, Q.TABLE_KIND_KEY, DK, H.sha256);
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
if (${!count}) print('divoc_ms=' + dv);
if (${count} && D.divoc) {
  DK = hx(D.divocPub);
  DV = ST.readBytes('qgb.edv');
  DT = Q.openTable(new Uint8Array(DV), Q.TABLE_KIND_KEY, DK, H.sha256);
}
// The board-time model (tools/build/board-time.ts): every decision in units of the interpreter's
// own empty-loop iteration, the time inside the signature checks apart (a board with native code
// replaces it), and each board's estimate. MARK() (count mode, ARM interpreter under qemu with
// tools/native/insn-plugin.c) marks a point: the plugin prints the instructions executed so far.
var MK = 0;
function MARK() { ${count ? "require('fs').statSync('/qg-mark');" : ''} return MK++; }
${LOOP_JS}
LOOP(10);
var LT = [], LI, L0;
for (LI = 0; LI < ${count ? 1 : 5}; LI++) { L0 = getTime(); LOOP(${count ? 100 : 20000}); LT.push((getTime() - L0) * 1e6 / ${count ? 100 : 20000}); }
var LOOP_US = med(LT);
print('loop_us=' + LOOP_US.toFixed(3));
if (${count}) { var LM = [MARK()]; LOOP(1000); LM.push(MARK()); LOOP(2000); LM.push(MARK()); LM.push(MARK()); print('seg.loop=' + LM.join(',')); }
eval(S.read('qgd.js') + ''); // the decision bundle (from RAM: timed like the verifier above)
var G = QGD, KI = Q.openTable(ram('qgb.eki'), Q.TABLE_KIND_KEY, hx(D.issuerPub), H.sha256);
var TRUST = G.decodeTrustBundle(ram('qgb.trf'));
function same(a, b) { if (!b || a.length !== b.length) return false; for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; return true; }
var VS = 0, VN = 0, VM = [];
function CTXOF(now, sha256, sha256Text) {
  return { now: now, trust: TRUST, policy: D.policy, sha256: sha256, sha256Text: sha256Text,
    verify: function (p, m, s) {
      VM.push(MARK());
      var t0 = getTime();
      var ok = Q.verify(p, m, s, H.sha512, { baseTable: BT, keyTable: same(p, DK) ? DT : KI });
      VS += getTime() - t0;
      VN++;
      VM.push(MARK());
      return ok;
    } };
}
var R = {};
// n runs of f (true when the decision is the expected one): median time, median time inside verify
function dec(name, n, f) {
  var t = [], v = [], ok = true, i, t0, a, b, vn = 0;
  for (i = 0; i < n; i++) {
    VS = 0; VN = 0; VM = [];
    a = MARK(); t0 = getTime();
    if (!f()) ok = false;
    t.push((getTime() - t0) * 1000); b = MARK();
    v.push(VS * 1000); vn = VN;
  }
  var r = { ms: med(t), vms: med(v), vn: vn, ok: ok };
  r.loops = r.ms * 1000 / LOOP_US; r.jsLoops = (r.ms - r.vms) * 1000 / LOOP_US;
  R[name] = r;
  print(name + '_ms=' + r.ms.toFixed(2));
  print(name + '_verify_ms=' + r.vms.toFixed(2) + ' (' + vn + ' signature check' + (vn === 1 ? '' : 's') + ')');
  print(name + '_loops=' + r.loops.toFixed(0) + ' js_loops=' + r.jsLoops.toFixed(0));
  if (${count}) print('seg.' + name + '=' + [a, b].concat(VM).join(','));
  if (!ok) print(name + '_ok=false');
  return r;
}
var SETS = [['', H.sha256, H.sha256Text]];
if (${count} || ${needSw256}) SETS.push(['_sw256', Q.sha256js, undefined]);
var RUNS = ${count ? 1 : runs}, rf, rr;
SETS.forEach(function (set) {
  var CTX = CTXOF(D.now, set[1], set[2]);
  // a first scan as the gate makes it: with its repeat-visitor cache (the text's hash is computed)
  var first = dec('qg1_first' + set[0], RUNS, function () { CTX.cache = new G.VerifiedCache(16); return G.decide(D.qg1, CTX).reason === 'ok'; });
  CTX.cache = new G.VerifiedCache(16);
  G.decide(D.qg1, CTX);
  var rep = dec('qg1_repeat' + set[0], RUNS * 4, function () { return G.decide(D.qg1, CTX).reason === 'ok' && VN === 0; });
  if (set[0] === '') { rf = first; rr = rep; }
  if (D.divocText && DK) {
    var CTXD = CTXOF(D.divocNow, set[1], set[2]);
    dec('divoc_decision' + set[0], ${count ? 1 : `Math.max(1, ${runs} >> 1)`}, function () { CTXD.cache = new G.VerifiedCache(16); return G.decide(D.divocText, CTXD).reason === 'ok'; });
    dec('divoc_repeat' + set[0], RUNS, function () { return G.decide(D.divocText, CTXD).reason === 'ok' && VN === 0; });
  }
});
print('repeat_ratio=' + (rf.ms / rr.ms).toFixed(0));
// decodeDivoc's stages one by one (native SHA-256 where the interpreter has one)
var PHL = {};
if (D.divocText && Q.divocParts) {
  var P = Q.divocParts;
  var phase = function (name, f) {
    var a = MARK(), t0 = getTime();
    var v = f();
    var ms = (getTime() - t0) * 1000, b = MARK();
    PHL[name] = ms * 1000 / LOOP_US;
    print('divoc_phase.' + name + '_ms=' + ms.toFixed(2) + ' loops=' + (ms * 1000 / LOOP_US).toFixed(0));
    if (${count}) print('seg.divoc_phase.' + name + '=' + a + ',' + b);
    return v;
  };
  // base64 and the zip's CRC-32 as the gate runs them: through the interpreter's built-ins (atob,
  // btoa, E.CRC32: firmware/divoc-read.ts) where it has them; the TypeScript ones timed beside (_js)
  var NB = P.builtins();
  var PB = phase('base64', function () { return NB ? P.base64DecodeNative(D.divocText.substr(4), NB) : P.base64Decode(D.divocText.substr(4)); });
  if (NB) phase('base64_js', function () { return P.base64Decode(D.divocText.substr(4)); });
  var PZ = phase('unzip_inflate', function () { return P.unzipCertificate(PB, undefined, null, NB && NB.crc32); });
  phase('crc32', function () { return NB ? NB.crc32(PZ) : P.crc32(PZ); });
  if (NB) phase('crc32_js', function () { return P.crc32(PZ); });
  // inflate alone (inside unzip_inflate): what the native inflate replaces on ARM boards
  var ZS = 30 + (PB[26] | PB[27] << 8) + (PB[28] | PB[29] << 8), ZC = PB[18] | PB[19] << 8 | PB[20] << 16;
  phase('inflate', function () { return P.inflateRaw(PB.subarray(ZS, ZS + ZC), PZ.length); });
  // the JSON as the gate reads it: through JSON.parse where that is shown to be the strict reading
  // (proto/jsonnative.ts); proto/json.ts timed beside (_js)
  var PJ = phase('json', function () { return NB ? P.parseJsonNative(PZ, NB) : P.parseJsonBytes(PZ); });
  if (NB) phase('json_js', function () { return P.parseJsonBytes(PZ); });
  var PG = phase('document_graph', function () { return P.documentGraph(PJ); });
  // the canonical N-Quads as the gate makes them: sorted and joined natively, E.toUint8Array
  // (NB.bytes) where the interpreter has it (proto/divoc/nquads.ts canonicalBytes); _js: without
  var TB = NB && NB.bytes;
  var PG2 = TB && P.documentGraph(PJ);
  if (TB) phase('document_canonical_js', function () { return P.canonicalBytes(PG2, H.sha256); });
  PG2 = undefined;
  var PC = phase('document_canonical', function () { return P.canonicalBytes(PG, H.sha256, TB); });
  phase('document_sha256', function () { return H.sha256(PC); });
  var PO = phase('proof_graph', function () { return P.proofOptionsGraph(PJ.get('proof')); });
  phase('proof_canonical', function () { return H.sha256(P.canonicalBytes(PO, H.sha256, TB)); });
  phase('proof_options', function () { return H.sha256(P.canonicalBytes(P.proofOptionsGraph(PJ.get('proof')), H.sha256, TB)); });
  PB = PZ = PJ = PG = PC = PO = undefined;
}
var BOARDS = ${JSON.stringify(boards)};
if (${!count}) BOARDS.forEach(function (b) {
  function est(r) { return r ? (b.native ? r.jsLoops * b.us / 1000 + r.vn * b.nativeMs : r.loops * b.us / 1000) : NaN; }
  var x = b.sha256 ? '' : '_sw256';
  print('board_est_ms.' + b.board + '.qg1=' + est(R['qg1_first' + x]).toFixed(0));
  print('board_est_ms.' + b.board + '.qg1_repeat=' + est(R['qg1_repeat' + x]).toFixed(0));
  // boards with native code inflate DIVOC's zip natively (native/inflate): its interpreted loops
  // (the phase 'inflate', measured above) out, the native instructions in
  var dv = est(R['divoc_decision' + x]);
  if (b.native && PHL.inflate !== undefined) {
    print('board_est_ms.' + b.board + '.divoc_js_inflate=' + dv.toFixed(0));
    dv = dv - PHL.inflate * b.us / 1000 + b.inflateMs;
  }
  print('board_est_ms.' + b.board + '.divoc=' + dv.toFixed(0));
  print('board_est_ms.' + b.board + '.divoc_repeat=' + est(R['divoc_repeat' + x]).toFixed(0));
});
if (${!count && naclRuns > 0}) {
  var self = {};
  eval(S.read('nacl.js') + ''); // from RAM, like a fresh upload (tweetnacl is not the gate's code)
  var N = self.nacl;
  rn = timed(${Math.max(1, naclRuns)}, function () { return N.sign.detached.verify(MSG, SIG, KEY); });
  print('tweetnacl_verify_ms=' + rn.ms.toFixed(1));
  print('speedup=' + (rn.ms / r.ms).toFixed(1));
}
if (${count}) print('marks=' + MK);
var dok = true;
for (var k in R) if (!R[k].ok) dok = false;
print('ok=' + (r.ok && r2.ok && r3.ok && rn.ok && rejects && dok));
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
    // the DIVOC sample as scanned, decided through decide() on the day bench.ts decides it
    divocText: hasMemoryDivoc() ? memoryDivocText() : '', divocNow: Date.parse('2022-08-01T08:00:00Z') / 1000,
  };
  // Each board's factors (tools/build/board-time.ts), baked into the script.
  const boards: BoardRow[] = BOARD_TIMES.map((b) => ({
    board: b.board, us: Number(usPerLoop(b).toFixed(3)), native: b.native, nativeMs: Number(msOfInsns(b, NATIVE_VERIFY_INSNS).toFixed(2)),
    inflateMs: Number(msOfInsns(b, NATIVE_INFLATE_INSNS).toFixed(3)), sha256: b.sha256,
  }));
  const needSw256 = boards.some((b) => !b.sha256);
  const script = (count: boolean) => `// GENERATED by tools/build/bench-espruino.ts: Ed25519 verification benchmark for Espruino.
// Contains tweetnacl-fast (public domain) and the qrgate verifier bundle. See the generator.
var S = require('Storage');
function WIPE() { S.list(/^qg/).forEach(function (n) { S.erase(n); }); S.compact(); }
if (S.read('qgb.phase') === undefined) {
  WIPE();
${count ? '' : `  S.write('qgb.gate', ${JSON.stringify(gateText)});
${Object.keys(bootFiles).map((n) => `  S.write(${JSON.stringify(n)}, atob(${JSON.stringify(b64Of(bootFiles[n]))}));`).join('\n')}
  // (upper-case names: the gate's top-level names, now globals, all start lower-case)
  var M0 = process.memory().usage;
  eval(S.read('qgb.gate'));
  print('jsvars=' + (process.memory().usage - M0));
  clearInterval();
  clearTimeout();
  clearWatch();
  WIPE();
`}  S.write('qgb.js', ${JSON.stringify(code)});
${count ? '' : `  S.write('nacl.js', ${JSON.stringify(naclText)});
`}  S.write('qgb.edb', atob(${JSON.stringify(b64Of(baseTable))}));
  S.write('qgb.edk', atob(${JSON.stringify(b64Of(keyTable))}));
  ${divocTable.length ? `S.write('qgb.edv', atob(${JSON.stringify(b64Of(divocTable))}));` : ''}
  S.write('qgd.js', ${JSON.stringify(decideCode)});
  S.write('qgb.eki', atob(${JSON.stringify(b64Of(issuerTable))}));
  S.write('qgb.trf', atob(${JSON.stringify(b64Of(fixtureTrust))}));
  S.write('qgb.pub', ${JSON.stringify(hexOf(kp.publicKey))});
  S.write('qgb.dat', ${JSON.stringify(JSON.stringify(data))});
  S.write('qgb.phase', '1');
  E.setBootCode(${JSON.stringify(driver({ runs, naclRuns, count, needSw256, boards }))});
  load();
}
`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const js = script(false);
  const countOut = out.replace(/\.js$/, '') + '-count.js';
  fs.writeFileSync(countOut, script(true));
  fs.writeFileSync(out, js);
  console.log(`${out}: ${js.length} bytes (verifier bundle ${code.length}, base table ${baseTable.length}, key table ${keyTable.length})`);
}

main().catch((e) => { console.error(`bench-espruino: ${e.message}`); process.exit(1); });
