// Board profiles: which UART and pins the scanner, relay and LEDs use on each supported board.
// The wiring table in README.md is generated from this list (keep them in step).

export interface BoardProfile {
  /** Espruino's process.env.BOARD values that select this profile. */
  ids: string[];
  name: string;
  scanner: { serial: string; rx: string; tx: string };
  relay: string;
  led: { green: string; red: string; amber: string };
  /**
   * The RN2483 LoRaWAN modem's UART (57600 baud) and its RESET line (active low), for
   * uplink.transport 'lora'; null on boards without a second free UART.
   */
  lora: { serial: string; rx: string; tx: string; reset?: string } | null;
  /** Native SHA-512 in require('crypto') (Espruino WiFi, ESP32). */
  nativeSha512: boolean;
  /** Native SHA-256 in require('crypto'). */
  nativeSha256: boolean;
  /** Cortex-M: E.nativeCall can run Thumb-2 code. */
  arm: boolean;
  /** Variables (JsVars) available. */
  vars: number;
}

/** Every profile, made on each call: the device keeps only its own (the list costs ~250 variables). */
export function boardList(): BoardProfile[] {
  return [
  { ids: ['ESPRUINOWIFI'], name: 'wifi', scanner: { serial: 'Serial1', rx: 'B7', tx: 'B6' },
    relay: 'B3', led: { green: 'B4', red: 'B5', amber: 'B8' },
    // USART2 (A2/A3) is wired to the ESP8266 and USART6 only reaches the USB pins: Wi-Fi only
    lora: null,
    nativeSha512: true, nativeSha256: true, arm: true, vars: 8190 },
  { ids: ['PICO_R1_3', 'PICO_R1_4', 'PICO'], name: 'pico', scanner: { serial: 'Serial1', rx: 'B7', tx: 'B6' },
    relay: 'B3', led: { green: 'B4', red: 'B5', amber: 'A8' },
    lora: { serial: 'Serial2', rx: 'A3', tx: 'A2', reset: 'A1' },
    nativeSha512: false, nativeSha256: true, arm: true, vars: 5100 },
  { ids: ['ESPRUINOBOARD'], name: 'original', scanner: { serial: 'Serial1', rx: 'A10', tx: 'A9' },
    relay: 'C6', led: { green: 'C7', red: 'C8', amber: 'C9' },
    lora: { serial: 'Serial2', rx: 'A3', tx: 'A2', reset: 'A1' },
    nativeSha512: false, nativeSha256: false, arm: true, vars: 2756 },
  { ids: ['ESP32'], name: 'esp32', scanner: { serial: 'Serial2', rx: 'D16', tx: 'D17' },
    relay: 'D26', led: { green: 'D25', red: 'D33', amber: 'D32' },
    lora: { serial: 'Serial1', rx: 'D18', tx: 'D19', reset: 'D21' },
    nativeSha512: true, nativeSha256: true, arm: false, vars: 16383 },
  { ids: ['MDBT42Q'], name: 'mdbt42q', scanner: { serial: 'Serial1', rx: 'D8', tx: 'D6' },
    relay: 'D11', led: { green: 'D12', red: 'D13', amber: 'D14' },
    // the nRF52832 has one UART, taken by the scanner
    lora: null,
    nativeSha512: false, nativeSha256: true, arm: true, vars: 2950 },
  { ids: ['LINUX'], name: 'linux', scanner: { serial: 'Serial1', rx: 'D1', tx: 'D0' },
    relay: 'D2', led: { green: 'D3', red: 'D4', amber: 'D5' },
    lora: { serial: 'Serial2', rx: 'D7', tx: 'D6', reset: 'D8' },
    nativeSha512: true, nativeSha256: true, arm: false, vars: 40000 },
  ];
}

/** Every profile (host tools; tree-shaken out of the device bundle, which calls boardProfile). */
export var BOARDS: BoardProfile[] = /* @__PURE__ */ boardList();

/** The profile for a board id (process.env.BOARD) or profile name; the Espruino WiFi's by default. */
export function boardProfile(idOrName: string | undefined): BoardProfile {
  var all = boardList();
  for (var i = 0; i < all.length; i++) {
    var b = all[i];
    if (b.name === idOrName || b.ids.indexOf(idOrName || '') >= 0) return b;
  }
  return all[0];
}
