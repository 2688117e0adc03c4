// boards/index.ts: every board is listed once, and a new board is one file plus one line there:
// a synthetic board added to BOARD_FILES passes the schema and shows up in everything derived
// from the board files (firmware table, simulator, flasher, budget, bundle table, README tables).
// Also: no board fact lives outside boards/ (pins, board ids, Storage geometry in device or tools
// code), and the bundles carry only their own board's profile.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BOARD_FILES, boardFileOf, boardList } from '../../boards/index';
import { Board, checkBoard, profileOf } from '../../boards/types';
import { ESP32 } from '../../boards/esp32';
import { boardProfile } from '../../firmware/boards';
import { SimBoard } from '../../sim/board';
import { flashFiles, profileName, featuresOf } from '../../tools/flashfiles';
import { flashBudget, fixtureInputs } from '../../tools/flashbudget';
import { bundlePath, bundleBoards, deviceBoards } from '../../tools/build/boards';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { boardTableSource } = require('../../tools/build/bundle.js');
const deviceBoardTable = (profile: string): string => boardTableSource(deviceBoards(profile));
import { readmeTables } from '../../tools/build/readme-tables';
import { REPO } from '../util/shared';

/** A board nobody makes: ESP32-like, its own pins, ids and flash. */
function synthetic(): Board {
  const b: Board = JSON.parse(JSON.stringify(ESP32));
  b.name = 'testboard';
  b.title = 'Test board';
  b.ids = ['QG_TESTBOARD'];
  b.pins = {
    scanner: { serial: 'Serial3', rx: 'E1', tx: 'E2' }, relay: 'E3', led: { green: 'E4', red: 'E5', amber: 'E6' }, contact: 'E7', button: 'E8', buzzer: 'E9',
    lora: { serial: 'Serial4', rx: 'F1', tx: 'F2', reset: 'F3' },
  };
  b.vars = 12345;
  b.flash = { storageStart: 0x200000, storageSize: 512 * 1024, pageSize: 8192, free: [{ addr: 0x100000, length: 65536, what: 'test area' }], reserved: [] };
  b.notes = ['a board for the tests only.'];
  return b;
}

/** Evaluates a device board table (ES module text) and returns its boardList(). */
function evalTable(src: string): any[] {
  const body = src.replace(/^export function boardList\(\)/, 'function boardList()') + '\nreturn boardList();';
  return new Function(body)();
}

describe('boards/index: the board list', () => {
  it('names and board ids are unique', () => {
    const names = BOARD_FILES.map((b) => b.name);
    assert.equal(new Set(names).size, names.length);
    const ids = ([] as string[]).concat(...BOARD_FILES.map((b) => b.ids));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('boardList() is every board file\'s profile, in order; boardFileOf finds names and ids', () => {
    assert.deepEqual(boardList(), BOARD_FILES.map(profileOf));
    for (const b of BOARD_FILES) {
      assert.equal(boardFileOf(b.name), b);
      for (const id of b.ids) assert.equal(boardFileOf(id), b);
    }
    assert.equal(boardFileOf('NOSUCHBOARD'), undefined);
  });

  it('a device bundle\'s table: its own board first (+ the Linux build), or every board (universal)', () => {
    assert.deepEqual(evalTable(deviceBoardTable('universal')), BOARD_FILES.map(profileOf));
    for (const b of BOARD_FILES) {
      const t = evalTable(deviceBoardTable(b.name));
      assert.deepEqual(t[0], profileOf(b));
      assert.deepEqual(t.map((p) => p.name), b.name === 'linux' ? ['linux'] : [b.name, 'linux']);
    }
  });

  it('the built bundles carry only their own board (+ Linux); dist/gate.js all of them', function () {
    if (!fs.existsSync(bundlePath('pico'))) throw new Error(`${bundlePath('pico')} is missing: run make build-device`);
    const has = (file: string, b: Board) => fs.readFileSync(file, 'latin1').indexOf(`ids:[${JSON.stringify(b.ids[0])}`) >= 0;
    for (const b of BOARD_FILES) assert.ok(has(bundlePath('universal'), b), `dist/gate.js lacks ${b.name}`);
    for (const own of BOARD_FILES) {
      const keep = bundleBoards(own.name);
      for (const b of BOARD_FILES) {
        assert.equal(has(bundlePath(own.name), b), keep.indexOf(b) >= 0, `dist/gate-${own.name}.js and ${b.name}`);
      }
    }
  });

  it('a new board is one file and one line in boards/index.ts: everything derived follows', () => {
    const b = synthetic();
    assert.deepEqual(checkBoard(b), []);
    BOARD_FILES.push(b);
    try {
      // the firmware's table
      assert.deepEqual(boardProfile('QG_TESTBOARD'), profileOf(b));
      assert.equal(evalTable(deviceBoardTable('testboard'))[0].relay, 'E3');
      // the simulator: pins and flash geometry
      const sim = new SimBoard({ board: 'testboard' });
      assert.equal(sim.profile.scanner.serial, 'Serial3');
      assert.equal(sim.flash.size, 512 * 1024);
      assert.equal(sim.flash.pageSize, 8192);
      assert.equal(sim.memory().total, 12345);
      // the flasher and its budget
      assert.equal(profileName('QG_TESTBOARD'), 'testboard');
      assert.equal(featuresOf('testboard').jsVerify, true);
      const inputs = fixtureInputs();
      const files = flashFiles('testboard', inputs.config, inputs.trust);
      assert.ok('qg.tb' in files && 'qg.cfg' in files && !('qg.ed25519' in files));
      assert.equal(flashBudget('testboard', inputs, 1000).available, 512 * 1024);
      // the README's tables
      const t = readmeTables(BOARD_FILES, () => 1000);
      assert.ok(t.pins.indexOf('| `testboard` Test board | QG_TESTBOARD | Serial3 (E1, E2) | E3 | E4 | E5 | E6 |') >= 0, t.pins);
      assert.ok(t.lora.indexOf('| `testboard` | Serial4 (F1, F2) | F3 |') >= 0, t.lora);
      assert.ok(t.geometry.indexOf('| `testboard` | 0x200000, 512 KB, 8 KB pages | 0x100000: 64 KB (test area) |') >= 0, t.geometry);
      assert.ok(t.budget.indexOf('| `testboard` |') >= 0 && t.notes.indexOf('Test board: a board for the tests only.') >= 0);
      assert.ok(/\| `qg\.tb`, `qg\.k<8 hex>` \| `esp32`, `linux`, `testboard` \|/.test(t.files), t.files);
    } finally {
      BOARD_FILES.splice(BOARD_FILES.indexOf(b), 1);
    }
    assert.throws(() => profileName('testboard'), /unknown board/);
  });
});

// ------------------------------------------------------------------ no board fact outside boards/

/** Board facts written in a source text: quoted pin names, board ids, Storage geometry. */
export function boardFacts(text: string): string[] {
  const out: string[] = [];
  const pin = /['"`]([A-H]\d{1,2})['"`]/g;
  let m: RegExpExecArray | null;
  while ((m = pin.exec(text))) out.push(`pin ${m[1]}`);
  for (const b of BOARD_FILES) {
    for (const id of b.ids) if (new RegExp(`['"\`]${id}['"\`]`).test(text)) out.push(`board id ${id}`);
    const start = b.flash.storageStart.toString(16);
    if (new RegExp(`0x0*${start}\\b`, 'i').test(text)) out.push(`Storage start 0x${start}`);
    const kb = b.flash.storageSize / 1024;
    if (kb !== 64 && kb !== 256 && new RegExp(`\\b${kb} \\* 1024\\b`).test(text)) out.push(`Storage size ${kb} * 1024`);
  }
  if (/\bpageSize: \d/.test(text)) out.push('a page size');
  return out;
}

/** Known exceptions: Espruino's own names where hal and the tools act on a board id. */
// (none since issue 11: the Wi-Fi module and the Linux build's network and consoles are the
// board files' `wifiModule` and `host`; the simulator's and the tools' geometry comes from them)
const ALLOWED: { [file: string]: string[] } = {};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|js)$/.test(e.name) && !/\.generated\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('no board fact outside boards/', () => {
  it('the checker finds pins, ids and Storage geometry (it can fail)', () => {
    const found = boardFacts(`var p = { relay: 'B3' }; if (id === "ESP32") x = 896 * 1024; g = { size: 1, pageSize: 4096 }; a = 0x08010000;`);
    assert.deepEqual(found.sort(), ['a page size', 'board id ESP32', 'pin B3', 'Storage size 896 * 1024', 'Storage start 0x8010000'].sort());
    assert.deepEqual(boardFacts('var total = 65536; var s = "Boot"; x.B3 = 1;'), []);
  });

  it('device code, the simulator and the tools name no pin, board id or Storage geometry', () => {
    const problems: string[] = [];
    for (const top of ['firmware', 'hal', 'drivers', 'proto', 'sim', 'tools', 'bin']) {
      for (const file of sources(path.join(REPO, top))) {
        const rel = path.relative(REPO, file).replace(/\\/g, '/');
        const allowed = ALLOWED[rel] || [];
        for (const f of boardFacts(fs.readFileSync(file, 'utf8'))) if (allowed.indexOf(f) < 0) problems.push(`${rel}: ${f}`);
      }
    }
    assert.deepEqual(problems, [], 'board facts belong in boards/<name>.ts');
  });
});
