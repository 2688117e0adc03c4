// Espruino's Linux build (the interpreter the tests run: /work/espruino-bin, `make BOARD=LINUX`).
// Flash: Espruino 2v29 boards/LINUX.py ('flash': 256 KB in a file) and
// scripts/build_platform_config.py (FLASH_START 0x10000000, 1 KB pages, all of it Storage);
// targets/linux/jshardware.c jshFlashGetFree reports that same file, which is Storage: nothing free.
import { Board } from './types';

export var LINUX: Board = {
  name: 'linux',
  title: 'Linux build (tests)',
  ids: ['LINUX'],
  pins: {
    scanner: { serial: 'Serial1', rx: 'D1', tx: 'D0' },
    relay: 'D2',
    led: { green: 'D3', red: 'D4', amber: 'D5' },
    contact: 'D9',
    button: 'D10',
    buzzer: 'D11',
    lora: { serial: 'Serial2', rx: 'D7', tx: 'D6', reset: 'D8' },
  },
  nativeSha256: true,
  nativeSha512: true,
  arm: false,
  vars: 40000,
  // No watchdog: Espruino's Linux build has none (targets/linux/jshardware.c: jshEnableWatchDog is empty).
  watchdogS: 0,
  host: true,
  flash: {
    storageStart: 0x10000000,
    storageSize: 256 * 1024,
    pageSize: 1024,
    free: [],
    reserved: [],
  },
  features: {
    native: false, jsVerify: true, divoc: true, wifi: true, lora: true, crowd: true, scannerModule: true, door: true, fits: true,
    note: 'everything (the Linux build, for tests)',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.tb', area: 'storage' }, { name: 'qg.k*', area: 'storage' },
  ],
  notes: [],
};
