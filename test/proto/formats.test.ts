// The certificate-format registry (proto/formats.ts): its codes are the wire codes of the entry
// log (proto/log.proto, read here by protobufjs) and of trust bundles (docs/qg1.md section 3), its
// prefixes those the spec gives, and no other device module names a format (issue 11).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as protobuf from 'protobufjs';
import { FORMAT_NAMES, FORMAT_QG1, FORMAT_DIVOC, FORMAT_NONE, FORMAT_PREFIX_LENGTH, formatPrefix, formatOfText } from '../../proto/formats';
import { FORMATS as LOG_FORMATS, encodeLogRecord, decodeLogRecord } from '../../proto/logrecord';
import { QG1_PREFIX } from '../../proto/qg1';

const REPO = path.resolve(__dirname, '../..');

describe('proto/formats: the certificate-format registry', () => {
  it('declares each format\'s code, name and prefix', () => {
    assert.equal(FORMAT_NAMES.length, FORMAT_NONE + 1);
    assert.deepEqual([FORMAT_QG1, FORMAT_NAMES[FORMAT_QG1], formatPrefix(FORMAT_QG1)], [0, 'qg1', 'QG1:']);
    assert.deepEqual([FORMAT_DIVOC, FORMAT_NAMES[FORMAT_DIVOC], formatPrefix(FORMAT_DIVOC)], [1, 'divoc', 'B64:']);
    assert.deepEqual([FORMAT_NONE, FORMAT_NAMES[FORMAT_NONE], formatPrefix(FORMAT_NONE)], [2, '', '']);
    assert.equal(QG1_PREFIX, formatPrefix(FORMAT_QG1));
  });

  it('its codes are the log codes of proto/log.proto (logs already written read the same)', () => {
    const root = protobuf.loadSync(path.join(REPO, 'proto', 'log.proto'));
    const values = root.lookupEnum('Format').values;
    FORMAT_NAMES.forEach((name, code) => assert.equal(values[name.toUpperCase() || 'NONE'], code, name));
    assert.deepEqual(LOG_FORMATS, ['qg1', 'divoc', '']);
    // the codec writes and reads them: DIVOC is field 6 = 1 on the wire, QG1 the default (absent)
    const rec = { time: 1, decision: 'open', reason: 'ok', format: 'divoc' };
    const b = encodeLogRecord(rec, 1);
    assert.ok(Buffer.from(b).includes(Buffer.from([0x30, 0x01])));
    assert.equal(decodeLogRecord(b).format, 'divoc');
    assert.ok(!Buffer.from(encodeLogRecord({ ...rec, format: 'qg1' }, 1)).includes(Buffer.from([0x30])));
  });

  it('tells a scanned text\'s format by its prefix', () => {
    assert.equal(formatOfText('QG1:ABC'), FORMAT_QG1);
    assert.equal(formatOfText('B64:UEsD'), FORMAT_DIVOC);
    for (const t of ['', 'QG1', 'qg1:ABC', 'HC1:6BF', 'B64', ' QG1:']) assert.equal(formatOfText(t), FORMAT_NONE, t);
    // formatOfText's literals and FORMAT_PREFIX_LENGTH agree with formatPrefix()
    for (let code = 0; code < FORMAT_NONE; code++) {
      assert.equal(formatPrefix(code).length, FORMAT_PREFIX_LENGTH, 'prefix length of ' + code);
      assert.equal(formatOfText(formatPrefix(code) + 'x'), code);
      assert.equal(formatOfText(formatPrefix(code)), code);
    }
  });

  it('no other device module names a format (string literals, comments aside)', () => {
    const names = new Set(['qg1', 'divoc', 'QG1:', 'B64:']);
    // A build feature is named like the format it reads ('divoc' in builtFeatures()): not a format.
    // proto/qg1.ts's QG1_PREFIX: a literal (no call at load time), checked equal to the registry's above.
    const allowed = new Set(['proto/formats.ts', 'firmware/build-flags.ts', 'proto/qg1.ts']);
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && !allowed.has(rel)) {
          const sc = ts.createScanner(ts.ScriptTarget.ES5, true, ts.LanguageVariant.Standard, fs.readFileSync(path.join(REPO, rel), 'utf8'));
          for (let k = sc.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = sc.scan()) {
            if ((k === ts.SyntaxKind.StringLiteral || k === ts.SyntaxKind.NoSubstitutionTemplateLiteral) && names.has(sc.getTokenValue())) {
              found.push(`${rel}: '${sc.getTokenValue()}'`);
            }
          }
        }
      }
    };
    for (const d of ['firmware', 'proto', 'drivers', 'hal']) walk(d);
    assert.deepEqual(found, []);
  });
});
