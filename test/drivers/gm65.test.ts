import { strict as assert } from 'assert';
import fc from 'fast-check';
import {
  gm65Crc, gm65Filter, gm65WriteCommand, gm65Writes, GM65_MODE, GM65_QR, GM65_SAME_CODE, GM65_SETTING_CODES, GM65_SYMBOLOGIES,
} from '../../drivers/gm65';

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

/** The filter over a sequence of chunks: what reached the framing, the answers, the capture left. */
function filter(chunks: string[]): { text: string; answers: string[]; cap: string } {
  let cap = '';
  let text = '';
  const answers: string[] = [];
  for (const c of chunks) cap = gm65Filter(cap, c, (s) => { text += s; }, (r) => answers.push(r));
  return { text, answers, cap };
}

/** [addr, value] pairs of a flat write list. */
function pairs(w: number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < w.length; i += 2) out.push([w[i], w[i + 1]]);
  return out;
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

    it('maps the settings onto the zone bits: mode byte first, then setting codes closed', () => {
      const w = pairs(gm65Writes({ mode: 'continuous', light: 'standard', beep: true, sameCodeMs: 3000 }));
      assert.deepEqual(w, [[GM65_MODE, 0xd6], [GM65_SETTING_CODES, 0x02], [GM65_SAME_CODE, 0x80 | 30], [GM65_SYMBOLOGIES, 0], [GM65_QR, 1]]);
      const q = pairs(gm65Writes({ mode: 'sensor', light: 'off', beep: false, sameCodeMs: 0 }));
      assert.deepEqual(q[0], [GM65_MODE, 0x80 | 0x10 | 0x03]);
      assert.deepEqual(q[2], [GM65_SAME_CODE, 0]);
      const m = pairs(gm65Writes({ mode: 'manual', light: 'on', beep: true, sameCodeMs: 600000 }));
      assert.equal(m[0][1], 0x80 | 0x40 | 0x10 | 0x08);
      assert.equal(m[2][1], 0xff); // at most 12.7 s
      assert.equal(pairs(gm65Writes({ mode: 'manual', light: 'on', beep: true, sameCodeMs: 1 }))[2][1], 0x81); // on: at least 100 ms
    });

    it('closes setting codes whatever the settings: 0x0003 gets bit 1 (closed), bit 0 clear (not output)', () => {
      fc.assert(fc.property(
        fc.record({ mode: fc.constantFrom('continuous', 'sensor', 'manual'), light: fc.constantFrom('standard', 'on', 'off'),
          beep: fc.boolean(), sameCodeMs: fc.integer({ min: 0, max: 600000 }) }),
        (s) => {
          const w = pairs(gm65Writes(s));
          assert.deepEqual(w.filter(([a]) => a === GM65_SETTING_CODES), [[GM65_SETTING_CODES, 0x02]]);
        }), { numRuns: RUNS });
    });

    it('only ever writes to RAM: every command of any settings is a write (08), never the save (09)', () => {
      fc.assert(fc.property(
        fc.record({ mode: fc.constantFrom('continuous', 'sensor', 'manual'), light: fc.constantFrom('standard', 'on', 'off'),
          beep: fc.boolean(), sameCodeMs: fc.integer({ min: 0, max: 600000 }) }),
        (s) => {
          for (const [a, v] of pairs(gm65Writes(s))) {
            const c = gm65WriteCommand(a, v);
            assert.equal(c.length, 9);
            assert.equal(hexOf(c.slice(0, 4)), '7e000801');
            assert.equal(gm65Crc(c, 2, 7), (c.charCodeAt(7) << 8) | c.charCodeAt(8));
          }
        }), { numRuns: RUNS });
    });
  });

  describe('the filter between the UART and the scanner framing', () => {
    it('reports ok, nak and a wrong CRC, in order', () => {
      const r = filter([answer(0, [0]), answer(1, [0]), answer(0, [0], true)]);
      assert.deepEqual(r.answers, ['ok', 'nak', 'crc']);
      assert.equal(r.text, '');
      assert.equal(r.cap, '');
    });

    it('keeps the start of an answer that has not ended: the caller gives it back when its time is over', () => {
      const r = filter(['AB\x02\x00', '\x00']);
      assert.equal(r.text, 'AB');
      assert.deepEqual(r.answers, []);
      assert.equal(r.cap, '\x02\x00\x00');
    });

    it('keeps answers from the framing: an answer\'s printable tail (33 31) never reaches it', () => {
      const r = filter(['HC1:ABC' + answer(0, [0]) + 'DEF\r']);
      assert.equal(r.text, 'HC1:ABCDEF\r');
      assert.deepEqual(r.answers, ['ok']);
    });

    it('gives 02 followed by anything but an answer\'s header to the framing', () => {
      const r = filter(['A\x02B\x02\x00C\r']);
      assert.equal(r.text, 'A\x02B\x02\x00C\r');
      assert.deepEqual(r.answers, []);
    });

    it('passes every scan byte, in order, and takes every answer, however the UART splits them', () => {
      // any bytes but 02 (a scanner sends text; 02 is noise to the framing)
      const printable = fc.array(fc.integer({ min: 0, max: 255 }).filter((b) => b !== 2), { maxLength: 60 })
        .map((a) => String.fromCharCode(...a));
      fc.assert(fc.property(
        fc.array(fc.tuple(printable, fc.constantFrom(0, 1, 2)), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        (parts, cuts) => {
          let stream = '';
          let scans = '';
          for (const [t, kind] of parts) {
            scans += t;
            stream += t + (kind === 0 ? answer(0, [0]) : kind === 1 ? answer(1, [0]) : answer(0, [0], true));
          }
          const want = parts.map(([, k]) => ['ok', 'nak', 'crc'][k]);
          const chunks: string[] = [];
          let at = 0;
          let k = 0;
          while (at < stream.length) {
            const n = cuts[k++ % cuts.length];
            chunks.push(stream.slice(at, at + n));
            at += n;
          }
          const r = filter(chunks);
          assert.equal(r.text, scans);
          assert.deepEqual(r.answers, want);
          assert.equal(r.cap, '');
        }), { numRuns: RUNS });
    });
  });
});
