// qrgate scan: a scan fed to a flashed board's scanner UART, and the gate's decision.
import { useSiteConfig } from '../board/unlock';
import { CliError, parseArgs, need, readFileOr, parseIntFlag } from '../cli';
import { FlashError } from '../board/flasher';
import { scanOnBoard } from '../board/gateops';

export const help = `usage: qrgate scan --port PORT [--timeout S] [--baud N] [--config FILE] (--in FILE | TEXT)

Hands TEXT (or the bytes of FILE, without a final line break) to the gate's scanner UART on a
flashed board, as a scanner module sends it (the text, then a carriage return), and prints the
gate's decision as one JSON line with the fields of qrgate verify's line:
  {"decision":"open","reason":"ok","format":"qg1","kid":"...","cti":"...","detail":"..."}
(and the event's other fields, e.g. "cached" for a repeat visitor). For bench tests without a
scanner module: the bytes arrive as UART data events on the UART the firmware listens to
(firmware/boards.ts: Serial2 on an ESP32), so the firmware's own scanner driver frames them.
PORT is a serial device or tcp://HOST:PORT (a board's telnet console, qrgate board).
--timeout S   how long to wait for the decision (default 60: a signature check takes seconds on
              a board); the same text again within scanner.dedupMs (3 s) is ignored by the gate
Exit 0 when a decision was printed, whatever it is; 1 when the gate gave none in time (or dropped
the scan, or stopped with an error: stderr says which, with the board's words); 2 with a one-line
error when no board answers or its gate firmware is not running.
A gate locks its console (README "Security: the consoles"): --config FILE (the site's
configuration; else the file QRGATE_CONFIG names) unlocks it.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { port: 'string', in: 'string', timeout: 'string', baud: 'string', config: 'string' });
  if (p.flags.config !== undefined) useSiteConfig(p.flags.config);
  const port = need(p, 'port');
  if (p.flags.in !== undefined && p.positional.length) throw new CliError('give TEXT or --in FILE, not both');
  if (p.flags.in === undefined && p.positional.length !== 1) throw new CliError(p.positional.length ? `unexpected argument ${p.positional[1]}` : 'missing TEXT (or --in FILE)');
  let text: Uint8Array;
  if (p.flags.in !== undefined) {
    let b = readFileOr(p.flags.in, 'scan');
    while (b.length && (b[b.length - 1] === 10 || b[b.length - 1] === 13)) b = b.subarray(0, b.length - 1);
    text = new Uint8Array(b);
  } else text = new Uint8Array(Buffer.from(p.positional[0], 'utf8'));
  if (!text.length) throw new CliError('the scan is empty');
  const timeoutS = p.flags.timeout !== undefined ? parseIntFlag(p.flags.timeout, 'timeout', 1, 86400) : 60;
  const baud = p.flags.baud !== undefined ? parseIntFlag(p.flags.baud, 'baud', 300, 4000000) : undefined;
  try {
    const r = await scanOnBoard({ port, baud, text, timeoutMs: timeoutS * 1000 });
    if (!r.decision) {
      for (const w of r.words) process.stderr.write(`board: ${w}\n`);
      process.stderr.write(`qrgate scan: ${r.why}\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify(r.decision) + '\n');
    return 0;
  } catch (e: any) {
    if (e instanceof FlashError) throw new CliError(e.message);
    throw e;
  }
}
