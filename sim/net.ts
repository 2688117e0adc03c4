// The simulated board's network, for the entry-log uplink: Espruino's `http` module (and the
// `Wifi` / `EspruinoWiFi` modules) inside the sandbox, backed by Node's real http on real sockets.
//
// Virtual time and real I/O: the sandbox runs on virtual time, a socket on real time. While a
// real request is in flight, virtual time stands still (advanceWithIo waits for the I/O before it
// runs the next timer), and its answer is delivered to the program at the virtual instant the
// request was made. So the network costs no virtual time, and a scenario's events do not depend
// on how fast the host is: deterministic enough for CI.
//
// Network down (`board.network` false, scenario step {"network": "down"}): no packet leaves; a
// request fails after NETWORK_DOWN_TIMEOUT_MS of virtual time with ETIMEDOUT, as a request
// into a dead link does. A collector that is not running gives a real ECONNREFUSED.
import * as http from 'http';
import { SimBoard } from './board';
import { EspruinoSandbox } from './espruino';

/** Virtual ms after which a request into a down network fails. */
export const NETWORK_DOWN_TIMEOUT_MS = 5000;
/** Real ms a request may take before it is abandoned (ETIMEDOUT). */
export const REAL_TIMEOUT_MS = 10000;

/** Real I/O in flight, so that virtual time can wait for it. */
export class IoTracker {
  private pending = new Set<Promise<unknown>>();
  get busy(): boolean { return this.pending.size > 0; }
  track<T>(p: Promise<T>): Promise<T> {
    const q = p.then(() => undefined, () => undefined);
    this.pending.add(q);
    q.then(() => this.pending.delete(q));
    return p;
  }
  /** Resolves when nothing is in flight (including I/O started meanwhile). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all(Array.from(this.pending));
  }
}

/**
 * Advances the board's virtual time by ms, timer by timer, waiting for real I/O whenever some is
 * in flight (its answers are delivered before time moves on). At most `maxRuns` instants with
 * timers due are run: past that it stops where it is and returns false (true when ms has passed).
 */
export async function advanceWithIo(board: SimBoard, io: IoTracker, ms: number, maxRuns = Infinity): Promise<boolean> {
  const target = board.clock.ms + ms;
  let runs = 0;
  for (;;) {
    if (io.busy) { await io.settle(); board.run(); continue; }
    const sb = board.sandbox;
    const next = sb && !sb.dead ? sb.nextDue() : undefined;
    if (next === undefined || next > target) {
      board.advance(Math.max(0, target - board.clock.ms));
      if (io.busy) continue;
      return true;
    }
    if (++runs > maxRuns) return false;
    board.advance(Math.max(0, next - board.clock.ms));
  }
}

/** Runs what is due now, and waits for the real I/O it starts (and what that starts). */
export async function runWithIo(board: SimBoard, io: IoTracker): Promise<void> {
  board.run();
  while (io.busy) { await io.settle(); board.run(); }
}

interface Listeners { [ev: string]: any[] }

function on(l: Listeners, ev: string, fn: any): void { (l[ev] = l[ev] || []).push(fn); }

/** The `http` module for a sandbox: request(options, cb) as Espruino has it. */
export function httpModule(networkUp: () => boolean, io: IoTracker): (sb: EspruinoSandbox) => any {
  return (sb: EspruinoSandbox) => {
    const emit = (l: Listeners, ev: string, args: any[]) => {
      for (const fn of (l[ev] || []).slice()) sb.call(fn, sb.global, args);
    };
    /** Runs fn in the sandbox at the current virtual instant (as an event). */
    const deliver = (fn: () => void) => { if (!sb.dead) sb.schedule(fn, 0, [], true); };
    const request = (options: any, cb: any) => {
      if (!options || typeof options !== 'object') throw new Error('http.request: options must be an object');
      const reqL: Listeners = {};
      const chunks: Buffer[] = [];
      let ended = false;
      const req: any = {
        on: (ev: string, fn: any) => { on(reqL, String(ev), fn); return req; },
        write: (d: any) => { chunks.push(Buffer.from(sb.toBytes(d))); },
        end: (d?: any) => {
          if (ended) return;
          ended = true;
          if (d !== undefined && d !== null) chunks.push(Buffer.from(sb.toBytes(d)));
          send(Buffer.concat(chunks));
        },
      };
      const fail = (message: string) => deliver(() => emit(reqL, 'error', [{ message, code: message }]));
      const send = (body: Buffer) => {
        if (!networkUp()) {
          // no route: nothing leaves the board; the request times out
          sb.schedule(() => emit(reqL, 'error', [{ message: 'ETIMEDOUT (network down)', code: 'ETIMEDOUT' }]), NETWORK_DOWN_TIMEOUT_MS, [], true);
          return;
        }
        const headers: { [k: string]: string } = {};
        if (options.headers && typeof options.headers === 'object') for (const k of Object.keys(options.headers)) headers[k] = String(options.headers[k]);
        io.track(new Promise<void>((resolve) => {
          let settled = false;
          const r = http.request({
            host: String(options.host || '127.0.0.1'), port: Number(options.port) || 80, path: String(options.path || '/'),
            method: String(options.method || 'GET'), headers,
          }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => {
              if (settled) return;
              settled = true;
              const status = res.statusCode || 0;
              const data = Buffer.concat(parts).toString('latin1');
              const resHeaders: { [k: string]: string } = {};
              for (const k of Object.keys(res.headers)) resHeaders[k] = String(res.headers[k]);
              deliver(() => {
                const resL: Listeners = {};
                const resObj: any = {
                  statusCode: String(status), statusMessage: res.statusMessage || '', headers: resHeaders,
                  on: (ev: string, fn: any) => { on(resL, String(ev), fn); return resObj; },
                };
                if (typeof cb === 'function') sb.call(cb, sb.global, [resObj]);
                // Espruino delivers the body in chunks, then 'close'
                for (let i = 0; i < data.length; i += 64) emit(resL, 'data', [data.slice(i, i + 64)]);
                emit(resL, 'end', []);
                emit(resL, 'close', []);
              });
              resolve();
            });
            res.on('error', (e: any) => { if (!settled) { settled = true; fail(String(e.code || e.message)); resolve(); } });
          });
          r.setTimeout(REAL_TIMEOUT_MS, () => r.destroy(Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' })));
          r.on('error', (e: any) => { if (!settled) { settled = true; fail(String(e.code || e.message)); resolve(); } });
          r.end(body);
        }));
      };
      return req;
    };
    const m: any = vmObject(sb);
    m.request = request;
    m.get = (options: any, cb: any) => { const r = request({ ...options, method: 'GET' }, cb); r.end(); return r; };
    return m;
  };
}

/**
 * `Wifi` (ESP32/ESP8266) and `EspruinoWiFi`: connect(ssid, {password}, cb) associates after
 * ASSOCIATE_MS of virtual time. The access point is always there: `network down` is the link
 * beyond it (the request fails, not the association).
 */
export const ASSOCIATE_MS = 1000;
export function wifiModule(): (sb: EspruinoSandbox) => any {
  return (sb: EspruinoSandbox) => {
    const m: any = vmObject(sb);
    let connected = false;
    m.connect = (ssid: any, opts: any, cb: any) => {
      sb.schedule(() => { connected = true; if (typeof cb === 'function') sb.call(cb, sb.global, [null]); }, ASSOCIATE_MS, [], true);
    };
    m.disconnect = (cb: any) => { connected = false; if (typeof cb === 'function') sb.schedule(() => sb.call(cb, sb.global, []), 0, [], true); };
    m.getStatus = () => ({ station: connected ? 'connected' : 'off' });
    m.getIP = (cb: any) => {
      const ip = { ip: connected ? '192.168.1.50' : '0.0.0.0' };
      if (typeof cb === 'function') sb.schedule(() => sb.call(cb, sb.global, [null, ip]), 0, [], true);
      return ip;
    };
    m.on = () => undefined;
    return m;
  };
}

function vmObject(sb: EspruinoSandbox): any {
  return new (sb.global.Object as ObjectConstructor)();
}
