// An RN2483 LoRaWAN modem on a simulated board's UART, and the network behind it: a network
// server that forwards uplinks to an HTTP integration (the collector's /lorawan) the way The
// Things Stack v3 webhooks do, and queues the integration's answer as a downlink.
//
// The modem answers the command set drivers/rn2483.ts uses (sys reset, mac reset, mac set
// deveui/appeui/appkey/dr/adr, mac join otaa, mac tx cnf|uncnf) with the timing of class A:
//   join:  ok, then after the join request's airtime + 5 s (JOIN_ACCEPT_DELAY1) accepted, or
//          denied after + 6 s when no join-accept comes (network down);
//   tx:    ok, then after the airtime + 1 s (RECEIVE_DELAY1) mac_rx <port> <hex> when the network
//          server had a downlink queued for the device, else mac_tx_ok after + 2 s (RX2).
// It keeps the 1% duty cycle itself: a join or uplink inside the off-period of the previous one
// is refused with no_free_ch (counted in `dutyRefusals`: a driver that respects the duty cycle
// never sees one). Faults are injected per reply: fail(reply, count) makes the next `count` uplinks
// (mac tx) fail with that reply: not_joined (the modem also forgets its session), no_free_ch,
// busy, invalid_param, invalid_data_len, silent (first answers) or mac_err (ok, then mac_err).
//
// The network server: an uplink is forwarded (POST, JSON) when the network is up; the answer's
// "downlink" (base64, with "fPort") is queued for the device and goes out in the receive window
// of its next uplink (the answer to an uplink always comes too late for that uplink's own
// windows, as with a real network server's integration). While the network is down, uplinks are
// lost and joins are not answered.
import * as http from 'http';
import { SimBoard } from './board';
import { IoTracker } from './net';
import { EU868_MAX_PAYLOAD, uplinkAirtimeMs, dutyCycleWaitMs, JOIN_REQUEST_BYTES, LORAWAN_OVERHEAD } from '../drivers/rn2483';

export const RN2483_VERSION = 'RN2483 1.0.5 Oct 31 2018 15:06:52';
const JOIN_ACCEPT_DELAY1 = 5000;
const RECEIVE_DELAY1 = 1000;
const RECEIVE_DELAY2 = 2000;
const CMD_DELAY = 5;

export const MODEM_FAULTS = ['not_joined', 'no_free_ch', 'busy', 'invalid_param', 'invalid_data_len', 'silent', 'mac_err'];

export interface QueuedDownlink { port: number; data: Buffer }

/** The network server side: forwards uplinks to the integration URL and keeps downlink queues. */
export class NetworkServerEmulator {
  private queues = new Map<string, QueuedDownlink[]>();
  /** Everything that happened, for tests: {ev: 'forward'|'answer'|'lost'|'error', ...}. */
  readonly log: any[] = [];
  fCntUp = new Map<string, number>();

  constructor(private io: IoTracker, private url: () => string, private networkUp: () => boolean) {}

  /** A join request: accepted when the network is up (the session and queue start afresh). */
  join(devEui: string): boolean {
    if (!this.networkUp()) return false;
    this.queues.set(devEui, []);
    this.fCntUp.set(devEui, 0);
    return true;
  }

  /**
   * An uplink reaches the network: returns the downlink to send in its receive window (one queued
   * before it), and forwards it to the integration (asynchronously).
   */
  uplink(devEui: string, fPort: number, payload: Buffer, dr: number): QueuedDownlink | null {
    if (!this.networkUp()) { this.log.push({ ev: 'lost', devEui, fPort, bytes: payload.length }); return null; }
    const q = this.queues.get(devEui) || [];
    this.queues.set(devEui, q);
    const down = q.shift() || null;
    const fCnt = this.fCntUp.get(devEui) || 0;
    this.fCntUp.set(devEui, fCnt + 1);
    this.forward(devEui, fPort, payload, fCnt, dr);
    return down;
  }

  pending(devEui: string): number { return (this.queues.get(devEui) || []).length; }

  private forward(devEui: string, fPort: number, payload: Buffer, fCnt: number, dr: number): void {
    const body = Buffer.from(JSON.stringify({
      end_device_ids: { device_id: 'eui-' + devEui.toLowerCase(), application_ids: { application_id: 'qrgate' }, dev_eui: devEui.toUpperCase() },
      received_at: new Date(0).toISOString(),
      uplink_message: {
        f_port: fPort, f_cnt: fCnt, frm_payload: payload.toString('base64'),
        settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 12 - dr } }, frequency: '868100000' },
      },
    }));
    this.log.push({ ev: 'forward', devEui, fPort, fCnt, bytes: payload.length });
    const url = new URL(this.url());
    this.io.track(new Promise<void>((resolve) => {
      const req = http.request({
        host: url.hostname, port: Number(url.port) || 80, path: url.pathname + url.search, method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          try {
            const j = JSON.parse(Buffer.concat(parts).toString('utf8'));
            this.log.push({ ev: 'answer', status: res.statusCode, acked: j.acked, fPort });
            if (res.statusCode === 200 && typeof j.downlink === 'string' && j.downlink.length) {
              const q = this.queues.get(devEui) || [];
              q.push({ port: typeof j.fPort === 'number' ? j.fPort : fPort, data: Buffer.from(j.downlink, 'base64') });
              if (q.length > 16) q.shift();
              this.queues.set(devEui, q);
            }
            // further downlinks the integration queues (the PPKM level on FPort 3, issue 14)
            if (res.statusCode === 200 && Array.isArray(j.downlinks)) {
              const q = this.queues.get(devEui) || [];
              for (const d of j.downlinks) if (d && typeof d.fPort === 'number' && typeof d.data === 'string') q.push({ port: d.fPort, data: Buffer.from(d.data, 'base64') });
              while (q.length > 16) q.shift();
              this.queues.set(devEui, q);
            }
          } catch (e: any) {
            this.log.push({ ev: 'error', status: res.statusCode, error: 'answer is not JSON' });
          }
          resolve();
        });
        res.on('error', () => resolve());
      });
      req.setTimeout(10000, () => req.destroy(new Error('timeout')));
      req.on('error', (e: any) => { this.log.push({ ev: 'error', error: String(e.code || e.message) }); resolve(); });
      req.end(body);
    }));
  }
}

/** The modem: reads commands the program writes to `uart`, answers on the same UART. */
export class Rn2483Emulator {
  devEui = '';
  appEui = '';
  appKey = '';
  dr = 0;
  adr = false;
  joined = false;
  /** Virtual ms before which the radio may not transmit (1% duty cycle). */
  offUntil = 0;
  dutyRefusals = 0;
  readonly faults: { reply: string; count: number }[] = [];
  /** Commands received and replies given, for tests. */
  readonly log: { t: number; dir: 'in' | 'out'; line: string }[] = [];
  uplinks = 0;
  airtimeMs = 0;
  private buf = '';

  constructor(private board: SimBoard, readonly uart: string, private ns: NetworkServerEmulator) {}

  /** The board lost power: so did the modem (its session and duty-cycle records are gone). */
  powerCycle(): void {
    this.joined = false;
    this.buf = '';
    this.offUntil = 0;
  }

  fail(reply: string, count: number): void {
    if (MODEM_FAULTS.indexOf(reply) < 0) throw new Error(`unknown modem fault ${reply}`);
    this.faults.push({ reply, count });
  }

  /** Bytes the program wrote to the modem's UART. */
  write(data: string): void {
    this.buf += data;
    let i: number;
    while ((i = this.buf.indexOf('\r\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      this.log.push({ t: this.board.clock.ms, dir: 'in', line });
      this.command(line);
    }
  }

  private reply(line: string, afterMs: number): void {
    const sb = this.board.sandbox;
    if (!sb || sb.dead) return;
    sb.schedule(() => {
      this.log.push({ t: this.board.clock.ms, dir: 'out', line });
      this.board.uart(this.uart).inject(line + '\r\n');
    }, afterMs, [], true);
  }

  private takeFault(): string | null {
    const f = this.faults[0];
    if (!f) return null;
    if (--f.count <= 0) this.faults.shift();
    return f.reply;
  }

  private command(line: string): void {
    const p = line.split(' ');
    const now = this.board.clock.ms;
    if (line === 'sys reset') {
      this.joined = false;
      this.reply(RN2483_VERSION, 100);
      return;
    }
    if (line === 'mac reset 868') { this.joined = false; this.dr = 0; this.adr = false; this.reply('ok', CMD_DELAY); return; }
    if (p[0] === 'mac' && p[1] === 'set' && p.length === 4) {
      const v = p[3];
      let ok = false;
      if (p[2] === 'deveui' && /^[0-9A-Fa-f]{16}$/.test(v)) { this.devEui = v.toUpperCase(); ok = true; }
      else if (p[2] === 'appeui' && /^[0-9A-Fa-f]{16}$/.test(v)) { this.appEui = v.toUpperCase(); ok = true; }
      else if (p[2] === 'appkey' && /^[0-9A-Fa-f]{32}$/.test(v)) { this.appKey = v.toUpperCase(); ok = true; }
      else if (p[2] === 'dr' && /^[0-7]$/.test(v)) { this.dr = Number(v); ok = true; }
      else if (p[2] === 'adr' && (v === 'on' || v === 'off')) { this.adr = v === 'on'; ok = true; }
      this.reply(ok ? 'ok' : 'invalid_param', CMD_DELAY);
      return;
    }
    if (line === 'mac join otaa') {
      if (!this.devEui || !this.appEui || !this.appKey) { this.reply('keys_not_init', CMD_DELAY); return; }
      if (now < this.offUntil) { this.dutyRefusals++; this.reply('no_free_ch', CMD_DELAY); return; }
      const air = this.transmit(JOIN_REQUEST_BYTES - LORAWAN_OVERHEAD);
      this.reply('ok', CMD_DELAY);
      const accepted = this.ns.join(this.devEui);
      if (accepted) {
        const sb = this.board.sandbox;
        sb!.schedule(() => { this.joined = true; }, CMD_DELAY + air + JOIN_ACCEPT_DELAY1, [], true);
        this.reply('accepted', CMD_DELAY + air + JOIN_ACCEPT_DELAY1 + 1);
      } else this.reply('denied', CMD_DELAY + air + JOIN_ACCEPT_DELAY1 + 1000);
      return;
    }
    if (p[0] === 'mac' && p[1] === 'tx' && p.length >= 4 && p.length <= 5) {
      const type = p[2], port = Number(p[3]), hex = p[4] || '';
      if ((type !== 'cnf' && type !== 'uncnf') || !/^\d+$/.test(p[3]) || port < 1 || port > 223 || hex.length % 2 || !/^[0-9A-Fa-f]*$/.test(hex)) {
        this.reply('invalid_param', CMD_DELAY);
        return;
      }
      const fault = this.takeFault();
      if (fault === 'not_joined') this.joined = false;
      if (fault && fault !== 'mac_err') { this.reply(fault, CMD_DELAY); return; }
      if (!this.joined) { this.reply('not_joined', CMD_DELAY); return; }
      const payload = Buffer.from(hex, 'hex');
      if (payload.length > EU868_MAX_PAYLOAD[Math.min(this.dr, 5)]) { this.reply('invalid_data_len', CMD_DELAY); return; }
      if (now < this.offUntil) { this.dutyRefusals++; this.reply('no_free_ch', CMD_DELAY); return; }
      const air = this.transmit(payload.length);
      this.reply('ok', CMD_DELAY);
      if (fault === 'mac_err') { this.reply('mac_err', CMD_DELAY + air + RECEIVE_DELAY2 + 500); return; }
      this.uplinks++;
      const down = this.ns.uplink(this.devEui, port, payload, this.dr);
      if (down) this.reply(`mac_rx ${down.port} ${down.data.toString('hex').toUpperCase()}`, CMD_DELAY + air + RECEIVE_DELAY1 + Math.ceil(uplinkAirtimeMs(down.data.length, Math.min(this.dr, 5))));
      else this.reply('mac_tx_ok', CMD_DELAY + air + RECEIVE_DELAY2 + 500);
      return;
    }
    this.reply('invalid_param', CMD_DELAY);
  }

  /** Starts a transmission of n FRMPayload bytes: its airtime, and the off-period after it. */
  private transmit(n: number): number {
    const air = uplinkAirtimeMs(n, Math.min(this.dr, 5));
    this.airtimeMs += air;
    this.offUntil = this.board.clock.ms + CMD_DELAY + dutyCycleWaitMs(air);
    return Math.ceil(air);
  }
}
