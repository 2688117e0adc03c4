// hal/espruino's network pieces: URL parsing without RegExp, and the HttpClient's promise that its
// callback comes exactly once and never synchronously, whatever happens (the function is run here
// over Node's own `http`, whose request() has Espruino's shape; in the simulator and on boards it
// runs over theirs).
import { strict as assert } from 'assert';
import * as http from 'http';
import * as sinon from 'sinon';
import { parseUrl, httpClient, wifiConnect, timers } from '../../../hal/espruino/index';

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
      wifiConnect('', false, 'ssid', 'pw', (e) => { sync = !returned; resolve(e); });
      returned = true;
    });
    assert.equal(sync, false);
    assert.equal(err, 'no Wi-Fi module');
  });

  /** wifiConnect(module, host) with require() answering `modules` (name -> module); the error and what was required. */
  async function joinWith(module: string, host: boolean, modules: { [name: string]: any }): Promise<{ err: string | null; required: string[] }> {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const Module = require('module');
    const oldLoad = Module._load;
    const required: string[] = [];
    Module._load = function (this: any, req: string, ...rest: any[]) {
      if (req in modules) { required.push(req); return modules[req]; }
      return oldLoad.call(this, req, ...rest);
    };
    try {
      const err = await new Promise<string | null>((resolve) => wifiConnect(module, host, 'ssid', 'pw', resolve));
      return { err, required };
    } finally {
      Module._load = oldLoad;
    }
  }

  it('Wi-Fi: joins through the module the board profile names; on the host (the Linux build) none is needed', async () => {
    const joined: string[] = [];
    const fake = (name: string) => ({ connect: (ssid: string, o: any, cb: (e: any) => void) => { joined.push(name + ':' + ssid + ':' + o.password); cb(null); } });
    const modules = { EspruinoWiFi: fake('EspruinoWiFi'), Wifi: fake('Wifi') };
    assert.deepEqual(await joinWith('EspruinoWiFi', false, modules), { err: null, required: ['EspruinoWiFi'] });
    assert.deepEqual(await joinWith('Wifi', false, modules), { err: null, required: ['Wifi'] });
    assert.deepEqual(joined, ['EspruinoWiFi:ssid:pw', 'Wifi:ssid:pw']);
    // a board without one requires nothing; the host's network needs none
    assert.deepEqual(await joinWith('', false, modules), { err: 'no Wi-Fi module', required: [] });
    assert.deepEqual(await joinWith('', true, modules), { err: null, required: [] });
    assert.deepEqual(joined.length, 2);
  });
});

describe('hal/espruino: files placed outside Storage (the loader\'s map line)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('module');
  /** Runs fn with require('Storage') over `files` and E.memoryArea over `flash` (address -> byte). */
  function onBoard<T>(files: { [name: string]: string }, flash: (addr: number) => number, fn: () => T): T {
    const g = globalThis as any;
    const oldLoad = Module._load;
    const hadE = 'E' in g, oldE = g.E;
    const areas: number[][] = [];
    Module._load = function (req: string, ...rest: any[]) {
      return req === 'Storage' ? { read: (n: string) => files[n] } : oldLoad.call(this, req, ...rest);
    };
    g.E = {
      memoryArea: (a: number, l: number) => { areas.push([a, l]); let s = ''; for (let i = 0; i < l; i++) s += String.fromCharCode(flash(a + i)); return s; },
      toArrayBuffer: (s: string) => new Uint8Array(Buffer.from(s, 'latin1')).buffer,
    };
    try { return fn(); } finally { Module._load = oldLoad; if (hadE) g.E = oldE; else delete g.E; }
  }
  const { placedFile, storage } = require('../../../hal/espruino/index');
  const loader = '//qg:qg.ed25519@134610944+5,qg.x@134610952+3\nif(E.CRC32(E.memoryArea(134610960,10))!=1)throw Error("x");eval(E.memoryArea(134610960,10));\n';

  it('reads a file Storage lacks from where the map line says, in place; Storage first; nothing without a map', () => {
    const flash = (a: number) => (a - 134610944) & 0xff;
    onBoard({ '.bootcde': loader, 'qg.cfg': '{}' }, flash, () => {
      assert.equal(placedFile('qg.ed25519'), '\x00\x01\x02\x03\x04');
      assert.equal(placedFile('qg.x'), '\x08\x09\x0a');
      assert.equal(placedFile('qg.cfg'), '{}');
      assert.equal(placedFile('qg.none'), undefined);
      assert.equal(placedFile('qg.ed2551'), undefined, 'a prefix of a name is not the name');
      assert.deepEqual(Array.from(storage().readBytes('qg.ed25519')), [0, 1, 2, 3, 4]);
      assert.equal(storage().readText('qg.x'), '\x08\x09\x0a');
    });
    onBoard({ '.bootcde': '"use strict";var qg=1;//qg:qg.ed25519@1+1' }, flash, () => assert.equal(placedFile('qg.ed25519'), undefined));
    onBoard({}, flash, () => assert.equal(placedFile('qg.ed25519'), undefined));
  });
});

describe('hal/espruino: timers (an interval is a chain of timeouts: test/real/timers.test.ts says why)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => { clock = sinon.useFakeTimers(); });
  afterEach(() => clock.restore());

  it('an interval runs every period until cleared, from outside or from its own callback', () => {
    const t = timers();
    const a: number[] = [], b: number[] = [];
    const ia = t.setInterval(() => a.push(Date.now()), 100);
    const ib = t.setInterval(() => { b.push(Date.now()); if (b.length === 3) t.clearInterval(ib); }, 250);
    assert.notEqual(ia, ib);
    clock.tick(1000);
    assert.deepEqual(a, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    assert.deepEqual(b, [250, 500, 750]);
    t.clearInterval(ia);
    t.clearInterval(ia); // twice, and an id never given: nothing happens
    t.clearInterval(12345);
    clock.tick(1000);
    assert.equal(a.length, 10);
    assert.equal(clock.countTimers(), 0, 'no timeout left armed');
  });

  it('the next run is armed before the callback: one that throws keeps its interval', () => {
    const t = timers();
    let n = 0;
    const id = t.setInterval(() => { n++; throw new Error('boom ' + n); }, 100);
    for (let k = 1; k <= 3; k++) {
      assert.throws(() => clock.tick(100), new RegExp('boom ' + k));
    }
    assert.equal(n, 3);
    assert.equal(clock.countTimers(), 1);
    t.clearInterval(id);
    assert.equal(clock.countTimers(), 0);
  });

  it('timeouts are Espruino\'s own', () => {
    const t = timers();
    let ran = 0;
    t.setTimeout(() => ran++, 50);
    const c = t.setTimeout(() => ran += 10, 60);
    t.clearTimeout(c);
    clock.tick(100);
    assert.equal(ran, 1);
  });
});

describe('hal/espruino: flat buffers for native code (E.getAddressOf, E.defrag)', () => {
  const { flatBuffer, flatAddress, memory } = require('../../../hal/espruino/index');
  /** Runs fn with an E whose first `pieces` typed arrays are not flat; `defrag` present or not. */
  function withE<T>(pieces: number, defrag: boolean, fn: (log: string[]) => T): T {
    const g = globalThis as any;
    const hadE = 'E' in g, oldE = g.E;
    const log: string[] = [];
    const addr = new Map<Uint8Array, number>();
    let next = 0x20000000;
    g.E = {
      getAddressOf: (v: Uint8Array, flat: boolean) => {
        assert.equal(flat, true);
        if (!addr.has(v)) { addr.set(v, pieces > 0 ? 0 : next); if (pieces-- <= 0) next += 0x1000; }
        log.push('addr ' + addr.get(v));
        return addr.get(v);
      },
    };
    if (defrag) g.E.defrag = () => { log.push('defrag'); for (const k of addr.keys()) if (addr.get(k)) { addr.set(k, next); next += 0x1000; } };
    try { return fn(log); } finally { if (hadE) g.E = oldE; else delete g.E; }
  }

  it('a flat buffer at once: no defragmentation', () => {
    withE(0, true, (log) => {
      const b = flatBuffer(100);
      assert.equal(b.length, 100);
      assert.equal(flatAddress(b), 0x20000000);
      assert.deepEqual(log, ['addr 536870912', 'addr 536870912']);
    });
  });

  it('memory fragmented: E.defrag, then one more buffer; the address is asked again after a defrag (buffers move)', () => {
    withE(1, true, (log) => {
      const first = flatBuffer(16);
      const a0 = flatAddress(first);
      const b = flatBuffer(100);
      assert.ok(b && flatAddress(b) > 0);
      assert.deepEqual(log.slice(0, 4), ['addr 0', 'defrag', 'addr 536870912', 'addr 536870912']);
      assert.notEqual(a0, 0);
    });
    withE(1, true, (log) => {
      const keep = flatBuffer(8); // fragmented: defrag, then flat
      const at = flatAddress(keep);
      const other = flatBuffer(8);
      assert.ok(other);
      (globalThis as any).E.defrag();
      assert.notEqual(flatAddress(keep), at, 'the buffer moved');
      assert.equal(log.filter((l) => l === 'defrag').length, 2);
    });
  });

  it('with E.toFlatString (Espruino 2v29): its block or null, never a buffer in pieces', () => {
    withE(0, true, (log) => {
      const E = (globalThis as any).E;
      const asked: number[] = [];
      E.toFlatString = (spec: { data: number; count: number }) => { asked.push(spec.count); return asked.length === 1 ? '\0'.repeat(spec.count) : undefined; };
      E.toArrayBuffer = (str: string) => new Uint8Array(str.length).buffer;
      const b = flatBuffer(4192);
      assert.ok(b instanceof Uint8Array && b.length === 4192 && flatAddress(b) > 0);
      assert.equal(flatBuffer(4192), null, 'no block that large: null (E.toFlatString packs memory itself first)');
      assert.deepEqual(asked, [4192, 4192]);
      assert.ok(!log.includes('defrag'), 'E.toFlatString defragments inside Espruino, not here');
    });
  });

  it('still fragmented after E.defrag, or no E.defrag (SAVE_ON_FLASH builds), or no E.getAddressOf: null', () => {
    withE(2, true, (log) => { assert.equal(flatBuffer(100), null); assert.deepEqual(log, ['addr 0', 'defrag', 'addr 0']); });
    withE(1, false, (log) => { assert.equal(flatBuffer(100), null); assert.deepEqual(log, ['addr 0']); });
    const g = globalThis as any;
    const hadE = 'E' in g, oldE = g.E;
    g.E = {};
    try { assert.equal(flatBuffer(100), null); } finally { if (hadE) g.E = oldE; else delete g.E; }
  });

  it('memory().free: one process.memory() reading', () => {
    const g = globalThis as any;
    const old = g.process.memory;
    let n = 0;
    g.process.memory = () => { n++; return { free: 1234, usage: 3866, total: 5100 }; };
    try { assert.equal(memory().free(), 1234); assert.equal(n, 1); } finally { g.process.memory = old; }
  });
});

describe('hal/espruino: hashes (native through require(\'crypto\'), else the JavaScript ones given)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('module');
  const { hashes } = require('../../../hal/espruino/index');
  function withCrypto<T>(crypto: any, fn: () => T): T {
    const oldLoad = Module._load;
    Module._load = function (req: string, ...rest: any[]) {
      if (req !== 'crypto') return oldLoad.call(this, req, ...rest);
      if (!crypto) throw new Error('Module crypto not found');
      return crypto;
    };
    try { return fn(); } finally { Module._load = oldLoad; }
  }
  const js256 = (d: Uint8Array) => new Uint8Array(32).fill(d.length);
  const native = { SHA256: (d: any) => new Uint8Array(32).fill(0xee).buffer };

  it('native SHA-256 where crypto has it, whether or not a JavaScript one is given', () => {
    for (const js of [js256, null]) {
      const h = withCrypto(native, () => hashes({ sha256: js, sha512: null }));
      assert.equal(h.sha256(new Uint8Array(3))[0], 0xee);
      assert.equal(h.sha256Text('abc')[0], 0xee);
      assert.throws(() => h.sha512(new Uint8Array(1)), /no SHA-512/);
    }
  });

  it('no native SHA-256: the JavaScript one given, or null when none is (a firmware built without it, firmware/build-flags QG_JS_SHA256)', () => {
    for (const c of [null, {}]) {
      const h = withCrypto(c, () => hashes({ sha256: js256, sha512: null }));
      assert.equal(h.sha256(new Uint8Array(3))[0], 3);
      assert.equal(withCrypto(c, () => hashes({ sha256: null, sha512: null })), null);
    }
  });
});
