// Which trusted keys get a table (firmware/verifier.ts keysWithTables): the host (tools/tables.ts,
// what `qrgate flash` writes) and the board (tableVerifier setKeys) must choose the same ones, else
// the board erases the host's tables and makes its own, slowly, at boot.
import { strict as assert } from 'assert';
import nacl from 'tweetnacl';
import { tableVerifier } from '../../firmware/verifier';
import { sha256 } from '../../firmware/crypto/sha256';
import { sha512 } from '../../firmware/crypto/sha512';
import { decodeTrustBundle } from '../../proto/trustbundle';
import { FlashStorage } from '../../hal/types';
import { encodeTrustBundle } from '../../tools/issuer';
import { makeJwk } from '../../tools/keys';
import { tableFiles } from '../../tools/tables';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s));
const pubOf = (n: number) => nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(n)).publicKey;

function memStorage(files: { [name: string]: Uint8Array }): FlashStorage & { erased: string[] } {
  const erased: string[] = [];
  return {
    erased,
    readBytes: (n) => files[n],
    readText: (n) => (files[n] ? Buffer.from(files[n]).toString('latin1') : undefined),
    write: (n, d) => { files[n] = typeof d === 'string' ? new Uint8Array(Buffer.from(d, 'latin1')) : new Uint8Array(d); },
    erase: (n) => { erased.push(n); delete files[n]; },
    list: (p) => Object.keys(files).filter((n) => !p || n.indexOf(p) === 0),
    getFree: () => 1 << 20,
  };
}

describe('key tables: the host and the board choose the same keys', function () {
  this.timeout(60000);
  // key A, a small-order key (no table: the strict profile refuses it), A again under another kid, B, C
  const a = pubOf(1), b = pubOf(2), c = pubOf(3);
  const smallOrder = new Uint8Array(32);
  smallOrder[0] = 1;
  const trust = encodeTrustBundle({
    version: 1, iat: 1630454400,
    keys: [
      { kid: utf8('a'), alg: -8, key: a }, { kid: utf8('small'), alg: -8, key: smallOrder },
      { kid: utf8('a-again'), alg: -8, key: a }, { kid: utf8('b'), alg: -8, key: b }, { kid: utf8('c'), alg: -8, key: c },
    ],
  }, makeJwk(new Uint8Array(32).fill(9), 'root-1'));

  for (const max of [0, 1, 2, 3, 8]) {
    it(`at most ${max} key tables: the board keeps every table the host made and makes none`, () => {
      const host = tableFiles(trust, max);
      const keyFiles = Object.keys(host).filter((n) => n.indexOf('qg.k') === 0).sort();
      assert.equal(keyFiles.length, Math.min(max, 3)); // A, B, C: the duplicate and the small-order key get none
      const files: { [name: string]: Uint8Array } = {};
      for (const n of Object.keys(host)) files[n] = new Uint8Array(host[n]);
      const storage = memStorage(files);
      const made: string[] = [];
      const v = tableVerifier({ storage, sha256, sha512, maxKeyTables: max, onMake: (f) => made.push(f) });
      v.setKeys(decodeTrustBundle(trust));
      assert.deepEqual(made, []);
      assert.deepEqual(storage.erased, []);
      assert.equal(v.keyTables(), keyFiles.length);
      // and a board starting without them makes the same files, byte for byte
      const fresh = memStorage({ 'qg.tb': new Uint8Array(host['qg.tb']) });
      const w = tableVerifier({ storage: fresh, sha256, sha512, maxKeyTables: max });
      w.setKeys(decodeTrustBundle(trust));
      assert.deepEqual(fresh.list('qg.k').sort(), keyFiles);
      for (const n of keyFiles) assert.ok(Buffer.from(fresh.readBytes(n)!).equals(Buffer.from(host[n])), n);
    });
  }
});
