// The collector's LoRaWAN side (tools/collector/lorawire.ts): its /lorawan endpoint stores LoRa
// deliveries (proto/lorawire.ts frames) exactly as Wi-Fi deliveries.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { LoraFrameWriter, decodeLoraAck, LORA_PORT } from '../../../proto/lorawire';
import { LogRecord, encodeBatch, encodeLogRecord } from '../../../proto/logrecord';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { startCollectorServer, CollectorServer } from '../../../tools/collector/server';
import { recordJson } from '../../../tools/cmd/collector';
import { T0, EMPTY, entry } from '../../util/logrecords';

function frameOf(recs: LogRecord[], max = 222, defs?: (w: LoraFrameWriter) => void): Uint8Array {
  const w = new LoraFrameWriter(max);
  if (defs) defs(w);
  for (const r of recs) assert.ok(w.addRecord(r), `record ${r.seq} fits`);
  return w.finish();
}

describe('lorawire: the collector stores a LoRa delivery exactly as a Wi-Fi delivery', () => {
  let dir: string;
  let stores: SqliteStore[] = [];
  let servers: CollectorServer[] = [];
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-lorawire-')); });
  after(async () => {
    for (const s of servers) await s.close();
    for (const s of stores) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  async function collector(name: string): Promise<{ store: SqliteStore; srv: CollectorServer }> {
    const store = new SqliteStore(path.join(dir, name + '.db'));
    const srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0 });
    stores.push(store);
    servers.push(srv);
    return { store, srv };
  }
  function post(port: number, p: string, body: Uint8Array | string, type: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: { 'content-type': type } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts) }));
      });
      req.on('error', reject);
      req.end(Buffer.from(body as any));
    });
  }
  const tts = (eui: string, payload: Uint8Array, port = LORA_PORT) => JSON.stringify({
    end_device_ids: { device_id: 'dev', dev_eui: eui }, uplink_message: { f_port: port, frm_payload: Buffer.from(payload).toString('base64') },
  });
  async function rows(store: SqliteStore): Promise<any[]> {
    const out: any[] = [];
    for await (const r of store.query({})) out.push(recordJson(r));
    return out;
  }

  it('same gate id, kid text, pseudonyms, times and flags; unknown device and kids are asked for', async () => {
    const kidDivoc = new Uint8Array(Buffer.from('did:indonesia'));
    const recs: LogRecord[] = [
      entry(0, T0), entry(1, T0 + 30, { decision: 'deny', reason: 'expired' }),
      entry(2, T0 + 95, { format: 'divoc', kid: kidDivoc, clockUntrusted: true }),
      entry(3, T0 + 96, { decision: 'deny', reason: 'unsupported', format: '', kid: EMPTY, subject: EMPTY, cert: EMPTY }),
      { ...entry(4, T0 + 200), kind: 'dropped', decision: 'open', reason: 'ok', format: 'qg1', kid: EMPTY, subject: EMPTY, cert: EMPTY, dropped: 7 },
      entry(5, T0 + 300, { decision: 'attendant', reason: 'clock-unset' }),
    ];
    const wifi = await collector('wifi');
    const r1 = await post(wifi.srv.port, '/ingest', encodeBatch('gate-a', recs.map((r) => encodeLogRecord(r, r.seq))), 'application/x-protobuf');
    assert.equal(r1.status, 200);

    const lora = await collector('lora');
    const eui = '0004A30B001C0530';
    const send = async (payload: Uint8Array) => {
      const r = await post(lora.srv.port, '/lorawan', tts(eui, payload), 'application/json');
      assert.equal(r.status, 200, r.body.toString());
      return JSON.parse(r.body.toString());
    };
    // records before the device said who it is: nothing stored, WHO and KIDS asked
    let j = await send(frameOf(recs.slice(0, 2)));
    assert.equal(j.gateId, null);
    assert.deepEqual(j.acked, []);
    assert.deepEqual(decodeLoraAck(new Uint8Array(Buffer.from(j.downlink, 'base64'))), { who: true, kids: true, ranges: [] });
    // gate id and one kid: records with that kid are stored, the DIVOC one is not (its kid is unknown)
    j = await send(frameOf(recs.slice(0, 3), 222, (w) => { w.defineGateId('gate-a'); w.defineKid(recs[0].kid, 0); }));
    assert.equal(j.gateId, 'gate-a');
    assert.deepEqual(j.acked, [[0, 1]]);
    assert.deepEqual(decodeLoraAck(new Uint8Array(Buffer.from(j.downlink, 'base64'))), { who: false, kids: true, ranges: [{ first: 0, last: 1 }] });
    j = await send(frameOf(recs.slice(2), 222, (w) => { w.defineKid(kidDivoc, 0); }));
    assert.deepEqual(j.acked, [[2, 5]]);
    // a duplicate is acknowledged again and stored once; a poll gets no downlink
    j = await send(frameOf(recs.slice(1, 2)));
    assert.deepEqual(j.acked, [[1, 1]]);
    j = await send(new Uint8Array([0x40]));
    assert.equal(j.downlink, null);
    assert.equal((await post(lora.srv.port, '/lorawan', tts(eui, new Uint8Array([0x41, 0x01])), 'application/json')).status, 400);

    const strip = (x: any[]) => x.map((o) => ({ ...o }));
    assert.deepEqual(strip(await rows(lora.store)), strip(await rows(wifi.store)));
    assert.equal((await rows(lora.store)).length, 6);
  });
});
