// Host-side QG1 issuing (tools/issuer/index.ts): the field checks that certificates (claims.ts)
// and trust bundles (trust.ts) share, when writing and when reading a CBOR map.
import { CliError } from '../cli';
import { U32 } from './cbor';

export function checkUint(v: any, name: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= U32) throw new CliError(`${name} must be an unsigned integer below 2^32 (got ${v})`);
}
export function checkBytes(v: any, name: string, min: number, max: number): void {
  if (!(v instanceof Uint8Array)) throw new CliError(`${name} must be bytes`);
  if (v.length < min || v.length > max) throw new CliError(`${name} is ${v.length} bytes, must be ${min}..${max}`);
}
export function checkText(v: any, name: string, max: number): void {
  if (typeof v !== 'string') throw new CliError(`${name} must be text`);
  const n = Buffer.byteLength(v, 'utf8');
  if (n > max) throw new CliError(`${name} is ${n} bytes as UTF-8, at most ${max}`);
}

export function getUint(m: Map<any, any>, k: number, name: string, required: boolean): number | undefined {
  const v = m.get(k);
  if (v === undefined) { if (required) throw new Error(`${name} missing`); return undefined; }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${name} is not an unsigned integer`);
  return v;
}
export function getBytes(m: Map<any, any>, k: number, name: string, min: number, max: number, required: boolean): Uint8Array | undefined {
  const v = m.get(k);
  if (v === undefined) { if (required) throw new Error(`${name} missing`); return undefined; }
  if (!(v instanceof Uint8Array) || v.length < min || v.length > max) throw new Error(`${name} is not ${min}..${max} bytes`);
  return new Uint8Array(v);
}
export function getText(m: Map<any, any>, k: number, name: string, max: number): string | undefined {
  const v = m.get(k);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || Buffer.byteLength(v, 'utf8') > max) throw new Error(`${name} is not text of at most ${max} bytes`);
  return v;
}
