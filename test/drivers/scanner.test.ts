import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import fc from 'fast-check';
import { Scanner, ScannerOptions } from '../../drivers/scanner';
import { FakeClock, FakeSerial, FakeTimers } from '../fakes/hal';

const RUNS = Number(process.env.FUZZ_RUNS) || 150;

function setup(extra: Partial<ScannerOptions> = {}, timerOpts: ConstructorParameters<typeof FakeTimers>[0] = {}) {
  const timers = new FakeTimers(timerOpts);
  const serial = new FakeSerial();
  let inData = false;
  const onScan = sinon.spy((text: string) => {
    // Never from inside the UART data callback.
    assert.equal(inData, false, 'onScan called synchronously from the data callback');
    void text;
  });
  // (The framing tests below deliver many frames in one go: the queue's own tests set queueMax.)
  const scanner = new Scanner(Object.assign({ port: serial, timers, onScan, queueMax: 1e6 }, extra));
  const inject = (chunk: string) => {
    inData = true;
    try {
      serial.inject(chunk);
    } finally {
      inData = false;
    }
  };
  const frames = () => onScan.args.map((a) => a[0]);
  return { timers, serial, onScan, scanner, inject, frames };
}

describe('drivers/scanner', () => {
  describe('wiring', () => {
    it('registers one receiver with the port; close() unregisters and clears every timer', () => {
      const { serial, scanner, inject, timers, onScan } = setup();
      assert.equal(serial.registrations, 1);
      assert.equal(serial.hasReceiver(), true);
      inject('ONE\rTWO'); // a queued frame, a dedup window, an idle gap pending
      assert.ok(timers.pending() >= 3);
      scanner.close();
      assert.equal(serial.hasReceiver(), false);
      assert.equal(serial.unregistrations, 1);
      assert.equal(timers.pending(), 0);
      timers.advance(10000);
      sinon.assert.notCalled(onScan); // undelivered frames are dropped
      scanner.close(); // idempotent, clears nothing unknown (FakeTimers is strict)
      assert.equal(serial.unregistrations, 1);
    });

    it('leaves no timer behind once idle', () => {
      const { inject, timers } = setup();
      inject('ABC\r');
      timers.advance(3000);
      assert.equal(timers.pending(), 0);
    });

    it('applies the documented defaults (idle 50 ms, maxLen 2048, dedup 3000 ms)', () => {
      const { inject, timers, frames, scanner } = setup();
      inject('IDLE');
      timers.advance(49);
      assert.deepEqual(frames(), []);
      timers.advance(1);
      assert.deepEqual(frames(), ['IDLE']);
      inject('x'.repeat(2048) + '\r' + 'y'.repeat(2049) + '\r');
      timers.flush();
      assert.deepEqual(frames(), ['IDLE', 'x'.repeat(2048)]);
      assert.equal(scanner.stats.tooLong, 1);
      inject('IDLE\r');
      timers.advance(2999 - 50);
      inject('IDLE\r'); // 2999 ms after the previous IDLE: duplicate
      timers.flush();
      assert.equal(scanner.stats.duplicates, 1);
    });
  });

  describe('framing', () => {
    it('ends frames at CR, LF and CRLF (CRLF is one terminator)', () => {
      const { inject, timers, frames, scanner } = setup({ dedupMs: 0 });
      inject('A\rB\nC\r\nD\r\n\r\nE\n');
      timers.flush();
      assert.deepEqual(frames(), ['A', 'B', 'C', 'D', 'E']);
      assert.equal(scanner.stats.frames, 5);
    });

    it('handles CRLF split across chunks, with time between them', () => {
      const { inject, timers, frames } = setup({ dedupMs: 0 });
      inject('QG1:ABC\r');
      timers.advance(10);
      inject('\nQG1:DEF\r');
      timers.advance(30);
      inject('\n');
      timers.advance(100);
      assert.deepEqual(frames(), ['QG1:ABC', 'QG1:DEF']);
    });

    it('treats LF CR as two terminators (the empty frame is ignored)', () => {
      const { inject, timers, frames } = setup();
      inject('A\n\rB\r\r\n\n');
      timers.flush();
      assert.deepEqual(frames(), ['A', 'B']);
    });

    it('ignores empty frames', () => {
      const { inject, timers, onScan, scanner } = setup();
      inject('\r\n\r\n\n\n\r\r');
      timers.advance(100);
      sinon.assert.notCalled(onScan);
      assert.equal(scanner.stats.frames, 0);
    });

    it('ends a frame at an idle gap of idleMs; every byte restarts the gap', () => {
      const { inject, timers, frames } = setup({ idleMs: 50 });
      inject('HEL');
      timers.advance(40);
      inject('LO');
      timers.advance(40);
      inject('\x00'); // noise is still a byte on the line
      timers.advance(49);
      assert.deepEqual(frames(), []);
      timers.advance(1);
      assert.deepEqual(frames(), ['HELLO']);
      assert.equal(timers.now, 130);
    });

    it('an idle-gap frame followed by its late terminator gives one frame', () => {
      const { inject, timers, frames } = setup({ idleMs: 20, dedupMs: 0 });
      inject('SLOW');
      timers.advance(25);
      inject('\r\n');
      timers.advance(25);
      assert.deepEqual(frames(), ['SLOW']);
    });

    it('honours a custom idleMs', () => {
      const { inject, timers, frames } = setup({ idleMs: 200 });
      inject('X');
      timers.advance(199);
      assert.deepEqual(frames(), []);
      timers.advance(1);
      assert.deepEqual(frames(), ['X']);
    });
  });

  describe('byte filter', () => {
    it('drops control bytes, DEL and 0xFF and counts them; they do not split a frame', () => {
      const { inject, timers, frames, scanner } = setup();
      inject('\x00A\x01B\x7fC\xffD\x1b\tE\x08\r');
      timers.flush();
      assert.deepEqual(frames(), ['ABCDE']);
      assert.equal(scanner.stats.noise, 7);
    });

    it('keeps 0x80..0xFE (UTF-8 text) byte for byte', () => {
      const { inject, timers, frames, scanner } = setup();
      const utf8 = Buffer.from('café €5 ✓', 'utf8').toString('latin1');
      inject(utf8 + '\r');
      inject('\x80\xfe\r');
      timers.flush();
      assert.deepEqual(frames(), [utf8, '\x80\xfe']);
      assert.equal(scanner.stats.noise, 0);
    });

    it('drops char codes above 0xFF (not bytes)', () => {
      const { inject, timers, frames, scanner } = setup();
      inject('A\u20acB\r');
      timers.flush();
      assert.deepEqual(frames(), ['AB']);
      assert.equal(scanner.stats.noise, 1);
    });

    it('noise between CR and LF keeps CRLF one terminator; noise alone makes no frame', () => {
      const { inject, timers, frames } = setup({ dedupMs: 0 });
      inject('A\r\x00\x00\nB\r');
      inject('\x00\x00\xff\r');
      timers.advance(100);
      assert.deepEqual(frames(), ['A', 'B']);
    });
  });

  describe('too long', () => {
    it('drops a frame longer than maxLen whole, counts it, and the next frame is fine', () => {
      const { inject, timers, frames, scanner } = setup({ maxLen: 10 });
      inject('0123456789\r'); // exactly maxLen: kept
      inject('01234'); // 11 bytes over three chunks
      inject('56789');
      inject('A\rNEXT\r');
      timers.flush();
      assert.deepEqual(frames(), ['0123456789', 'NEXT']);
      assert.equal(scanner.stats.tooLong, 1);
      assert.equal(scanner.stats.frames, 2);
    });

    it('a too-long frame ended by an idle gap is counted once; bytes past maxLen are not buffered', () => {
      const { inject, timers, frames, scanner } = setup({ maxLen: 8, idleMs: 50 });
      for (let i = 0; i < 100; i++) inject('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345');
      timers.advance(50);
      inject('OK\r');
      timers.flush();
      assert.deepEqual(frames(), ['OK']);
      assert.equal(scanner.stats.tooLong, 1);
      assert.equal(scanner.stats.noise, 0);
    });

    it('noise does not count towards maxLen', () => {
      const { inject, timers, frames } = setup({ maxLen: 4 });
      inject('\x00A\x00B\x00C\x00D\x00\r');
      timers.flush();
      assert.deepEqual(frames(), ['ABCD']);
    });
  });

  describe('queue (queueMax) and drop reports', () => {
    it('keeps at most queueMax waiting frames: a burst of N framed at once drops N - queueMax, counted and reported', () => {
      const drops: [string, number, number][] = [];
      const { inject, timers, frames, scanner } = setup({ queueMax: 3, dedupMs: 0, onDrop: (w, n, l) => drops.push([w, n, l]) });
      inject('A1\rB22\rC333\rD4444\rE55555\rF666666\r');
      timers.flush();
      assert.deepEqual(frames(), ['A1', 'B22', 'C333']);
      assert.equal(scanner.stats.dropped, 3);
      assert.equal(scanner.stats.frames, 3);
      assert.deepEqual(drops, [['busy', 1, 5], ['busy', 2, 6], ['busy', 3, 7]]);
    });

    it('frames that arrive while onScan runs wait in the queue: one being handled + queueMax kept, the rest dropped', () => {
      const timers = new FakeTimers();
      const serial = new FakeSerial();
      const seen: string[] = [];
      const drops: number[] = [];
      const N = 9;
      const QMAX = 4;
      const scanner = new Scanner({
        port: serial, timers, queueMax: QMAX, dedupMs: 0, onDrop: (w, n) => drops.push(n),
        onScan: (t) => {
          seen.push(t);
          // A long decision: the rest of the burst reaches the UART meanwhile (its data callback
          // runs after this one, as an interpreter's event queue delivers it).
          if (t === 'F0') timers.setTimeout(() => { for (let i = 1; i < N; i++) serial.inject('F' + i + '\r'); }, 0);
        },
      });
      serial.inject('F0\r');
      timers.flush();
      assert.deepEqual(seen, ['F0', 'F1', 'F2', 'F3', 'F4']);
      assert.equal(scanner.stats.dropped, N - 1 - QMAX);
      assert.deepEqual(drops, [1, 2, 3, 4]);
    });

    it('a frame dropped while the queue is full is not a duplicate when the scanner reads it again', () => {
      const { inject, timers, frames, scanner } = setup({ queueMax: 2 });
      inject('A\rB\rC\r'); // A and B wait, C is dropped
      timers.flush();
      inject('C\r'); // read again within dedupMs: delivered, not ignored
      timers.flush();
      assert.deepEqual(frames(), ['A', 'B', 'C']);
      assert.equal(scanner.stats.dropped, 1);
      assert.equal(scanner.stats.duplicates, 0);
    });

    it('defaults to queueMax 4', () => {
      const timers = new FakeTimers();
      const serial = new FakeSerial();
      const seen: string[] = [];
      const scanner = new Scanner({ port: serial, timers, onScan: (t) => seen.push(t) });
      serial.inject('1\r2\r3\r4\r5\r6\r');
      timers.flush();
      assert.deepEqual(seen, ['1', '2', '3', '4']);
      assert.equal(scanner.stats.dropped, 2);
    });

    it('a too-long frame is reported with its length and count; a throwing onDrop does not stop the framing', () => {
      const drops: [string, number, number][] = [];
      const { inject, timers, frames, scanner } = setup({
        maxLen: 8, onDrop: (w, n, l) => { drops.push([w, n, l]); throw new Error('listener failed'); },
      });
      inject('0123456789AB');
      inject('CDEF\rOK\r');
      inject('X'.repeat(40));
      timers.advance(50); // the idle gap ends the second long one
      inject('NEXT\r');
      timers.flush();
      assert.deepEqual(frames(), ['OK', 'NEXT']);
      assert.equal(scanner.stats.tooLong, 2);
      assert.deepEqual(drops, [['too-long', 1, 16], ['too-long', 2, 40]]);
    });
  });

  describe('duplicates', () => {
    it('ignores the same text within dedupMs and counts it; delivers it again after', () => {
      const { inject, timers, frames, scanner } = setup({ dedupMs: 3000 });
      inject('SAME\r');
      timers.advance(2999);
      inject('SAME\r');
      timers.flush();
      assert.deepEqual(frames(), ['SAME']);
      assert.equal(scanner.stats.duplicates, 1);
      timers.advance(3000); // 3000 ms after the last sighting
      inject('SAME\r');
      timers.flush();
      assert.deepEqual(frames(), ['SAME', 'SAME']);
      assert.equal(scanner.stats.frames, 2);
    });

    it('the window slides: a code held at the scanner is delivered once', () => {
      const { inject, timers, frames, scanner } = setup({ dedupMs: 3000 });
      for (let i = 0; i < 10; i++) {
        inject('HELD\r\n');
        timers.advance(1000);
      }
      assert.deepEqual(frames(), ['HELD']);
      assert.equal(scanner.stats.duplicates, 9);
    });

    it('only the latest text counts: A B A delivers all three', () => {
      const { inject, timers, frames, scanner } = setup();
      inject('A\rB\rA\rA\r');
      timers.flush();
      assert.deepEqual(frames(), ['A', 'B', 'A']);
      assert.equal(scanner.stats.duplicates, 1);
    });

    it('dedups frames ended by idle gaps too', () => {
      const { inject, timers, frames } = setup({ idleMs: 50 });
      inject('GAP');
      timers.advance(500);
      inject('GAP');
      timers.advance(500);
      assert.deepEqual(frames(), ['GAP']);
    });

    it('is not affected by the wall clock being set backwards or forwards', () => {
      const timers = new FakeTimers();
      const clock = new FakeClock(timers, 1632729600);
      const serial = new FakeSerial();
      const onScan = sinon.spy();
      new Scanner({ port: serial, timers, clock, onScan });
      serial.inject('T\r');
      timers.advance(1000);
      clock.set(1632729600 - 3600); // back an hour
      serial.inject('T\r');
      timers.advance(1000);
      clock.set(1632729600 + 86400); // forward a day
      serial.inject('T\r');
      timers.flush();
      sinon.assert.calledOnce(onScan);
      timers.advance(3000);
      serial.inject('T\r');
      timers.flush();
      sinon.assert.calledTwice(onScan);
    });

    it('dedupMs 0 disables the check', () => {
      const { inject, timers, frames, scanner } = setup({ dedupMs: 0 });
      inject('D\rD\rD\r');
      timers.flush();
      assert.deepEqual(frames(), ['D', 'D', 'D']);
      assert.equal(scanner.stats.duplicates, 0);
      assert.equal(timers.pending(), 0);
    });

    it('too-long and empty frames do not enter the dedup memory', () => {
      const { inject, timers, frames } = setup({ maxLen: 3 });
      inject('AB\rTOOLONG\rAB\r');
      timers.flush();
      assert.deepEqual(frames(), ['AB']);
    });
  });

  describe('delivery', () => {
    it('never calls onScan synchronously inside the data callback', () => {
      const { serial, timers, onScan } = setup();
      serial.inject('QG1:FOO\r');
      sinon.assert.notCalled(onScan);
      timers.flush();
      sinon.assert.calledOnceWithExactly(onScan, 'QG1:FOO');
    });

    it('delivers one frame per timer callback, in order', () => {
      const { inject, timers, onScan } = setup();
      inject('1\r2\r3\r');
      assert.deepEqual(
        timers.log.filter((l) => l.ms === 0).length,
        1,
        'a single zero-delay delivery timer is armed at a time',
      );
      timers.flush();
      assert.deepEqual(onScan.args.map((a) => a[0]), ['1', '2', '3']);
      assert.equal(timers.log.filter((l) => l.ms === 0).length, 3);
    });

    it('a throwing onScan does not lose the frames queued after it', () => {
      const timers = new FakeTimers({ onError: 'record' });
      const serial = new FakeSerial();
      const seen: string[] = [];
      new Scanner({
        port: serial,
        timers,
        onScan: (t) => {
          seen.push(t);
          if (t === 'BAD') throw new Error('decision failed');
        },
      });
      serial.inject('BAD\rGOOD\r');
      timers.flush();
      assert.deepEqual(seen, ['BAD', 'GOOD']);
      assert.equal(timers.errors.length, 1);
    });

    it('a frame queued and then close() is not delivered', () => {
      const { inject, timers, onScan, scanner, serial } = setup();
      inject('A\r');
      scanner.close();
      timers.flush();
      sinon.assert.notCalled(onScan);
      assert.equal(serial.inject('B\r'), false);
    });
  });

  describe('property', () => {
    const keptByte = fc
      .integer({ min: 0x20, max: 0xfe })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c));
    const frameText = fc.array(keptByte, { minLength: 1, maxLength: 90 }).map((a) => a.join(''));
    const term = fc.constantFrom('\r', '\n', '\r\n');
    const framesArb = fc.array(fc.tuple(frameText, term), { minLength: 1, maxLength: 12 });
    const sizes = fc.array(fc.integer({ min: 1, max: 32 }), { minLength: 1, maxLength: 40 });
    const noiseByte = fc.constantFrom(0x00, 0x01, 0x07, 0x09, 0x1b, 0x1f, 0x7f, 0xff).map((c) => String.fromCharCode(c));

    function chunk(stream: string, sz: number[]): string[] {
      const out: string[] = [];
      let i = 0;
      let k = 0;
      while (i < stream.length) {
        const n = sz[k++ % sz.length];
        out.push(stream.substring(i, i + n));
        i += n;
      }
      return out;
    }

    it('property: any split into <=32-char chunks yields the same frames', () => {
      fc.assert(
        fc.property(framesArb, sizes, (fr, sz) => {
          const { inject, timers, frames, scanner } = setup({ dedupMs: 0 });
          const stream = fr.map((f) => f[0] + f[1]).join('');
          for (const c of chunk(stream, sz)) inject(c);
          timers.flush();
          assert.deepEqual(frames(), fr.map((f) => f[0]));
          assert.equal(scanner.stats.noise, 0);
          timers.advance(1000);
          assert.equal(timers.pending(), 0);
        }),
        { numRuns: RUNS },
      );
    });

    it('property: noise inserted anywhere is dropped and counted, frames unchanged', () => {
      fc.assert(
        fc.property(
          framesArb,
          sizes,
          fc.array(fc.tuple(fc.nat(), noiseByte), { maxLength: 20 }),
          (fr, sz, noise) => {
            const { inject, timers, frames, scanner } = setup({ dedupMs: 0 });
            let stream = fr.map((f) => f[0] + f[1]).join('');
            for (const [pos, b] of noise) {
              const p = pos % (stream.length + 1);
              stream = stream.substring(0, p) + b + stream.substring(p);
            }
            for (const c of chunk(stream, sz)) inject(c);
            timers.advance(100);
            assert.deepEqual(frames(), fr.map((f) => f[0]));
            assert.equal(scanner.stats.noise, noise.length);
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('property: gaps shorter than idleMs between chunks change nothing; onScan is never synchronous', () => {
      fc.assert(
        fc.property(framesArb, sizes, fc.array(fc.integer({ min: 0, max: 49 }), { minLength: 1, maxLength: 10 }), (fr, sz, gaps) => {
          const { inject, timers, frames } = setup({ dedupMs: 0, idleMs: 50 });
          const stream = fr.map((f) => f[0] + f[1]).join('');
          let g = 0;
          for (const c of chunk(stream, sz)) {
            inject(c);
            timers.advance(gaps[g++ % gaps.length]);
          }
          timers.advance(50);
          assert.deepEqual(frames(), fr.map((f) => f[0]));
        }),
        { numRuns: RUNS },
      );
    });

    it('property: with the default dedup and no time passing, consecutive repeats collapse', () => {
      const small = fc.constantFrom('A', 'B', 'QG1:X');
      fc.assert(
        fc.property(fc.array(fc.tuple(small, term), { minLength: 1, maxLength: 15 }), sizes, (fr, sz) => {
          const { inject, timers, frames, scanner } = setup();
          const stream = fr.map((f) => f[0] + f[1]).join('');
          for (const c of chunk(stream, sz)) inject(c);
          timers.flush();
          const expected: string[] = [];
          for (const [t] of fr) if (expected[expected.length - 1] !== t) expected.push(t);
          assert.deepEqual(frames(), expected);
          assert.equal(scanner.stats.duplicates, fr.length - expected.length);
        }),
        { numRuns: RUNS },
      );
    });

    it('property: frames over maxLen are dropped and counted wherever they fall', () => {
      fc.assert(
        fc.property(framesArb, sizes, fc.integer({ min: 1, max: 60 }), (fr, sz, maxLen) => {
          const { inject, timers, frames, scanner } = setup({ dedupMs: 0, maxLen });
          const stream = fr.map((f) => f[0] + f[1]).join('');
          for (const c of chunk(stream, sz)) inject(c);
          timers.flush();
          const kept = fr.map((f) => f[0]).filter((t) => t.length <= maxLen);
          assert.deepEqual(frames(), kept);
          assert.equal(scanner.stats.tooLong, fr.length - kept.length);
        }),
        { numRuns: RUNS },
      );
    });
  });
});
