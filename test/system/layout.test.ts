// The test tree mirrors the source tree (issue 11 item 5, test/README.md): every device module
// (firmware/, drivers/, proto/, hal/) has a test at its mirrored path, and every test file sits at
// the mirrored path of a source file or in a named system-test folder.
//
//   A/B/c.ts  ->  test/A/B/c.test.ts, or test/A/B/c.<aspect>.test.ts (a second file on one aspect)
//
// A test may also mirror a folder (test/native/ed25519.test.ts: the C sources in native/ed25519/).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../util/shared';

/** Folders whose every module must have a test at its mirrored path. */
export const DEVICE_DIRS = ['firmware', 'drivers', 'proto', 'hal'];

/** Test folders about the whole system rather than one file (test/README.md says what goes where). */
export const SYSTEM_DIRS = ['test/system', 'test/real'];

/** Test-side folders that are not tests of a source file (helpers, data), never holding *.test.ts
 * except tests of the helpers themselves (test/fakes/hal.test.ts tests test/fakes/hal.ts). */
export const HELPER_DIRS = ['test/util', 'test/fakes', 'test/fixtures', 'test/scenarios', 'test/scenarios-uplink'];

/**
 * Device modules with no test file of their own, and why. Keep it short: a module whose test
 * arrives leaves the list (the check fails on an entry that is no longer needed).
 */
export const NO_TEST_NEEDED: { [module: string]: string } = {
  'hal/types.ts': 'interfaces only (no code)',
  'drivers/index.ts': 're-exports only',
  'firmware/version.ts': 'one constant (the version string)',
  'firmware/main.ts': 'the board wiring (entry point of dist/gate*.js): run by test/system/scenarios.test.ts, test/tools/build/bundle.test.ts and the real-interpreter tests',
  'firmware/bench-entry.ts': 'entry point of dist/bench-espruino.js (make bench)',
  'firmware/bench-decide-entry.ts': 'entry point of the decision benchmark bundle (make bench)',
  'firmware/conformance-entry.ts': 'entry point of the bundle test/real/conformance.test.ts runs on the interpreter',
  // Being reworked in issue 11 by other helpers, whose tests come with the work (the lead removes
  // these entries when merging):
  'proto/trustbundle/cborhead.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'proto/trustbundle/decode.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'proto/trustbundle/keyentry.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'proto/trustbundle/keyindex.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'proto/trustbundle/revocation.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'proto/trustbundle/scan.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'proto/trustbundle/types.ts': 'a part of the trust-bundle decoder, tested through its entry point (test/proto/trustbundle/index.test.ts)',
  'firmware/boards.ts': 'boardProfile() over boards/index.ts: tested by test/boards/index.test.ts',
  'firmware/uplink/lora.ts': 'wires drivers/rn2483 + drivers/uplink-lora (tested there); its start and its fault in test/firmware/uplink/index.test.ts; run by test/system/uplink-scenarios.test.ts',
};

function walk(dir: string, keep: (rel: string) => boolean, out: string[] = []): string[] {
  const abs = path.join(REPO, dir);
  if (!fs.existsSync(abs)) return out;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = dir + '/' + e.name;
    if (e.isDirectory()) walk(rel, keep, out);
    else if (keep(rel)) out.push(rel);
  }
  return out;
}

/** The source a test file mirrors, first found of: A/B/c.d (c.d.ts, c.d.js or folder c.d/), then
 * A/B/c (when .d is an aspect), for test/A/B/c.d.test.ts. */
export function sourceOf(testFile: string, exists: (rel: string) => boolean): string | null {
  const m = /^test\/(.+)\.test\.ts$/.exec(testFile);
  if (!m) return null;
  const stems = [m[1]];
  const aspect = /^(.*[^/])\.[a-z0-9-]+$/.exec(m[1]);
  if (aspect) stems.push(aspect[1]);
  for (const stem of stems) {
    for (const cand of [stem + '.ts', stem + '.js', stem + '/']) if (exists(cand)) return cand;
  }
  return null;
}

/** The test files that would mirror `module` (A/B/c.ts): c.test.ts or c.<aspect>.test.ts. */
export function testsOf(module: string, testFiles: string[]): string[] {
  const base = 'test/' + module.replace(/\.ts$/, '');
  return testFiles.filter((t) => t === base + '.test.ts' || (t.startsWith(base + '.') && /^\.[a-z0-9-]+\.test\.ts$/.test(t.slice(base.length))));
}

const exists = (rel: string) => {
  const abs = path.join(REPO, rel);
  return rel.endsWith('/') ? fs.existsSync(abs) && fs.statSync(abs).isDirectory() : fs.existsSync(abs) && fs.statSync(abs).isFile();
};

describe('layout: the test tree mirrors the source tree (test/README.md)', () => {
  const testFiles = walk('test', (f) => f.endsWith('.test.ts')).sort();
  const modules = ([] as string[]).concat(...DEVICE_DIRS.map((d) => walk(d, (f) => f.endsWith('.ts') && !f.endsWith('.d.ts')))).sort();

  it('finds the modules and the tests', () => {
    assert.ok(modules.includes('firmware/decide.ts') && modules.includes('proto/cbor.ts'), modules.join(' '));
    assert.ok(testFiles.includes('test/firmware/decide.test.ts') && testFiles.includes('test/system/layout.test.ts'));
  });

  it('every module of firmware/, drivers/, proto/, hal/ has a test at its mirrored path', () => {
    const missing = modules.filter((m) => !NO_TEST_NEEDED[m] && testsOf(m, testFiles).length === 0);
    assert.deepEqual(missing, [], 'modules with no test at test/<path>.test.ts (or test/<path>.<aspect>.test.ts); ' +
      'add one, or list the module in NO_TEST_NEEDED (test/system/layout.test.ts) with the reason:\n' +
      missing.map((m) => `  ${m} -> test/${m.replace(/\.ts$/, '.test.ts')}`).join('\n'));
  });

  it('the allowlist names only modules that exist and have no test', () => {
    const stale = Object.keys(NO_TEST_NEEDED).filter((m) => !modules.includes(m) || testsOf(m, testFiles).length > 0)
      .map((m) => `  ${m}: ${!modules.includes(m) ? 'no such module' : 'has ' + testsOf(m, testFiles).join(', ')}`);
    assert.deepEqual(stale, [], 'remove these entries from NO_TEST_NEEDED (test/system/layout.test.ts):\n' + stale.join('\n'));
  });

  it('every test file mirrors a source file (or folder) or sits in a system-test folder', () => {
    const misplaced = testFiles.filter((t) => {
      if (SYSTEM_DIRS.some((d) => t.startsWith(d + '/'))) return false;
      // A test of a test helper sits beside it (test/fakes/hal.test.ts tests test/fakes/hal.ts).
      if (HELPER_DIRS.some((d) => t.startsWith(d + '/'))) return !exists(t.replace(/\.test\.ts$/, '.ts'));
      return sourceOf(t, exists) === null;
    });
    assert.deepEqual(misplaced, [], 'test files that mirror no source file (test/A/B/c.test.ts tests A/B/c.ts, ' +
      'c.<aspect>.test.ts one aspect of it) and are not in ' + SYSTEM_DIRS.join(' or ') + ':\n' +
      misplaced.map((t) => '  ' + t).join('\n'));
  });

  it('names a test\'s source by the rule', () => {
    const has = (s: string[]) => (rel: string) => s.includes(rel);
    assert.equal(sourceOf('test/firmware/decide.test.ts', has(['firmware/decide.ts'])), 'firmware/decide.ts');
    assert.equal(sourceOf('test/firmware/decide.limits.test.ts', has(['firmware/decide.ts'])), 'firmware/decide.ts');
    assert.equal(sourceOf('test/proto/divoc/table.generated.test.ts', has(['proto/divoc/table.generated.ts'])), 'proto/divoc/table.generated.ts');
    assert.equal(sourceOf('test/tools/build/bundle.lazy.test.ts', has(['tools/build/bundle.js'])), 'tools/build/bundle.js');
    assert.equal(sourceOf('test/native/ed25519.test.ts', has(['native/ed25519/'])), 'native/ed25519/');
    assert.equal(sourceOf('test/firmware/decide.test.ts', has(['firmware/decider.ts', 'test/decide.ts'])), null);
    assert.equal(sourceOf('test/board/flash.test.ts', has(['tools/board/flasher.ts'])), null);
    assert.deepEqual(testsOf('firmware/decide.ts', ['test/firmware/decide.test.ts', 'test/firmware/decide.limits.test.ts',
      'test/firmware/decider.test.ts', 'test/firmware/decide/x.test.ts', 'test/decide.test.ts']),
    ['test/firmware/decide.test.ts', 'test/firmware/decide.limits.test.ts']);
  });
});
