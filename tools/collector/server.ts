// The collector's HTTP front (node:http), for `qrgate collector serve`.
//
//   POST /ingest    body: a Batch (proto/log.proto), Content-Type application/x-protobuf.
//                   200 with an Ack (application/x-protobuf) naming the seqs now held durably,
//                   as ranges; sent only after the store has committed. 400 malformed batch,
//                   413 too large, 415 wrong type, 500 store failure (no ack: the gate resends).
//   POST /lorawan   an uplink as a LoRaWAN network server's HTTP integration posts it (JSON):
//                     The Things Stack v3: {"end_device_ids":{"dev_eui":HEX},"uplink_message":{"f_port":N,"frm_payload":B64}}
//                     ChirpStack v4:       {"deviceInfo":{"devEui":HEX},"fPort":N,"data":B64}   (?event=up)
//                     ChirpStack v3:       {"devEUI":HEX|B64,"fPort":N,"data":B64}
//                   FPort 1 carries a Batch; its gate id may be empty (to save airtime), and the
//                   gate is then named "eui-" + the DevEUI in lower-case hex. Answers 200 JSON
//                   {"gateId","acked":[[first,last]...],"downlink":B64,"fPort":1} where downlink is
//                   the Ack (without gate id) for the integration to queue on FPort 1.
//                   FPort 2 carries the compact frames of proto/lorawire.ts (what gates send): the
//                   device defines its gate id and kids in-band (remembered per DevEUI in memory;
//                   after a restart the answer asks for them again), and the records are stored
//                   exactly as a Wi-Fi Batch of the same records. Answers 200 JSON
//                   {"gateId","acked":[[first,last]...],"downlink":B64|null,"fPort":2}: downlink is
//                   the compact answer (flags, ranges; at most 51 bytes, so it fits any data rate),
//                   null when there is nothing to say. With `gates`, frames must be sealed by the
//                   gate's key (README "Gate identity"): else {"refused": why} and a REFUSED
//                   downlink, nothing stored; a sealed time question is answered by a downlink on
//                   FPort 202 (in "downlinks"). Other events and ports are answered 200
//                   {"ignored":...}; a malformed batch or frame 400.
//                   Both answers may carry "downlinks": [{"fPort":3,"data":B64}] for the integration
//                   to queue too: the PPKM level of the gate's site (one byte), when it differs from
//                   what this device was last told (kept in memory: after a restart, told again).
//   GET  /healthz   200 "ok".
// Levels (issue 14, tools/collector/levels.ts): with `levels`, every Ack carries the PPKM level of
// the gate's site (field 7; absent when none is set).
// Overload: when more batches wait for the store's next commit than `maxPending`, a POST is
// answered 503 with Retry-After (seconds) and stored nothing; the gate keeps its records and tries
// again after its backoff. The listen backlog is sized for thousands of gates (`backlog`).
//   Any other path: 404 {"error": "no such path ...: this collector serves ...", "paths": [...]}: it
//   names the paths served, so that a gate whose uplink.url is the collector's root says why.
// Bodies are bounded (maxBody); the server listens only on the address it is given.
import * as http from 'http';
import * as path from 'path';
import * as fs from 'fs';
import * as protobuf from 'protobufjs';
import { DECISIONS, REASONS, FORMATS, KINDS, ALARMS, LogRecord } from '../../proto/logrecord';
import { BatchInfo, CollectorStore, PutResult, toRanges } from './store';
import { LORA_PORT, LoraDevices, LoraFrameError, loraFrameUplink } from './lorawire';
import { GateRegistry, hmac } from './gates';
import * as crypto from 'crypto';
import { TrustDir, decodeTrustStatusHost } from './trust';
import { TRUST_PORT } from '../../proto/trustfrag';

export const PORT_BATCH = 1;
/** What the collector serves (named in its 404 answer). */
export const PATHS = [
  'POST /ingest (a gate\'s Wi-Fi uplink: uplink.url http://HOST:PORT/ingest)',
  'POST /lorawan (a LoRaWAN network server\'s HTTP integration: uplink.url http://HOST:PORT/lorawan)',
  'GET /healthz',
];
const MAX_GATE_ID = 64;
const MAX_KID = 64;
const MAX_PSEUDONYM = 32;
const MAX_RECORDS = 5000;

let schema: { Batch: protobuf.Type; Ack: protobuf.Type } | null = null;

/** proto/log.proto, found upwards from this file (works from the sources and from build/host). */
export function logProtoPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, 'proto', 'log.proto');
    if (fs.existsSync(p)) return p;
    dir = path.dirname(dir);
  }
  throw new Error('proto/log.proto not found');
}

export function logSchema(): { Batch: protobuf.Type; Ack: protobuf.Type } {
  if (!schema) {
    const root = protobuf.loadSync(logProtoPath());
    schema = { Batch: root.lookupType('qrgate.log.Batch'), Ack: root.lookupType('qrgate.log.Ack') };
  }
  return schema;
}

export class BadRequest extends Error {
  constructor(public status: number, message: string, public headers: Record<string, string> = {}) { super(message); }
}

function enumName(table: string[], code: number): string {
  return code >= 0 && code < table.length ? table[code] : String(code);
}

/** Decodes and checks a Batch (protobufjs, independent of the device's codec). */
export function decodeBatchHost(body: Uint8Array): { gateId: string; records: LogRecord[]; unlogged: number; epoch: number; nonce: number; time: number; trustVersion: number; backlog: number } {
  const { Batch } = logSchema();
  let m: any;
  try {
    // Bytes stay the decoder's buffers (copied below), not arrays of numbers: less garbage per batch.
    m = Batch.toObject(Batch.decode(body), { longs: Number, enums: Number, defaults: true } as any);
  } catch (e: any) {
    throw new BadRequest(400, `malformed batch: ${e.message}`);
  }
  if (Buffer.byteLength(m.gateId, 'utf8') > MAX_GATE_ID) throw new BadRequest(400, 'gate id too long');
  if (m.records.length > MAX_RECORDS) throw new BadRequest(413, 'too many records');
  const records: LogRecord[] = m.records.map((r: any) => {
    if (r.kid.length > MAX_KID || r.subject.length > MAX_PSEUDONYM || r.cert.length > MAX_PSEUDONYM) {
      throw new BadRequest(400, `record ${r.seq}: field too long`);
    }
    return {
      seq: r.seq, time: r.time, kind: enumName(KINDS, r.kind), decision: enumName(DECISIONS, r.decision),
      reason: enumName(REASONS, r.reason), format: enumName(FORMATS, r.format), kid: new Uint8Array(r.kid),
      subject: new Uint8Array(r.subject), cert: new Uint8Array(r.cert), clockUntrusted: !!r.clockUntrusted,
      dropped: r.dropped, unlogged: r.unlogged, occupancy: r.occupancy, epoch: m.epoch,
      ...(r.alarm ? { alarm: enumName(ALARMS, r.alarm) } : {}),
    };
  });
  return { gateId: m.gateId, records, unlogged: m.unlogged, epoch: m.epoch, nonce: m.nonce, time: m.time, trustVersion: m.trustVersion || 0, backlog: m.backlog || 0 };
}

/**
 * An Ack; with `level`, the PPKM level (field 7); with `trust`, a newer trust bundle (field 6);
 * with `auth`, it carries the collector's time and the request's nonce, then (last) its mac:
 * HMAC-SHA-256(answer key, every byte before it), `macLen` bytes of it (32 on Wi-Fi).
 */
export function encodeAckHost(gateId: string, held: number[], auth?: { answer: Buffer; nonce: number; time: number; macLen?: number }, level?: number, trust?: Uint8Array | null): Uint8Array {
  const { Ack } = logSchema();
  const o: any = auth ? { gateId, ranges: toRanges(held), time: auth.time, nonce: auth.nonce } : { gateId, ranges: toRanges(held) };
  if (level) o.level = level;
  if (trust) o.trust = trust;
  const body = Ack.encode(Ack.fromObject(o)).finish();
  if (!auth) return body;
  const mac = hmac(auth.answer, body).subarray(0, auth.macLen || 32);
  return Buffer.concat([Buffer.from(body), Buffer.from([0x2a, mac.length]), mac]);
}

/** The LoRaWAN FPort of the level downlink (proto/lorawire.ts LEVEL_PORT). */
export const PORT_LEVEL = 3;

export interface CollectorServerOptions {
  store: CollectorStore;
  host: string;
  port: number;
  /** Largest request body in bytes (default 256 KiB). */
  maxBody?: number;
  /** One line per event (ingest, errors); default: nothing. */
  log?: (line: string) => void;
  /** Batches waiting for the store's next commit above which POSTs get 503 (default 2000). */
  maxPending?: number;
  /** Retry-After of a 503, seconds (default 5). */
  retryAfter?: number;
  /** The listen backlog (default 4096; the kernel caps it at net.core.somaxconn). */
  backlog?: number;
  /** The PPKM level of a gate's site (tools/collector/levels.ts levelSource); absent: none. */
  levels?: (gateId: string) => number;
  /**
   * The registry of gates (--gates FILE): every Wi-Fi batch must then be authenticated by a
   * registered, unrevoked gate (X-QG-MAC), else 401 and nothing stored; answers carry the time,
   * authenticated. Without it the collector believes anyone (and says so when it starts).
   */
  gates?: GateRegistry;
  /** The collector's clock for the answers (seconds since 1970; tests). */
  now?: () => number;
  /** Tests and the simulator only: a forger on the path, given each /ingest answer before it goes. */
  tamper?: (ack: Uint8Array) => Uint8Array;
  /** The same for each LoRa time downlink (FPort 202, tools/collector/lorawire.ts). */
  tamperTime?: (data: Buffer) => Buffer;
  /** The same for each LoRa answer on FPort 2 (its acknowledgements: tools/collector/lorawire.ts). */
  tamperAck?: (data: Buffer) => Buffer;
  /** Trust updates (tools/collector/trust.ts): the published bundle goes to gates that are behind. */
  trust?: TrustDir;
  /**
   * What the process keeps in memory across requests (nonces seen, trust versions, LoRa devices):
   * by default this server's own (collectorShared); a worker of `collector serve --workers N`
   * asks the primary's (tools/collector/cluster.ts), so that every worker sees the same.
   */
  shared?: CollectorShared;
}

/**
 * The parts of the collector that keep state across requests, behind one interface so that
 * the workers of a cluster share one copy (the primary's).
 */
export interface CollectorShared {
  /** Records a batch's nonce (opts.gates): false when this gate and epoch already used it. */
  fresh(gateId: string, epoch: number, nonce: number): Promise<boolean>;
  /** The trust bundle for a Wi-Fi gate that uses `version` when a newer one is published (opts.trust). */
  wifiTrust(gateId: string, version: number): Promise<Uint8Array | null>;
  /** A /lorawan POST: its ?event= and body; the JSON answer (200), or throws a BadRequest. */
  lorawan(event: string | null, body: Buffer): Promise<any>;
}

export interface CollectorServer {
  server: http.Server;
  host: string;
  port: number;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > max) { reject(new BadRequest(413, `body over ${max} bytes`)); return; }
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        // Stop reading; the answer goes out with Connection: close and the socket is then dropped.
        req.removeAllListeners('data');
        req.pause();
        reject(new BadRequest(413, `body over ${max} bytes`));
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** The DevEUI of an uplink as lower-case hex (accepts hex or base64 of 8 bytes). */
function devEuiHex(v: unknown): string {
  if (typeof v !== 'string' || !v) throw new BadRequest(400, 'uplink without a DevEUI');
  if (/^[0-9a-fA-F]{16}$/.test(v)) return v.toLowerCase();
  const b = Buffer.from(v, 'base64');
  if (b.length === 8 && /^[A-Za-z0-9+/]+={0,2}$/.test(v)) return b.toString('hex');
  throw new BadRequest(400, 'DevEUI is neither 16 hex digits nor base64 of 8 bytes');
}

/** The fields of an uplink posted by a network server's HTTP integration, or null for other events. */
export function parseLoraUplink(j: any, event: string | null): { devEui: string; fPort: number; payload: Buffer } | null {
  if (!j || typeof j !== 'object') throw new BadRequest(400, 'uplink is not a JSON object');
  if (event && event !== 'up') return null; // ChirpStack v4: join, status, ack, log ... events
  let eui: unknown, port: unknown, data: unknown;
  if (j.end_device_ids || j.uplink_message !== undefined) {
    // The Things Stack v3
    if (!j.uplink_message) return null; // join accept, downlink events ...
    eui = j.end_device_ids && j.end_device_ids.dev_eui;
    port = j.uplink_message.f_port;
    data = j.uplink_message.frm_payload;
  } else if (j.deviceInfo) {
    eui = j.deviceInfo.devEui; port = j.fPort; data = j.data; // ChirpStack v4
  } else {
    eui = j.devEUI !== undefined ? j.devEUI : j.devEui !== undefined ? j.devEui : j.dev_eui;
    port = j.fPort !== undefined ? j.fPort : j.f_port;
    data = j.data !== undefined ? j.data : j.frm_payload;
  }
  const devEui = devEuiHex(eui);
  if (port === undefined || port === null) return null; // no application payload (MAC only)
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 255) throw new BadRequest(400, 'bad fPort');
  if (data === undefined || data === null) data = '';
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new BadRequest(400, 'payload is not base64');
  return { devEui, fPort: port, payload: Buffer.from(data, 'base64') };
}

/** Stores a batch and logs it (with the gate's faults). */
async function storeBatch(opts: CollectorServerOptions, gateId: string, records: LogRecord[], unlogged?: number, info?: BatchInfo): Promise<PutResult> {
  const res = await opts.store.put(gateId, records, info);
  if (!opts.log) return res; // --quiet: not even the line's JSON
  const line: any = { ev: 'ingest', gateId, records: records.length, inserted: res.inserted,
    duplicates: res.duplicates, conflicts: res.conflicts };
  // The gate could not log this many entries (its Storage is full): say it where people look.
  if (unlogged) { line.unlogged = unlogged; line.fault = 'the gate\'s Storage is full: entries are not logged'; }
  if (res.conflicts) {
    line.fault = `${res.conflicts} record(s) conflict with stored ones (same gate, epoch and seq, other contents): kept apart, see qrgate collector conflicts`;
    if (records.length) line.epoch = records[0].epoch || 0;
  }
  opts.log(JSON.stringify(line));
  return res;
}

/** The collector's state across requests, in this process (the default of opts.shared). */
export function collectorShared(opts: CollectorServerOptions): CollectorShared {
  const log = opts.log || (() => undefined);
  const loraDevices = new LoraDevices();
  const levelOf = (gateId: string | null) => (opts.levels && gateId ? opts.levels(gateId) : 0);
  /** DevEUI -> the level its device was last sent. */
  const loraLevels = new Map<string, number>();
  const levelDownlinks = (devEui: string, gateId: string | null): { downlinks?: any[] } => {
    const lv = levelOf(gateId);
    if (!lv || loraLevels.get(devEui) === lv) return {};
    loraLevels.set(devEui, lv);
    return { downlinks: [{ fPort: PORT_LEVEL, data: Buffer.from([lv]).toString('base64') }] };
  };
  const ingest = (gateId: string, records: LogRecord[], unlogged?: number, info?: BatchInfo) => storeBatch(opts, gateId, records, unlogged, info);

  const lorawan = async (event: string | null, body: Buffer): Promise<any> => {
    let j: any;
    try { j = JSON.parse(body.toString('utf8')); } catch (e: any) { throw new BadRequest(400, 'body is not JSON'); }
    const up = parseLoraUplink(j, event);
    if (!up) return { ignored: 'not an uplink' };
    if (up.fPort === LORA_PORT) {
      let a;
      try {
        a = await loraFrameUplink({
          devices: loraDevices, gates: opts.gates, log, ingest, tamperTime: opts.tamperTime, tamperAck: opts.tamperAck,
          now: () => (opts.now ? opts.now() : Date.now() / 1000),
        }, up.devEui, up.payload);
      } catch (e: any) {
        if (e instanceof LoraFrameError) throw new BadRequest(400, e.message);
        throw e;
      }
      const lv = levelDownlinks(up.devEui, a.answer.gateId);
      const more = a.downlinks.concat(lv.downlinks || []);
      return more.length ? { ...a.answer, downlinks: more } : a.answer;
    }
    if (up.fPort === TRUST_PORT && opts.trust) {
      let st;
      try { st = decodeTrustStatusHost(up.payload); } catch (e: any) { throw new BadRequest(400, e.message); }
      const gateId = loraDevices.get(up.devEui).gateId || 'eui-' + up.devEui;
      const frag = opts.trust.forLora(up.devEui, gateId, st);
      if (frag) log(JSON.stringify({ ev: 'trust', gateId, link: 'lora', from: st.version, fragment: frag.readUInt16LE(1) & 0x3fff, of: frag.readUInt16LE(3) }));
      return { gateId, trustVersion: st.version, downlink: frag ? frag.toString('base64') : null, fPort: TRUST_PORT };
    }
    if (up.fPort !== PORT_BATCH) return { ignored: `fPort ${up.fPort}` };
    const batch = decodeBatchHost(up.payload);
    const gateId = batch.gateId || 'eui-' + up.devEui;
    const r = await ingest(gateId, batch.records, undefined, {}); // {}: the clock state from its records
    return {
      gateId, acked: toRanges(r.held).map((x) => [x.first, x.last]),
      downlink: Buffer.from(encodeAckHost('', r.held)).toString('base64'), fPort: PORT_BATCH,
      ...levelDownlinks(up.devEui, gateId),
    };
  };

  return {
    fresh: async (gateId, epoch, nonce) => (opts.gates ? opts.gates.fresh(gateId, epoch, nonce) : true),
    wifiTrust: async (gateId, version) => {
      const tb = opts.trust ? opts.trust.forWifi(gateId, version) : null;
      if (tb) log(JSON.stringify({ ev: 'trust', gateId, link: 'wifi', from: version, bytes: tb.length }));
      return tb;
    },
    lorawan,
  };
}

/** The path of a request target (without its query), without building a URL object. */
function pathOf(target: string): { pathname: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { pathname: target, query: '' } : { pathname: target.slice(0, q), query: target.slice(q + 1) };
}

export async function startCollectorServer(opts: CollectorServerOptions): Promise<CollectorServer> {
  const maxBody = opts.maxBody || 256 * 1024;
  const log = opts.log || (() => undefined);
  logSchema(); // fail now, not on the first request
  const shared = opts.shared || collectorShared(opts);
  const levelOf = (gateId: string | null) => (opts.levels && gateId ? opts.levels(gateId) : 0);
  const maxPending = opts.maxPending || 2000;
  const retryAfter = opts.retryAfter || 5;
  let inFlight = 0;
  let refused = 0;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const target = req.url || '/';
    // Plain paths (no dots, escapes, backslashes: nothing URL would normalise) skip the URL parser;
    // the others (absolute-form targets, /a/../ingest ...) take it, as before.
    const url = /^\/[A-Za-z0-9_\-\/]*(\?[^#]*)?$/.test(target) ? pathOf(target) : (() => {
      const u = new URL(target, 'http://collector');
      return { pathname: u.pathname, query: u.search.slice(1) };
    })();
    if (req.method === 'GET' && url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url.pathname !== '/ingest' && url.pathname !== '/lorawan') {
      sendJson(res, 404, { error: `no such path ${url.pathname}: this collector serves ${PATHS.join(', ')}`, paths: PATHS });
      log(JSON.stringify({ ev: 'error', status: 404, path: req.url, error: 'no such path' }));
      return;
    }
    if (req.method !== 'POST') throw new BadRequest(405, 'POST only');
    const waiting = opts.store.pending ? opts.store.pending() : inFlight;
    if (waiting >= maxPending) {
      refused++;
      throw new BadRequest(503, `overloaded: ${waiting} batches waiting to be stored; retry after ${retryAfter} s`,
        { 'retry-after': String(retryAfter) });
    }
    const type = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (url.pathname === '/ingest') {
      if (type !== 'application/x-protobuf' && type !== 'application/protobuf') {
        throw new BadRequest(415, 'Content-Type must be application/x-protobuf');
      }
      const body = await readBody(req, maxBody);
      const batch = decodeBatchHost(body);
      if (!batch.gateId) throw new BadRequest(400, 'batch without a gate id');
      let auth: { answer: Buffer; nonce: number; time: number } | undefined;
      if (opts.gates) {
        // Refused before anything is stored: unknown or revoked gate, no or wrong MAC, replay.
        const refuse = (why: string): never => {
          log(JSON.stringify({ ev: 'refused', gateId: batch.gateId, epoch: batch.epoch, records: batch.records.length, why }));
          throw new BadRequest(401, `batch refused: ${why}`);
        };
        const k = opts.gates.lookup(batch.gateId);
        if ('refused' in k) return refuse(k.refused);
        const got = String(req.headers['x-qg-mac'] || '');
        if (!/^[0-9a-f]{64}$/.test(got)) refuse('no X-QG-MAC header');
        if (!crypto.timingSafeEqual(Buffer.from(got, 'hex'), hmac(k.batch, body))) refuse('bad MAC');
        if (!batch.epoch || !batch.nonce) refuse('no epoch or nonce');
        if (!(await shared.fresh(batch.gateId, batch.epoch, batch.nonce))) refuse('replayed batch (nonce seen)');
        auth = { answer: k.answer, nonce: batch.nonce, time: Math.floor(opts.now ? opts.now() : Date.now() / 1000) };
      }
      // The gate's state (trust version, backlog, clock) is stored with the records (the web page shows it).
      const r = await storeBatch(opts, batch.gateId, batch.records, batch.unlogged,
        { epoch: batch.epoch, time: batch.time, trustVersion: batch.trustVersion, backlog: batch.backlog });
      const tb = opts.trust ? await shared.wifiTrust(batch.gateId, batch.trustVersion) : null;
      const ack0 = encodeAckHost(batch.gateId, r.held, auth, levelOf(batch.gateId), tb);
      const ack = opts.tamper ? opts.tamper(ack0) : ack0;
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': ack.length }).end(Buffer.from(ack));
      return;
    }
    // /lorawan
    if (type !== 'application/json') throw new BadRequest(415, 'Content-Type must be application/json');
    const body = await readBody(req, maxBody);
    sendJson(res, 200, await shared.lorawan(new URLSearchParams(url.query).get('event'), body));
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    res.on('close', () => { inFlight--; });
    handle(req, res).catch((e: any) => {
      const status = e instanceof BadRequest ? e.status : 500;
      // Overload is counted, not logged per request (a log line each would add to the load).
      if (status !== 503 || refused % 1000 === 1) {
        log(JSON.stringify({ ev: 'error', status, path: req.url, error: String(e && e.message), refused: status === 503 ? refused : undefined }));
      }
      if (res.headersSent) { res.destroy(); return; }
      if (e instanceof BadRequest) for (const h of Object.keys(e.headers)) res.setHeader(h, e.headers[h]);
      if (status === 503) {
        // The body was not read: close after answering rather than drain it.
        res.setHeader('connection', 'close');
        res.on('finish', () => req.socket.destroy());
      }
      if (status === 413) {
        res.setHeader('connection', 'close');
        res.on('finish', () => req.socket.destroy());
      }
      sendJson(res, status, { error: status === 500 ? 'store failure' : e.message });
    });
  });
  server.requestTimeout = 30000;
  server.headersTimeout = 10000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port, backlog: opts.backlog || 4096 }, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as any;
  return {
    server, host: addr.address, port: addr.port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

function sendJson(res: http.ServerResponse, status: number, o: any): void {
  const b = Buffer.from(JSON.stringify(o) + '\n');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length }).end(b);
}
