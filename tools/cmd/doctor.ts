// qrgate doctor: the state of a live board as one JSON line (spec/tools.md "Flashing a board").
import { CliError, parseArgs, need, parseIntFlag, readFileOr } from '../cli';
import { doctor, FlashError } from '../board/flasher';

export const help = `usage: qrgate doctor --port PORT [--config FILE] [--baud N] [--timeout S]

Reads a live board's state over its console (PORT: a serial device or tcp://HOST:PORT) and prints
one JSON line:
  {"firmware":{"version":"0.1.0","sha256":"..."},"gateId":"...","trust":{"version":N,"keys":N},
   "clock":"2021-09-27T08:00:00Z"|null,"memory":{"used":N,"total":N},"backlog":N,"fault":"",
   ...,"ok":true,"why":null}
firmware.sha256 is computed on the board over the firmware in its flash (.bootcde); clock is null
when the board's clock was never set; backlog counts log entries not yet acknowledged; scanner
says whether the scanner module took its settings at boot: {"module":"gm65","state":"configured"|
"partial"|"silent"|"configuring"} (silent: it never answered and is used as it is; null with
scanner.module none; README "The scanner module"); occupancy, at a gate that counts (capacity.*),
is {"count":N,"max":N,"level":N}: the people inside, the limit in force (0: none; capacity.max or
what capacity.levels gives for the PPKM level) and that level (0: none); null at a gate that does
not count (README "Occupancy, capacity and the booth"). The values
come from the firmware's qgStatus() ("source":"firmware"); a firmware without it is read through
the console instead ("source":"console": no firmware version, backlog null).
"ok" says whether the gate runs; when it does not, "why" says what is wrong: the firmware reports
a fault ("fault" names it; "start" when it stopped with an error after defining qgStatus() and
before it was ready, with the error's words), or it did not start (no firmware, or it stopped with an error while
starting and defines no qgStatus()). No configuration secret is ever printed.
A gate locks its console with a password derived from site.secret: --config (the site's
configuration; else the file named by QRGATE_CONFIG) unlocks it, and it is locked again when
doctor ends.
Exit 0 when the gate runs; 1 when it does not (the JSON line says why, and so does stderr);
2 with a one-line error when no board answers or the console stays locked.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { port: 'string', config: 'string', baud: 'string', timeout: 'string' });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const port = need(p, 'port');
  const baud = p.flags.baud !== undefined ? parseIntFlag(p.flags.baud, 'baud', 300, 4000000) : undefined;
  const t = p.flags.timeout !== undefined ? parseIntFlag(p.flags.timeout, 'timeout', 1, 86400) : 300;
  try {
    const config = p.flags.config !== undefined ? new Uint8Array(readFileOr(p.flags.config, 'configuration')) : undefined;
    const st = await doctor({ port, baud, timeoutMs: t * 1000, config });
    process.stdout.write(JSON.stringify(st) + '\n');
    if (!st.ok) {
      process.stderr.write(`qrgate doctor: ${st.why}\n`);
      return 1;
    }
    return 0;
  } catch (e: any) {
    if (e instanceof FlashError) throw new CliError(e.message);
    throw e;
  }
}
