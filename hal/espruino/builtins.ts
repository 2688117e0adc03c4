// Espruino's built-ins that DIVOC's reading uses (hal/types.ts Builtins), in a file of their own:
// the DIVOC lazy part imports it (firmware/divoc-read.ts), and index.ts's classes would come along.
import { Builtins } from '../types';

declare var E: any;
declare function require(name: string): any;
declare function atob(base64: string): string;
declare function btoa(data: string): string;
/** (Object.values: ES2017, not in the device code's ES5 lib; Espruino has it unless SAVE_ON_FLASH) */
declare var Object: ObjectConstructor & { values(o: any): any[] };

/**
 * Espruino's atob, btoa, E.toUint8Array, E.CRC32, E.toString, JSON.parse/stringify and
 * Object.keys/values, or null where the firmware lacks any of them (SAVE_ON_FLASH builds, which
 * leave out atob, btoa, E.CRC32, Object.values: src/jswrap_functions.c, src/jswrap_espruino.c,
 * src/jswrap_object.c; E.toString is in every build). Made for each DIVOC scan
 * (firmware/divoc-read.ts, in the DIVOC lazy part): nothing of it exists after boot.
 */
export function builtins(): Builtins | null {
  if (typeof atob !== 'function' || typeof btoa !== 'function' || typeof E === 'undefined' || !E.CRC32 || !E.toUint8Array || !Object.values) return null;
  // (The interpreter's own functions, no wrappers: 9 variables for the object where 4 closures
  // made it 21. Espruino's static methods do not read `this`; E.CRC32 returns it unsigned.)
  return { atob: atob, btoa: btoa, bytes: E.toUint8Array, crc32: E.CRC32, text: E.toString, parse: JSON.parse, stringify: JSON.stringify, keys: Object.keys, values: Object.values };
}

/**
 * A Storage file's bytes where they lie in flash (zero RAM: E.toArrayBuffer of the memory-mapped
 * string), or undefined. (For DIVOC's context table, qg.divoc: firmware/divoc-read.ts. Storage
 * only: index.ts placedFile's copy in the DIVOC part would cost its bytes twice.)
 */
export function flashFile(name: string): Uint8Array | undefined {
  var s = require('Storage').read(name);
  return s === undefined ? undefined : new Uint8Array(E.toArrayBuffer(s));
}
