// qrgate config init|check: a commented starting configuration, and a check that names every problem.
import * as fs from 'fs';
import { CliError, parseArgs, readFileOr } from '../cli';
import { configProblems, fields, validateConfig } from '../../firmware/config';
import { featureNotes, featureProblems, profileName } from '../flashfiles';
import { boardFileOf } from '../../boards/index';
import { hostProblems, initConfig } from '../configfile';
import { publicJwk, readJwkFile } from '../keys';

export const help = `usage: qrgate config init [--out FILE] [--root FILE]... [--gate-id ID] [--board NAME] [--set KEY=VALUE]... [--force]
       qrgate config check FILE [--board NAME]

init    writes a starting gate configuration: every key with its default and a comment (keys
        starting with // are comments: the gate ignores them, qrgate flash leaves them out of the
        board's copy), and a fresh random site.secret (32 bytes).
        --out FILE     write it there (mode 0600: it holds site.secret) instead of printing it;
                       an existing file is never overwritten without --force
        --root FILE    a root key (JWK, private or public): its public half goes into rootKeys
                       (repeat for up to 8); without it rootKeys is empty and check says so
        --gate-id ID   gateId (default gate-1)
        --board NAME   board (default esp32)
        --set KEY=VALUE  any other key (dotted: uplink.transport=wifi); VALUE is read as JSON when
                       it is JSON (3000, true, "x"), else as text
check   validates FILE as the gate does at boot and as qrgate flash does, and names every
        problem, one line each on stderr (never a secret's value); also an unknown board and an
        uplink.url that does not name the collector path of its transport (/ingest for wifi,
        /lorawan for lora), and anything the board's own firmware is built without (occupancy
        counting, the door contact and exit button, an uplink transport: its boards/<name>.ts
        features), for --board NAME or the configuration's board key (a note, not a problem: a
        board that does not configure the scanner module). Exit 0 when it is valid (one line on
        stdout), 2 otherwise.`;

function init(args: string[]): number {
  const p = parseArgs(args, { out: 'string', root: 'multi', 'gate-id': 'string', board: 'string', set: 'multi', force: 'boolean' });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const roots = ((p.flags.root as string[]) || []).map((f) => publicJwk(readJwkFile(f)));
  if (roots.length > 8) throw new CliError('at most 8 --root keys');
  const set: { [path: string]: any } = {};
  const known = fields().map((f) => f.path);
  for (const kv of (p.flags.set as string[]) || []) {
    const eq = kv.indexOf('=');
    const key = eq > 0 ? kv.slice(0, eq) : '';
    if (known.indexOf(key) < 0) throw new CliError(`--set ${kv}: ${key ? `unknown key ${key}` : 'give KEY=VALUE'}`);
    const raw = kv.slice(eq + 1);
    try { set[key] = JSON.parse(raw); } catch (e) { set[key] = raw; }
  }
  const cfg = initConfig({ gateId: p.flags['gate-id'], board: p.flags.board, rootKeys: roots, set });
  const text = JSON.stringify(cfg, null, 2) + '\n';
  const out: string | undefined = p.flags.out;
  if (out === undefined) {
    process.stdout.write(text);
  } else {
    try {
      fs.writeFileSync(out, text, { mode: 0o600, flag: p.flags.force ? 'w' : 'wx' });
      fs.chmodSync(out, 0o600);
    } catch (e: any) {
      if (e.code === 'EEXIST') throw new CliError(`${out} exists (use --force to overwrite)`);
      throw new CliError(`cannot write ${out}: ${e.message}`);
    }
  }
  if (!roots.length) process.stderr.write('qrgate config init: rootKeys is empty: add the public JWK of your trust-bundle root key (or use --root FILE)\n');
  return 0;
}

function check(args: string[]): number {
  const p = parseArgs(args, { board: 'string' });
  if (p.positional.length !== 1) throw new CliError('give one configuration FILE');
  if (p.flags.board !== undefined && !boardFileOf(p.flags.board)) {
    try { profileName(p.flags.board); } catch (e: any) { throw new CliError(`--board: ${e.message}`); }
  }
  const file = p.positional[0];
  const text = readFileOr(file, 'configuration').toString('utf8');
  let cfg: any;
  try {
    cfg = JSON.parse(text);
  } catch (e: any) {
    throw new CliError(`${file} is not valid JSON: ${e.message}`);
  }
  const problems = configProblems(cfg).concat(hostProblems(cfg));
  if (!problems.length) {
    const v = validateConfig(cfg);
    const board: string = p.flags.board || (v.config ? v.config.board : '');
    if (v.config && board) {
      problems.push(...featureProblems(board, v.config));
      if (!problems.length) for (const m of featureNotes(board, v.config)) process.stderr.write(`qrgate config check: ${file}: note: ${m}\n`);
    }
  }
  if (problems.length) {
    for (const m of problems) process.stderr.write(`qrgate config check: ${file}: ${m}\n`);
    process.stderr.write(`qrgate config check: ${file}: ${problems.length} problem${problems.length > 1 ? 's' : ''}\n`);
    return 2;
  }
  process.stdout.write(`${file}: valid\n`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub === 'init') return init(args.slice(1));
  if (sub === 'check') return check(args.slice(1));
  throw new CliError(sub ? `unknown subcommand '${sub}' (init or check)` : 'give a subcommand: init or check');
}
