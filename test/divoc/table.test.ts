// The compiled context table is current: regenerating it from ../shared/divoc/contexts gives the
// committed proto/divoc/table.generated.ts byte for byte.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { buildDivocTable, TABLE_FILE } from '../../tools/build/divoc-table';
import * as table from '../../proto/divoc/table.generated';

describe('divoc context table', () => {
  it('regenerating it gives the committed file', async () => {
    const src = await buildDivocTable();
    assert.equal(fs.readFileSync(TABLE_FILE, 'utf8'), src, 'run: npx tsx tools/build/divoc-table.ts');
  });
  it('covers the certificate terms the samples use', () => {
    const all = table.divocTable().frames.join('');
    for (const t of ['credentialSubject', 'evidence', 'issuanceDate', 'certificateId', 'streetAddress2', 'proofPurpose', 'verificationMethod', 'nonTransferable']) {
      assert.ok(all.includes('|' + t + '='), t);
    }
    assert.equal(table.divocTable().docRoots.length, 2);
    assert.equal(table.divocTable(), table.divocTable(), 'built once');
  });
});
