// The flash budget of a board: do its firmware, the files `qrgate flash` writes and what the
// firmware writes itself fit the board's flash, with the layout `qrgate flash` plans
// (tools/board/layout.ts: Storage alone, or an image in a free area and a loader in Storage)?
// Espruino's Storage (src/jsflash.c, 2v29) lays
// files one after the other, each a 32-byte header + its data padded to 4 bytes; since 2v13 files
// are no longer pushed to page boundaries (they may span pages), so pages add nothing; deleted
// files keep their room until compaction (sim/flash.ts models the same).
import * as fs from 'fs';
import * as path from 'path';
import { FlashPlan, planLayout, storageCost, firmwareWrites } from './board/layout';
import { boardFileOf } from '../boards/index';
import { validateConfig } from '../firmware/config';
import { flashFiles, profileName } from './flashfiles';
import { bundlePath } from './build/boards';
import { ROOT } from './root';

/** Bytes a file of `size` bytes takes in Storage. */
export { storageCost };

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
  /** The firmware's bytes (dist/gate-<profile>.js), wherever they go. */
  bundle: number;
  /** Data bytes of the files `qrgate flash` writes besides .bootcde (flashFiles), wherever they go. */
  files: number;
  /** Data bytes the firmware writes itself: the journal's segments and qg.tver. */
  journal: number;
  /** Headers and padding of the Storage files. */
  overhead: number;
  /** Storage bytes used: the data of the files in Storage (`list`) + overhead. */
  used: number;
  /** Bytes written outside Storage (the image in a free area; 0: none). */
  outside: number;
  fits: boolean;
  /** Every file in Storage with its data bytes (.bootcde: the firmware, or the loader and the firmware's tail). */
  list: { name: string; bytes: number }[];
  /** The layout (tools/board/layout.ts). */
  plan: FlashPlan;
}

/**
 * The budget of a board with a firmware `bundle` (its text; or its size in bytes, planned as if
 * it could be cut at any byte; default: dist/gate-<profile>.js, which must have been built).
 * `tokenise`: an image's code pretokenised where the text does not fit, as `qrgate flash` writes
 * it for an Espruino since 2v25.396 (layout.ts tokenisesOn); false: as text, for an older one;
 * 'always': pretokenised even where the text fits.
 */
export function flashBudget(board: string, inputs: BudgetInputs, bundle?: number | string, tokenise: boolean | 'always' = true): FlashBudget {
  const profile = profileName(board);
  const bf = boardFileOf(profile)!;
  const code = bundle !== undefined ? bundle : fs.readFileSync(bundlePath(profile), 'latin1');
  const bytes = typeof code === 'string' ? code.length : code;
  const cfgObj = JSON.parse(Buffer.from(inputs.config).toString('utf8'));
  const v = validateConfig(cfgObj);
  if (!v.config) throw new Error(`configuration: ${v.error}`);
  const files = flashFiles(profile, inputs.config, inputs.trust);
  // What the firmware writes: the journal's segment files, qg.tver, qg.inflate (layout.ts firmwareWrites).
  const journal = firmwareWrites(bf, v.config.log);
  // (the image's code pretokenised where the text does not fit, as flash writes it for a current Espruino: layout.ts tokenisesOn)
  const plan = planLayout(bf, { bundle: code, files, journal, tokenise: typeof code === 'string' ? tokenise : false });
  const data = (xs: { bytes: number }[]) => xs.reduce((n, x) => n + x.bytes, 0);
  const filesBytes = Object.keys(files).reduce((n, k) => n + files[k].length, 0);
  return {
    profile, available: bf.flash.storageSize, bundle: bytes, files: filesBytes, journal: data(journal),
    overhead: plan.storageUsed - data(plan.storage), used: plan.storageUsed, outside: plan.image ? plan.image.data.length : 0,
    fits: plan.fits, list: plan.storage, plan,
  };
}

/**
 * For a board that does not fit: the least free flash (in `page`-byte pages, just below Storage)
 * with which its layout would fit, or null when none up to 1 MB (or up to Storage's address) would do. For the MDBT42Q, whose
 * free pages between Espruino's firmware and Storage depend on the build (boards/mdbt42q.ts).
 */
export function freeFlashNeeded(board: string, inputs: BudgetInputs, bundle?: string, page = 4096): number | null {
  const profile = profileName(board);
  const bf = boardFileOf(profile)!;
  const code = bundle !== undefined ? bundle : fs.readFileSync(bundlePath(profile), 'latin1');
  const files = flashFiles(profile, inputs.config, inputs.trust);
  const v = validateConfig(JSON.parse(Buffer.from(inputs.config).toString('utf8')));
  const journal = firmwareWrites(bf, v.config!.log);
  const fitsWith = (pages: number) => {
    const len = pages * page;
    const area = { addr: bf.flash.storageStart - len, length: len, what: 'test', page };
    return planLayout({ ...bf, flash: { ...bf.flash, free: [area], reserved: [] } }, { bundle: code, files, journal, tokenise: typeof code === 'string' }).fits;
  };
  let lo = 0, hi = Math.floor(Math.min(1024 * 1024, bf.flash.storageStart) / page);
  if (hi < 1 || !fitsWith(hi)) return null;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (fitsWith(mid)) hi = mid; else lo = mid; }
  return hi * page;
}
