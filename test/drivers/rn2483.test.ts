// drivers/rn2483.ts against a scripted modem on a fake UART: the set-up and join sequence, every
// error reply and its retry rule, timeouts, downlinks, the 1% duty cycle, and LoRa airtime.
import { strict as assert } from 'assert';
import { FakeTimers, FakeSerial, FakePin } from '../fakes/hal';
import {
  Rn2483, loraAirtimeMs, uplinkAirtimeMs, dutyCycleWaitMs, parseRx, EU868_MAX_PAYLOAD, BUSY_RETRIES, NO_CH_RETRIES,
  JOIN_REQUEST_BYTES, LORAWAN_OVERHEAD,
} from '../../drivers/rn2483';

type Answer = [string, number][]; // replies and their delays (ms after the command)

/** A UART whose far end answers each command line with a script. */
class ModemSerial extends FakeSerial {
  lines: { t: number; line: string }[] = [];
  private buf = '';
  constructor(private timers: FakeTimers, public script: (line: string) => Answer | null) { super(); }
  write(data: string): void {
    super.write(data);
    this.buf += data;
    let i: number;
    while ((i = this.buf.indexOf('\r\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      this.lines.push({ t: this.timers.now, line });
      const a = this.script(line);
      if (a) for (const [reply, ms] of a) this.timers.setTimeout(() => this.injectChunked(reply + '\r\n'), ms);
    }
  }
  commands(prefix = ''): string[] { return this.lines.map((l) => l.line).filter((l) => l.indexOf(prefix) === 0); }
  times(prefix: string): number[] { return this.lines.filter((l) => l.line.indexOf(prefix) === 0).map((l) => l.t); }
}

/** A well-behaved modem; `tx` decides the answers to mac tx, `join` to mac join. */
function modemScript(o: { tx?: (line: string, n: number) => Answer; join?: (n: number) => Answer } = {}) {
  let txs = 0, joins = 0;
  return (line: string): Answer | null => {
    if (line === 'sys reset') return [['RN2483 1.0.5 Oct 31 2018 15:06:52', 100]];
    if (line.indexOf('mac join') === 0) return o.join ? o.join(joins++) : [['ok', 5], ['accepted', 6000]];
    if (line.indexOf('mac tx') === 0) return o.tx ? o.tx(line, txs++) : [['ok', 5], ['mac_tx_ok', 3000]];
    if (line.indexOf('mac ') === 0) return [['ok', 5]];
    return [['invalid_param', 5]];
  };
}

const ID = { devEui: '0004a30b001c0530', appEui: '70b3d57ed0000001', appKey: '2b7e151628aed2a6abf7158809cf4f3c' };

function setup(script = modemScript(), dr = 5, withReset = false) {
  const timers = new FakeTimers();
  const port = new ModemSerial(timers, script);
  const pin = new FakePin(timers, true);
  const events: { what: string; f: any; t: number }[] = [];
  const m = new Rn2483({ port, timers, ...ID, dataRate: dr, reset: withReset ? pin : undefined, random: () => 0.5,
    onEvent: (what, f) => events.push({ what, f, t: timers.now }) });
  return { timers, port, pin, events, m };
}

function sendP(s: ReturnType<typeof setup>, payload: Uint8Array, limit = 3600000) {
  const out: { err: string | null; down: any; t: number }[] = [];
  s.m.send(2, payload, false, (err, down) => out.push({ err, down, t: s.timers.now }));
  let waited = 0;
  while (!out.length && waited < limit) { s.timers.advance(1000); waited += 1000; }
  return out[0];
}

function joined(s: ReturnType<typeof setup>): void {
  s.m.start();
  for (let i = 0; i < 60 && !s.m.joined; i++) s.timers.advance(1000);
  assert.ok(s.m.joined, 'joined');
}

describe('rn2483: LoRa airtime and the duty cycle', () => {
  it('matches published airtimes (SF7 and SF12, 125 kHz, 10-byte payload: 61.7 ms and 1482.8 ms)', () => {
    assert.equal(Math.round(uplinkAirtimeMs(10, 5) * 10) / 10, 61.7);
    assert.equal(Math.round(uplinkAirtimeMs(10, 0) * 10) / 10, 1482.8);
    // the largest frames: DR0 51 bytes, DR5 222 bytes
    assert.equal(Math.round(uplinkAirtimeMs(51, 0) * 10) / 10, 2793.5);
    assert.equal(Math.round(uplinkAirtimeMs(222, 5) * 10) / 10, 368.9);
    assert.equal(loraAirtimeMs(JOIN_REQUEST_BYTES, 12), uplinkAirtimeMs(JOIN_REQUEST_BYTES - LORAWAN_OVERHEAD, 0));
    // more bytes never take less time, a lower data rate always takes longer
    for (let dr = 0; dr <= 5; dr++) {
      for (let n = 1; n <= EU868_MAX_PAYLOAD[dr]; n++) assert.ok(uplinkAirtimeMs(n, dr) >= uplinkAirtimeMs(n - 1, dr));
      if (dr > 0) assert.ok(uplinkAirtimeMs(40, dr) < uplinkAirtimeMs(40, dr - 1));
    }
    assert.equal(dutyCycleWaitMs(100), 10000);
    assert.deepEqual(EU868_MAX_PAYLOAD, [51, 51, 51, 115, 222, 222]);
  });

  it('parses mac_rx lines', () => {
    assert.deepEqual(parseRx('mac_rx 2 40010203'), { port: 2, data: new Uint8Array([0x40, 1, 2, 3]) });
    assert.equal(parseRx('mac_rx 0 00'), null);
    assert.equal(parseRx('mac_rx x 00'), null);
    assert.equal(parseRx('mac_rx 2 0'), null);
    assert.equal(parseRx('mac_tx_ok'), null);
  });
});

describe('rn2483: the driver', () => {
  it('resets, configures and joins (OTAA), pulsing RESET first when wired', () => {
    const s = setup(modemScript(), 3, true);
    joined(s);
    assert.deepEqual(s.port.commands(), ['sys reset', 'mac reset 868', 'mac set deveui 0004A30B001C0530', 'mac set appeui 70B3D57ED0000001',
      'mac set appkey 2B7E151628AED2A6ABF7158809CF4F3C', 'mac set adr off', 'mac set dr 3', 'mac join otaa']);
    assert.deepEqual(s.pin.levels(), [false, true]);
    assert.equal(s.events.filter((e) => e.what === 'reset')[0].f.version, 'RN2483 1.0.5 Oct 31 2018 15:06:52');
    assert.equal(s.events.filter((e) => e.what === 'joined').length, 1);
  });

  it('join denied: tries again after a backoff that doubles, and never inside the duty-cycle off-period', () => {
    const s = setup(modemScript({ join: (n) => (n < 3 ? [['ok', 5], ['denied', 7000]] : [['ok', 5], ['accepted', 6000]]) }), 0);
    s.m.start();
    s.timers.advance(700000);
    assert.ok(s.m.joined);
    const t = s.port.times('mac join');
    assert.equal(t.length, 4);
    const off = dutyCycleWaitMs(uplinkAirtimeMs(JOIN_REQUEST_BYTES - LORAWAN_OVERHEAD, 0)); // 148 s at SF12
    for (let i = 1; i < t.length; i++) assert.ok(t[i] - t[i - 1] >= off, `join ${i} after ${t[i] - t[i - 1]} ms`);
    const fails = s.events.filter((e) => e.what === 'join-failed').map((e) => e.f.retryMs);
    assert.deepEqual(fails, [11250, 22500, 45000]); // 15 s doubling, with jitter 0.5 -> 3/4 of it
  });

  it('sends: ok then mac_tx_ok, or a downlink in mac_rx', () => {
    let rx = false;
    const s = setup(modemScript({ tx: () => (rx ? [['ok', 5], ['mac_rx 2 4001', 1500]] : [['ok', 5], ['mac_tx_ok', 2500]]) }));
    joined(s);
    let r = sendP(s, new Uint8Array([1, 2, 0xab]));
    assert.deepEqual([r.err, r.down], [null, null]);
    assert.deepEqual(s.port.commands('mac tx'), ['mac tx uncnf 2 0102AB']);
    rx = true;
    r = sendP(s, new Uint8Array([1]));
    assert.equal(r.err, null);
    assert.deepEqual(r.down, { port: 2, data: new Uint8Array([0x40, 1]) });
    assert.deepEqual(s.events.filter((e) => e.what === 'tx').map((e) => e.f.bytes), [3, 1]);
  });

  it('keeps the 1% duty cycle: the next uplink waits 100 times the airtime from the start of the last', () => {
    const s = setup(modemScript(), 0);
    joined(s);
    const payload = new Uint8Array(44);
    sendP(s, payload);
    sendP(s, payload);
    sendP(s, payload);
    const t = s.port.times('mac tx');
    const ok = (i: number) => t[i] + 5; // the modem's ok: the transmission starts
    const wait = dutyCycleWaitMs(uplinkAirtimeMs(44, 0));
    assert.equal(wait, 262964);
    for (let i = 1; i < t.length; i++) {
      assert.ok(t[i] >= ok(i - 1) + wait, `uplink ${i} ${t[i] - ok(i - 1)} ms after the last started`);
      assert.ok(t[i] <= ok(i - 1) + wait + 1000, 'and not much later');
    }
  });

  it('busy: again after 1 s, 2 s, 4 s ... then gives up', () => {
    let s = setup(modemScript({ tx: (l, n) => (n < 2 ? [['busy', 5]] : [['ok', 5], ['mac_tx_ok', 2500]]) }));
    joined(s);
    let r = sendP(s, new Uint8Array([1]));
    assert.equal(r.err, null);
    const t = s.port.times('mac tx');
    assert.equal(t.length, 3);
    assert.deepEqual([t[1] - t[0], t[2] - t[1]], [1005, 2005]);
    s = setup(modemScript({ tx: () => [['busy', 5]] }));
    joined(s);
    r = sendP(s, new Uint8Array([1]));
    assert.equal(r.err, 'busy');
    assert.equal(s.port.commands('mac tx').length, BUSY_RETRIES + 1);
  });

  it('no_free_ch: again after 5 s, 10 s, 20 s, then the caller hears it', () => {
    let s = setup(modemScript({ tx: (l, n) => (n < 3 ? [['no_free_ch', 5]] : [['ok', 5], ['mac_tx_ok', 2500]]) }));
    joined(s);
    let r = sendP(s, new Uint8Array([1]));
    assert.equal(r.err, null);
    const t = s.port.times('mac tx');
    assert.deepEqual([t[1] - t[0], t[2] - t[1], t[3] - t[2]], [5005, 10005, 20005]);
    s = setup(modemScript({ tx: () => [['no_free_ch', 5]] }));
    joined(s);
    r = sendP(s, new Uint8Array([1]));
    assert.equal(r.err, 'no_free_ch');
    assert.equal(s.port.commands('mac tx').length, NO_CH_RETRIES + 1);
  });

  it('not_joined (and frame_counter_err_rejoin_needed): joins again, then sends once more', () => {
    for (const reply of ['not_joined', 'frame_counter_err_rejoin_needed']) {
      const s = setup(modemScript({ tx: (l, n) => (n === 0 ? [[reply, 5]] : [['ok', 5], ['mac_tx_ok', 2500]]) }));
      joined(s);
      const r = sendP(s, new Uint8Array([1]));
      assert.equal(r.err, null, reply);
      const cmds = s.port.commands('mac ').filter((c) => /^mac (join|tx)/.test(c));
      assert.deepEqual(cmds, ['mac join otaa', 'mac tx uncnf 2 01', 'mac join otaa', 'mac tx uncnf 2 01'], reply);
    }
    // a modem that keeps saying not_joined: the caller hears it after one rejoin
    const s = setup(modemScript({ tx: () => [['not_joined', 5]] }));
    joined(s);
    assert.equal(sendP(s, new Uint8Array([1])).err, 'not_joined');
    assert.equal(s.port.commands('mac tx').length, 2);
  });

  it('invalid_param, invalid_data_len, silent, mac_err: no retry, the caller hears it; mac_err counts its airtime', () => {
    for (const [answer, err] of [[[['invalid_param', 5]], 'invalid_param'], [[['ok', 5], ['invalid_data_len', 100]], 'invalid_data_len'],
      [[['silent', 5]], 'silent'], [[['ok', 5], ['mac_err', 3000]], 'mac_err']] as [Answer, string][]) {
      const s = setup(modemScript({ tx: () => answer }), 0);
      joined(s);
      const r = sendP(s, new Uint8Array([1]));
      assert.equal(r.err, err);
      assert.equal(s.port.commands('mac tx').length, 1, err);
      assert.equal(s.m.stats.errors[err], 1);
      if (err === 'mac_err') assert.equal(s.m.blocked, true, 'the failed transmission still used the radio');
    }
    // a payload over the data rate's limit never reaches the modem
    const s = setup(modemScript(), 0);
    joined(s);
    assert.equal(sendP(s, new Uint8Array(52)).err, 'invalid_data_len');
    assert.equal(s.port.commands('mac tx').length, 0);
  });

  it('a silent modem: timeouts, and after two in a row it is reset', () => {
    let silent = false;
    const base = modemScript();
    const s = setup((line) => (silent && line.indexOf('mac tx') === 0 ? null : base(line)));
    joined(s);
    silent = true;
    assert.equal(sendP(s, new Uint8Array([1])).err, 'timeout');
    assert.equal(s.port.commands('sys reset').length, 1);
    assert.equal(sendP(s, new Uint8Array([1])).err, 'timeout');
    assert.equal(s.port.commands('sys reset').length, 2, 'reset after the second timeout');
    silent = false;
    s.timers.advance(20000);
    assert.ok(s.m.joined);
    assert.equal(sendP(s, new Uint8Array([1])).err, null);
  });

  it('ignores what nobody asked for and copes with lines split across chunks', () => {
    const s = setup();
    joined(s);
    s.port.inject('RN2483 1.0.5\r\n'); // a banner after a brown-out
    let got: any = null;
    s.m.send(2, new Uint8Array([7]), false, (err, down) => { got = { err, down }; });
    s.timers.advance(2000);
    assert.equal(got, null);
    s.timers.advance(5000);
    assert.deepEqual(got, { err: null, down: null });
  });
});
