// The device-side plumbing of the native verifier: firmware/crypto/native.ts (the code as base64
// text, the constants, the boot self-test) and hal/espruino nativeFunction, which decodes the code
// with atob, keeps it in a Storage file and hands back E.nativeCall's function. Espruino's E,
// require('Storage') and atob are played here by stubs; the code that nativeFunction stores is
// run under the qemu-arm harness.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import nacl from 'tweetnacl';
import { NATIVE_ED25519_BASE64 } from '../../../firmware/crypto/native-code.generated';
import { nativeEd25519Code, verifierSelfTest, NATIVE_ENTRY, NATIVE_SIGNATURE, NATIVE_SIZE } from '../../../firmware/crypto/native';
import { verify as jsVerify } from '../../../firmware/crypto/ed25519';
import { nativeFunction } from '../../../hal/espruino/index';
import { requireTools, runHarness } from '../../native/qemu';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module');

interface Board {
  files: { [name: string]: string };
  writes: string[];
  atobCalls: number;
  calls: { addr: number; signature: string }[];
}

/**
 * Runs fn with Espruino's E (nativeCall, getAddressOf answering `addr`), require('Storage') over
 * `files` and a counting atob in place, for hal/espruino nativeFunction.
 */
function onBoard<T>(files: { [name: string]: string }, addr: number, fn: (b: Board) => T): T {
  const g = globalThis as any;
  const b: Board = { files, writes: [], atobCalls: 0, calls: [] };
  const storage = {
    read: (name: string) => b.files[name],
    write: (name: string, data: string) => { b.writes.push(name); b.files[name] = String(data); return true; },
  };
  const oldLoad = Module._load;
  const oldAtob = g.atob;
  const hadE = 'E' in g;
  const oldE = g.E;
  Module._load = function (req: string, ...rest: any[]) {
    return req === 'Storage' ? storage : oldLoad.call(this, req, ...rest);
  };
  g.atob = (s: string) => { b.atobCalls++; return oldAtob(s); };
  g.E = {
    getAddressOf: () => addr,
    nativeCall: (a: number, signature: string) => {
      b.calls.push({ addr: a, signature });
      return () => 1;
    },
  };
  try {
    return fn(b);
  } finally {
    Module._load = oldLoad;
    g.atob = oldAtob;
    if (hadE) g.E = oldE;
    else delete g.E;
  }
}

const committed = () => Buffer.from(NATIVE_ED25519_BASE64, 'base64').toString('latin1');

describe('crypto/native glue', function () {
  it('nativeEd25519Code() is the committed binary as base64 text, NATIVE_SIZE bytes', () => {
    const s = nativeEd25519Code();
    assert.equal(s, NATIVE_ED25519_BASE64);
    assert.equal(Buffer.from(s, 'base64').length, NATIVE_SIZE);
    assert.equal(NATIVE_ENTRY, 0);
    assert.equal(NATIVE_SIGNATURE, 'int(int,int,int,int)');
  });

  it('verifierSelfTest: passes for the JavaScript verifier, fails for broken ones', () => {
    assert.equal(verifierSelfTest(jsVerify), true);
    assert.equal(verifierSelfTest(() => true), false);
    assert.equal(verifierSelfTest(() => false), false);
  });

  it('nativeFunction: null where E.nativeCall is missing', () => {
    const g = globalThis as any;
    const hadE = 'E' in g;
    const oldE = g.E;
    try {
      delete g.E;
      assert.equal(nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE), null);
      g.E = { getAddressOf: () => 4096 };
      assert.equal(nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE), null);
    } finally {
      if (hadE) g.E = oldE;
      else delete g.E;
    }
  });

  it('nativeFunction: decodes the base64 code with atob, writes the file when missing or different, calls entry | 1', () => {
    onBoard({}, 4096, (b) => {
      const f = nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE);
      assert.equal(typeof f, 'function');
      assert.equal(f!(0, 0, 0, 0), 1);
      assert.ok(b.atobCalls >= 1);
      assert.deepEqual(b.writes, ['qg.ed25519']);
      assert.equal(b.files['qg.ed25519'], committed());
      assert.deepEqual(b.calls, [{ addr: 4096 + NATIVE_ENTRY + 1, signature: NATIVE_SIGNATURE }]);
      // the same code again: the file is kept
      assert.ok(nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE));
      assert.deepEqual(b.writes, ['qg.ed25519']);
    });
    // a file of the right size with other bytes is rewritten
    const c = committed();
    const other = c.slice(0, NATIVE_SIZE - 1) + String.fromCharCode(c.charCodeAt(NATIVE_SIZE - 1) ^ 1);
    onBoard({ 'qg.ed25519': other }, 4096, (b) => {
      assert.ok(nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE));
      assert.deepEqual(b.writes, ['qg.ed25519']);
      assert.equal(b.files['qg.ed25519'], committed());
    });
  });

  it('nativeFunction: code of the wrong length throws and writes nothing; an unaligned file gives null', () => {
    onBoard({}, 4096, (b) => {
      assert.throws(() => nativeFunction('qg.ed25519', () => NATIVE_ED25519_BASE64.slice(0, 100), NATIVE_SIZE, 0, NATIVE_SIGNATURE),
        /native: bad code length/);
      assert.deepEqual(b.writes, []);
    });
    onBoard({}, 4098, (b) => {
      assert.equal(nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE), null);
      assert.deepEqual(b.calls, []);
    });
  });

  it('nativeFunction without embedded code: only reads the file the host wrote, of the given size', () => {
    onBoard({}, 4096, (b) => {
      assert.equal(nativeFunction('qg.ed25519', null, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE), null);
      assert.equal(b.atobCalls, 0);
    });
    onBoard({ 'qg.ed25519': committed().slice(1) }, 4096, (b) => {
      assert.equal(nativeFunction('qg.ed25519', null, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE), null);
      assert.deepEqual(b.writes, []);
    });
    onBoard({ 'qg.ed25519': committed() }, 4096, (b) => {
      assert.ok(nativeFunction('qg.ed25519', null, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE));
      assert.deepEqual([b.writes, b.atobCalls], [[], 0]);
    });
  });

  it('the code nativeFunction stores, run under qemu-arm: self-test passes, signatures check', function () {
    requireTools(this);
    const stored = onBoard({}, 4096, (b) => {
      nativeFunction('qg.ed25519', nativeEd25519Code, NATIVE_SIZE, NATIVE_ENTRY, NATIVE_SIGNATURE);
      return b.files['qg.ed25519'];
    });
    assert.equal(NATIVE_ENTRY, 0); // the harness calls offset 0
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-native-glue-'));
    try {
      const bin = path.join(dir, 'code.bin');
      fs.writeFileSync(bin, Buffer.from(stored, 'latin1'));
      const v = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => runHarness([{ pub, sig, msg }], { bin }).verdicts[0];
      assert.equal(verifierSelfTest(v), true);
      const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
      const msg = new Uint8Array(Buffer.from('QG1 glue'));
      const sig = nacl.sign.detached(msg, kp.secretKey);
      assert.equal(v(kp.publicKey, msg, sig), true);
      assert.equal(v(kp.publicKey, new Uint8Array(Buffer.from('QG1 gluE')), sig), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
