// firmware/events.ts: the console sink writes the console protocol's lines (README "The console
// protocol"): `@qg ` then JSON with `ev` first and the fields in their order.
import { strict as assert } from 'assert';
import { consoleEvents } from '../../firmware/events';

describe('firmware/events: the console sink', () => {
  it('writes one @qg line per event, ev first, fields in order', () => {
    const lines: string[] = [];
    const ev = consoleEvents({ log: (l) => lines.push(l) });
    ev.emit('drop', { why: 'busy', count: 2, len: 40 });
    ev.emit('ready', {});
    assert.deepEqual(lines, ['@qg {"ev":"drop","why":"busy","count":2,"len":40}', '@qg {"ev":"ready"}']);
  });

  it('does not keep or change the fields it was given', () => {
    const lines: string[] = [];
    const ev = consoleEvents({ log: (l) => lines.push(l) });
    const f: any = { what: 'log', why: 'x' };
    ev.emit('fault', f);
    f.why = 'changed';
    ev.emit('fault', f);
    assert.deepEqual(f, { what: 'log', why: 'changed' });
    assert.deepEqual(lines.map((l) => JSON.parse(l.slice(4)).why), ['x', 'changed']);
    assert.ok(!('ev' in f));
  });
});
