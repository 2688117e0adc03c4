// The PPKM levels the collector holds per site (issue 14): `qrgate collector level set SITE N`
// writes them to a small JSON file ({"sites": {SITE: N}}, next to the database by default); the
// server reads it again whenever it changed and puts the level of a gate's site into each answer
// (Ack field `level`; LoRaWAN: a one-byte downlink on FPort 3 when the level the device was last
// told differs).
//
// A gate belongs to the site whose name is its gate id, or the longest site name that its gate id
// starts with followed by '-', '.', '/' or ':' ("polres-a" holds "polres-a-east" and
// "polres-a.2"); the site "*" holds every gate no other site holds. Levels are 1..9 (PPKM: 1..4);
// 0 clears a site.
import * as fs from 'fs';

export const LEVEL_MAX = 9;

export type Levels = { [site: string]: number };

/** The levels file of a database (SQLite: DB.levels.json; PostgreSQL: ./collector-levels.json). */
export function defaultLevelsFile(db: string): string {
  return /^postgres(ql)?:\/\//i.test(db) ? 'collector-levels.json' : db + '.levels.json';
}

/** The sites and their levels ({} when the file does not exist). Throws on a malformed file. */
export function readLevels(file: string): Levels {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT') return {};
    throw e;
  }
  const j = JSON.parse(text);
  const out: Levels = {};
  const sites = j && typeof j === 'object' && j.sites && typeof j.sites === 'object' ? j.sites : null;
  if (!sites) throw new Error(`${file}: expected {"sites": {SITE: LEVEL}}`);
  for (const k of Object.keys(sites)) {
    const v = sites[k];
    if (!Number.isInteger(v) || v < 1 || v > LEVEL_MAX) throw new Error(`${file}: level of ${k} must be 1..${LEVEL_MAX}`);
    out[k] = v;
  }
  return out;
}

/** Sets (level 1..9) or clears (0) a site's level; the file is replaced whole (write, then rename). */
export function setLevel(file: string, site: string, level: number): Levels {
  if (!site || site.length > 64 || /[\s"]/.test(site)) throw new Error('a site is a gate id or a prefix of gate ids (no spaces), or "*"');
  if (!Number.isInteger(level) || level < 0 || level > LEVEL_MAX) throw new Error(`the level must be 0..${LEVEL_MAX} (0 clears it)`);
  const levels = readLevels(file);
  if (level) levels[site] = level;
  else delete levels[site];
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify({ sites: levels }, null, 1) + '\n');
  fs.renameSync(tmp, file);
  return levels;
}

/** The site of a gate among `levels` ('' when none holds it). */
export function siteOf(levels: Levels, gateId: string): string {
  let best = '';
  for (const s of Object.keys(levels)) {
    if (s === '*') continue;
    const holds = gateId === s || (gateId.startsWith(s) && '-./:'.indexOf(gateId.charAt(s.length)) >= 0);
    if (holds && s.length > best.length) best = s;
  }
  return best || (levels['*'] ? '*' : '');
}

/** The level in force at a gate (0: none). */
export function levelOf(levels: Levels, gateId: string): number {
  const s = siteOf(levels, gateId);
  return s ? levels[s] : 0;
}

/** What the server asks: the level of a gate now, from a file read again when it changes. */
export function levelSource(file: string, onError?: (msg: string) => void): (gateId: string) => number {
  let stamp = '';
  let levels: Levels = {};
  return (gateId: string) => {
    let st: fs.Stats | null = null;
    // (a missing file is the usual case: no exception for it, that costs a stack trace per batch)
    try { st = fs.statSync(file, { throwIfNoEntry: false }) || null; } catch (e) { st = null; }
    const now = st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'none';
    if (now !== stamp) {
      stamp = now;
      try {
        levels = st ? readLevels(file) : {};
      } catch (e: any) {
        if (onError) onError(e.message); // keep the levels read before
      }
    }
    return levelOf(levels, gateId);
  };
}
