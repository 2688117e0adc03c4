// The collector's HTTP server (tools/collector/server.ts), in process on 127.0.0.1: device batches
// acked as the device decodes them, redelivery stored once, refusals, LoRaWAN integrations' uplinks.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { startCollectorServer, CollectorServer } from '../../../tools/collector/server';
import { pseudonyms } from '../../../firmware/pseudonym';
import { LogEntry, encodeBatch, encodeLogRecord, decodeAck } from '../../../proto/logrecord';
import { utf8Encode } from '../../../proto/bytes';
import { SECRET, T0, tmpdir, scan, post } from '../../util/collector';

describe('collector server (in process, 127.0.0.1)', () => {
  let dir: string;
  let store: SqliteStore;
  let srv: CollectorServer;
  beforeEach(async () => {
    dir = tmpdir();
    store = new SqliteStore(path.join(dir, 'c.db'));
    srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, maxBody: 4096 });
  });
  afterEach(async () => { await srv.close(); await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('ingests a device batch and answers with an Ack the device decodes; redelivery is stored once', async () => {
    const body = encodeBatch('gate-1', [0, 1, 2, 5].map((s) => encodeLogRecord(scan(s, T0 + s), s)));
    for (let i = 0; i < 3; i++) {
      const r = await post(srv.port, '/ingest', body, 'application/x-protobuf');
      assert.equal(r.status, 200);
      assert.equal(r.type, 'application/x-protobuf');
      assert.deepEqual(decodeAck(new Uint8Array(r.body)), { gateId: 'gate-1', ranges: [{ first: 0, last: 2 }, { first: 5, last: 5 }] });
    }
    const n = (store.db.prepare('SELECT count(*) AS n FROM entries').get() as any).n;
    assert.equal(n, 4);
  });

  it('refuses what it cannot take: wrong type, malformed, too large, no gate id, other paths', async () => {
    const ok = encodeBatch('g', [encodeLogRecord(scan(1, T0), 1)]);
    assert.equal((await post(srv.port, '/ingest', ok, 'application/json')).status, 415);
    assert.equal((await post(srv.port, '/ingest', new Uint8Array([0x12, 0x40, 1]), 'application/x-protobuf')).status, 400);
    assert.equal((await post(srv.port, '/ingest', encodeBatch('', [encodeLogRecord(scan(1, T0), 1)]), 'application/x-protobuf')).status, 400);
    const big = encodeBatch('g', Array.from({ length: 100 }, (_, s) => encodeLogRecord(scan(s, T0), s)));
    assert.ok(big.length > 4096);
    const r = await post(srv.port, '/ingest', big, 'application/x-protobuf');
    assert.equal(r.status, 413);
    assert.equal((await post(srv.port, '/other', ok, 'application/x-protobuf')).status, 404);
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM entries').get() as any).n, 0);
  });

  it('takes LoRaWAN uplinks from The Things Stack and ChirpStack HTTP integrations', async () => {
    const batch = (seqs: number[]) => Buffer.from(encodeBatch('', seqs.map((s) => encodeLogRecord(scan(s, T0 + s), s)))).toString('base64');
    const tts = { end_device_ids: { device_id: 'gate-a', dev_eui: '70B3D57ED0000001' }, uplink_message: { f_port: 1, frm_payload: batch([0, 1]) } };
    let r = await post(srv.port, '/lorawan', JSON.stringify(tts), 'application/json');
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body.toString());
    assert.equal(j.gateId, 'eui-70b3d57ed0000001');
    assert.deepEqual(j.acked, [[0, 1]]);
    assert.deepEqual(decodeAck(new Uint8Array(Buffer.from(j.downlink, 'base64'))), { gateId: '', ranges: [{ first: 0, last: 1 }] });
    const cs4 = { deviceInfo: { devEui: '70b3d57ed0000002' }, fPort: 1, data: batch([7]) };
    r = await post(srv.port, '/lorawan?event=up', JSON.stringify(cs4), 'application/json');
    assert.equal(JSON.parse(r.body.toString()).gateId, 'eui-70b3d57ed0000002');
    const cs3 = { devEUI: Buffer.from('70b3d57ed0000001', 'hex').toString('base64'), fPort: 1, data: batch([1, 2]) };
    r = await post(srv.port, '/lorawan', JSON.stringify(cs3), 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()).acked, [[1, 2]]);
    // other events and ports are acknowledged to the network server but not stored
    r = await post(srv.port, '/lorawan?event=join', JSON.stringify({ deviceInfo: { devEui: '70b3d57ed0000002' } }), 'application/json');
    assert.ok(JSON.parse(r.body.toString()).ignored);
    r = await post(srv.port, '/lorawan', JSON.stringify({ ...cs4, fPort: 9 }), 'application/json');
    assert.ok(JSON.parse(r.body.toString()).ignored);
    assert.equal((await post(srv.port, '/lorawan', '{"devEUI":"zz","fPort":1,"data":"AA=="}', 'application/json')).status, 400);
    const rows = store.db.prepare('SELECT gate_id, seq FROM entries ORDER BY gate_id, seq').all().map((x: any) => `${x.gate_id}/${x.seq}`);
    assert.deepEqual(rows, ['eui-70b3d57ed0000001/0', 'eui-70b3d57ed0000001/1', 'eui-70b3d57ed0000001/2', 'eui-70b3d57ed0000002/7']);
  });
});
