// qrgate monitor: the gate's events live, until Ctrl-C.
import { useSiteConfig } from '../board/unlock';
import { CliError, parseArgs, need, parseIntFlag } from '../cli';
import { FlashError } from '../board/flasher';
import { monitorBoard } from '../board/gateops';
import { describeEvent, clockText } from '../board/events';

export const help = `usage: qrgate monitor --port PORT [--json] [--verbose] [--baud N] [--config FILE]

Prints the gate's events (README "The console protocol") as the board reports them, one readable
line each, with this computer's time:
  08:00:01 ready    gate gate-east-door fw 0.1.0 on esp32, trust v3 (4 keys), clock set
  08:00:07 decision OPEN ok qg1 kid=... cti=... detail=...
  08:00:09 FAULT    uplink: ...
and the board's own troubles: an uncaught error ("ERROR    Uncaught Error: ..." and the lines
Espruino prints with it) and a restart of the board. --json prints each event as the JSON the
board printed instead (errors as {"ev":"uncaught","text":...}, restarts as {"ev":"restart"}).
--verbose also prints the board's other console lines. Nothing is typed into the board's console.
PORT is a serial device or tcp://HOST:PORT (qrgate board takes a monitor beside a flash; Espruino's
own telnet console serves one client at a time: a second one replaces the first).
Runs until interrupted (Ctrl-C: exit 0); exit 2 when the board cannot be reached or goes away.
A gate locks its console (README "Security: the consoles"): --config FILE (the site's
configuration; else the file QRGATE_CONFIG names) unlocks it.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { port: 'string', json: 'boolean', verbose: 'boolean', baud: 'string', config: 'string' });
  if (p.flags.config !== undefined) useSiteConfig(p.flags.config);
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const port = need(p, 'port');
  const baud = p.flags.baud !== undefined ? parseIntFlag(p.flags.baud, 'baud', 300, 4000000) : undefined;
  const json = !!p.flags.json;
  let m;
  try {
    m = await monitorBoard({
      port, baud,
      onEvent: (ev, at) => {
        process.stdout.write(json ? JSON.stringify(ev) + '\n' : `${clockText(at)} ${ev.more ? '         ' + ev.text : describeEvent(ev)}\n`);
      },
      onOther: p.flags.verbose ? (line) => process.stdout.write(json ? JSON.stringify({ ev: 'console', text: line }) + '\n' : `${clockText(Date.now())}          | ${line}\n`) : undefined,
    });
  } catch (e: any) {
    if (e instanceof FlashError) throw new CliError(e.message);
    throw e;
  }
  process.stderr.write(`monitoring ${port} (Ctrl-C to stop)\n`);
  const handle = m;
  const why = await new Promise<string>((resolve) => {
    const stop = () => { handle.stop().then(() => resolve('')); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    handle.closed.then((w) => { if (w !== 'stopped') resolve(w); });
  });
  if (why) throw new CliError(`${port}: ${why}`);
  return 0;
}
