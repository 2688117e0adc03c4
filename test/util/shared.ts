// Where ../shared (specs, vectors, DIVOC contexts and samples) lives: beside the checkout.
import * as path from 'path';
import * as fs from 'fs';
import { ROOT, SHARED } from '../../tools/root';

export { SHARED };
export const REPO = ROOT;
export const VECTORS = path.join(SHARED, 'vectors');

export function readShared(rel: string): Buffer {
  return fs.readFileSync(path.join(SHARED, rel));
}
export function readSharedJson<T = any>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(SHARED, rel), 'utf8'));
}
export function hex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
