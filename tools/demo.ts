// make demo: a simulated board runs dist/gate.js (the very file flashed to a board) and decides on
// sample certificates; each step is told in words.
import { ROOT } from './root';
import * as fs from 'fs';
import * as path from 'path';
import { SimBoard, BoardEvent } from '../sim/board';
import { DEFAULT_SCENARIO_BOARD } from '../sim/scenario';



const FX = path.join(ROOT, 'test', 'fixtures');

const VISITORS: [string, string][] = [
  ['ok', 'a vaccination certificate, 2 of 2 doses, the last on 2021-08-01'],
  ['ok-divoc', 'a PeduliLindungi (DIVOC) certificate, 2 of 2 doses'],
  ['policy', 'a certificate with only 1 of 2 doses'],
  ['policy-divoc', 'a PeduliLindungi certificate with only 1 dose'],
  ['expired', 'a certificate that expired on 2021-09-01'],
  ['bad-signature', 'a forged certificate (one bit of its signature changed)'],
  ['bad-signature-divoc', 'a PeduliLindungi certificate whose dose was edited after signing'],
  ['revoked', 'a certificate the health office has revoked'],
  ['unknown-key', 'a certificate signed by an issuer this gate does not trust'],
  ['policy-exemption', 'a medical exemption'],
  ['ok-test', 'a negative test taken today'],
  ['unsupported', 'a web address (https://example.org), not a certificate'],
  ['malformed', 'a damaged QG1 code'],
];

function clockText(ms: number, base: number): string {
  const d = new Date(base * 1000 + ms);
  return d.toISOString().slice(11, 23);
}

function say(t: string, text: string): void {
  process.stdout.write(`${t}  ${text}\n`);
}

function main(): void {
  const bundlePath = path.join(ROOT, 'dist', 'gate.js');
  if (!fs.existsSync(bundlePath)) {
    process.stderr.write('demo: dist/gate.js is missing: run make build\n');
    process.exit(2);
  }
  const code = fs.readFileSync(bundlePath, 'utf8');
  const certs = JSON.parse(fs.readFileSync(path.join(FX, 'certs.json'), 'utf8'));
  const clock = Math.floor(Date.parse(certs.clock) / 1000);
  const events: BoardEvent[] = [];
  const board = new SimBoard({ board: DEFAULT_SCENARIO_BOARD, clock, onEvent: (e) => events.push(e) });
  board.flash.write('qg.cfg', fs.readFileSync(path.join(FX, 'gate.json'), 'utf8'));
  board.flash.write('qg.trust', new Uint8Array(fs.readFileSync(path.join(FX, 'trust.bin'))));
  board.flash.write('.bootcde', code);

  const p = board.profile;
  process.stdout.write([
    'QR gate demo',
    `A simulated ${p.name} board runs dist/gate.js (${code.length} bytes), the file flashed to a real board.`,
    `Scanner on ${p.scanner.serial}, door relay on pin ${p.relay}, LEDs green ${p.led.green} / red ${p.led.red} / amber ${p.led.amber}.`,
    `Configuration test/fixtures/gate.json, trust list test/fixtures/trust.bin, clock ${certs.clock}.`,
    '',
  ].join('\n') + '\n');

  board.powerOn();
  board.advance(100);
  const ready = events.find((e) => e.event === 'ready');
  if (!ready || ready.fault) {
    say(clockText(0, clock), `the gate did not start: ${ready ? ready.detail : 'no ready line on the console'}`);
    process.exit(1);
  }
  say(clockText(0, clock), `gate ${ready.gateId} is ready: trust list version ${ready.trust.version} with ${ready.trust.keys} keys, clock set, ${ready.memory} variables in use`);

  const openMs = JSON.parse(fs.readFileSync(path.join(FX, 'gate.json'), 'utf8')).relay.openMs;
  board.advance(900);
  let t = 1000;
  let failures = 0;
  for (const [name, words] of VISITORS) {
    const c = certs.certs[name];
    const start = events.length;
    say(clockText(t, clock), `a visitor shows ${words}`);
    board.scanner().inject(c.text + '\r');
    board.advance(300);
    const d = events.slice(start).find((e) => e.event === 'decision');
    const relayOn = events.slice(start).some((e) => e.event === 'relay' && e.on);
    const led = [...events.slice(start)].reverse().find((e) => e.event === 'led');
    if (!d) {
      say(' '.repeat(12), 'no decision?');
      failures++;
    } else {
      const door = relayOn ? `door relay energised for ${openMs / 1000} s` : 'door stays locked';
      say(' '.repeat(12), `-> ${d.decision.toUpperCase()} (${d.reason}: ${d.detail}); ${led ? led.led : 'no'} light, ${door}`);
      if (d.decision !== c.decision || d.reason !== c.reason) {
        failures++;
        say(' '.repeat(12), `   expected ${c.decision}/${c.reason}!`);
      }
    }
    board.advance(3700);
    t += 4000;
  }
  // Repeat visitor: the first certificate again, decided from the cache.
  const start = events.length;
  say(clockText(t, clock), 'the first visitor comes back with the same certificate');
  board.scanner().inject(certs.certs.ok.text + '\r');
  board.advance(300);
  const again = events.slice(start).find((e) => e.event === 'decision');
  if (again) say(' '.repeat(12), `-> ${again.decision.toUpperCase()} (${again.reason})${again.cached ? ', signature already checked on the first visit' : ''}`);
  board.advance(3700);
  const logs = events.filter((e) => e.event === 'log').length;
  process.stdout.write(`\n${VISITORS.length + 1} scans, ${logs} entries in the flash log (pseudonyms only), ${failures ? failures + ' unexpected decisions' : 'every decision as docs/qg1.md says'}.\n`);
  process.exit(failures ? 1 : 0);
}

main();
