// One key entry of a trust bundle's key array (docs/qg1.md section 3), and the field helpers the
// payload decoder shares.
import { byteStringToBytes } from '../bytes';
import { cborGet, isCborMap, CborMap } from '../cbor';
import { COSE_ALG_EDDSA } from '../cose';
import { FORMAT_NAMES, FORMAT_QG1, FORMAT_NONE } from '../formats';
import { TrustKey, KeyFormat } from './types';

export function fail(msg: string): never {
  throw new Error('trust: ' + msg);
}

export function optUint(m: CborMap, key: number, name: string): number | undefined {
  var v = cborGet(m, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || v < 0) fail(name + ' is not unsigned');
  return v;
}

export function reqUint(m: CborMap, key: number, name: string): number {
  var v = optUint(m, key, name);
  if (v === undefined) fail(name + ' missing');
  return v;
}

// One key entry; null when well formed but skipped (alg != -8).
export function decodeKeyEntry(e: any): TrustKey | null {
  if (!isCborMap(e)) fail('key entry is not a map');
  var kidv = cborGet(e, 1);
  var kid: Uint8Array;
  var kidIsText: boolean;
  if (kidv instanceof Uint8Array) {
    kid = kidv;
    kidIsText = false;
  } else if (typeof kidv === 'string') {
    kid = byteStringToBytes(kidv);
    kidIsText = true;
  } else {
    fail(kidv === undefined ? 'kid missing' : 'kid type');
  }
  if (kid.length < 1) fail('kid empty');
  var alg = cborGet(e, 2);
  if (alg === undefined) fail('alg missing');
  if (typeof alg !== 'number') fail('alg is not an integer');
  var key = cborGet(e, 3);
  if (key === undefined) fail('key missing');
  if (!(key instanceof Uint8Array)) fail('key is not bytes');
  var nbf = optUint(e, 4, 'nbf');
  var exp = optUint(e, 5, 'exp');
  var fv = cborGet(e, 6);
  var format: KeyFormat = FORMAT_NAMES[FORMAT_QG1];
  if (fv !== undefined) {
    var code = FORMAT_NAMES.indexOf(fv);
    if (typeof fv !== 'string' || code < 0 || code === FORMAT_NONE) fail('unknown format');
    format = fv;
  }
  if (alg !== COSE_ALG_EDDSA) return null;
  if (key.length !== 32) fail('key length');
  var k: TrustKey = { kid: kid, kidIsText: kidIsText, alg: alg, key: key, format: format };
  if (nbf !== undefined) k.nbf = nbf;
  if (exp !== undefined) k.exp = exp;
  return k;
}
