// Walking the CBOR heads of an already validated payload (the payload scan and the key index).

// The argument of the CBOR head at b[p] (the payload was validated by decodeCbor first);
// the position after the head is left in `headEnd`.
export var headEnd = 0;
export function headArg(b: Uint8Array, p: number): number {
  var ai = b[p] & 31;
  headEnd = p + 1;
  if (ai < 24) return ai;
  if (ai === 24) { headEnd = p + 2; return b[p + 1]; }
  if (ai === 25) { headEnd = p + 3; return b[p + 1] * 256 + b[p + 2]; }
  if (ai === 26) { headEnd = p + 5; return b[p + 1] * 16777216 + b[p + 2] * 65536 + b[p + 3] * 256 + b[p + 4]; }
  headEnd = p + 9;
  return (b[p + 1] * 16777216 + b[p + 2] * 65536 + b[p + 3] * 256 + b[p + 4]) * 4294967296 +
    b[p + 5] * 16777216 + b[p + 6] * 65536 + b[p + 7] * 256 + b[p + 8];
}

// The offset just after the (validated, tag-free) item at b[p].
export function skipItem(b: Uint8Array, p: number): number {
  var major = b[p] >> 5;
  var n = headArg(b, p);
  var q = headEnd;
  if (major === 2 || major === 3) return q + n;
  if (major === 4 || major === 5) {
    if (major === 5) n *= 2;
    for (var i = 0; i < n; i++) q = skipItem(b, q);
  }
  return q;
}
