// The native Ed25519 verifier's differential fuzz (test/native/ed25519-cases.ts; make fuzz runs
// 100,000+ cases with test/native/ed25519-fuzz.ts), a quick run of it: the committed code under
// qemu-arm agrees with the TypeScript reference, the ESP32's table verifier and the independent
// oracle on every published vector and on seeded random and mutated cases of every kind; and the
// fuzz can fail: builds of the verifier with a strict check taken out (a changed copy of
// native/ed25519 built with tools/native/flat.sh's steps) are caught, by the run and by the
// script's exit code.
// Needs gcc-arm-none-eabi and qemu-user (skipped with a message when missing outside CI).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO } from '../util/shared';
import { requireTools } from './qemu';
import { fuzzEd25519, vectorCases, RANDOM_KINDS } from './ed25519-cases';

const SEED = Number(process.env.FUZZ_SEED) || 2026;

/** Builds the verifier from a copy of native/ed25519 whose qg_verify.c has `drop` removed. */
function mutant(dir: string, drop: string): string {
  const src = path.join(dir, 'src'), out = path.join(dir, 'out');
  fs.mkdirSync(src, { recursive: true });
  for (const f of fs.readdirSync(path.join(REPO, 'native', 'ed25519'))) fs.copyFileSync(path.join(REPO, 'native', 'ed25519', f), path.join(src, f));
  const file = path.join(src, 'qg_verify.c');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(drop), `qg_verify.c no longer has ${JSON.stringify(drop)}`);
  fs.writeFileSync(file, text.replace(drop, '/* mutant: check removed */'));
  // tools/native/build.sh's compile and link steps (tools/native/flat.sh) on the changed copy.
  const script = 'set -euo pipefail; . "$1/tools/native/flat.sh" "$3"; mkdir -p "$OUT/obj"; ' +
    'for c in "$2"/*.c; do (cd "$OUT/obj" && "$CC" "${FLAT_CFLAGS[@]}" -c "$c" -o "$(basename "$c" .c).o"); done; ' +
    'flat_link "$OUT/obj" "$2/flat.ld" "$OUT" qg_verify';
  const r = spawnSync('bash', ['-c', script, 'mutant', REPO, src, out], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mutant build failed: ${r.stdout}${r.stderr}`);
  return path.join(out, 'qg_verify.bin');
}

describe('native ed25519 (qemu-arm) differential fuzz, quick run', function () {
  this.timeout(120000);
  let tmp = '';
  before(function () {
    requireTools(this);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-ed-mutant-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('every published vector: native == TypeScript == tables == oracle (whose equation is cross-checked with @noble/curves) == the file', async () => {
    const n = vectorCases().length;
    const r = await fuzzEd25519({ count: n, seed: SEED, vectors: true });
    assert.deepEqual(r.disagreements, []);
    assert.equal(r.tally['vector:cctv'].valid, 43);
    assert.equal(r.tally['vector:rfc8032'].valid, 5);
    assert.equal(r.tally['vector:speccheck'].valid, 1);
    assert.deepEqual([r.tally['vector:cose'].n, r.tally['vector:cose'].valid], [5, 5]);
  });

  it(`600 random and mutated cases (seed ${SEED}): all agree, every kind made, valid and invalid seen`, async () => {
    const r = await fuzzEd25519({ count: 600, seed: SEED });
    assert.deepEqual(r.disagreements, []);
    assert.equal(r.done, 600);
    assert.deepEqual(RANDOM_KINDS.filter((k) => !r.tally[k]), [], 'kinds never made');
    assert.ok(r.tally.valid.valid === r.tally.valid.n && r.tally.valid.n > 50);
    assert.equal(r.tally['S+L'].valid, 0);
    assert.ok(r.stack > 1000 && r.stack <= 3072, `stack ${r.stack}`);
  });

  it('a build without the S < L check is caught (S + L cases), and the script exits 1 listing them', async () => {
    const bin = mutant(path.join(tmp, 's'), 'if (!sc_is_canonical(S)) return 0;');
    const r = await fuzzEd25519({ count: 300, seed: SEED, bin });
    assert.ok(r.disagreements.length > 0);
    assert.ok(r.disagreements.some((d) => /\(S\+L\): native true, ref false, tables false, oracle false, expected false/.test(d)), r.disagreements.join('\n'));
    const cli = spawnSync(path.join(REPO, 'node_modules', '.bin', 'tsx'), [path.join(REPO, 'test', 'native', 'ed25519-fuzz.ts'), '--count', '50', '--seed', String(SEED), '--bin', bin], { encoding: 'utf8' });
    assert.equal(cli.status, 1, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /DISAGREEMENT seed \d+ batch 0 case \d+ \(vector:rfc8032\): native true/);
    assert.match(cli.stdout, /50 cases .* DISAGREEMENTS/);
  });

  it('a build without the small-order checks is caught (R = identity, A of small order, the equation holding)', async () => {
    const bin = mutant(path.join(tmp, 'r'), 'if (is_small_order(pub32) || is_small_order(R)) return 0;');
    const r = await fuzzEd25519({ count: 300, seed: SEED, bin });
    assert.ok(r.disagreements.some((d) => /\(R-identity-equation\): native true/.test(d)), r.disagreements.join('\n'));
    assert.ok(r.disagreements.some((d) => /\(A-small-order-equation\): native true/.test(d)), r.disagreements.join('\n'));
  });
});
