// The entry log over the console (firmware/logconsole.ts, qgLog("pull"|"ack")): a pull is a Batch
// (proto/log.proto) the collector decodes; an ack drops only records whose seq AND SHA-256 tag of
// the pulled bytes match; a receipt for another gate is refused.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import { logConsole } from '../../firmware/logconsole';
import { Journal } from '../../firmware/journal';
import { FlashImage } from '../../sim/flash';
import { LogEntry, decodeBatch } from '../../proto/logrecord';
import { batchRecordBytes, recordTag } from '../../tools/board/logs';
import { utf8Encode } from '../../proto/bytes';

const T = Date.parse('2021-09-27T08:00:00Z') / 1000;
const sha256 = (d: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(d).digest());

function entry(i: number): LogEntry {
  return {
    time: T + i, decision: i % 2 ? 'deny' : 'open', reason: i % 2 ? 'expired' : 'ok', format: 'qg1',
    kid: utf8Encode('issuer-1'), subject: new Uint8Array(16).fill(i), cert: new Uint8Array(16).fill(i + 1), clockUntrusted: false,
  };
}

function journalWith(n: number): Journal {
  const img = new FlashImage({ size: 64 * 1024, pageSize: 2048 });
  const j = new Journal({ storage: img.storage(), gateId: 'gate-9', segments: 4, segmentSize: 4096 });
  j.open();
  for (let i = 0; i < n; i++) j.append(entry(i));
  return j;
}

/** pull, decoded; with the receipt list (seq, tag, ...) that `qrgate logs` makes of it (tools/board/logs.ts). */
function pull(j: Journal, from: number, max?: number) {
  const r = JSON.parse(logConsole(j, sha256, 'pull', from, max));
  const body = new Uint8Array(Buffer.from(r.hex, 'hex'));
  const batch = r.hex ? decodeBatch(body) : { gateId: '', records: [] };
  const receipt: (number | string)[] = [];
  if (r.hex) for (const rec of batchRecordBytes(body)) receipt.push(rec.seq, recordTag(rec.bytes));
  return { r, batch, receipt };
}

describe('firmware/logconsole', () => {
  it('pulls the unacknowledged records from `from` on, at most `max`, as a Batch', () => {
    const j = journalWith(8);
    const { r, batch } = pull(j, 2, 3);
    assert.equal(r.gateId, 'gate-9');
    assert.deepEqual(r.seqs, [2, 3, 4]);
    assert.equal(batch.gateId, 'gate-9');
    assert.deepEqual(batch.records.map((x) => [x.seq, x.time, x.decision, x.reason]),
      [[2, T + 2, 'open', 'ok'], [3, T + 3, 'deny', 'expired'], [4, T + 4, 'open', 'ok']]);
    assert.deepEqual(pull(j, 0).r.seqs, [0, 1, 2, 3, 4, 5, 6, 7], 'max defaults to 20');
    assert.deepEqual(pull(j, 0, 0).r.seqs.length, 8, 'a max below 1 means the default');
    assert.deepEqual(pull(j, 100).r, { gateId: 'gate-9', hex: '', seqs: [] });
  });

  it('acknowledges the records whose seq and tag match; the journal then drops them', () => {
    const j = journalWith(5);
    const { receipt } = pull(j, 0);
    const res = JSON.parse(logConsole(j, sha256, 'ack', 'gate-9', receipt.slice(0, 6)));
    assert.deepEqual(res, { acked: 3, refused: 0, already: 0 });
    assert.deepEqual(pull(j, 0).r.seqs, [3, 4]);
    const again = JSON.parse(logConsole(j, sha256, 'ack', 'gate-9', receipt.slice(0, 2)));
    assert.deepEqual(again, { acked: 0, refused: 0, already: 1 });
  });

  it('refuses a tag that does not match the stored bytes (a journal made again, another gate\'s records)', () => {
    const j = journalWith(3);
    const { receipt } = pull(j, 0);
    receipt[3] = '0000000000000000';
    const res = JSON.parse(logConsole(j, sha256, 'ack', 'gate-9', receipt));
    assert.deepEqual(res, { acked: 2, refused: 1, already: 0 });
    assert.deepEqual(pull(j, 0).r.seqs, [1]);
  });

  it('throws on a receipt for another gate and on an unknown operation', () => {
    const j = journalWith(2);
    const { receipt } = pull(j, 0);
    assert.throws(() => logConsole(j, sha256, 'ack', 'gate-8', receipt), /receipt for gate gate-8, this is gate-9/);
    assert.deepEqual(pull(j, 0).r.seqs, [0, 1]);
    assert.throws(() => logConsole(j, sha256, 'drop', 0, 0), /unknown operation drop/);
  });
});
