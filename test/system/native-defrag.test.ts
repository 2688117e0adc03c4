// Native code and E.defrag (hal/espruino flatBuffer/flatAddress): when memory is too fragmented
// for a flat buffer, the hal calls E.defrag() and tries once more; E.defrag MOVES every unlocked
// flat buffer (Espruino 2v29 src/jsvar.c jsvDefragment), the native verifier's one made at boot
// included, so the firmware takes each buffer's address right before each native call. The
// simulator models it (sim/espruino/globals.ts: E.defrag gives every flat buffer a new address, the
// old one is nobody's; scenario step {"ram": "fragmented"|"defrag"}).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenario } from '../../sim/scenario';
import { SimBoard } from '../../sim/board';
import { bundlePath } from '../../tools/build/boards';
import { INDEX, sampleText } from '../util/divoc';
import { NATIVE_ED25519_BASE64, NATIVE_ED25519_ENTRY, NATIVE_ED25519_SIGNATURE } from '../../firmware/crypto/native-code.generated';

const FX = path.resolve(__dirname, '..', 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CERTS = require('../fixtures/certs.json');
const text = (name: string) => CERTS.certs[name].text as string;

describe('native code after E.defrag (the Pico\'s own bundle, native code emulated)', function () {
  this.timeout(5 * 60 * 1000);

  it('the simulator catches a stale address: an address taken before E.defrag reads nothing the program wrote', () => {
    const lines: string[] = [];
    const b = new SimBoard({ board: 'pico', native: true, onConsoleLine: (l) => lines.push(l) });
    b.flash.write('qg.ed25519', new Uint8Array(Buffer.from(NATIVE_ED25519_BASE64, 'base64')));
    // RFC 8032 test 2 (one byte, 0x72)
    const pub = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
    const sig = '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';
    b.boot(`
var c = require('Storage').read('qg.ed25519');
var f = E.nativeCall(E.getAddressOf(c, true) + ${NATIVE_ED25519_ENTRY} + 1, '${NATIVE_ED25519_SIGNATURE}');
function hex(h) { var u = new Uint8Array(h.length / 2); for (var i = 0; i < u.length; i++) u[i] = parseInt(h.substr(2 * i, 2), 16); return u; }
var m = new Uint8Array(97);
m.set(hex('${pub}'), 0); m.set(hex('${sig}'), 32); m[96] = 0x72;
var kept = E.getAddressOf(m, true);
print('before ' + f(kept, kept + 32, kept + 96, 1));
E.defrag();
print('kept ' + f(kept, kept + 32, kept + 96, 1));
var now = E.getAddressOf(m, true);
print('now ' + f(now, now + 32, now + 96, 1) + ' moved ' + (now !== kept));
`);
    b.run();
    assert.deepEqual(lines.filter((l) => /^(before|kept|now) /.test(l)), ['before 1', 'kept 0', 'now 1 moved true']);
  });

  it('E.defrag exists where Espruino has it (not in SAVE_ON_FLASH builds); a fragmented RAM gives no flat buffer until it runs', () => {
    for (const saveOnFlash of [false, true]) {
      const lines: string[] = [];
      const b = new SimBoard({ board: 'pico', native: true, saveOnFlash, onConsoleLine: (l) => lines.push(l) });
      b.boot('print("defrag " + typeof E.defrag)');
      b.run();
      assert.ok(lines.indexOf('defrag ' + (saveOnFlash ? 'undefined' : 'function')) >= 0, lines.join('\n'));
      if (saveOnFlash) continue;
      b.sandbox!.ramFragmented = true;
      b.sandbox!.run('var a = new Uint8Array(64); print("first " + E.getAddressOf(a, true)); E.defrag(); var c = new Uint8Array(64); print("again " + (E.getAddressOf(c, true) > 0) + " " + E.getAddressOf(a, true))', 'x.js');
      assert.ok(lines.indexOf('first 0') >= 0 && lines.indexOf('again true 0') >= 0, lines.join('\n'));
    }
  });

  it('verifies and inflates natively, deciding as before, across defragmentations (its own and another\'s)', async function () {
    if (!fs.existsSync(bundlePath('pico'))) this.skip(); // make build-device
    const config = JSON.parse(fs.readFileSync(path.join(FX, 'gate.json'), 'utf8'));
    config.cache = { size: 0 }; // (every scan checked by the native verifier)
    const divoc = INDEX.samples.map((x: { file: string }) => sampleText(x.file));
    const steps: any[] = [
      { scan: text('ok') }, { wait: 3000 }, { expect: { decision: 'open', reason: 'ok' } },
      // something else defragments: the verifier's buffer from boot moves
      { ram: 'defrag' },
      { scan: text('ok-booster') }, { wait: 3000 }, { expect: { decision: 'open', reason: 'ok' } },
      { scan: text('bad-signature') }, { wait: 3000 }, { expect: { decision: 'deny', reason: 'bad-signature' } },
      // fragmented: the native inflate's buffer needs hal flatBuffer's E.defrag and retry
      { ram: 'fragmented' },
      { scan: divoc[0] }, { wait: 3000 },
      { scan: text('ok-test') }, { wait: 3000 }, { expect: { decision: 'open', reason: 'ok' } },
    ];
    const res = await runScenario({ board: 'pico', config, trust: path.join(FX, 'trust.bin'), clock: '2021-09-27T08:00:00Z', steps }, {});
    assert.ok(res.ok, res.failures.join('\n'));
    const sb = res.board!.sandbox!;
    assert.equal(sb.defrags, 2, 'the scenario\'s E.defrag and the one hal flatBuffer made for the inflate');
    assert.equal(sb.ramFragmented, false);
    // the DIVOC sample decides as on a gate that never defragmented
    const plain = await runScenario({ board: 'pico', config, trust: path.join(FX, 'trust.bin'), clock: '2021-09-27T08:00:00Z',
      steps: [{ scan: divoc[0] }, { wait: 3000 }] }, {});
    const pick = (r: any) => r.events.filter((e: any) => e.event === 'decision').map((e: any) => [e.decision, e.reason, e.format, e.cti].join(' '));
    assert.equal(pick(res)[3], pick(plain)[0]);
    assert.equal(res.board!.sandbox!.defrags, 2);
    assert.equal(plain.board!.sandbox!.defrags, 0, 'no defragmentation when a flat buffer is there');
  });
});
