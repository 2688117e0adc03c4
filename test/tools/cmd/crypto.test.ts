// `qrgate crypto verify --batch` (tools/cmd/crypto.ts) run as a process, on the CCTV vectors.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO, readSharedJson } from '../../util/shared';

const BIN = path.join(REPO, 'bin', 'qrgate.js');

function qrgate(args: string[], input: string) {
  const r = spawnSync(process.execPath, [BIN].concat(args), { input, encoding: 'utf8', cwd: REPO, timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crypto/cli: qrgate crypto verify --batch', () => {
  it('answers every CCTV vector with its strict_no_small_order verdict (43 of 914 valid)', () => {
    const f = readSharedJson('vectors/cctv-ed25519/ed25519vectors_expected.json');
    assert.equal(f.vectors.length, 914);
    // Blank lines (and a CRLF line) in between are skipped, not answered.
    const lines = f.vectors.map((v: any, i: number) =>
      JSON.stringify({ pub: v.key, msg: Buffer.from(v.msg, 'latin1').toString('hex'), sig: v.sig }) + (i % 100 === 0 ? '\r\n' : '\n') + (i % 50 === 0 ? '\n' : ''));
    const r = qrgate(['crypto', 'verify', '--batch'], lines.join(''));
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    const out = r.stdout.split('\n');
    assert.equal(out.pop(), '');
    assert.equal(out.length, 914);
    out.forEach((got: string, i: number) => assert.equal(got, f.vectors[i].expected.strict_no_small_order, `vector #${f.vectors[i].number}`));
    assert.equal(out.filter((x: string) => x === 'valid').length, 43);
  });

  it('stops at the first malformed line with a one-line error naming it, exit 2', () => {
    const good = JSON.stringify({ pub: '00', msg: '', sig: '00' });
    for (const [bad, what] of [['{"pub":"00","msg":"","sig":"0g"}', 'not hex'], ['{"pub":"00","msg":""}', 'missing'], ['not json', 'not JSON'], ['[1,2]', 'not a JSON object'], ['{"pub":"0","msg":"","sig":"00"}', 'not hex']]) {
      const r = qrgate(['crypto', 'verify', '--batch'], `${good}\n\n${bad}\n${good}\n`);
      assert.equal(r.status, 2, bad);
      assert.equal(r.stdout, 'invalid\n', bad);
      const err = r.stderr.trim().split('\n');
      assert.equal(err.length, 1, r.stderr);
      assert.match(err[0], /line 3/);
      assert.ok(err[0].includes(what), err[0]);
    }
  });

  it('usage errors exit 2; --help exits 0', () => {
    assert.equal(qrgate(['crypto', 'verify'], '').status, 2);
    assert.equal(qrgate(['crypto', 'sign'], '').status, 2);
    assert.equal(qrgate(['crypto', 'verify', '--batch', '--bogus'], '').status, 2);
    const h = qrgate(['crypto', '--help'], '');
    assert.equal(h.status, 0);
    assert.match(h.stdout, /crypto verify --batch/);
  });

  it('checks one signature given as flags (RFC 8032 TEST 1)', () => {
    const pub = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
    const sig = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
    assert.deepEqual(qrgate(['crypto', 'verify', '--pub', pub, '--msg', '', '--sig', sig], ''), { status: 0, stdout: 'valid\n', stderr: '' });
    assert.deepEqual(qrgate(['crypto', 'verify', '--pub', pub, '--msg', '00', '--sig', sig], ''), { status: 0, stdout: 'invalid\n', stderr: '' });
  });
});
