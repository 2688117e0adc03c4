// Host-side QG1 issuing (tools/issuer/index.ts): CBOR.
import { Encoder, Decoder } from 'cbor-x';

// CBOR: cbor-x with the options that give plain RFC 8949 items: Maps stay maps with integer keys,
// Uint8Array is a byte string (no tag 64), no record extension; integers are checked to stay below
// 2^32 in magnitude, where cbor-x writes CBOR integers (above that it would fall back to floats).

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  useFloat32: 0,
  structuredClone: false,
  pack: false,
} as any);
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false } as any);

export type CborValue = number | string | boolean | Uint8Array | CborValue[] | Map<number | string, CborValue>;

export const U32 = 0x100000000;

/** Throws unless `v` is made only of what QG1 allows (integers below 2^32 in magnitude, no floats). */
export function checkCborValue(v: any, path = '$'): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`${path}: ${v} is not an integer (QG1 has no floating point)`);
    if (v >= U32 || v < -U32) throw new Error(`${path}: ${v} is outside -2^32..2^32-1`);
  } else if (typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) {
    // fine
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkCborValue(x, `${path}[${i}]`));
  } else if (v instanceof Map) {
    v.forEach((x, k) => {
      if (typeof k !== 'number' && typeof k !== 'string') throw new Error(`${path}: map key of type ${typeof k}`);
      checkCborValue(k, `${path}.key`);
      checkCborValue(x, `${path}[${String(k)}]`);
    });
  } else {
    throw new Error(`${path}: cannot encode ${v === null ? 'null' : typeof v} in QG1`);
  }
}

/** Rebuilds maps with keys in deterministic order (RFC 8949 4.2.1: bytewise order of encoded keys). */
function canonical(v: any): any {
  if (Array.isArray(v)) return v.map(canonical);
  if (v instanceof Map) {
    const entries = Array.from(v.entries()).map(([k, x]) => ({ k, kb: Buffer.from(encoder.encode(k)), x: canonical(x) }));
    entries.sort((a, b) => Buffer.compare(a.kb, b.kb));
    for (let i = 1; i < entries.length; i++) {
      if (Buffer.compare(entries[i - 1].kb, entries[i].kb) === 0) throw new Error(`duplicate map key ${String(entries[i].k)}`);
    }
    return new Map(entries.map((e) => [e.k, e.x] as [any, any]));
  }
  return v;
}

/** Deterministic CBOR encoding of a QG1 value (definite lengths, shortest heads, sorted map keys). */
export function encodeCbor(v: CborValue): Uint8Array {
  checkCborValue(v);
  return new Uint8Array(encoder.encode(canonical(v)));
}

/** A strict well-formedness check (no cbor-x involved): returns the first problem, or null. Rejects
 *  what spec/qg1.md section 1 calls malformed at the CBOR level: trailing bytes, indefinite lengths,
 *  non-shortest heads, duplicate map keys, floats and simple values other than false/true/null, tags
 *  (tag 18 allowed only at the very top when `allowTopTag18`), nesting deeper than `maxDepth`. */
export function cborProblem(bytes: Uint8Array, opts: { allowTopTag18?: boolean; maxDepth?: number } = {}): string | null {
  const maxDepth = opts.maxDepth === undefined ? 64 : opts.maxDepth;
  let pos = 0;
  function fail(msg: string): never {
    throw new Error(`${msg} at byte ${pos}`);
  }
  function head(): { major: number; value: number } {
    if (pos >= bytes.length) fail('truncated');
    const ib = bytes[pos++];
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai < 24) return { major, value: ai };
    if (ai === 31) fail('indefinite length');
    if (ai > 27) fail('reserved additional information');
    const n = 1 << (ai - 24);
    if (major === 7) fail(n === 1 ? 'simple value' : 'floating-point value');
    if (pos + n > bytes.length) fail('truncated');
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 256 + bytes[pos + i];
    pos += n;
    const min = n === 1 ? 24 : n === 2 ? 256 : n === 4 ? 65536 : U32;
    if (value < min) fail('non-shortest head');
    return { major, value };
  }
  function item(depth: number, top: boolean): void {
    const start = pos;
    const h = head();
    switch (h.major) {
      case 0: case 1: return;
      case 2: case 3:
        if (pos + h.value > bytes.length) fail('truncated string');
        pos += h.value;
        return;
      case 4:
        if (depth + 1 > maxDepth) fail(`nesting deeper than ${maxDepth}`);
        for (let i = 0; i < h.value; i++) item(depth + 1, false);
        return;
      case 5: {
        if (depth + 1 > maxDepth) fail(`nesting deeper than ${maxDepth}`);
        const seen: { [hex: string]: boolean } = {};
        for (let i = 0; i < h.value; i++) {
          const ks = pos;
          item(depth + 1, false);
          const key = Buffer.from(bytes.subarray(ks, pos)).toString('hex');
          if (seen[key]) fail('duplicate map key');
          seen[key] = true;
          item(depth + 1, false);
        }
        return;
      }
      case 6:
        if (!(top && opts.allowTopTag18 && h.value === 18)) { pos = start; fail(`tag ${h.value}`); }
        item(depth, false);
        return;
      case 7:
        if (h.value < 20 || h.value > 22) fail(`simple value ${h.value}`);
        return;
    }
  }
  try {
    item(0, true);
    if (pos !== bytes.length) fail('trailing bytes');
    return null;
  } catch (e: any) {
    return e.message;
  }
}

/** Decodes one CBOR item with cbor-x (maps as Map, byte strings as Buffer); no strictness. */
export function decodeCbor(bytes: Uint8Array): any {
  return decoder.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}
