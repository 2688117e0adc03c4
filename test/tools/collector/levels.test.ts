// tools/collector/levels.ts and what the collector does with it (issue 14): the PPKM level of a
// site in every Ack to its gates (Wi-Fi) and as a one-byte FPort 3 downlink (LoRaWAN, once per
// change); `qrgate collector level set|list` and `report` (booth referrals, exits, occupancy per
// gate and hour).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SqliteStore } from '../../../tools/collector/sqlite';
import { startCollectorServer, CollectorServer } from '../../../tools/collector/server';
import { levelSource, levelOf, readLevels, setLevel, siteOf } from '../../../tools/collector/levels';
import { encodeBatch, encodeLogRecord, decodeAck } from '../../../proto/logrecord';
import { T0, tmpdir, scan, post } from '../../util/collector';
import { qrgate } from '../../util/board';

describe('collector: PPKM levels per site, and the crowd report', () => {
  let dir: string;
  beforeEach(() => { dir = tmpdir(); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('a gate belongs to its own id, else the longest site its id starts with (then - . / :), else "*"', () => {
    const lv = { 'polres-a': 3, 'polres-a-east': 4, '*': 2, polres: 1 };
    assert.equal(siteOf(lv, 'polres-a-east'), 'polres-a-east');
    assert.equal(siteOf(lv, 'polres-a-east-2'), 'polres-a-east');
    assert.equal(siteOf(lv, 'polres-a.west'), 'polres-a');
    assert.equal(siteOf(lv, 'polres-ab'), 'polres'); // "polres-a" + "b" is not a separator
    assert.equal(siteOf(lv, 'kantor-1'), '*');
    assert.equal(levelOf({ 'polres-a': 3 }, 'kantor-1'), 0);
    assert.equal(levelOf(lv, 'polres-a:9'), 3);
  });

  it('level set writes the file whole; 0 clears; bad input and a damaged file are refused', () => {
    const f = path.join(dir, 'levels.json');
    assert.deepEqual(readLevels(f), {});
    setLevel(f, 'polres-a', 3);
    setLevel(f, '*', 2);
    assert.deepEqual(readLevels(f), { 'polres-a': 3, '*': 2 });
    setLevel(f, 'polres-a', 0);
    assert.deepEqual(readLevels(f), { '*': 2 });
    assert.throws(() => setLevel(f, 'a b', 2), /site/);
    assert.throws(() => setLevel(f, 'x', 10), /level/);
    fs.writeFileSync(f, '{"sites": {"x": 12}}');
    assert.throws(() => readLevels(f), /1..9/);
    // the server's source keeps the levels it read before a damaged file, and says so
    const errs: string[] = [];
    const g = path.join(dir, 'l2.json');
    setLevel(g, 'polres-a', 4);
    const src = levelSource(g, (m) => errs.push(m));
    assert.equal(src('polres-a-1'), 4);
    fs.writeFileSync(g, 'not json at all!');
    assert.equal(src('polres-a-1'), 4);
    assert.equal(errs.length, 1);
    setLevel(path.join(dir, 'l3.json'), 'polres-a', 1);
    fs.renameSync(path.join(dir, 'l3.json'), g);
    assert.equal(src('polres-a-1'), 1);
  });

  describe('the server', () => {
    let store: SqliteStore;
    let srv: CollectorServer;
    let file: string;
    beforeEach(async () => {
      file = path.join(dir, 'levels.json');
      store = new SqliteStore(path.join(dir, 'c.db'));
      srv = await startCollectorServer({ store, host: '127.0.0.1', port: 0, levels: levelSource(file) });
    });
    afterEach(async () => { await srv.close(); await store.close(); });

    it('every Ack to a gate of the site carries its level (field 7); none before one is set or to other sites', async () => {
      const batch = (gate: string, s: number) => encodeBatch(gate, [encodeLogRecord(scan(s, T0 + s), s)]);
      let r = await post(srv.port, '/ingest', batch('polres-a-east', 0), 'application/x-protobuf');
      assert.equal(decodeAck(new Uint8Array(r.body)).level, undefined);
      setLevel(file, 'polres-a', 4);
      r = await post(srv.port, '/ingest', batch('polres-a-east', 1), 'application/x-protobuf');
      assert.deepEqual(decodeAck(new Uint8Array(r.body)), { gateId: 'polres-a-east', ranges: [{ first: 1, last: 1 }], level: 4 });
      r = await post(srv.port, '/ingest', batch('kantor-1', 0), 'application/x-protobuf');
      assert.equal(decodeAck(new Uint8Array(r.body)).level, undefined);
    });

    it('LoRaWAN: the level as a one-byte downlink on FPort 3, once per change per device', async () => {
      const up = (s: number) => JSON.stringify({ end_device_ids: { dev_eui: '70B3D57ED0000001' },
        uplink_message: { f_port: 1, frm_payload: Buffer.from(encodeBatch('polres-a-2', [encodeLogRecord(scan(s, T0 + s), s)])).toString('base64') } });
      const downs = async (s: number) => JSON.parse((await post(srv.port, '/lorawan', up(s), 'application/json')).body.toString()).downlinks;
      assert.equal(await downs(0), undefined);
      setLevel(file, 'polres-a', 3);
      assert.deepEqual(await downs(1), [{ fPort: 3, data: Buffer.from([3]).toString('base64') }]);
      assert.equal(await downs(2), undefined, 'told once');
      setLevel(file, 'polres-a', 4);
      assert.deepEqual(await downs(3), [{ fPort: 3, data: Buffer.from([4]).toString('base64') }]);
    });
  });

  it('hourly: entries, openings, booth referrals, capacity refusals, passback, exits and the most inside, per gate and hour', async () => {
    const store = new SqliteStore(path.join(dir, 'h.db'));
    try {
      const H = Math.floor(T0 / 3600) * 3600;
      await store.put('g1', [
        { ...scan(0, H + 10), occupancy: 1 }, { ...scan(1, H + 20), occupancy: 2 },
        scan(2, H + 30, 'deny', 'booth'), scan(3, H + 40, 'deny', 'capacity'), scan(4, H + 50, 'attendant', 'passback'),
        { time: H + 60, kind: 'exit', occupancy: 1 }, { ...scan(5, H + 3700), occupancy: 2 },
      ].map((e, seq) => ({ seq, kind: 'entry', decision: 'open', reason: 'ok', format: 'qg1', kid: new Uint8Array(0), subject: new Uint8Array(0),
        cert: new Uint8Array(0), clockUntrusted: false, dropped: 0, ...e } as any)));
      const rows = await store.hourly({});
      assert.deepEqual(rows, [
        { gateId: 'g1', hour: H, entries: 5, opened: 2, referrals: 1, full: 1, passback: 1, exits: 1, occupancy: 2 },
        { gateId: 'g1', hour: H + 3600, entries: 1, opened: 1, referrals: 0, full: 0, passback: 0, exits: 0, occupancy: 2 },
      ]);
      // the occupancy is stored with the record and read back
      const got: any[] = [];
      for await (const r of store.query({ gateId: 'g1' })) got.push([r.kind, r.occupancy]);
      assert.deepEqual(got.slice(0, 2), [['entry', 1], ['entry', 2]]);
      assert.deepEqual(got[5], ['exit', 1]);
    } finally {
      await store.close();
    }
  });

  it('qrgate collector level set|list and report (the shipped command)', async function () {
    this.timeout(60000);
    const db = path.join(dir, 'r.db');
    const store = new SqliteStore(db);
    await store.put('polres-a-east', [0, 1].map((seq) => ({ ...scan(seq, T0 + seq, seq ? 'deny' : 'open', seq ? 'booth' : 'ok'), seq } as any))
      .map((e) => ({ kind: 'entry', kid: new Uint8Array(0), clockUntrusted: false, dropped: 0, ...e })));
    await store.close();
    let r = await qrgate(['collector', 'level', 'set', 'polres-a', '4', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { site: 'polres-a', level: 4, file: db + '.levels.json' });
    r = await qrgate(['collector', 'level', 'list', '--db', db]);
    assert.deepEqual(JSON.parse(r.stdout), { 'polres-a': 4 });
    r = await qrgate(['collector', 'level', 'set', 'polres-a', 'four', '--db', db]);
    assert.equal(r.code, 2);
    r = await qrgate(['collector', 'report', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].gateId, 'polres-a-east');
    assert.equal(rows[0].referrals, 1);
    assert.equal(rows[0].entries, 2);
    assert.match(rows[0].hour, /^2021-09-27T08:00:00/);
  });
});
