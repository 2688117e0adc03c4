// The compact LoRaWAN framing (proto/lorawire.ts, the device's encoder) against the collector's own
// decoder (tools/collector/lorawire.ts), and the sizes that decide records per uplink.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { LoraFrameWriter, kidTag, decodeLoraAck, encodeLoraAck, ackSealOk } from '../../proto/lorawire';
import * as crypto from 'crypto';
import { decodeLoraFrameHost, encodeLoraAckHost, encodeLoraAnswerHost, kidTagHost, LoraDevices, LoraFrameError } from '../../tools/collector/lorawire';
import { DECISIONS, REASONS, FORMATS, ALARMS, LogRecord } from '../../proto/logrecord';
import { EU868_MAX_PAYLOAD } from '../../drivers/rn2483';
import { toRanges } from '../../tools/collector/store';
import { T0, EMPTY, entry } from '../util/logrecords';

const RUNS = Number(process.env.FUZZ_RUNS || 200);

/** What the host decodes for r (its kid as a tag). */
function asDecoded(r: LogRecord): any {
  const { kid, ...rest } = r;
  return { ...rest, kidTag: kid.length ? kidTagHost(kid) : null };
}

function frameOf(recs: LogRecord[], max = 222, defs?: (w: LoraFrameWriter) => void): Uint8Array {
  const w = new LoraFrameWriter(max);
  if (defs) defs(w);
  for (const r of recs) assert.ok(w.addRecord(r), `record ${r.seq} fits`);
  return w.finish();
}

const arbRecord: fc.Arbitrary<LogRecord> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }), time: fc.integer({ min: 0, max: 2 ** 32 - 1 }), kind: fc.constant('entry'),
    decision: fc.constantFrom(...DECISIONS), reason: fc.constantFrom(...REASONS), format: fc.constantFrom(...FORMATS),
    kid: fc.uint8Array({ minLength: 0, maxLength: 40 }),
    subject: fc.oneof(fc.constant(EMPTY), fc.uint8Array({ minLength: 16, maxLength: 16 })),
    cert: fc.oneof(fc.constant(EMPTY), fc.uint8Array({ minLength: 16, maxLength: 16 })),
    clockUntrusted: fc.boolean(), dropped: fc.constant(0),
  }).chain((r) => fc.oneof(fc.constant(r), fc.integer({ min: 1, max: 2 ** 32 - 1 }).map((occupancy) => ({ ...r, occupancy }) as LogRecord))) },
  // issue 14: a person left, with the count after it
  { weight: 1, arbitrary: fc.record({
    seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }), time: fc.integer({ min: 0, max: 2 ** 32 - 1 }), kind: fc.constant('exit'),
    decision: fc.constant('open'), reason: fc.constant('ok'), format: fc.constant('qg1'), kid: fc.constant(EMPTY),
    subject: fc.constant(EMPTY), cert: fc.constant(EMPTY), clockUntrusted: fc.boolean(), dropped: fc.constant(0),
    occupancy: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  }) },
  { weight: 1, arbitrary: fc.record({
    seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }), time: fc.integer({ min: 0, max: 2 ** 32 - 1 }), kind: fc.constant('dropped'),
    decision: fc.constant('open'), reason: fc.constant('ok'), format: fc.constant('qg1'), kid: fc.constant(EMPTY),
    subject: fc.constant(EMPTY), cert: fc.constant(EMPTY), clockUntrusted: fc.boolean(), dropped: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  }).chain((r) => fc.oneof(fc.constant(r as LogRecord), fc.integer({ min: 1, max: 2 ** 32 - 1 }).map((unlogged) => ({ ...r, unlogged }) as LogRecord))) },
  // the door's alarms (issue 14)
  { weight: 1, arbitrary: fc.record({
    seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }), time: fc.integer({ min: 0, max: 2 ** 32 - 1 }), kind: fc.constant('alarm'),
    decision: fc.constant('open'), reason: fc.constant('ok'), format: fc.constant('qg1'), kid: fc.constant(EMPTY),
    subject: fc.constant(EMPTY), cert: fc.constant(EMPTY), clockUntrusted: fc.boolean(), dropped: fc.constant(0),
    alarm: fc.constantFrom(...ALARMS.slice(1)),
  }) },
);

describe('lorawire: the device encoder against the collector decoder', () => {
  it('kid tags agree (FNV-1a-32) on both sides', () => {
    assert.equal(kidTag(new Uint8Array(0)), 0x811c9dc5);
    assert.equal(kidTag(new Uint8Array(Buffer.from('a'))), 0xe40c292c); // published FNV-1a test vector
    assert.equal(kidTag(new Uint8Array(Buffer.from('foobar'))), 0xbf9cf968);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (k) => kidTag(k) === kidTagHost(k)), { numRuns: RUNS });
  });

  it('any sorted run of records round-trips (property)', () => {
    fc.assert(fc.property(fc.array(arbRecord, { minLength: 1, maxLength: 6 }), (arr) => {
      const seen = new Set<number>();
      const recs = arr.filter((r) => !seen.has(r.seq) && seen.add(r.seq)).sort((a, b) => a.seq - b.seq);
      const w = new LoraFrameWriter(1024);
      for (const r of recs) {
        const before = w.len, size = w.recordSize(r);
        assert.ok(w.addRecord(r));
        assert.equal(w.len - before, size, 'recordSize is exact');
      }
      const f = decodeLoraFrameHost(w.finish());
      assert.deepEqual(f.defs, []);
      assert.deepEqual(f.records, recs.map(asDecoded));
    }), { numRuns: RUNS });
  });

  it('typical sizes: 44 bytes first in a frame, 40..42 after; DR0 carries 1, DR3 2, DR5 5', () => {
    const w = new LoraFrameWriter(1024);
    assert.equal(w.recordSize(entry(1000, T0)), 44);
    w.addRecord(entry(1000, T0));
    assert.equal(w.recordSize(entry(1001, T0 + 60)), 40); // a minute later
    assert.equal(w.recordSize(entry(1001, T0 + 3600)), 41); // an hour later
    assert.equal(w.recordSize(entry(1001, T0 + 86400)), 42); // a day later
    const perFrame = (dr: number) => {
      const f = new LoraFrameWriter(EU868_MAX_PAYLOAD[dr]);
      let n = 0;
      while (f.addRecord(entry(5000 + n, T0 + 60 * n))) n++;
      return n;
    };
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(perFrame), [1, 1, 1, 2, 5, 5]);
  });

  it('an alarm record: 7 bytes first in a frame (seq < 128), and the collector reads it back', () => {
    const rec: LogRecord = { ...entry(5, T0), kind: 'alarm', alarm: 'forced', decision: 'open', reason: 'ok', format: 'qg1', kid: EMPTY, subject: EMPTY, cert: EMPTY };
    const w = new LoraFrameWriter(51);
    assert.equal(w.recordSize(rec), 1 + 4 + 1 + 1);
    assert.ok(w.addRecord(rec));
    assert.deepEqual(decodeLoraFrameHost(w.finish()).records, [asDecoded(rec)]);
    assert.throws(() => new LoraFrameWriter(51).addRecord({ ...rec, alarm: 'fire' }), /unknown alarm/);
    assert.throws(() => decodeLoraFrameHost(new Uint8Array([0x40, 5, 0, 0, 0, 0, 0xd0, 9])), /unknown alarm/);
  });

  it('refuses what it cannot encode, and what does not fit changes nothing', () => {
    const w = new LoraFrameWriter(51);
    assert.throws(() => w.addRecord(entry(1, T0, { subject: new Uint8Array(8) })), /subject/);
    assert.throws(() => w.addRecord(entry(1, T0, { reason: 'nope' })), /unknown/);
    assert.ok(w.addRecord(entry(5, T0)));
    const len = w.len;
    assert.equal(w.addRecord(entry(6, T0)), false);
    assert.equal(w.len, len);
    assert.throws(() => new LoraFrameWriter(200).defineGateId('') , /1..255/);
    const w2 = new LoraFrameWriter(200);
    w2.addRecord(entry(9, T0));
    assert.throws(() => w2.addRecord(entry(8, T0)), /increase/);
    assert.throws(() => w2.defineGateId('g'), /before records/);
  });

  it('definitions: a gate id whole, a long kid in chunks over DR0 frames', () => {
    const kid = new Uint8Array(Buffer.from('https://issuer.example.org/keys/2021/verification#key-1'));
    assert.equal(kid.length, 55);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (off < kid.length) {
      const w = new LoraFrameWriter(51);
      if (off === 0) assert.ok(w.defineGateId('gate-east-door'));
      off = w.defineKid(kid, off);
      frames.push(w.finish());
    }
    assert.equal(frames.length, 2); // 32 bytes beside the gate id, then the other 23
    for (const f of frames) assert.ok(f.length <= 51);
    const dev = new LoraDevices();
    for (const f of frames) dev.resolve('00', decodeLoraFrameHost(f));
    const r = dev.resolve('00', decodeLoraFrameHost(frameOf([entry(3, T0, { kid })], 51)));
    assert.equal(r.gateId, 'gate-east-door');
    assert.equal(r.who, false);
    assert.equal(r.kids, false);
    assert.deepEqual(Buffer.from(r.records[0].kid).toString(), Buffer.from(kid).toString());
    // a chunk that continues nothing is ignored; an unknown tag asks for kids
    const d2 = new LoraDevices();
    d2.resolve('01', decodeLoraFrameHost(frames[1]));
    const r2 = d2.resolve('01', decodeLoraFrameHost(frameOf([entry(3, T0, { kid })], 51)));
    assert.deepEqual([r2.who, r2.kids, r2.records.length], [true, true, 0]);
    // the collector takes kids of at most 64 bytes, as on /ingest
    const w = new LoraFrameWriter(222);
    w.defineKid(new Uint8Array(65), 0);
    assert.throws(() => new LoraDevices().resolve('02', decodeLoraFrameHost(w.finish())), /kid too long/);
  });

  it('malformed frames are refused', () => {
    const good = frameOf([entry(1, T0)]);
    for (const bad of [new Uint8Array(0), new Uint8Array([0x00]), new Uint8Array([0x80]), new Uint8Array([0x70]),
      good.subarray(0, good.length - 1), new Uint8Array([0x41, 0x05, 1, 0x41]), new Uint8Array([0x41, 0x31, 0, 0])]) {
      assert.throws(() => decodeLoraFrameHost(bad), LoraFrameError, Buffer.from(bad).toString('hex'));
    }
    assert.deepEqual(decodeLoraFrameHost(new Uint8Array([0x40])), { defs: [], records: [] }); // a poll
  });

  it('acknowledgements: host encoder, device decoder (and back)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 12 }), fc.boolean(), fc.boolean(), (seqs, who, kids) => {
      const a = decodeLoraAck(new Uint8Array(encodeLoraAckHost(who, kids, toRanges(seqs), 1000)));
      assert.equal(a.who, who);
      assert.equal(a.kids, kids);
      const back: number[] = [];
      for (const r of a.ranges) for (let s = r.first; s <= r.last && back.length < 100; s++) back.push(s);
      assert.deepEqual(back, Array.from(new Set(seqs)).sort((x, y) => x - y));
      assert.deepEqual(Buffer.from(encodeLoraAck(who, kids, a.ranges)), encodeLoraAckHost(who, kids, toRanges(seqs), 1000));
    }), { numRuns: RUNS });
    // ranges that do not fit the downlink are left out (the gate resends those records)
    const many = Array.from({ length: 100 }, (_, i) => i * 2);
    const d = encodeLoraAckHost(false, false, toRanges(many), 51);
    assert.ok(d.length <= 51);
    assert.ok(decodeLoraAck(new Uint8Array(d)).ranges.length >= 20);
    assert.throws(() => decodeLoraAck(new Uint8Array([0x00])), /version/);
    assert.throws(() => decodeLoraAck(new Uint8Array([0x40, 0x80])), /truncated/);
  });

  it('sealed acknowledgements: the MAC checks only for the answered uplink (epoch, session, counter) and the key; any bit flipped fails', () => {
    const h = (k: Uint8Array, d: Uint8Array) => new Uint8Array(crypto.createHmac('sha256', Buffer.from(k)).update(Buffer.from(d)).digest());
    const key = crypto.randomBytes(32);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 12 }), fc.boolean(), fc.boolean(),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 2 }), fc.nat(),
      (seqs, who, kids, epoch, session, counter, bit) => {
        const seal = { key, epoch, session, counter };
        const d = new Uint8Array(encodeLoraAnswerHost({ who, kids, seal }, toRanges(seqs), 1000));
        const a = decodeLoraAck(d);
        assert.deepEqual({ who: a.who, kids: a.kids, ranges: a.ranges }, decodeLoraAck(new Uint8Array(encodeLoraAckHost(who, kids, toRanges(seqs), 1000))));
        assert.equal(a.ctrLow, counter % 256);
        assert.equal(ackSealOk(d, epoch, session, counter, key, h), true);
        assert.equal(ackSealOk(d, epoch, session, counter + 1, key, h), false);
        assert.equal(ackSealOk(d, epoch, session, counter - 1, key, h), false);
        assert.equal(ackSealOk(d, epoch, session ^ 1, counter, key, h), false);
        assert.equal(ackSealOk(d, epoch ^ 1, session, counter, key, h), false);
        assert.equal(ackSealOk(d, epoch, session, counter, crypto.randomBytes(32), h), false);
        const f = new Uint8Array(d);
        f[(bit >> 3) % f.length] ^= 1 << (bit & 7);
        assert.equal(ackSealOk(f, epoch, session, counter, key, h), false);
        // an unsealed answer never checks
        assert.equal(ackSealOk(new Uint8Array(encodeLoraAckHost(who, kids, toRanges(seqs), 1000)), epoch, session, counter, key, h), false);
      }), { numRuns: RUNS });
    // DR0: a sealed answer stays within 51 bytes (5 of them the seal): ranges that do not fit are left out
    const many = Array.from({ length: 100 }, (_, i) => i * 2);
    const d = encodeLoraAnswerHost({ who: false, kids: false, seal: { key, epoch: 1, session: 2, counter: 3 } }, toRanges(many), 51);
    assert.ok(d.length <= 51);
    // 22 two-byte ranges after the header and the counter byte (25 unsealed)
    assert.equal(decodeLoraAck(new Uint8Array(d)).ranges.length, 22);
    assert.throws(() => decodeLoraAck(new Uint8Array([0x60, 1, 2, 3, 4])), /truncated seal/);
    assert.throws(() => decodeLoraAck(new Uint8Array([0x64, 1])), /refusal/);
  });
});
