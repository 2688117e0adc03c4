// The Espruino Pico (STM32F401CDU6, 384 KB flash documented, 96 KB RAM, 84 MHz Cortex-M4).
// Flash: Espruino 2v29 boards/PICO_R1_3.py (saved_code at 0x08004000: three 16 KB sectors; the
// firmware from 0x08010000) and targets/stm32/jshardware.c jshFlashGetFree (128 KB past the
// documented end, "the Pico chips aren't meant to have this, but they do").
import { Board } from './types';

export var PICO: Board = {
  name: 'pico',
  title: 'Espruino Pico',
  ids: ['PICO_R1_3', 'PICO_R1_4', 'PICO'],
  pins: {
    scanner: { serial: 'Serial1', rx: 'B7', tx: 'B6' },
    relay: 'B3',
    led: { green: 'B4', red: 'B5', amber: 'A8' },
    contact: 'B13',
    button: 'B14',
    buzzer: 'B15',
    lora: { serial: 'Serial2', rx: 'A3', tx: 'A2', reset: 'A1' },
  },
  nativeSha256: true,
  nativeSha512: false,
  arm: true,
  vars: 5100,
  // Watchdog: as the Espruino WiFi's (STM32F4 IWDG, 20 s asked: 17 to 47 s in fact; README "Watchdog").
  watchdogS: 20,
  cpu: { core: 'Cortex-M4F (STM32F401)', mhz: 84 },
  flash: {
    storageStart: 0x08004000,
    storageSize: 48 * 1024,
    pageSize: 16 * 1024,
    free: [{ addr: 0x08060000, length: 128 * 1024, what: '128 KB past the documented 384 KB', page: 128 * 1024 }],
    // STM32F401 sectors: 0-3 16 KB, 4 64 KB, 5-7 128 KB; the bootloader is sector 0, the
    // firmware 'place_text_section' 0x00010000 up to the documented 384 KB (sectors 4-6).
    reserved: [
      { addr: 0x08000000, length: 16 * 1024, what: 'bootloader (sector 0)' },
      { addr: 0x08010000, length: 320 * 1024, what: 'Espruino firmware (sectors 4-6)' },
    ],
  },
  // Free variables a decision needs: before deciding a text the repeat-visitor cache did not
  // answer, the cache gives back its least recently used entries until that many are free
  // (firmware/gate.ts makeRoom). Measured on the Pico's store (ESPRUINO_ARM_5100, mocha
  // test/real/arm-stores.test.ts -g pico, QG_STORES_OUT=dir: each input's peak less the usage after
  // the input before it): DIVOC samples 1,742 to 1,961, the worst DIVOC texts within divocMax up to
  // 2,230 (within-objects); QG1 certificates up to 338 (ok-512), the worst QG1 texts up to 862
  // (qg1-items). The largest of each kind plus about 5 %. (A DIVOC text then empties the cache:
  // about 2,270 are free after boot with it empty.)
  memReserve: { qg1: 950, divoc: 2350 },
  features: {
    // DIVOC's worst texts within the global limits run a 5,100-variable store out (the 4 KB JSON
    // texts; a document of 96 JSON values: test/real/stores.test.ts): the Pico reads at most
    // 2,048 chars, 2,048 bytes inflated and 80 JSON values (the real certificates: 1,152, 1,476
    // and 61), every refusal's peak then at most 4,772 of 5,100 (README "Limits on unsigned input").
    divocMax: { text: 2048, inflated: 2048, values: 80 },
    native: true, jsVerify: false, divoc: true, wifi: false, lora: false, crowd: true, scannerModule: true, door: true, fits: true,
    note: 'qg.ed25519 and the firmware in the 128 KB past the documented end, the journal and the native inflate qg.inflate (written by the firmware) in Storage (README "Flash layout")',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' }, { name: 'qg.inflate', area: 'storage' },
  ],
  notes: [],
};
