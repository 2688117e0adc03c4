// Trust bundles over LoRaWAN (issue 13): the collector's downlinks carry a published bundle in
// fragments on FPort 201, modelled on LoRaWAN TS004 (fragmented data block transport): the data
// block is cut into `count` fragments of `fragSize` bytes (the last one shorter), each sent as a
// DataFragment (command 0x08, FragIndex with the fragment number n = 1..count in bits 13..0,
// session 0 in bits 15..14). Unlike TS004 there is no separate FragSessionSetupReq: each fragment
// repeats the session's description (a gate that lost power mid-session, or a collector that
// restarted, needs no setup exchange), and no forward error correction: the gate reports the
// fragments it holds and the collector sends the missing ones again.
//
// Downlink, FPort 201 (collector -> gate), 12 bytes of header then the fragment's bytes:
//   0x08 | n u16 LE (bits 13..0; 15..14 = 0) | count u16 LE | version u32 LE (the bundle's
//   version: TS004's Descriptor) | size u16 LE (the bundle's bytes) | fragSize u8 | data
// Uplink, FPort 201 (gate -> collector), the gate's trust status:
//   0x01 | version u32 LE (of the bundle in use, 0: none) | data rate u8 (the collector sizes
//   fragments for the downlink of that rate) | [session: version u32 LE | count u16 LE |
//   bitmap, bit (n-1) of byte (n-1)>>3 set when fragment n is in the gate's flash; cut to what
//   fits the uplink: fragments past it count as missing]
// The bundle's own root signature authenticates it (the gate checks it before use); these frames
// need no MAC of their own.

export var TRUST_PORT = 201;
export var FRAG_CID = 0x08;
export var STATUS_CID = 0x01;
export var FRAG_HEADER = 12;
export var STATUS_HEADER = 6;
export var SESSION_HEADER = 6;

export interface TrustFragment {
  /** 1..count */
  index: number;
  count: number;
  version: number;
  size: number;
  fragSize: number;
  data: Uint8Array;
}

function u16(b: Uint8Array, o: number): number { return b[o] | (b[o + 1] << 8); }
function u32(b: Uint8Array, o: number): number { return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 16777216; }
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 255; b[o + 1] = (v >>> 8) & 255; b[o + 2] = (v >>> 16) & 255; b[o + 3] = (v >>> 24) & 255;
}

/** Decodes a DataFragment downlink; throws on anything inconsistent. */
export function decodeTrustFragment(b: Uint8Array): TrustFragment {
  if (b.length <= FRAG_HEADER || b[0] !== FRAG_CID) throw new Error('trustfrag: not a fragment');
  var fi = u16(b, 1);
  var f: TrustFragment = {
    index: fi & 0x3fff, count: u16(b, 3), version: u32(b, 5), size: u16(b, 9), fragSize: b[11],
    data: new Uint8Array(b.subarray(FRAG_HEADER, b.length)),
  };
  if (fi >> 14) throw new Error('trustfrag: session ' + (fi >> 14));
  if (!f.count || f.index < 1 || f.index > f.count || !f.fragSize) throw new Error('trustfrag: bad index');
  var last = f.size - (f.count - 1) * f.fragSize;
  if (last < 1 || last > f.fragSize) throw new Error('trustfrag: size does not match count');
  if (f.data.length !== (f.index < f.count ? f.fragSize : last)) throw new Error('trustfrag: fragment length');
  return f;
}

/**
 * The gate's status uplink: the version in use, its data rate, and (during a session) which
 * fragments it holds (`have[n - 1]`), in at most `max` bytes (the uplink's payload limit).
 */
export function encodeTrustStatus(version: number, dataRate: number, max: number, session: { version: number; count: number } | null,
  have: boolean[]): Uint8Array {
  var n = STATUS_HEADER, bm = 0;
  if (session) {
    bm = (session.count + 7) >> 3;
    if (n + SESSION_HEADER + bm > max) bm = max - n - SESSION_HEADER;
    n += SESSION_HEADER + bm;
  }
  var out = new Uint8Array(n);
  out[0] = STATUS_CID;
  put32(out, 1, version);
  out[5] = dataRate;
  if (session) {
    put32(out, 6, session.version);
    out[10] = session.count & 255;
    out[11] = session.count >> 8;
    for (var i = 0; i < session.count && (i >> 3) < bm; i++) if (have[i]) out[12 + (i >> 3)] |= 1 << (i & 7);
  }
  return out;
}
