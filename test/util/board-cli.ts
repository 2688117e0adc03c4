// Running the shipped command, bin/qrgate.js (the compiled host code after make build), from the
// board tests: one-shot runs and long-running ones (monitor, board) stopped with a signal.
import * as path from 'path';
import { spawn, ChildProcess } from 'child_process';
import { REPO } from './shared';

const BIN = path.join(REPO, 'bin', 'qrgate.js');
/** The compiled command bin/qrgate.js runs when it is up to date (tests skip without it). */
export const BUILT = path.join(REPO, 'build', 'host', 'tools', 'qrgate.js');

export interface Run { code: number | null; stdout: string; stderr: string; ms: number }

/** Run the shipped command, bin/qrgate.js. */
export function cli(args: string[], timeoutMs = 60000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`qrgate ${args.join(' ')} still running after ${timeoutMs} ms; stderr: ${stderr}`)); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); });
  });
}

/** A long-running qrgate (monitor, board): its output so far, and a way to stop it with a signal. */
export function cliBackground(args: string[]): { child: ChildProcess; out: () => string; err: () => string; waitFor: (re: RegExp, ms?: number) => Promise<void>; stop: (sig?: NodeJS.Signals) => Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  return {
    child, out: () => out, err: () => err,
    waitFor: async (re, ms = 30000) => {
      const t0 = Date.now();
      while (!re.test(out)) {
        if (Date.now() - t0 > ms) throw new Error(`no ${re} in ${JSON.stringify(out)} (stderr ${JSON.stringify(err)})`);
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} without ${re}: ${out} ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: (sig = 'SIGINT') => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(child.exitCode); return; }
      child.once('close', (code) => resolve(code));
      child.kill(sig);
      setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 5000);
    }),
  };
}

/** Bundles of the shape flash accepts (only definitions until the last statement). */
export const THROWING_BUNDLE = 'function qgBoot(){var a=1;throw new Error("boom at boot "+a)}qgBoot();';
export const FAULT_BUNDLE = 'function qgBoot(){console.log(\'@qg {"ev":"fault","what":"uplink","why":"the collector answers 404 at /"}\')}qgBoot();';


/** `qrgate board` (the built command) on a free TCP port, its flash in `dir`, at a fixed clock. */
export function startBuiltBoard(dir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'board', '--listen', '127.0.0.1:0', '--flash', dir, '--clock', '2021-09-27T08:00:00Z'],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on tcp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr!.on('data', (d) => { out += d; });
    child.on('close', (code) => reject(new Error(`qrgate board exited ${code}: ${out}`)));
  });
}
