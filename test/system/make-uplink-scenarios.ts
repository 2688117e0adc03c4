// Generates the uplink scenarios test/scenarios-uplink/*.json (issue 5, "Done when"): twenty people
// scanned at a gate while its network is down for hours and across a power cut during a journal
// write, the collector crashing after committing a batch it never acknowledged, modem faults on
// LoRa; at the end the collector holds every logged record exactly once and `trace` finds who
// was near whom. Run `npx tsx test/system/make-uplink-scenarios.ts` to rewrite the files (the test
// test/system/uplink-scenarios.test.ts checks that they are up to date and plays them).
//
// The certificates are QG1, signed by test/fixtures/issuer.jwk (kid issuer-1), sub "person-NN"
// (UTF-8), cti from the same label: deterministic (Ed25519 signatures are), so the files are too.
import * as fs from 'fs';
import * as path from 'path';
import { readPrivateJwkFile } from '../../tools/keys';
import { encodeCertificate, qg1Text, dayNumber } from '../../tools/issuer';

const REPO = path.resolve(__dirname, '..', '..');
export const OUT_DIR = path.join(REPO, 'test', 'scenarios-uplink');
const T = (iso: string) => Date.parse(iso) / 1000;

/** The QG1 text of person n (1..20): vaccinated twice, valid at the scenarios' clock. */
export function personCert(n: number): string {
  const key = readPrivateJwkFile(path.join(REPO, 'test', 'fixtures', 'issuer.jwk'));
  const label = 'person-' + String(n).padStart(2, '0');
  const cti = Buffer.alloc(16);
  Buffer.from(label + ' cti').copy(cti);
  return qg1Text(encodeCertificate({
    iss: 'QRGate Test Issuer', iat: T('2021-08-02T00:00:00Z'), exp: T('2022-08-02T00:00:00Z'), cti: new Uint8Array(cti),
    hc: { sub: new Uint8Array(Buffer.from(label, 'utf8')), kind: 0, dose: 2, series: 2, date: dayNumber('2021-08-01') },
  }, key));
}

function gateConfig(uplink: any): any {
  const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
  // uplink.url is replaced by the in-process collector's address ("collector": true)
  return { ...base, gateId: 'gate-east-door', uplink: { url: 'http://127.0.0.1:9/replaced', ...uplink } };
}

/** Ten scans one minute apart: persons from..from+9. */
function scans(from: number): any[] {
  const out: any[] = [];
  for (let n = from; n < from + 10; n++) {
    out.push({ scan: personCert(n) }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok' } }, { wait: 59700 });
  }
  return out;
}

const H = 3600000;

function scenario(description: string, uplink: any, drain: any[], lora: boolean): any {
  return {
    description,
    config: gateConfig(uplink),
    trust: '../fixtures/trust.bin',
    clock: '2021-09-27T08:00:00Z',
    collector: true,
    steps: [
      { network: 'down' },
      ...scans(1),
      // hours without a network: nothing reaches the collector, the gate keeps working
      { wait: 3 * H },
      { expect: { collector: { records: 0 }, events: { log: 10 } } },
      // power cut in the middle of the journal write of the next scan: that record is torn (never
      // logged, never sent); the person scans again after the reboot
      { tear: 20 },
      { scan: personCert(11) },
      { expect: { events: { log: 10 } } },
      { power: 'on' },
      { wait: 5000 },
      ...scans(11),
      { expect: { events: { log: 20 } } },
      // the collector will commit the first batch it receives and die before answering
      { collector: 'crash' },
      { network: 'up' },
      ...drain,
      { expect: {
        collector: {
          records: 20, unique: true,
          // persons 1..10 passed within ten minutes of each other; 11..20 hours later
          trace: { subText: 'person-03', entries: 1, contacts: 9 },
        },
        ...(lora ? { modem: { dutyRefusals: 0 } } : {}),
      } },
      { expect: { collector: { trace: { subText: 'person-15', entries: 1, contacts: 9 } } } },
    ],
  };
}

/** The flash fills up while the network is down: the journal drops the oldest and counts them. */
function flashFull(description: string, uplink: any, dropped: number, records: number): any {
  const config = gateConfig(uplink);
  config.log = { segments: 2, segmentSize: 512 };
  return {
    description, config, trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z', collector: true,
    steps: [
      { network: 'down' },
      ...scans(1),
      ...scans(11),
      { expect: { events: { log: 20 } } },
      { network: 'up' },
      { wait: 4 * H },
      // held entries + the largest drop counter = every record logged; the counter itself arrives
      { expect: { collector: { unique: true, dropped, records } } },
    ],
  };
}

export function uplinkScenarios(): { [file: string]: any } {
  const wifiDrain = [
    // the uplink is backing off (at most 30 minutes): the crash happens on its next attempt
    { wait: 35 * 60000 },
    { expect: { collector: { records: 5 } } },
    { collector: 'start' },
    { wait: 2 * H },
  ];
  const loraDrain = (dr: number) => [
    { modem: { fail: 'busy', count: 2 } },
    // the modem's join backs off up to an hour while the network is down
    { wait: 65 * 60000 },
    { modem: { fail: 'no_free_ch', count: 1 } },
    { wait: 20 * 60000 },
    { collector: 'start' },
    { modem: { fail: 'mac_err', count: 1 } },
    { wait: 20 * 60000 },
    { modem: { fail: 'not_joined', count: 1 } },
    { wait: 20 * 60000 },
    { modem: { fail: 'invalid_param', count: 1 } },
    { wait: (dr === 0 ? 6 : 3) * H },
  ];
  const lora = (dr: number) => ({
    transport: 'lora', intervalMs: 10000,
    lora: { devEui: '0004a30b001c0530', appEui: '70b3d57ed0000001', appKey: '2b7e151628aed2a6abf7158809cf4f3c', dataRate: dr },
  });
  return {
    'log-wifi.json': scenario('Wi-Fi uplink: 20 scans with the network down for hours and a power cut in a journal write; ' +
      'the collector crashes after committing the first batch; every record reaches it exactly once',
    { transport: 'wifi', batch: 5, intervalMs: 10000 }, wifiDrain, false),
    'log-lora-dr5.json': scenario('LoRaWAN uplink at DR5 (SF7, 222-byte payloads: 5 records per uplink): as log-wifi, ' +
      'plus modem faults (busy, no_free_ch, mac_err, not_joined, invalid_param); the 1% duty cycle is never exceeded',
    lora(5), loraDrain(5), true),
    'log-lora-dr0.json': scenario('LoRaWAN uplink at DR0 (SF12, 51-byte payloads: 1 record per uplink): as log-lora-dr5',
      lora(0), loraDrain(0), true),
    'log-flash-full-wifi.json': flashFull('Wi-Fi uplink, 2 journal segments of 512 bytes: 20 scans with the network down fill ' +
      'the flash; the oldest records are dropped and counted, the rest and the drop counter reach the collector once',
    { transport: 'wifi', batch: 5, intervalMs: 10000 }, 7, 14),
    'log-flash-full-lora.json': flashFull('LoRaWAN uplink at DR5, as log-flash-full-wifi',
      lora(5), 7, 14),
  };
}

if (require.main === module) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const all = uplinkScenarios();
  for (const f of Object.keys(all)) {
    fs.writeFileSync(path.join(OUT_DIR, f), JSON.stringify(all[f], null, 2) + '\n');
    process.stdout.write(`wrote ${path.join('test', 'scenarios-uplink', f)}\n`);
  }
}
