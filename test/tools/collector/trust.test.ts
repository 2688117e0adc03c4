// tools/collector/trust.ts and `qrgate collector trust publish|status` / `serve --trust-dir`:
// the collector publishes a checked bundle, hands it to a Wi-Fi gate whose batch reports an older
// version (Ack field 6) and to a LoRa gate fragment by fragment (FPort 201), and reports each
// gate's trust version.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, execFile, ChildProcess } from 'child_process';
import { TrustDir, decodeTrustStatusHost, fragSizeFor } from '../../../tools/collector/trust';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { startCollectorServer } from '../../../tools/collector/server';
import { encodeBatch, decodeAck, withTrustVersion } from '../../../proto/logrecord';
import { decodeTrustFragment, encodeTrustStatus } from '../../../proto/trustfrag';
import { REPO } from '../../util/shared';
import { tmpdir, post } from '../../util/collector';

const FIX = path.join(REPO, 'test', 'fixtures');
const V1 = fs.readFileSync(path.join(FIX, 'trust.bin'));
const V2 = fs.readFileSync(path.join(FIX, 'trust-v2.bin'));
const QRGATE = path.join(REPO, 'bin', 'qrgate.js');

function qrgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QRGATE, ...args], { cwd: REPO }, (err: any, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

function loraUp(devEui: string, fPort: number, payload: Uint8Array): string {
  return JSON.stringify({ end_device_ids: { dev_eui: devEui }, uplink_message: { f_port: fPort, frm_payload: Buffer.from(payload).toString('base64') } });
}

describe('tools/collector/trust: trust updates at the collector', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => { dir = tmpdir(); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('publishes only a higher version; Wi-Fi: the bundle goes to a gate that is behind, and only to it', () => {
    const t = new TrustDir(path.join(dir, 't'));
    assert.equal(t.published(), null);
    assert.equal(t.forWifi('g1', 1), null);
    assert.deepEqual(t.publish(V1), { version: 1, previous: null });
    assert.throws(() => t.publish(V1), /not above/);
    assert.deepEqual(t.publish(V2), { version: 2, previous: 1 });
    assert.deepEqual(t.forWifi('g1', 1), V2);
    assert.equal(t.forWifi('g2', 2), null);
    assert.equal(t.forWifi('g3', 3), null);
    const g = new TrustDir(t.dir).gates();
    assert.deepEqual(Object.keys(g).sort(), ['g1', 'g2', 'g3']);
    assert.equal(g.g1.version, 1);
  });

  it('LoRa: the next missing fragment, round robin, sized for the data rate; nothing once the gate is current', () => {
    const t = new TrustDir(path.join(dir, 't'));
    t.publish(V2);
    const fs3 = fragSizeFor(3);
    const count = Math.ceil(V2.length / fs3);
    const st = (have: boolean[] | null) => decodeTrustStatusHost(encodeTrustStatus(1, 3, 115, have ? { version: 2, count } : null, have || []));
    const sent: number[] = [];
    for (let i = 0; i < count + 1; i++) sent.push(decodeTrustFragment(new Uint8Array(t.forLora('e1', 'eui-e1', st(null))!)).index);
    assert.deepEqual(sent, [...Array.from({ length: count }, (_, i) => i + 1), 1]);
    // with fragments 1 and 3 in flash: 2, then 4, ... never one the gate holds
    const have = Array.from({ length: count }, (_, i) => i === 0 || i === 2);
    const next = [0, 1, 2].map(() => decodeTrustFragment(new Uint8Array(t.forLora('e1', 'eui-e1', st(have))!)).index);
    for (const n of next) assert.ok(!have[n - 1], `sent fragment ${n} the gate holds`);
    assert.equal(t.forLora('e1', 'eui-e1', decodeTrustStatusHost(encodeTrustStatus(2, 3, 115, null, []))), null);
  });

  it('serve: POST /ingest answers with the bundle for a gate that reports an older version; /lorawan FPort 201 with a fragment', async () => {
    const t = new TrustDir(path.join(dir, 't'));
    t.publish(V2);
    const store = new SqliteStore(path.join(dir, 'c.db'));
    const srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, trust: t });
    try {
      const behind = await post(srv.port, '/ingest', withTrustVersion(encodeBatch('gate-a', []), 1), 'application/x-protobuf');
      assert.equal(behind.status, 200);
      assert.deepEqual(Buffer.from(decodeAck(new Uint8Array(behind.body)).trust!), V2);
      const current = await post(srv.port, '/ingest', withTrustVersion(encodeBatch('gate-b', []), 2), 'application/x-protobuf');
      assert.equal(decodeAck(new Uint8Array(current.body)).trust, undefined);
      // a gate that says nothing of its trust (an older firmware: version 0) gets it too
      const old = await post(srv.port, '/ingest', encodeBatch('gate-c', []), 'application/x-protobuf');
      assert.ok(decodeAck(new Uint8Array(old.body)).trust);
      const lr = await post(srv.port, '/lorawan', loraUp('0004a30b001c0530', 201, encodeTrustStatus(1, 5, 222, null, [])), 'application/json');
      const j = JSON.parse(lr.body.toString());
      assert.equal(j.fPort, 201);
      const f = decodeTrustFragment(new Uint8Array(Buffer.from(j.downlink, 'base64')));
      assert.deepEqual([f.index, f.version, f.size], [1, 2, V2.length]);
      const bad = await post(srv.port, '/lorawan', loraUp('0004a30b001c0530', 201, new Uint8Array([7])), 'application/json');
      assert.equal(bad.status, 400);
      const g = new TrustDir(t.dir).gates();
      assert.deepEqual(Object.keys(g).sort(), ['eui-0004a30b001c0530', 'gate-a', 'gate-b', 'gate-c']);
    } finally {
      await srv.close();
      await store.close();
    }
  });

  it('qrgate collector trust publish checks the signature and the version; status lists the gates', async () => {
    const td = path.join(dir, 'trust');
    const root = ['--root', path.join(FIX, 'root.jwk')];
    const forged = await qrgate(['collector', 'trust', 'publish', '--trust-dir', td, ...root, path.join(FIX, 'trust-v2-forged.bin')]);
    assert.equal(forged.code, 2, forged.stderr);
    assert.match(forged.stderr, /does not verify/);
    const noRoot = await qrgate(['collector', 'trust', 'publish', '--trust-dir', td, path.join(FIX, 'trust-v2.bin')]);
    assert.notEqual(noRoot.code, 0);
    const ok = await qrgate(['collector', 'trust', 'publish', '--trust-dir', td, '--config', path.join(FIX, 'gate.json'), path.join(FIX, 'trust-v2.bin')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { published: 2, previous: null });
    const older = await qrgate(['collector', 'trust', 'publish', '--trust-dir', td, ...root, path.join(FIX, 'trust.bin')]);
    assert.equal(older.code, 2);
    assert.match(older.stderr, /not above the published version 2/);
    // a serving collector picks it up and reports the gate
    const proc: ChildProcess = spawn(process.execPath, [QRGATE, 'collector', 'serve', '--db', path.join(dir, 'c.db'), '--listen', '127.0.0.1:0', '--trust-dir', td],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let buf = '';
        proc.stdout!.on('data', (c) => { buf += c; const l = buf.split('\n').find((x) => x.includes('"listening"')); if (l) resolve(JSON.parse(l).port); });
        proc.on('exit', () => reject(new Error('collector exited')));
      });
      const r = await post(port, '/ingest', withTrustVersion(encodeBatch('gate-x', []), 1), 'application/x-protobuf');
      assert.deepEqual(Buffer.from(decodeAck(new Uint8Array(r.body)).trust!), V2);
    } finally {
      proc.kill('SIGTERM');
    }
    const st = await qrgate(['collector', 'trust', 'status', '--trust-dir', td]);
    assert.equal(st.code, 0, st.stderr);
    const lines = st.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0].gateId, lines[0].version, lines[0].link, lines[0].current], ['gate-x', 1, 'wifi', false]);
  });
});
