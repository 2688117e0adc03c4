// qrgate logs pull|ack: the entry log of a gate without an uplink, over USB (tools/board/logs.ts).
import { useSiteConfig } from '../board/unlock';
import * as fs from 'fs';
import { CliError, parseArgs, need, parseIntFlag, readFileOr } from '../cli';
import { EspruinoClient } from '../board/client';
import { LinkError } from '../board/link';
import { pullLogs, ackLogs, encodeBatchFile, parseReceipt, LogsError } from '../board/logs';

export const help = `usage: qrgate logs pull --port PORT --out FILE [--baud N] [--config FILE]
       qrgate logs ack --port PORT --receipt FILE [--baud N] [--config FILE]

For gates without an uplink (uplink.transport none), or whose uplink is down: the entry log
travels on a laptop, and never leaves the gate before it is in the collector's database.

pull  reads every entry not yet acknowledged from the gate's journal over its console (PORT: a
      serial device such as /dev/ttyUSB0, or tcp://HOST:PORT) and writes them to FILE as log
      batches (proto/log.proto Batch messages, each preceded by its length as a varint: the bytes
      the Wi-Fi uplink would post). The gate keeps them. Prints one JSON line: gateId, records,
      batches, first, last, out.
ack   hands the receipt of \`qrgate collector import --db DB FILE\` to the gate. The gate lets go
      of (acknowledges) exactly the records the receipt names with the bytes it names (SHA-256
      tags): a receipt of another gate, or of records the gate no longer holds, drops nothing.
      Prints one JSON line: gateId, named, acked, refused (named but different on the gate),
      already (acknowledged before). Exit 1 when some were refused.

The whole round:
  qrgate logs pull --port /dev/ttyUSB0 --out gate.batches
  qrgate collector import --db entries.db gate.batches        (writes gate.batches.receipt.json)
  qrgate logs ack --port /dev/ttyUSB0 --receipt gate.batches.receipt.json
A gate locks its console (README "Security: the consoles"): --config FILE (the site's
configuration; else the file QRGATE_CONFIG names) unlocks it.`;

async function withBoard<T>(p: any, fn: (c: EspruinoClient) => Promise<T>): Promise<T> {
  const port = need(p, 'port');
  const baud = p.flags.baud !== undefined ? parseIntFlag(p.flags.baud, 'baud', 300, 4000000) : undefined;
  let client: EspruinoClient;
  try {
    client = await EspruinoClient.open(port, { baud, timeoutMs: 5000 });
  } catch (e: any) {
    throw new CliError(e.message);
  }
  try {
    try {
      await client.sync(4000);
    } catch (e: any) {
      if (e instanceof LinkError) throw new CliError(`${port}: no Espruino console answered`);
      throw e;
    }
    return await fn(client);
  } catch (e: any) {
    if (e instanceof LogsError || e instanceof LinkError) throw new CliError(e.message);
    throw e;
  } finally {
    await client.close();
  }
}

export async function run(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub === 'pull') {
    const p = parseArgs(args.slice(1), { port: 'string', out: 'string', baud: 'string', config: 'string' });
    if (p.flags.config !== undefined) useSiteConfig(p.flags.config);
    if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
    const out = need(p, 'out');
    const r = await withBoard(p, (c) => pullLogs(c));
    // The file appears whole or not at all.
    fs.writeFileSync(out + '.tmp', encodeBatchFile(r.batches));
    fs.renameSync(out + '.tmp', out);
    process.stdout.write(JSON.stringify({ gateId: r.gateId, records: r.records, batches: r.batches.length, first: r.first, last: r.last, out }) + '\n');
    return 0;
  }
  if (sub === 'ack') {
    const p = parseArgs(args.slice(1), { port: 'string', receipt: 'string', baud: 'string', config: 'string' });
    if (p.flags.config !== undefined) useSiteConfig(p.flags.config);
    if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
    const file = need(p, 'receipt');
    let receipt;
    try {
      receipt = parseReceipt(readFileOr(file, 'receipt').toString('utf8'));
    } catch (e: any) {
      if (e instanceof LogsError) throw new CliError(`${file}: ${e.message}`);
      throw e;
    }
    const r = await withBoard(p, (c) => ackLogs(c, receipt));
    process.stdout.write(JSON.stringify(r) + '\n');
    return r.refused ? 1 : 0;
  }
  throw new CliError(sub ? `unknown subcommand '${sub}' (pull or ack)` : 'missing subcommand: pull or ack');
}
