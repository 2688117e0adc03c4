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
import { pseudonyms } from '../../../firmware/pseudonym';
import { encodeBatch, encodeLogRecord, withTrustVersion } from '../../../proto/logrecord';
import { utf8Encode } from '../../../proto/bytes';
import { decodeTrustBundle } from '../../../proto/trustbundle/decode';

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
  /** The subject pseudonym the gate logs for a certificate's text (spec/qg1.md section 7). */
  const subOfPseudonym = (t: string) =>
    Buffer.from(pseudonyms(new Uint8Array(Buffer.from(config.site.secret, 'hex')), (parseScan(t, sha256) as any).sub, null).subject).toString('hex');
  /** The version of the trust bundle the simulated gate uses (test/fixtures/trust.bin). */
  const trustVersion = decodeTrustBundle(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'trust.bin')))).version;
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
    // A gate that counts the people inside (capacity.max): its entries carry the occupancy.
    const cfg = { ...config, uplink: { transport: 'wifi', url: `http://127.0.0.1:${ingestPort}/ingest`, batch: 5, intervalMs: 10000 },
      capacity: { max: 10, saveS: 0 } };
    const res = await runScenario({
      config: cfg, trust: path.join(FIXTURES, 'trust.bin'), clock: certs.clock,
      steps: [{ scan: positive }, { wait: 60000 }, { scan: certs.certs[contactName].text }, { wait: 30000 }],
    }, { baseDir: FIXTURES });
    assert.ok(res.ok, JSON.stringify(res.failures || res));

    await page.click('#refresh');
    await page.waitForSelector(`#gates tr[data-gate="${config.gateId}"]`, { timeout: 20000 });
    const row = await page.$eval(`#gates tr[data-gate="${config.gateId}"]`, (tr: any) => Array.from(tr.cells).map((c: any) => c.textContent));
    assert.equal(row[2], '2', `records of the gate: ${row}`);
    // Its state as its batches said it: nothing left behind, the trust bundle it uses, its clock.
    const col = (name: string) => page.$eval(`#gates tr[data-gate="${config.gateId}"] td[data-col="${name}"]`, (td: any) => td.textContent);
    assert.equal(await col('backlog'), '0');
    assert.equal(await col('trust'), String(trustVersion));
    assert.equal(await col('clock'), 'set');
    assert.equal(await col('conflicts'), '0');
    assert.equal(await page.$eval('#conflicts', (e: any) => e.hidden), true, 'no conflict, no alarm');

    // Occupancy over time: the day of the scenario's clock; two people went in within the hour.
    await page.$eval('#hours-to', (e: any, d: string) => { e.value = d; e.dispatchEvent(new Event('change')); }, certs.clock.slice(0, 10));
    await page.waitForFunction(() => {
      const c = (globalThis as any).Chart.getChart((globalThis as any).document.getElementById('occupancy'));
      return c && c.data.datasets.length > 0;
    });
    const occ = await page.evaluate(() => {
      const c = (globalThis as any).Chart.getChart((globalThis as any).document.getElementById('occupancy'));
      return c.data.datasets.map((d: any) => [d.label, d.data.filter((v: any) => v !== null)]);
    });
    assert.deepEqual(occ, [[config.gateId, [2]]]);
    assert.equal(await page.$eval('#no-occupancy', (e: any) => e.hidden), true);

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

    // A board restored from an old image sends seq 0 again with other contents: a true conflict,
    // shown loudly with both copies (and the trace keeps the first). Its batch says 5 records stay
    // behind it (Batch.backlog).
    const other = { seq: 0, time: Date.parse(certs.clock) / 1000 + 5, decision: 'deny', reason: 'expired', format: 'qg1', kind: 'entry',
      kid: utf8Encode('kid-x'), subject: new Uint8Array(16).fill(7), cert: new Uint8Array(16).fill(8), clockUntrusted: false, dropped: 0 };
    const post = await request(ingestPort, 'POST', '/ingest', Buffer.from(withTrustVersion(encodeBatch(config.gateId, [encodeLogRecord(other as any, 0)]), trustVersion, 5)) as any,
      { 'content-type': 'application/x-protobuf' });
    assert.equal(post.status, 200);
    await page.click('#refresh');
    await page.waitForSelector('#conflicts', { visible: true });
    assert.match(await page.$eval('#conflicts-title', (e: any) => e.textContent), new RegExp(`^1 conflicting record \\(${config.gateId}: 1\\)`));
    const copies = await page.$$eval(`#conflict-list tbody.conflict[data-gate="${config.gateId}"] tr`,
      (rows: any[]) => rows.map((r) => [r.className, r.cells[2].textContent, r.cells[6].textContent, r.cells[8].textContent]));
    assert.deepEqual(copies, [['stored', '0', 'open', subOfPseudonym(positive)], ['kept', '0', 'deny', '07'.repeat(16)]]);
    await page.waitForFunction((g: string) => {
      const td = (globalThis as any).document.querySelector(`#gates tr[data-gate="${g}"] td[data-col="conflicts"]`);
      return td && td.textContent === '1';
    }, {}, config.gateId);
    assert.equal(await col('backlog'), '5');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
