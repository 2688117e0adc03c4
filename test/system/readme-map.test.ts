// README "Folder map" names every source folder: each top-level folder of the repository and each
// folder inside the source folders (as `a/b/`, or `b/` in its parent's row), so that the map stays
// true as the tree grows (issue 11: "keep the README's folder map true").
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../util/shared';

const SOURCE = ['boards', 'hal', 'proto', 'firmware', 'drivers', 'native', 'sim', 'tools', 'test'];
const SKIP = new Set(['node_modules', 'build', 'dist', 'bin', '.git', '.ci']);

function folderMap(): string {
  const text = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const a = text.indexOf('\n## Folder map');
  assert.ok(a >= 0, 'README has no "## Folder map" section');
  const b = text.indexOf('\n## ', a + 5);
  return text.slice(a, b < 0 ? undefined : b);
}

function dirs(rel: string): string[] {
  return fs.readdirSync(path.join(REPO, rel), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !SKIP.has(d.name))
    .map((d) => d.name).sort();
}

describe('README folder map', () => {
  it('names every top-level folder and every folder inside the source folders', () => {
    const map = folderMap();
    const missing: string[] = [];
    for (const top of dirs('.')) if (map.indexOf('`' + top + '/') < 0) missing.push(top + '/');
    for (const top of SOURCE) {
      if (!fs.existsSync(path.join(REPO, top)) || top === 'test') continue;
      for (const sub of dirs(top)) {
        if (map.indexOf('`' + top + '/' + sub + '/') < 0 && map.indexOf('`' + sub + '/') < 0) missing.push(`${top}/${sub}/`);
      }
    }
    assert.deepEqual(missing, [], `README "Folder map" does not name: ${missing.join(', ')}`);
  });

  it('names only folders that exist', () => {
    const map = folderMap();
    const named = (map.match(/^\| `([a-z0-9_-]+(?:\/[a-z0-9_-]+)*)\/`/gm) || []).map((r) => r.slice(3, -2));
    assert.ok(named.length >= 10, `too few rows read: ${named}`);
    for (const n of named) assert.ok(fs.existsSync(path.join(REPO, n)), `README "Folder map" names ${n}/, which does not exist`);
  });
});
