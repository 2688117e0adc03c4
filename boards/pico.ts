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
    lora: { serial: 'Serial2', rx: 'A3', tx: 'A2', reset: 'A1' },
  },
  nativeSha256: true,
  nativeSha512: false,
  arm: true,
  vars: 5100,
  cpu: { core: 'Cortex-M4F (STM32F401)', mhz: 84 },
  flash: {
    storageStart: 0x08004000,
    storageSize: 48 * 1024,
    pageSize: 16 * 1024,
    free: [{ addr: 0x08060000, length: 128 * 1024, what: '128 KB past the documented 384 KB' }],
  },
  features: {
    native: true, jsVerify: false, divoc: false, wifi: false, lora: false, fits: false,
    note: 'the QG1 firmware, qg.ed25519 and the journal need more than the 48 KB of Storage (README "Flash budget")',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' },
  ],
  notes: [],
};
