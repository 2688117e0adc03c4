// Unlocking a gate's console from the laptop (issue 17.4). The gate locks its console at every
// boot with a password derived from the site's secret (firmware/console-lock.ts, the same code
// here), so whoever holds the site's configuration can unlock it and nobody else can: a locked
// Espruino console takes nothing but the password line ("password>"; Espruino's
// src/jsinteractive.c), whatever arrives over USB, telnet or Bluetooth.
//
// The client (tools/board/client.ts) calls unlockConsole() before it first talks to the board
// (sync) and relockConsole() when it closes, so flash, doctor and every other board command work
// on a locked gate when given the configuration: --config FILE where the command has it, else
// the environment variable QRGATE_CONFIG=FILE.
import { CliError } from '../cli';
import * as fs from 'fs';
import { validateConfig } from '../../firmware/config';
import { consolePassword, lockFileText } from '../../firmware/console-lock';
import { hmacSha256, sha256 } from '../../firmware/crypto/sha256';
import { Link } from './link';

/** The board's console is locked and we cannot open it: one line, says what to do. */
export class ConsoleLockedError extends Error {}

function configObject(config: Uint8Array | string | object): any {
  if (config instanceof Uint8Array) return JSON.parse(Buffer.from(config).toString('utf8'));
  if (typeof config === 'string') return JSON.parse(config);
  return config;
}

/** The console password of a gate configuration (bytes, text or object); throws when it does not validate. */
export function consolePasswordOf(config: Uint8Array | string | object): string {
  const v = validateConfig(configObject(config));
  if (!v.config) throw new Error(`configuration: ${v.error}`);
  return consolePassword(v.config.site.secret, (k, d) => hmacSha256(k, d, sha256));
}

/** qg.lock for a configuration: the password with its check (firmware/console-lock.ts). */
export function lockFileOf(config: Uint8Array | string | object): Uint8Array {
  return new Uint8Array(Buffer.from(lockFileText(consolePasswordOf(config), sha256), 'latin1'));
}

/** The passwords from QRGATE_CONFIG (a configuration file), or none. */
/** `--config FILE` of a board command: the site configuration whose password opens a locked console. */
export function useSiteConfig(file: string): void {
  process.env.QRGATE_CONFIG = file;
  try {
    defaultPasswords(); // a file that cannot be read, or no site.secret, fails now in one line
  } catch (e: any) {
    throw new CliError(String(e.message).replace('QRGATE_CONFIG=', '--config '));
  }
}

export function defaultPasswords(): string[] {
  const p = process.env.QRGATE_CONFIG;
  if (!p) return [];
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(p);
  } catch (e: any) {
    throw new ConsoleLockedError(`QRGATE_CONFIG=${p}: cannot read it (${e.code || e.message})`);
  }
  try {
    return [consolePasswordOf(new Uint8Array(bytes))];
  } catch (e: any) {
    throw new ConsoleLockedError(`QRGATE_CONFIG=${p}: ${String(e.message).split('\n')[0]}`);
  }
}

interface Tap { text: string; active: boolean; wake: (() => void) | null }
const taps = new WeakMap<Link, Tap>();
const unlocked = new WeakSet<Link>();

/** What the link receives while we listen (one listener per link: a Link cannot drop one). */
function tap(link: Link): Tap {
  let t = taps.get(link);
  if (!t) {
    const nt: Tap = { text: '', active: false, wake: null };
    link.onData((d) => {
      if (!nt.active) return;
      nt.text += d;
      if (nt.wake) nt.wake();
    });
    taps.set(link, nt);
    t = nt;
  }
  return t;
}

function waitText(t: Tap, test: (s: string) => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { t.wake = null; resolve(test(t.text)); }, ms);
    const check = () => {
      if (test(t.text)) { clearTimeout(timer); t.wake = null; resolve(true); }
    };
    t.wake = check;
    check();
  });
}

export interface UnlockOptions {
  /** How long to wait for the console to show whether it is locked (ms). */
  probeMs?: number;
  /** How long to wait for the answer to a password (ms). */
  answerMs?: number;
}

/**
 * Unlock the console behind `link` when it is locked. A carriage return shows which it is: a
 * locked console answers "Invalid password" / "password>" (an empty password line), an open one
 * its prompt or nothing. Then each password is typed (nothing else is sent to a locked console)
 * until one is taken ("Logged in."). Returns 'open' (it was not locked) or 'unlocked'; throws
 * ConsoleLockedError when no password (or none given) opens it.
 */
export async function unlockConsole(link: Link, passwords: string[], o: UnlockOptions = {}): Promise<'open' | 'unlocked'> {
  const t = tap(link);
  t.text = '';
  t.active = true;
  try {
    await link.write('\r');
    // Each CR typed at a locked console gets exactly one answer ("Invalid password" here, an empty
    // line); an open one shows its prompt at the start of a line (or nothing, with echo off). A
    // "password>" alone may be an earlier prompt: only the answer to this CR counts.
    const prompt = (s: string) => /(^|\n)>$/.test(s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, ''));
    await waitText(t, (s) => /Invalid password/.test(s) || prompt(s), o.probeMs || 3000);
    const locked = /Invalid password/.test(t.text);
    if (!locked) return 'open';
    if (!passwords.length) {
      throw new ConsoleLockedError(`the board's console on ${link.description} is locked (the gate locks it with a password derived from site.secret): give the site's configuration (--config FILE, or QRGATE_CONFIG=FILE)`);
    }
    for (const pw of passwords) {
      t.text = '';
      await link.write(pw + '\r');
      await waitText(t, (s) => /Logged in\.|Invalid password/.test(s), o.answerMs || 10000);
      if (/Logged in\./.test(t.text)) {
        unlocked.add(link);
        return 'unlocked';
      }
    }
    throw new ConsoleLockedError(`the board's console on ${link.description} is locked and the password of the configuration given does not open it: the board was flashed with another site.secret (give that configuration)`);
  } finally {
    t.active = false;
    t.text = '';
  }
}

/** Lock again a console that unlockConsole opened (the client calls this as it closes). */
export async function relockConsole(link: Link): Promise<void> {
  if (!unlocked.has(link)) return;
  unlocked.delete(link);
  try {
    await link.write('\x10E.lockConsole()\n');
  } catch (e) { /* the link is gone: the gate locks again at its next boot */ }
}
