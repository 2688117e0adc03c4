// DIVOC's context table as data (proto/divoc/table-data.generated.ts, the flash file qg.divoc): the
// committed deflate-raw bytes inflate, with zlib and with proto/inflate.ts (the reference of the
// native inflate that reads them on the board; test/native/inflate.test.ts runs the native one on
// them under qemu-arm), to the data text of the current literal table (tools/build/divoc-data.ts).
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import { DIVOC_DATA_BASE64, DIVOC_DATA_SIZE } from '../../../proto/divoc/table-data.generated';
import { inflateRaw } from '../../../proto/inflate';
import { divocTableText } from '../../../tools/build/divoc-data';
import { divocTableData } from '../../../tools/build/boards';

describe('proto/divoc/table-data.generated: qg.divoc', () => {
  const data = new Uint8Array(Buffer.from(DIVOC_DATA_BASE64, 'base64'));
  it('inflates to the current table\'s data text (else: npx tsx tools/build/divoc-data.ts)', () => {
    const text = divocTableText();
    assert.equal(zlib.inflateRawSync(data).toString('latin1'), text);
    assert.equal(DIVOC_DATA_SIZE, text.length);
  });
  it('proto/inflate.ts inflates it exactly into its size, using every byte; one byte less room is refused', () => {
    const r = inflateRaw(data, DIVOC_DATA_SIZE);
    assert.equal(Buffer.from(r.data).toString('latin1'), divocTableText());
    assert.equal(r.used, data.length);
    assert.throws(() => inflateRaw(data, DIVOC_DATA_SIZE - 1));
  });
  it('is what `qrgate flash` writes (tools/build/boards.ts divocTableData), 1.8 KB for 9 KB of text', () => {
    assert.deepEqual(divocTableData(), data);
    assert.ok(data.length < 2048 && DIVOC_DATA_SIZE > 8000, `${data.length} / ${DIVOC_DATA_SIZE}`);
  });
});
