// The real Espruino Linux interpreter (ESPRUINO=/path/to/espruino) as a board for the tests: it
// runs with --telnet in a private network namespace (`unshare -rn`), because its telnet port is
// fixed at 2323 and other interpreters on the machine may listen there too (SO_REUSEPORT would
// hand our connections to them). A TCP port on the host's loopback relays each connection into
// the namespace (`nsenter -n`), so tcp://127.0.0.1:PORT reaches our interpreter only.
import * as net from 'net';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, spawnSync, ChildProcess } from 'child_process';
import { tmpDir } from './board';

export interface RealBoard { port: number; dir: string; stop(): Promise<void> }

/** Why the real interpreter cannot be used here, or '' when it can. */
export function realBoardUnavailable(): string {
  const bin = process.env.ESPRUINO;
  if (!bin) return 'ESPRUINO is not set (point it at an Espruino Linux build to run these tests)';
  if (!fs.existsSync(bin)) return `ESPRUINO=${bin} does not exist`;
  const r = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' });
  if (r.status !== 0) return 'unshare -rn (a private network namespace for the interpreter\'s fixed telnet port 2323) is not available';
  const n = spawnSync('nsenter', ['--version'], { stdio: 'ignore' });
  if (n.status !== 0) return 'nsenter is not available';
  return '';
}

const RELAY = "const n=require('net');const s=n.connect(2323,'127.0.0.1');process.stdin.pipe(s);s.pipe(process.stdout);" +
  "s.on('error',()=>process.exit(1));s.on('close',()=>process.exit(0));process.stdin.on('end',()=>s.end());";

export async function startRealBoard(): Promise<RealBoard> {
  const bin = path.resolve(process.env.ESPRUINO as string);
  const dir = tmpDir('espruino');
  const script = 'ip link set lo up && mkfifo in && exec "$0" --telnet 0<>in';
  const child: ChildProcess = spawn('unshare', ['-rn', 'sh', '-c', script, bin], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const pid = child.pid as number;
  // wait until the telnet server listens inside the namespace
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('nsenter', ['-t', String(pid), '-n', 'sh', '-c', 'cat /proc/net/tcp'], { encoding: 'utf8' });
    if (r.stdout && /:0913 /.test(r.stdout)) break; // 2323 = 0x0913
    if (child.exitCode !== null) throw new Error('espruino exited: ' + out);
    await new Promise((res) => setTimeout(res, 100));
  }
  const relays: ChildProcess[] = [];
  const server = net.createServer((sock) => {
    const relay = spawn('nsenter', ['-t', String(pid), '-n', process.execPath, '-e', RELAY], { stdio: ['pipe', 'pipe', 'ignore'] });
    relays.push(relay);
    sock.pipe(relay.stdin!);
    relay.stdout!.pipe(sock);
    // The interpreter (or the relay) may go while bytes are in flight: a closed pipe ends the link.
    relay.stdin!.on('error', () => sock.destroy());
    relay.stdout!.on('error', () => sock.destroy());
    relay.on('close', () => sock.destroy());
    sock.on('close', () => { relay.stdin!.end(); setTimeout(() => { if (relay.exitCode === null) relay.kill(); }, 500); });
    sock.on('error', () => relay.kill());
  });
  const port = await new Promise<number>((res) => server.listen(0, '127.0.0.1', () => res((server.address() as net.AddressInfo).port)));
  return {
    port, dir,
    stop: async () => {
      for (const r of relays) if (r.exitCode === null) r.kill();
      await new Promise<void>((res) => server.close(() => res()));
      if (child.exitCode === null) {
        const done = new Promise<void>((res) => child.once('close', () => res()));
        child.kill('SIGTERM');
        const hard = setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 2000);
        await done;
        clearTimeout(hard);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
