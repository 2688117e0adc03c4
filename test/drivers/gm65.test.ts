import { strict as assert } from 'assert';
import fc from 'fast-check';
import { Gm65, gm65Crc, gm65WriteCommand, gm65Writes, GM65_MODE, GM65_QR, GM65_SAME_CODE, GM65_SYMBOLOGIES } from '../../drivers/gm65';
import { FakeSerial, FakeTimers } from '../fakes/hal';

const RUNS = Number(process.env.FUZZ_RUNS) || 100;

const bytes = (...b: number[]) => String.fromCharCode(...b);
const hexOf = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/** An answer frame: 02 00 status len data CRC. */
function answer(status: number, data: number[], damage = false): string {
  const body = bytes(status, data.length, ...data);
  let crc = gm65Crc(body, 0, body.length);
  if (damage) crc ^= 0x8001;
  return '\x02\x00' + body + bytes(crc >> 8, crc & 0xff);
}

function setup(answerMs?: number) {
  const serial = new FakeSerial();
  const timers = new FakeTimers({ strict: true });
  const fed: string[] = [];
  const gm = new Gm65({ port: serial, timers, feed: (c) => fed.push(c), answerMs });
  return { serial, timers, fed, gm, text: () => fed.join('') };
}

describe('drivers/gm65', () => {
  describe('frames (the GM65 manual\'s examples)', () => {
    it('computes CRC-16/XMODEM as the manual\'s examples show', () => {
      // write 0x3E at 0x000A: 7E 00 08 01 00 0A 3E 4C CF
      assert.equal(hexOf(gm65WriteCommand(0x000a, 0x3e)), '7e000801000a3e4ccf');
      // the save command's CRC (never sent by the gate): 09 01 00 00 00 -> DE C8
      assert.equal(gm65Crc(bytes(0x09, 0x01, 0x00, 0x00, 0x00), 0, 5), 0xdec8);
      // answers: a write's 02 00 00 01 00 33 31, a read of 0x3E: 02 00 00 01 3E E4 AC
      assert.equal(hexOf(answer(0, [0])), '02000001003331');
      assert.equal(hexOf(answer(0, [0x3e])), '020000013ee4ac');
    });

    it('maps the settings onto the zone bits, mode byte first', () => {
      const w = gm65Writes({ mode: 'continuous', light: 'standard', beep: true, sameCodeMs: 3000 });
      assert.deepEqual(w, [[GM65_MODE, 0xd6], [GM65_SAME_CODE, 0x80 | 30], [GM65_SYMBOLOGIES, 0], [GM65_QR, 1]]);
      const q = gm65Writes({ mode: 'sensor', light: 'off', beep: false, sameCodeMs: 0 });
      assert.deepEqual(q[0], [GM65_MODE, 0x80 | 0x10 | 0x03]);
      assert.deepEqual(q[1], [GM65_SAME_CODE, 0]);
      assert.equal(gm65Writes({ mode: 'manual', light: 'on', beep: true, sameCodeMs: 600000 })[0][1], 0x80 | 0x40 | 0x10 | 0x08);
      assert.equal(gm65Writes({ mode: 'manual', light: 'on', beep: true, sameCodeMs: 600000 })[1][1], 0xff); // at most 12.7 s
      assert.equal(gm65Writes({ mode: 'manual', light: 'on', beep: true, sameCodeMs: 1 })[1][1], 0x81); // on: at least 100 ms
    });

    it('only ever writes to RAM: every command of any settings is a write (08), never the save (09)', () => {
      fc.assert(fc.property(
        fc.record({ mode: fc.constantFrom('continuous', 'sensor', 'manual'), light: fc.constantFrom('standard', 'on', 'off'),
          beep: fc.boolean(), sameCodeMs: fc.integer({ min: 0, max: 600000 }) }),
        (s) => {
          for (const [a, v] of gm65Writes(s)) {
            const c = gm65WriteCommand(a, v);
            assert.equal(c.length, 9);
            assert.equal(hexOf(c.slice(0, 4)), '7e000801');
            assert.equal(gm65Crc(c, 2, 7), (c.charCodeAt(7) << 8) | c.charCodeAt(8));
          }
        }), { numRuns: RUNS });
    });
  });

  describe('commands and answers', () => {
    it('sends the command and reports ok, nak and a wrong CRC, never synchronously', () => {
      const { serial, gm } = setup();
      const got: string[] = [];
      gm.write(GM65_QR, 1, (r) => got.push(r));
      assert.deepEqual(serial.written.map(hexOf), [hexOf(gm65WriteCommand(GM65_QR, 1))]);
      assert.equal(got.length, 0);
      serial.inject(answer(0, [0]));
      gm.write(GM65_QR, 1, (r) => got.push(r));
      serial.inject(answer(1, [0]));
      gm.write(GM65_QR, 1, (r) => got.push(r));
      serial.inject(answer(0, [0], true));
      assert.deepEqual(got, ['ok', 'nak', 'crc']);
      assert.deepEqual(gm.stats, { ok: 1, nak: 1, crc: 1, none: 0 });
    });

    it('reports none when no answer comes within answerMs, and gives back the start of an answer that never ended', () => {
      const { serial, timers, gm, text } = setup(200);
      const got: string[] = [];
      gm.write(GM65_MODE, 0xd6, (r) => got.push(r));
      serial.inject('\x02\x00\x00');
      timers.advance(199);
      assert.deepEqual(got, []);
      timers.advance(1);
      assert.deepEqual(got, ['none']);
      assert.equal(text(), '\x02\x00\x00');
      assert.equal(timers.pending(), 0);
    });

    it('refuses a second command while one waits', () => {
      const { gm } = setup();
      gm.write(GM65_MODE, 0, () => undefined);
      assert.throws(() => gm.write(GM65_MODE, 0, () => undefined), /busy/);
    });

    it('close() lets go of the port and cancels the wait', () => {
      const { serial, timers, gm } = setup();
      let called = false;
      gm.write(GM65_MODE, 0, () => { called = true; });
      gm.close();
      assert.equal(serial.hasReceiver(), false);
      assert.equal(timers.pending(), 0);
      timers.advance(1000);
      assert.equal(called, false);
    });
  });

  describe('the filter between the UART and the scanner framing', () => {
    it('keeps answers from the framing: an answer\'s printable tail (33 31) never reaches it', () => {
      const { serial, gm, text } = setup();
      gm.write(GM65_MODE, 0xd6, () => undefined);
      serial.inject('HC1:ABC' + answer(0, [0]) + 'DEF\r');
      assert.equal(text(), 'HC1:ABCDEF\r');
    });

    it('gives 02 followed by anything but an answer\'s header to the framing', () => {
      const { serial, gm, text } = setup();
      gm.write(GM65_MODE, 0xd6, () => undefined);
      serial.inject('A\x02B\x02\x00C\r');
      assert.equal(text(), 'A\x02B\x02\x00C\r');
    });

    it('passes every scan byte, in order, and takes every answer, however the UART splits them', () => {
      // any bytes but 02 (a scanner sends text; 02 is noise to the framing)
      const printable = fc.array(fc.integer({ min: 0, max: 255 }).filter((b) => b !== 2), { maxLength: 60 })
        .map((a) => String.fromCharCode(...a));
      fc.assert(fc.property(
        fc.array(fc.tuple(printable, fc.constantFrom(0, 1, 2)), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        (parts, cuts) => {
          const { serial, gm, text } = setup();
          const results: string[] = [];
          let stream = '';
          let scans = '';
          for (const [t, kind] of parts) {
            scans += t;
            stream += t + (kind === 0 ? answer(0, [0]) : kind === 1 ? answer(1, [0]) : answer(0, [0], true));
          }
          const want = parts.map(([, k]) => ['ok', 'nak', 'crc'][k]);
          // one command waits for each answer in turn
          const issue = () => gm.write(GM65_MODE, 0, (r) => { results.push(r); if (results.length < want.length) issue(); });
          issue();
          let at = 0;
          let k = 0;
          while (at < stream.length) {
            const n = cuts[k++ % cuts.length];
            serial.inject(stream.slice(at, at + n));
            at += n;
          }
          assert.equal(text(), scans);
          assert.deepEqual(results, want);
        }), { numRuns: RUNS });
    });
  });
});
