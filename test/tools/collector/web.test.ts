// The health office's page, in a real browser (Debian's chromium, driven by puppeteer-core):
// log in, see a gate appear after a simulated gate (dist/gate.js in the simulator, Wi-Fi uplink
// over loopback) has uploaded its log, and trace a contact from the positive person's QR text and
// from an image of the QR code. Also: the two listeners keep their jobs apart, and nothing
// without a session. Skipped, saying why, when chromium is not installed.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as QRCode from 'qrcode';
import { runScenario } from '../../../sim/scenario';
import { parseScan } from '../../../firmware/parse';
import { sha256 } from '../../../firmware/crypto/sha256';
import { REPO } from '../../util/shared';

const QRGATE = path.join(REPO, 'bin', 'qrgate.js');
const FIXTURES = path.join(REPO, 'test', 'fixtures');

function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && fs.existsSync(p)) return p;
  return null;
}

function request(port: number, method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers }, (res) => {
      let d = '';
      res.on('data', (c) => { d += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: d }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('collector web page (headless chromium)', function () {
  this.timeout(180000);
  const chromium = chromiumPath();
  let dir: string;
  let proc: ChildProcess | null = null;
  let browser: any = null;
  let ingestPort = 0, webPort = 0;
  const config = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'gate.json'), 'utf8'));
  const certs = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'certs.json'), 'utf8'));
  const subOf = (t: string) => Buffer.from((parseScan(t, sha256) as any).sub).toString('hex');
  const positive = certs.certs.ok.text as string;
  // Another person who passed the same gate a minute later.
  const contactName = Object.keys(certs.certs).find((k) => certs.certs[k].decision === 'open' && !certs.certs[k].config &&
    !certs.certs[k].trust && certs.certs[k].format === 'qg1' && subOf(certs.certs[k].text) !== subOf(positive)) as string;

  before(async function () {
    if (!chromium) { console.log('      skipped: no chromium (apt-get install chromium; `make test` does it when root)'); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-web-'));
    const users = path.join(dir, 'users.json');
    const add = spawnSync(process.execPath, [QRGATE, 'collector', 'user', 'add', '--users', users, 'officer'],
      { input: 'correct horse battery\n', encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    assert.ok(!fs.readFileSync(users, 'utf8').includes('correct horse'), 'the users file holds no password');
    fs.writeFileSync(path.join(dir, 'secret'), config.site.secret + '\n', { mode: 0o600 });
    proc = spawn(process.execPath, [QRGATE, 'collector', 'serve', '--db', path.join(dir, 'c.db'), '--listen', '127.0.0.1:0',
      '--web', '127.0.0.1:0', '--users', users, '--site-secret-file', path.join(dir, 'secret'), '--quiet'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const ports: any = await new Promise((resolve, reject) => {
      let buf = '', err = '';
      proc!.stderr!.on('data', (c) => { err += c; });
      proc!.stdout!.on('data', (c) => {
        buf += c;
        const line = buf.split('\n').find((l) => l.includes('"listening"'));
        if (line) resolve(JSON.parse(line));
      });
      proc!.on('exit', () => reject(new Error('collector exited: ' + err)));
    });
    ingestPort = ports.port;
    webPort = ports.web.port;
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({ executablePath: chromium as string, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });

  after(async () => {
    if (browser) await browser.close();
    if (proc && proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGTERM'); await new Promise((r) => proc!.on('exit', r)); }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the listeners apart and the data behind a login', async () => {
    assert.equal((await request(ingestPort, 'GET', '/api/gates')).status, 404);
    assert.equal((await request(webPort, 'POST', '/ingest', 'x', { 'content-type': 'application/x-protobuf' })).status, 404);
    assert.equal((await request(webPort, 'GET', '/api/gates')).status, 401);
    assert.equal((await request(webPort, 'GET', '/api/entries.csv')).status, 401);
    assert.equal((await request(webPort, 'POST', '/api/trace', JSON.stringify({ text: positive }), { 'content-type': 'application/json' })).status, 401);
    // A form on another site posts urlencoded or text/plain: refused before any handler.
    const form = await request(webPort, 'POST', '/api/login', 'user=officer&password=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
  });

  it('log in, see the gate after its upload, trace a contact from the text and from an image', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e: any) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${webPort}/`, { waitUntil: 'load', timeout: 60000 });
    await page.waitForSelector('#login-form', { visible: true });
    await page.type('#user', 'officer');
    await page.type('#password', 'wrong password!');
    await page.click('#login-button');
    await page.waitForFunction(() => ((globalThis as any).document.getElementById('login-error') as any).textContent.includes('wrong'));
    await page.$eval('#password', (e: any) => { e.value = ''; });
    await page.type('#password', 'correct horse battery');
    await page.click('#login-button');
    await page.waitForSelector('#app', { visible: true });
    await page.waitForSelector('#no-gates', { visible: true });

    // A simulated gate: the shipped firmware decides two scans and sends its log over Wi-Fi.
    const cfg = { ...config, uplink: { transport: 'wifi', url: `http://127.0.0.1:${ingestPort}/ingest`, batch: 5, intervalMs: 10000 } };
    const res = await runScenario({
      config: cfg, trust: path.join(FIXTURES, 'trust.bin'), clock: certs.clock,
      steps: [{ scan: positive }, { wait: 60000 }, { scan: certs.certs[contactName].text }, { wait: 30000 }],
    }, { baseDir: FIXTURES });
    assert.ok(res.ok, JSON.stringify(res.failures || res));

    await page.click('#refresh');
    await page.waitForSelector(`#gates tr[data-gate="${config.gateId}"]`, { timeout: 20000 });
    const row = await page.$eval(`#gates tr[data-gate="${config.gateId}"]`, (tr: any) => Array.from(tr.cells).map((c: any) => c.textContent));
    assert.equal(row[2], '2', `records of the gate: ${row}`);

    await page.type('#trace-text', positive);
    await page.click('#trace-button');
    await page.waitForSelector('#trace-summary');
    const summary = await page.$eval('#trace-summary', (e: any) => e.textContent);
    assert.match(summary, /^1 entries of this person; 1 contacts within 30 minutes/);
    const contact = await page.$$eval('#trace-result tr.contact', (rows: any[]) => rows.map((r) => r.cells[0].textContent));
    assert.deepEqual(contact, ['2021-09-27T08:01:00Z']);

    // The same from a picture of the QR code (decoded in the browser).
    await page.$eval('#trace-text', (e: any) => { e.value = ''; });
    await page.$eval('#trace-result', (e: any) => { e.innerHTML = ''; });
    const png = path.join(dir, 'qr.png');
    await QRCode.toFile(png, positive, { errorCorrectionLevel: 'L' });
    const input = await page.$('#trace-image');
    await input.uploadFile(png);
    await page.waitForFunction((t: string) => ((globalThis as any).document.getElementById('trace-text') as any).value === t, {}, positive);
    await page.click('#trace-button');
    await page.waitForSelector('#trace-summary');
    assert.match(await page.$eval('#trace-summary', (e: any) => e.textContent), /1 contacts/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
