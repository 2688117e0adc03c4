// Small argument parser and the one-line-error convention of spec/tools.md: a bad flag, a missing
// or unreadable file, or a malformed input file prints one line on stderr and exits with status 2.
import * as fs from 'fs';

export class CliError extends Error {}

export interface FlagSpec {
  /** flag name without dashes -> 'string' | 'boolean' | 'multi' (repeatable string) */
  [flag: string]: 'string' | 'boolean' | 'multi';
}

export interface Parsed {
  flags: { [k: string]: any };
  positional: string[];
}

export function parseArgs(args: string[], spec: FlagSpec): Parsed {
  const flags: { [k: string]: any } = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--') && a.length > 2) {
      let name = a.slice(2);
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
      const kind = spec[name];
      if (!kind) throw new CliError(`unknown flag --${name}`);
      if (kind === 'boolean') { flags[name] = true; continue; }
      if (value === undefined) {
        if (i + 1 >= args.length) throw new CliError(`--${name} needs a value`);
        value = args[++i];
      }
      if (kind === 'multi') (flags[name] = flags[name] || []).push(value);
      else flags[name] = value;
    } else positional.push(a);
  }
  return { flags, positional };
}

export function need(p: Parsed, name: string): string {
  const v = p.flags[name];
  if (v === undefined) throw new CliError(`missing --${name}`);
  return v;
}

export function readFileOr(path: string, what: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e: any) {
    throw new CliError(`cannot read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

export function readJsonFile(path: string, what: string): any {
  const text = readFileOr(path, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e: any) {
    throw new CliError(`${what} ${path} is not valid JSON: ${e.message}`);
  }
}

/** A time argument: ISO 8601 or seconds since 1970. Returns seconds. */
export function parseTime(t: string, flag: string): number {
  if (/^\d+$/.test(t)) return parseInt(t, 10);
  const ms = Date.parse(t);
  if (isNaN(ms)) throw new CliError(`--${flag}: not a time (ISO 8601 or seconds since 1970): ${t}`);
  return Math.floor(ms / 1000);
}

export function parseIntFlag(v: string, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(v)) throw new CliError(`--${flag}: not an integer: ${v}`);
  const n = parseInt(v, 10);
  if (n < min || n > max) throw new CliError(`--${flag}: out of range ${min}..${max}: ${v}`);
  return n;
}

export function parseHex(v: string, flag: string, minLen = 0, maxLen = 1 << 20): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new CliError(`--${flag}: not hex: ${v}`);
  const b = new Uint8Array(Buffer.from(v, 'hex'));
  if (b.length < minLen || b.length > maxLen) throw new CliError(`--${flag}: ${b.length} bytes, expected ${minLen}..${maxLen}`);
  return b;
}
