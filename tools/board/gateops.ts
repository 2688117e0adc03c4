// The technician's commands on a flashed board, over the console protocol of tools/board/client.ts:
// `qrgate scan` (a scan fed to the scanner's UART), `qrgate clock` (read or set the board's clock)
// and `qrgate monitor` (the gate's events as they happen).
//
// A scan reaches the firmware the way a scanner module's bytes do: Espruino delivers received
// bytes to a UART's listeners as 'data' events, so the console emits 'data' events on the UART
// object the firmware listens to (`Serial2.emit('data', chunk)` on an ESP32, the UART of the
// board's profile in firmware/boards.ts), in chunks of at most 32 bytes as a UART delivers them,
// and the firmware's scanner driver frames them (text, then a carriage return) as it frames a
// real scanner's. The text is staged on the board first (a property of that UART object) in
// pieces that fit a console line, then emitted all at once: a pause between pieces would end a
// frame (scanner.idleMs).
import { EspruinoClient, BoardError, ConsoleLine } from './client';
import { LinkError } from './link';
import { BOARDS, BoardProfile } from '../../firmware/boards';
import { CLOCK_VALID_AFTER } from '../../firmware/gate';
import { FlashError, DEFAULT_ANSWER_TIMEOUT_MS } from './flasher';
import { isCrashLine, isRestartLine } from './watch';
import { parseEventLine } from './events';

/** The fields of `qrgate verify`'s line (spec/tools.md), in its order. */
export const DECISION_FIELDS = ['decision', 'reason', 'format', 'kid', 'cti', 'detail'];

/** Bytes of the staged text per console line (base64 makes it 4/3 longer). */
const STAGE_CHUNK = 384;
/** What a UART hands its listeners at once (espruino.md: seen at up to 32 bytes). */
const UART_CHUNK = 32;

export interface BoardOptions { port: string; baud?: number; answerTimeoutMs?: number }

async function connect(o: BoardOptions): Promise<{ client: EspruinoClient; env: any }> {
  let client: EspruinoClient;
  try {
    client = await EspruinoClient.open(o.port, { baud: o.baud, timeoutMs: Math.min(o.answerTimeoutMs || 5000, 5000) });
  } catch (e: any) {
    throw new FlashError(e.message);
  }
  try {
    const env = await client.sync(o.answerTimeoutMs || DEFAULT_ANSWER_TIMEOUT_MS);
    return { client, env };
  } catch (e: any) {
    await client.close();
    if (e instanceof LinkError) throw new FlashError(`${e.message.replace(/: no answer.*$/, '')}: no Espruino console answered (is it an Espruino? is another program using it?)`);
    throw e;
  }
}

function boardFor(env: any, port: string): BoardProfile {
  const id = String((env && env.BOARD) || '');
  const p = BOARDS.find((b) => b.ids.indexOf(id) >= 0);
  if (!p) throw new FlashError(`board ${id || '(no process.env.BOARD)'} on ${port} is not one the firmware has pins for (boards: ${BOARDS.map((b) => b.name).join(', ')})`);
  return p;
}

function mapErrors<T>(client: EspruinoClient, f: () => Promise<T>): Promise<T> {
  return f().catch((e: any) => {
    if (e instanceof BoardError) throw new FlashError(`the board refused: ${e.message}`);
    if (e instanceof LinkError) throw new FlashError(e.message);
    throw e;
  }).finally(() => client.close());
}

/** The ISO 8601 text of seconds since 1970, or null before CLOCK_VALID_AFTER (never set). */
export function clockIso(seconds: number): string | null {
  return seconds >= CLOCK_VALID_AFTER ? new Date(Math.floor(seconds) * 1000).toISOString().replace('.000Z', 'Z') : null;
}

export interface ScanOptions extends BoardOptions {
  /** The scanned text's bytes (sent as they are, then a carriage return). */
  text: Uint8Array;
  /** How long to wait for the gate's decision (ms). */
  timeoutMs: number;
}

export interface ScanResult {
  /** The decision event with verify's fields first, or null when none came in time. */
  decision: any | null;
  /** Why there is no decision (null when there is one). */
  why: string | null;
  /** The board's lines after the scan, for a failure's explanation. */
  words: string[];
}

/** Feed a scan to a flashed board's scanner UART and wait for the gate's decision (see the header). */
export async function scanOnBoard(o: ScanOptions): Promise<ScanResult> {
  const { client, env } = await connect(o);
  return mapErrors(client, async () => {
    const profile = boardFor(env, o.port);
    const uart = profile.scanner.serial;
    const running = await client.eval('typeof qgStatus=="function"');
    if (!running) throw new FlashError(`the gate firmware is not running on the board (no qgStatus()): qrgate doctor --port ${o.port} says why`);
    const bytes = Buffer.concat([Buffer.from(o.text), Buffer.from('\r')]);
    for (let off = 0; off < bytes.length; off += STAGE_CHUNK) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + STAGE_CHUNK)).toString('base64');
      await client.eval(`(function(s){s._qgScan=${off === 0 ? '' : 's._qgScan+'}atob(${JSON.stringify(part)});return 1})(${uart})`);
    }
    const fromEvent = client.events.length;
    const fromLine = client.lineCount;
    const sent = await client.eval(`(function(s){var t=s._qgScan;delete s._qgScan;for(var i=0;i<t.length;i+=${UART_CHUNK})` +
      `s.emit("data",t.substr(i,${UART_CHUNK}));return t.length})(${uart})`);
    if (sent !== bytes.length) throw new FlashError(`the board staged ${sent} bytes of the scan, not ${bytes.length}`);
    let why: string | null = null;
    const ev = await client.waitFor(() => {
      for (let i = fromEvent; i < client.events.length; i++) {
        const e = client.events[i];
        if (e.ev === 'decision') return e;
        if (e.ev === 'drop') { why = `the gate dropped the scan (${e.why || 'busy'})`; return null; }
        if (e.ev === 'fault') { why = `the gate reports a fault: ${e.what}: ${e.why}`; return null; }
      }
      const crash = client.linesSince(fromLine).filter((l: ConsoleLine) => isCrashLine(l.text))[0];
      if (crash) { why = `the firmware stopped with an error: ${crash.text.trim()}`; return null; }
      return undefined;
    }, o.timeoutMs, 'no decision').catch((e: any) => {
      if (e instanceof LinkError && e.kind === 'no-board') return null;
      throw e;
    });
    const words = client.linesSince(fromLine).map((l) => l.text).filter((t) => t.trim() && !/<qg\d+<|>qg\d+>/.test(t)).slice(0, 16);
    if (!ev) {
      return {
        decision: null, words,
        why: why || `the gate gave no decision within ${Math.round(o.timeoutMs / 1000)} s (the same text again within the configuration's scanner.dedupMs is ignored; a slow board needs a longer --timeout)`,
      };
    }
    const out: any = {};
    for (const k of DECISION_FIELDS) if (ev[k] !== undefined) out[k] = ev[k];
    for (const k of Object.keys(ev)) if (k !== 'ev' && out[k] === undefined) out[k] = ev[k];
    return { decision: out, why: null, words };
  });
}

export interface ClockResult { clock: string | null; seconds: number; set?: number; was?: string | null }

/**
 * Read the board's clock (getTime()), or set it (setTime(seconds)) and read it back. A board that
 * does not keep the time it was given (Espruino's Linux build ignores setTime) is an error.
 */
export async function clockOnBoard(o: BoardOptions & { set?: number | 'now' }): Promise<ClockResult> {
  const { client, env } = await connect(o);
  return mapErrors(client, async () => {
    const before = Number(await client.eval('getTime()'));
    if (o.set === undefined) return { clock: clockIso(before), seconds: before };
    const t = o.set === 'now' ? Date.now() / 1000 : o.set;
    const sentAt = Date.now();
    const after = Number(await client.eval(`(function(t){setTime(t);return getTime()})(${t})`));
    const expect = t + (Date.now() - sentAt) / 1000;
    if (Math.abs(after - expect) > 5) {
      throw new FlashError(`the board did not keep the time: after setTime(${Math.floor(t)}) it reads ${after.toFixed(0)} (${clockIso(after) || 'not set'})` +
        (env && BOARDS.some((b) => b.host && b.ids.indexOf(env.BOARD) >= 0) ? ': Espruino\'s Linux build ignores setTime (its clock is the computer\'s)' : ''));
    }
    return { clock: clockIso(after), seconds: after, set: Math.floor(t), was: clockIso(before) };
  });
}

export interface MonitorOptions extends BoardOptions {
  /** Each event (parsed `@qg` line), and the board's own troubles: {ev:'uncaught',text}, {ev:'restart'}. */
  onEvent: (ev: any, atMs: number) => void;
  /** Every other console line (for --verbose). */
  onOther?: (line: string) => void;
}

export interface MonitorHandle { stop(): Promise<void>; closed: Promise<string> }

/**
 * Listen to a board's console without typing anything into it: the gate's events as they come.
 * closed resolves with the reason when the link goes away.
 */
export async function monitorBoard(o: MonitorOptions): Promise<MonitorHandle> {
  let client: EspruinoClient;
  try {
    client = await EspruinoClient.open(o.port, { baud: o.baud, timeoutMs: Math.min(o.answerTimeoutMs || 5000, 5000) });
  } catch (e: any) {
    throw new FlashError(e.message);
  }
  let inError = 0;
  client.onLine((line: string) => {
    const now = Date.now();
    const ev = parseEventLine(line);
    if (ev) { inError = 0; o.onEvent(ev, now); return; }
    if (isCrashLine(line)) { inError = now; o.onEvent({ ev: 'uncaught', text: line.trim() }, now); return; }
    if (isRestartLine(line)) { o.onEvent({ ev: 'restart', text: line.trim() }, now); return; }
    const t = line.replace(/\s+$/, '');
    if (!t || /<qg\d+<|>qg\d+>/.test(t)) return;
    // the lines Espruino prints after an uncaught error (where, the code, a caret)
    if (inError && now - inError < 1000 && !/^=/.test(t)) { o.onEvent({ ev: 'uncaught', text: t, more: true }, now); return; }
    if (o.onOther) o.onOther(t);
  });
  let stopped = false;
  const closed = new Promise<string>((resolve) => {
    const poll = setInterval(() => {
      if (stopped) { clearInterval(poll); resolve('stopped'); return; }
      if (client.closedWhy) { clearInterval(poll); resolve(client.closedWhy); }
    }, 100);
  });
  return {
    closed,
    stop: async () => { stopped = true; await client.close(); },
  };
}
