// The repeat-visitor cache on a board without a native SHA-256 (the Original): its key is then the
// JavaScript hash of the scanned text (hal/espruino hashes().sha256Text over E.toUint8Array), and
// the gate still decides a repeat scan from the cache and a forged one in full every time.
// (Boards with a native SHA-256 play test/scenarios/repeat-visitor.json.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard } from '../../sim/board';
import { FlashImage } from '../../sim/flash';
import { DEFAULT_BUNDLE } from '../../sim/scenario';
import { tableFiles } from '../../tools/tables';
import { boardProfile } from '../../firmware/boards';

const FIX = path.resolve(__dirname, '..', 'fixtures');
const scan = (name: string) => JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'scenarios', name), 'utf8')).steps[0].scan as string;

describe('repeat visitors on a board without a native SHA-256 (dist/gate.js on the Original)', () => {
  it('opens the second scan from the cache, refuses a forged one every time', function () {
    if (!fs.existsSync(DEFAULT_BUNDLE)) {
      // eslint-disable-next-line no-console
      console.log(`      skipped: ${DEFAULT_BUNDLE} is missing (run make build-device)`);
      this.skip();
    }
    assert.equal(boardProfile('original').nativeSha256, false);
    // The universal bundle does not fit the Original's 48 KB Storage: a larger flash, same board.
    const b = new SimBoard({ board: 'original', flash: new FlashImage({ size: 512 * 1024 }), clock: Date.parse('2021-09-27T08:00:00Z') / 1000 });
    const trust = fs.readFileSync(path.join(FIX, 'trust.bin'));
    const files = tableFiles(new Uint8Array(trust), 8);
    for (const name of Object.keys(files)) b.flash.write(name, files[name]);
    b.flash.write('qg.cfg', fs.readFileSync(path.join(FIX, 'gate.json'), 'latin1'));
    b.flash.write('qg.trust', new Uint8Array(trust));
    b.flash.write('.bootcde', fs.readFileSync(DEFAULT_BUNDLE, 'latin1'));
    b.powerOn();
    b.run();
    assert.equal(b.events.filter((e) => e.event === 'ready').length, 1, JSON.stringify(b.events));
    const ok = scan('ok.json'), forged = scan('bad-signature.json');
    const seen: any[] = [];
    for (const text of [ok, ok, forged, forged, ok]) {
      b.scanner().inject(text + '\r');
      b.run();
      seen.push(b.lastDecision());
      b.advance(6000);
    }
    assert.deepEqual(seen.map((d) => [d.decision, d.reason, d.cached === true]), [
      ['open', 'ok', false], ['open', 'ok', true],
      ['deny', 'bad-signature', false], ['deny', 'bad-signature', false],
      ['open', 'ok', true],
    ]);
  });
});
