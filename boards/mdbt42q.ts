// The MDBT42Q module (nRF52832, 512 KB flash, 64 KB RAM, 64 MHz Cortex-M4).
// Flash: Espruino 2v29 boards/MDBT42Q.py (saved_code: ten 4 KB pages at page 108, before the
// file system's 2 pages and the 8-page bootloader; the SoftDevice takes 31 pages) and
// targets/nrf5x/jshardware.c jshFlashGetFree (only the pages between the firmware's end and
// Storage, which depend on the build: not listed).
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
  cpu: { core: 'Cortex-M4F (nRF52832)', mhz: 64 },
  flash: {
    storageStart: (118 - 10) * 4096,
    storageSize: 10 * 4096,
    pageSize: 4096,
    free: [],
    // 'flash_available' 512 - (31 + 8 + 2 + 10) * 4 KB: SoftDevice pages 0-30, the firmware up
    // to Storage (pages 31-107; getFree() reports the pages after its end, which depend on the
    // build), Storage pages 108-117, Espruino's file system 118-119, the bootloader 120-127.
    reserved: [
      { addr: 0, length: 31 * 4096, what: 'SoftDevice (pages 0-30)' },
      { addr: 31 * 4096, length: (108 - 31) * 4096, what: 'Espruino firmware (pages 31-107; its end depends on the build)' },
      { addr: 118 * 4096, length: 2 * 4096, what: 'file system pages 118-119' },
      { addr: 120 * 4096, length: 8 * 4096, what: 'bootloader (pages 120-127)' },
    ],
  },
  features: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, crowd: false, scannerModule: false, door: false, fits: false,
    // (the smallest useful gate: QG1 and the native verifier only; it still does not fit)
    note: 'even the smallest firmware (QG1 and the native verifier only: 63 KB) is larger than the 40 KB of Storage; with an image it needs 52 KB of free pages below Storage, i.e. an Espruino firmware ending by 0x5F000 (256 KB of the 308 KB its build may take), and the stock build leaves none known (README "Flash layout")',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' },
  ],
  notes: [
    'its one UART goes to the scanner, which takes over the serial console: flash and check it before the scanner is connected.',
  ],
};
