// The device's entry-log codec (proto/logrecord.ts) against protobufjs on proto/log.proto: every
// batch the device encodes must decode to the same values, byte for byte the same as protobufjs
// would write, and the device's decoders must read what protobufjs writes.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import fc from 'fast-check';
import {
  encodeLogRecord, encodeBatch, encodeAck, decodeLogRecord, decodeBatch, decodeAck, recordSeq, batchSize, withTrustVersion,
  DECISIONS, REASONS, FORMATS, KINDS, ALARMS, LogRecord, LogEntry,
} from '../../proto/logrecord';
import { utf8Encode, bytesToByteString } from '../../proto/bytes';
import { REPO } from '../util/shared';

const RUNS = Number(process.env.FUZZ_RUNS || 300);
const root = protobuf.loadSync(path.join(REPO, 'proto', 'log.proto'));
const PBatch = root.lookupType('qrgate.log.Batch');
const PRecord = root.lookupType('qrgate.log.LogRecord');
const PAck = root.lookupType('qrgate.log.Ack');

/** log.proto enum name -> the device's name (CLOCK_UNSET -> clock-unset, NONE -> ''). */
function nameOfEnum(n: string): string {
  return n === 'NONE' || n === 'NO_ALARM' ? '' : n.toLowerCase().replace(/_/g, '-');
}
function enumOfName(n: string): string {
  return n === '' ? 'NONE' : n.toUpperCase().replace(/-/g, '_');
}

/** A protobufjs-decoded record in the device's terms. */
function fromProto(o: any, seq?: number): LogRecord {
  return {
    seq: o.seq, time: o.time, kind: nameOfEnum(o.kind), decision: nameOfEnum(o.decision),
    reason: nameOfEnum(o.reason), format: nameOfEnum(o.format), kid: new Uint8Array(o.kid),
    subject: new Uint8Array(o.subject), cert: new Uint8Array(o.cert), clockUntrusted: o.clockUntrusted,
    dropped: o.dropped, unlogged: o.unlogged, occupancy: o.occupancy,
    ...(o.alarm !== undefined && o.alarm !== 'NO_ALARM' ? { alarm: nameOfEnum(o.alarm) } : {}),
  };
}
const TO_OBJECT = { enums: String, longs: Number, defaults: true, bytes: Array } as any;

/** The object protobufjs should encode to the device's bytes: only non-default fields set. */
function toProtoObject(r: LogRecord): any {
  const o: any = {};
  if (r.seq) o.seq = r.seq;
  if (r.time) o.time = r.time;
  if (r.decision !== 'open') o.decision = enumOfName(r.decision);
  if (r.reason !== 'ok') o.reason = enumOfName(r.reason);
  if (r.kid.length) o.kid = r.kid;
  if (r.format !== 'qg1') o.format = enumOfName(r.format);
  if (r.subject.length) o.subject = r.subject;
  if (r.cert.length) o.cert = r.cert;
  if (r.clockUntrusted) o.clockUntrusted = true;
  if (r.kind !== 'entry') o.kind = enumOfName(r.kind);
  if (r.dropped) o.dropped = r.dropped;
  if (r.unlogged) o.unlogged = r.unlogged;
  if (r.alarm) o.alarm = enumOfName(r.alarm);
  if (r.occupancy) o.occupancy = r.occupancy;
  return o;
}

const u32 = fc.oneof(fc.constantFrom(0, 1, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
const arbRecord: fc.Arbitrary<LogRecord> = fc.record({
  seq: u32, time: u32,
  kind: fc.constantFrom(...KINDS), decision: fc.constantFrom(...DECISIONS), reason: fc.constantFrom(...REASONS),
  format: fc.constantFrom(...FORMATS),
  kid: bytes(40), subject: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 16, maxLength: 16 })),
  cert: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 16, maxLength: 16 })),
  clockUntrusted: fc.boolean(), dropped: u32, unlogged: u32, occupancy: u32,
}).chain((r) => fc.constantFrom(...ALARMS).map((a) => (a ? { ...r, alarm: a } : r)));
const arbGateId = fc.oneof(fc.constant(''), fc.constant('gate-01'), fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => bytesToByteString(utf8Encode(s))));

function normal(r: LogRecord): any {
  const { occupancy, ...rest } = r;
  return { ...rest, ...(occupancy ? { occupancy } : {}), kid: Array.from(r.kid), subject: Array.from(r.subject), cert: Array.from(r.cert) };
}

describe('log records: device codec vs protobufjs (proto/log.proto)', () => {
  it('a typical entry: 57 bytes, 59 in a batch, and what protobufjs reads', () => {
    const entry: LogEntry = {
      time: 1632729600, decision: 'open', reason: 'ok', format: 'qg1', kid: utf8Encode('Abc_defGhi-'),
      subject: new Uint8Array(16).fill(0xab), cert: new Uint8Array(16).fill(0x01), clockUntrusted: false,
    };
    const rec = encodeLogRecord(entry, 1234);
    assert.equal(rec.length, 57);
    const batch = encodeBatch('', [rec]);
    assert.equal(batch.length, 59);
    const o = PBatch.toObject(PBatch.decode(batch), TO_OBJECT) as any;
    assert.equal(o.records.length, 1);
    const r = fromProto(o.records[0]);
    assert.equal(r.seq, 1234);
    assert.equal(r.time, 1632729600);
    assert.equal(r.decision, 'open');
    assert.equal(Buffer.from(r.kid).toString(), 'Abc_defGhi-');
    assert.deepEqual(Array.from(r.subject), new Array(16).fill(0xab));
  });

  it('an alarm record (issue 14): kind ALARM, field alarm = 14, as protobufjs names them', () => {
    for (const [alarm, name] of [['forced', 'FORCED'], ['held', 'HELD'], ['cleared', 'CLEARED'], ['button-stuck', 'BUTTON_STUCK']]) {
      const rec = encodeLogRecord({ time: 1632729600, kind: 'alarm', alarm }, 7);
      assert.equal(rec.length, 2 + 5 + 2 + 2);
      const o = PRecord.toObject(PRecord.decode(rec), TO_OBJECT) as any;
      assert.equal(o.kind, 'ALARM');
      assert.equal(o.alarm, name);
      assert.equal(decodeLogRecord(rec).alarm, alarm);
    }
    assert.throws(() => encodeLogRecord({ time: 0, kind: 'alarm', alarm: 'fire' }, 1), /unknown alarm/);
  });

  it('property: every batch the device encodes decodes with protobufjs to the same values, byte for byte', () => {
    fc.assert(fc.property(arbGateId, fc.array(arbRecord, { maxLength: 8 }), (gateId, recs) => {
      const encoded = recs.map((r) => encodeLogRecord(r, r.seq));
      const batch = encodeBatch(gateId, encoded);
      assert.equal(batch.length, batchSize(gateId, encoded.map((e) => e.length)));
      const msg = PBatch.decode(batch);
      const o = PBatch.toObject(msg, TO_OBJECT) as any;
      // gate id: the device sends byte strings (UTF-8 bytes), protobufjs reads UTF-8 text
      assert.equal(Buffer.from(o.gateId, 'utf8').toString('latin1'), gateId.length && /[^\x00-\xff]/.test(gateId)
        ? Buffer.from(gateId, 'utf8').toString('latin1') : gateId);
      assert.equal(o.records.length, recs.length);
      for (let i = 0; i < recs.length; i++) {
        assert.deepEqual(normal(fromProto(o.records[i])), normal(recs[i]));
        // byte for byte what protobufjs writes for the same (non-default) fields
        const pb = PRecord.encode(PRecord.fromObject(toProtoObject(recs[i]))).finish();
        assert.equal(Buffer.from(encoded[i]).toString('hex'), Buffer.from(pb).toString('hex'));
        // and the device reads its own records back
        assert.deepEqual(normal(decodeLogRecord(encoded[i])), normal(recs[i]));
        assert.equal(recordSeq(encoded[i], 0, encoded[i].length), recs[i].seq);
      }
      if (!/[^\x00-\xff]/.test(gateId)) {
        const d = decodeBatch(batch);
        assert.equal(d.gateId, gateId);
        assert.deepEqual(d.records.map(normal), recs.map(normal));
      }
    }), { numRuns: RUNS });
  });

  it('property: the device decodes what protobufjs encodes (records with unknown fields, acks)', () => {
    fc.assert(fc.property(arbRecord, fc.integer({ min: 16, max: 2000 }), bytes(10), (r, unknownField, junk) => {
      const w = protobuf.Writer.create();
      PRecord.encode(PRecord.fromObject({ ...toProtoObject(r), seq: r.seq, time: r.time }), w);
      w.uint32((unknownField << 3) | 2).bytes(junk); // an unknown field from a newer writer
      w.uint32((unknownField + 1) << 3).uint64(123456789012); // and an unknown varint
      const b = w.finish();
      assert.deepEqual(normal(decodeLogRecord(b)), normal(r));
      assert.equal(recordSeq(b, 0, b.length), r.seq);
    }), { numRuns: RUNS });
    fc.assert(fc.property(fc.string({ maxLength: 30 }).filter((s) => !/[^\x00-\x7f]/.test(s)),
      fc.array(fc.record({ first: u32, last: u32 }), { maxLength: 10 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), u32), (gateId, ranges, level) => {
        const pb = PAck.encode(PAck.fromObject(level ? { gateId, ranges, level } : { gateId, ranges })).finish();
        const a = decodeAck(pb);
        assert.equal(a.gateId, gateId);
        assert.deepEqual(a.ranges, ranges.map((x) => ({ first: x.first, last: x.last })));
        assert.equal(a.level || 0, level);
        // the device's own Ack encoder (used by the simulator) agrees with protobufjs, byte for byte
        const mine = encodeAck(gateId, ranges, level);
        const o: any = PAck.toObject(PAck.decode(mine), TO_OBJECT);
        assert.deepEqual({ gateId: o.gateId, ranges: o.ranges, level: o.level }, { gateId, ranges: ranges.map((x) => ({ first: x.first, last: x.last })), level });
        assert.equal(o.mac.length, 0, 'an unauthenticated Ack has no mac (Ack fields 3-5: test/proto/gateauth.test.ts)');
        assert.deepEqual(o.trust, []); // no trust bundle (Ack field 6)
        assert.equal(Buffer.from(mine).toString('hex'), Buffer.from(pb).toString('hex'));
      }), { numRuns: RUNS });
  });

  it('property: malformed or truncated input throws Error, never anything else', () => {
    fc.assert(fc.property(arbRecord, fc.nat(), (r, cut) => {
      const b = encodeBatch('g', [encodeLogRecord(r, r.seq)]);
      const n = cut % b.length;
      try {
        decodeBatch(b.subarray(0, n));
        // a prefix that ends exactly between fields may decode; it must then be what protobufjs says
        PBatch.decode(b.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof Error);
      }
    }), { numRuns: RUNS });
    fc.assert(fc.property(bytes(64), (b) => {
      for (const f of [decodeAck, decodeBatch, decodeLogRecord]) {
        try { f(b); } catch (e) { assert.ok(e instanceof Error); }
      }
    }), { numRuns: RUNS });
  });

  it('rejects values log.proto cannot carry', () => {
    assert.throws(() => encodeLogRecord({ time: -1 }, 0), /time/);
    assert.throws(() => encodeLogRecord({ time: 2 ** 32 }, 0), /time/);
    assert.throws(() => encodeLogRecord({ time: 1.5 }, 0), /time/);
    assert.throws(() => encodeLogRecord({ time: 0 }, -3), /seq/);
    assert.throws(() => encodeLogRecord({ time: 0, reason: 'nope' }, 0), /reason/);
    assert.throws(() => encodeLogRecord({ time: 0, decision: 'maybe' }, 0), /decision/);
    // a known field with the wrong wire type, field 0, a group, a truncated length
    assert.throws(() => decodeLogRecord(new Uint8Array([0x0a, 0x00])), /wire type/);
    assert.throws(() => decodeLogRecord(new Uint8Array([0x00, 0x00])), /field number 0/);
    assert.throws(() => decodeLogRecord(new Uint8Array([0x63])), /wire type/);
    assert.throws(() => decodeLogRecord(new Uint8Array([0x3a, 0x10, 1, 2])), /truncated/);
    assert.throws(() => decodeLogRecord(new Uint8Array([0x18, 0x07])), /decision/);
  });
});

describe('proto/logrecord: trust updates (issue 13: Ack field 6, Batch field 7)', () => {
  const PBatch7 = root.lookupType('qrgate.log.Batch');
  const PAck6 = root.lookupType('qrgate.log.Ack');
  it('property: an Ack with a trust bundle, both ways against protobufjs', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }).filter((s) => !/[^\x00-\x7f]/.test(s)),
      fc.array(fc.record({ first: fc.nat(1 << 20), last: fc.nat(1 << 20) }), { maxLength: 4 }),
      fc.uint8Array({ minLength: 1, maxLength: 600 }), (gateId, ranges, trust) => {
        const pb = PAck6.encode(PAck6.fromObject({ gateId, ranges, trust })).finish();
        const a = decodeAck(pb);
        assert.deepEqual(Array.from(a.trust!), Array.from(trust));
        const mine = encodeAck(gateId, ranges, undefined, trust);
        assert.deepEqual(Buffer.from(mine), Buffer.from(pb));
        assert.equal(decodeAck(encodeAck(gateId, ranges)).trust, undefined);
      }), { numRuns: RUNS });
  });
  it('property: withTrustVersion appends Batch.trust_version as protobufjs reads it', () => {
    fc.assert(fc.property(arbRecord, fc.integer({ min: 0, max: 4294967295 }), (r, v) => {
      const body = encodeBatch('gate-9', [encodeLogRecord(r, r.seq)]);
      const m: any = PBatch7.toObject(PBatch7.decode(withTrustVersion(body, v)), { longs: Number, defaults: true });
      assert.equal(m.trustVersion, v);
      assert.equal(m.records.length, 1);
      assert.equal(m.gateId, 'gate-9');
      if (!v) assert.equal(withTrustVersion(body, v), body);
    }), { numRuns: RUNS });
  });
  it('property: withTrustVersion with a backlog (Batch field 8, issue 15): byte for byte what protobufjs encodes', () => {
    const small = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 4294967295 }));
    fc.assert(fc.property(fc.array(arbRecord, { maxLength: 3 }), small, small, (rs, v, backlog) => {
      const body = encodeBatch('gate-9', rs.map((r) => encodeLogRecord(r, r.seq)));
      const mine = withTrustVersion(body, v, backlog);
      // protobufjs writes fields in number order: records (2) then trust_version (7), backlog (8).
      const m: any = PBatch7.toObject(PBatch7.decode(body), { longs: Number, defaults: false });
      const pb = PBatch7.encode(PBatch7.fromObject({ ...m, trustVersion: v, backlog })).finish();
      assert.deepEqual(Buffer.from(mine), Buffer.from(pb));
      const o: any = PBatch7.toObject(PBatch7.decode(mine), { longs: Number, defaults: true });
      assert.deepEqual([o.trustVersion, o.backlog, o.records.length], [v, backlog, rs.length]);
      if (!v && !backlog) assert.equal(mine, body);
    }), { numRuns: RUNS });
  });
});
