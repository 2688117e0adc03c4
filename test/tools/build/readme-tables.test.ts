// tools/build/readme-tables.ts: README.md's board tables are what the board files (boards/*.ts)
// and the built bundles make; `make readme-tables` rewrites them. Needs make build-device.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { BOARD_FILES } from '../../../boards/index';
import { Board } from '../../../boards/types';
import { README, readmeTables, withTables } from '../../../tools/build/readme-tables';

describe('tools/build/readme-tables: README.md\'s board tables', function () {
  this.timeout(60000);
  const text = fs.readFileSync(README, 'utf8');

  it('README.md holds the tables the board files make (else: make readme-tables)', () => {
    const want = withTables(text, readmeTables());
    if (want !== text) {
      const a = text.split('\n');
      const b = want.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      assert.fail(`README.md differs from the board files at line ${i + 1}:\n  README: ${a[i]}\n  boards: ${b[i]}\nrun make readme-tables`);
    }
  });

  it('a changed board fact makes the README differ (the check can fail)', () => {
    const boards: Board[] = JSON.parse(JSON.stringify(BOARD_FILES));
    boards[0].pins.relay = 'H9';
    const sizes = (name: string) => fs.readFileSync(require('../../../tools/build/boards').bundlePath(name), 'latin1'); // the bundle's text (the layout cuts it between statements)
    assert.equal(withTables(text, readmeTables(BOARD_FILES, sizes)), text);
    assert.notEqual(withTables(text, readmeTables(boards, sizes)), text);
  });

  it('a README without a table\'s markers is refused', () => {
    assert.throws(() => withTables(text.replace('<!-- readme-tables:pins -->', ''), readmeTables()), /readme-tables:pins/);
  });
});
