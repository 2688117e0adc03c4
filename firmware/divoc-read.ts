// DIVOC's reading as the gate runs it: proto/divoc/verify.ts decodeDivoc with the board's Espruino
// built-ins (hal/espruino builtins(): base64 through atob/btoa, the zip's CRC-32 through E.CRC32,
// where the firmware has them; null elsewhere, Node included, and decodeDivoc then runs its
// TypeScript). The DIVOC lazy part's entry (tools/build/bundle.js GATE_LAZY): the built-ins are
// asked for here, at each DIVOC scan, so that nothing of them exists after boot (a getter handed
// down from boot would cost about 6 variables: test/real/memory.test.ts).
import { decodeDivoc, DivocCert } from '../proto/divoc/verify';
import type { NativeInflate } from '../proto/zip';
import type { Sha256 } from '../proto/divoc/nquads';
import { builtins } from '../hal/espruino/builtins';
import { divocMax } from './build-flags';

/**
 * decodeDivoc(b64Text, sha256, inflate, ..., sha256Text) with this interpreter's built-ins, if it has them, and
 * the board's own bounds on a DIVOC text (build-flags divocMax: boards/<name>.ts features.divocMax).
 */
export function readDivoc(b64Text: string, sha256: Sha256, inflate?: NativeInflate | null, sha256Text?: ((text: string) => Uint8Array) | null): DivocCert {
  return decodeDivoc(b64Text, sha256, inflate, builtins(), divocMax(), sha256Text);
}
