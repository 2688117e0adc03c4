// qrgate flash: firmware, configuration and trust bundle onto a board, restart, read back.
import * as fs from 'fs';
import * as path from 'path';
import { CliError, parseArgs, need, readFileOr, parseIntFlag } from '../cli';
import { flashBoard, FlashError, FirmwareError, DEFAULT_READY_TIMEOUT_MS } from '../board/flasher';
import { Progress } from '../board/progress';
import { readKeyFile } from '../collector/gates';

export const help = `usage: qrgate flash --port PORT --config FILE --trust FILE [--key KEYFILE] [--board NAME] [--bundle FILE]
                    [--baud N] [--no-set-time] [--timeout S] [--quiet] [--verbose]

Puts the firmware (dist/gate-<board>.js for the board that answers, or --bundle), the gate's
configuration, the trust bundle and the verifier's files (machine code on ARM boards, tables
elsewhere) on an Espruino board and proves it took. PORT is a serial device (/dev/ttyACM0, /dev/ttyUSB0, COM3) or
tcp://HOST:PORT (a board's telnet console, qrgate board).
  - before writing: the configuration must validate and the trust bundle verify under its rootKeys
    (checked before connecting); the board must answer, be the --board asked for (else the
    configuration's "board"), be one the firmware has pins for, have room in its flash, and not hold
    a newer trust bundle;
  - the firmware goes to Storage as .bootcde (it runs from flash at boot, not from RAM), the
    configuration as qg.cfg, the trust bundle as qg.trust; old boot code is erased first and the
    firmware is written last, so an interrupted flash leaves the old firmware or none, and running
    qrgate flash again recovers;
  - --key KEYFILE (qrgate collector gates add --key-out: the gate's secret key, for the configured
    gateId) goes to the board as qg.id with a new random boot epoch (never printed); the gate then
    authenticates its batches, and the collector's answers set its clock;
  - the board's clock is set from this computer (--no-set-time: leave it), the board restarts, its
    firmware must report ready with the configured gate id and the bundle's version, and every file's
    SHA-256, computed on the board, must match.
While the board restarts, its console is watched: an uncaught error, a fault reported by the
firmware or a board restarting again and again ends the wait at once; otherwise it waits up to
--timeout S (default ${DEFAULT_READY_TIMEOUT_MS / 1000}; the time waited is shown) for the ready line. The board is then stopped
(reset()) and what it printed is shown ("board: ..." lines on stderr) with what to do. A busy board
(a firmware still starting from an earlier flash) is interrupted (Ctrl-C) and waited for.
Progress goes to stderr (--verbose: every console line too). On success one JSON line on stdout:
  {"board":"esp32","boardId":"<process.env.BOARD>","files":[{"name":".bootcde","bytes":N,"sha256":"..."},...],"gateId":"...","trust":{...}}
Exit 0 only when the board runs what was sent; 1 when the files were written but the firmware does
not run (it crashed, reported a fault, restarted in a loop or never said ready); 2 with a one-line
error when nothing could be flashed (bad input, no board, wrong board, no room, a write refused).`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    port: 'string', config: 'string', trust: 'string', board: 'string', bundle: 'string', baud: 'string',
    'no-set-time': 'boolean', key: 'string', timeout: 'string', 'ready-timeout': 'string', quiet: 'boolean', verbose: 'boolean',
  });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const port = need(p, 'port');
  const configPath = need(p, 'config');
  const trustPath = need(p, 'trust');
  const config = new Uint8Array(readFileOr(configPath, 'configuration'));
  const trust = new Uint8Array(readFileOr(trustPath, 'trust bundle'));
  // Without --bundle, the firmware built for the board that answers (dist/gate-<board>.js).
  const bundle = p.flags.bundle ? new Uint8Array(readFileOr(p.flags.bundle, 'firmware bundle')) : undefined;
  const baud = p.flags.baud !== undefined ? parseIntFlag(p.flags.baud, 'baud', 300, 4000000) : undefined;
  // --ready-timeout: the earlier name of --timeout
  const tFlag = p.flags.timeout !== undefined ? 'timeout' : 'ready-timeout';
  const readyS = p.flags[tFlag] !== undefined ? parseIntFlag(p.flags[tFlag], tFlag, 1, 86400) : DEFAULT_READY_TIMEOUT_MS / 1000;
  const progress = new Progress(1, process.stderr, !!p.flags.quiet);
  let key: { gateId: string; key: Uint8Array } | undefined;
  if (p.flags.key !== undefined) {
    readFileOr(p.flags.key, 'key file');
    try { const k = readKeyFile(p.flags.key); key = { gateId: k.gateId, key: new Uint8Array(k.key) }; } catch (e: any) { throw new CliError(`${p.flags.key}: ${e.message}`); }
  }
  try {
    const res = await flashBoard({
      port, config, trust, bundle, board: p.flags.board, baud, setTime: !p.flags['no-set-time'],
      readyTimeoutMs: readyS * 1000, progress, key,
      onLine: p.flags.verbose ? (l) => process.stderr.write(`board: ${l}\n`) : undefined,
    });
    const out: any = {
      board: res.board, boardId: res.boardId, interpreter: res.interpreter, files: res.files,
      gateId: res.ready.gateId, trust: res.ready.trust, firmware: res.ready.fw,
    };
    if (res.status) out.status = res.status;
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  } catch (e: any) {
    // errors name keys and files, never the value of a secret (validateConfig's messages)
    if (e instanceof FirmwareError) {
      // the board's own words, then what went wrong and what to do
      if (!p.flags.verbose) for (const w of e.words) process.stderr.write(`board: ${w}\n`);
      process.stderr.write(`qrgate flash: ${e.message}\n`);
      return 1;
    }
    if (e instanceof FlashError) throw new CliError(e.message);
    throw e;
  }
}
