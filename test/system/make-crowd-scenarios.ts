// Generates the occupancy scenarios test/scenarios-crowd/*.json (issue 14, "Done when"): the room
// filling to capacity and a refusal, people leaving by the exit-side scanner; the PPKM level
// lowered at the collector and the new limit in force at the gate (Wi-Fi and LoRaWAN); a booth
// referral counted at the collector; the count surviving a power cut; anti-passback.
// Run `npx tsx test/system/make-crowd-scenarios.ts` to rewrite the files (the test
// test/system/crowd-scenarios.test.ts checks that they are up to date and plays them).
import * as fs from 'fs';
import * as path from 'path';
import { readPrivateJwkFile } from '../../tools/keys';
import { encodeCertificate, qg1Text, dayNumber } from '../../tools/issuer';
import { personCert } from './make-uplink-scenarios';

const REPO = path.resolve(__dirname, '..', '..');
export const OUT_DIR = path.join(REPO, 'test', 'scenarios-crowd');
const T = (iso: string) => Date.parse(iso) / 1000;

/** Person n vaccinated once (policy.minDoses 2: refused for not being vaccinated enough). */
function oneDoseCert(n: number): string {
  const key = readPrivateJwkFile(path.join(REPO, 'test', 'fixtures', 'issuer.jwk'));
  const label = 'oneshot-' + String(n).padStart(2, '0');
  const cti = Buffer.alloc(16);
  Buffer.from(label + ' cti').copy(cti);
  return qg1Text(encodeCertificate({
    iss: 'QRGate Test Issuer', iat: T('2021-08-02T00:00:00Z'), exp: T('2022-08-02T00:00:00Z'), cti: new Uint8Array(cti),
    hc: { sub: new Uint8Array(Buffer.from(label, 'utf8')), kind: 0, dose: 1, series: 2, date: dayNumber('2021-08-01') },
  }, key));
}

function gateConfig(extra: any): any {
  const base = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'gate.json'), 'utf8'));
  return { ...base, gateId: 'polres-a-east', ...extra };
}

const WIFI = { uplink: { url: 'http://127.0.0.1:9/replaced', transport: 'wifi', batch: 5, intervalMs: 10000 } };
const EXIT = { exitSerial: 'Serial1', exitRx: 'D25', exitTx: 'D26' };
const enter = (n: number) => [
  { scan: personCert(n) }, { wait: 300 }, { expect: { decision: 'open', reason: 'ok' } }, { wait: 4000 },
];

export function crowdScenarios(): { [file: string]: any } {
  return {
    'crowd-capacity.json': {
      description: 'A room for 3: three people enter, the fourth is refused (deny/capacity, red); one leaves by the exit-side scanner and the fourth gets in',
      config: gateConfig({ capacity: { max: 3, saveS: 0, ...EXIT } }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z',
      steps: [
        { expect: { occupancy: { n: 0, max: 3 } } },
        ...enter(1), ...enter(2), ...enter(3),
        { expect: { occupancy: { n: 3, max: 3 } } },
        { scan: personCert(4) }, { wait: 300 },
        { expect: { decision: 'deny', reason: 'capacity', led: 'red', relay: false, occupancy: { n: 3 } } },
        { wait: 4000 },
        { exitScan: personCert(1) }, { wait: 300 },
        { expect: { occupancy: { n: 2 }, relay: false } },
        ...enter(4),
        { expect: { occupancy: { n: 3, max: 3 } } },
      ],
    },
    'crowd-door.json': {
      description: 'With a door contact and an exit button (door.*): a granted scan counts the visitor only when the door opens; a granted scan nobody walks through counts nobody; the exit button counts someone leaving',
      config: gateConfig({ capacity: { max: 3, saveS: 0 }, door: { contact: 'board', button: 'board', heldOpenS: 30 } }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z',
      steps: [
        { expect: { occupancy: { n: 0, max: 3 } } },
        { scan: personCert(1) }, { wait: 300 },
        { expect: { decision: 'open', reason: 'ok', relay: true, occupancy: { n: 0 } } },
        { door: 'open' }, { wait: 500 }, { door: 'close' }, { wait: 300 },
        { expect: { relay: false, occupancy: { n: 1 } } },
        { wait: 4000 },
        { scan: personCert(2) }, { wait: 300 },
        { expect: { decision: 'open', reason: 'ok' } },
        { wait: 5000 },
        { expect: { relay: false, occupancy: { n: 1 } } },
        { button: 'press' }, { wait: 100 }, { button: 'release' }, { wait: 300 },
        { expect: { occupancy: { n: 0 } } },
      ],
    },
    'crowd-level-wifi.json': {
      description: 'PPKM level 3 (half of a room for 10: 5); the collector lowers site polres-a to level 4 (20%: 2); the next acknowledgement brings it and the gate refuses the third person',
      config: gateConfig({ capacity: { max: 10, levels: '3:50%,4:20%', level: 3, saveS: 0 }, ...WIFI }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z', collector: true,
      steps: [
        { expect: { occupancy: { n: 0, max: 5, level: 3 } } },
        ...enter(1),
        { level: 4, site: 'polres-a' },
        ...enter(2),
        { wait: 20000 },
        { expect: { occupancy: { n: 2, max: 2, level: 4 }, collector: { records: 2 } } },
        { scan: personCert(3) }, { wait: 300 },
        { expect: { decision: 'deny', reason: 'capacity' } },
        // the level stays after a reboot (kept in flash with the count)
        { power: 'cut' }, { power: 'on' }, { wait: 1000 },
        { expect: { occupancy: { n: 2, max: 2, level: 4 } } },
      ],
    },
    'crowd-level-lora.json': {
      description: 'The same over LoRaWAN (DR5): the level reaches the gate as a one-byte downlink on FPort 3',
      config: gateConfig({
        capacity: { max: 10, levels: '3:50%,4:20%', level: 3, saveS: 0 },
        uplink: { url: 'http://127.0.0.1:9/replaced', transport: 'lora', intervalMs: 10000,
          lora: { devEui: '0004a30b001c0530', appEui: '70b3d57ed0000001', appKey: '2b7e151628aed2a6abf7158809cf4f3c', dataRate: 5 } },
      }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z', collector: true,
      steps: [
        ...enter(1),
        { level: 4 },
        { wait: 60000 },
        ...enter(2),
        { wait: 120000 },
        { expect: { occupancy: { n: 2, max: 2, level: 4 }, collector: { records: 2 } } },
        { scan: personCert(3) }, { wait: 300 },
        { expect: { decision: 'deny', reason: 'capacity' } },
      ],
    },
    'crowd-booth.json': {
      description: 'policy.boothReferral: a visitor with one dose of two is referred to the vaccination booth (deny/booth, amber); the collector counts the referral',
      config: gateConfig({ policy: { ...gateConfig({}).policy, boothReferral: true }, capacity: { max: 20 }, ...WIFI }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z', collector: true,
      steps: [
        ...enter(1),
        { scan: oneDoseCert(1) }, { wait: 300 },
        { expect: { decision: 'deny', reason: 'booth', led: 'amber', relay: false, occupancy: { n: 1 } } },
        { wait: 30000 },
        { expect: { collector: { records: 2, referrals: 1 } } },
      ],
    },
    'crowd-power-cut.json': {
      description: 'The count survives a power cut: written at most every capacity.saveS (10) seconds, it is back after the reboot',
      config: gateConfig({ capacity: { max: 5, saveS: 10, ...EXIT } }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z',
      steps: [
        ...enter(1), ...enter(2), ...enter(3),
        { exitScan: personCert(2) }, { wait: 11000 },
        { expect: { occupancy: { n: 2 }, flash: { 'qg.occ': true } } },
        { power: 'cut' }, { wait: 60000 }, { power: 'on' }, { wait: 1000 },
        { expect: { occupancy: { n: 2, max: 5 } } },
        ...enter(4), ...enter(5), ...enter(6),
        { scan: personCert(7) }, { wait: 300 },
        { expect: { decision: 'deny', reason: 'capacity', occupancy: { n: 5 } } },
      ],
    },
    'crowd-passback.json': {
      description: 'Anti-passback (passback.windowS 600): the same person entering again without leaving goes to the attendant; after an exit scan, in again',
      config: gateConfig({ passback: { windowS: 600 }, capacity: { ...EXIT }, scanner: { dedupMs: 1000 } }),
      trust: '../fixtures/trust.bin', clock: '2021-09-27T08:00:00Z',
      steps: [
        ...enter(1),
        { scan: personCert(1) }, { wait: 300 },
        { expect: { decision: 'attendant', reason: 'passback', led: 'amber', relay: false } },
        { wait: 4000 },
        ...enter(2),
        { exitScan: personCert(1) }, { wait: 300 },
        ...enter(1),
      ],
    },
  };
}

if (require.main === module) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const files = crowdScenarios();
  for (const f of Object.keys(files)) fs.writeFileSync(path.join(OUT_DIR, f), JSON.stringify(files[f], null, 2) + '\n');
  process.stdout.write(`wrote ${Object.keys(files).length} scenarios to ${OUT_DIR}\n`);
}
