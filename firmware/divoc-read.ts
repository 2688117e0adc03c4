// DIVOC's reading as the gate runs it: proto/divoc/verify.ts decodeDivoc with the board's Espruino
// built-ins (hal/espruino builtins(): base64 through atob/btoa, the zip's CRC-32 through E.CRC32,
// where the firmware has them; null elsewhere, Node included, and decodeDivoc then runs its
// TypeScript). The DIVOC lazy part's entry (tools/build/bundle.js GATE_LAZY): the built-ins are
// asked for here, at each DIVOC scan, so that nothing of them exists after boot (a getter handed
// down from boot would cost about 6 variables: test/real/memory.test.ts).
//
// A firmware built with QG_DIVOC_DATA (build-flags: a board short of flash) reads DIVOC's context
// table from the flash file qg.divoc: its SHA-256 checked, inflated by the board's native inflate
// into one flat buffer when the first table string is needed, let go when the decision ends
// (proto/divoc/table.ts useDivocTable).
import { decodeDivoc, DivocCert } from '../proto/divoc/verify';
import type { NativeInflate } from '../proto/zip';
import type { Sha256 } from '../proto/divoc/nquads';
import { useDivocTable } from '../proto/divoc/table';
import { bytesToByteString } from '../proto/bytes';
import { qgError } from '../proto/error';
import { builtins, flashFile } from '../hal/espruino/builtins';
import { Builtins } from '../hal/types';
import { divocMax, divocDataOf, QG_DIVOC_DATA } from './build-flags';

/** DIVOC's context table (QG_DIVOC_DATA): written by `qrgate flash` (boards/types.ts DIVOC_FILE_NAME). */
export var DIVOC_FILE = 'qg.divoc';

/**
 * decodeDivoc(b64Text, sha256, inflate, ..., sha256Text) with this interpreter's built-ins, if it has them, and
 * the board's own bounds on a DIVOC text (build-flags divocMax: boards/<name>.ts features.divocMax).
 */
export function readDivoc(b64Text: string, sha256: Sha256, inflate?: NativeInflate | null, sha256Text?: ((text: string) => Uint8Array) | null): DivocCert {
  var nat = builtins();
  if (!QG_DIVOC_DATA) return decodeDivoc(b64Text, sha256, inflate, nat, divocMax(), sha256Text);
  useDivocTable(function () { return divocTable(inflate, nat); });
  try {
    return decodeDivoc(b64Text, sha256, inflate, nat, divocMax(), sha256Text);
  } finally {
    useDivocTable(null);
  }
}

/**
 * The table's data text: qg.divoc (deflate-raw) inflated with the native inflate into exactly the
 * text's size (one flat buffer, read as a string without a copy where E.toString can). Its SHA-256
 * is checked once, at boot (firmware/main.ts: a `divoc-table` fault, no native inflate handed on),
 * as qg.ed25519's and qg.inflate's are, not at each decision. Throws when the file is missing or
 * cannot be inflated now (all of it used, exactly the text's size).
 */
export function divocTable(inflate: NativeInflate | null | undefined, nat: Builtins | null): string {
  var f = flashFile(DIVOC_FILE);
  var d = divocDataOf();
  if (!f) throw qgError('divoc: qg.divoc missing');
  var r = inflate ? inflate(f, d.size) : null;
  if (!r || r.used !== f.length || r.data.length !== d.size) throw qgError('divoc: context table not inflated');
  return nat ? nat.text(r.data) : bytesToByteString(r.data);
}
