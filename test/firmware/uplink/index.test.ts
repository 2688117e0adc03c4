// firmware/uplink/index.ts: the configured transport starts its uplink; 'none' starts nothing;
// a transport the board cannot carry (LoRa without a modem UART) is a fault event, never a throw.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FakeTimers } from '../../fakes/hal';
import { startUplink } from '../../../firmware/uplink';
import { validateConfig, GateConfig } from '../../../firmware/config';
import { boardProfile } from '../../../firmware/boards';
import { Journal } from '../../../firmware/journal';
import { consoleEvents } from '../../../firmware/events';
import { FlashImage } from '../../../sim/flash';
import { REPO } from '../../util/shared';

const LORA = { devEui: '0004a30b001c0530', appEui: '70b3d57ed0000001', appKey: '2b7e151628aed2a6abf7158809cf4f3c', dataRate: 5 };

function config(uplink: any): GateConfig {
  const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
  const v = validateConfig({ ...base, gateId: 'gate-1', uplink });
  assert.ok(v.config, JSON.stringify(v));
  return v.config!;
}

function rig() {
  const timers = new FakeTimers();
  const lines: string[] = [];
  const used: string[] = [];
  const journal = new Journal({ storage: new FlashImage().storage(), gateId: 'gate-1', segments: 4, segmentSize: 4096 });
  journal.open();
  const hal = {
    httpClient: () => { used.push('http'); return { request: () => { /* never answers */ } } as any; },
    wifiConnect: (ssid: string, _p: string, _cb: any) => { used.push('wifi:' + ssid); },
    serialPort: (name: string, baud: number) => { used.push(`uart:${name}@${baud}`); return { write() { /* */ }, onData() { /* */ } } as any; },
    outputPin: (pin: string) => { used.push('pin:' + pin); return { write() { /* */ } } as any; },
  };
  return { timers, lines, used, journal, hal, events: consoleEvents({ log: (l: string) => { lines.push(l); } }) };
}

const faults = (lines: string[]) => lines.filter((l) => l.startsWith('@qg {"ev":"fault"')).map((l) => JSON.parse(l.slice(4)));

describe('firmware/uplink', () => {
  it("'none' starts nothing and says nothing", () => {
    const r = rig();
    assert.equal(startUplink(config({ transport: 'none' }), r.journal, boardProfile('ESP32'), r.timers, r.events, r.hal), null);
    r.timers.advance(60000);
    assert.deepEqual(r.used, []);
    assert.deepEqual(faults(r.lines), []);
  });

  it("'wifi' joins the configured network, not synchronously, and returns a running uplink", () => {
    const r = rig();
    const u = startUplink(config({ transport: 'wifi', url: 'http://127.0.0.1:8700/', intervalMs: 1000, wifi: { ssid: 'office', password: 'p' } }),
      r.journal, boardProfile('ESP32'), r.timers, r.events, r.hal);
    assert.ok(u && typeof u.stop === 'function');
    r.timers.advance(5000);
    assert.ok(r.used.indexOf('wifi:office') >= 0, r.used.join(','));
    u!.stop();
  });

  it("'lora' opens the modem on the board's LoRa UART at 57600 baud, with its reset pin", () => {
    const r = rig();
    const pico = boardProfile('PICO_R1_3');
    const u = startUplink(config({ transport: 'lora', url: 'http://127.0.0.1:8700/', intervalMs: 1000, lora: LORA }), r.journal, pico, r.timers, r.events, r.hal);
    assert.ok(u);
    assert.ok(r.used.indexOf(`uart:${pico.lora!.serial}@57600`) >= 0, r.used.join(','));
    assert.ok(r.used.indexOf('pin:' + pico.lora!.reset) >= 0, r.used.join(','));
    u!.stop();
  });

  it("'lora' on a board with no modem UART is one fault event and no uplink", () => {
    const r = rig();
    const wifiBoard = boardProfile('ESPRUINOWIFI');
    assert.equal(wifiBoard.lora, null);
    assert.equal(startUplink(config({ transport: 'lora', url: 'http://127.0.0.1:8700/', intervalMs: 1000, lora: LORA }), r.journal, wifiBoard, r.timers, r.events, r.hal), null);
    assert.deepEqual(r.used, []);
    const f = faults(r.lines);
    assert.equal(f.length, 1);
    assert.equal(f[0].what, 'uplink');
    assert.match(f[0].why, /no UART for a LoRa modem/);
  });
});
