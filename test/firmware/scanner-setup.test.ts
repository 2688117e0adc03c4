import { strict as assert } from 'assert';
import { setupScanner, ANSWER_MS, PROBE_TRIES } from '../../firmware/scanner-setup';
import { gm65Crc, GM65_QR, GM65_SETTING_CODES, GM65_SYMBOLOGIES } from '../../drivers/gm65';
import { Scanner } from '../../drivers/scanner';
import { FakeSerial, FakeTimers } from '../fakes/hal';

const bytes = (...b: number[]) => String.fromCharCode(...b);

/** A module on the fake UART: answers each write command after 5 ms as `reply` says. */
function module(serial: FakeSerial, timers: FakeTimers, reply: (addr: number, value: number, n: number) => 'ok' | 'nak' | 'crc' | 'none') {
  const cmds: { type: number; addr: number; value: number }[] = [];
  serial.write = (data: string) => {
    serial.written.push(data);
    const c = { type: data.charCodeAt(2), addr: (data.charCodeAt(4) << 8) | data.charCodeAt(5), value: data.charCodeAt(6) };
    cmds.push(c);
    const r = reply(c.addr, c.value, cmds.length);
    if (r === 'none') return;
    const body = bytes(r === 'nak' ? 1 : 0, 1, 0);
    let crc = gm65Crc(body, 0, body.length);
    if (r === 'crc') crc ^= 1;
    timers.setTimeout(() => serial.inject('\x02\x00' + body + bytes(crc >> 8, crc & 0xff)), 5);
  };
  return cmds;
}

function setup(reply: (addr: number, value: number, n: number) => 'ok' | 'nak' | 'crc' | 'none', module_ = 'gm65') {
  const serial = new FakeSerial();
  const timers = new FakeTimers({ strict: true });
  const scans: string[] = [];
  const scanner = new Scanner({ port: serial, timers, onScan: (t) => scans.push(t), dedupMs: 0 });
  const cmds = module(serial, timers, reply);
  const events: { name: string; f: any }[] = [];
  const status: { scanner?: any } = {};
  const config = { scanner: { module: module_, mode: 'continuous', light: 'standard', beep: true, dedupMs: 3000 } };
  setupScanner({ config, port: serial, timers, scanner, events: { emit: (name: string, f: any) => events.push({ name, f }) } as any, status });
  return { serial, timers, scans, scanner, cmds, events, status };
}

describe('firmware/scanner-setup', () => {
  it('configures an answering module: five writes to its RAM (setting codes closed among them), never a save; the port is the scanner\'s again', () => {
    const { serial, timers, cmds, events, status, scans } = setup(() => 'ok');
    assert.deepEqual(status.scanner, { module: 'gm65', state: 'configuring' });
    timers.advance(100);
    assert.deepEqual(cmds.map((c) => [c.type, c.addr, c.value]), [[8, 0, 0xd6], [8, GM65_SETTING_CODES, 0x02], [8, 0x13, 0x80 | 30], [8, GM65_SYMBOLOGIES, 0], [8, GM65_QR, 1]]);
    assert.deepEqual(status.scanner, { module: 'gm65', state: 'configured' });
    assert.deepEqual(events, [{ name: 'scanner', f: { module: 'gm65', state: 'configured' } }]);
    assert.equal(timers.pending(), 0);
    // from now on the scanner driver reads the port itself
    serial.inject('AFTER\r');
    timers.advance(10);
    assert.deepEqual(scans, ['AFTER']);
  });

  it('scans go on during the configuration and the module\'s answers are never scans', () => {
    const { serial, timers, scans } = setup(() => 'ok');
    serial.inject('DURING');
    timers.advance(3);
    serial.inject('-1\r');
    timers.advance(100);
    assert.deepEqual(scans, ['DURING-1']);
  });

  it('a module that never answers is tried PROBE_TRIES times, then used as it is (silent), within a bounded time', () => {
    const { serial, timers, cmds, status, events, scans } = setup(() => 'none');
    serial.inject('EARLY\r');
    timers.advance(ANSWER_MS * PROBE_TRIES + ANSWER_MS - 1);
    assert.equal(status.scanner.state, 'configuring');
    timers.advance(1);
    assert.equal(cmds.length, PROBE_TRIES);
    assert.deepEqual(status.scanner, { module: 'gm65', state: 'silent' });
    assert.deepEqual(events.map((e) => e.f.state), ['silent']);
    assert.equal(timers.pending(), 0);
    serial.inject('LATE\r');
    timers.advance(10);
    assert.deepEqual(scans, ['EARLY', 'LATE']);
  });

  it('a module that answers late (the second probe) is configured', () => {
    const { timers, cmds, status } = setup((a, v, n) => (n === 1 ? 'none' : 'ok'));
    timers.advance(2000);
    assert.equal(cmds.length, 6);
    assert.equal(status.scanner.state, 'configured');
  });

  it('a damaged answer is retried once; twice damaged is a failure (partial)', () => {
    const once = setup((a, v, n) => (n === 2 ? 'crc' : 'ok'));
    once.timers.advance(2000);
    assert.equal(once.cmds.length, 6);
    assert.equal(once.status.scanner.state, 'configured');
    const twice = setup((a) => (a === 0x13 ? 'crc' : 'ok'));
    twice.timers.advance(2000);
    assert.deepEqual(twice.status.scanner, { module: 'gm65', state: 'partial', failed: ['0x0013'] });
  });

  it('QR refused after every symbology went off: every symbology on again, so the module still reads QR codes', () => {
    const { timers, cmds, status } = setup((a) => (a === GM65_QR ? 'nak' : 'ok'));
    timers.advance(2000);
    assert.deepEqual(cmds.map((c) => [c.addr, c.value]).slice(-2), [[GM65_QR, 1], [GM65_SYMBOLOGIES, 0x02]]);
    assert.deepEqual(status.scanner, { module: 'gm65', state: 'partial', failed: ['0x003f'] });
  });

  it('a refused setting-codes write is reported (partial, 0x0003): the site sees the module still obeys settings barcodes', () => {
    const { timers, status } = setup((a) => (a === GM65_SETTING_CODES ? 'nak' : 'ok'));
    timers.advance(2000);
    assert.deepEqual(status.scanner, { module: 'gm65', state: 'partial', failed: ['0x0003'] });
  });

  it('is bounded: the worst module (late first answer, then only damaged answers or none) is done within 14 answer waits', () => {
    const { timers, status } = setup((a, v, n) => (n < 3 ? 'none' : n === 3 ? 'crc' : 'none'));
    timers.advance(14 * ANSWER_MS + 50);
    assert.equal(status.scanner.state, 'partial');
    assert.equal(timers.pending(), 0);
  });

  it('never sends anything but writes (type 08), whatever the module answers', () => {
    for (const r of ['ok', 'nak', 'crc', 'none'] as const) {
      const { timers, cmds } = setup(() => r);
      timers.advance(5000);
      assert.ok(cmds.length > 0);
      assert.ok(cmds.every((c) => c.type === 8), r);
    }
  });
});
