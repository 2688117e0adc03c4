// The verifier's precomputed tables (firmware/verifier.ts) made on the host, as `qrgate flash`
// writes them and the simulator's flash starts with them: the same device code makes them, so a
// board would make identical bytes; made once per process and kept.
import { makeBaseTable, makeKeyTable } from '../firmware/crypto/ed25519-fast';
import { BASE_TABLE_FILE, keyTableFile, keysWithTables } from '../firmware/verifier';
import { decodeTrustBundle } from '../proto/trustbundle';
import { sha256 } from '../firmware/crypto/sha256';
import { hexOf } from '../proto/bytes';

let base: Uint8Array | null = null;
const keys: { [hex: string]: Uint8Array | undefined } = {};

/** File name -> bytes of the tables for a trust bundle's first `maxKeyTables` keys. */
export function tableFiles(trustBytes: Uint8Array | undefined, maxKeyTables = 8): { [name: string]: Uint8Array } {
  if (!base) base = makeBaseTable(sha256);
  const out: { [name: string]: Uint8Array } = { [BASE_TABLE_FILE]: base };
  if (!trustBytes) return out;
  let bundle;
  try {
    bundle = decodeTrustBundle(trustBytes);
  } catch (e) {
    return out; // a bundle the gate will refuse: no key tables
  }
  // The same choice as the board's (firmware/verifier.ts setKeys), else it erases these tables
  // and makes its own at boot.
  const got = keysWithTables(bundle, maxKeyTables, (key) => {
    const hex = hexOf(key);
    if (!(hex in keys)) keys[hex] = makeKeyTable(key, undefined, sha256);
    return keys[hex];
  });
  got.keys.forEach((key, i) => { out[keyTableFile(key)] = got.tables[i]; });
  return out;
}
