// The certificate formats the gate knows: the one place that names them (issue 11). Each format
// declares its QR prefix, its name (in decisions, JSON events and the CLI, and as the text of a
// key entry's format field 6 in trust bundles, docs/qg1.md section 3), its code in entry-log
// records (proto/log.proto field 6) and its code in a trust bundle's key index (proto/trustbundle/).
// Its parser entry is `parseScan`'s branch for it (firmware/parse.ts), kept there so that a
// build without the format drops its parser (the DIVOC reader is a lazy part, GATE_LAZY).
//
// The codes are wire codes: logs already written and bundles already signed read the same, so an
// existing format's codes never change; a new format takes the next free ones.
//
// EU DCC (`HC1:`) is not read: a text with that prefix is 'unsupported' like any other.

export interface CertFormat {
  /** 'qg1', 'divoc': Decision.format, and the trust bundle's format text. */
  name: string;
  /** What a scanned text starts with. */
  prefix: string;
  /** Code in log records (0 is the protobuf default: the first format). */
  log: number;
  /** Code in the trust bundle's key index (proto/trustbundle/keyindex.ts). */
  index: number;
}

/** QG1 (docs/qg1.md): `QG1:` + base45 of a COSE_Sign1. The default format of a trust key. */
export var FORMAT_QG1: CertFormat = { name: 'qg1', prefix: 'QG1:', log: 0, index: 0 };
/** PeduliLindungi's DIVOC (docs/divoc.md): `B64:` + base64 of a zip holding a signed JSON-LD. */
export var FORMAT_DIVOC: CertFormat = { name: 'divoc', prefix: 'B64:', log: 1, index: 1 };

/** Every format, in log-code order. */
export var FORMATS: CertFormat[] = [FORMAT_QG1, FORMAT_DIVOC];

/** The log code of a decision on a text that is no known format (format ''). */
export var LOG_NO_FORMAT = 2;

/** The format whose prefix the scanned text starts with, or null. */
export function formatOfText(text: string): CertFormat | null {
  for (var i = 0; i < FORMATS.length; i++) {
    var p = FORMATS[i].prefix;
    if (text.substr(0, p.length) === p) return FORMATS[i];
  }
  return null;
}

/** The format of this name (a trust bundle's format text, Decision.format), or null. */
export function formatNamed(name: string): CertFormat | null {
  for (var i = 0; i < FORMATS.length; i++) if (FORMATS[i].name === name) return FORMATS[i];
  return null;
}

/** Format names indexed by their log code; '' (no format) at LOG_NO_FORMAT. */
export function logFormatNames(): string[] {
  var t: string[] = [];
  for (var i = 0; i < FORMATS.length; i++) t[FORMATS[i].log] = FORMATS[i].name;
  t[LOG_NO_FORMAT] = '';
  return t;
}
