// TEST-ONLY entry (never part of dist/gate.js): the conformance bundle dist/conformance.js that
// test/espruino/conformance.test.ts runs on the real Espruino interpreter. It reads from Storage
//   qg.cfg    the gate configuration (JSON text), checked by validateConfig;
//   qg.trust  the trust bundle (bytes), accepted by acceptTrustBundle under the root keys;
//   qg.cases  one case per line: `NAME CLOCK HEX` (CLOCK: seconds since 1970, or '-' for a gate
//             whose clock was never set; HEX: the scanned text's bytes);
//   qg.copt   optional: 'js' to use the JavaScript SHA-256/512 even where require('crypto') has them;
// runs the gate's decide() on every case and prints one line per case:
//   @case NAME DECISION REASON FORMAT KIDHEX CTIHEX MS     ('-' for an empty field)
// then `@done COUNT MEMORY` and quits (Linux build). Device code rules (ES5, no RegExp).
import * as esp from '../hal/espruino/index';
import { validateConfig } from './config';
import { acceptTrustBundle } from './trustcheck';
import { decide } from './decide';
import { verify } from './crypto/ed25519';
import { sha256 } from './crypto/sha256';
import { sha512 } from './crypto/sha512';
import { fromHex, hexOf, bytesToByteString } from '../proto/bytes';

declare var quit: any;

var con = esp.consoleOut();
var clock = esp.clock();
var storage = esp.storage();
var timers = esp.timers();
var count = 0;

function out(line: string): void {
  con.log(line);
}

function finish(): void {
  out('@done ' + count + ' ' + esp.memory().usage());
  if (typeof quit === 'function') quit();
}

function field(b: Uint8Array | null): string {
  return b && b.length ? hexOf(b) : '-';
}

function main(): void {
  var opt = storage.readText('qg.copt');
  var js = { sha256: sha256, sha512: sha512 };
  var h = opt === 'js' ? js : esp.hashes(js)!; // (js given: never null)
  out('@hashes ' + (h.sha512 === sha512 ? 'js' : 'native') + ' ' + (h.sha256 === sha256 ? 'js' : 'native'));
  var vfy = function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) { return verify(pub, msg, sig, h.sha512); };

  var cfgText = storage.readText('qg.cfg');
  var cfgObj: any = null;
  try { cfgObj = JSON.parse(cfgText as string); } catch (e) { cfgObj = null; }
  var v = validateConfig(cfgObj);
  if (!v.config) { out('@fault config ' + v.error); finish(); return; }
  var config = v.config;
  var tb = storage.readBytes('qg.trust');
  var t0 = clock.now();
  var t = tb ? acceptTrustBundle(tb, config.rootKeys, -1, vfy) : null;
  if (!t || !t.bundle) { out('@fault trust ' + (t ? t.detail : 'no qg.trust')); finish(); return; }
  var trust = t.bundle;
  out('@trust ' + trust.version + ' ' + trust.keyCount + ' ' + Math.round((clock.now() - t0) * 1000));

  var cases = storage.readText('qg.cases') || '';
  var pos = 0;
  var next = function () {
    while (pos < cases.length && (cases.charCodeAt(pos) === 10 || cases.charCodeAt(pos) === 13)) pos++;
    if (pos >= cases.length) { finish(); return; }
    var end = cases.indexOf('\n', pos);
    if (end < 0) end = cases.length;
    var line = cases.substring(pos, end);
    pos = end + 1;
    var a = line.indexOf(' ');
    var b = a < 0 ? -1 : line.indexOf(' ', a + 1);
    if (b < 0) { out('@bad-line'); timers.setTimeout(next, 0); return; }
    var name = line.substring(0, a);
    var clk = line.substring(a + 1, b);
    var hex = line.substring(b + 1);
    if (hex.charCodeAt(hex.length - 1) === 13) hex = hex.substring(0, hex.length - 1);
    var text = bytesToByteString(fromHex(hex));
    var now = clk === '-' ? null : parseInt(clk, 10);
    var s = clock.now();
    var d = decide(text, { now: now, trust: trust, policy: config.policy, verify: vfy, sha256: h.sha256 });
    var ms = Math.round((clock.now() - s) * 1000);
    count++;
    out('@case ' + name + ' ' + d.decision + ' ' + d.reason + ' ' + (d.format || '-') + ' ' + field(d.kid) + ' ' +
      field(d.cti) + ' ' + ms);
    timers.setTimeout(next, 0);
  };
  timers.setTimeout(next, 0);
}

main();
