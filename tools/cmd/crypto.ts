// qrgate crypto verify: the device's own strict Ed25519 verifier (firmware/crypto/ed25519.ts, not
// node:crypto) on the host, for checking it against published vectors and debugging an issuer's
// signatures (spec/tools.md "The verifier alone").
import * as readline from 'readline';
import { CliError, parseArgs, parseHex } from '../cli';
import { verify } from '../../firmware/crypto/ed25519';

export const help = `usage: qrgate crypto verify --batch
       qrgate crypto verify --pub HEX --msg HEX --sig HEX

Checks Ed25519 signatures with the gate's own verifier under the strict profile of docs/qg1.md
section 1 (S < L, canonical A and R, no small-order A or R, cofactorless equation).
  --batch   read JSON lines {"pub":HEX,"msg":HEX,"sig":HEX} on stdin and answer each with one line,
            valid or invalid. Blank lines are skipped. A malformed line (not JSON, a field missing
            or not hex) stops the run with an error naming the line number, exit status 2.
  --pub/--msg/--sig   check one signature given on the command line.
Wrong lengths (a pub other than 32 bytes, a sig other than 64) are answered invalid, not errors.
Exit status 0 whenever every input got an answer, whatever the answers are.`;

export async function run(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub !== 'verify') {
    throw new CliError(sub === undefined ? 'missing subcommand (verify)' : `unknown subcommand ${sub} (verify)`);
  }
  const p = parseArgs(args.slice(1), { batch: 'boolean', pub: 'string', msg: 'string', sig: 'string' });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const single = p.flags.pub !== undefined || p.flags.msg !== undefined || p.flags.sig !== undefined;
  if (p.flags.batch) {
    if (single) throw new CliError('--batch reads stdin: leave out --pub, --msg and --sig');
    return batch(process.stdin, process.stdout);
  }
  if (!single) throw new CliError('give --batch (JSON lines on stdin) or --pub, --msg and --sig');
  for (const f of ['pub', 'msg', 'sig']) if (p.flags[f] === undefined) throw new CliError(`missing --${f}`);
  const ok = verify(parseHex(p.flags.pub, 'pub'), parseHex(p.flags.msg, 'msg'), parseHex(p.flags.sig, 'sig'));
  process.stdout.write((ok ? 'valid' : 'invalid') + '\n');
  return 0;
}

function hexField(obj: any, name: string, lineNo: number): Uint8Array {
  const v = obj[name];
  if (typeof v !== 'string') throw new CliError(`stdin line ${lineNo}: "${name}" ${v === undefined ? 'is missing' : 'is not a string'}`);
  if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new CliError(`stdin line ${lineNo}: "${name}" is not hex`);
  return new Uint8Array(Buffer.from(v, 'hex'));
}

/** One answer per non-blank JSON line of `input`; throws CliError at the first malformed line. */
export async function batch(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const raw of rl) {
      lineNo++;
      const line = raw.trim();
      if (line === '') continue;
      let obj: any;
      try {
        obj = JSON.parse(line);
      } catch (e: any) {
        throw new CliError(`stdin line ${lineNo}: not JSON: ${e.message}`);
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        throw new CliError(`stdin line ${lineNo}: not a JSON object`);
      }
      const pub = hexField(obj, 'pub', lineNo);
      const msg = hexField(obj, 'msg', lineNo);
      const sig = hexField(obj, 'sig', lineNo);
      output.write(verify(pub, msg, sig) ? 'valid\n' : 'invalid\n');
    }
  } finally {
    rl.close();
  }
  return 0;
}
