// drivers/at.ts: line framing (CR LF, chunks split anywhere, empty and unsolicited lines, garbage
// without line ends) and the command queue (one at a time, never synchronous, the first and the
// second answer's timeouts, refusals and their counts) on a fake UART and fake timers.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { FakeTimers, FakeSerial } from '../fakes/hal';
import { At, AT_MAX_LINE } from '../../drivers/at';

type Result = { err: string | null; lines: string[]; t: number };

function setup() {
  const timers = new FakeTimers();
  const port = new FakeSerial();
  const errors: { [reply: string]: number } = {};
  const at = new At(port, timers, errors);
  const results: Result[] = [];
  const cmd = (text: string, t1: number, t2 = 0, ok?: () => void) =>
    at.command(text, t1, t2, (err, lines) => results.push({ err, lines, t: timers.now }), ok);
  return { timers, port, errors, at, results, cmd };
}

const FUZZ = Number(process.env.FUZZ_RUNS) || 100;

describe('drivers/at: the command queue', () => {
  it('writes a command with CR LF, never from command() itself, and one at a time', () => {
    const s = setup();
    s.cmd('sys reset', 1000);
    s.cmd('mac reset 868', 1000);
    assert.deepEqual(s.port.written, [], 'nothing written synchronously');
    s.timers.advance(0);
    assert.deepEqual(s.port.written, ['sys reset\r\n'], 'the second waits for the first');
    s.port.inject('RN2483 1.0.5\r\n');
    assert.deepEqual(s.results, [{ err: null, lines: ['RN2483 1.0.5'], t: 0 }]);
    assert.deepEqual(s.port.written, ['sys reset\r\n', 'mac reset 868\r\n'], 'the next goes when an answer came');
    s.port.inject('ok\r\n');
    assert.deepEqual(s.results[1], { err: null, lines: ['ok'], t: 0 });
    assert.equal(s.timers.pending(), 0, 'no timer left');
  });

  it('times out the first answer after t1, counts timeouts in a row and any answer resets them', () => {
    const s = setup();
    s.cmd('a', 2000);
    s.cmd('b', 500);
    s.cmd('c', 500);
    s.timers.advance(0);
    s.timers.advance(1999);
    assert.equal(s.results.length, 0);
    s.timers.advance(1);
    assert.deepEqual(s.results[0], { err: 'timeout', lines: [], t: 2000 });
    assert.equal(s.at.timeouts, 1);
    s.timers.advance(500);
    assert.deepEqual(s.results[1], { err: 'timeout', lines: [], t: 2500 });
    assert.equal(s.at.timeouts, 2);
    assert.deepEqual(s.errors, { timeout: 2 });
    s.port.inject('ok\r\n');
    assert.deepEqual(s.results[2], { err: null, lines: ['ok'], t: 2500 });
    assert.equal(s.at.timeouts, 0);
    assert.equal(s.timers.pending(), 0);
  });

  it('a two-stage command: "ok" starts the second wait and calls ok(), the second answer ends it', () => {
    const s = setup();
    let started = -1;
    s.cmd('mac tx uncnf 2 AB', 2000, 20000, () => { started = s.timers.now; });
    s.timers.advance(0);
    s.timers.advance(10);
    s.port.inject('ok\r\n');
    assert.equal(started, 10);
    assert.equal(s.results.length, 0);
    s.timers.advance(15000); // past t1: only t2 counts now
    assert.equal(s.results.length, 0);
    s.port.inject('mac_rx 1 CAFE\r\n');
    assert.deepEqual(s.results, [{ err: null, lines: ['ok', 'mac_rx 1 CAFE'], t: 15010 }]);
    assert.equal(s.timers.pending(), 0);
  });

  it('a two-stage command refused at once, and one whose second answer never comes', () => {
    const s = setup();
    let oks = 0;
    s.cmd('mac tx uncnf 2 AB', 2000, 20000, () => { oks++; });
    s.cmd('mac join otaa', 2000, 20000, () => { oks++; });
    s.timers.advance(0);
    s.port.inject('no_free_ch\r\n');
    assert.deepEqual(s.results[0], { err: 'no_free_ch', lines: ['no_free_ch'], t: 0 });
    s.port.inject('ok\r\n');
    s.timers.advance(19999);
    assert.equal(s.results.length, 1);
    s.timers.advance(1);
    assert.deepEqual(s.results[1], { err: 'timeout', lines: ['ok'], t: 20000 });
    assert.equal(oks, 1);
    assert.deepEqual(s.errors, { no_free_ch: 1, timeout: 1 });
  });

  it('an answer after its timeout is unsolicited: it does not answer the next command', () => {
    const s = setup();
    s.cmd('a', 100);
    s.timers.advance(0);
    s.timers.advance(100);
    s.port.inject('late\r\n');
    s.cmd('b', 100);
    s.timers.advance(0);
    s.port.inject('ok\r\n');
    assert.deepEqual(s.results.map((r) => [r.err, r.lines]), [['timeout', []], [null, ['ok']]]);
  });
});

describe('drivers/at: line framing', () => {
  it('drops lines while no command waits, empty lines, and the CR before LF', () => {
    const s = setup();
    s.port.inject('RN2483 banner\r\n\r\n');
    s.cmd('a', 1000);
    s.timers.advance(0);
    s.port.inject('\r\n\n');
    assert.equal(s.results.length, 0, 'empty lines answer nothing');
    s.port.inject('x\ry\n');
    assert.deepEqual(s.results[0].lines, ['x\ry'], 'only a CR right before the LF goes');
  });

  it('drops a buffer of garbage without line ends', () => {
    const s = setup();
    s.cmd('a', 1000);
    s.timers.advance(0);
    s.port.inject('z'.repeat(AT_MAX_LINE + 1));
    s.port.inject('ok\r\n');
    assert.deepEqual(s.results[0].lines, ['ok']);
    s.cmd('b', 1000);
    s.timers.advance(0);
    s.port.inject('z'.repeat(AT_MAX_LINE));
    s.port.inject('ok\r\n');
    assert.deepEqual(s.results[1].lines, ['z'.repeat(AT_MAX_LINE) + 'ok'], 'up to the limit, kept');
  });

  it('property: answers split into chunks anywhere give the same lines', () => {
    const line = fc.string({ minLength: 1, maxLength: 20 }).filter((l) => l.indexOf('\n') < 0 && l.indexOf('\r') < 0);
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(200), { maxLength: 10 }), (answers, cuts) => {
      const s = setup();
      for (let i = 0; i < answers.length; i++) s.cmd('c' + i, 1000);
      s.timers.advance(0);
      const text = answers.map((a) => a + '\r\n').join('');
      const at = cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b);
      let prev = 0;
      for (const c of at.concat([text.length])) {
        s.port.inject(text.slice(prev, c));
        prev = c;
      }
      assert.deepEqual(s.results.map((r) => r.lines), answers.map((a) => [a]));
      assert.deepEqual(s.port.written, answers.map((_, i) => 'c' + i + '\r\n'));
    }), { numRuns: FUZZ });
  });
});
