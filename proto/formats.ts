// The certificate formats the gate knows: the one place that names them (issue 11). A format is
// its code, the same in entry-log records (proto/log.proto field 6) and in a trust bundle's key
// index (proto/trustbundle/keyindex.ts); the tables below, indexed by that code, declare its name
// (Decision.format, JSON events, the CLI, and the text of a trust-bundle key entry's format field
// 6, docs/qg1.md section 3) and its QR prefix. Its parser entry is `parseScan`'s branch for its
// code (firmware/parse.ts), kept there behind the build flag so that a board built without the
// format drops its parser (the DIVOC reader is a lazy part, GATE_LAZY in tools/build/bundle.js).
//
// The codes are wire codes: logs already written and bundles already signed must read the same,
// so an existing format keeps its position; a new format is appended. (A table of names and a
// function of literals rather than one object per format: fewer bytes and variables on a board.)
//
// EU DCC (`HC1:`) is not read: a text with that prefix is 'unsupported' like any other.

/** QG1 (docs/qg1.md): `QG1:` + base45 of a COSE_Sign1. The default format of a trust key. */
export var FORMAT_QG1 = 0;
/** PeduliLindungi's DIVOC (README "DIVOC"): `B64:` + base64 of a zip holding a signed JSON-LD. */
export var FORMAT_DIVOC = 1;
/** No format (the text was not recognised): log.proto's NONE; also the number of formats. */
export var FORMAT_NONE = 2;

/** Each format's name, indexed by its code; '' (FORMAT_NONE) last. proto/logrecord.ts's FORMATS. */
export var FORMAT_NAMES = ['qg1', 'divoc', ''];

/** Each format's QR prefix ('' for FORMAT_NONE). Literals in code, not a table: no RAM on a board. */
export function formatPrefix(code: number): string {
  return code === FORMAT_QG1 ? 'QG1:' : code === FORMAT_DIVOC ? 'B64:' : '';
}

/** Every format's prefix has this many characters (test/proto/formats.test.ts checks it). */
export var FORMAT_PREFIX_LENGTH = 4;

/**
 * The code of the format whose prefix the scanned text starts with, or FORMAT_NONE. The prefixes
 * as literals again (checked equal to formatPrefix's by the test): device code calls only this
 * one, so formatPrefix() costs no RAM on a board.
 */
export function formatOfText(text: string): number {
  var p = text.substr(0, FORMAT_PREFIX_LENGTH);
  return p === 'QG1:' ? FORMAT_QG1 : p === 'B64:' ? FORMAT_DIVOC : FORMAT_NONE;
}
