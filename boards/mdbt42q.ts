// The MDBT42Q module (nRF52832, 512 KB flash, 64 KB RAM, 64 MHz Cortex-M4).
// Flash: Espruino 2v29 boards/MDBT42Q.py (saved_code: ten 4 KB pages at page 108, before the
// file system's 2 pages and the 8-page bootloader; the SoftDevice takes 31 pages; the firmware
// from 0x1F000, targetlibs/nrf5x_12/nrf5x_linkers/linker_nrf52_ble_espruino_bootloader.ld) and
// targets/nrf5x/jshardware.c jshFlashGetFree (the pages from the one after the firmware's code
// end `__etext` up to Storage). Measured (README "Flash layout"): the stock build leaves none
// (built here with gcc 12.2.1 it ends at 0x6D0BC, 4,284 bytes into Storage); an Espruino built
// from the same board file with only the libraries the gate uses (BLUETOOTH, CRYPTO, SHA256)
// ends at 0x5BB10 (__etext 0x5BA70) and reports 0x5C000, 64 KB. The gate asks for pages 93-107
// (0x5D000) to be reported, i.e. an Espruino whose code ends before 0x5D000 (5,520 bytes to spare
// on that build), and writes pages 94-107, page 93 being the guard (boards/types.ts FlashArea.guard).
import { Board } from './types';

export var MDBT42Q: Board = {
  name: 'mdbt42q',
  title: 'MDBT42Q',
  ids: ['MDBT42Q'],
  pins: {
    scanner: { serial: 'Serial1', rx: 'D8', tx: 'D6' },
    relay: 'D11',
    led: { green: 'D12', red: 'D13', amber: 'D14' },
    contact: 'D15',
    button: 'D16',
    buzzer: 'D17',
    lora: null,
  },
  noLora: 'the nRF52832 has one UART, taken by the scanner',
  nativeSha256: true,
  nativeSha512: false,
  arm: true,
  vars: 2950,
  // Watchdog: nRF52 WDT, CRV = s x 32768 on the 32.768 kHz clock (targets/nrf5x/jshardware.c): 20 s.
  watchdogS: 20,
  cpu: { core: 'Cortex-M4F (nRF52832)', mhz: 64 },
  flash: {
    storageStart: (118 - 10) * 4096,
    storageSize: 10 * 4096,
    pageSize: 4096,
    // Pages 94-107, only where the board reports pages 93-107 free: an Espruino whose code ends
    // before 0x5D000 (the gate's build, README "Flash layout"); the stock build reports none, and
    // `qrgate flash` uses only what the board reports.
    free: [{ addr: 94 * 4096, length: (108 - 94) * 4096, what: 'pages 94-107 below Storage, on an Espruino built with BLUETOOTH, CRYPTO and SHA256 only', page: 4096, guard: 4096 }],
    // 'flash_available' 512 - (31 + 8 + 2 + 10) * 4 KB: SoftDevice pages 0-30, the firmware from
    // page 31 (the stock build up to Storage; getFree() reports the pages after its end), Storage
    // pages 108-117, Espruino's file system 118-119, the bootloader 120-127.
    reserved: [
      { addr: 0, length: 31 * 4096, what: 'SoftDevice (pages 0-30)' },
      { addr: 31 * 4096, length: (93 - 31) * 4096, what: 'Espruino firmware (pages 31-92 on the gate\'s build; the stock build fills pages 31-107)' },
      { addr: 118 * 4096, length: 2 * 4096, what: 'file system pages 118-119' },
      { addr: 120 * 4096, length: 8 * 4096, what: 'bootloader (pages 120-127)' },
    ],
  },
  features: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, crowd: false, scannerModule: false, door: false, fits: true,
    // (the smallest useful gate: QG1 and the native verifier only)
    note: 'needs an Espruino built without NET, GRAPHICS, NFC, NEOPIXEL, FILESYSTEM and JIT (README "Flash layout"): the stock build leaves no free flash, and 40 KB of Storage cannot hold the 64 KB firmware; qg.ed25519 and the firmware\'s head in pages 94-107, the tail and the journal in Storage',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' },
  ],
  notes: [
    'its one UART goes to the scanner, which takes over the serial console: flash and check it before the scanner is connected.',
    'it needs an Espruino built from boards/MDBT42Q.py with only the BLUETOOTH, CRYPTO and SHA256 libraries (see "Flash layout"): on the stock build `qrgate flash` refuses it.',
  ],
};
