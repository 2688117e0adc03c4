// `qrgate collector serve --workers N` (PostgreSQL only): N worker processes (node:cluster) accept
// connections on the one listening socket, the kernel handing each connection to one of them
// (SCHED_NONE: the primary never touches a connection). Each worker parses, authenticates and
// stores its batches itself, through its own PostgreSQL connection and its own group commit, and
// acknowledges only what its commit made durable, as a single process does.
//
// What a collector keeps in memory across requests stays in one place, the primary
// (server.ts CollectorShared): the nonces seen per gate (a replayed batch is refused whichever
// worker it reaches), the trust versions the gates report (one writer of the trust dir's file),
// and the LoRaWAN devices' in-band definitions (a /lorawan POST is answered by the primary: a
// network server's traffic is small). A worker asks the primary over the cluster's IPC channel.
// The primary also serves the web page (--web) and replaces a worker that dies (a request it held
// was not acknowledged: the gate sends it again).
//
// SQLite has one writer (its file lock): there the collector stays one process.
import cluster, { Worker } from 'cluster';
import { BadRequest, CollectorShared } from './server';

interface Call { qg: number; op: 'fresh' | 'wifiTrust' | 'lorawan'; args: any[] }
interface Answer { qg: number; ok?: any; status?: number; message?: string }

/** The env variable that marks a worker of `collector serve` (set by the primary when it forks). */
export const WORKER_ENV = 'QRGATE_COLLECTOR_WORKER';

export function isCollectorWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === '1';
}

const asBuffer = (b: any): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** In a worker: the primary's shared state, over IPC. */
export function workerShared(): CollectorShared {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: any) => void }>();
  process.on('message', (m: Answer) => {
    if (!m || typeof m.qg !== 'number') return;
    const w = waiting.get(m.qg);
    if (!w) return;
    waiting.delete(m.qg);
    if (m.status) w.reject(m.status === 500 ? new Error(m.message) : new BadRequest(m.status, m.message || ''));
    else w.resolve(m.ok);
  });
  process.on('disconnect', () => {
    for (const w of waiting.values()) w.reject(new Error('the collector\'s primary process is gone'));
    waiting.clear();
  });
  const call = (op: Call['op'], args: any[]): Promise<any> => new Promise((resolve, reject) => {
    if (!process.send || !process.connected) { reject(new Error('the collector\'s primary process is gone')); return; }
    const qg = next++;
    waiting.set(qg, { resolve, reject });
    process.send({ qg, op, args } as Call);
  });
  return {
    fresh: (gateId, epoch, nonce) => call('fresh', [gateId, epoch, nonce]),
    wifiTrust: async (gateId, version) => {
      const b = await call('wifiTrust', [gateId, version]);
      return b ? asBuffer(b) : null;
    },
    lorawan: (event, body) => call('lorawan', [event, body]),
  };
}

/** In the primary: answers a worker's calls from `shared`. */
export function answerWorker(w: Worker, shared: CollectorShared): void {
  w.on('message', (m: Call) => {
    if (!m || typeof m.qg !== 'number') return;
    const reply = (a: Answer) => { if (w.isConnected()) w.send(a); };
    let p: Promise<any>;
    if (m.op === 'fresh') p = shared.fresh(m.args[0], m.args[1], m.args[2]);
    else if (m.op === 'wifiTrust') p = shared.wifiTrust(m.args[0], m.args[1]);
    else if (m.op === 'lorawan') p = shared.lorawan(m.args[0], asBuffer(m.args[1]));
    else p = Promise.reject(new Error('unknown call ' + String(m.op)));
    p.then((ok) => reply({ qg: m.qg, ok }), (e: any) => reply({ qg: m.qg, status: e instanceof BadRequest ? e.status : 500, message: String(e && e.message) }));
  });
}

/**
 * In the primary: forks `n` workers (the same command line, WORKER_ENV set), answers their calls,
 * replaces those that die until stop(). Resolves with the address once every worker listens.
 */
export function startWorkers(n: number, shared: CollectorShared, log: (line: string) => void):
  Promise<{ host: string; port: number; stop(): Promise<void> }> {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ serialization: 'advanced' });
  let stopping = false;
  let addr: { host: string; port: number } | null = null;
  const live = new Set<Worker>();
  return new Promise((resolve, reject) => {
    let listening = 0;
    const fork = (): void => {
      const w = cluster.fork({ [WORKER_ENV]: '1' });
      live.add(w);
      answerWorker(w, shared);
      w.on('message', (m: any) => {
        if (!m || !m.listening) return;
        addr = m.listening;
        if (++listening === n) resolve({ host: addr!.host, port: addr!.port, stop });
      });
      w.on('exit', (code, signal) => {
        live.delete(w);
        if (stopping) return;
        if (listening < n) { stopping = true; for (const o of live) o.kill('SIGTERM'); reject(new Error(`a worker exited while starting (code ${code})`)); return; }
        log(JSON.stringify({ ev: 'error', error: `collector worker ${w.process.pid} exited (${signal || code}); starting another` }));
        fork();
      });
    };
    const stop = (): Promise<void> => {
      stopping = true;
      return Promise.all(Array.from(live).map((w) => new Promise<void>((r) => {
        if (w.isDead()) { r(); return; }
        w.once('exit', () => r());
        w.kill('SIGTERM');
      }))).then(() => undefined);
    };
    for (let i = 0; i < n; i++) fork();
  });
}
