// The flash budget of a board: does its firmware, the files `qrgate flash` writes and what the
// firmware writes itself fit the board's Storage? Espruino's Storage (src/jsflash.c, 2v29) lays
// files one after the other, each a 32-byte header + its data padded to 4 bytes; since 2v13 files
// are no longer pushed to page boundaries (they may span pages), so pages add nothing; deleted
// files keep their room until compaction (sim/flash.ts models the same).
import * as fs from 'fs';
import * as path from 'path';
import { HEADER_SIZE } from '../sim/flash';
import { boardFileOf } from '../boards/index';
import { validateConfig } from '../firmware/config';
import { flashFiles, profileName } from './flashfiles';
import { bundlePath } from './build/boards';
import { ROOT } from './root';
import { TVER_FILE } from '../firmware/boot';

/** Bytes a file of `size` bytes takes in Storage. */
export function storageCost(size: number): number {
  return HEADER_SIZE + ((size + 3) & ~3);
}

export interface BudgetInputs {
  /** The configuration file's bytes (qg.cfg). */
  config: Uint8Array;
  trust: Uint8Array;
}

/** The fixture configuration and trust bundle (test/fixtures/gate.json, trust.bin). */
export function fixtureInputs(): BudgetInputs {
  const dir = path.join(ROOT, 'test', 'fixtures');
  return {
    config: new Uint8Array(fs.readFileSync(path.join(dir, 'gate.json'))),
    trust: new Uint8Array(fs.readFileSync(path.join(dir, 'trust.bin'))),
  };
}

export interface FlashBudget {
  profile: string;
  /** Storage of the board (bytes). */
  available: number;
  /** The firmware file's data bytes (.bootcde). */
  bundle: number;
  /** Data bytes of the files `qrgate flash` writes besides .bootcde (flashFiles). */
  files: number;
  /** Data bytes the firmware writes itself: the journal's segments and qg.tver. */
  journal: number;
  /** Headers and padding of all these files. */
  overhead: number;
  used: number;
  fits: boolean;
  /** Every file with its data bytes. */
  list: { name: string; bytes: number }[];
}

/**
 * The budget of a board with a firmware of `bundleBytes` bytes (default: the size of
 * dist/gate-<profile>.js, which must have been built).
 */
export function flashBudget(board: string, inputs: BudgetInputs, bundleBytes?: number): FlashBudget {
  const profile = profileName(board);
  const storage = boardFileOf(profile)!.flash.storageSize;
  const bytes = bundleBytes !== undefined ? bundleBytes : fs.statSync(bundlePath(profile)).size;
  const cfgObj = JSON.parse(Buffer.from(inputs.config).toString('utf8'));
  const v = validateConfig(cfgObj);
  if (!v.config) throw new Error(`configuration: ${v.error}`);
  const list: { name: string; bytes: number }[] = [{ name: '.bootcde', bytes }];
  const files = flashFiles(profile, inputs.config, inputs.trust);
  for (const name of Object.keys(files)) list.push({ name, bytes: files[name].length });
  // What the firmware writes: the journal's segment files (created at their full size), and the
  // installed trust version (a decimal number).
  const journal: { name: string; bytes: number }[] = [];
  for (let i = 0; i < v.config.log.segments; i++) journal.push({ name: `qg.j${i}`, bytes: v.config.log.segmentSize });
  journal.push({ name: TVER_FILE, bytes: 10 });
  const all = list.concat(journal);
  const data = (xs: { bytes: number }[]) => xs.reduce((n, x) => n + x.bytes, 0);
  const used = all.reduce((n, x) => n + storageCost(x.bytes), 0);
  return {
    profile, available: storage, bundle: bytes, files: data(list) - bytes, journal: data(journal),
    overhead: used - data(all), used, fits: used <= storage, list: all,
  };
}
