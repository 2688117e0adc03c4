// qrgate issue: a signed QG1 certificate (spec/qg1.md sections 1 and 2), printed as its QG1: text.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as QRCode from 'qrcode';
import { CliError, need, parseArgs, parseHex, parseIntFlag, parseTime } from '../cli';
import { kidBytes, readPrivateJwkFile } from '../keys';
import { Claims, KINDS, dayNumber, encodeCertificate, qg1Text } from '../issuer';

export const help = `usage: qrgate issue --key FILE [--kind vaccination|test|recovery|exemption] [--dose N] [--series N]
             [--date YYYY-MM-DD] [--sub HEX] [--cti HEX] [--iat T] [--nbf T] [--exp T | --valid-days N]
             [--iss TEXT] [--product TEXT] [--untagged] [--out FILE] [--png FILE]

Issues a QG1 certificate (docs/qg1.md) signed by the private JWK in --key and prints its QG1: text
(with --out, writes it to FILE instead). T is ISO 8601 or seconds since 1970.
  --kind        vaccination (default), test, recovery or exemption
  --dose N      doses received (vaccination: default 2)
  --series N    doses in the primary series (vaccination: default 2)
  --date D      last dose / test sample / positive test / exemption start (default: today, UTC)
  --sub HEX     pseudonymous subject id, 1..32 bytes (default: 16 random bytes)
  --cti HEX     certificate id, 1..16 bytes (default: 16 random bytes)
  --iat T       issued at (default: now)
  --nbf T       not valid before (default: none)
  --exp T       not valid at or after; or --valid-days N: exp = iat + N days (default 365)
  --iss TEXT    issuer name, at most 64 bytes of UTF-8
  --product TEXT vaccine product or test type, at most 32 bytes of UTF-8
  --untagged    leave out the COSE_Sign1 tag 18 (default: tagged)
  --png FILE    also write the QR code (alphanumeric mode, error correction M) as a PNG image
The certificate's kid is the UTF-8 of the key's JWK kid (1..16 bytes).`;

/** The QR code of a QG1 text as a PNG: one alphanumeric segment, error correction M. */
export async function qrPng(text: string, opts: { scale?: number; margin?: number } = {}): Promise<Buffer> {
  if (!/^[0-9A-Z $%*+\-./:]*$/.test(text)) throw new CliError('text is not QR alphanumeric');
  return QRCode.toBuffer([{ data: text, mode: 'alphanumeric' }], {
    type: 'png', errorCorrectionLevel: 'M', scale: opts.scale || 4, margin: opts.margin === undefined ? 4 : opts.margin,
  });
}

/** The QR version (1..40) a QG1 text needs at error correction M. */
export function qrVersion(text: string): number {
  return QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' }).version;
}

function text(v: string, flag: string, max: number): string {
  const n = Buffer.byteLength(v, 'utf8');
  if (n > max) throw new CliError(`--${flag}: ${n} bytes as UTF-8, at most ${max}`);
  return v;
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    key: 'string', kind: 'string', dose: 'string', series: 'string', date: 'string', sub: 'string', cti: 'string',
    iat: 'string', nbf: 'string', exp: 'string', 'valid-days': 'string', iss: 'string', product: 'string',
    untagged: 'boolean', out: 'string', png: 'string',
  });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const f = p.flags;
  const key = readPrivateJwkFile(need(p, 'key'));
  const kid = kidBytes(key);
  const kindName = f.kind === undefined ? 'vaccination' : f.kind;
  if (!(kindName in KINDS)) throw new CliError(`--kind: one of ${Object.keys(KINDS).join(', ')} (got ${kindName})`);
  const kind = KINDS[kindName];
  if (f.exp !== undefined && f['valid-days'] !== undefined) throw new CliError('--exp and --valid-days exclude each other');
  const iat = f.iat !== undefined ? parseTime(f.iat, 'iat') : Math.floor(Date.now() / 1000);
  let exp: number;
  if (f.exp !== undefined) exp = parseTime(f.exp, 'exp');
  else exp = iat + 86400 * (f['valid-days'] !== undefined ? parseIntFlag(f['valid-days'], 'valid-days', 1, 36500) : 365);
  if (exp <= iat) throw new CliError('--exp must be after --iat');
  const date = f.date !== undefined ? dateFlag(f.date) : Math.floor(Date.now() / 86400000);
  const claims: Claims = {
    exp,
    iat,
    cti: f.cti !== undefined ? parseHex(f.cti, 'cti', 1, 16) : new Uint8Array(crypto.randomBytes(16)),
    hc: {
      sub: f.sub !== undefined ? parseHex(f.sub, 'sub', 1, 32) : new Uint8Array(crypto.randomBytes(16)),
      kind,
      date,
    },
  };
  if (f.nbf !== undefined) claims.nbf = parseTime(f.nbf, 'nbf');
  if (f.iss !== undefined) claims.iss = text(f.iss, 'iss', 64);
  if (f.product !== undefined) claims.hc.product = text(f.product, 'product', 32);
  if (f.dose !== undefined) claims.hc.dose = parseIntFlag(f.dose, 'dose', 0, 255);
  else if (kind === 0) claims.hc.dose = 2;
  if (f.series !== undefined) claims.hc.series = parseIntFlag(f.series, 'series', 0, 255);
  else if (kind === 0) claims.hc.series = 2;
  for (const [name, v] of [['iat', iat], ['exp', exp], ['nbf', claims.nbf]] as [string, number | undefined][]) {
    if (v !== undefined && (v < 0 || v >= 0x100000000)) throw new CliError(`--${name}: outside 1970..2106`);
  }
  const bytes = encodeCertificate(claims, key, kid, { tag: !f.untagged });
  const qg1 = qg1Text(bytes);
  if (f.png !== undefined) {
    const png = await qrPng(qg1);
    try { fs.writeFileSync(f.png, png); } catch (e: any) { throw new CliError(`cannot write ${f.png}: ${e.message}`); }
  }
  if (f.out !== undefined) {
    try { fs.writeFileSync(f.out, qg1 + '\n'); } catch (e: any) { throw new CliError(`cannot write ${f.out}: ${e.message}`); }
  } else {
    process.stdout.write(qg1 + '\n');
  }
  return 0;
}

function dateFlag(v: string): number {
  try {
    return dayNumber(v);
  } catch (e: any) {
    throw new CliError(`--date: ${e.message}`);
  }
}
