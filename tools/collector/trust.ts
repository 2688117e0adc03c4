// Trust updates at the collector (issue 13): the published trust bundle and what each gate said
// it uses, kept in a directory of their own (`--trust-dir`, beside the database):
//
//   published.bin   the bundle `qrgate collector trust publish FILE` accepted (written to a
//                   temporary file, then renamed: a reader sees the old or the new)
//   gates.json      {"GATE": {"version": N, "at": SECONDS, "link": "wifi"|"lora"}, ...}: each
//                   gate's trust version as its latest batch or status uplink reported it
//
// Wi-Fi: a gate's batch carries its trust version (Batch field 7); when the published bundle is
// newer, the Ack carries it whole (Ack field 6). LoRa: the gate's status uplink on FPort 201
// (proto/trustfrag.ts) carries its version and the fragments it holds; the answer is the next
// fragment it lacks (round robin from the one sent last, since a Class A answer reaches the gate
// one uplink late), sized for the gate's data rate.
// The collector only relays the bundle: the gate checks its root signature and version itself
// (firmware/trustupdate.ts). `publish` checks it too when given the root keys, and refuses a
// version not above the one published.
import * as fs from 'fs';
import * as path from 'path';
import { decodeTrustBundle as decodeTrustBundleHost } from '../issuer/trust';
import { FRAG_CID, FRAG_HEADER, STATUS_CID } from '../../proto/trustfrag';
import { uplinkAirtimeMs, dutyCycleWaitMs } from '../../drivers/rn2483';

export const PUBLISHED = 'published.bin';
export const GATES = 'gates.json';
/** EU868 downlink payload limits per data rate (RX1 uses the uplink's). */
const MAX_PAYLOAD = [51, 51, 51, 115, 222, 222];

export interface GateTrust { version: number; at: number; link: string }

export interface TrustStatus {
  version: number;
  dataRate: number;
  session: { version: number; count: number; have: boolean[] } | null;
}

/** Decodes a gate's status uplink (FPort 201). */
export function decodeTrustStatusHost(b: Uint8Array): TrustStatus {
  if (b.length < 6 || b[0] !== STATUS_CID) throw new Error('trust status: bad frame');
  const buf = Buffer.from(b);
  const out: TrustStatus = { version: buf.readUInt32LE(1), dataRate: b[5], session: null };
  if (b.length >= 12) {
    const count = buf.readUInt16LE(10);
    const have: boolean[] = [];
    for (let i = 0; i < count; i++) {
      const byte = 12 + (i >> 3);
      have.push(byte < b.length && ((b[byte] >> (i & 7)) & 1) === 1);
    }
    out.session = { version: buf.readUInt32LE(6), count, have };
  } else if (b.length !== 6) throw new Error('trust status: bad length');
  return out;
}

/** Fragment n (1-based) of `bundle` cut into fragSize pieces, as a downlink on FPort 201. */
export function encodeTrustFragmentHost(bundle: Uint8Array, version: number, fragSize: number, n: number): Buffer {
  const count = Math.ceil(bundle.length / fragSize);
  if (n < 1 || n > count) throw new Error('fragment number out of range');
  if (bundle.length > 65535 || count > 0x3fff || fragSize > 255) throw new Error('bundle too large for fragments');
  const data = bundle.subarray((n - 1) * fragSize, Math.min(bundle.length, n * fragSize));
  const out = Buffer.alloc(FRAG_HEADER + data.length);
  out[0] = FRAG_CID;
  out.writeUInt16LE(n, 1);
  out.writeUInt16LE(count, 3);
  out.writeUInt32LE(version, 5);
  out.writeUInt16LE(bundle.length, 9);
  out[11] = fragSize;
  Buffer.from(data).copy(out, FRAG_HEADER);
  return out;
}

/** Fragment payload bytes for a downlink at this data rate. */
export function fragSizeFor(dataRate: number): number {
  return (MAX_PAYLOAD[dataRate] || 51) - FRAG_HEADER;
}

export class TrustDir {
  private cache: { mtimeMs: number; size: number; bytes: Buffer; version: number } | null = null;
  private gatesCache: Record<string, GateTrust> | null = null;
  /** LoRa: the fragment sent last to each device (round robin). */
  private lastSent = new Map<string, number>();

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** The published bundle and its version, or null (read again when the file changed). */
  published(): { bytes: Buffer; version: number } | null {
    const p = path.join(this.dir, PUBLISHED);
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch (e) { this.cache = null; return null; }
    if (!this.cache || this.cache.mtimeMs !== st.mtimeMs || this.cache.size !== st.size) {
      const bytes = fs.readFileSync(p);
      this.cache = { mtimeMs: st.mtimeMs, size: st.size, bytes, version: decodeTrustBundleHost(bytes).version };
    }
    return { bytes: this.cache.bytes, version: this.cache.version };
  }

  /** Publishes a bundle (already checked by the caller); refuses a version not above the published one. */
  publish(bytes: Uint8Array): { version: number; previous: number | null } {
    const version = decodeTrustBundleHost(bytes).version;
    const prev = this.published();
    if (prev && version <= prev.version) {
      throw new Error(`version ${version} is not above the published version ${prev.version}`);
    }
    writeAtomic(path.join(this.dir, PUBLISHED), Buffer.from(bytes));
    return { version, previous: prev ? prev.version : null };
  }

  /** Each gate's reported trust version (`fresh`: read the file again, for another process's view). */
  gates(fresh = false): Record<string, GateTrust> {
    if (!this.gatesCache || fresh) {
      try { this.gatesCache = JSON.parse(fs.readFileSync(path.join(this.dir, GATES), 'utf8')); } catch (e) { this.gatesCache = {}; }
    }
    return this.gatesCache!;
  }

  /** A gate said which version it uses (written when it changed). */
  report(gateId: string, version: number, link: string, now = Math.floor(Date.now() / 1000)): void {
    const g = this.gates();
    const old = g[gateId];
    if (old && old.version === version && old.link === link && now - old.at < 3600) return;
    g[gateId] = { version, at: now, link };
    writeAtomic(path.join(this.dir, GATES), Buffer.from(JSON.stringify(g, null, 1) + '\n'));
  }

  /** Wi-Fi: the bundle for a gate that uses `version`, when the published one is newer. */
  forWifi(gateId: string, version: number): Buffer | null {
    this.report(gateId, version, 'wifi');
    const p = this.published();
    return p && p.version > version ? p.bytes : null;
  }

  /** LoRa: the downlink answering a status uplink (the next missing fragment), or null. */
  forLora(devEui: string, gateId: string, status: TrustStatus): Buffer | null {
    this.report(gateId, status.version, 'lora');
    const p = this.published();
    if (!p || p.version <= status.version) { this.lastSent.delete(devEui); return null; }
    // fragments sized for the gate's data rate (a gate whose session was cut otherwise starts a new one)
    const fragSize = fragSizeFor(status.dataRate);
    const count = Math.ceil(p.bytes.length / fragSize);
    const s = status.session;
    const have = s && s.version === p.version && s.count === count ? s.have : [];
    const last = this.lastSent.get(devEui) || 0;
    let n = 0;
    for (let k = 1; k <= count && !n; k++) {
      const i = ((last + k - 1) % count) + 1;
      if (!have[i - 1]) n = i;
    }
    if (!n) return null;
    this.lastSent.set(devEui, n);
    return encodeTrustFragmentHost(p.bytes, p.version, fragSize, n);
  }
}

function writeAtomic(file: string, data: Buffer): void {
  const tmp = file + '.tmp' + process.pid;
  const fd = fs.openSync(tmp, 'w');
  try { fs.writeSync(fd, data); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
}

/**
 * The time a LoRa gate takes to receive and install a bundle of `size` bytes at EU868 data rate
 * `dr`, counted from its first status uplink after the publication (an idle gate sends one every
 * uplink.trustPollS, hourly by default): N = ceil(size / fragSize(dr)) fragments, one per uplink,
 * the k-th arriving with the (k+1)-th status uplink (a Class A answer comes one uplink late), so
 * (N + 1) uplink periods, each the 1% duty cycle's off-time of the status frame
 * T_air(12 + ceil(N / 8) bytes) / 0.01, or its receive windows (T_air + 2 s) if longer.
 * (The gateway's own duty cycle on the downlinks is not counted: see README.)
 */
export function loraTrustUpdateMs(size: number, dr: number): number {
  const n = Math.ceil(size / fragSizeFor(dr));
  const air = uplinkAirtimeMs(6 + 6 + Math.ceil(n / 8), dr);
  const period = Math.max(dutyCycleWaitMs(air), Math.ceil(air) + 2000);
  return (n + 1) * period;
}
