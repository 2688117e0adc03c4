// The compiled context table is current: regenerating it from data/divoc/contexts gives the
// committed proto/divoc/table.generated.ts byte for byte.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { buildDivocTable, TABLE_FILE, IRI_PREFIXES, FRAME_PART_MAX } from '../../../tools/build/divoc-table';
import * as table from '../../../proto/divoc/table.generated';

/** The frame parts as the device reads them (JSON objects: term -> entry, '|' -> '+' where the next part continues). */
function frames(): { [term: string]: string }[] {
  const out: { [term: string]: string }[] = [];
  for (let f = 0; f < table.DIVOC_FRAME_COUNT; f++) out.push(JSON.parse(table.divocFrame(f)));
  return out;
}

describe('divoc context table', () => {
  it('regenerating it gives the committed file', async () => {
    const src = await buildDivocTable();
    assert.equal(fs.readFileSync(TABLE_FILE, 'utf8'), src, 'run: npx tsx tools/build/divoc-table.ts');
  });
  it('covers the certificate terms the samples use', () => {
    const all = frames();
    for (const t of ['credentialSubject', 'evidence', 'issuanceDate', 'certificateId', 'streetAddress2', 'proofPurpose', 'verificationMethod', 'nonTransferable']) {
      assert.ok(all.some((f) => Object.prototype.hasOwnProperty.call(f, t)), t);
    }
    assert.equal(table.divocRoots(false).split('\n').length, 2);
    assert.equal(table.divocRoots(true).split('\n').length, 1);
  });
  it('every part is reachable and well formed', () => {
    const parts = frames();
    parts.forEach((f, p) => {
      const text = table.divocFrame(p);
      assert.ok(text.length <= FRAME_PART_MAX && text === JSON.stringify(f), text);
      const more = f['|'] === '+';
      assert.ok(!more || p + 1 < parts.length);
      const terms = Object.keys(f).filter((t) => t !== '|');
      assert.ok(terms.length > 0);
      for (const t of terms) {
        const e = t + '=' + f[t];
        // printable ASCII without '|' and '=' (the device looks keys up as they are: nquads.ts lookupAll)
        const m = /^([\x21-\x7b\x7d\x7e]+)=([itldrv]) (\S*) (\S*)$/.exec(e);
        assert.ok(m && m[1].indexOf('=') < 0, e);
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
