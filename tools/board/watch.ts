// Watching a board's console while its firmware starts (after load(), a restart): the firmware's
// `@qg ready` line ends the wait; so does, at once, anything that says it will never come:
//  - an uncaught exception (`Uncaught Error: ...`: Espruino prints it, with the code around it, and
//    stops running that file) or Espruino's out-of-memory error;
//  - a `fault` event from the firmware (`@qg {"ev":"fault",...}`), or a ready line naming a fault;
//  - the board restarting again and again (Espruino's banner, an ESP32's ROM `rst:0x..` line):
//    a reboot loop.
// The error carries the board's own words (the lines it printed), for the technician.
import { EspruinoClient, ConsoleLine } from './client';

export type StartFailure = 'crash' | 'fault' | 'loop' | 'timeout' | 'closed';

export class FirmwareStartError extends Error {
  constructor(message: string, readonly kind: StartFailure, readonly words: string[]) {
    super(message);
  }
}

/** A line that says the board (re)started: Espruino's banner, an ESP32's boot ROM. */
export function isRestartLine(line: string): boolean {
  return /\|_\| espruino\.com/.test(line) || /^rst:0x[0-9a-f]+/i.test(line) || /^ets [A-Z][a-z]{2} +\d/.test(line);
}

/** A line that says the program stopped with an error. */
export function isCrashLine(line: string): boolean {
  return /(^|\s)Uncaught\b/.test(line) || /Out of Memory|OUT OF MEMORY/.test(line);
}

/** Is this console line the board's output (not our own evaluation markers, not blank)? */
function worth(line: string): boolean {
  return line.trim().length > 0 && !/<qg\d+<|>qg\d+>/.test(line);
}

export interface WatchOptions {
  /** Line number (client.lineCount) and event index (client.events.length) where the restart began. */
  fromLine: number;
  fromEvent: number;
  timeoutMs: number;
  /** Called about every second with the seconds waited so far. */
  onTick?: (seconds: number) => void;
  /** How long to keep reading after an error, for the lines that explain it (ms). */
  settleMs?: number;
  /** Restarts after which it is a reboot loop (default 2). */
  loopRestarts?: number;
}

/** Resolves with the firmware's ready event; rejects with a FirmwareStartError (see the header). */
export function watchStart(client: EspruinoClient, o: WatchOptions): Promise<any> {
  const start = Date.now();
  const settle = o.settleMs === undefined ? 400 : o.settleMs;
  const loopAt = o.loopRestarts || 2;
  let failAt = 0;
  let failure: { kind: StartFailure; text: string; line: number } | null = null;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: FirmwareStartError | null, ready?: any) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      client.offLine(onLine);
      if (err) reject(err); else resolve(ready);
    };
    const words = (fromIndex: number): string[] => {
      const ls: ConsoleLine[] = client.linesSince(fromIndex);
      return ls.map((l) => l.text).filter(worth).slice(0, 16);
    };
    const check = () => {
      if (done) return;
      const now = Date.now();
      if (!failure) {
        const first = client.lineCount - client.lines.length;
        const ls = client.linesSince(o.fromLine);
        let restarts = 0;
        for (let i = 0; i < ls.length && !failure; i++) {
          const text = ls[i].text;
          const n = Math.max(o.fromLine, first) + i;
          if (isCrashLine(text)) failure = { kind: 'crash', text: text.trim(), line: n };
          else if (isRestartLine(text) && ++restarts >= loopAt) failure = { kind: 'loop', text: `restarted ${restarts} times`, line: o.fromLine };
        }
        if (!failure) {
          for (let i = o.fromEvent; i < client.events.length; i++) {
            const ev = client.events[i];
            if (ev.ev === 'fault') {
              failure = { kind: 'fault', text: `${ev.what}: ${ev.why}`, line: o.fromLine };
              break;
            }
            if (ev.ev === 'ready') {
              if (ev.fault) { failure = { kind: 'fault', text: `${ev.fault}${ev.detail ? ': ' + ev.detail : ''}`, line: o.fromLine }; break; }
              finish(null, ev);
              return;
            }
          }
        }
        if (failure) failAt = now;
      }
      if (failure && now - failAt >= settle) {
        const f = failure;
        const w = words(f.line);
        const msg = f.kind === 'crash' ? `the firmware stopped with an error while starting: ${f.text}`
          : f.kind === 'fault' ? `the firmware reports a fault while starting: ${f.text}`
            : `the board ${f.text} while starting the firmware (a reboot loop)`;
        finish(new FirmwareStartError(msg, f.kind, f.kind === 'loop' ? w.slice(-16) : w));
        return;
      }
      if (client.closedWhy) {
        finish(new FirmwareStartError(`the connection was lost while the firmware started (${client.closedWhy})`, 'closed', words(o.fromLine)));
        return;
      }
      if (!failure && now - start >= o.timeoutMs) {
        finish(new FirmwareStartError(`the firmware printed no ready line within ${Math.round(o.timeoutMs / 1000)} s of the restart`,
          'timeout', words(o.fromLine).slice(-10)));
      }
    };
    let lastTick = -1;
    const timer = setInterval(() => {
      const s = Math.floor((Date.now() - start) / 1000);
      if (o.onTick && s !== lastTick) { lastTick = s; o.onTick(s); }
      check();
    }, 100);
    const onLine = () => check();
    client.onLine(onLine);
    check();
  });
}
