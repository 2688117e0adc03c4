// The committed native inflate (firmware/native-inflate.generated.ts) cannot go stale: its source
// hash must match native/inflate + tools/native/build-inflate.sh (checked everywhere), and where
// the ARM toolchain is installed a rebuild must give the very same module, byte for byte.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  NATIVE_INFLATE_BASE64, NATIVE_INFLATE_SIZE, NATIVE_INFLATE_SOURCE_SHA256, NATIVE_INFLATE_TOOLCHAIN,
} from '../../firmware/native-inflate.generated';
import { inflateSourceSha256 } from '../../tools/native/gen-inflate-module';
import { requireTools } from '../native/qemu';
import { inflateBuild } from '../native/inflate-qemu';

describe('native inflate code module', function () {
  this.timeout(120000);

  it('the committed module was generated from the current sources (source hash; run `make native` if not)', () => {
    assert.equal(NATIVE_INFLATE_SOURCE_SHA256, inflateSourceSha256());
    assert.equal(Buffer.from(NATIVE_INFLATE_BASE64, 'base64').length, NATIVE_INFLATE_SIZE);
  });

  it('a rebuild gives the same module, byte for byte (gcc-arm-none-eabi)', function () {
    requireTools(this);
    const b = inflateBuild();
    assert.ok(fs.readFileSync(b.builtBin).equals(fs.readFileSync(b.committedBin)), 'rebuild differs: run make native');
    assert.equal(fs.readFileSync(path.join(b.dir, 'native-inflate.generated.ts'), 'utf8'),
      fs.readFileSync(path.join(__dirname, '..', '..', 'firmware', 'native-inflate.generated.ts'), 'utf8'));
    assert.ok(NATIVE_INFLATE_TOOLCHAIN.length > 0);
  });
});
