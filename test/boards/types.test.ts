// boards/types.ts: the board-file schema (checkBoard) accepts every board file and refuses each
// kind of malformed board; profileOf gives the firmware's view of a board.
import { strict as assert } from 'assert';
import { checkBoard, profileOf, Board } from '../../boards/types';
import { BOARD_FILES } from '../../boards/index';
import { PICO } from '../../boards/pico';

function clone(b: Board): any { return JSON.parse(JSON.stringify(b)); }

describe('boards/types: the board-file schema', () => {
  for (const b of BOARD_FILES) {
    it(`${b.name}: well formed`, () => assert.deepEqual(checkBoard(b), []));
  }

  const bad: [string, (b: any) => void, RegExp][] = [
    ['a bad name', (b) => { b.name = 'Pico 2'; }, /name/],
    ['no ids', (b) => { b.ids = []; }, /ids/],
    ['a scanner pin that is no pin', (b) => { b.pins.scanner.rx = 'PB7'; }, /pins\.scanner/],
    ['a relay that is no pin', (b) => { b.pins.relay = 3; }, /pins\.relay/],
    ['an LED missing', (b) => { delete b.pins.led.amber; }, /pins\.led/],
    ['a pin used twice', (b) => { b.pins.relay = b.pins.led.green; }, /used twice/],
    ['no door contact pin', (b) => { delete b.pins.contact; }, /pins\.contact/],
    ['the exit button on the relay\'s pin', (b) => { b.pins.button = b.pins.relay; }, /used twice/],
    ['LoRa on the scanner\'s UART', (b) => { b.pins.lora.serial = b.pins.scanner.serial; }, /share a UART/],
    ['no LoRa pins and no reason', (b) => { b.pins.lora = null; }, /noLora/],
    ['LoRa feature without LoRa pins', (b) => { b.pins.lora = null; b.noLora = 'x'; b.features.lora = true; }, /features\.lora/],
    ['native code on a board that is not ARM', (b) => { b.arm = false; }, /native/],
    ['no verifier at all', (b) => { b.features.native = false; b.features.jsVerify = false; }, /verifier/],
    ['Storage not a multiple of its page', (b) => { b.flash.storageSize = 40 * 1024; }, /storageSize/],
    ['a free area inside Storage', (b) => { b.flash.free.push({ addr: b.flash.storageStart + 1024, length: 1024, what: 'x' }); }, /flash\.free/],
    ['files that do not follow the features', (b) => { b.files.pop(); }, /files must be/],
    ['tables without the JavaScript verifier', (b) => { b.files.push({ name: 'qg.tb', area: 'storage' }); }, /files must be/],
    ['a feature that is not a boolean', (b) => { b.features.divoc = 'no'; }, /features/],
    ['no variables', (b) => { b.vars = 0; }, /vars/],
    ['a Wi-Fi module Espruino does not have', (b) => { b.wifiModule = 'wifi'; }, /wifiModule/],
    ['the Wi-Fi feature without a Wi-Fi module', (b) => { b.features.wifi = true; }, /features\.wifi/],
    ['DIVOC bounds without DIVOC', (b) => { b.features.divoc = false; }, /features\.divocMax/],
    ['a DIVOC bound of 0', (b) => { b.features.divocMax.values = 0; }, /features\.divocMax/],
    ['a DIVOC bound missing', (b) => { delete b.features.divocMax.inflated; }, /features\.divocMax/],
    ['a memory reserve of 0', (b) => { b.memReserve.qg1 = 0; }, /memReserve/],
    ['a memory reserve missing a kind', (b) => { delete b.memReserve.divoc; }, /memReserve/],
    ['a memory reserve over the store', (b) => { b.memReserve.divoc = b.vars; }, /memReserve/],
    ['a DIVOC reserve on a board without DIVOC', (b) => { b.features.divoc = false; delete b.features.divocMax; }, /memReserve/],
    ['no qg.inflate with DIVOC and native code on ARM', (b) => { b.files = b.files.filter((f: any) => f.name !== 'qg.inflate'); }, /files must be/],
    ['the table as data without its file qg.divoc', (b) => { b.features.divocData = true; }, /files must be/],
    ['the table as data on a board without native code', (b) => { b.features.divocData = true; b.features.native = false; b.features.jsVerify = true; }, /divocData/],
    ['eager parts that are no names', (b) => { b.features.eagerParts = 'wifi'; }, /eagerParts/],
  ];
  for (const [what, spoil, msg] of bad) {
    it(`refuses ${what}`, () => {
      const b = clone(PICO);
      assert.deepEqual(checkBoard(b), []);
      spoil(b);
      const problems = checkBoard(b);
      assert.ok(problems.some((p) => msg.test(p)), JSON.stringify(problems));
    });
  }

  it('profileOf: the firmware\'s fields, in the firmware table\'s order', () => {
    const p = profileOf(PICO);
    assert.deepEqual(Object.keys(p), ['ids', 'name', 'scanner', 'relay', 'led', 'contact', 'button', 'buzzer', 'lora', 'nativeSha512', 'nativeSha256', 'arm', 'vars', 'wifi', 'host', 'watchdogS', 'reserve']);
    assert.deepEqual(p.reserve, PICO.memReserve);
    const noReserve = clone(PICO);
    delete noReserve.memReserve;
    assert.equal(profileOf(noReserve).reserve, null);
    assert.deepEqual([p.wifi, p.host], ['', false]);
    assert.deepEqual([profileOf(Object.assign(clone(PICO), { wifiModule: 'EspruinoWiFi', host: true })).wifi, profileOf(Object.assign(clone(PICO), { host: true })).host], ['EspruinoWiFi', true]);
    assert.equal(p.relay, PICO.pins.relay);
    assert.deepEqual(p.lora, PICO.pins.lora);
  });
});
