// `npm pack` gives an installable qrgate: the packed tarball holds the build (build/host, dist/) and
// every file the command loads, depends at run time only on what package.json's dependencies name,
// and once installed with `npm i -g` into an empty prefix runs --version, sim, verify, flash (against
// the installed `qrgate board`) and the collector, from a folder outside the checkout.
//
// The test packs the build that `make test` has just made (`npm pack --ignore-scripts`: the
// prepack script, `make build`, would only make it again). Installing is offline-friendly
// (--prefer-offline: npm ci warmed the cache). better-sqlite3 has no prebuilt binary here (its
// download needs a host other than the registry), so its install would compile SQLite (about two
// minutes); the test hands it the addon this checkout's npm ci already built, as a local prebuild
// (prebuild-install's npm_config_<package>_local_prebuilds), which is the same file.
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import { builtinModules } from 'module';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../util/shared';

const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

/** Modules of Espruino (required by the device code compiled into build/host, never on Node). */
const ESPRUINO_MODULES = ['Storage', 'Flash', 'Wifi', 'EspruinoWiFi', 'http', 'crypto', 'heatshrink'];
/** Requires that only building bundles makes (boards.ts loads its bundler lazily). */
const BUILD_ONLY = ['build/host/tools/build/boards.js -> ./bundle.js'];

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd || REPO, encoding: 'utf8', timeout: opts.timeout || 120000, env: { ...process.env, ...(opts.env || {}) }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout || '', stderr: (r.stderr || '') + (r.error ? String(r.error) : '') };
}

/** Relative requires that resolve to no packed file, and bare ones, from the command's entry. */
function requiresOf(files: Set<string>, entry: string): { missing: string[]; bare: Set<string> } {
  const missing: string[] = [];
  const bare = new Set<string>();
  const seen = new Set<string>();
  const walk = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const src = fs.readFileSync(path.join(REPO, f), 'utf8');
    const re = /require(?:\.resolve)?\((['"])([^'"]+)\1\)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(src))) {
      const spec = m[2];
      if (!spec.startsWith('.')) { bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]); continue; }
      if (BUILD_ONLY.indexOf(`${f} -> ${spec}`) >= 0) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      const hit = [base, base + '.js', base + '.json', base + '/index.js'].find((c) => files.has(c));
      if (!hit) missing.push(`${f} -> ${spec}`);
      else if (hit.endsWith('.js')) walk(hit);
    }
  };
  walk(entry);
  return { missing, bare };
}

describe('npm pack: the installable qrgate', function () {
  this.timeout(600000);
  let dir: string;
  let tarball: string;
  let packed: { path: string; size: number }[];
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qg-pack-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('packs the build, the bundles and what the command reads, and nothing for development', () => {
    assert.equal(PKG.scripts.prepack, 'make build', 'npm pack builds first');
    assert.equal(PKG.license, 'MIT');
    assert.ok(PKG.private, 'never published by accident');
    assert.ok(fs.existsSync(path.join(REPO, 'build', 'host', 'tools', 'qrgate.js')) && fs.existsSync(path.join(REPO, 'dist', 'gate.js')), 'make build first');
    const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout)[0];
    tarball = path.join(dir, info.filename);
    packed = info.files;
    const names = new Set(packed.map((f) => f.path));
    for (const want of ['bin/qrgate.js', 'LICENSE', 'README.md', 'package.json', 'build/host/tools/qrgate.js', 'dist/gate.js', 'dist/gate-esp32.js',
      'dist/gate-linux.js', 'proto/log.proto', 'data/divoc/contexts/LICENSE', 'docs/qg1.md', 'docs/qrgate.md',
      'tools/collector/web/index.html', 'tools/collector/web/app.js']) {
      assert.ok(names.has(want), `the package holds ${want}`);
    }
    for (const n of names) {
      assert.doesNotMatch(n, /\.ts$|\.map$|^build\/host\/test\/|^test\/|^data\/vectors\/|^node_modules\//, `${n} is for development only`);
    }
    // every file the command can load is packed; every package it loads is a dependency
    const { missing, bare } = requiresOf(names, 'build/host/tools/qrgate.js');
    assert.deepEqual(missing, [], 'requires that resolve to no packed file');
    const deps = Object.keys(PKG.dependencies);
    const stray = [...bare].filter((m) => builtinModules.indexOf(m) < 0 && !m.startsWith('node:') && ESPRUINO_MODULES.indexOf(m) < 0 && deps.indexOf(m) < 0);
    assert.deepEqual(stray, [], 'packages the command loads that are not dependencies');
    const unused = deps.filter((d) => !bare.has(d));
    assert.deepEqual(unused, [], 'dependencies the command never loads (make them devDependencies)');
    // eslint-disable-next-line no-console
    console.log(`      package: ${info.filename}, ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${info.entryCount} files`);
  });

  it('installs with npm i -g into an empty prefix and runs from there', async () => {
    assert.ok(tarball, 'packed above');
    const prefix = path.join(dir, 'prefix');
    const env: NodeJS.ProcessEnv = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    const addon = path.join(REPO, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const sqliteVersion = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
    if (fs.existsSync(addon)) {
      const lp = path.join(dir, 'prebuilds');
      fs.mkdirSync(lp);
      const name = `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
      const t = run('tar', ['czf', path.join(lp, name), '-C', path.join(REPO, 'node_modules', 'better-sqlite3'), 'build/Release/better_sqlite3.node']);
      assert.equal(t.status, 0, t.stderr);
      env.npm_config_better_sqlite3_local_prebuilds = lp;
    }
    const t0 = Date.now();
    const inst = run('npm', ['i', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir, env, timeout: 540000 });
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(inst.status, 0, inst.stderr);
    const home = path.join(prefix, 'lib', 'node_modules', 'qrgate');
    const mods = fs.readdirSync(path.join(home, 'node_modules'));
    for (const dev of Object.keys(PKG.devDependencies)) assert.ok(mods.indexOf(dev) < 0, `${dev} (a devDependency) is not installed`);
    // eslint-disable-next-line no-console
    console.log(`      npm i -g: ${seconds.toFixed(1)} s, ${mods.length} packages in node_modules`);

    const qrgate = path.join(prefix, 'bin', 'qrgate');
    // a folder outside the checkout: the scenario and the fixtures it names, copied
    const work = path.join(dir, 'work');
    fs.mkdirSync(path.join(work, 'scenarios'), { recursive: true });
    fs.mkdirSync(path.join(work, 'fixtures'));
    for (const f of ['gate.json', 'trust.bin', 'root.jwk']) fs.copyFileSync(path.join(REPO, 'test', 'fixtures', f), path.join(work, 'fixtures', f));
    fs.copyFileSync(path.join(REPO, 'test', 'scenarios', 'ok.json'), path.join(work, 'scenarios', 'ok.json'));
    const q = (args: string[]) => run(qrgate, args, { cwd: work, env: { QRGATE_BUILD: '' } });

    let r = q(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `qrgate ${PKG.version}\n`);
    r = q(['sim', 'scenarios/ok.json']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /"event":"decision","decision":"open","reason":"ok"/);
    const scan = JSON.parse(fs.readFileSync(path.join(work, 'scenarios', 'ok.json'), 'utf8')).steps[0].scan;
    r = q(['verify', '--config', 'fixtures/gate.json', '--trust', 'fixtures/trust.bin', '--at', '2021-09-27T08:00:00Z', scan]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).decision, 'open');
    r = q(['config', 'init', '--root', 'fixtures/root.jwk', '--out', 'new.json']);
    assert.equal(r.status, 0, r.stderr);
    r = q(['config', 'check', 'new.json']);
    assert.equal(r.status, 0, r.stderr);

    // the installed board, flash, doctor and collector
    const board = spawn(qrgate, ['board', '--listen', '127.0.0.1:0', '--flash', path.join(work, 'board')], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, QRGATE_BUILD: '' } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        board.stdout!.on('data', (d) => { out += d; const m = /listening on tcp:\/\/[^:]+:(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
        board.on('close', (code) => reject(new Error(`qrgate board exited ${code}`)));
        setTimeout(() => reject(new Error('qrgate board did not start')), 60000);
      });
      const flashed = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const f = spawn(qrgate, ['flash', '--port', `tcp://127.0.0.1:${port}`, '--config', 'fixtures/gate.json', '--trust', 'fixtures/trust.bin', '--quiet'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        f.stderr.on('data', (d) => { err += d; });
        f.on('close', (code) => resolve({ code, err }));
      });
      assert.equal(flashed.code, 0, flashed.err);
    } finally {
      board.kill();
    }
    r = q(['collector', 'query', '--db', 'none.db']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no such file/);
    // the collector with its web page (the page's files and its browser libraries come with the package)
    const users = spawnSync(qrgate, ['collector', 'user', 'add', '--users', path.join(work, 'users.json'), 'officer'],
      { cwd: work, input: 'a long enough password\n', encoding: 'utf8' });
    assert.equal(users.status, 0, users.stderr);
    const col = spawn(qrgate, ['collector', 'serve', '--db', path.join(work, 'entries.db'), '--listen', '127.0.0.1:0',
      '--web', '127.0.0.1:0', '--users', path.join(work, 'users.json')], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const web = await new Promise<number>((resolve, reject) => {
        let out = '';
        col.stdout!.on('data', (d) => { out += d; const m = /"listening".*"web":\{[^}]*"port":(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
        col.on('close', (code) => reject(new Error(`collector exited ${code}`)));
        setTimeout(() => reject(new Error('collector did not start')), 60000);
      });
      for (const p of ['/', '/app.js', '/vendor/chart.js', '/vendor/jsqr.js']) {
        const res = await fetch(`http://127.0.0.1:${web}${p}`);
        assert.equal(res.status, 200, `GET ${p} from the installed collector`);
        assert.ok((await res.text()).length > 100);
      }
    } finally {
      col.kill();
    }
    r = q(['collector', 'query', '--db', 'entries.db']);
    assert.equal(r.status, 0, r.stderr);
  });
});
