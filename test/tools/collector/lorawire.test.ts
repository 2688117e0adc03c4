// The collector's LoRaWAN side (tools/collector/lorawire.ts): its /lorawan endpoint stores LoRa
// deliveries (proto/lorawire.ts frames) exactly as Wi-Fi deliveries.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { LoraFrameWriter, decodeLoraAck, LORA_PORT, TIME_PORT, SEALED, TIME_ASK, DEF_SESSION, DEF_UNLOGGED, DEF_FIRST, DEF_LAST, sealFrame, sessionBytes, timeDownlink, ackSealOk } from '../../../proto/lorawire';
import * as crypto from 'crypto';
import { GateRegistry, addGate, readKeyFile, derivedKeys, hmac } from '../../../tools/collector/gates';
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

  describe('sealed frames with a registry of gates (issue 13)', () => {
    const h = (k: Uint8Array, d: Uint8Array) => new Uint8Array(hmac(Buffer.from(k), d));
    async function sealedCollector(name: string) {
      const file = path.join(dir, name + '-gates.json');
      addGate(file, 'gate-l', path.join(dir, name + '.key'));
      const key = readKeyFile(path.join(dir, name + '.key')).key;
      const store = new SqliteStore(path.join(dir, name + '.db'));
      const lines: any[] = [];
      const srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, gates: new GateRegistry(file), now: () => T0 + 1000, log: (l) => lines.push(JSON.parse(l)) });
      stores.push(store);
      servers.push(srv);
      const d = derivedKeys(key);
      return { store, srv, lines, up: hmac(d.batch, 'qg lora up'), time: hmac(d.answer, 'qg lora time'), ack: hmac(d.answer, 'qg lora ack') };
    }
    const EPOCH = 4242, SESSION = 99;
    function sealedFrame(up: Uint8Array, counter: number, o: { recs?: LogRecord[]; defs?: boolean; ask?: boolean; unlogged?: number; max?: number; gateId?: string }): Uint8Array {
      const w = new LoraFrameWriter((o.max || 222) - 5);
      if (o.defs) { w.defineGateId(o.gateId || 'gate-l'); w.define(DEF_SESSION | DEF_FIRST | DEF_LAST, sessionBytes(EPOCH, SESSION, counter), 0, 12); w.defineKid(entry(0, T0).kid, 0); }
      if (o.unlogged) w.define(DEF_UNLOGGED | DEF_FIRST | DEF_LAST, new Uint8Array([o.unlogged]), 0, 1);
      for (const r of o.recs || []) assert.ok(w.addRecord(r));
      return sealFrame(w.finish(SEALED | (o.ask ? TIME_ASK : 0)), EPOCH, SESSION, counter, up, h);
    }

    it('stores only what the gate sealed: unsealed, unknown, forged and replayed frames are refused and logged; a time question is answered on FPort 202', async () => {
      const c = await sealedCollector('sealed');
      const eui = '0004a30b001c0531';
      const send = async (payload: Uint8Array) => JSON.parse((await post(c.srv.port, '/lorawan', tts(eui, payload), 'application/json')).body.toString());
      const refusal = (j: any) => decodeLoraAck(new Uint8Array(Buffer.from(j.downlink, 'base64'))).refused;
      // unsealed
      let j = await send(frameOf([entry(0, T0)], 222, (w) => { w.defineGateId('gate-l'); }));
      assert.equal(refusal(j), 5);
      // a gate the registry does not hold
      j = await send(sealedFrame(crypto.randomBytes(32), 1, { defs: true, recs: [entry(0, T0)], gateId: 'gate-zz' }));
      assert.equal(refusal(j), 1);
      assert.equal(j.refused, 'unknown gate');
      // another gate's key
      const other = crypto.randomBytes(32);
      j = await send(sealedFrame(other, 1, { defs: true, recs: [entry(0, T0)] }));
      assert.equal(refusal(j), 3);
      assert.equal((await rows(c.store)).length, 0);
      // genuine: records stored under the epoch, the time question answered for this counter
      const f1 = sealedFrame(c.up, 1, { defs: true, recs: [entry(0, T0), entry(1, T0 + 5)], ask: true, unlogged: 3 });
      j = await send(f1);
      assert.deepEqual(j.acked, [[0, 1]]);
      // the acknowledgement is sealed for this uplink: only counter 1 of this session checks
      const ad = new Uint8Array(Buffer.from(j.downlink, 'base64'));
      assert.deepEqual(decodeLoraAck(ad), { who: false, kids: false, ranges: [{ first: 0, last: 1 }], ctrLow: 1 });
      assert.equal(ackSealOk(ad, EPOCH, SESSION, 1, c.ack, h), true);
      assert.equal(ackSealOk(ad, EPOCH, SESSION, 2, c.ack, h), false);
      assert.equal(ackSealOk(ad, EPOCH, SESSION + 1, 1, c.ack, h), false);
      const td = j.downlinks.find((d: any) => d.fPort === TIME_PORT);
      const tb = new Uint8Array(Buffer.from(td.data, 'base64'));
      assert.equal(timeDownlink(tb, EPOCH, SESSION, 1, c.time, h), T0 + 1000);
      assert.equal(timeDownlink(tb, EPOCH, SESSION, 2, c.time, h), -1);
      assert.equal(timeDownlink(tb, EPOCH, SESSION + 1, 1, c.time, h), -1);
      const ing = c.lines.find((l) => l.ev === 'ingest');
      assert.equal(ing.unlogged, 3);
      // replayed: refused
      j = await send(f1);
      assert.equal(refusal(j), 4);
      // the next counter, without definitions (low byte only), then its replay and a forgery
      const f2 = sealedFrame(c.up, 2, { recs: [entry(2, T0 + 9)] });
      j = await send(f2);
      assert.deepEqual(j.acked, [[2, 2]]);
      j = await send(f2);
      assert.equal(refusal(j), 4);
      const f3 = Buffer.from(sealedFrame(c.up, 3, { recs: [entry(3, T0 + 12)] }));
      f3[f3.length - 1] ^= 0x80;
      j = await send(f3);
      assert.equal(j.acked.length, 0);
      // the collector cannot seal its answer to a frame it could not check: a WHO alone, unsealed
      assert.deepEqual(decodeLoraAck(new Uint8Array(Buffer.from(j.downlink, 'base64'))), { who: true, kids: false, ranges: [] });
      // 300 uplinks lost (the counter's low byte wrapped): still accepted
      j = await send(sealedFrame(c.up, 303, { recs: [entry(4, T0 + 20)] }));
      assert.deepEqual(j.acked, [[4, 4]]);
      const stored = await rows(c.store);
      assert.deepEqual(stored.map((r: any) => r.seq), [0, 1, 2, 4]);
      assert.ok(stored.every((r: any) => r.epoch === EPOCH), JSON.stringify(stored[0]));
      const refused = c.lines.filter((l) => l.ev === 'refused').map((l) => l.why);
      assert.equal(refused.length, 6, JSON.stringify(refused));
      assert.ok(refused.every((w) => /not authenticated|unknown gate|bad MAC|replayed|unknown session/.test(w)));
    });
  });
});
