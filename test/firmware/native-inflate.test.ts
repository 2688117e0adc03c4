// firmware/native-inflate.ts: the glue between the gate and the native inflate. Its `load` here
// gives a function that runs the committed machine code (firmware/native-inflate.generated.ts)
// under qemu-arm (test/native/inflate-qemu.ts) on the bytes at the addresses it is given, as
// E.nativeCall would on a board; `flat` hands out buffers with made-up addresses.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { nativeInflater, NativeLoader } from '../../firmware/native-inflate';
import { NATIVE_INFLATE_BASE64, NATIVE_INFLATE_SIZE } from '../../firmware/native-inflate.generated';
import { decide, DecideContext } from '../../firmware/decide';
import { requireTools } from '../native/qemu';
import { runInflate } from '../native/inflate-qemu';
import { divocZips, zipDeflateData } from '../native/inflate-cases';
import { unzipCertificate } from '../../proto/zip';
import { REPO } from '../util/shared';

/**
 * Flat buffers at made-up addresses, and a qg_inflate that reads and writes them through qemu-arm.
 * `defrag()` moves every buffer to a new address, as Espruino's E.defrag moves flat strings (the
 * old addresses then hold nothing: a call given one fails).
 */
function board(opts: { corrupt?: boolean; noMemory?: boolean } = {}) {
  const mem: { addr: number; bytes: Uint8Array }[] = [];
  let next = 0x20001000;
  const at = (addr: number, len: number): Uint8Array => {
    const b = mem.filter((m) => addr >= m.addr && addr + len <= m.addr + m.bytes.length)[0];
    if (!b) throw new Error(`no buffer at 0x${addr.toString(16)}+${len}`);
    return b.bytes.subarray(addr - b.addr, addr - b.addr + len);
  };
  const calls: number[] = [];
  const loaded: { file?: string; code?: string; size?: number; entry?: number; sig?: string } = {};
  const load: NativeLoader = (file, base64, size, entry, signature) => {
    Object.assign(loaded, { file, code: base64 ? base64() : undefined, size, entry, sig: signature });
    return (src, srclen, out, max) => {
      calls.push(srclen);
      const run = runInflate([{ src: new Uint8Array(at(src, srclen)), max }]);
      const o = run.outcomes[0];
      if (o.error) return opts.corrupt ? 0 : -1; // (the glue only looks at the sign)
      const data = Buffer.from(o.data!, 'hex');
      at(out, max).set(opts.corrupt ? data.map((x) => x ^ 1) : data);
      return (o.used! << 16) | data.length;
    };
  };
  const place = (m: { addr: number; bytes: Uint8Array }) => { m.addr = next; next += (m.bytes.length + 0x1fff) & ~0xfff; };
  const flat = (n: number) => {
    if (opts.noMemory) return null;
    const b = { addr: 0, bytes: new Uint8Array(n) };
    place(b);
    mem.push(b);
    return b.bytes;
  };
  // (a view into a flat buffer has the buffer's address plus its offset, as E.getAddressOf(v, true) gives)
  const addr = (v: Uint8Array) => { const m = mem.filter((x) => x.bytes.buffer === v.buffer)[0]; return m ? m.addr + v.byteOffset - m.bytes.byteOffset : 0; };
  const defrag = () => { for (const m of mem) place(m); };
  return { load, flat, addr, defrag, calls, loaded };
}

describe('firmware/native-inflate (glue, the native code under qemu-arm)', function () {
  this.timeout(120000);
  before(function () {
    requireTools(this);
  });

  it('loads qg.inflate from the embedded code, passes its self-test, and inflates every DIVOC sample as proto/inflate.ts', () => {
    const b = board();
    const inflate = nativeInflater(b.load, b.flat, b.addr);
    assert.ok(inflate, 'self-test');
    assert.deepEqual(b.loaded, { file: 'qg.inflate', code: NATIVE_INFLATE_BASE64, size: NATIVE_INFLATE_SIZE, entry: 0, sig: 'int(int,int,int,int)' });
    for (const z of divocZips()) {
      const n = b.calls.length;
      assert.deepEqual(Buffer.from(unzipCertificate(new Uint8Array(z.zip), undefined, inflate)), Buffer.from(unzipCertificate(new Uint8Array(z.zip))), z.name);
      assert.equal(b.calls.length, n + 1, 'the native code inflated it');
      const d = zipDeflateData(z.zip);
      const r: { used: number } = inflate!(new Uint8Array(d), z.zip.readUInt32LE(22))!;
      assert.equal(r.used, d.length);
      assert.throws(() => inflate!(new Uint8Array(d.subarray(0, d.length >> 1)), 4096), /inflate: malformed/);
    }
  });

  it('a DIVOC certificate decides the same with and without it, and the gate passes it down', () => {
    const b = board();
    const inflate = nativeInflater(b.load, b.flat, b.addr)!;
    const text = fs.readFileSync(path.join(REPO, 'data', 'divoc', 'samples', 'dose2.qr.txt'), 'latin1').trim();
    const sha256 = (d: Uint8Array) => new Uint8Array(require('crypto').createHash('sha256').update(d).digest());
    const ctx: DecideContext = { now: null, trust: null, policy: undefined as any, verify: () => false, sha256 };
    const n = b.calls.length;
    const plain = decide(text, ctx);
    assert.equal(b.calls.length, n);
    const nat = decide(text, { ...ctx, inflate });
    assert.equal(b.calls.length, n + 1, 'decide() used the native inflate');
    assert.deepEqual(nat, plain);
  });

  it('wrong machine code fails the self-test (null: the JavaScript inflate is used)', () => {
    const b = board({ corrupt: true });
    assert.equal(nativeInflater(b.load, b.flat, b.addr), null);
    assert.equal(nativeInflater(() => null, b.flat, b.addr), null);
  });

  it('without a flat buffer it answers null and unzipCertificate inflates in JavaScript', () => {
    const b = board();
    let memory = true;
    const inflate = nativeInflater(b.load, (n) => (memory ? b.flat(n) : null), b.addr)!;
    assert.ok(inflate);
    memory = false;
    const z = divocZips()[0].zip;
    const n = b.calls.length;
    assert.equal(inflate(new Uint8Array(zipDeflateData(z)), 4096), null);
    assert.deepEqual(unzipCertificate(new Uint8Array(z), undefined, inflate), unzipCertificate(new Uint8Array(z)));
    assert.equal(b.calls.length, n);
  });

  it('takes each buffer\'s address right before the call: a defragmentation inside `flat` (hal flatBuffer\'s retry) moves nothing it uses', () => {
    const b = board();
    // flat() defragments before it hands out its buffer, as hal/espruino flatBuffer does when the
    // first buffer was not flat: every buffer made before moves
    const inflate = nativeInflater(b.load, (n) => { b.defrag(); return b.flat(n); }, b.addr)!;
    assert.ok(inflate, 'self-test');
    for (const z of divocZips()) {
      b.defrag();
      assert.deepEqual(Buffer.from(unzipCertificate(new Uint8Array(z.zip), undefined, inflate)), Buffer.from(unzipCertificate(new Uint8Array(z.zip))), z.name);
    }
    // (the test board catches a stale address: a call given a buffer's address from before a defrag fails)
    const buf = b.flat(64)!;
    const old = b.addr(buf);
    b.defrag();
    assert.notEqual(b.addr(buf), old);
    assert.throws(() => b.load('qg.inflate', null, 0, 0, '')!(old, 2, old + 8, 4), /no buffer at/);
  });

  it('reads a flat input where it lies (no copy); a non-flat one from a flat copy; the output is one buffer of exactly maxOut bytes', () => {
    const b = board();
    const sizes: number[] = [];
    const inflate = nativeInflater(b.load, (n) => { sizes.push(n); return b.flat(n); }, b.addr)!;
    for (const z of divocZips()) {
      const d = zipDeflateData(z.zip);
      const usize = z.zip.readUInt32LE(22);
      const flatSrc = b.flat(d.length)!;
      flatSrc.set(d);
      sizes.length = 0;
      const r = inflate(flatSrc, usize)!;
      assert.deepEqual(sizes, [usize], 'one buffer: the output');
      assert.equal(r.data.length, usize);
      assert.equal(r.data.byteOffset, 0);
      assert.equal(r.data.buffer.byteLength, usize, 'the output buffer itself, no larger');
      sizes.length = 0;
      const again = inflate(new Uint8Array(d), usize)!; // (the test board gives other arrays no address)
      assert.deepEqual(sizes, [usize + d.length], 'the output, then a copy of the input, in one buffer');
      assert.deepEqual(again.data, r.data);
      // a view into a larger flat buffer (a zip's deflate data) is read in place too
      const whole = b.flat(z.zip.length)!;
      whole.set(z.zip);
      sizes.length = 0;
      assert.deepEqual(Buffer.from(unzipCertificate(whole, undefined, inflate)), Buffer.from(unzipCertificate(new Uint8Array(z.zip))));
      assert.deepEqual(sizes, [usize]);
    }
  });

  it('a buffer that is not flat (address 0) is refused: null, the JavaScript inflate', () => {
    const b = board();
    let flatOk = true;
    const inflate = nativeInflater(b.load, b.flat, (x) => (flatOk ? b.addr(x) : 0))!;
    assert.ok(inflate);
    flatOk = false;
    const z = divocZips()[0].zip;
    const n = b.calls.length;
    assert.equal(inflate(new Uint8Array(zipDeflateData(z)), 4096), null);
    assert.deepEqual(unzipCertificate(new Uint8Array(z), undefined, inflate), unzipCertificate(new Uint8Array(z)));
    assert.equal(b.calls.length, n);
  });

  it('the harness answers for the committed code at any offset (sanity of the test board)', () => {
    const r = runInflate([{ src: new Uint8Array([0x03, 0x00]), max: 4 }]);
    assert.deepEqual(r.outcomes[0], { used: 2, data: '' });
  });
});
