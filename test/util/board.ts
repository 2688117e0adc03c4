// Shared pieces of the board tests: the mini firmware bundle, fixtures, running qrgate commands.
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { spawn, ChildProcess } from 'child_process';
import { REPO } from './shared';

export const FIXTURES = path.join(REPO, 'test', 'fixtures');
export const GATE_JSON = path.join(FIXTURES, 'gate.json');
export const TRUST_BIN = path.join(FIXTURES, 'trust.bin');
export const DIST = path.join(REPO, 'dist', 'gate.js');

let mini: Uint8Array | null = null;

/** test/util/mini-firmware.ts as one IIFE (esbuild), the shape make build-device produces. */
export function miniBundle(): Uint8Array {
  if (mini) return mini;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const esbuild = require('esbuild');
  const r = esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'mini-firmware.ts')], bundle: true, format: 'iife', target: 'es2015',
    platform: 'neutral', external: ['Storage', 'crypto'], write: false, logLevel: 'silent', legalComments: 'none',
  });
  // esbuild's shim for external require() mentions Proxy; Espruino has a plain global require
  // (tools/build/bundle.js does the same for dist/gate.js)
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  let code: string = require('../../tools/build/bundle.js').plainRequire(r.outputFiles[0].text);
  code = esbuild.transformSync(code, { minify: true, target: 'es2015', legalComments: 'none' }).code;
  mini = new Uint8Array(Buffer.from(code, 'utf8'));
  return mini;
}

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qg-${tag}-`));
}

export function writeTmp(dir: string, name: string, data: Uint8Array | string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

export interface Run { code: number | null; stdout: string; stderr: string }

/** bin/qrgate.js: the built command, as shipped (make build; never the sources: test/util/setup.ts). */
export const QRGATE_BIN = path.join(REPO, 'bin', 'qrgate.js');

/** Run `qrgate ARGS` (the built command). */
export function qrgate(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QRGATE_BIN, ...args], {
      cwd: REPO, env: { ...process.env, ...(opts.env || {}) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`qrgate ${args.join(' ')} timed out; stderr: ${stderr}`)); }, opts.timeoutMs || 60000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Start `qrgate board` as a child process; resolves with its port once it listens. */
export function startBoardProcess(args: string[]): Promise<{ child: ChildProcess; port: number; out: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QRGATE_BIN, 'board', '--listen', '127.0.0.1:0', ...args], {
      cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on tcp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), out: () => out + err });
    });
    child.stderr!.on('data', (d) => { err += d; });
    child.on('close', (code) => reject(new Error(`qrgate board exited ${code}: ${err}`)));
    setTimeout(() => reject(new Error('qrgate board did not start: ' + err)), 30000);
  });
}

export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) { resolve(); return; }
    child.once('close', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 3000);
  });
}
