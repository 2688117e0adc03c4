// A Grow GM65-style QR module on a simulated board's scanner UART (the test-side API): it reads
// the zone-bit commands the program writes (drivers/gm65.ts has the protocol), keeps its zone bits
// in RAM (lost at a power cut) and in its own flash (written only by the save command, 09), answers
// as the module does, and reads codes shown to it as its settings say.
//
// Commands: 7E 00 | type | len | addrH addrL | data | CRC (CRC-16/XMODEM, or AB CD: "no check",
// as the manual allows). 08 writes len bytes at addr in RAM, 07 reads data[0] bytes (0: 256), 09
// saves RAM to flash; anything else is not answered. A command with a wrong CRC, a bad format
// or a gap of more than 400 ms inside it is not answered (and forgotten). Answers: 02 00 00 len
// data CRC after ANSWER_DELAY_MS.
//
// Kinds: 'gm65' (answers), 'silent' (hears the commands, logs them, neither applies nor answers
// them: a module of another protocol), 'plain' (a scanner that ignores every byte written to it).
// Faults for the next N answers (fail(kind, count)): 'silent' (none), 'badcrc' (the answer's CRC
// damaged), 'nak' (an answer with status 01, as some twins refuse; the command is not applied).
//
// Reading (show): a code is output as the text plus CR when the module reads in that mode (manual
// mode needs {trigger: true}), its symbology is on (0x002C bits 2-1: 00 all off, 01 all on, 10 the
// factory set, then 0x003F bit 0 for QR; other symbologies follow 0x002C alone) and it is not the
// same text again within the same-code delay (0x0013: bit 7 on, bits 6-0 x 100 ms).
//
// Setting codes: the module obeys a settings barcode shown to it (Grow's manual prints one per
// setting) while zone bit 0x0003 bit 1 is 0 (open, the factory state): the code changes its
// settings and is not sent to the board (bit 0 set: its text is sent too). The printed codes'
// content is not published, so the model has its own stand-in: a code whose text is
// `@GM65:AAAA=VV` (hex zone address and value) writes VV at AAAA in RAM, as the write command
// does, whatever symbologies are on. With bit 1 set (closed: what the gate writes at boot) it is
// an ordinary code, read (or not) as its symbology says.
import { SimBoard } from './board';
import { gm65Crc } from '../drivers/gm65';

export const GM65_KINDS = ['gm65', 'plain', 'silent'];
export const GM65_FAULTS = ['silent', 'badcrc', 'nak'];
export const ANSWER_DELAY_MS = 5;
/** A command whose bytes take longer than this after 7E 00 is forgotten (the manual's 400 ms). */
export const COMMAND_GAP_MS = 400;

/** Factory zone bits (the ones the model knows): LED, beeper, standard aim and light, manual mode; setting codes open; same-code delay off; the factory symbologies (QR among them) on. */
export function factoryZones(): Uint8Array {
  const z = new Uint8Array(256);
  z[0x00] = 0xd4;
  z[0x03] = 0x00;
  z[0x13] = 0x00;
  z[0x2c] = 0x04;
  z[0x3f] = 0x01;
  return z;
}

/** 0x002C's symbology switch (bits 2-1): anything but 00 (all off) leaves symbologies on. */
function symbologiesOn(v: number): boolean {
  return ((v >> 1) & 3) !== 0;
}

/** The model's stand-in for a printed settings barcode: `@GM65:AAAA=VV` (see above). */
export const SETTING_CODE = /^@GM65:([0-9A-Fa-f]{4})=([0-9A-Fa-f]{2})$/;

export class Gm65Emulator {
  /** The settings in use (RAM). */
  ram = factoryZones();
  /** The module's own flash: what it starts with after a power cycle. */
  flash = factoryZones();
  /** Save commands (09) received: the gate must never send one. */
  saves = 0;
  /** Setting codes obeyed (shown while 0x0003 bit 1 was 0). */
  settingCodesRead = 0;
  /** Commands received and answers given, for tests. */
  readonly log: { t: number; dir: 'in' | 'out'; hex: string }[] = [];
  /** Per-symbology flags other than QR (set by 0x002C). */
  private othersOn = true;
  private readonly faults: { kind: string; count: number }[] = [];
  private buf = '';
  private bufAt = 0;
  private lastText: string | null = null;
  private lastAt = -Infinity;

  constructor(private board: SimBoard, readonly uart: string, readonly kind: string = 'gm65') {
    if (GM65_KINDS.indexOf(kind) < 0) throw new Error(`unknown scanner module ${kind}`);
  }

  /** Power lost and back: RAM from the module's flash. */
  powerCycle(): void {
    this.ram = new Uint8Array(this.flash);
    this.othersOn = symbologiesOn(this.ram[0x2c]);
    this.buf = '';
    this.lastText = null;
  }

  fail(kind: string, count: number): void {
    if (GM65_FAULTS.indexOf(kind) < 0) throw new Error(`unknown scanner module fault ${kind}`);
    this.faults.push({ kind, count });
  }

  /** The settings in RAM, readable. */
  get settings(): { mode: string; light: string; beep: boolean; led: boolean; sameCodeMs: number; qrOnly: boolean; qr: boolean; settingCodes: boolean } {
    const z = this.ram[0];
    const delay = this.ram[0x13];
    const qr = (this.ram[0x3f] & 1) === 1;
    return {
      mode: ['manual', 'command', 'continuous', 'sensor'][z & 3],
      light: ['off', 'standard', 'on', 'on'][(z >> 2) & 3],
      beep: (z & 0x40) !== 0,
      led: (z & 0x80) !== 0,
      sameCodeMs: delay & 0x80 ? (delay & 0x7f) * 100 : 0,
      qrOnly: qr && !this.othersOn,
      qr,
      settingCodes: (this.ram[0x03] & 2) === 0,
    };
  }

  /** A code in front of the module: true when it sends it to the board (text + CR). */
  show(text: string, opts: { symbology?: string; trigger?: boolean } = {}): boolean {
    const s = this.settings;
    if (s.mode === 'command' || (s.mode === 'manual' && !opts.trigger)) return false;
    const set = SETTING_CODE.exec(text);
    if (set && s.settingCodes) {
      this.settingCodesRead++;
      this.poke(parseInt(set[1], 16), parseInt(set[2], 16));
      if (!(this.ram[0x03] & 1)) return false;
      this.board.uart(this.uart).inject(text + '\r');
      return true;
    }
    const sym = opts.symbology || 'qr';
    if (sym === 'qr' ? !s.qr : !this.othersOn) return false;
    const now = this.board.clock.ms;
    if (s.sameCodeMs > 0 && text === this.lastText && now - this.lastAt < s.sameCodeMs) return false;
    this.lastText = text;
    this.lastAt = now;
    this.board.uart(this.uart).inject(text + '\r');
    return true;
  }

  /** Bytes the program wrote to the module's UART. */
  write(data: string): void {
    if (this.kind === 'plain') return;
    const now = this.board.clock.ms;
    if (this.buf && now - this.bufAt > COMMAND_GAP_MS) this.buf = '';
    if (!this.buf) this.bufAt = now;
    this.buf += data;
    for (;;) {
      const at = this.buf.indexOf('\x7e\x00');
      if (at < 0) { this.buf = this.buf.slice(-1) === '\x7e' ? '\x7e' : ''; return; }
      const b = this.buf.slice(at);
      if (b.length < 6) { this.buf = b; return; }
      const type = b.charCodeAt(2);
      const len = b.charCodeAt(3) || 256;
      const dataLen = type === 0x08 ? len : 1;
      const total = 6 + dataLen + 2;
      if (b.length < total) { this.buf = b; return; }
      this.buf = b.slice(total);
      this.bufAt = now;
      const cmd = b.slice(0, total);
      this.log.push({ t: now, dir: 'in', hex: Buffer.from(cmd, 'latin1').toString('hex') });
      if (this.kind === 'silent') continue;
      const crc = (cmd.charCodeAt(total - 2) << 8) | cmd.charCodeAt(total - 1);
      if (crc !== 0xabcd && crc !== gm65Crc(cmd, 2, total - 2)) continue; // not answered
      this.command(type, b.charCodeAt(3), (b.charCodeAt(4) << 8) | b.charCodeAt(5), cmd.slice(6, 6 + dataLen));
    }
  }

  private takeFault(): string | null {
    const f = this.faults[0];
    if (!f) return null;
    if (--f.count <= 0) this.faults.shift();
    return f.kind;
  }

  private command(type: number, lenByte: number, addr: number, data: string): void {
    const fault = this.takeFault();
    if (fault === 'nak') return this.answer(1, '\x00', false);
    let out: string;
    if (type === 0x08) {
      for (let k = 0; k < data.length; k++) this.poke(addr + k, data.charCodeAt(k));
      out = '\x00';
    } else if (type === 0x07) {
      const n = data.charCodeAt(0) || 256;
      out = '';
      for (let k = 0; k < n; k++) out += String.fromCharCode(this.ram[(addr + k) & 0xff]);
    } else if (type === 0x09) {
      this.saves++;
      this.flash = new Uint8Array(this.ram);
      out = '\x00';
    } else return;
    void lenByte;
    if (fault === 'silent') return;
    this.answer(0, out, fault === 'badcrc');
  }

  private poke(addr: number, v: number): void {
    if (addr > 0xff) return;
    this.ram[addr] = v;
    // 0x002C is an action on every symbology (bits 2-1): 00 all off, 01 all on, 10 the factory set (all on here)
    if (addr === 0x2c) {
      const on = symbologiesOn(v);
      this.othersOn = on;
      this.ram[0x3f] = on ? 1 : 0;
    }
  }

  private answer(status: number, data: string, damage: boolean): void {
    const body = String.fromCharCode(status, data.length & 0xff) + data;
    let crc = gm65Crc(body, 0, body.length);
    if (damage) crc ^= 0x0101;
    const frame = '\x02\x00' + body + String.fromCharCode(crc >> 8, crc & 0xff);
    const sb = this.board.sandbox;
    if (!sb || sb.dead) return;
    sb.schedule(() => {
      this.log.push({ t: this.board.clock.ms, dir: 'out', hex: Buffer.from(frame, 'latin1').toString('hex') });
      this.board.uart(this.uart).inject(frame);
    }, ANSWER_DELAY_MS, [], true);
  }
}
