// A byte link to an Espruino console: `tcp://HOST:PORT` (a board's telnet console, `qrgate board`)
// or a serial device (`/dev/ttyACM0`, `COM3`) through the `serialport` package (installed with the
// npm `espruino` package; loaded only when a serial port is used, because it is a native module).
// Failures become one-line LinkErrors that say what to do.
import * as net from 'net';

export class LinkError extends Error {
  constructor(message: string, readonly kind: 'no-board' | 'in-use' | 'no-port' | 'permission' | 'closed' | 'other') {
    super(message);
  }
}

export interface Link {
  /** Bytes as a byte string (one char per byte). */
  write(bytes: string): Promise<void>;
  onData(cb: (bytes: string) => void): void;
  onClose(cb: (why: string) => void): void;
  close(): Promise<void>;
  readonly description: string;
}

export interface OpenOptions {
  /** Serial speed (USB boards ignore it). */
  baud?: number;
  /** Milliseconds to wait for a TCP connection. */
  timeoutMs?: number;
  /** Console passwords to try on a locked gate (tools/board/unlock.ts; default from QRGATE_CONFIG). */
  passwords?: string[];
}

export function isTcpPort(port: string): boolean {
  return port.indexOf('tcp://') === 0;
}

export function parseTcp(port: string): { host: string; port: number } {
  const rest = port.slice(6).replace(/\/+$/, '');
  const i = rest.lastIndexOf(':');
  const host = i >= 0 ? rest.slice(0, i) : rest;
  const p = i >= 0 ? Number(rest.slice(i + 1)) : 23;
  if (!host || !(p > 0 && p < 65536 && Math.floor(p) === p)) throw new LinkError(`bad port ${port} (expected tcp://HOST:PORT)`, 'other');
  return { host: host.replace(/^\[|\]$/g, ''), port: p };
}

export function openLink(port: string, opts: OpenOptions = {}): Promise<Link> {
  return isTcpPort(port) ? openTcp(port, opts) : openSerial(port, opts);
}

function openTcp(port: string, opts: OpenOptions): Promise<Link> {
  const { host, port: p } = parseTcp(port);
  const timeoutMs = opts.timeoutMs || 5000;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port: p });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new LinkError(`no board answering at ${port}: no connection within ${timeoutMs / 1000} s`, 'no-board'));
    }, timeoutMs);
    sock.once('error', (e: any) => {
      clearTimeout(timer);
      if (e.code === 'ECONNREFUSED') reject(new LinkError(`no board answering at ${port}: connection refused (is the board, or qrgate board, running there?)`, 'no-board'));
      else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reject(new LinkError(`no board answering at ${port}: unknown host ${host}`, 'no-board'));
      else if (e.code === 'EADDRINUSE' || e.code === 'EBUSY') reject(new LinkError(`${port} is in use: ${e.message}`, 'in-use'));
      else reject(new LinkError(`cannot connect to ${port}: ${e.message}`, 'other'));
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      let closeCb: ((why: string) => void) | null = null;
      let closed = false;
      sock.on('error', () => { /* reported through close */ });
      sock.on('close', () => { closed = true; if (closeCb) closeCb('connection closed by the board'); });
      resolve({
        description: port,
        write: (bytes) => new Promise((res, rej) => {
          if (closed) { rej(new LinkError(`${port}: connection closed`, 'closed')); return; }
          sock.write(Buffer.from(bytes, 'latin1'), (err) => (err ? rej(new LinkError(`${port}: ${err.message}`, 'closed')) : res()));
        }),
        onData: (cb) => { sock.on('data', (d) => cb(d.toString('latin1'))); },
        onClose: (cb) => { closeCb = cb; },
        close: () => new Promise((res) => {
          if (closed) { res(); return; }
          sock.end(() => res());
          setTimeout(() => { sock.destroy(); res(); }, 500).unref();
        }),
      });
    });
  });
}

function openSerial(path: string, opts: OpenOptions): Promise<Link> {
  let SerialPort: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    SerialPort = require('serialport').SerialPort;
  } catch (e: any) {
    return Promise.reject(new LinkError(`serial ports need the 'serialport' package (npm ci installs it with 'espruino'): ${String(e.message).split('\n')[0]}`, 'other'));
  }
  return new Promise((resolve, reject) => {
    const sp = new SerialPort({ path, baudRate: opts.baud || 115200, autoOpen: false, lock: true });
    sp.open((err: any) => {
      if (err) {
        const m = String(err.message || err);
        if (/ENOENT|No such file|cannot find|File not found/i.test(m)) reject(new LinkError(`no such serial port ${path} (is the board plugged in? qrgate flash --port tcp://... for a simulated board)`, 'no-port'));
        else if (/EBUSY|Cannot lock port|Resource temporarily unavailable|Access denied|in use/i.test(m)) reject(new LinkError(`serial port ${path} is in use by another program (close the Web IDE, screen, minicom or another qrgate)`, 'in-use'));
        else if (/EACCES|Permission denied/i.test(m)) reject(new LinkError(`no permission to open ${path} (add yourself to the dialout group, then log in again)`, 'permission'));
        else reject(new LinkError(`cannot open ${path}: ${m}`, 'other'));
        return;
      }
      let closeCb: ((why: string) => void) | null = null;
      let closed = false;
      sp.on('close', () => { closed = true; if (closeCb) closeCb('serial port closed (board unplugged?)'); });
      sp.on('error', () => { /* reported through close */ });
      resolve({
        description: path,
        write: (bytes) => new Promise((res, rej) => {
          if (closed) { rej(new LinkError(`${path}: port closed`, 'closed')); return; }
          sp.write(Buffer.from(bytes, 'latin1'), (e: any) => {
            if (e) { rej(new LinkError(`${path}: ${e.message}`, 'closed')); return; }
            sp.drain(() => res());
          });
        }),
        onData: (cb) => { sp.on('data', (d: Buffer) => cb(d.toString('latin1'))); },
        onClose: (cb) => { closeCb = cb; },
        close: () => new Promise((res) => { if (closed) res(); else sp.close(() => res()); }),
      });
    });
  });
}
