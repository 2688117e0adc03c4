// The original Espruino board (STM32F103RCT6, 256 KB flash documented, 48 KB RAM, 72 MHz
// Cortex-M3). Flash: Espruino 2v29 boards/ESPRUINOBOARD.py (saved_code: the last 20 KB, ten 2 KB
// pages; 10 KB bootloader) and targets/stm32/jshardware.c jshFlashGetFree (128 KB past the
// documented end; the pages between the firmware's end and Storage depend on the build: not listed).
import { Board } from './types';

export var ORIGINAL: Board = {
  name: 'original',
  title: 'Espruino Original',
  ids: ['ESPRUINOBOARD'],
  pins: {
    scanner: { serial: 'Serial1', rx: 'A10', tx: 'A9' },
    relay: 'C6',
    led: { green: 'C7', red: 'C8', amber: 'C9' },
    contact: 'C10',
    button: 'C11',
    buzzer: 'C12',
    lora: { serial: 'Serial2', rx: 'A3', tx: 'A2', reset: 'A1' },
  },
  nativeSha256: false,
  nativeSha512: false,
  arm: true,
  vars: 2756,
  // Watchdog: Espruino's STM32 IWDG (targets/stm32/jshardware.c: reload s x 40000 / 256); the F1's
  // LSI is 40 kHz nominal (30 to 60 kHz), so 20 s is 13 to 27 s in fact (README "Watchdog").
  watchdogS: 20,
  cpu: { core: 'Cortex-M3 (STM32F103)', mhz: 72 },
  flash: {
    storageStart: 0x08000000 + (256 - 20) * 1024,
    storageSize: 20 * 1024,
    pageSize: 2 * 1024,
    free: [{ addr: 0x08040000, length: 128 * 1024, what: '128 KB past the documented 256 KB', page: 2 * 1024 }],
    // 'flash_available' 256-(20+10) KB: a 10 KB bootloader, then the firmware up to Storage.
    reserved: [
      { addr: 0x08000000, length: 10 * 1024, what: 'bootloader' },
      { addr: 0x08002800, length: 226 * 1024, what: 'Espruino firmware (its end depends on the build)' },
    ],
  },
  features: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, crowd: false, scannerModule: false, door: true, lazyBoot: true, fits: true,
    // Occupancy counting and the scanner module's setup are left out for RAM, not flash: with them
    // the firmware held 188 variables more after boot, and on its 2,756 the worst QG1 texts ran
    // out of memory (test/real/arm-stores.test.ts; README "Each ARM board's own firmware").
    note: 'qg.ed25519 and the firmware in the 128 KB past the documented end, the journal in Storage (README "Flash layout"); without occupancy counting (capacity, anti-passback, exit scanner) and the scanner module\'s configuration, which its 2,756 variables cannot hold beside the worst QG1 texts',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' },
  ],
  notes: [],
};
