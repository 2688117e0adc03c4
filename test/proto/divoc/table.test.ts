// DIVOC's context table as proto/divoc/nquads.ts reads it (proto/divoc/table.ts): the literals of
// table.generated.ts (the reference), or the data text of qg.divoc (firmware/build-flags.ts
// QG_DIVOC_DATA, the WiFi's firmware). The data gives every string the literals give, out-of-range
// indexes included; the data text is loaded once, when first needed, and let go after.
import { strict as assert } from 'assert';
import * as esbuild from 'esbuild';
import * as path from 'path';
import * as zlib from 'zlib';
import * as lit from '../../../proto/divoc/table.generated';
import * as table from '../../../proto/divoc/table';
import { DIVOC_DATA_BASE64 } from '../../../proto/divoc/table-data.generated';
import { divocTableText } from '../../../tools/build/divoc-data';

/** proto/divoc/table.ts bundled with QG_DIVOC_DATA true (as the WiFi's firmware is built): its exports. */
function dataBuild(): any {
  const r = esbuild.buildSync({
    entryPoints: [path.join(__dirname, '..', '..', '..', 'proto', 'divoc', 'table.ts')],
    bundle: true, write: false, format: 'cjs', platform: 'neutral', define: { __QG_DIVOC_DATA__: 'true' }, logLevel: 'silent',
  });
  const mod = { exports: {} as any };
  new Function('module', 'exports', r.outputFiles[0].text)(mod, mod.exports);
  return mod.exports;
}

const committedText = () => zlib.inflateRawSync(Buffer.from(DIVOC_DATA_BASE64, 'base64')).toString('latin1');

describe('proto/divoc/table: the context table, literals or data', () => {
  afterEach(() => table.useDivocTable(null));

  it('without QG_DIVOC_DATA (Node, the universal bundle, the Pico): the literals', () => {
    assert.equal(table.divocFrame(3), lit.divocFrame(3));
    assert.equal(table.divocReserved(), lit.DIVOC_RESERVED);
  });

  it('with QG_DIVOC_DATA: the data text of qg.divoc gives every string of the literals (frames, slots, roots, prefixes, reserved terms)', () => {
    const t = dataBuild();
    let loads = 0;
    t.useDivocTable(() => { loads++; return committedText(); });
    for (let p = -1; p <= lit.DIVOC_FRAME_COUNT + 2; p++) assert.equal(t.divocFrame(p), lit.divocFrame(p), `frame ${p}`);
    for (let s = -1; s <= lit.DIVOC_SLOT_COUNT + 2; s++) assert.equal(t.divocSlot(s), lit.divocSlot(s), `slot ${s}`);
    for (let c = 0; c <= 10; c++) assert.equal(t.divocIriPrefix(c), lit.divocIriPrefix(c), `prefix ${c}`);
    assert.equal(t.divocRoots(false), lit.divocRoots(false));
    assert.equal(t.divocRoots(true), lit.divocRoots(true));
    assert.equal(t.divocReserved(), lit.DIVOC_RESERVED);
    assert.equal(loads, 1, 'the data text is loaded once, when first needed');
    // repeated strings are references to their first entry ("\x01k"), resolved
    assert.ok(committedText().indexOf('\x01') > 0);
  });

  it('with QG_DIVOC_DATA: nothing before a load is set, and useDivocTable(null) lets the text go', () => {
    const t = dataBuild();
    assert.throws(() => t.divocFrame(0), /no context table/);
    t.useDivocTable(() => committedText());
    assert.equal(t.divocFrame(0), lit.divocFrame(0));
    t.useDivocTable(null);
    assert.throws(() => t.divocSlot(0), /no context table/);
    // a damaged text gives other strings (qg.divoc's SHA-256 is checked before: firmware/divoc-read.ts)
    t.useDivocTable(() => divocTableText().replace('credentialSubject', 'credentialSubjekt'));
    assert.notEqual(Array.from({ length: lit.DIVOC_FRAME_COUNT }, (_, p) => t.divocFrame(p)).join(''),
      Array.from({ length: lit.DIVOC_FRAME_COUNT }, (_, p) => lit.divocFrame(p)).join(''));
  });
});
