// Entry of the verifier bundle that dist/bench-espruino.js loads on an Espruino interpreter
// (tools/build/bench-espruino.js): the gate's Ed25519 verifier, its tables, and the DIVOC reader,
// exposed as the global `QGB` (and the JavaScript SHA-256, `sha256js`, for the board-time model). Device code: the same modules the gate runs.
import { verify } from './crypto/ed25519';
import { openTable, makeKeyTable, makeBaseTable, TABLE_KIND_BASE, TABLE_KIND_KEY } from './crypto/ed25519-fast';
import { sha512 } from './crypto/sha512';
import { sha256 } from './crypto/sha256';
import { decodeDivoc } from '../proto/divoc/verify';
import { hashes, storage } from '../hal/espruino/index';
import { builtins } from '../hal/espruino/builtins';
import { base64Decode, base64DecodeNative } from '../proto/base64';
import { unzipCertificate, crc32 } from '../proto/zip';
import { inflateRaw } from '../proto/inflate';
import { parseJsonBytes } from '../proto/json';
import { parseJsonNative } from '../proto/jsonnative';
import { canonicalBytes, documentGraph, proofOptionsGraph } from '../proto/divoc/nquads';

declare var global: any;

global.QGB = {
  verify: verify,
  openTable: openTable,
  makeKeyTable: makeKeyTable,
  makeBaseTable: makeBaseTable,
  TABLE_KIND_BASE: TABLE_KIND_BASE,
  TABLE_KIND_KEY: TABLE_KIND_KEY,
  decodeDivoc: decodeDivoc,
  hashes: function () { return hashes({ sha256: sha256, sha512: sha512 }); },
  // the JavaScript SHA-256, for boards without crypto.SHA256 (the Original): the board-time model
  sha256js: sha256,
  // decodeDivoc's stages, timed one by one (the board-time model: what a DIVOC check costs most)
  divocParts: {
    base64Decode: base64Decode, unzipCertificate: unzipCertificate, inflateRaw: inflateRaw, parseJsonBytes: parseJsonBytes,
    documentGraph: documentGraph, proofOptionsGraph: proofOptionsGraph, canonicalBytes: canonicalBytes,
    // the interpreter's atob/btoa/E.CRC32/JSON as the gate uses them (firmware/divoc-read.ts), or null
    builtins: builtins, crc32: crc32, base64DecodeNative: base64DecodeNative, parseJsonNative: parseJsonNative,
  },
  storage: storage,
};
