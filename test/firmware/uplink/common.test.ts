// What the uplinks share (firmware/uplink/common.ts): a link's event reporter prints, through the event sink (firmware/events.ts), one console
// event line `@qg {"ev":"uplink","link":...,"what":...,...fields}` per call (qrgate monitor reads them).
import { strict as assert } from 'assert';
import { uplinkSay, MAX_BACKOFF_MS, RN2483_BAUD } from '../../../firmware/uplink/common';
import { consoleEvents } from '../../../firmware/events';

function console_() {
  const lines: string[] = [];
  // the event sink the gate gives the uplinks, over a console that keeps its lines
  return Object.assign(consoleEvents({ log: (l: string) => { lines.push(l); } } as any), { lines });
}

describe('firmware/uplink/common', () => {
  it('uplinkSay prints one @qg uplink event per call: ev, link and what first, then the fields', () => {
    const con = console_();
    const say = uplinkSay(con, 'wifi');
    say('sent', { records: 3, bytes: 120 });
    say('fault', { detail: 'HTTP 404 from /' });
    assert.equal(con.lines.length, 2);
    for (const l of con.lines) assert.ok(l.startsWith('@qg {'), l);
    const ev = con.lines.map((l) => JSON.parse(l.slice(4)));
    assert.deepEqual(ev[0], { ev: 'uplink', link: 'wifi', what: 'sent', records: 3, bytes: 120 });
    assert.deepEqual(Object.keys(ev[0]), ['ev', 'link', 'what', 'records', 'bytes']);
    assert.deepEqual(ev[1], { ev: 'uplink', link: 'wifi', what: 'fault', detail: 'HTTP 404 from /' });
  });

  it('each reporter keeps its own link; the fields object is not changed', () => {
    const con = console_();
    const fields = { dr: 5 };
    uplinkSay(con, 'lora')('joined', fields);
    uplinkSay(con, 'wifi')('up', {});
    assert.deepEqual(fields, { dr: 5 });
    assert.deepEqual(con.lines.map((l) => JSON.parse(l.slice(4)).link), ['lora', 'wifi']);
  });

  it('the RN2483 speaks at 57600 baud; retries wait at most 30 minutes', () => {
    assert.equal(RN2483_BAUD, 57600);
    assert.equal(MAX_BACKOFF_MS, 30 * 60 * 1000);
  });
});
