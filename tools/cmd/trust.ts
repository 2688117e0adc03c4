// qrgate trust build|show: signed trust bundles (spec/qg1.md section 3).
import * as fs from 'fs';
import { CliError, need, parseArgs, parseHex, parseIntFlag, parseTime, readFileOr, readJsonFile } from '../cli';
import { Ed25519Key, kidBytes, parseJwk, publicKeyFromSpki, readJwkFile, readPrivateJwkFile } from '../keys';
import {
  DecodedTrustBundle, TrustKey, decodeTrustBundle, encodeTrustBundle, revocationPrefix, verifySign1,
} from '../issuer';

export const help = `usage: qrgate trust build --root FILE --out FILE --version N [--max-age SECONDS] [--iat T]
                          [--key FILE]... [--spki BASE64 --kid KID [--format qg1|divoc]]...
                          [--revoke KID:CTIHEX]... [--untagged] [--force]
       qrgate trust show FILE [--root FILE]... [--config FILE]

build  writes a trust bundle (docs/qg1.md) signed by the private JWK --root; its kid is the
       UTF-8 of the root's JWK kid.
  --version N      bundle version (a gate never installs a lower one)
  --max-age S      seconds after iat when the bundle is stale (default: never)
  --iat T          when the bundle was made, ISO 8601 or seconds (default: now)
  --key FILE       a QG1 issuer key (JWK, private or public); its kid is the UTF-8 of the JWK kid
  --spki B64 --kid KID [--format qg1|divoc]
                   a key published as DER SubjectPublicKeyInfo; --kid and --format belong to the
                   --spki they follow. qg1 (default): kid bytes = UTF-8 of KID (1..16 bytes);
                   divoc: KID is the verificationMethod text (e.g. did:indonesia), stored as text
  --revoke KID:CTIHEX
                   revoke a certificate: prefix of SHA-256(UTF-8 of KID, 0x00, cti bytes); the last
                   ':' separates KID from CTIHEX (for DIVOC, CTIHEX is the hex of the certificateId)
  --untagged       leave out the COSE_Sign1 tag 18 (default: tagged)
  --force          overwrite --out if it exists
show   prints the bundle as JSON. With --root (a JWK, repeatable) or --config (a gate configuration,
       whose rootKeys are used) it adds "signature": "valid" or "invalid" and exits 1 when invalid.`;

export async function run(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub === 'build') return build(args.slice(1));
  if (sub === 'show') return show(args.slice(1));
  throw new CliError(sub === undefined ? 'missing subcommand (build or show)' : `unknown subcommand ${sub} (build or show)`);
}

interface SpkiGroup { spki?: string; kid?: string; format?: string }

/** Groups --spki/--kid/--format in the order given: each --spki starts a key, and the --kid and
 *  --format up to the next --spki belong to it (flags before the first --spki belong to the first). */
export function spkiGroups(args: string[]): SpkiGroup[] {
  const groups: SpkiGroup[] = [];
  let pending: SpkiGroup = {};
  let started = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) continue;
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    if (name !== 'spki' && name !== 'kid' && name !== 'format') {
      // skip the value of other string flags so that a value is never taken for a flag
      if (value === undefined && !['untagged', 'force'].includes(name)) i++;
      continue;
    }
    if (value === undefined) value = args[++i];
    if (value === undefined) throw new CliError(`--${name} needs a value`);
    if (name === 'spki') {
      if (started) { groups.push(pending); pending = {}; }
      started = true;
      pending.spki = value;
    } else {
      if ((pending as any)[name] !== undefined) {
        throw new CliError(`--${name} given twice for one --spki (each --spki takes one --kid and at most one --format)`);
      }
      (pending as any)[name] = value;
    }
  }
  if (started || pending.kid !== undefined || pending.format !== undefined) groups.push(pending);
  return groups;
}

async function build(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    root: 'string', out: 'string', version: 'string', 'max-age': 'string', iat: 'string', key: 'multi',
    spki: 'multi', kid: 'multi', format: 'multi', revoke: 'multi', untagged: 'boolean', force: 'boolean',
  });
  if (p.positional.length) throw new CliError(`unexpected argument ${p.positional[0]}`);
  const root = readPrivateJwkFile(need(p, 'root'));
  kidBytes(root);
  const out = need(p, 'out');
  const version = parseIntFlag(need(p, 'version'), 'version', 0, 0xffffffff);
  const iat = p.flags.iat !== undefined ? parseTime(p.flags.iat, 'iat') : Math.floor(Date.now() / 1000);
  const keys: TrustKey[] = [];
  const seen: { [id: string]: boolean } = {};
  function add(k: TrustKey, what: string): void {
    const id = (k.format || 'qg1') + ':' + (typeof k.kid === 'string' ? k.kid : Buffer.from(k.kid).toString('hex'));
    if (seen[id]) throw new CliError(`${what}: a key with this kid and format is already in the bundle`);
    seen[id] = true;
    keys.push(k);
  }
  for (const file of (p.flags.key || []) as string[]) {
    const k = readJwkFile(file);
    add({ kid: kidBytes(k), alg: -8, key: k.publicKey }, `--key ${file}`);
  }
  for (const g of spkiGroups(args)) {
    if (g.spki === undefined) throw new CliError('--kid/--format without --spki');
    if (g.kid === undefined) throw new CliError('--spki needs a --kid after it');
    const format = g.format === undefined ? 'qg1' : g.format;
    if (format !== 'qg1' && format !== 'divoc') throw new CliError(`--format: qg1 or divoc (got ${format})`);
    const key = publicKeyFromSpki(g.spki);
    if (format === 'divoc') {
      if (g.kid.length === 0) throw new CliError('--kid: empty');
      add({ kid: g.kid, alg: -8, key, format: 'divoc' }, `--spki for ${g.kid}`);
    } else {
      add({ kid: kidBytes(g.kid), alg: -8, key, format: g.format === undefined ? undefined : 'qg1' }, `--spki for ${g.kid}`);
    }
  }
  if (keys.length > 64) throw new CliError(`${keys.length} keys, a bundle holds at most 64`);
  const revoked: Uint8Array[] = [];
  for (const r of (p.flags.revoke || []) as string[]) {
    const at = r.lastIndexOf(':');
    if (at <= 0) throw new CliError(`--revoke: expected KID:CTIHEX (got ${r})`);
    const kid = r.slice(0, at);
    const cti = parseHex(r.slice(at + 1), 'revoke', 1, 1 << 16);
    if (!keys.some((k) => (typeof k.kid === 'string' ? k.kid : Buffer.from(k.kid).toString('utf8')) === kid)) {
      process.stderr.write(`qrgate trust: note: --revoke ${kid}: no key with this kid in the bundle\n`);
    }
    revoked.push(revocationPrefix(kid, cti));
  }
  const bundle = {
    version, iat, keys,
    revoked: revoked.length ? revoked : undefined,
    maxAge: p.flags['max-age'] !== undefined ? parseIntFlag(p.flags['max-age'], 'max-age', 1, 0xffffffff) : undefined,
  };
  const bytes = encodeTrustBundle(bundle, root, { tag: !p.flags.untagged });
  try {
    fs.writeFileSync(out, bytes, { flag: p.flags.force ? 'w' : 'wx' });
  } catch (e: any) {
    if (e.code === 'EEXIST') throw new CliError(`${out} exists (use --force to overwrite)`);
    throw new CliError(`cannot write ${out}: ${e.message}`);
  }
  process.stdout.write(`${out}: version ${version}, ${keys.length} key(s), ${revoked.length} revoked, ${bytes.length} bytes\n`);
  return 0;
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

function printable(b: Uint8Array): string | undefined {
  const s = Buffer.from(b).toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(Buffer.from(b))) return undefined;
  return /^[\x20-\x7e]+$/.test(s) ? s : undefined;
}

/** The JSON `trust show` prints (without the signature verdict). */
export function bundleJson(b: DecodedTrustBundle): any {
  const signerKid = printable(b.sign1.kid);
  const o: any = {
    version: b.version,
    iat: iso(b.iat),
    signedBy: signerKid !== undefined ? signerKid : Buffer.from(b.sign1.kid).toString('hex'),
    tagged: b.sign1.tagged,
    keys: b.keys.map((k) => {
      const e: any = {};
      if (typeof k.kid === 'string') {
        e.kid = k.kid;
        e.kidType = 'text';
      } else {
        const t = printable(k.kid);
        e.kid = t !== undefined ? t : Buffer.from(k.kid).toString('hex');
        e.kidType = 'bytes';
        e.kidHex = Buffer.from(k.kid).toString('hex');
      }
      e.format = k.format;
      e.alg = k.alg;
      e.key = Buffer.from(k.key).toString('hex');
      if (k.nbf !== undefined) e.nbf = iso(k.nbf);
      if (k.exp !== undefined) e.exp = iso(k.exp);
      return e;
    }),
    revoked: b.revoked.length,
    revokedPrefixes: b.revoked.map((r) => Buffer.from(r).toString('hex')),
  };
  if (b.maxAge !== undefined) {
    o.maxAge = b.maxAge;
    o.staleAt = iso(b.iat + b.maxAge);
  }
  return o;
}

/**
 * A trust bundle file, decoded, and the root keys given to check it: --root JWK files (flag
 * `root`, multi) and the rootKeys of --config FILE (flag `config`). (trust show, collector trust publish)
 */
export function readBundleAndRoots(file: string, flags: any): { bytes: Uint8Array; b: DecodedTrustBundle; roots: Ed25519Key[] } {
  const bytes = new Uint8Array(readFileOr(file, 'trust bundle'));
  let b: DecodedTrustBundle;
  try {
    b = decodeTrustBundle(bytes);
  } catch (e: any) {
    throw new CliError(`${file} is not a valid trust bundle: ${e.message}`);
  }
  const roots: Ed25519Key[] = ((flags.root || []) as string[]).map((f) => readJwkFile(f));
  if (flags.config !== undefined) {
    const cfg = readJsonFile(flags.config, 'configuration');
    if (!cfg || !Array.isArray(cfg.rootKeys) || cfg.rootKeys.length === 0) {
      throw new CliError(`configuration ${flags.config}: rootKeys must be a non-empty list of JWKs`);
    }
    cfg.rootKeys.forEach((j: any, i: number) => roots.push(parseJwk(j, `configuration ${flags.config}: rootKeys[${i}]`)));
  }
  return { bytes, b, roots };
}

async function show(args: string[]): Promise<number> {
  const p = parseArgs(args, { root: 'multi', config: 'string' });
  if (p.positional.length !== 1) throw new CliError(p.positional.length ? `one bundle file, got ${p.positional.length}` : 'missing the bundle FILE');
  const file = p.positional[0];
  const { bytes, b, roots } = readBundleAndRoots(file, p.flags);
  const o = bundleJson(b);
  let status = 0;
  if (roots.length) {
    const good = roots.filter((r) => verifySign1(b.sign1, r.publicKey));
    o.signature = good.length ? 'valid' : 'invalid';
    if (good.length) o.verifiedWith = good[0].kid;
    else status = 1;
  }
  process.stdout.write(JSON.stringify(o, null, 2) + '\n');
  return status;
}
