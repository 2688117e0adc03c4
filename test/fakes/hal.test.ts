// The fakes other tests rely on behave as documented (and as Espruino does where it matters).
import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import { FakeClock, FakeInputPin, FakePin, FakeSerial, FakeTimers } from './hal';

describe('fakes/hal', () => {
  describe('FakeTimers', () => {
    it('runs timers in due order, same-instant ones in the order set, never synchronously', () => {
      const t = new FakeTimers();
      const order: string[] = [];
      t.setTimeout(() => order.push('b20'), 20);
      t.setTimeout(() => order.push('a0'), 0);
      t.setTimeout(() => order.push('c20'), 20);
      t.setTimeout(() => order.push('d0'), 0);
      assert.deepEqual(order, []);
      t.flush();
      assert.deepEqual(order, ['a0', 'd0']);
      t.advance(19);
      assert.equal(order.length, 2);
      t.advance(1);
      assert.deepEqual(order, ['a0', 'd0', 'b20', 'c20']);
      assert.equal(t.now, 20);
    });

    it('runs timers set by callbacks when they fall due inside the same advance', () => {
      const t = new FakeTimers();
      const at: number[] = [];
      t.setTimeout(() => {
        at.push(t.now);
        t.setTimeout(() => at.push(t.now), 0);
        t.setTimeout(() => at.push(t.now), 30);
      }, 10);
      t.advance(39);
      assert.deepEqual(at, [10, 10]);
      t.advance(1);
      assert.deepEqual(at, [10, 10, 40]);
    });

    it('intervals repeat until cleared; runAll refuses to run forever', () => {
      const t = new FakeTimers();
      const cb = sinon.spy();
      const id = t.setInterval(cb, 100);
      t.advance(350);
      sinon.assert.callCount(cb, 3);
      assert.throws(() => t.runAll(50), /more than 50/);
      t.clearInterval(id);
      assert.equal(t.pending(), 0);
    });

    it('reuses ids like Espruino (highest live id + 1)', () => {
      const t = new FakeTimers();
      const a = t.setTimeout(() => {}, 10);
      const b = t.setTimeout(() => {}, 20);
      assert.deepEqual([a, b], [1, 2]);
      t.advance(20);
      assert.equal(t.setTimeout(() => {}, 5), 1);
    });

    it('clearing an id that is not live does nothing (Espruino); strict throws; undefined always throws', () => {
      const t = new FakeTimers();
      const cb = sinon.spy();
      t.setTimeout(cb, 10);
      t.clearTimeout(7);
      t.clearInterval(7);
      t.advance(10);
      sinon.assert.calledOnce(cb);
      assert.throws(() => t.clearTimeout(undefined as unknown as number), /clearTimeout\(undefined\) not allowed/);
      const strict = new FakeTimers({ strict: true });
      assert.throws(() => strict.clearTimeout(7), /Unknown Timeout/);
      assert.throws(() => strict.clearInterval(7), /Unknown Interval/);
      assert.throws(() => strict.clearInterval(undefined as unknown as number), /clearInterval\(undefined\) not allowed/);
    });

    it('callback exceptions are rethrown, or recorded and skipped', () => {
      const t = new FakeTimers();
      t.setTimeout(() => {
        throw new Error('x');
      }, 1);
      assert.throws(() => t.advance(5), /x/);
      const r = new FakeTimers({ onError: 'record' });
      const after = sinon.spy();
      r.setInterval(() => {
        throw new Error('y');
      }, 10);
      r.setTimeout(after, 15);
      r.advance(30);
      assert.equal(r.errors.length, 3);
      sinon.assert.calledOnce(after);
    });
  });

  it('FakeClock follows virtual time; set() jumps it without moving timers', () => {
    const t = new FakeTimers();
    const c = new FakeClock(t, 1000);
    t.advance(1500);
    assert.equal(c.now(), 1001.5);
    c.set(50);
    const cb = sinon.spy();
    t.setTimeout(cb, 100);
    t.advance(100);
    sinon.assert.calledOnce(cb);
    assert.ok(Math.abs(c.now() - 50.1) < 1e-9);
    assert.deepEqual(c.sets, [50]);
  });

  it('FakeSerial delivers chunks synchronously to the receiver and records writes', () => {
    const s = new FakeSerial();
    assert.equal(s.inject('lost'), false);
    const got: string[] = [];
    s.onData((c) => got.push(c));
    s.injectChunked('x'.repeat(70), 32);
    s.injectBytes([0x41, 0x1ff]);
    assert.deepEqual(got.map((c) => c.length), [32, 32, 6, 2]);
    assert.equal(got[3], 'A\xff');
    s.write('hello');
    assert.deepEqual(s.written, ['hello']);
    s.onData(null);
    assert.equal(s.hasReceiver(), false);
  });

  it('FakePin records levels with virtual time', () => {
    const t = new FakeTimers();
    const p = new FakePin(t);
    p.write(true);
    t.advance(5);
    p.write(false);
    assert.deepEqual(p.history, [
      { t: 0, level: true },
      { t: 5, level: false },
    ]);
    assert.throws(() => p.write(1 as unknown as boolean), /boolean/);
  });

  it('FakeInputPin reports debounced edges asynchronously, ignoring bounces', () => {
    const t = new FakeTimers();
    const p = new FakeInputPin(t, false);
    const cb = sinon.spy();
    const id = p.watch(cb, 50);
    p.set(true);
    sinon.assert.notCalled(cb);
    t.advance(20);
    p.set(false); // bounce back before the debounce ended: no edge
    t.advance(100);
    sinon.assert.notCalled(cb);
    p.set(true);
    t.advance(50);
    sinon.assert.calledOnceWithExactly(cb, true);
    p.unwatch(id);
    p.set(false);
    t.advance(100);
    sinon.assert.calledOnce(cb);
    assert.equal(t.pending(), 0);
  });
});
