// The flash budget per board (tools/flashbudget.ts): each profile's bundle dist/gate-<profile>.js
// + the files `qrgate flash` writes (tools/flashfiles.ts, fixture configuration and trust bundle)
// + the journal's reservation + Storage headers, against the board's Storage; the profile's
// declared `fits` (boards/<name>.ts features) must be the truth. Also: the features a bundle is
// built without are really gone from it, and an ARM bundle without its native code file faults
// instead of opening. Needs `make build-device` (dist/gate*.js).
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as vm from 'vm';
import * as acorn from 'acorn';
import { BOARD_FILES, boardFileOf } from '../../boards/index';
import { flashBudget, fixtureInputs, storageCost, freeFlashNeeded } from '../../tools/flashbudget';
import { flashFiles, bundleFor, NATIVE_FILE, INFLATE_FILE, DIVOC_FILE } from '../../tools/flashfiles';
import { bundlePath, nativeCode, PROFILES } from '../../tools/build/boards';
import { pretokenise, tokensOf, untokenise } from '../../tools/build/pretokenise';
import { NATIVE_ED25519_BASE64 } from '../../firmware/crypto/native-code.generated';
import { NATIVE_INFLATE_BASE64 } from '../../firmware/native-inflate.generated';
import { DIVOC_DATA_BASE64 } from '../../proto/divoc/table-data.generated';
import { runScenario } from '../../sim/scenario';
import { REPO } from '../util/shared';
import * as path from 'path';

function need(file: string): string {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run make build-device`);
  return fs.readFileSync(file, 'latin1');
}

// Text that only the code of one feature contains (strings survive minification).
const MARKERS: { [feature: string]: string } = {
  nativeEmbed: NATIVE_ED25519_BASE64.slice(0, 40),
  jsVerify: 'qg.tb',
  divoc: 'credentialSubject',
  lora: 'mac set deveui ',
  wifi: 'application/x-protobuf',
  crowd: 'the room is full: ',
  scannerModule: 'configuring',
  door: 'exit button active for over',
  // the JavaScript SHA-256 (a round constant), the JavaScript inflate, the native inflate's code, DIVOC's table literals
  jsSha256: 'B\\x8a/\\x98q7D', // (the first round constants in firmware/crypto/sha256.ts makeK256's byte string, as terser writes it)
  jsInflate: 'inflate: bad block type',
  inflateEmbed: NATIVE_INFLATE_BASE64.slice(0, 40),
  divocLiterals: 'EcdsaSecp256k1Signature2019',
};

describe('flash budget per board', function () {
  this.timeout(20000);
  const inputs = fixtureInputs();

  it('every board file gets a bundle', () => {
    assert.deepEqual(PROFILES.slice().sort(), BOARD_FILES.map((b) => b.name).sort());
  });
  const BOARD_FEATURES: { [p: string]: any } = {};
  for (const b of BOARD_FILES) BOARD_FEATURES[b.name] = b.features;

  for (const profile of PROFILES) {
    it(`${profile}: the profile's "fits" (${BOARD_FEATURES[profile].fits}) is what the budget measures`, () => {
      const b = flashBudget(profile, inputs, need(bundlePath(profile)));
      const sum = b.list.reduce((n, f) => n + storageCost(f.bytes), 0);
      assert.equal(b.used, sum);
      assert.equal(b.used, b.list.reduce((n, f) => n + f.bytes, 0) + b.overhead);
      if (!b.plan.image) assert.equal(b.used, b.bundle + b.files + b.journal + b.overhead);
      else assert.equal(b.outside, b.plan.image.data.length);
      assert.equal(b.available, boardFileOf(profile)!.flash.storageSize);
      const msg = `${profile}: ${b.used} bytes needed in Storage (bundle ${b.bundle}, files ${b.files}, journal ${b.journal}, headers ${b.overhead}) of ${b.available}, ${b.outside} outside: ${b.plan.problems.join('; ')}`;
      assert.equal(b.fits, BOARD_FEATURES[profile].fits,
        `${msg}: set features.fits: ${b.fits} in boards/${profile}.ts (and run make readme-tables)`);
    });

    it(`${profile}: the bundle carries exactly its features`, () => {
      const f = BOARD_FEATURES[profile];
      const text = need(bundlePath(profile));
      const bf = boardFileOf(profile)!;
      const want: { [k: string]: boolean } = {
        nativeEmbed: false, jsVerify: f.jsVerify, divoc: f.divoc, lora: f.lora, wifi: f.wifi,
        crowd: f.crowd, scannerModule: f.scannerModule, door: f.door,
        // (no JavaScript SHA-256 where the board hashes natively; no JavaScript inflate where the
        // native one runs; the table as literals unless it is qg.divoc's data)
        jsSha256: !bf.nativeSha256, jsInflate: f.divoc && !(bf.arm && f.native), inflateEmbed: false, divocLiterals: f.divoc && !f.divocData,
      };
      for (const k of Object.keys(want)) {
        assert.equal(text.indexOf(MARKERS[k]) >= 0, want[k], `${profile}: ${k} code ${want[k] ? 'missing' : 'left in'}`);
      }
      const digest = crypto.createHash('sha256').update(nativeCode()).digest('hex');
      assert.equal(text.indexOf(digest) >= 0, f.native, `${profile}: the native code's SHA-256 ${f.native ? 'missing' : 'left in'}`);
      acorn.parse(text, { ecmaVersion: 5, sourceType: 'script' });
    });
  }

  it('the universal dist/gate.js carries everything, the native code included', () => {
    const text = need(bundlePath('universal'));
    for (const k of Object.keys(MARKERS)) assert.ok(text.indexOf(MARKERS[k]) >= 0, `universal bundle lacks ${k}`);
  });

  it('flashFiles: configuration and trust bundle for all; tables without native code; qg.ed25519 with it, qg.inflate with DIVOC on ARM, qg.divoc with divocData', () => {
    for (const profile of PROFILES) {
      const f = BOARD_FEATURES[profile];
      const files = flashFiles(profile, inputs.config, inputs.trust);
      assert.deepEqual(files['qg.cfg'], inputs.config);
      assert.deepEqual(files['qg.trust'], inputs.trust);
      assert.equal('qg.tb' in files, f.jsVerify, profile);
      assert.equal(Object.keys(files).some((n) => /^qg\.k[0-9a-f]{8}$/.test(n)), f.jsVerify, profile);
      assert.equal(NATIVE_FILE in files, f.native, profile);
      if (f.native) assert.ok(Buffer.from(files[NATIVE_FILE]).equals(Buffer.from(NATIVE_ED25519_BASE64, 'base64')));
      const bf = boardFileOf(profile)!;
      assert.equal(INFLATE_FILE in files, bf.arm && f.native && f.divoc, profile);
      if (INFLATE_FILE in files) assert.ok(Buffer.from(files[INFLATE_FILE]).equals(Buffer.from(NATIVE_INFLATE_BASE64, 'base64')));
      assert.equal(DIVOC_FILE in files, !!f.divocData, profile);
      if (DIVOC_FILE in files) assert.ok(Buffer.from(files[DIVOC_FILE]).equals(Buffer.from(DIVOC_DATA_BASE64, 'base64')));
      assert.ok(!('.bootcde' in files));
    }
    assert.throws(() => flashFiles('wifi', '{"gateId": "x"}', inputs.trust), /configuration/);
    assert.throws(() => flashFiles('nosuchboard', inputs.config, inputs.trust), /unknown board/);
  });

  it('bundleFor: the board\'s own bundle (profile name or board id)', () => {
    assert.equal(bundleFor('esp32'), bundlePath('esp32'));
    assert.equal(bundleFor('ESPRUINOWIFI'), bundlePath('wifi'));
    assert.equal(bundleFor('pico', path.join(REPO, 'no-such-dist')), path.join(REPO, 'no-such-dist', 'gate.js'));
  });

  it('the free flash below Storage a layout needs (MDBT42Q, whose free pages depend on the Espruino build), in whole pages', () => {
    const text = need(bundlePath('mdbt42q'));
    const n = freeFlashNeeded('mdbt42q', inputs, text)!;
    assert.ok(n > 0 && n % 4096 === 0, String(n));
    // at least what the firmware (pretokenised, as flash writes it) and qg.ed25519 need beyond the Storage the journal leaves
    const native = nativeCode().length;
    assert.ok(n >= pretokenise(text).length + native - boardFileOf('mdbt42q')!.flash.storageSize + 16 * 1024, `${n}`);
    assert.equal(freeFlashNeeded('mdbt42q', inputs, text, n / 2) !== null, true);
    // the pages boards/mdbt42q.ts lists (below Storage, on the reduced Espruino build) are enough
    const area = boardFileOf('mdbt42q')!.flash.free[0];
    assert.equal(area.addr + area.length, boardFileOf('mdbt42q')!.flash.storageStart);
    assert.ok(area.length >= n, `${area.length} < ${n}`);
  });

  it('the journal reservation follows log.segments x log.segmentSize', () => {
    const cfg = JSON.parse(Buffer.from(inputs.config).toString('utf8'));
    cfg.log = { segments: 2, segmentSize: 1024 };
    const small = flashBudget('esp32', { config: new Uint8Array(Buffer.from(JSON.stringify(cfg))), trust: inputs.trust }, 1000);
    const dflt = flashBudget('esp32', inputs, 1000);
    assert.equal(small.journal, 2 * 1024 + 10);
    assert.equal(dflt.journal, 4 * 4096 + 10);
  });

  it('pretokenised (espruino PRETOKENISE=2) bundles are smaller, bytes only, and untokenise back to ES5', () => {
    const text = need(bundlePath('wifi'));
    const tok = pretokenise(text);
    assert.ok(tok.length < text.length * 0.9, `${tok.length} vs ${text.length}`);
    assert.ok(!/[^\x00-\xff]/.test(tok));
    acorn.parse(untokenise(tok), { ecmaVersion: 5, sourceType: 'script' });
    // token for token the same program (the simulator runs what untokenise gives)
    assert.deepEqual(tokensOf(untokenise(tok)), tokensOf(text));
  });

  it('the pretokeniser kept in data/espruino-tools is the espruino package\'s file, unchanged', function () {
    const pkg = path.join(REPO, 'node_modules', 'espruino', 'plugins', 'pretokenise.js');
    if (!fs.existsSync(pkg)) return this.skip(); // (a development dependency)
    assert.ok(fs.readFileSync(path.join(REPO, 'data', 'espruino-tools', 'pretokenise.js')).equals(fs.readFileSync(pkg)));
  });

  it('untokenise reads raw integers sign-extended, as Espruino\'s lexer does (src/jslex.c: -1 is 0xD4 0xFF)', () => {
    const code = 'var t=0,a=t?1:-1,b=-300,c=t-(-1),d=[-128,-129,-32768,127,255,32767],e=0;';
    const tok = pretokenise(code);
    assert.ok(tok.indexOf('\xd4\xff') >= 0, 'the tokeniser writes -1 as one signed byte');
    const run = (c: string) => { const o: any = {}; vm.runInNewContext(c + 'o.r=[a,b,c,d,e];', { o }); return JSON.stringify(o.r); };
    assert.equal(run(untokenise(tok)), run(code));
    assert.equal(run(code), '[-1,-300,1,[-128,-129,-32768,127,255,32767],0]');
    // the tool drops the space in "t- -1" ("t--1": a decrement on the board): refused, not written
    assert.throws(() => pretokenise('var t=0,c=t- -1;'), /would read differently pretokenised/);
  });

  it('an ARM bundle whose native code cannot run faults and never opens (no JavaScript fallback)', async () => {
    // (written as one .bootcde without its layout, so without qg.ed25519 and its emulation)
    const lines: string[] = [];
    const res = await runScenario({
      board: 'wifi', config: path.join(REPO, 'test', 'fixtures', 'gate.json'), trust: path.join(REPO, 'test', 'fixtures', 'trust.bin'),
      clock: '2021-09-27T08:00:00Z',
      steps: [
        { wait: 100 },
        { expect: { console: '"what":"selftest"' } },
        { scan: JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'scenarios', 'ok.json'), 'utf8')).steps[0].scan },
        { wait: 300 },
        { expect: { relay: false } },
      ],
      // (a Storage larger than the WiFi's 64 KB: its bundle outgrew it, see the budget above)
    }, { bundle: bundlePath('wifi'), out: (l) => lines.push(l), flashBytes: 128 * 1024, layout: false });
    assert.ok(res.ok, res.failures.join('\n') + '\n' + lines.join('\n'));
    assert.ok(lines.some((l) => l.indexOf('qg.ed25519 missing or damaged') >= 0), lines.join('\n'));
    assert.ok(!lines.some((l) => /"decision":"open"/.test(l)));
  });
});
