// hal/espruino/input.ts: the input pin over Espruino's pinMode/digitalRead/setWatch/clearWatch,
// here over recording stand-ins of those globals (the simulator runs it over its virtual pins in
// the door scenarios, test/scenarios/door-*.json).
import { strict as assert } from 'assert';
import { inputPin } from '../../../hal/espruino/input';

describe('hal/espruino/input: input pins', () => {
  const g = globalThis as any;
  const names = ['pinMode', 'digitalRead', 'setWatch', 'clearWatch'];
  let calls: any[][];
  let saved: any[];
  let level = 0;
  let watchFn: ((e: any) => void) | null = null;
  beforeEach(() => {
    saved = names.map((n) => g[n]);
    calls = [];
    g.pinMode = (...a: any[]) => calls.push(['pinMode', ...a]);
    g.digitalRead = (p: any) => { calls.push(['digitalRead', p]); return level; };
    g.setWatch = (fn: any, p: any, o: any) => { calls.push(['setWatch', p, o]); watchFn = fn; return 7; };
    g.clearWatch = (id: any) => calls.push(['clearWatch', id]);
  });
  afterEach(() => names.forEach((n, i) => { if (saved[i] === undefined) delete g[n]; else g[n] = saved[i]; }));

  it('sets the pull, reads a boolean, watches both edges debounced and unwatches', () => {
    inputPin('B13', 'up');
    inputPin('B14', 'down');
    const p = inputPin('D9');
    assert.deepEqual(calls.splice(0), [['pinMode', 'B13', 'input_pullup'], ['pinMode', 'B14', 'input_pulldown'], ['pinMode', 'D9', 'input']]);
    level = 1;
    assert.equal(p.read(), true);
    level = 0;
    assert.equal(p.read(), false);
    const seen: boolean[] = [];
    assert.equal(p.watch((l) => seen.push(l), 50), 7);
    assert.deepEqual(calls.filter((c) => c[0] === 'setWatch'), [['setWatch', 'D9', { repeat: true, edge: 'both', debounce: 50 }]]);
    watchFn!({ state: true });
    watchFn!({ state: 0 });
    assert.deepEqual(seen, [true, false]);
    p.unwatch(7);
    assert.deepEqual(calls[calls.length - 1], ['clearWatch', 7]);
  });
});
