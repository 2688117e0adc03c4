// The collector's side of proto/lorawire.ts (the compact LoRaWAN framing on FPort 2), written
// independently of the device's encoder (Node Buffers): it decodes uplink frames, keeps what each
// device has defined (its gate id, its kids by tag), turns the records into LogRecords exactly as
// a Wi-Fi Batch of the same records decodes, and encodes the answer for the downlink.
import * as crypto from 'crypto';
import { DECISIONS, REASONS, FORMATS, ALARMS, LogRecord } from '../../proto/logrecord';
import { GateRegistry, hmac } from './gates';
import { toRanges } from './store';

export const LORA_PORT = 2;
/** The time downlink's port (proto/lorawire.ts TIME_PORT). */
export const TIME_PORT = 202;
const SEAL_BYTES = 5;
const LORA_MAC = 4;
const TIME_MAC = 16;
/** Refusal codes (proto/lorawire.ts REFUSALS). */
export const REFUSE = { unknown: 1, revoked: 2, badMac: 3, replay: 4, unsealed: 5 };
const VERSION = 1;
const MAX_GATE_ID = 64;
const MAX_KID = 64;

/** FNV-1a-32 (the kid tag), with BigInt-free 32-bit arithmetic. */
export function kidTagHost(kid: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const c of kid) {
    h ^= c;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface LoraDefinition { type: 'gateId' | 'kid' | 'session' | 'unlogged'; first: boolean; last: boolean; bytes: Buffer }

/** A record of a frame: a LogRecord whose kid is still a tag (null when it has none). */
export interface LoraRecord extends Omit<LogRecord, 'kid'> { kidTag: number | null }

export interface LoraFrame {
  defs: LoraDefinition[];
  records: LoraRecord[];
  /** Sealed (issue 13): the counter's low byte, the MAC and the bytes it covers after the session's. */
  seal?: { counterLow: number; mac: Buffer; covered: Buffer; time: boolean };
}

/** A malformed frame (the collector answers 400). */
export class LoraFrameError extends Error {}

function bad(msg: string): never { throw new LoraFrameError(`malformed LoRa frame: ${msg}`); }

/** Decodes an uplink frame (throws BadRequest 400 when malformed). */
export function decodeLoraFrameHost(buf: Uint8Array): LoraFrame {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 1) bad('empty');
  const h = b[0];
  if (h >> 6 !== VERSION) bad(`version ${h >> 6}`);
  let end = b.length, seal: LoraFrame['seal'];
  if (h & 0x20) {
    if (b.length < 1 + SEAL_BYTES) bad('truncated seal');
    end = b.length - SEAL_BYTES;
    seal = { counterLow: b[end], mac: Buffer.from(b.subarray(end + 1)), covered: Buffer.from(b.subarray(0, end + 1)), time: !!(h & 0x10) };
  } else if (h & 0x10) bad('a time question in a frame that is not sealed');
  let o = 1;
  const need = (n: number) => { if (o + n > end) bad('truncated'); };
  const varint = (): number => {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      need(1);
      const c = b[o++];
      v += (c & 0x7f) * 2 ** (7 * i);
      if (!(c & 0x80)) return v; // up to 35 bits: a zigzag time delta may need 33
    }
    return bad('varint too long');
  };
  const u32 = (v: number) => (v > 0xffffffff ? bad('value over 32 bits') : v);
  const defs: LoraDefinition[] = [];
  for (let i = 0; i < (h & 0x0f); i++) {
    need(2);
    const type = b[o], n = b[o + 1];
    o += 2;
    if (type & 0xc0) bad('reserved definition bits set');
    const kind = type & 0x0f;
    if (kind < 1 || kind > 4) bad(`definition type ${kind}`);
    if (n === 0) bad('empty definition');
    if (kind === 3 && n !== 12) bad('a session definition is 12 bytes');
    need(n);
    defs.push({ type: (['', 'gateId', 'kid', 'session', 'unlogged'] as const)[kind] as LoraDefinition['type'], first: !!(type & 0x10), last: !!(type & 0x20), bytes: Buffer.from(b.subarray(o, o + n)) });
    o += n;
  }
  const records: LoraRecord[] = [];
  let seq = 0, time = 0;
  while (o < end) {
    if (records.length === 0) {
      seq = varint();
      if (seq > 0xffffffff) bad('seq over 32 bits');
      need(4);
      time = b.readUInt32LE(o);
      o += 4;
    } else {
      seq = seq + varint() + 1;
      const z = varint();
      time += z % 2 ? -(z + 1) / 2 : z / 2;
      if (seq > 0xffffffff) bad('seq over 32 bits');
      if (time < 0 || time > 0xffffffff) bad('time out of range');
    }
    need(1);
    const a = b[o++];
    const d = a >> 6;
    if (d === 3 && (a & 0x30) === 0x10) {
      if (a & 0x0e) bad('reserved bits in an alarm record');
      const code = varint();
      if (code < 1 || code >= ALARMS.length) bad(`unknown alarm ${code}`);
      records.push({
        seq, time, kind: 'alarm', decision: 'open', reason: 'ok', format: 'qg1', kidTag: null,
        subject: new Uint8Array(0), cert: new Uint8Array(0), clockUntrusted: !!(a & 1), dropped: 0, alarm: ALARMS[code],
      });
      continue;
    }
    if (d === 3) {
      if (a & 0x38 || (a & 6) === 6) bad('reserved bits in a drop record');
      const exit = !!(a & 2), v = u32(varint()), unlogged = a & 4 ? u32(varint()) : 0;
      records.push({
        seq, time, kind: exit ? 'exit' : 'dropped', decision: 'open', reason: 'ok', format: 'qg1', kidTag: null,
        subject: new Uint8Array(0), cert: new Uint8Array(0), clockUntrusted: !!(a & 1), dropped: exit ? 0 : v,
        ...(exit ? { occupancy: v } : {}), ...(unlogged ? { unlogged } : {}),
      });
      continue;
    }
    const f = (a >> 4) & 3, r = a & 15;
    if (f >= FORMATS.length || r >= REASONS.length) bad('unknown format or reason');
    need(1);
    const fl = b[o++];
    if (fl & 0xe0) bad('reserved record flags set');
    let kidTag: number | null = null;
    if (fl & 2) { need(4); kidTag = b.readUInt32LE(o); o += 4; }
    const take = (present: boolean) => {
      if (!present) return new Uint8Array(0);
      need(16);
      const v = new Uint8Array(b.subarray(o, o + 16));
      o += 16;
      return v;
    };
    const subject = take(!!(fl & 4));
    const cert = take(!!(fl & 8));
    const occupancy = fl & 16 ? u32(varint()) : 0;
    records.push({
      seq, time, kind: 'entry', decision: DECISIONS[d], reason: REASONS[r], format: FORMATS[f], kidTag,
      subject, cert, clockUntrusted: !!(fl & 1), dropped: 0, ...(occupancy ? { occupancy } : {}),
    });
  }
  return seal ? { defs, records, seal } : { defs, records };
}

/**
 * The downlink: flags and the acknowledged seqs, `ranges` sorted and disjoint (store.ts toRanges),
 * at most maxBytes (ranges that do not fit are left out).
 */
export function encodeLoraAckHost(who: boolean, kids: boolean, ranges: { first: number; last: number }[], maxBytes = 51): Buffer {
  const out: number[] = [(VERSION << 6) | (who ? 1 : 0) | (kids ? 2 : 0)];
  const varint = (v: number, into: number[]) => {
    while (v >= 0x80) { into.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    into.push(v);
  };
  let prev = -1;
  for (const { first: f, last: l } of ranges) {
    const part: number[] = [];
    varint(prev < 0 ? f : f - prev - 1, part);
    varint(l - f, part);
    if (out.length + part.length > maxBytes) break;
    out.push(...part);
    prev = l;
  }
  return Buffer.from(out);
}

/** Bytes a sealed answer adds: the answered counter's low byte and the MAC. */
export const ACK_SEAL_BYTES = 1 + LORA_MAC;

/**
 * The answer to a frame: sealed (proto/lorawire.ts ACK_SEALED) under the verdict's ack key when the
 * frame was authenticated, else as encodeLoraAckHost; at most maxBytes, MAC included.
 */
export function encodeLoraAnswerHost(v: Pick<LoraVerdict, 'who' | 'kids' | 'seal'>, ranges: { first: number; last: number }[], maxBytes = 51): Buffer {
  if (!v.seal) return encodeLoraAckHost(v.who, v.kids, ranges, maxBytes);
  const plain = encodeLoraAckHost(v.who, v.kids, ranges, maxBytes - ACK_SEAL_BYTES);
  const body = Buffer.concat([Buffer.from([plain[0] | 0x20, v.seal.counter & 255]), plain.subarray(1)]);
  const mac = hmac(v.seal.key, Buffer.concat([u32s(v.seal.epoch, v.seal.session, v.seal.counter), body])).subarray(0, LORA_MAC);
  return Buffer.concat([body, mac]);
}

/** A refusal (the frame's REFUSED answer): the header with bit 2, then why. */
export function encodeLoraRefusalHost(code: number): Buffer {
  return Buffer.from([(VERSION << 6) | 4, code]);
}

/** What the collector knows of one LoRaWAN device (learned from its definitions). */
export interface LoraDeviceState {
  gateId: string | null;
  kids: Map<number, Buffer>;
  /** A kid being defined in chunks. */
  partial: Buffer | null;
  /** Its sealed session (issue 13): the epoch and session of its last session definition. */
  epoch: number;
  session: number | null;
}

/** The sessions of one gate and epoch: every session seen, and the last accepted counter of the current. */
interface GateSessions { sessions: number[]; session: number; counter: number }

/** Sessions remembered per gate and epoch (a boot each). */
const SESSIONS = 1024;
/** Counter wraps of the low byte tried (uplinks the collector may have missed: 16 x 256). */
const WRAPS = 16;

function u32s(...v: number[]): Buffer {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
  return b;
}

/** What the collector makes of a frame. */
export interface LoraVerdict {
  gateId: string | null;
  /** The records to store (named, authenticated when the collector keeps a registry). */
  records: LogRecord[];
  who: boolean;
  kids: boolean;
  /** Entries the gate could not log that no record carries yet (definition 4). */
  unlogged: number;
  /** Refused: nothing stored; the answer says why (REFUSED). */
  refused?: { code: number; why: string };
  /** Not refused, not believed either: why the device is asked to define itself again. */
  asked?: string;
  /** A verified TIME frame: what the time downlink's MAC covers, and its key. */
  time?: { key: Buffer; epoch: number; session: number; counter: number };
  /** A verified frame: the answer is sealed under this ack key for (epoch, session, counter). */
  seal?: { key: Buffer; epoch: number; session: number; counter: number };
}

/**
 * Devices by DevEUI, in memory: a collector that restarts has forgotten them and asks each device
 * (downlink flags WHO / KIDS) to define them again; records it cannot name are not stored (nor
 * acknowledged), so the device sends them again. With a registry of gates (issue 13) every frame
 * must be sealed by a registered, unrevoked gate's key, with a counter above the last of its
 * session and a session not seen before (a replay is refused).
 */
export class LoraDevices {
  private devices = new Map<string, LoraDeviceState>();
  private sessions = new Map<string, GateSessions>();

  get(devEui: string): LoraDeviceState {
    let d = this.devices.get(devEui);
    if (!d) { d = { gateId: null, kids: new Map(), partial: null, epoch: 0, session: null }; this.devices.set(devEui, d); }
    return d;
  }

  private sessionsOf(gateId: string, epoch: number): GateSessions {
    const k = gateId + '\u0000' + epoch;
    let s = this.sessions.get(k);
    if (!s) { s = { sessions: [], session: -1, counter: 0 }; this.sessions.set(k, s); }
    return s;
  }

  /** The frame checked (with `gates`: authenticated) and resolved; nothing is changed by a frame that is refused. */
  accept(devEui: string, frame: LoraFrame, gates?: GateRegistry): LoraVerdict {
    const d = this.get(devEui);
    const gdef = frame.defs.find((x) => x.type === 'gateId');
    const sdef = frame.defs.find((x) => x.type === 'session');
    if (gdef && (!gdef.first || !gdef.last)) bad('a gate id is sent whole');
    if (gdef && gdef.bytes.length > MAX_GATE_ID) bad('gate id too long');
    const gateId = gdef ? gdef.bytes.toString('latin1') : d.gateId;
    const udef = frame.defs.find((x) => x.type === 'unlogged');
    let unlogged = 0;
    if (udef) {
      for (let i = udef.bytes.length - 1; i >= 0; i--) unlogged = unlogged * 128 + (udef.bytes[i] & 0x7f);
      if (udef.bytes.length > 5 || unlogged > 0xffffffff) bad('unlogged count too long');
    }
    const nothing = (o: Partial<LoraVerdict>): LoraVerdict => ({ gateId, records: [], who: false, kids: false, unlogged: 0, ...o });
    let epoch = sdef ? sdef.bytes.readUInt32LE(0) : 0, session: number | null = sdef ? sdef.bytes.readUInt32LE(4) : null;
    let counter = sdef ? sdef.bytes.readUInt32LE(8) : 0;
    let time: LoraVerdict['time'], ackSeal: LoraVerdict['seal'];
    if (gates) {
      const seal = frame.seal;
      const refuse = (code: number, why: string) => nothing({ refused: { code, why } });
      if (!seal) return refuse(REFUSE.unsealed, 'frame not authenticated (no MAC)');
      if (gateId === null) return nothing({ who: true });
      const k = gates.lookup(gateId);
      if ('refused' in k) return refuse(k.refused === 'revoked gate' ? REFUSE.revoked : REFUSE.unknown, k.refused);
      const up = hmac(k.batch, 'qg lora up');
      const check = (e: number, s: number, c: number) =>
        crypto.timingSafeEqual(hmac(up, Buffer.concat([u32s(e, s, c), seal.covered])).subarray(0, LORA_MAC), seal.mac);
      let st: GateSessions;
      if (sdef) {
        if ((counter & 255) !== seal.counterLow || !check(epoch, session!, counter)) return refuse(REFUSE.badMac, 'bad MAC');
        st = this.sessionsOf(gateId, epoch);
        if (st.sessions.indexOf(session!) >= 0 && !(st.session === session && counter > st.counter)) return refuse(REFUSE.replay, 'replayed frame (its session and counter were seen)');
      } else {
        if (d.session === null || d.gateId !== gateId) return nothing({ who: true, asked: 'no session defined (the collector restarted?)' });
        epoch = d.epoch;
        session = d.session;
        st = this.sessionsOf(gateId, epoch);
        const next = st.counter + 1;
        let c = next + ((seal.counterLow - next) & 255), found = 0;
        for (let i = 0; i < WRAPS && !found && c <= 0xffffffff; i++, c += 256) if (check(epoch, session, c)) found = c;
        if (!found) {
          let old = next + ((seal.counterLow - next) & 255) - 256;
          for (let i = 0; i < WRAPS && old >= 1; i++, old -= 256) if (check(epoch, session, old)) return refuse(REFUSE.replay, 'replayed frame (counter ' + old + ' seen)');
          // a gate that rebooted while its new session's definition was lost, or a forger: define again
          return nothing({ who: true, asked: 'bad MAC or unknown session' });
        }
        counter = found;
      }
      if (st.session !== session) {
        if (st.sessions.indexOf(session!) < 0) { st.sessions.push(session!); if (st.sessions.length > SESSIONS) st.sessions.shift(); }
        st.session = session!;
      }
      st.counter = counter;
      d.epoch = epoch;
      d.session = session;
      if (seal.time) time = { key: hmac(k.answer, 'qg lora time'), epoch, session: session!, counter };
      ackSeal = { key: hmac(k.answer, 'qg lora ack'), epoch, session: session!, counter };
    } else if (sdef) {
      d.epoch = epoch;
      d.session = session;
    }
    if (frame.seal) epoch = d.epoch;
    if (gdef) d.gateId = gateId;
    for (const def of frame.defs) {
      if (def.type !== 'kid') continue;
      const acc: Buffer | null = def.first ? def.bytes : d.partial ? Buffer.concat([d.partial, def.bytes]) : null;
      if (acc && acc.length > MAX_KID) { d.partial = null; bad('kid too long'); }
      if (def.last) {
        if (acc) d.kids.set(kidTagHost(acc), acc);
        d.partial = null;
      } else d.partial = acc;
    }
    const records: LogRecord[] = [];
    let kids = false;
    for (const r of frame.records) {
      let kid = new Uint8Array(0);
      if (r.kidTag !== null) {
        const k = d.kids.get(r.kidTag);
        if (!k) { kids = true; continue; }
        kid = new Uint8Array(k);
      }
      const { kidTag, ...rest } = r;
      void kidTag;
      records.push(epoch ? { ...rest, kid, epoch } : { ...rest, kid });
    }
    return { gateId: d.gateId, records: d.gateId === null ? [] : records, who: d.gateId === null, kids, unlogged, time, ...(ackSeal ? { seal: ackSeal } : {}) };
  }

  /** accept() without a registry (the records and flags). */
  resolve(devEui: string, frame: LoraFrame): { gateId: string | null; records: LogRecord[]; who: boolean; kids: boolean } {
    return this.accept(devEui, frame);
  }
}

/** The time downlink (FPort 202) answering a verified TIME frame: time, then its MAC. */
export function encodeTimeDownlinkHost(t: LoraVerdict['time'] & {}, now: number): Buffer {
  const tb = u32s(now);
  const mac = hmac(t.key, Buffer.concat([u32s(t.epoch, t.session, t.counter), tb])).subarray(0, TIME_MAC);
  return Buffer.concat([tb, mac]);
}

export interface LoraIngest {
  devices: LoraDevices;
  /** The registry of gates: frames must then be sealed (README "Gate identity"). */
  gates?: GateRegistry;
  /** The collector's clock (seconds since 1970). */
  now: () => number;
  log: (line: string) => void;
  ingest: (gateId: string, records: LogRecord[], unlogged?: number, info?: any) => Promise<{ held: number[] }>;
  /** Tests and the simulator only: a forger on the path, given each time downlink before it goes. */
  tamperTime?: (data: Buffer) => Buffer;
  /** Tests and the simulator only: a forger on the path, given each FPort 2 answer before it goes. */
  tamperAck?: (data: Buffer) => Buffer;
}

/**
 * An uplink on FPort 2: the answer's JSON fields ({gateId, acked, downlink, fPort} and, refused,
 * `refused`) and the further downlinks (the time on FPort 202). Throws LoraFrameError (400).
 */
export async function loraFrameUplink(c: LoraIngest, devEui: string, payload: Uint8Array): Promise<{ answer: any; downlinks: { fPort: number; data: string }[] }> {
  const v = c.devices.accept(devEui, decodeLoraFrameHost(payload), c.gates);
  if (v.refused || v.asked) {
    c.log(JSON.stringify({ ev: 'refused', link: 'lora', devEui, gateId: v.gateId, why: v.refused ? v.refused.why : v.asked }));
  }
  if (v.refused) {
    return { answer: { gateId: v.gateId, acked: [], refused: v.refused.why, downlink: encodeLoraRefusalHost(v.refused.code).toString('base64'), fPort: LORA_PORT }, downlinks: [] };
  }
  const held = v.gateId !== null && (v.records.length || v.unlogged) ? (await c.ingest(v.gateId, v.records, v.unlogged, {})).held : [];
  const say = held.length > 0 || v.who || v.kids;
  const ranges = toRanges(held);
  const downlinks: { fPort: number; data: string }[] = [];
  if (v.time) {
    const t = encodeTimeDownlinkHost(v.time, Math.floor(c.now()));
    downlinks.push({ fPort: TIME_PORT, data: (c.tamperTime ? c.tamperTime(t) : t).toString('base64') });
  }
  return {
    answer: {
      gateId: v.gateId, acked: ranges.map((x) => [x.first, x.last]),
      downlink: say ? (c.tamperAck ? c.tamperAck(encodeLoraAnswerHost(v, ranges)) : encodeLoraAnswerHost(v, ranges)).toString('base64') : null, fPort: LORA_PORT,
    },
    downlinks,
  };
}
