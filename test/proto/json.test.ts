// JSON over bytes (proto/json.ts, under the DIVOC reader) against JSON.parse.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { parseJsonBytes, JsonObject, JsonValue } from '../../proto/json';

const RUNS = Number(process.env.FUZZ_RUNS || 0) || 300;

function toPlain(v: JsonValue): any {
  if (v instanceof JsonObject) {
    const o: any = {};
    v.keys.forEach((k, i) => Object.defineProperty(o, Buffer.from(k, 'latin1').toString('utf8'), { value: toPlain(v.values[i]), enumerable: true }));
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === 'string') return Buffer.from(v, 'latin1').toString('utf8');
  return v;
}

describe('json over bytes', () => {
  const P = (s: string | Buffer) => parseJsonBytes(new Uint8Array(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8')));
  it('agrees with JSON.parse on generated values, strings as UTF-8 byte strings (property)', () => {
    const val = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string({ unit: 'binary', maxLength: 6 }), fc.integer({ min: -1e9, max: 1e9 }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(val, fc.boolean(), (v, ascii) => {
        let s = JSON.stringify(v);
        if (ascii) s = s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
        assert.deepEqual(toPlain(P(s)), JSON.parse(s));
      }),
      { numRuns: RUNS },
    );
  });
  it('\\u escapes become UTF-8 bytes; surrogate pairs one 4-byte sequence', () => {
    assert.equal(P('"\\u00e9\\u4e2d\\ud83d\\ude00"'), Buffer.from('é中😀', 'utf8').toString('latin1'));
    assert.equal(P(Buffer.from('"é中😀"', 'utf8')), Buffer.from('é中😀', 'utf8').toString('latin1'));
  });
  it('refuses what strict JSON refuses', () => {
    const bad: (string | Buffer)[] = [
      '{"a":1,"a":2}', '{"a":1,}', '[1,]', '01', '1.5', '1e3', '-', '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"\u0001"', '"\\x"', "'a'", '{a:1}', '[1] x', '',
      'nul', 'truee', '"abc', '1234567890123456', Buffer.from([0x22, 0xc3, 0x28, 0x22]), Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), Buffer.from([0x22, 0xc0, 0x80, 0x22]),
      Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), Buffer.from([0xef, 0xbb, 0xbf, 0x31]), '[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]',
    ];
    for (const b of bad) assert.throws(() => P(b), Error, String(b));
  });
  it('"__proto__" and "constructor" are plain keys', () => {
    const o = P('{"__proto__":1,"constructor":2}') as JsonObject;
    assert.deepEqual(o.keys, ['__proto__', 'constructor']);
    assert.equal(o.get('__proto__'), 1);
    assert.equal(o.get('toString'), undefined);
  });
  it('any bytes: only Error (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        try {
          P(Buffer.from(b));
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
