// HMAC (RFC 2104) over a given SHA-256, with no hash of its own: the board's native SHA-256 where
// the firmware carries no JavaScript one (firmware/build-flags.ts QG_JS_SHA256).

/**
 * HMAC-SHA-256(key, data), 32 bytes, with `sha` (given the concatenated inner and outer messages).
 */
export function hmacWith(key: Uint8Array, data: Uint8Array, sha: (d: Uint8Array) => Uint8Array): Uint8Array {
  var i: number;
  // Keys longer than the block are hashed first; shorter ones are zero-padded to 64 bytes.
  if (key.length > 64) key = sha(key);
  var m = new Uint8Array(64 + data.length);
  var m2 = new Uint8Array(96);
  for (i = 0; i < 64; i++) {
    var k = i < key.length ? key[i] : 0;
    m[i] = k ^ 0x36;
    m2[i] = k ^ 0x5c;
  }
  m.set(data, 64);
  m2.set(sha(m), 64);
  return sha(m2);
}
