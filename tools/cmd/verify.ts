// qrgate verify: the gate's own decision code (firmware/decide.ts, the device's verifier and
// hashes) run on the host, one JSON line out.
import { parseArgs, need, readFileOr, readJsonFile, parseTime, CliError } from '../cli';
import { validateConfig } from '../../firmware/config';
import { acceptTrustBundle } from '../../firmware/trustcheck';
import { decide } from '../../firmware/decide';
import { decisionSummary, CLOCK_VALID_AFTER } from '../../firmware/gate';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';

export const help = `
qrgate verify --config FILE --trust FILE [--at T] (--in FILE | TEXT)

Decides on one certificate (QG1: or B64: text) exactly as the gate would, and prints one JSON line:
  {"decision":"open","reason":"ok","format":"qg1","kid":"...","cti":"...","detail":"..."}
--at T    the gate's clock: ISO 8601 or seconds since 1970 (default: now); a time before 2020
          stands for a gate whose clock was never set
--in FILE read the certificate text from a file (surrounding white space is ignored)
Exit 0 whenever a decision was printed; 2 for a bad configuration, a trust bundle whose signature
does not verify under the configuration's rootKeys, or a usage error.`;

export function loadGateFiles(configPath: string, trustPath: string) {
  const raw = readJsonFile(configPath, 'configuration');
  const v = validateConfig(raw);
  if (!v.config) throw new CliError(`configuration ${configPath}: ${v.error}`);
  const bytes = new Uint8Array(readFileOr(trustPath, 'trust bundle'));
  const t = acceptTrustBundle(bytes, v.config.rootKeys, -1, (p, m, s) => verify(p, m, s));
  if (!t.bundle) throw new CliError(`trust bundle ${trustPath}: ${t.detail}`);
  return { config: v.config, trust: t.bundle };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { config: 'string', trust: 'string', at: 'string', in: 'string' });
  const { config, trust } = loadGateFiles(need(p, 'config'), need(p, 'trust'));
  let text: string;
  if (p.flags.in !== undefined) {
    if (p.positional.length) throw new CliError('give the certificate either with --in or as TEXT, not both');
    text = readFileOr(p.flags.in, 'certificate').toString('latin1').trim();
  } else {
    if (p.positional.length !== 1) throw new CliError('give one certificate TEXT (or --in FILE)');
    // The gate sees bytes from the scanner: hand the decision code the UTF-8 bytes as a byte string.
    text = Buffer.from(p.positional[0], 'utf8').toString('latin1');
  }
  const at = p.flags.at !== undefined ? parseTime(p.flags.at, 'at') : Math.floor(Date.now() / 1000);
  const d = decide(text, {
    now: at >= CLOCK_VALID_AFTER ? at : null,
    trust,
    policy: config.policy,
    verify: (pub, msg, sig) => verify(pub, msg, sig),
    sha256,
  });
  process.stdout.write(JSON.stringify(decisionSummary(d)) + '\n');
  return 0;
}
