// The console lock (issue 17.4): which password locks the board's JavaScript console.
//
// Espruino's console runs any JavaScript typed at it, over USB and, unless turned off, over the
// network (the ESP32's telnet console on port 23, the Bluetooth UART of nRF and ESP32 boards).
// The gate turns the network consoles off (hal/espruino lockConsoles) and locks the console with
// E.setPassword / E.lockConsole: a locked console takes nothing but the password, so neither
// qg.cfg (site.secret, the Wi-Fi password, the LoRa app key) nor the pins can be reached from it.
//
// The password is derived from the site's secret: the first 10 bytes of
// HMAC-SHA-256(site.secret, "qrgate console v1") in hex: 20 characters (Espruino compares at most
// 20), 80 bits (hex, not base64: the ARM bundles are short of flash and already carry hexOf). The laptop that has the site's configuration computes the same one
// (tools/board/unlock.ts, with this code), so `qrgate flash` and `doctor` unlock the console and
// nobody needs to keep a password. It is not site.secret itself, so a password seen on a console
// cable gives no pseudonym key.
//
// Where the gate reads it from, in order:
//  1. qg.cfg when it is valid: derived from its site.secret;
//  2. qg.lock, a copy that `qrgate flash` writes beside it ("<password> <first 16 hex of its
//     SHA-256>"), when it passes its check: so a damaged or invalid qg.cfg still locks with the
//     site's password and can be replaced from the laptop;
//  3. otherwise, when a qg.cfg exists (secrets may be in it, readable even when damaged): a random
//     password that nobody knows (recovery: erase the flash with the chip's bootloader);
//  4. no qg.cfg and no qg.lock: nothing secret is on the board; the console stays open (a board
//     that was never flashed, or whose configuration was removed), network consoles still off.
// A firmware that finds no SHA-256 at all (built without the JavaScript one for a board that hashes
// natively, run on an Espruino without crypto: firmware/main.ts) can neither derive nor check a
// password: 3 or 4.
import { GateConfig } from './config';
import { hexOf, byteStringToBytes } from '../proto/bytes';

export var LOCK_FILE = 'qg.lock';
/** boot.ts CONFIG_FILE (boot is a lazy part: the core does not import from it; a test checks they agree). */
export var CONFIG_FILE_NAME = 'qg.cfg';
/** Espruino keeps at most 20 characters of a typed password. */
export var PASSWORD_LENGTH = 20;
var LOCK_LABEL = 'qrgate console v1';
var CHECK_HEX = 16;

/** The console password of a site: 20 hex characters of HMAC-SHA-256(secret, label). */
export function consolePassword(secret: Uint8Array, hmac: (key: Uint8Array, data: Uint8Array) => Uint8Array): string {
  return hexOf(hmac(secret, byteStringToBytes(LOCK_LABEL))).substring(0, PASSWORD_LENGTH);
}

/** The text of qg.lock for a password. */
export function lockFileText(password: string, sha256: (d: Uint8Array) => Uint8Array): string {
  return password + ' ' + hexOf(sha256(byteStringToBytes(password))).substring(0, CHECK_HEX);
}

/** The password in a qg.lock text, or null when the text fails its check (any damage). */
export function passwordOfLockFile(text: string | undefined, sha256: (d: Uint8Array) => Uint8Array): string | null {
  if (text === undefined) return null;
  var pw = text.substring(0, PASSWORD_LENGTH);
  return lockFileText(pw, sha256) === text ? pw : null; // any damaged byte fails the check
}

export interface ConsoleLockChoice {
  /** The password to lock with; '' with `random`: lock with one nobody knows; null: leave open. */
  password: string | null;
  random: boolean;
  /** Where it came from: 'config', 'lockfile', 'random', 'none'. */
  source: string;
}

/** Which password locks the console (see the file header), from what the board holds. */
export function chooseConsoleLock(config: GateConfig | undefined, lockText: string | undefined, configExists: boolean,
  hmac: ((key: Uint8Array, data: Uint8Array) => Uint8Array) | null, sha256: ((d: Uint8Array) => Uint8Array) | null): ConsoleLockChoice {
  // (No SHA-256 at all, hmac and sha256 null: neither password can be made or checked.)
  if (config && hmac) return { password: consolePassword(config.site.secret, hmac), random: false, source: 'config' };
  var fromFile = sha256 ? passwordOfLockFile(lockText, sha256) : null;
  if (fromFile !== null) return { password: fromFile, random: false, source: 'lockfile' };
  if (configExists || lockText !== undefined) return { password: '', random: true, source: 'random' };
  return { password: null, random: false, source: 'none' };
}
