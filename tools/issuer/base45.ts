// Host-side QG1 issuing (tools/issuer/index.ts): base45 and the QG1: text.
// base45, RFC 9285 (host implementation, independent of proto/base45.ts)

export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export function base45Encode(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    let n = b[i] * 256 + b[i + 1];
    const c = n % 45; n = (n - c) / 45;
    const d = n % 45; const e = (n - d) / 45;
    out += BASE45_ALPHABET[c] + BASE45_ALPHABET[d] + BASE45_ALPHABET[e];
  }
  if (b.length % 2 === 1) {
    const n = b[b.length - 1];
    out += BASE45_ALPHABET[n % 45] + BASE45_ALPHABET[Math.floor(n / 45)];
  }
  return out;
}

export function base45Decode(s: string): Uint8Array {
  if (s.length % 3 === 1) throw new Error('base45: length leaves a single character');
  const v: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const x = BASE45_ALPHABET.indexOf(s[i]);
    if (x < 0) throw new Error(`base45: character ${JSON.stringify(s[i])} at ${i}`);
    v.push(x);
  }
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 3) {
    if (i + 2 < v.length) {
      const n = v[i] + v[i + 1] * 45 + v[i + 2] * 2025;
      if (n > 0xffff) throw new Error(`base45: triple at ${i} is ${n} > 65535`);
      out.push(n >> 8, n & 255);
    } else {
      const n = v[i] + v[i + 1] * 45;
      if (n > 0xff) throw new Error(`base45: pair at ${i} is ${n} > 255`);
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

export function qg1Text(bytes: Uint8Array): string {
  return 'QG1:' + base45Encode(bytes);
}

export function qg1FromText(text: string): Uint8Array {
  if (!text.startsWith('QG1:')) throw new Error('not a QG1 text (no "QG1:" prefix)');
  return base45Decode(text.slice(4));
}
