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
  },
  features: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, fits: false,
    note: 'the QG1 firmware alone is larger than the 40 KB of Storage (README "Flash budget")',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' },
  ],
  notes: [
    'its one UART goes to the scanner, which takes over the serial console: flash and check it before the scanner is connected.',
  ],
};
