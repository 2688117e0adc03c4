// qrgate board: a simulated board whose console speaks Espruino's console protocol over TCP (the
// way a board's USB console does), so that `qrgate flash`, `qrgate doctor` and the espruino
// command line tool work against it. See sim/console.ts.
import * as path from 'path';
import { CliError, parseArgs } from '../cli';
import { SimBoard, freeFlashOf } from '../../sim/board';
import { boardFileOf } from '../../boards/index';
import { FlashImage } from '../../sim/flash';
import { ConsoleServer } from '../../sim/console';
import { BOARDS, boardProfile } from '../../firmware/boards';
import { profileName } from '../flashfiles';
import { parseTime } from '../cli';
import { describeEvent, clockText } from '../board/events';
import { isCrashLine } from '../board/watch';

export const help = `usage: qrgate board --listen HOST:PORT [--flash DIR] [--board NAME] [--clock T|unset] [--quiet] [--trace]

Runs a simulated board (the simulator's Espruino sandbox with its flash) and serves its console on
TCP: echo, the ">" prompt, the line-by-line upload of the espruino tool (0x10 lines, Ctrl-C, ESC
sequences), reset(), load(), save(), E.setBootCode, Storage. It takes several clients at once
(qrgate monitor beside qrgate flash: all see the board's output), where Espruino's own telnet
console serves one (a new connection replaces the old one). Talk to it with
  qrgate flash --port tcp://HOST:PORT ...      qrgate doctor --port tcp://HOST:PORT
  npx espruino --no-ble --port tcp://HOST:PORT -e 'print(process.env.BOARD)'
--listen HOST:PORT  address to listen on (PORT 0: any free port); HOST is normally 127.0.0.1
--flash DIR         keep the board's flash in DIR/flash.bin (+ flash.json): a restart keeps it;
                    without it the flash lives in memory only
--board NAME        ${BOARDS.map((b) => b.name).join(', ')} (default esp32: the one whose Storage holds
                    the whole firmware bundle) or an Espruino board id
--clock T           the board's battery-backed clock at start (ISO 8601 or seconds), or "unset"
                    (default: the host's time)
--quiet             do not print the gate's events
--trace             print every byte in (>>) and out (<<) on stderr
Prints "listening on tcp://HOST:PORT (board NAME, ...)" once ready, then the gate's events as they
happen, one line each as qrgate monitor shows them (the firmware's @qg events, the relay, uncaught
errors, restarts), until killed.
On start the board boots from its flash (like a power-on).`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { listen: 'string', flash: 'string', board: 'string', clock: 'string', quiet: 'boolean', trace: 'boolean' });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const listen = p.flags.listen;
  if (!listen) throw new CliError('missing --listen HOST:PORT');
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new CliError(`--listen: expected HOST:PORT, got ${listen}`);
  const host = m[1].replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(m[2]);
  if (port > 65535) throw new CliError(`--listen: bad port ${m[2]}`);
  const boardName: string = p.flags.board || 'esp32';
  let name: string;
  try {
    name = profileName(boardName);
  } catch (e: any) {
    throw new CliError(`--board: ${e.message}`);
  }
  const profile = boardProfile(name);
  let clock: number | null = Math.floor(Date.now() / 1000);
  if (p.flags.clock !== undefined) clock = p.flags.clock === 'unset' ? null : parseTime(p.flags.clock, 'clock');

  const dir: string | undefined = p.flags.flash;
  let flash: FlashImage | undefined;
  if (dir) {
    try {
      flash = FlashImage.load(dir);
    } catch (e: any) {
      throw new CliError(`--flash ${dir}: ${e.message}`);
    }
  }
  const geo = boardFileOf(profile.name)!.flash;
  if (!flash) flash = new FlashImage({ size: geo.storageSize, pageSize: geo.pageSize });
  // The flash outside Storage (the free areas qrgate flash puts the firmware image in), kept in DIR too.
  const freeFlash = freeFlashOf(profile.name);
  if (dir) {
    try { freeFlash.load(dir); } catch (e: any) { throw new CliError(`--flash ${dir}: ${e.message}`); }
  }
  const save = () => {
    if (!dir) return;
    try { flash!.save(dir); freeFlash.save(dir); } catch (e: any) { process.stderr.write(`qrgate board: cannot save flash to ${dir}: ${e.message}\n`); }
  };
  if (dir) save();
  const show = (ev: any) => process.stdout.write(`${clockText(Date.now())} ${describeEvent(ev)}\n`);
  const board = new SimBoard({
    board: profile.name, flash, clock, freeFlash, native: true,
    onEvent: p.flags.quiet ? undefined : (e) => {
      const ev: any = { ev: e.event };
      for (const k of Object.keys(e)) if (k !== 't' && k !== 'event') ev[k] = e[k];
      if (e.event === 'console') { if (isCrashLine(String(e.line))) show({ ev: 'uncaught', text: String(e.line).trim() }); return; }
      if (e.event === 'led') return;
      if (e.event === 'power') { if (e.state === 'reboot') show({ ev: 'restart', text: e.reason }); return; }
      if (e.event === 'relay') { show({ ev: 'relay', on: e.on }); return; }
      show(ev);
    },
  });
  const trace = p.flags.trace
    ? (dir2: 'in' | 'out', bytes: string) => process.stderr.write((dir2 === 'in' ? '>> ' : '<< ') + JSON.stringify(bytes) + '\n')
    : undefined;
  const server = new ConsoleServer(board, { onFlashChanged: save, trace });
  server.console.bootFromFlash();
  let actual: number;
  try {
    actual = await server.listen(port, host);
  } catch (e: any) {
    if (e.code === 'EADDRINUSE') throw new CliError(`cannot listen on ${host}:${port}: the port is in use (another qrgate board or program)`);
    if (e.code === 'EACCES') throw new CliError(`cannot listen on ${host}:${port}: permission denied`);
    throw new CliError(`cannot listen on ${host}:${port}: ${e.message}`);
  }
  process.stdout.write(`listening on tcp://${host}:${actual} (board ${profile.name}, ${profile.ids[0]}, flash ${dir ? path.resolve(dir) : 'in memory'}, ${flash.size} bytes)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => { server.close().then(() => { save(); resolve(); }); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
