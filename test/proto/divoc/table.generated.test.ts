// The compiled context table is current: regenerating it from data/divoc/contexts gives the
// committed proto/divoc/table.generated.ts byte for byte.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { buildDivocTable, TABLE_FILE, IRI_PREFIXES, FRAME_PART_MAX } from '../../../tools/build/divoc-table';
import * as table from '../../../proto/divoc/table.generated';

function frames(): string[] {
  const out: string[] = [];
  for (let f = 0; f < table.DIVOC_FRAME_COUNT; f++) out.push(table.divocFrame(f));
  return out;
}

describe('divoc context table', () => {
  it('regenerating it gives the committed file', async () => {
    const src = await buildDivocTable();
    assert.equal(fs.readFileSync(TABLE_FILE, 'utf8'), src, 'run: npx tsx tools/build/divoc-table.ts');
  });
  it('covers the certificate terms the samples use', () => {
    const all = frames().join('');
    for (const t of ['credentialSubject', 'evidence', 'issuanceDate', 'certificateId', 'streetAddress2', 'proofPurpose', 'verificationMethod', 'nonTransferable']) {
      assert.ok(all.includes('|' + t + '='), t);
    }
    assert.equal(table.divocRoots(false).split('\n').length, 2);
    assert.equal(table.divocRoots(true).split('\n').length, 1);
  });
  it('every part is reachable and well formed', () => {
    const parts = frames();
    parts.forEach((f, p) => {
      assert.ok(f.length > 0 && f.length <= FRAME_PART_MAX && f.charAt(0) === '|');
      const more = f.endsWith('|+');
      if (more) f = f.substring(0, f.length - 2);
      assert.ok(!more || p + 1 < parts.length);
      for (const e of f.substring(1).split('|')) {
        const m = /^([\x21-\x7e]+)=([itldrv]) (\S*) (\S*)$/.exec(e);
        assert.ok(m, e);
        assert.equal(m[3] === '', m[2] === 'i' || m[2] === 't', e); // a predicate IRI unless an alias
        if (m[2] === 'v' && m[4] !== '') assert.ok(+m[4] < table.DIVOC_FRAME_COUNT, e);
      }
    });
    assert.equal(table.divocFrame(table.DIVOC_FRAME_COUNT), '');
    for (let s = 0; s < table.DIVOC_SLOT_COUNT; s++) {
      const lines = table.divocSlot(s).split('\n');
      assert.ok(lines.length >= 2, String(s));
      for (const l of lines.slice(1)) assert.ok(+l.split('\t')[1] < table.DIVOC_FRAME_COUNT, l);
    }
    assert.equal(table.divocSlot(table.DIVOC_SLOT_COUNT), '');
    for (let c = 1; c <= IRI_PREFIXES.length; c++) assert.equal(table.divocIriPrefix(c), IRI_PREFIXES[c - 1]);
    assert.equal(table.divocIriPrefix(0), '');
  });
});
