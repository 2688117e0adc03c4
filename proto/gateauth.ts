// A gate's identity on the wire (README "Gate identity"): the per-gate key that `qrgate flash`
// provisions (Storage file qg.id), the fields that make a Batch replay-proof (epoch, nonce, time:
// proto/log.proto Batch 4-6), and the checks of the collector's authenticated answer (Ack time,
// nonce, mac: fields 3-5). Used by the uplinks' lazy parts only (never by the per-scan path).
//
// Two keys are derived from the gate key, so that a gate's MAC can never pass for the
// collector's and back: batch key = HMAC(key, "qg batch"), answer key = HMAC(key, "qg answer").
import { putVarint, varintSize, Ack } from './logrecord';
import { byteStringToBytes } from './bytes';

/** The Storage file that holds a gate's identity: {"key": 64 hex digits, "epoch": uint32}. */
export var ID_FILE = 'qg.id';

export type Hmac = (key: Uint8Array, data: Uint8Array) => Uint8Array;

export interface GateKeys {
  /** The boot epoch (Batch.epoch). */
  epoch: number;
  batch: Uint8Array;
  answer: Uint8Array;
}

function unhex(h: string): Uint8Array {
  if (h.length % 2) throw new Error('id: odd hex');
  var out = new Uint8Array(h.length / 2);
  for (var i = 0; i < out.length; i++) {
    var v = parseInt(h.substr(i * 2, 2), 16);
    if (!(v >= 0)) throw new Error('id: not hex');
    out[i] = v;
  }
  return out;
}

/** The keys of an identity file's text; throws on a malformed one. */
export function gateKeys(text: string, hmac: Hmac): GateKeys {
  var j = JSON.parse(text);
  var key = unhex(String(j.key));
  if (key.length !== 32) throw new Error('id: key is not 32 bytes');
  var e = j.epoch;
  if (typeof e !== 'number' || !(e >= 1 && e <= 4294967295) || Math.floor(e) !== e) throw new Error('id: bad epoch');
  return { epoch: e, batch: hmac(key, byteStringToBytes('qg batch')), answer: hmac(key, byteStringToBytes('qg answer')) };
}

/** body followed by Batch fields epoch (4), nonce (5) and time (6, fixed32; left out when 0). */
export function sealBatch(body: Uint8Array, epoch: number, nonce: number, time: number): Uint8Array {
  var out = new Uint8Array(body.length + 2 + varintSize(epoch) + varintSize(nonce) + (time ? 5 : 0));
  out.set(body, 0);
  var o = body.length;
  out[o++] = 0x20;
  o = putVarint(out, o, epoch);
  out[o++] = 0x28;
  o = putVarint(out, o, nonce);
  if (time) {
    out[o++] = 0x35;
    for (var i = 0; i < 4; i++) { out[o++] = time % 256; time = Math.floor(time / 256); }
  }
  return out;
}

/** Lower-case hex of bytes. */
export function hexBytes(b: Uint8Array): string {
  var s = '';
  for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

/**
 * Whether the decoded Ack `ack` (of the bytes `body`) is the collector's answer to the request
 * with `nonce`: its mac (at least 4 bytes, compared over its length, in constant time) is the
 * answer key's HMAC of the bytes before it, and it repeats the nonce.
 */
export function answerOk(ack: Ack, body: Uint8Array, nonce: number, answerKey: Uint8Array, hmac: Hmac): boolean {
  var mac = ack.mac;
  if (!mac || mac.length < 4 || mac.length > 32 || ack.nonce !== nonce) return false;
  var want = hmac(answerKey, new Uint8Array(body.subarray(0, ack.macAt)));
  var d = 0;
  for (var i = 0; i < mac.length; i++) d |= mac[i] ^ want[i];
  return d === 0;
}
