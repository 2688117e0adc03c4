// Writes the shared test fixtures (test/fixtures/) and the simulator scenarios (test/scenarios/)
// with the host issuing code (tools/issuer/), independent of the device codecs.
//
//   npx tsx tools/make-fixtures.ts [--out DIR]      (DIR defaults to test/; writes DIR/fixtures/*
//                                                    and DIR/scenarios/*)
//
// Deterministic: keys come from fixed seeds, every time and id is fixed, so a rerun writes identical
// bytes (test/tools/fixtures.test.ts checks that the committed files are what this script makes).
// Every entry of certs.json names the decision and reason spec/qg1.md section 4 gives for it at the
// clock 2021-09-27T08:00:00Z with gate.json and trust.bin, unless the entry overrides them.
import * as fs from 'fs';
import * as path from 'path';
import { ROOT as REPO } from './root';
import { generate } from './fixtures';

export function writeAll(dir: string): string[] {
  const files = generate();
  const names = Object.keys(files).sort();
  for (const rel of names) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, files[rel]);
  }
  return names;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  let out = path.join(REPO, 'test');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = path.resolve(args[++i]);
    else { process.stderr.write('usage: make-fixtures [--out DIR]\n'); process.exit(2); }
  }
  const names = writeAll(out);
  process.stdout.write(`wrote ${names.length} files under ${out}\n`);
}
