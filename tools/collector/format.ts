// How the collector writes stored values for people (query lines, CSV, the web page).

/** A kid for people: itself when printable ASCII, else hex (the rule of firmware/gate.ts kidText). */
export function kidText(kid: Uint8Array): string {
  for (let i = 0; i < kid.length; i++) if (kid[i] < 0x20 || kid[i] > 0x7e) return Buffer.from(kid).toString('hex');
  return Buffer.from(kid).toString('latin1');
}

export function isoTime(t: number): string {
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}
