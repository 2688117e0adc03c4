// Shared by the LoRa wire tests (test/proto/lorawire.test.ts, test/tools/collector/lorawire.test.ts):
// a time, no bytes, and an entry record with a given seq and time.
import { LogRecord } from '../../proto/logrecord';

export const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;
export const EMPTY = new Uint8Array(0);

export function entry(seq: number, time: number, over: Partial<LogRecord> = {}): LogRecord {
  const p = (x: number) => new Uint8Array(16).fill(x);
  return {
    seq, time, kind: 'entry', decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array(Buffer.from('issuer-1')),
    subject: p(seq & 255), cert: p((seq + 100) & 255), clockUntrusted: false, dropped: 0, ...over,
  };
}
