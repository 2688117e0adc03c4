// A Grow GM65-style QR module's command protocol over the scanner UART (device code, ES5 rules:
// see docs/CONVENTIONS.md). GM65, GM805 and their protocol twins take "zone bit" commands on the
// same UART they send scans on (Grow's GM65 user manual, "Serial port instruction"):
//
//   command  7E 00 | type | len | addrH addrL | data (len bytes) | CRC-H CRC-L
//            type 07 read zone bits, 08 write zone bits (to the module's RAM), 09 save the zone
//            bits to the module's flash. This driver sends only 08: it NEVER builds a 09 frame, so
//            the module's flash (its settings across power cycles) is never written; the gate
//            writes its settings again at every boot.
//   answer   02 00 | status | len | data (len bytes) | CRC-H CRC-L
//            status 00: done (a write is answered 02 00 00 01 00 33 31). The GM65 gives no answer
//            to a command with a wrong CRC or format; some twins answer with a status other than
//            00 (a NAK): both are reported.
//   CRC      CRC-16/XMODEM (polynomial 0x1021, initial 0, no reflection) over the bytes from
//            type to the end of data (command) or from status to the end of data (answer).
//
// `gm65Filter` sits between the UART and the scanner framing driver while the gate configures the
// module at boot (firmware/scanner-setup.ts): it keeps the answers and hands every byte that is not
// part of one to `feed` (the scanner driver's framing, drivers/scanner.ts), so scans go on while
// the gate works and the binary answers never reach the framing as text (an answer's last bytes,
// 33 31, are printable: "31"). It is a plain function over a capture string (no object, no
// closure: the configuration runs at boot on boards with a few thousand variables).
//
// Zone bits written (sources: Grow's GM65 user manual, section 8.5 "List of zone bit", as copied at
// easymanua.ls/grow/gm65/manual?p=37 for 0x0000; for the others, whose pages were not found in a
// copy of the manual, the vendors' own example code: DFRobot's GM65 Arduino library
// (github.com/xuegangxiao0117/GM65_scanner_for_Arduino, GM65_scanner.h: enable/disable setting
// code = 0x0003 <- 0x01 / 0x03), Waveshare's barcode scanner module examples (setting code:
// "Close = 0x02", "With = 0x01" output its content; same-code delay 0x0013 "En_delay 0x80",
// "0x01-0x7F: 0.1-12.7 s", 0x00 with the bit set: never the same code again; 0x002C "Disable all
// 0x00, Enable all 0x02, default 0x04", bit 3 centre area; QR Code 0x003F <- 0x01/0x00); the same
// addresses on the GM805 and GM812 (Grow's protocol twins)):
//   0x0000  bit 7 light the LED on a good read (1), bit 6 beeper on (1) / muted (0), bits 5-4
//           aim (01 standard), bits 3-2 illumination (00 off, 01 standard, 10 always on),
//           bits 1-0 mode (00 manual: the module's trigger, 10 continuous, 11 sensor).
//   0x0003  setting codes: bit 1 closed (1: the module no longer takes a settings barcode shown
//           to it as a command, it reads it as any other code) / open (0); bit 0 output a setting
//           code's content (1). The gate writes 0x02: closed, so that a visitor cannot
//           reconfigure the scanner with a printed settings code.
//   0x0013  same-code delay: bit 7 on, bits 6-0 the delay in 100 ms (at most 12.7 s).
//   0x002C  bits 2-1: 00 every symbology off (then 0x003F turns QR on again), 01 all on,
//           10 the factory set; bit 3 centre area only (0: the whole image).
//   0x003F  bit 0: QR Code on.

/** Zone-bit addresses the gate writes. */
export var GM65_MODE = 0x0000;
export var GM65_SETTING_CODES = 0x0003;
export var GM65_SAME_CODE = 0x0013;
export var GM65_SYMBOLOGIES = 0x002C;
export var GM65_QR = 0x003F;
/** 0x0003: setting codes closed (bit 1), their content not output (bit 0 clear). */
export var GM65_SETTING_CODES_OFF = 0x02;
/** 0x002C: every symbology on (bits 2-1 = 01), the whole image. */
export var GM65_ALL_ON = 0x02;

/** CRC-16/XMODEM of the char codes of s[from..to). */
export function gm65Crc(s: string, from: number, to: number): number {
  var crc = 0;
  for (var i = from; i < to; i++) {
    crc ^= (s.charCodeAt(i) & 0xff) << 8;
    for (var k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The command that writes `value` (one byte) at zone bit `addr` in the module's RAM (a byte string). */
export function gm65WriteCommand(addr: number, value: number): string {
  var s = String.fromCharCode(0x08, 1, (addr >> 8) & 0xff, addr & 0xff, value & 0xff);
  var crc = gm65Crc(s, 0, s.length);
  return '\x7e\x00' + s + String.fromCharCode(crc >> 8, crc & 0xff);
}

/** What the site wants of the module (configuration scanner.*). */
export interface Gm65Settings {
  /** 'continuous' | 'sensor' | 'manual'. */
  mode: string;
  /** 'standard' (lit while reading) | 'on' | 'off'. */
  light: string;
  beep: boolean;
  /** The module's own same-code delay, ms (0: off); more than 12,700 is 12,700. */
  sameCodeMs: number;
}

/**
 * The zone-bit writes for these settings, in the order to send them, as one flat list
 * [addr, value, addr, value, ...] (a flat list of numbers: the fewest variables). The mode byte
 * first (the probe: a module that answers it answers the rest), then setting codes closed, the
 * same-code delay, then QR only (every symbology off, QR on).
 */
export function gm65Writes(s: Gm65Settings): number[] {
  var mode = s.mode === 'sensor' ? 3 : s.mode === 'manual' ? 0 : 2;
  var light = s.light === 'off' ? 0 : s.light === 'on' ? 2 : 1;
  var same = s.sameCodeMs > 0 ? 0x80 | Math.min(127, Math.max(1, Math.round(s.sameCodeMs / 100))) : 0;
  return [
    GM65_MODE, 0x80 | (s.beep ? 0x40 : 0) | 0x10 | (light << 2) | mode,
    GM65_SETTING_CODES, GM65_SETTING_CODES_OFF,
    GM65_SAME_CODE, same,
    GM65_SYMBOLOGIES, 0,
    GM65_QR, 1,
  ];
}

/**
 * The module's answer to a command: 'ok', 'nak' (an answer whose status is not 00), 'crc' (an
 * answer with a wrong CRC); the caller's own 'none' is no answer in time.
 */
export type Gm65Result = string;

/**
 * Takes a chunk from the UART: bytes that are not part of an answer go to `feed` (in order), each
 * complete answer to `answer` ('ok' | 'nak' | 'crc'), and the start of an answer not yet complete
 * is returned (the capture, '' when none) to be passed in with the next chunk. An answer starts
 * with 02 00, a status byte below 0x20 and a length; a capture that turns out not to be one (its
 * second byte not 00, or a text status byte) is handed to `feed`. A capture left when nothing
 * more comes (the answer's time is over) is the scanner's: the caller feeds it.
 */
export function gm65Filter(cap: string, chunk: string, feed: (s: string) => void, answer: (r: Gm65Result) => void): string {
  var run = 0;
  var n = chunk.length;
  for (var i = 0; i < n; i++) {
    var c = chunk.charCodeAt(i);
    if (!cap) {
      if (c !== 0x02) continue;
      if (i > run) feed(chunk.substring(run, i));
      cap = '\x02';
      run = i + 1;
      continue;
    }
    cap += chunk.charAt(i);
    var len = cap.length;
    run = i + 1;
    // 02 00 status len ...: a status or length byte that is text means this was no answer
    if ((len === 2 && c !== 0) || (len === 3 && c >= 0x20)) {
      feed(cap);
      cap = '';
      continue;
    }
    if (len < 4 || len < 6 + cap.charCodeAt(3)) continue;
    var ok = gm65Crc(cap, 2, len - 2) === (cap.charCodeAt(len - 2) << 8 | cap.charCodeAt(len - 1));
    var st = cap.charCodeAt(2);
    cap = '';
    answer(!ok ? 'crc' : st === 0 ? 'ok' : 'nak');
  }
  if (!cap && run < n) feed(run ? chunk.substring(run) : chunk);
  return cap;
}
