// The entry log (firmware/entrylog.ts, spec/qg1.md section 7): each decision becomes one journal
// record holding only pseudonyms of sub and cti (HMAC-SHA-256 under site.secret, 16 bytes), checked
// against Node's HMAC; a full Storage throws and is counted.
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import { EntryLog } from '../../firmware/entrylog';
import { Decision } from '../../firmware/decide';
import { Journal } from '../../firmware/journal';
import { FlashImage } from '../../sim/flash';
import { utf8Encode } from '../../proto/bytes';

const SECRET = new Uint8Array(Buffer.from('8f3a0c1d2e4b5a69788796a5b4c3d2e1', 'hex'));
const T = Date.parse('2021-09-27T08:00:00Z') / 1000;
const nodePseudonym = (x: string) => Array.from(crypto.createHmac('sha256', SECRET).update(x).digest().subarray(0, 16));

function decision(over: Partial<Decision> = {}): Decision {
  return {
    decision: 'open', reason: 'ok', format: 'qg1', kid: utf8Encode('issuer-1'),
    cti: utf8Encode('cert-0042'), sub: utf8Encode('person-07'), detail: 'Name Surname must never be logged',
    key: null, cached: false, revoked: false, ...over,
  };
}

function journal(size = 64 * 1024, segmentSize = 1024): Journal {
  const img = new FlashImage({ size, pageSize: 2048 });
  const j = new Journal({ storage: img.storage(), gateId: 'gate-1', segments: 4, segmentSize });
  j.open();
  return j;
}

describe('firmware/entrylog', () => {
  it('records the decision with the pseudonyms of sub and cti, never the detail', () => {
    const j = journal();
    const log = new EntryLog(j, SECRET);
    assert.equal(log.record(decision(), T, true), 0);
    assert.equal(log.record(decision({ decision: 'deny', reason: 'expired' }), T + 5, true), 1);
    const [r0, r1] = j.pending(10);
    assert.equal(r0.time, T);
    assert.equal(r0.decision, 'open');
    assert.equal(r0.reason, 'ok');
    assert.equal(r0.format, 'qg1');
    assert.equal(Buffer.from(r0.kid).toString(), 'issuer-1');
    assert.deepEqual(Array.from(r0.subject), nodePseudonym('person-07'));
    assert.deepEqual(Array.from(r0.cert), nodePseudonym('cert-0042'));
    assert.equal(r0.clockUntrusted, false);
    assert.equal(r1.seq, 1);
    assert.equal(r1.reason, 'expired');
    const stored = Buffer.concat(j.pending(10).map((r) => Buffer.from(JSON.stringify(r))));
    assert.ok(!stored.includes('person-07') && !stored.includes('cert-0042') && !stored.includes('Surname'));
  });

  it('uses the injected HMAC (e.g. over a native SHA-256)', () => {
    const j = journal();
    const calls: string[] = [];
    const hmac = (k: Uint8Array, d: Uint8Array) => {
      calls.push(Buffer.from(d).toString());
      return new Uint8Array(crypto.createHmac('sha256', k).update(d).digest());
    };
    new EntryLog(j, SECRET, hmac).record(decision(), T, true);
    assert.deepEqual(calls.sort(), ['cert-0042', 'person-07']);
    assert.deepEqual(Array.from(j.pending(1)[0].subject), nodePseudonym('person-07'));
  });

  it('keeps empty pseudonyms when sub or cti could not be read, time 0 when the clock is unset', () => {
    const j = journal();
    new EntryLog(j, SECRET).record(decision({ decision: 'deny', reason: 'malformed', format: '', kid: null, sub: null, cti: null }), -1, false);
    const r = j.pending(1)[0];
    assert.equal(r.time, 0);
    assert.equal(r.clockUntrusted, true);
    assert.equal(r.subject.length, 0);
    assert.equal(r.cert.length, 0);
    assert.equal(r.kid.length, 0);
  });

  it('throws "storage full" when the journal has no room, and the journal counts the entry', () => {
    const j = journal(4096, 2048);
    const log = new EntryLog(j, SECRET);
    let n = 0, err: Error | null = null;
    for (; n < 500 && !err; n++) {
      try { log.record(decision(), T + n, true); } catch (e) { err = e as Error; }
    }
    assert.ok(err, 'the journal filled up');
    assert.match(err!.message, /storage full: entry not logged \(1 since boot\)/);
    assert.equal(j.unlogged, 1);
    assert.throws(() => log.record(decision(), T + n, true), /\(2 since boot\)/);
  });
});
