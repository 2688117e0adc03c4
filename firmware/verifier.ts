// The gate's JavaScript signature verifier with its precomputed tables (firmware/crypto/
// ed25519-fast.ts): one for the base point and one per trusted key, kept in flash and read in
// place. `qrgate flash` writes them from the host; a board that finds one missing or damaged
// makes it once at boot and stores it. Keys without a table (more keys than `maxKeyTables`) are
// still verified, by the same strict code, only slower.
import { FlashStorage } from '../hal/types';
import { verify } from './crypto/ed25519';
import { makeBaseTable, makeKeyTable, openTable, EdTable, TABLE_KIND_BASE, TABLE_KIND_KEY } from './crypto/ed25519-fast';
import { TrustKeys, trustKeyAt } from '../proto/trustbundle';
import { hexOf } from '../proto/bytes';

export var BASE_TABLE_FILE = 'qg.tb';
/** Key tables: prefix + the first 4 bytes of the key in hex ('qg.k1a2b3c4d'). */
export var KEY_TABLE_PREFIX = 'qg.k';

export type Verify = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

export interface VerifierOptions {
  storage: FlashStorage;
  sha256: (d: Uint8Array) => Uint8Array;
  sha512: (d: Uint8Array) => Uint8Array;
  /** How many trusted keys get a table (the first ones, in bundle order). */
  maxKeyTables: number;
  /** Told when a table had to be made on the board (slow on small boards). */
  onMake?: (file: string) => void;
}

export function keyTableFile(pub: Uint8Array): string {
  return KEY_TABLE_PREFIX + hexOf(pub.subarray(0, 4));
}

/**
 * Which trusted keys get a table, for the board (setKeys) and the host (tools/tables.ts) alike, so
 * that the tables `qrgate flash` writes are the ones the board keeps: the first `max` distinct keys
 * of the bundle, in bundle order, for which `table(key)` gives one (a key the strict profile
 * refuses gets none and is passed over). The chosen keys, their hex and their tables, in order.
 */
export function keysWithTables<T>(keys: TrustKeys, max: number, table: (key: Uint8Array) => T | null | undefined):
  { keys: Uint8Array[]; hex: string[]; tables: T[] } {
  var r = { keys: [] as Uint8Array[], hex: [] as string[], tables: [] as T[] };
  for (var i = 0; i < keys.keyCount && r.tables.length < max; i++) {
    var k = trustKeyAt(keys, i).key;
    var hex = hexOf(k);
    if (r.hex.indexOf(hex) >= 0) continue;
    var t = table(k);
    if (t) {
      r.keys.push(k);
      r.hex.push(hex);
      r.tables.push(t);
    }
  }
  return r;
}

/** Open a table file, or make and store it when missing or damaged. Null if it cannot be had. */
function tableFile(o: VerifierOptions, file: string, kind: number, pub: Uint8Array | undefined): EdTable | null {
  var t = openTable(o.storage.readBytes(file), kind, pub, o.sha256);
  if (t) return t;
  var made = kind === TABLE_KIND_BASE ? makeBaseTable(o.sha256) : makeKeyTable(pub as Uint8Array, undefined, o.sha256);
  if (!made) return null; // a key the strict profile refuses: no table, it will never verify
  if (o.onMake) o.onMake(file);
  try {
    if (o.storage.readBytes(file)) o.storage.erase(file);
    o.storage.write(file, made);
    return openTable(o.storage.readBytes(file), kind, pub, o.sha256);
  } catch (e) {
    // Flash full: use the table from RAM rather than not at all.
    return openTable(made, kind, pub, o.sha256);
  }
}

export interface TableVerifier {
  verify: Verify;
  /** Open (or make) the tables of the trusted keys (the first ones of the bundle); erases those of keys no longer trusted. */
  setKeys(keys: TrustKeys): void;
  keyTables(): number;
  hasBaseTable(): boolean;
}

/** The verifier: the base table opened (or made) now, key tables when the keys are known. */
export function tableVerifier(o: VerifierOptions): TableVerifier {
  var base = tableFile(o, BASE_TABLE_FILE, TABLE_KIND_BASE, undefined);
  var pubs: string[] = [];
  var tables: EdTable[] = [];
  var sha512 = o.sha512;
  return {
    setKeys: function (keys: TrustKeys) {
      var got = keysWithTables(keys, base ? o.maxKeyTables : 0, function (k: Uint8Array) {
        return tableFile(o, keyTableFile(k), TABLE_KIND_KEY, k);
      });
      pubs = got.hex;
      tables = got.tables;
      var keep = got.keys.map(keyTableFile);
      // Tables of keys that left the trust bundle only take flash.
      var old = o.storage.list(KEY_TABLE_PREFIX);
      for (var j = 0; j < old.length; j++) if (keep.indexOf(old[j]) < 0) o.storage.erase(old[j]);
    },
    keyTables: function () { return tables.length; },
    hasBaseTable: function () { return !!base; },
    verify: function (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
      var at = pubs.indexOf(hexOf(pub));
      return verify(pub, msg, sig, sha512, { baseTable: base, keyTable: at >= 0 ? tables[at] : null });
    },
  };
}
