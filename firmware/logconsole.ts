// The entry log over the console, for gates without an uplink (`qrgate logs pull` and `qrgate logs
// ack`, tools/board/logs.ts). The board wiring exposes it as `qgLog(op, a, b)`; it is a lazy part
// of the bundle (tools/build/bundle.js GATE_LAZY): its functions exist only during a call.
//
//   qgLog("pull", from, max)  -> JSON text {"gateId","hex","seqs":[...]}: the next Batch
//                                (proto/log.proto, the bytes the Wi-Fi uplink posts, as hex) of up to
//                                `max` unacknowledged records with seq >= from; "seqs" empty when
//                                there are none left.
//   qgLog("ack", gateId, list) -> JSON text {"acked","refused","already"}: list is [seq, tag, seq,
//                                tag, ...] from the collector's import receipt, tag = the first 8 bytes
//                                (16 hex digits) of SHA-256 of the record's bytes as pulled. A record
//                                is acknowledged (and may then leave flash) only when its seq is
//                                named AND its stored bytes give that tag: a receipt for other
//                                records (another gate, a journal made again since) drops nothing.
import { Journal } from './journal';
import { hexOf } from '../proto/bytes';
import { AckRange } from '../proto/logrecord';

/** Largest Batch one pull answers (bytes before hex). */
var PULL_MAX_BYTES = 2048;

export function logConsole(journal: Journal, sha256: (d: Uint8Array) => Uint8Array, op: string, a: any, b: any): string {
  if (op === 'pull') {
    var max = b === undefined ? 20 : +b;
    if (!(max >= 1)) max = 20;
    var from = +a;
    var batch = journal.batch(max > 100 ? 100 : max, PULL_MAX_BYTES, undefined, from >= 0 ? from : 0);
    return JSON.stringify({
      gateId: journal.gateId,
      hex: batch && batch.seqs.length ? hexOf(batch.body) : '',
      seqs: batch ? batch.seqs : [],
    });
  }
  if (op === 'ack') {
    if (a !== journal.gateId) throw new Error('receipt for gate ' + a + ', this is ' + journal.gateId);
    var want: any = {}, n = 0, i: number;
    for (i = 0; i + 1 < b.length; i += 2) { want[b[i]] = String(b[i + 1]); n++; }
    var ranges: AckRange[] = [], refused = 0, matched = 0;
    journal.eachPending(function (seq: number, bytes: Uint8Array, s: number, e: number) {
      var tag = want[seq];
      if (tag === undefined) return true;
      if (hexOf(sha256(new Uint8Array(bytes.subarray(s, e)))).substring(0, 16) !== tag) {
        refused++;
        return true;
      }
      matched++;
      var last = ranges.length ? ranges[ranges.length - 1] : null;
      if (last && last.last + 1 === seq) last.last = seq;
      else ranges.push({ first: seq, last: seq });
      return true;
    });
    var acked = ranges.length ? journal.ack(ranges) : 0;
    return JSON.stringify({ acked: acked, refused: refused, already: n - matched - refused });
  }
  throw new Error('qgLog: unknown operation ' + op);
}
