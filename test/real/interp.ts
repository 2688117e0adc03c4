// Shared by the tests that run the real Espruino interpreter (ESPRUINO=/path/to/espruino).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { REPO } from '../util/shared';

/** A script that copies host files into Storage in 512-byte chunks (E.openFile: works in a small variable store). */
export function seedScript(files: { name: string; path: string }[]): string {
  const lines = ["var S=require('Storage');"];
  for (const f of files) {
    const size = fs.statSync(f.path).size;
    lines.push(`(function(){var f=E.openFile(${JSON.stringify(f.path)},'r'),o=0,c;` +
      `while(o<${size}){c=f.read(512);if(!c)break;if(o===0)S.write(${JSON.stringify(f.name)},c,0,${size});` +
      `else S.write(${JSON.stringify(f.name)},c,o);o+=c.length;}f.close();` +
      `if(o!==${size})throw new Error('short ${f.name}');print('@seeded ${f.name} '+o);})();`);
  }
  return lines.join('\n') + '\n';
}

/**
 * In a describe(): before all, `run(bin, work)` on the interpreter env ESPRUINO names, with a fresh
 * folder `work` (os.tmpdir()/prefix...) removed after all; without ESPRUINO the suite is skipped
 * and says `skipMsg`.
 */
export function onInterpreter(prefix: string, skipMsg: string, run: (bin: string, work: string) => Promise<void>): void {
  const bin = process.env.ESPRUINO ? path.resolve(process.env.ESPRUINO) : '';
  let work = '';
  before(async function () {
    if (!bin) {
      console.log(skipMsg);
      this.skip();
    }
    if (!fs.existsSync(bin)) throw new Error(`ESPRUINO=${bin} does not exist`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    await run(bin, work);
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
}

/** Host copies of Storage files (name -> bytes) in `work` (f-NAME), for seedScript. */
export function hostFiles(work: string, files: { [name: string]: Uint8Array }): { name: string; path: string }[] {
  return Object.keys(files).map((n) => {
    const p = path.join(work, 'f-' + n);
    fs.writeFileSync(p, files[n]);
    return { name: n, path: p };
  });
}

/**
 * A fresh interpreter in `dir` (made here): its Storage seeded with `files` as a flash writes
 * them (then `afterSeed`, a script, in the same run), then `driver` run until `stop` matches (or
 * `timeoutMs`). Its console output.
 */
export async function seedAndRun(bin: string | string[], dir: string, files: { name: string; path: string }[], driver: string,
  stop: RegExp, timeoutMs: number, seedMs = 120000, afterSeed = ''): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'seed.js'), seedScript(files) + '\n' + afterSeed);
  const seed = await runEspruino(bin, dir, 'seed.js', null, seedMs);
  if ((seed.match(/@seeded /g) || []).length !== files.length) throw new Error('seeding Storage: ' + seed.slice(-2000));
  // (afterSeed, run once the files are in Storage, prints "@after-seed ok" when it did its work)
  if (afterSeed && !/@after-seed ok/.test(seed)) throw new Error('after seeding Storage: ' + seed.slice(-2000));
  fs.writeFileSync(path.join(dir, 'driver.js'), driver);
  return runEspruino(bin, dir, 'driver.js', stop, timeoutMs);
}

/**
 * A test program over the device code: tsc into work/tsc (concurrent `make build-device` runs are
 * not disturbed), `entry(tscDir)` written to work/entry.js and bundled by tools/build/bundle.js into
 * work/prog.js. The program's text.
 */
export function bundleProgram(work: string, entry: (tscDir: string) => string): string {
  const tsc = path.join(work, 'tsc');
  const t = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.device.json', '--outDir', tsc],
    { cwd: REPO, encoding: 'utf8' });
  if (t.status !== 0) throw new Error('tsc: ' + t.stdout + t.stderr);
  fs.writeFileSync(path.join(work, 'entry.js'), entry(tsc));
  const js = path.join(work, 'prog.js');
  const b = spawnSync(process.execPath, [path.join(REPO, 'tools/build/bundle.js'), path.join(work, 'entry.js'), js], { cwd: REPO, encoding: 'utf8' });
  if (b.status !== 0) throw new Error('bundle: ' + b.stdout + b.stderr);
  return fs.readFileSync(js, 'utf8');
}

/** tsc into our own outDir (concurrent `make build-device` runs are not disturbed) + bundle.js. */
export function buildGate(dir: string): string {
  const out = path.join(dir, 'tsc');
  const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.device.json', '--outDir', out],
    { cwd: REPO, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error('tsc: ' + tsc.stdout + tsc.stderr);
  const js = path.join(dir, 'gate.js');
  const b = spawnSync(process.execPath, [path.join(REPO, 'tools/build/bundle.js'), '--gate', path.join(out, 'firmware/main.js'), js],
    { cwd: REPO, encoding: 'utf8' });
  if (b.status !== 0) throw new Error('bundle: ' + b.stdout + b.stderr);
  return js;
}


/**
 * Runs a script (cwd dir: its Storage is dir/espruino.flash) until it exits or `stop` matches.
 * `bin`: the interpreter, or a command and its arguments before the script (['qemu-arm', ARM build]).
 */
export function runEspruino(bin: string | string[], dir: string, script: string, stop: RegExp | null, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const cmd = typeof bin === 'string' ? [bin] : bin;
    const child = spawn(cmd[0], cmd.slice(1).concat([script]), { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }); // idle stdin pipe
    let out = '';
    const take = (d: Buffer) => {
      out += d;
      if (stop && stop.test(out)) child.kill('SIGKILL');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => { out += '\n@timeout\n'; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', () => { clearTimeout(timer); resolve(out.replace(/\r/g, '').replace(/>?\x1b\[J/g, '')); });
  });
}
