// The mini firmware (mini-firmware.ts: the same files, ready line and qgStatus()) plus the
// console lock exactly as firmware/main.ts does it: the password chosen by
// firmware/console-lock.ts, the consoles locked by hal/espruino lockConsoles. For the real
// interpreter's tests (console-lock-real.test.ts), where the whole firmware takes minutes to flash.
import * as esp from '../../hal/espruino/index';
import { loadConfig } from '../../firmware/boot';
import { chooseConsoleLock, LOCK_FILE, CONFIG_FILE_NAME } from '../../firmware/console-lock';
import { hmacSha256, sha256 } from '../../firmware/crypto/sha256';
import './mini-firmware';

(function () {
  var storage = esp.storage();
  var lock = chooseConsoleLock(loadConfig(storage).config, storage.readText(LOCK_FILE), storage.readText(CONFIG_FILE_NAME) !== undefined,
    function (k: Uint8Array, d: Uint8Array) { return hmacSha256(k, d, sha256); }, sha256);
  esp.lockConsoles(lock.password, lock.random, esp.boardId() === 'LINUX');
})();
