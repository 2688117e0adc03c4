// The repository's own copies of the published test vectors (data/vectors) and the DIVOC contexts
// and samples (data/divoc): data/README.md says where each came from. Paths are relative to data/.
import * as path from 'path';
import * as fs from 'fs';
import { ROOT, DATA } from '../../tools/root';

export { DATA };
export const REPO = ROOT;
export const VECTORS = path.join(DATA, 'vectors');

/** A file under data/ ('vectors/...', 'divoc/...'). */
export function readShared(rel: string): Buffer {
  return fs.readFileSync(path.join(DATA, rel));
}
export function readSharedJson<T = any>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(DATA, rel), 'utf8'));
}
export function hex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
