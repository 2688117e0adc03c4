// A tiny hand-written ES5 "gate" bundle for the simulator tests (the real one is dist/gate.js).
// Scanner on Serial1 (Espruino WiFi profile), relay B3, LEDs green B4 / red B5 / amber B8.
// A line starting "OK" opens for cfg.relay.openMs (default 3000); anything else is denied (red LED
// for 1 s). Each decision is appended to the flash file 'log' (sized 64 bytes, one byte each).
export const ECHO_GATE = `
var cfg = require('Storage').readJSON('qg.cfg', true) || {};
var openMs = (cfg.relay && cfg.relay.openMs) || 3000;
var active = !(cfg.relay && cfg.relay.activeHigh === false);
var buf = '', n = 0, busy = false, relayTimer;
function ev(o) { console.log('@qg ' + JSON.stringify(o)); }
function relay(on) { digitalWrite(B3, on === active ? 1 : 0); }
function led(g, r) { digitalWrite(B4, g); digitalWrite(B5, r); digitalWrite(B8, 0); }
function logEntry(c) {
  var S = require('Storage');
  var s = S.read('log'), i = 0;
  // offset 0 would replace the file (Espruino's rule), so the first entry creates it with its size
  if (s === undefined) S.write('log', c, 0, 64);
  else { i = s.indexOf(String.fromCharCode(255)); S.write('log', c, i); }
  ev({ ev: 'log', seq: i });
}
function decide(line) {
  if (busy) { ev({ ev: 'drop', why: 'busy' }); return; }
  n++;
  if (line.indexOf('OK') === 0) {
    ev({ ev: 'decision', decision: 'open', reason: 'ok', format: 'qg1', kid: '01', cti: line.slice(2) });
    busy = true;
    relay(true); led(1, 0);
    relayTimer = setTimeout(function () { relay(false); led(0, 0); busy = false; }, openMs);
    logEntry('o');
  } else {
    ev({ ev: 'decision', decision: 'deny', reason: 'unsupported' });
    led(0, 1);
    setTimeout(function () { led(0, 0); }, 1000);
    logEntry('d');
  }
}
Serial1.setup(9600, { rx: B7, tx: B6 });
relay(false);
Serial1.on('data', function (d) {
  Serial1.write(d);
  buf += d;
  var i;
  while ((i = buf.indexOf('\\r')) >= 0) { var l = buf.slice(0, i); buf = buf.slice(i + 1); decide(l); }
});
E.on('init', function () { ev({ ev: 'ready', clock: getTime() > 1e9, mem: process.memory().usage }); });
`;
