// qrgate clock: read or set a board's clock.
import { useSiteConfig } from '../board/unlock';
import { CliError, parseArgs, need, parseIntFlag, parseTime } from '../cli';
import { FlashError } from '../board/flasher';
import { clockOnBoard } from '../board/gateops';

export const help = `usage: qrgate clock --port PORT [--set now|T] [--baud N] [--config FILE]

Reads the board's clock (Espruino's getTime()) and prints one JSON line:
  {"clock":"2021-09-27T08:00:00Z","seconds":1632729600.5}
clock is null when the board's clock was never set (a time before 2020: the gate then answers
attendant / clock-unset and never opens). --set now sets it from this computer's clock, --set T to
T (ISO 8601 or seconds since 1970), with setTime(), then reads it back:
  {"clock":"...","seconds":N,"set":N,"was":"..."|null}
PORT is a serial device or tcp://HOST:PORT. Exit 0 when the clock was read (and kept what was
set); 2 with a one-line error otherwise (no board, or a board that does not keep the time set:
Espruino's Linux build ignores setTime).
A gate locks its console (README "Security: the consoles"): --config FILE (the site's
configuration; else the file QRGATE_CONFIG names) unlocks it.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { port: 'string', set: 'string', baud: 'string', config: 'string' });
  if (p.flags.config !== undefined) useSiteConfig(p.flags.config);
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const port = need(p, 'port');
  const baud = p.flags.baud !== undefined ? parseIntFlag(p.flags.baud, 'baud', 300, 4000000) : undefined;
  const set = p.flags.set === undefined ? undefined : p.flags.set === 'now' ? 'now' as const : parseTime(p.flags.set, 'set');
  try {
    const r = await clockOnBoard({ port, baud, set });
    process.stdout.write(JSON.stringify(r) + '\n');
    return 0;
  } catch (e: any) {
    if (e instanceof FlashError) throw new CliError(e.message);
    throw e;
  }
}
