// qrgate keygen --out FILE [--kid KID] [--force]: a new Ed25519 private key as a JWK (RFC 8037).
import * as fs from 'fs';
import { CliError, need, parseArgs } from '../cli';
import { kidBytes, makeJwk, publicJwk } from '../keys';

export const help = `usage: qrgate keygen --out FILE [--kid KID] [--force]

Writes a new Ed25519 private key as a JWK (RFC 8037: kty OKP, crv Ed25519, x, d, kid), file mode 0600.
  --out FILE   where to write it; an existing file is never overwritten without --force
  --kid KID    the key id (default: base64url of the first 8 bytes of SHA-256 of the public key).
               Certificates and bundles carry the kid as its UTF-8 bytes, so it must be 1..16 bytes
  --force      overwrite FILE if it exists
Prints the public key (JWK, with its kid) on stdout.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { out: 'string', kid: 'string', force: 'boolean' });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const out = need(p, 'out');
  if (p.flags.kid !== undefined) kidBytes(p.flags.kid);
  const jwk = makeJwk(undefined, p.flags.kid);
  const text = JSON.stringify(jwk, null, 2) + '\n';
  try {
    fs.writeFileSync(out, text, { mode: 0o600, flag: p.flags.force ? 'w' : 'wx' });
    fs.chmodSync(out, 0o600);
  } catch (e: any) {
    if (e.code === 'EEXIST') throw new CliError(`${out} exists (use --force to overwrite)`);
    throw new CliError(`cannot write ${out}: ${e.message}`);
  }
  process.stdout.write(JSON.stringify(publicJwk(jwk)) + '\n');
  return 0;
}
