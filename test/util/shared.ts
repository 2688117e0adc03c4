// Where ../shared (specs, vectors, DIVOC contexts and samples) lives: beside the checkout.
import * as path from 'path';
import * as fs from 'fs';

export const REPO = path.resolve(__dirname, '..', '..');
export const SHARED = process.env.QRGATE_SHARED || path.resolve(REPO, '..', 'shared');
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
