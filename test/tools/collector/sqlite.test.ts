// The collector's SQLite store (tools/collector/sqlite.ts): each (gate, seq) stored once, what it
// holds, and tracing a subject.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { toRanges } from '../../../tools/collector/store';
import { pseudonyms } from '../../../firmware/pseudonym';
import { LogEntry, LogRecord } from '../../../proto/logrecord';
import { utf8Encode } from '../../../proto/bytes';
import { SECRET, T0, tmpdir, scan } from '../../util/collector';

function rec(seq: number, e: LogEntry): LogRecord {
  return {
    seq, time: e.time, kind: e.kind || 'entry', decision: e.decision || 'open', reason: e.reason || 'ok',
    format: e.format || 'qg1', kid: e.kid || new Uint8Array(0), subject: e.subject || new Uint8Array(0),
    cert: e.cert || new Uint8Array(0), clockUntrusted: !!e.clockUntrusted, dropped: e.dropped || 0,
  };
}

describe('collector store (SQLite)', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => { dir = tmpdir(); store = new SqliteStore(path.join(dir, 'c.db')); });
  afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('stores each (gate, seq) once however often it arrives, and says what it holds', async () => {
    const recs = [0, 1, 2, 3].map((s) => rec(s, scan(s, T0 + s * 60)));
    let r = await store.put('g1', recs.slice(0, 3));
    assert.deepEqual([r.held, r.inserted, r.duplicates, r.conflicts], [[0, 1, 2], 3, 0, 0]);
    r = await store.put('g1', [recs[2], recs[3], recs[2]]);
    assert.deepEqual([r.held, r.inserted, r.duplicates, r.conflicts], [[2, 3], 1, 2, 0]);
    // the same seq from another gate is another record
    r = await store.put('g2', [recs[0]]);
    assert.equal(r.inserted, 1);
    // a different record under a held (gate, seq): the first copy stays, counted as a conflict
    r = await store.put('g1', [rec(1, scan(99, T0))]);
    assert.deepEqual([r.held, r.inserted, r.conflicts], [[1], 0, 1]);
    const all: any[] = [];
    for await (const x of store.query({})) all.push([x.gateId, x.seq, Buffer.from(x.subject).toString('hex')]);
    assert.deepEqual(all.map((x) => x.slice(0, 2)), [['g1', 0], ['g1', 1], ['g1', 2], ['g1', 3], ['g2', 0]]);
    assert.equal(all[1][2], Buffer.from(recs[1].subject).toString('hex'));
    const some: number[] = [];
    for await (const x of store.query({ gateId: 'g1', from: T0 + 60, to: T0 + 120 })) some.push(x.seq);
    assert.deepEqual(some, [1, 2]);
    assert.deepEqual(toRanges([5, 1, 2, 3, 9, 10, 3]), [{ first: 1, last: 3 }, { first: 5, last: 5 }, { first: 9, last: 10 }]);
  });

  it('traces a subject: its entries and the other subjects at the same gate within the window', async () => {
    await store.put('g1', [rec(0, scan(1, T0)), rec(1, scan(2, T0 + 10 * 60)), rec(2, scan(3, T0 + 31 * 60)),
      rec(3, scan(1, T0 + 40 * 60)), rec(4, scan(4, T0 + 41 * 60, 'deny', 'expired'))]);
    await store.put('g2', [rec(0, scan(5, T0 + 60)), rec(1, { time: T0, kind: 'dropped', dropped: 3 })]);
    const subject = pseudonyms(SECRET, utf8Encode('person-1'), null).subject;
    const hits = await store.trace(subject, 30 * 60);
    assert.deepEqual(hits.map((h) => [h.entry.seq, h.contacts.map((c) => c.seq)]), [[0, [1]], [3, [1, 2, 4]]]);
  });
});
