// The committed native code (firmware/crypto/native-code.generated.ts) cannot go stale: its source
// hash must match native/ed25519 + tools/native/build.sh (checked everywhere), and where the ARM
// toolchain is installed a rebuild must give the very same module, byte for byte. The generated
// curve constants (native/ed25519/consts.h) must match their generator too.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import {
  NATIVE_ED25519_BASE64,
  NATIVE_ED25519_ENTRY,
  NATIVE_ED25519_SIZE,
  NATIVE_ED25519_SOURCE_SHA256,
  NATIVE_ED25519_TOOLCHAIN,
} from '../../../firmware/crypto/native-code.generated';
import { nativeSourceSha256 } from '../../../tools/native/gen-module';
import { generate as generateConsts } from '../../../tools/native/gen-consts';
import { REPO } from '../../util/shared';
import { requireTools, nativeBuild } from '../../native/qemu';

describe('native ed25519 code module', function () {
  it('the committed module was generated from the current sources (source hash; run `make native` if not)', () => {
    assert.equal(NATIVE_ED25519_SOURCE_SHA256, nativeSourceSha256());
  });

  it('native/ed25519/consts.h is what tools/native/gen-consts.ts generates', () => {
    assert.equal(fs.readFileSync(path.join(REPO, 'native', 'ed25519', 'consts.h'), 'utf8'), generateConsts());
  });

  it('module shape: entry at offset 0, size matches the bytes, Thumb code starts with a push', () => {
    const code = Buffer.from(NATIVE_ED25519_BASE64, 'base64');
    assert.equal(code.length, NATIVE_ED25519_SIZE);
    assert.equal(NATIVE_ED25519_ENTRY, 0);
    assert.equal(code.length % 4, 0);
    // The first halfword of qg_verify: a Thumb PUSH {..., lr} (0xb5xx) or the 32-bit STMDB sp! form.
    const hw = code.readUInt16LE(0);
    assert.ok((hw & 0xff00) === 0xb500 || hw === 0xe92d, `first halfword ${hw.toString(16)}`);
  });

  it('a rebuild with the same toolchain gives the committed module byte for byte', function () {
    requireTools(this);
    const cc = spawnSync('arm-none-eabi-gcc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    if (cc !== NATIVE_ED25519_TOOLCHAIN) {
      console.log(`    (skipped: installed ${cc}, the module was built with ${NATIVE_ED25519_TOOLCHAIN})`);
      this.skip();
    }
    const b = nativeBuild();
    const rebuilt = fs.readFileSync(path.join(b.dir, 'native-code.generated.ts'), 'utf8');
    const committed = fs.readFileSync(path.join(REPO, 'firmware', 'crypto', 'native-code.generated.ts'), 'utf8');
    assert.ok(rebuilt === committed, 'firmware/crypto/native-code.generated.ts is stale: run `make native`');
    assert.ok(fs.readFileSync(path.join(b.dir, 'qg_verify.bin')).equals(Buffer.from(NATIVE_ED25519_BASE64, 'base64')));
  });
});
