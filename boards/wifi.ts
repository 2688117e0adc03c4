// The Espruino WiFi (STM32F411CEU6, 512 KB flash, 128 KB RAM, 100 MHz Cortex-M4).
// Flash: Espruino 2v29 boards/ESPRUINOWIFI.py (saved_code at 0x08010000: one 64 KB sector; the
// firmware from 0x08020000) and targets/stm32/jshardware.c jshFlashGetFree (three 16 KB pages
// after the bootloader).
import { Board } from './types';

export var WIFI: Board = {
  name: 'wifi',
  title: 'Espruino WiFi',
  ids: ['ESPRUINOWIFI'],
  pins: {
    scanner: { serial: 'Serial1', rx: 'B7', tx: 'B6' },
    relay: 'B3',
    led: { green: 'B4', red: 'B5', amber: 'B8' },
    contact: 'B13',
    button: 'B14',
    buzzer: 'B15',
    lora: null,
  },
  noLora: 'its second UART drives the ESP8266',
  nativeSha256: true,
  nativeSha512: true,
  arm: true,
  vars: 8190,
  // Watchdog: Espruino's STM32 jshEnableWatchDog (targets/stm32/jshardware.c) sets the IWDG's
  // reload to s x 40000 / 256 (at most 0xFFF: 26.2 s); its LSI clock is 32 kHz nominal on the F4
  // (17 to 47 kHz), so 20 s is 17 to 47 s in fact: far longer than any decision here (README "Watchdog").
  watchdogS: 20,
  wifiModule: 'EspruinoWiFi',
  cpu: { core: 'Cortex-M4F (STM32F411)', mhz: 100 },
  flash: {
    storageStart: 0x08010000,
    storageSize: 64 * 1024,
    pageSize: 64 * 1024,
    free: [{ addr: 0x08004000, length: 3 * 16 * 1024, what: 'three 16 KB pages after the bootloader', page: 16 * 1024 }],
    // STM32F411CE sectors: 0-3 16 KB, 4 64 KB, 5-7 128 KB; the bootloader is sector 0, the
    // firmware 'place_text_section' 0x00020000 (sectors 5-7).
    reserved: [
      { addr: 0x08000000, length: 16 * 1024, what: 'bootloader (sector 0)' },
      { addr: 0x08020000, length: 384 * 1024, what: 'Espruino firmware (sectors 5-7)' },
    ],
  },
  // Free variables a decision needs (firmware/gate.ts makeRoom; boards/pico.ts says how), since
  // the WiFi carries DIVOC (session 14): measured on its store (ESPRUINO_ARM_8190, 64 keys, as
  // flashed split): the worst DIVOC text the global limits let through (`statements`) takes about
  // 4,360 over the usage before it (the samples about 2,740, the table's 9 KB buffer included), the
  // worst QG1 text about 520. With 64 keys and a full repeat-visitor cache (16 entries, about 900)
  // about 4,750 are free: the reserve makes the cache give entries back before a text that needs
  // more than is left (the largest of each kind plus about 5 %; QG1 as on the Pico).
  memReserve: { qg1: 950, divoc: 4600 },
  features: {
    native: true, jsVerify: false, divoc: true, divocData: true, wifi: true, lora: false, crowd: false, scannerModule: false, door: true, fits: true,
    // (the Wi-Fi uplink, which keeps its functions once started, with the status it shares, and the
    // native inflate's glue, kept from boot on: in the core they cost no copies: 4.8 KB less firmware)
    eagerParts: ['wifi', 'status', 'ninflate'],
    note: 'qg.ed25519, qg.inflate and the firmware\'s head in the 48 KB after the bootloader, its tail, qg.divoc and the journal in Storage, the firmware pretokenised (README "Flash layout"; DIVOC since session 14: its context table as data, qg.divoc); without occupancy counting (capacity, anti-passback, exit scanner), the scanner module\'s configuration and LoRa (uplink, trust fragments): with them the firmware (91 KB) needed about 5 KB more than the 48 KB area and 64 KB of Storage hold',
  },
  files: [
    { name: 'qg.cfg', area: 'storage' }, { name: 'qg.lock', area: 'storage' }, { name: 'qg.trust', area: 'storage' },
    { name: 'qg.ed25519', area: 'storage' }, { name: 'qg.inflate', area: 'storage' }, { name: 'qg.divoc', area: 'storage' },
  ],
  notes: [],
};
