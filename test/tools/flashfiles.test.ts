// tools/flashfiles.ts featureProblems / featureNotes: what a configuration asks of a board's own
// firmware that its features (boards/<name>.ts) leave out, judged as the firmware judges it.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BOARD_FILES } from '../../boards/index';
import { validateConfig } from '../../firmware/config';
import { featureNotes, featureProblems } from '../../tools/flashfiles';

const GATE_JSON = path.join(__dirname, '..', 'fixtures', 'gate.json');

function cfg(o: any) {
  const v = validateConfig({ ...JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')), ...o });
  assert.ok(v.config, v.error);
  return v.config!;
}

describe('tools/flashfiles featureProblems', () => {
  it('the fixture configuration runs on every board', () => {
    for (const b of BOARD_FILES) assert.deepEqual(featureProblems(b.name, cfg({})), [], b.name);
  });

  it('names occupancy counting, the door watch and an uplink transport where the board lacks them, and only there', () => {
    const asks: { [feature: string]: { o: any; re: RegExp } } = {
      crowd: { o: { capacity: { max: 40 } }, re: /^occupancy counting .* is not built into the firmware for board / },
      door: { o: { door: { contact: 'board' } }, re: /^the door contact and exit button .* is not built into the firmware for board / },
      wifi: { o: { uplink: { transport: 'wifi', url: 'http://c:8700/ingest', wifi: { ssid: 's', password: 'p' } } }, re: /^uplink.transport wifi is not built into the firmware for board / },
    };
    for (const b of BOARD_FILES) {
      for (const k of Object.keys(asks)) {
        const p = featureProblems(b.name, cfg(asks[k].o));
        if ((b.features as any)[k]) assert.deepEqual(p, [], `${b.name} ${k}`);
        else {
          assert.equal(p.length, 1, `${b.name} ${k}`);
          assert.match(p[0], asks[k].re);
          assert.ok(p[0].endsWith(' ' + b.name));
        }
      }
    }
    // the Espruino WiFi: the Wi-Fi uplink and the door, no counting
    assert.deepEqual(featureProblems('wifi', cfg({ door: { contact: 'board', button: 'board' }, uplink: asks.wifi.o.uplink })), []);
    assert.equal(featureProblems('ESPRUINOWIFI', cfg(asks.crowd.o)).length, 1);
  });

  it('a board without the scanner module step gets a note for scanner.module gm65, never a problem', () => {
    for (const b of BOARD_FILES) {
      const notes = featureNotes(b.name, cfg({}));
      assert.equal(notes.length, b.features.scannerModule ? 0 : 1, b.name);
      assert.deepEqual(featureNotes(b.name, cfg({ scanner: { module: 'none' } })), []);
    }
    assert.match(featureNotes('wifi', cfg({}))[0], /does not configure the scanner module \(scanner.module gm65\)/);
  });
});
