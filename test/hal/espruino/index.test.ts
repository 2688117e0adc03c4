// hal/espruino's network pieces: URL parsing without RegExp, and the HttpClient's promise that its
// callback comes exactly once and never synchronously, whatever happens (the function is run here
// over Node's own `http`, whose request() has Espruino's shape; in the simulator and on boards it
// runs over theirs).
import { strict as assert } from 'assert';
import * as http from 'http';
import { parseUrl, httpClient, wifiConnect } from '../../../hal/espruino/index';

describe('hal/espruino: http', () => {
  it('parses collector addresses', () => {
    assert.deepEqual(parseUrl('http://127.0.0.1:8700/ingest'), { protocol: 'http:', host: '127.0.0.1', port: 8700, path: '/ingest' });
    assert.deepEqual(parseUrl('https://collector.example.org/ingest?x=1'), { protocol: 'https:', host: 'collector.example.org', port: 443, path: '/ingest?x=1' });
    assert.deepEqual(parseUrl('HTTP://gate-collector'), { protocol: 'http:', host: 'gate-collector', port: 80, path: '/' });
    assert.deepEqual(parseUrl('http://[::1]:8080/x'), { protocol: 'http:', host: '::1', port: 8080, path: '/x' });
    for (const bad of ['', 'ftp://a/b', 'http://', 'http://:80/', 'http://a:/x', 'http://a:0/', 'http://a:65536/', 'http://a:8x/', 'http://[::1/x', '127.0.0.1:80/ingest']) {
      assert.equal(parseUrl(bad), null, bad);
    }
  });

  it('calls back once, asynchronously: an answer, a refused connection, a request that throws', async () => {
    const srv = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c) => parts.push(c));
      req.on('end', () => res.writeHead(201, { 'content-type': 'text/plain' }).end('got ' + Buffer.concat(parts).length));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as any).port;
    const c = httpClient();
    const call = (url: string, headers: any = {}) => new Promise<{ status: number; body: string; error: string; sync: boolean }>((resolve) => {
      let returned = false, n = 0;
      c.request(url, 'POST', headers, new Uint8Array([1, 2, 3]), (status, body, error) => {
        n++;
        setTimeout(() => { assert.equal(n, 1, 'one callback'); resolve({ status, body: Buffer.from(body).toString('latin1'), error, sync: !returned }); }, 20);
      });
      returned = true;
    });
    try {
      const ok = await call(`http://127.0.0.1:${port}/ingest`, { 'Content-Type': 'application/x-protobuf' });
      assert.deepEqual([ok.status, ok.body, ok.sync], [201, 'got 3', false]);
      const refused = await call('http://127.0.0.1:1/ingest');
      assert.equal(refused.status, 0);
      assert.ok(/ECONNREFUSED/.test(refused.error), refused.error);
      assert.equal(refused.sync, false);
      // a request that throws inside request() (here: a header Node refuses) is reported later
      const thrown = await call(`http://127.0.0.1:${port}/ingest`, { 'X-Bad': 'a\nb' });
      assert.equal(thrown.status, 0);
      assert.equal(thrown.sync, false);
      assert.ok(thrown.error.length > 0);
      const badUrl = await call('nonsense');
      assert.deepEqual([badUrl.status, badUrl.error, badUrl.sync], [0, 'bad url nonsense', false]);
    } finally {
      srv.close();
    }
  });

  it('Wi-Fi: a board without a Wi-Fi module says so, asynchronously', async () => {
    let returned = false, sync = false;
    const err = await new Promise<string | null>((resolve) => {
      wifiConnect('ssid', 'pw', (e) => { sync = !returned; resolve(e); });
      returned = true;
    });
    assert.equal(sync, false);
    assert.equal(err, 'no Wi-Fi module');
  });
});
