// tools/keys.ts: JWK parsing and validation, SPKI, kids and signing, against RFC 8032 and the DIVOC key.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliError } from '../../tools/cli';
import {
  base64urlDecode, base64urlEncode, defaultKid, kidBytes, makeJwk, parseJwk, publicJwk, publicKeyFromSpki, readJwkFile,
  readPrivateJwkFile, sign, spkiFromPublicKey, verify,
} from '../../tools/keys';
import { hex, readSharedJson, toHex } from '../util/shared';

const rfc = readSharedJson('vectors/rfc8032-ed25519/rfc8032_7_1_ed25519.json').cases.filter((c: any) => c.expected !== 'invalid' && c.secret_key);

describe('tools/keys', () => {
  it('makeJwk from a seed gives the RFC 8032 public key, and sign the RFC 8032 signatures', () => {
    assert.ok(rfc.length >= 3);
    for (const c of rfc) {
      const jwk = makeJwk(hex(c.secret_key));
      assert.equal(jwk.kty, 'OKP');
      assert.equal(jwk.crv, 'Ed25519');
      assert.equal(toHex(base64urlDecode(jwk.x, 'x')), c.public_key);
      assert.equal(toHex(base64urlDecode(jwk.d as string, 'd')), c.secret_key);
      assert.equal(toHex(sign(hex(c.message), jwk)), c.signature);
      assert.ok(verify(hex(c.message), hex(c.signature), hex(c.public_key)));
    }
  });

  it('default kid is base64url of the first 8 bytes of SHA-256 of the public key', () => {
    const pub = hex(rfc[0].public_key);
    const want = crypto.createHash('sha256').update(pub).digest().subarray(0, 8).toString('base64')
      .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    assert.equal(defaultKid(pub), want);
    assert.equal(want.length, 11);
    assert.equal(makeJwk(hex(rfc[0].secret_key)).kid, want);
    assert.equal(makeJwk(hex(rfc[0].secret_key), 'k1').kid, 'k1');
    // a JWK without kid gets the default kid when parsed
    const { kid, ...nokid } = makeJwk(hex(rfc[0].secret_key));
    assert.equal(parseJwk(nokid).kid, want);
  });

  it('random keys differ and round-trip through parseJwk; publicJwk drops d', () => {
    const a = makeJwk();
    const b = makeJwk();
    assert.notEqual(a.x, b.x);
    const k = parseJwk(a);
    assert.ok(k.seed && k.seed.length === 32);
    const p = publicJwk(a);
    assert.equal(p.d, undefined);
    assert.deepEqual(p, { kty: 'OKP', crv: 'Ed25519', x: a.x, kid: a.kid });
    assert.equal(parseJwk(p).seed, undefined);
    assert.throws(() => sign(new Uint8Array(1), p), /public/);
  });

  it('rejects bad JWKs with a clear CliError', () => {
    const good = makeJwk(hex(rfc[0].secret_key), 'k');
    const cases: [any, RegExp][] = [
      [null, /not a JWK/],
      [[], /not a JWK/],
      [{ ...good, kty: 'EC' }, /kty must be "OKP"/],
      [{ ...good, crv: 'X25519' }, /crv must be "Ed25519"/],
      [{ ...good, x: undefined }, /missing x/],
      [{ ...good, x: good.x.slice(0, 40) }, /x.*(32|base64url)/],
      [{ ...good, x: base64urlEncode(new Uint8Array(31)) }, /x is 31 bytes/],
      [{ ...good, d: base64urlEncode(new Uint8Array(33)) }, /d is 33 bytes/],
      [{ ...good, x: good.x.replace(/^./, '+') }, /x: not base64url/],
      [{ ...good, d: base64urlEncode(new Uint8Array(32)) }, /x is not the public key of d/],
      [{ ...good, kid: 7 }, /kid must be a non-empty string/],
      [{ ...good, kid: '' }, /kid must be a non-empty string/],
    ];
    for (const [obj, re] of cases) {
      assert.throws(() => parseJwk(obj, 'f.jwk'), (e: any) => e instanceof CliError && re.test(e.message) && /^f\.jwk/.test(e.message),
        `${JSON.stringify(obj)} should fail with ${re}`);
    }
  });

  it('reads JWK files and names the file in errors', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-keys-'));
    try {
      const jwk = makeJwk(hex(rfc[1].secret_key), 'issuer-x');
      fs.writeFileSync(path.join(dir, 'k.jwk'), JSON.stringify(jwk));
      fs.writeFileSync(path.join(dir, 'p.jwk'), JSON.stringify(publicJwk(jwk)));
      fs.writeFileSync(path.join(dir, 'bad.jwk'), '{"kty":');
      assert.equal(toHex(readJwkFile(path.join(dir, 'k.jwk')).publicKey), rfc[1].public_key);
      assert.equal(readJwkFile(path.join(dir, 'p.jwk')).kid, 'issuer-x');
      assert.throws(() => readPrivateJwkFile(path.join(dir, 'p.jwk')), /public key \(no d\)/);
      assert.throws(() => readJwkFile(path.join(dir, 'bad.jwk')), /bad\.jwk is not valid JSON/);
      assert.throws(() => readJwkFile(path.join(dir, 'missing.jwk')), /cannot read key file .*missing\.jwk: no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publicKeyFromSpki reads the ministry key of the DIVOC samples', () => {
    const idx = readSharedJson('divoc/samples/index.json');
    assert.equal(toHex(publicKeyFromSpki(idx.publicKeySpkiBase64)), idx.publicKeyHex);
    assert.equal(spkiFromPublicKey(hex(idx.publicKeyHex)), idx.publicKeySpkiBase64);
    // the same SPKI as Node's own encoder writes it
    const k = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64urlEncode(hex(idx.publicKeyHex)) }, format: 'jwk' });
    assert.equal(k.export({ type: 'spki', format: 'der' }).toString('base64'), idx.publicKeySpkiBase64);
  });

  it('publicKeyFromSpki rejects other keys and garbage', () => {
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const x25519 = crypto.generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    assert.throws(() => publicKeyFromSpki(ec), /SPKI: \d+ bytes, expected 44/);
    assert.throws(() => publicKeyFromSpki(x25519), /not an Ed25519 SubjectPublicKeyInfo/);
    assert.throws(() => publicKeyFromSpki('not base64!'), /SPKI: not base64/);
    assert.throws(() => publicKeyFromSpki(''), /SPKI: not base64/);
  });

  it('kidBytes is the UTF-8 of the kid, 1..16 bytes', () => {
    assert.equal(toHex(kidBytes('issuer-1')), Buffer.from('issuer-1').toString('hex'));
    assert.equal(kidBytes('é'.repeat(8)).length, 16);
    assert.throws(() => kidBytes('é'.repeat(9)), /18 bytes as UTF-8/);
    assert.throws(() => kidBytes('x'.repeat(17)), /17 bytes/);
    assert.throws(() => kidBytes(''), /0 bytes/);
    assert.equal(kidBytes(makeJwk()).length, 11);
  });
});
