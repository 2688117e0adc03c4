// Issue 17.4: the console password derived from site.secret (firmware/console-lock.ts), the same
// on the laptop (tools/board/unlock.ts) and in the firmware; which lock a configuration chooses.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { consolePasswordOf, lockFileOf } from '../../tools/board/unlock';
import { chooseConsoleLock, passwordOfLockFile, CONFIG_FILE_NAME, PASSWORD_LENGTH } from '../../firmware/console-lock';
import { CONFIG_FILE } from '../../firmware/boot';
import { validateConfig } from '../../firmware/config';
import { hmacSha256, sha256 } from '../../firmware/crypto/sha256';
import { GATE_JSON } from '../util/board';

const cfgBytes = () => new Uint8Array(fs.readFileSync(GATE_JSON));
const SECRET = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8')).site.secret as string;
const hmac = (k: Uint8Array, d: Uint8Array) => hmacSha256(k, d, sha256);

/** The fixture configuration with another site secret. */
function otherSite(): Buffer {
  const c = JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'));
  c.site.secret = 'ab'.repeat(32);
  return Buffer.from(JSON.stringify(c));
}

describe('console lock: the password (firmware/console-lock.ts, tools/board/unlock.ts)', () => {
  it('is 20 hex characters derived from site.secret, the same on the laptop and in the firmware', () => {
    const pw = consolePasswordOf(cfgBytes());
    assert.equal(pw.length, PASSWORD_LENGTH);
    assert.match(pw, /^[0-9a-f]{20}$/);
    assert.ok(!SECRET.includes(pw) && !pw.includes(SECRET.slice(0, 8)));
    assert.notEqual(consolePasswordOf(otherSite()), pw);
    assert.equal(CONFIG_FILE_NAME, CONFIG_FILE);
  });

  it('qg.lock holds it with a check: every single-bit flip of qg.lock is refused', () => {
    const lock = lockFileOf(cfgBytes());
    const text = Buffer.from(lock).toString('latin1');
    assert.equal(passwordOfLockFile(text, sha256), consolePasswordOf(cfgBytes()));
    for (let bit = 0; bit < lock.length * 8; bit++) {
      const b = Buffer.from(lock);
      b[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(passwordOfLockFile(b.toString('latin1'), sha256), null, `bit ${bit}`);
    }
    assert.equal(passwordOfLockFile(text.slice(1), sha256), null);
    assert.equal(passwordOfLockFile(undefined, sha256), null);
  });

  it('which lock: the configuration, else qg.lock, else a random one while a qg.cfg exists, else open', () => {
    const config = validateConfig(JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'))).config!;
    const lockText = Buffer.from(lockFileOf(cfgBytes())).toString('latin1');
    const pw = consolePasswordOf(cfgBytes());
    assert.deepEqual(chooseConsoleLock(config, undefined, true, hmac, sha256), { password: pw, random: false, source: 'config' });
    assert.deepEqual(chooseConsoleLock(undefined, lockText, true, hmac, sha256), { password: pw, random: false, source: 'lockfile' });
    assert.deepEqual(chooseConsoleLock(undefined, lockText, false, hmac, sha256), { password: pw, random: false, source: 'lockfile' });
    assert.deepEqual(chooseConsoleLock(undefined, 'x' + lockText.slice(1), true, hmac, sha256), { password: '', random: true, source: 'random' });
    assert.deepEqual(chooseConsoleLock(undefined, undefined, true, hmac, sha256), { password: '', random: true, source: 'random' });
    assert.deepEqual(chooseConsoleLock(undefined, undefined, false, hmac, sha256), { password: null, random: false, source: 'none' });
  });

  it('with no SHA-256 at all (a firmware without the JavaScript one on an Espruino without crypto): random while qg.cfg or qg.lock exists, else open', () => {
    const config = validateConfig(JSON.parse(fs.readFileSync(GATE_JSON, 'utf8'))).config!;
    const lockText = Buffer.from(lockFileOf(cfgBytes())).toString('latin1');
    const random = { password: '', random: true, source: 'random' };
    assert.deepEqual(chooseConsoleLock(config, lockText, true, null, null), random);
    assert.deepEqual(chooseConsoleLock(undefined, lockText, false, null, null), random);
    assert.deepEqual(chooseConsoleLock(undefined, undefined, false, null, null), { password: null, random: false, source: 'none' });
  });
});
