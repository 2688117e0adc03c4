// firmware/parse.ts: a scanned text read into the fields the decision needs, the format found by
// its prefix in the registry (proto/formats.ts), each format through its own decoder.
import { strict as assert } from 'assert';
import { frameLimit, FRAME_MAX_WITHOUT_DIVOC, parseScan } from '../../firmware/parse';
import { sha256 } from '../../firmware/crypto/sha256';
import { decodeQg1, QG1_MAX_TEXT } from '../../proto/qg1';
import { sigStructureOf } from '../../proto/cose';
import { decodeDivoc } from '../../proto/divoc/verify';
import { toHex } from '../util/shared';
import { fixtures } from './fixtures';
import { sampleText } from '../util/divoc';

const text = (name: string) => Buffer.from(fixtures.certs[name].text, 'utf8').toString('latin1');

describe('firmware/parse: parseScan', () => {
  it('reads a QG1 text: its claims, what its signature covers, no revocation ids (the cti is the id)', () => {
    const p = parseScan(text('ok'), sha256)!;
    const q = decodeQg1(text('ok').slice(4));
    assert.equal(p.format, 'qg1');
    assert.equal(toHex(p.kid), fixtures.certs.ok.kidHex);
    assert.equal(toHex(p.cti), fixtures.certs.ok.ctiHex);
    assert.deepEqual([p.kind, p.date, p.exp, p.iat], [q.claims.kind, q.claims.date, q.claims.exp, q.claims.iat]);
    assert.equal(toHex(p.message), toHex(sigStructureOf(q.cose)));
    assert.equal(toHex(p.signature), toHex(q.cose.signature));
    assert.equal(p.revocationIds, undefined);
  });

  it('reads a DIVOC text (B64:) through the DIVOC reader', () => {
    const t = sampleText('dose2');
    const p = parseScan(t, sha256)!;
    const d = decodeDivoc(t.slice(4), sha256);
    assert.equal(p.format, 'divoc');
    assert.equal(toHex(p.kid), toHex(d.kid));
    assert.equal(toHex(p.message), toHex(d.signingInput));
    assert.deepEqual(p.revocationIds!.map(toHex), d.revocationIds.map(toHex));
    assert.deepEqual([p.kind, p.dose, p.date], [d.claims.kind, d.claims.dose, d.claims.date]);
  });

  it('returns null for a text of no known format, and throws on a malformed one', () => {
    for (const t of ['', 'HC1:6BFOXN', 'qg1:ABC', 'hello']) assert.equal(parseScan(t, sha256), null, t);
    assert.throws(() => parseScan('QG1:', sha256));
    assert.throws(() => parseScan('B64:!!!!', sha256));
  });

  it('frameLimit: the site\'s scanner.maxLen, except without DIVOC: at most 1,024, above the longest QG1 text (prefix + 768)', () => {
    assert.equal(frameLimit(4096, true), 4096);
    assert.equal(frameLimit(2048, true), 2048);
    assert.equal(frameLimit(4096, false), 1024);
    assert.equal(frameLimit(700, false), 700);
    assert.ok(FRAME_MAX_WITHOUT_DIVOC > 4 + QG1_MAX_TEXT);
    // an oversized QG1 text within the bound still gets its reason; the published DIVOC samples are longer
    assert.throws(() => parseScan('QG1:' + '0'.repeat(QG1_MAX_TEXT + 1), sha256), /too large/);
    for (const f of ['dose1', 'dose2']) assert.ok(sampleText(f).length > frameLimit(4096, false), f);
  });
});
