// The ESP32 (Espruino's ESP32 build: 4 MB SPI flash, 240 MHz Xtensa LX6, no native code path).
// Flash: Espruino 2v29 boards/ESP32.py (saved_code at 0x320000: 224 pages of 4 KB = 896 KB, the
// `storage` partition of targets/esp32 partitions_espruino.csv) and targets/esp32/jshardware.c
// jshFlashGetFree (partitions of sub type 0x40: 8 KB at 0xE000, 64 KB at 0x310000; its third
// area, 640 KB at 0x360000, lies inside that Storage partition, so it is not free: not listed).
import { Board } from './types';

export var ESP32: Board = {
  name: 'esp32',
  title: 'ESP32',
  ids: ['ESP32'],
  pins: {
    scanner: { serial: 'Serial2', rx: 'D16', tx: 'D17' },
    relay: 'D26',
    led: { green: 'D25', red: 'D33', amber: 'D32' },
    contact: 'D27',
    button: 'D13',
    buzzer: 'D4',
    lora: { serial: 'Serial1', rx: 'D18', tx: 'D19', reset: 'D21' },
  },
  nativeSha256: true,
  nativeSha512: true,
  arm: false,
  vars: 16383,
  // No watchdog: its JavaScript verifier takes 16 to 22 s for a first scan and making the key tables
  // after a trust update longer, none of it bounded by a measured figure (README "Watchdog").
  watchdogS: 0,
  wifiModule: 'Wifi',
  varsUpTo: true,
  cpu: { core: 'Xtensa LX6 (ESP32)', mhz: 240 },
  flash: {
    storageStart: 0x320000,
    storageSize: 896 * 1024,
    pageSize: 4 * 1024,
    free: [
      { addr: 0xe000, length: 8 * 1024, what: 'partition `free` (sub type 0x40)' },
      { addr: 0x310000, length: 64 * 1024, what: 'partition `flash` (sub type 0x40)' },
    ],
    // targets/esp32/Changes_V3.1/partitions_espruino.csv: bootloader, partition table, nvs and
    // otadata before 0xE000; the firmware partitions factory and ota_0 (1,536 KB each) from 0x10000.
    reserved: [
      { addr: 0x1000, length: 0xd000, what: 'bootloader, partition table, nvs, otadata' },
      { addr: 0x10000, length: 0x300000, what: 'Espruino firmware (partitions factory, ota_0)' },
    ],
  },
  features: {
    native: false, jsVerify: true, divoc: true, wifi: true, lora: true, crowd: true, scannerModule: true, door: true, fits: true,
    note: 'everything (896 KB of Storage)',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.tb', area: 'storage' }, { name: 'qg.k*', area: 'storage' },
  ],
  notes: [
    'UART0 is the console, so the scanner is on Serial2. On WROVER modules D16/D17 belong to the PSRAM: move the scanner to other pins there.',
  ],
};
