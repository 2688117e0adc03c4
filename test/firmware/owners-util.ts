// Shared by the unit tests of the gate's owners (gate, boot, status, trust store, door, events):
// a recording event sink, the fixture trust bundle's bytes, a Storage in a simulated flash image.
import * as fs from 'fs';
import * as path from 'path';
import { Events } from '../../firmware/events';
import { FlashImage } from '../../sim/flash';
import { FlashStorage } from '../../hal/types';
import { verify } from '../../firmware/crypto/ed25519';

export const FX = path.join(__dirname, '..', 'fixtures');

/** The fixture trust bundle (version 1, 4 keys) or another file of test/fixtures, as bytes. */
export function fixtureBytes(file = 'trust.bin'): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FX, file)));
}

/** An event sink that keeps what it was told: [ev, fields]. */
export function recordingEvents(): Events & { seen: Array<[string, any]>; of(ev: string): any[] } {
  const seen: Array<[string, any]> = [];
  return {
    seen,
    emit(ev: string, fields: any) { seen.push([ev, JSON.parse(JSON.stringify(fields))]); },
    of(ev: string) { return seen.filter((e) => e[0] === ev).map((e) => e[1]); },
  };
}

export function flashStorage(): FlashStorage {
  return new FlashImage({ size: 64 * 1024, pageSize: 2048 }).storage();
}

export const strictVerify = (p: Uint8Array, m: Uint8Array, s: Uint8Array) => verify(p, m, s);
