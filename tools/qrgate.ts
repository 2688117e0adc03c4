// The `qrgate` command: dispatches to tools/cmd/<command>.ts. Each command module exports
// `run(args: string[]): Promise<number>` (exit status) and `help: string`.
import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './cli';
import { ROOT } from './root';

interface Command { run(args: string[]): Promise<number>; help: string }

const COMMANDS: { [name: string]: () => Command } = {
  keygen: () => require('./cmd/keygen'),
  issue: () => require('./cmd/issue'),
  trust: () => require('./cmd/trust'),
  verify: () => require('./cmd/verify'),
  crypto: () => require('./cmd/crypto'),
  sim: () => require('./cmd/sim'),
  collector: () => require('./cmd/collector'),
  board: () => require('./cmd/board'),
  flash: () => require('./cmd/flash'),
  doctor: () => require('./cmd/doctor'),
  config: () => require('./cmd/config'),
  logs: () => require('./cmd/logs'),
  monitor: () => require('./cmd/monitor'),
  scan: () => require('./cmd/scan'),
  clock: () => require('./cmd/clock'),
};

const USAGE = `usage: qrgate COMMAND [options]   (qrgate COMMAND --help for each)
commands:
  keygen            make an Ed25519 key (JWK)
  issue             issue a QG1 certificate
  trust build|show  make or inspect a signed trust bundle
  verify            decide on one certificate as the gate would
  crypto verify     check Ed25519 signatures (JSON lines on stdin) with the device verifier
  sim               play a simulator scenario on dist/gate.js
  collector         serve|query|trace|import entry logs; user: the web page's logins
  board             run a simulated board on a TCP console
  flash             flash firmware, configuration and trust bundle to a board
  doctor            read a live board's state
  config init|check write a starting configuration, or name every problem of one
  logs pull|ack     read a gate's entry log over USB; let it go once imported
  monitor           print a flashed board's events as they happen
  scan              feed a scan to a flashed board's scanner and print its decision
  clock             read or set a board's clock
  --version         print qrgate's version`;

/** The package's version (package.json beside the sources, or the installed package's). */
export function version(): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
}

export async function main(argv: string[]): Promise<void> {
  const name = argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    process.exitCode = name ? 0 : 2;
    return;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`qrgate ${version()}\n`);
    process.exitCode = 0;
    return;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`qrgate: unknown command '${name}' (qrgate --help lists them)\n`);
    process.exitCode = 2;
    return;
  }
  let cmd: Command;
  try {
    cmd = load();
  } catch (e: any) {
    process.stderr.write(`qrgate ${name}: not available in this build (${e.message.split('\n')[0]})\n`);
    process.exitCode = 2;
    return;
  }
  const args = argv.slice(1);
  if (args.indexOf('--help') >= 0 || args.indexOf('-h') >= 0) {
    process.stdout.write(cmd.help.trim() + '\n');
    process.exitCode = 0;
    return;
  }
  try {
    process.exitCode = await cmd.run(args);
  } catch (e: any) {
    const msg = e instanceof CliError ? e.message : (e && e.message) || String(e);
    process.stderr.write(`qrgate ${name}: ${msg.split('\n')[0]}\n`);
    if (process.env.QRGATE_DEBUG && e && e.stack) process.stderr.write(e.stack + '\n');
    process.exitCode = 2;
  }
}
