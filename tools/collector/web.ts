// The health office's web page (`qrgate collector serve --web HOST:PORT --users FILE`), on its own
// listener: gates post to the ingest listener (tools/collector/server.ts), which serves nothing to
// read; browsers use this one, which takes no entries. Fastify.
//
//   GET  /                 the page (tools/collector/web/index.html, app.js)
//   POST /api/login        {"user","password"} -> 204 and a session cookie (HttpOnly, SameSite=Strict)
//   POST /api/logout
//   GET  /api/me           {"user"}
//   GET  /api/gates        every gate heard from: last contact, records, backlog, trust version,
//                          clock state (set / unsure since ...), losses, conflicts
//   GET  /api/conflicts    the conflicting copies kept (same gate, epoch and seq as a stored
//                          record, other contents), each with the stored copy (issue 13)
//   GET  /api/hourly       ?gate=ID&hours=N (default 48): entries, referrals, exits and the most
//                          people inside per gate and hour (the page charts entries and occupancy)
//   GET  /api/entries.csv  ?gate=ID&from=T&to=T: stored records as CSV
//   POST /api/trace        {"text": QR text, "windowMin": N, "format": "json"|"csv"}: contact tracing
//                          from a positive person's certificate. The page reads the QR code from
//                          an image in the browser (jsQR) or takes the pasted text; the server
//                          derives the subject pseudonym with the site secret it holds, which is
//                          never sent to the browser.
// Every /api route but login needs a session; POSTs take JSON only (a form on another site cannot
// post it), and the cookie is SameSite=Strict.
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import { CollectorStore, StoredRecord } from './store';
import { UsersFile, checkUser } from './users';
import { parseScan } from '../../firmware/parse';
import { sha256 } from '../../firmware/crypto/sha256';
import { kidText, isoTime } from './format';

const COOKIE = 'qrgate_session';
const SESSION_SECONDS = 8 * 3600;
const MAX_SESSIONS = 1000;

export interface WebOptions {
  store: CollectorStore;
  host: string;
  port: number;
  users: () => UsersFile;
  /** The site secret of the gates' pseudonyms (spec/qg1.md section 7); without it, no tracing. */
  siteSecret?: Uint8Array;
  log?: (line: string) => void;
}

export interface WebServer {
  app: FastifyInstance;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** The folder of the page's files, from the sources and from build/host alike. */
export function webDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, 'tools', 'collector', 'web');
    if (fs.existsSync(path.join(p, 'index.html'))) return p;
    dir = path.dirname(dir);
  }
  throw new Error('tools/collector/web not found');
}

/** A file beside an npm package's main file (found the way Node finds the package). */
function besideMain(main: string, file: string): string {
  return path.join(path.dirname(main), file);
}

function csvField(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function recordRow(r: StoredRecord): string[] {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return [r.gateId, String(r.seq), isoTime(r.time), r.kind, r.decision, r.reason, r.format, kidText(r.kid),
    hex(r.subject), hex(r.cert), r.clockUntrusted ? 'yes' : 'no', r.alarm || ''];
}
const RECORD_HEADER = ['gate', 'seq', 'time', 'kind', 'decision', 'reason', 'format', 'kid', 'subject', 'cert', 'clock_unsure', 'alarm'];

function parseT(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const s = String(v);
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s) / 1000;
  if (!Number.isFinite(n)) throw Object.assign(new Error(`${name}: not a time`), { statusCode: 400 });
  return Math.floor(n);
}

export async function startWebServer(o: WebOptions): Promise<WebServer> {
  const log = o.log || (() => undefined);
  const sessions = new Map<string, { user: string; expires: number }>();
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: false });
  await app.register(cookie);
  const dir = webDir();
  const files: Record<string, { file: string; type: string }> = {
    '/': { file: path.join(dir, 'index.html'), type: 'text/html; charset=utf-8' },
    '/app.js': { file: path.join(dir, 'app.js'), type: 'text/javascript; charset=utf-8' },
    '/app.css': { file: path.join(dir, 'app.css'), type: 'text/css; charset=utf-8' },
    '/vendor/chart.js': { file: besideMain(require.resolve('chart.js'), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
    '/vendor/jsqr.js': { file: besideMain(require.resolve('jsqr'), 'jsQR.js'), type: 'text/javascript; charset=utf-8' },
  };
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'");
    reply.header('cache-control', 'no-store');
    return payload;
  });
  for (const route of Object.keys(files)) {
    if (!fs.existsSync(files[route].file)) throw new Error(`the page's file ${files[route].file} is missing`);
    app.get(route, async (_req, reply) => reply.type(files[route].type).send(fs.createReadStream(files[route].file)));
  }

  const session = (req: FastifyRequest): string | null => {
    const t = req.cookies[COOKIE];
    if (!t) return null;
    const s = sessions.get(t);
    if (!s) return null;
    if (s.expires < Date.now() / 1000) { sessions.delete(t); return null; }
    return s.user;
  };
  const needUser = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!session(req)) { reply.code(401).send({ error: 'log in first' }); return reply; }
    return undefined;
  };

  app.post('/api/login', async (req, reply) => {
    const b: any = req.body;
    if (!b || typeof b.user !== 'string' || typeof b.password !== 'string') return reply.code(400).send({ error: 'user and password' });
    let ok = false;
    try {
      ok = await checkUser(o.users(), b.user, b.password);
    } catch (e: any) {
      log(JSON.stringify({ ev: 'web-error', error: 'users file: ' + e.message }));
      return reply.code(500).send({ error: 'the users file cannot be read' });
    }
    log(JSON.stringify({ ev: 'login', user: String(b.user).slice(0, 64), ok }));
    if (!ok) return reply.code(401).send({ error: 'wrong user or password' });
    if (sessions.size >= MAX_SESSIONS) {
      const now = Date.now() / 1000;
      for (const [k, v] of sessions) if (v.expires < now) sessions.delete(k);
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
    }
    const token = crypto.randomBytes(32).toString('base64url');
    sessions.set(token, { user: b.user, expires: Date.now() / 1000 + SESSION_SECONDS });
    reply.setCookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: SESSION_SECONDS });
    return reply.code(204).send();
  });
  app.post('/api/logout', async (req, reply) => {
    const t = req.cookies[COOKIE];
    if (t) sessions.delete(t);
    reply.clearCookie(COOKIE, { path: '/' });
    return reply.code(204).send();
  });
  app.get('/api/me', { preHandler: needUser }, async (req) => ({ user: session(req), tracing: !!o.siteSecret }));

  app.get('/api/gates', { preHandler: needUser }, async () => {
    const now = Math.floor(Date.now() / 1000);
    return (await o.store.gates()).map((g) => ({
      ...g, lastContactIso: isoTime(g.lastContact), lastRecordIso: g.records ? isoTime(g.lastRecordTime) : '',
      secondsSinceContact: now - g.lastContact,
      unsureSinceIso: g.unsureSince !== null ? isoTime(g.unsureSince) : null,
    }));
  });
  app.get('/api/conflicts', { preHandler: needUser }, async () => {
    if (!o.store.conflicts) return { kept: false, conflicts: [] };
    const hex = (x: Uint8Array) => Buffer.from(x).toString('hex');
    const copy = (r: StoredRecord) => ({
      time: isoTime(r.time), kind: r.kind, decision: r.decision, reason: r.reason, format: r.format, kid: kidText(r.kid),
      subject: hex(r.subject), cert: hex(r.cert), clockUntrusted: r.clockUntrusted, alarm: r.alarm || '',
      occupancy: r.occupancy || 0, dropped: r.dropped, receivedAt: isoTime(r.receivedAt),
    });
    return {
      kept: true,
      conflicts: (await o.store.conflicts()).map((c) => ({
        gateId: c.gateId, epoch: c.epoch || 0, seq: c.seq, kept: copy(c), stored: c.stored ? copy(c.stored) : null,
      })),
    };
  });
  app.get('/api/hourly', { preHandler: needUser }, async (req) => {
    const q: any = req.query;
    const hours = Math.min(24 * 90, Math.max(1, parseInt(q.hours || '48', 10) || 48));
    const to = parseT(q.to, 'to');
    const end = to !== undefined ? to : Math.floor(Date.now() / 1000);
    return o.store.hourly({ gateId: q.gate || undefined, from: end - hours * 3600, to: end });
  });
  app.get('/api/entries.csv', { preHandler: needUser }, async (req, reply) => {
    const q: any = req.query;
    const lines = [RECORD_HEADER.join(',')];
    for await (const r of o.store.query({ gateId: q.gate || undefined, from: parseT(q.from, 'from'), to: parseT(q.to, 'to') })) {
      lines.push(recordRow(r).map(csvField).join(','));
    }
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="entries.csv"').send(lines.join('\r\n') + '\r\n');
  });
  app.post('/api/trace', { preHandler: needUser }, async (req, reply) => {
    if (!o.siteSecret) return reply.code(409).send({ error: 'tracing needs the site secret: start the collector with --site-secret-file' });
    const b: any = req.body;
    if (!b || typeof b.text !== 'string' || !b.text.trim()) return reply.code(400).send({ error: 'paste the QR text or choose an image of the QR code' });
    const windowMin = b.windowMin === undefined ? 30 : Number(b.windowMin);
    if (!Number.isInteger(windowMin) || windowMin < 0 || windowMin > 24 * 60) return reply.code(400).send({ error: 'window: 0 to 1440 minutes' });
    let sub: Uint8Array | null = null;
    try {
      // The scanner hands the gate bytes: the same bytes, as a byte string.
      const p = parseScan(Buffer.from(b.text.trim(), 'utf8').toString('latin1'), sha256);
      sub = p ? p.sub : null;
    } catch (e: any) {
      return reply.code(422).send({ error: 'not a certificate this collector can read: ' + e.message });
    }
    if (!sub || !sub.length) return reply.code(422).send({ error: 'not a QG1 or PeduliLindungi certificate, or it names no subject' });
    const subject = new Uint8Array(crypto.createHmac('sha256', Buffer.from(o.siteSecret)).update(sub).digest().subarray(0, 16));
    const hits = await o.store.trace(subject, windowMin * 60);
    log(JSON.stringify({ ev: 'trace', user: session(req), entries: hits.length }));
    if (b.format === 'csv') {
      const lines = [['entry_gate', 'entry_time', 'entry_seq', 'entry_decision'].concat(RECORD_HEADER.map((h) => 'contact_' + h)).join(',')];
      for (const h of hits) {
        const e = [h.entry.gateId, isoTime(h.entry.time), String(h.entry.seq), h.entry.decision];
        if (!h.contacts.length) lines.push(e.concat(RECORD_HEADER.map(() => '')).map(csvField).join(','));
        for (const c of h.contacts) lines.push(e.concat(recordRow(c)).map(csvField).join(','));
      }
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="trace.csv"').send(lines.join('\r\n') + '\r\n');
    }
    const hex = (x: Uint8Array) => Buffer.from(x).toString('hex');
    return {
      windowMin,
      entries: hits.map((h) => ({
        gateId: h.entry.gateId, seq: h.entry.seq, time: isoTime(h.entry.time), decision: h.entry.decision, reason: h.entry.reason,
        clockUntrusted: h.entry.clockUntrusted,
        contacts: h.contacts.map((c) => ({ seq: c.seq, time: isoTime(c.time), decision: c.decision, subject: hex(c.subject), cert: hex(c.cert) })),
      })),
    };
  });
  app.setErrorHandler((e: any, _req, reply) => {
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status === 500) log(JSON.stringify({ ev: 'web-error', error: String(e && e.message) }));
    reply.code(status).send({ error: status === 500 ? 'server error' : e.message });
  });

  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address() as any;
  return { app, host: addr.address, port: addr.port, close: () => app.close() };
}
