// qrgate keygen / issue / trust (spec/tools.md): round trips decoded with cbor-x and checked against
// spec/qg1.md, and the one-line error / exit 2 convention. A few runs spawn bin/qrgate.js end to end;
// the rest call the dispatcher in-process (the same code path, faster).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Decoder, Tag } from 'cbor-x';
import * as nacl from 'tweetnacl';
import { main } from '../../tools/qrgate';
import { spkiGroups } from '../../tools/cmd/trust';
import { qrVersion } from '../../tools/cmd/issue';
import { base45Decode, revocationPrefix, sigStructure } from '../../tools/issuer';
import { REPO, readSharedJson } from '../util/shared';

// pngjs comes with qrcode (no type declarations installed)
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { PNG } = require('pngjs');
const BIN = path.join(REPO, 'bin', 'qrgate.js');
const FIX = path.join(REPO, 'test', 'fixtures');
const cborx = new Decoder({ mapsAsObjects: false } as any);
const b64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

function spawn(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the dispatcher in-process, capturing output. */
async function qrgate(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const saved = process.exitCode;
  (process.stdout as any).write = (s: any) => { stdout += s; return true; };
  (process.stderr as any).write = (s: any) => { stderr += s; return true; };
  try {
    await main(args);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  const status = process.exitCode as number;
  process.exitCode = saved;
  return { status, stdout, stderr };
}

function decodeCose(bytes: Uint8Array): { tagged: boolean; prot: any; protBytes: Uint8Array; unprot: any; payload: any; payloadBytes: Uint8Array; sig: Uint8Array } {
  let v = cborx.decode(Buffer.from(bytes));
  const tagged = v instanceof Tag && v.tag === 18;
  if (tagged) v = v.value;
  assert.ok(Array.isArray(v) && v.length === 4);
  return { tagged, prot: cborx.decode(v[0]), protBytes: v[0], unprot: v[1], payload: cborx.decode(v[2]), payloadBytes: v[2], sig: v[3] };
}

describe('qrgate keygen, issue, trust', function () {
  this.timeout(60000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-cli-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });
  const p = (f: string): string => path.join(dir, f);

  it('end to end through bin/qrgate.js: keygen, issue --png, trust build, trust show', () => {
    let r = spawn(['keygen', '--out', 'root.jwk', '--kid', 'root-9'], dir);
    assert.equal(r.status, 0, r.stderr);
    const root = JSON.parse(fs.readFileSync(p('root.jwk'), 'utf8'));
    assert.deepEqual(Object.keys(root).sort(), ['crv', 'd', 'kid', 'kty', 'x']);
    assert.equal(root.kid, 'root-9');
    assert.equal(fs.statSync(p('root.jwk')).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(r.stdout), { kty: 'OKP', crv: 'Ed25519', x: root.x, kid: 'root-9' });
    const again = spawn(['keygen', '--out', 'root.jwk'], dir);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^qrgate keygen: .*root\.jwk exists \(use --force to overwrite\)\n$/);
    assert.equal(JSON.parse(fs.readFileSync(p('root.jwk'), 'utf8')).x, root.x, 'not overwritten');

    r = spawn(['keygen', '--out', 'iss.jwk'], dir);
    assert.equal(r.status, 0, r.stderr);
    const iss = JSON.parse(fs.readFileSync(p('iss.jwk'), 'utf8'));
    assert.match(iss.kid, /^[A-Za-z0-9_-]{11}$/);

    r = spawn(['issue', '--key', 'iss.jwk', '--date', '2021-08-01', '--iat', '2021-08-02T00:00:00Z', '--png', 'c.png', '--cti', '0a0b'], dir);
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout.trim();
    assert.match(text, /^QG1:[0-9A-Z $%*+\-./:]+$/);
    const png = PNG.sync.read(fs.readFileSync(p('c.png')));
    const version = qrVersion(text);
    assert.equal(png.width, png.height);
    assert.equal(png.width, (17 + 4 * version + 8) * 4, 'modules + quiet zone, scale 4');
    assert.ok(version >= 8 && version <= 11, `QR version ${version}`);
    const c = decodeCose(base45Decode(text.slice(4)));
    assert.ok(nacl.sign.detached.verify(sigStructure(c.protBytes, c.payloadBytes), c.sig, b64u(iss.x)));
    assert.equal(Buffer.from(c.prot.get(4)).toString(), iss.kid);

    r = spawn(['trust', 'build', '--root', 'root.jwk', '--out', 't.bin', '--version', '4', '--key', 'iss.jwk', '--iat', '1630454400'], dir);
    assert.equal(r.status, 0, r.stderr);
    r = spawn(['trust', 'show', 't.bin', '--root', 'root.jwk'], dir);
    assert.equal(r.status, 0, r.stderr);
    const shown = JSON.parse(r.stdout);
    assert.equal(shown.signature, 'valid');
    assert.equal(shown.version, 4);
    assert.equal(shown.iat, '2021-09-01T00:00:00Z');
    assert.equal(shown.keys[0].kid, iss.kid);
    r = spawn(['trust', 'show', 't.bin', '--root', 'iss.jwk'], dir);
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).signature, 'invalid');
  });

  it('issue: every claim lands where spec/qg1.md section 2 puts it', async () => {
    const r = await qrgate('issue', '--key', path.join(FIX, 'issuer.jwk'), '--kind', 'vaccination', '--dose', '3', '--series', '2',
      '--date', '2021-08-01', '--sub', 'aabbcc', '--cti', '00112233445566778899aabbccddeeff', '--iat', '2021-08-02T00:00:00Z',
      '--nbf', '1627862400', '--exp', '2022-08-02T00:00:00Z', '--iss', 'Ministry', '--product', 'Vax');
    assert.equal(r.status, 0, r.stderr);
    const c = decodeCose(base45Decode(r.stdout.trim().slice(4)));
    assert.ok(c.tagged);
    assert.deepEqual(Array.from(c.prot.entries()), [[1, -8], [4, Buffer.from('issuer-1')]]);
    assert.equal(c.unprot.size, 0);
    const m = c.payload;
    assert.deepEqual(Array.from(m.keys()), [1, 4, 5, 6, 7, -100]);
    assert.equal(m.get(1), 'Ministry');
    assert.equal(m.get(4), Date.parse('2022-08-02T00:00:00Z') / 1000);
    assert.equal(m.get(5), 1627862400);
    assert.equal(m.get(6), 1627862400);
    assert.equal(Buffer.from(m.get(7)).toString('hex'), '00112233445566778899aabbccddeeff');
    const hc = m.get(-100);
    assert.equal(Buffer.from(hc.get(1)).toString('hex'), 'aabbcc');
    assert.deepEqual([hc.get(2), hc.get(3), hc.get(4), hc.get(5), hc.get(6)], [0, 3, 2, 18840, 'Vax']);
    const pub = b64u(JSON.parse(fs.readFileSync(path.join(FIX, 'issuer.jwk'), 'utf8')).x);
    assert.ok(nacl.sign.detached.verify(sigStructure(c.protBytes, c.payloadBytes), c.sig, pub));
  });

  it('issue: defaults (kind vaccination 2/2, today, random 16-byte sub and cti, iat now, exp + 365 days)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const a = await qrgate('issue', '--key', path.join(FIX, 'issuer.jwk'));
    const b = await qrgate('issue', '--key', path.join(FIX, 'issuer.jwk'), '--kind', 'test', '--valid-days', '2', '--untagged');
    const after = Math.floor(Date.now() / 1000);
    assert.equal(a.status, 0, a.stderr);
    const ca = decodeCose(base45Decode(a.stdout.trim().slice(4)));
    const m = ca.payload;
    assert.ok(m.get(6) >= before && m.get(6) <= after);
    assert.equal(m.get(4) - m.get(6), 365 * 86400);
    assert.equal(m.get(1), undefined);
    assert.equal(m.get(5), undefined);
    assert.equal(m.get(7).length, 16);
    const hc = m.get(-100);
    assert.equal(hc.get(1).length, 16);
    assert.deepEqual([hc.get(2), hc.get(3), hc.get(4)], [0, 2, 2]);
    assert.ok(Math.abs(hc.get(5) - Math.floor(Date.now() / 86400000)) <= 1);
    const cb = decodeCose(base45Decode(b.stdout.trim().slice(4)));
    assert.ok(!cb.tagged);
    assert.equal(cb.payload.get(4) - cb.payload.get(6), 2 * 86400);
    assert.deepEqual(Array.from(cb.payload.get(-100).keys()), [1, 2, 5], 'a test has no dose or series');
    assert.notEqual(Buffer.from(m.get(7)).toString('hex'), Buffer.from(cb.payload.get(7)).toString('hex'));
  });

  it('issue --out writes the text to a file', async () => {
    const r = await qrgate('issue', '--key', path.join(FIX, 'issuer.jwk'), '--out', p('cert.txt'), '--cti', '01', '--sub', '02');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(fs.readFileSync(p('cert.txt'), 'utf8'), /^QG1:[0-9A-Z $%*+\-./:]+\n$/);
  });

  it('trust build: QG1 keys as bytes, DIVOC SPKI as text, revocations, maxAge', async () => {
    const idx = readSharedJson('divoc/samples/index.json');
    const r = await qrgate('trust', 'build', '--root', path.join(FIX, 'root.jwk'), '--out', p('b.bin'), '--version', '9', '--max-age', '3600',
      '--iat', '2021-09-01T00:00:00Z', '--key', path.join(FIX, 'issuer.jwk'),
      '--spki', idx.publicKeySpkiBase64, '--kid', 'did:indonesia', '--format', 'divoc',
      '--spki', idx.publicKeySpkiBase64, '--kid', 'k-qg1',
      '--revoke', 'issuer-1:0a0b', '--revoke', 'did:indonesia:' + Buffer.from('100000001').toString('hex'));
    assert.equal(r.status, 0, r.stderr);
    const c = decodeCose(new Uint8Array(fs.readFileSync(p('b.bin'))));
    assert.ok(c.tagged);
    assert.deepEqual(Array.from(c.prot.entries()), [[1, -8], [4, Buffer.from('root-1')]]);
    const root = JSON.parse(fs.readFileSync(path.join(FIX, 'root.jwk'), 'utf8'));
    assert.ok(nacl.sign.detached.verify(sigStructure(c.protBytes, c.payloadBytes), c.sig, b64u(root.x)));
    const m = c.payload;
    assert.deepEqual([m.get(1), m.get(2), m.get(5)], [9, 1630454400, 3600]);
    const keys = m.get(3);
    assert.equal(keys.length, 3);
    assert.deepEqual(Array.from(keys[0].keys()), [1, 2, 3]);
    assert.equal(Buffer.from(keys[0].get(1)).toString(), 'issuer-1');
    assert.ok(keys[0].get(1) instanceof Uint8Array);
    assert.equal(keys[1].get(1), 'did:indonesia');
    assert.equal(keys[1].get(6), 'divoc');
    assert.equal(Buffer.from(keys[1].get(3)).toString('hex'), idx.publicKeyHex);
    assert.ok(keys[2].get(1) instanceof Uint8Array);
    assert.equal(keys[2].get(6), undefined);
    const want = [revocationPrefix('issuer-1', new Uint8Array([10, 11])), revocationPrefix('did:indonesia', '100000001')]
      .map((x) => Buffer.from(x).toString('hex')).sort().join('');
    assert.equal(Buffer.from(m.get(4)).toString('hex'), want);

    const s = await qrgate('trust', 'show', p('b.bin'), '--config', path.join(FIX, 'gate.json'));
    assert.equal(s.status, 0, s.stderr);
    const j = JSON.parse(s.stdout);
    assert.equal(j.signature, 'valid');
    assert.equal(j.revoked, 2);
    assert.equal(j.maxAge, 3600);
    assert.deepEqual(j.keys.map((k: any) => [k.kid, k.kidType, k.format]),
      [['issuer-1', 'bytes', 'qg1'], ['did:indonesia', 'text', 'divoc'], ['k-qg1', 'bytes', 'qg1']]);
  });

  it('trust show reads the shared fixture and says whether its signature holds', async () => {
    const ok = await qrgate('trust', 'show', path.join(FIX, 'trust.bin'), '--root', path.join(FIX, 'root.jwk'));
    assert.equal(ok.status, 0);
    const j = JSON.parse(ok.stdout);
    assert.equal(j.signature, 'valid');
    assert.equal(j.version, 1);
    assert.equal(j.keys.find((k: any) => k.kid === 'issuer-old').exp, '2021-06-01T00:00:00Z');
    const noRoot = await qrgate('trust', 'show', path.join(FIX, 'trust.bin'));
    assert.equal(noRoot.status, 0);
    assert.equal(JSON.parse(noRoot.stdout).signature, undefined);
    const bad = await qrgate('trust', 'show', path.join(FIX, 'trust-badsig.bin'), '--root', path.join(FIX, 'root.jwk'));
    assert.equal(bad.status, 1);
    assert.equal(JSON.parse(bad.stdout).signature, 'invalid');
  });

  it('spkiGroups pairs --kid/--format with the --spki they follow', () => {
    assert.deepEqual(spkiGroups(['--spki', 'A', '--kid', 'a', '--spki', 'B', '--format', 'divoc', '--kid', 'b', '--version', '1']),
      [{ spki: 'A', kid: 'a' }, { spki: 'B', format: 'divoc', kid: 'b' }]);
    assert.deepEqual(spkiGroups(['--kid=x', '--spki=A', '--root', '--kid']), [{ kid: 'x', spki: 'A' }]);
    assert.throws(() => spkiGroups(['--spki', 'A', '--kid', 'a', '--kid', 'b']), /--kid given twice/);
  });

  it('bad input: one line on stderr, exit 2', async () => {
    fs.writeFileSync(p('garbage.jwk'), '{"kty":"OKP","crv":"Ed25519","x":"AAAA"}');
    fs.writeFileSync(p('pub.jwk'), JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: JSON.parse(fs.readFileSync(path.join(FIX, 'issuer.jwk'), 'utf8')).x, kid: 'issuer-1' }));
    fs.writeFileSync(p('long.jwk'), JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(FIX, 'issuer.jwk'), 'utf8')), kid: 'k'.repeat(17) }));
    fs.writeFileSync(p('junk.bin'), Buffer.from('not a bundle'));
    fs.writeFileSync(p('exists.bin'), '');
    const key = path.join(FIX, 'issuer.jwk');
    const root = path.join(FIX, 'root.jwk');
    const cases: [string[], RegExp][] = [
      [['keygen'], /missing --out/],
      [['keygen', '--out', p('x.jwk'), '--kid', 'k'.repeat(17)], /17 bytes/],
      [['keygen', '--out', p('nodir/x.jwk')], /cannot write/],
      [['keygen', '--bogus'], /unknown flag --bogus/],
      [['issue'], /missing --key/],
      [['issue', '--key', p('missing.jwk')], /cannot read key file .*missing\.jwk: no such file/],
      [['issue', '--key', p('garbage.jwk')], /garbage\.jwk: x is 3 bytes, expected 32/],
      [['issue', '--key', p('pub.jwk')], /public key \(no d\)/],
      [['issue', '--key', p('long.jwk')], /kid "k{17}" is 17 bytes/],
      [['issue', '--key', key, '--kind', 'booster'], /--kind: one of vaccination, test, recovery, exemption/],
      [['issue', '--key', key, '--sub', '00'.repeat(33)], /--sub: 33 bytes, expected 1\.\.32/],
      [['issue', '--key', key, '--sub', ''], /--sub: 0 bytes/],
      [['issue', '--key', key, '--cti', '00'.repeat(17)], /--cti: 17 bytes, expected 1\.\.16/],
      [['issue', '--key', key, '--cti', 'xyz'], /--cti: not hex/],
      [['issue', '--key', key, '--iss', 'é'.repeat(33)], /--iss: 66 bytes as UTF-8, at most 64/],
      [['issue', '--key', key, '--date', '2021-13-01'], /--date: not a calendar date/],
      [['issue', '--key', key, '--iat', 'yesterday'], /--iat: not a time/],
      [['issue', '--key', key, '--exp', '2030-01-01', '--valid-days', '3'], /exclude each other/],
      [['issue', '--key', key, '--iat', '2021-01-01', '--exp', '2020-01-01'], /--exp must be after --iat/],
      [['issue', '--key', key, '--dose', '-1'], /--dose: out of range/],
      [['trust'], /missing subcommand/],
      [['trust', 'frob'], /unknown subcommand frob/],
      [['trust', 'build', '--root', root, '--out', p('o.bin')], /missing --version/],
      [['trust', 'build', '--root', key.replace('issuer', 'nope'), '--out', p('o.bin'), '--version', '1'], /cannot read key file/],
      [['trust', 'build', '--root', root, '--out', p('exists.bin'), '--version', '1'], /exists \(use --force/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', '1', '--spki', 'AAAA', '--kid', 'x'], /SPKI: 3 bytes, expected 44/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', '1', '--spki', readSharedJson('divoc/samples/index.json').publicKeySpkiBase64], /--spki needs a --kid/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', '1', '--kid', 'x'], /--kid\/--format without --spki/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', '1', '--spki', readSharedJson('divoc/samples/index.json').publicKeySpkiBase64, '--kid', 'x', '--format', 'x509'], /--format: qg1 or divoc/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', '1', '--key', key, '--key', key], /already in the bundle/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', '1', '--revoke', 'nocolon'], /--revoke: expected KID:CTIHEX/],
      [['trust', 'build', '--root', root, '--out', p('o.bin'), '--version', 'one'], /--version: not an integer/],
      [['trust', 'show'], /missing the bundle FILE/],
      [['trust', 'show', p('junk.bin')], /junk\.bin is not a valid trust bundle/],
      [['trust', 'show', p('nothere.bin')], /cannot read trust bundle .*no such file/],
      [['trust', 'show', path.join(FIX, 'trust.bin'), '--config', path.join(FIX, 'trust.bin')], /not valid JSON/],
    ];
    for (const [args, re] of cases) {
      const r = await qrgate(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status} ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, /^qrgate \w+: [^\n]+\n$/, `${args.join(' ')}: one line: ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, re, args.join(' '));
    }
    assert.ok(!fs.existsSync(p('o.bin')));
    assert.equal(fs.readFileSync(p('exists.bin'), 'utf8'), '');
  });

  it('bad input through bin/qrgate.js: one line, exit 2, no stack trace', () => {
    const r = spawn(['issue', '--key', path.join(FIX, 'issuer.jwk'), '--sub', 'zz'], dir);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'qrgate issue: --sub: not hex: zz\n');
    const h = spawn(['trust', '--help'], dir);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /qrgate trust build --root FILE --out FILE --version N/);
  });
});
