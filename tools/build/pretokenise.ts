// Espruino's pretokenisation (the npm `espruino` tool's PRETOKENISE=2, plugins/pretokenise.js,
// kept verbatim as data/espruino-tools/pretokenise.js):
// reserved words and operators become one byte each (codes 138..), strings are stored raw with a
// length byte (0xD1 len, 0xD2 len16), integers as 0xD3/0xD4/0xD5 + bytes, whitespace goes.
// Espruino's lexer reads such code wherever it comes from (2v25.396 and later for the integer
// forms; 2v20.48 for raw strings), so it serves for a Storage file run as .bootcde too: the tool
// applies it to what it writes with SAVE_ON_SEND (never to code typed into the REPL, where byte
// codes above 127 would be mangled). The file is the tool's own: it is run here in a sandbox with
// the few Espruino.* hooks it uses, so the output is exactly what `espruino --config
// PRETOKENISE=2` would upload.
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import * as acorn from 'acorn';
import { DATA } from '../root';

interface Pretokeniser {
  tokenise(code: string): string;
  untokenise(code: string): string;
}

let cached: Pretokeniser | null = null;

function load(): Pretokeniser {
  if (cached) return cached;
  // (the tool's file, kept with its licence in data/espruino-tools: the command needs it installed)
  const file = path.join(DATA, 'espruino-tools', 'pretokenise.js');
  const Espruino: any = {
    Config: { PRETOKENISE: 2, SAVE_ON_SEND: 1 },
    Core: {
      Config: { add() {} },
      Env: { getBoardData: () => null },
      Utils: {
        atob: (s: string) => Buffer.from(s, 'base64').toString('latin1'),
        toJSONishString: (s: string) => JSON.stringify(s),
      },
    },
    Plugins: {},
    addProcessor() {},
  };
  const ctx = vm.createContext({ acorn, Espruino, console });
  vm.runInContext(fs.readFileSync(file, 'utf8'), ctx, { filename: file });
  const p = Espruino.Plugins.Pretokenise;
  if (!p || typeof p.tokenise !== 'function') throw new Error(`${file}: no Pretokenise plugin`);
  cached = { tokenise: (c) => p.tokenise(c), untokenise: (c) => p.untokenise(c) };
  return cached;
}

/**
 * The bundle as `espruino --config PRETOKENISE=2` uploads it: a byte string (one char per byte).
 * Checked to read back as the same tokens (untokenise below, which reads as Espruino's lexer
 * does): the tool drops the space between operators, so `a- -1` would become `a--1`, a decrement
 * on the board. Such code throws here rather than being written.
 */
export function pretokenise(code: string): string {
  const out = load().tokenise(code);
  for (let i = 0; i < out.length; i++) if (out.charCodeAt(i) > 255) throw new Error('pretokenise: a character above 255 remained');
  const want = tokensOf(code);
  const got = tokensOf(untokenise(out));
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i]) throw new Error(`pretokenise: the code would read differently pretokenised (token ${i}: ${want[i]} became ${got[i]})`);
  }
  return out;
}

/** The tokens acorn (ES5) reads in `code`, as `label:value` (what a round trip must keep); an error as one token. */
export function tokensOf(code: string): string[] {
  const out: string[] = [];
  try {
    for (const t of (acorn as any).tokenizer(code, { ecmaVersion: 5 })) out.push(t.type.label + ':' + t.value);
  } catch (e) {
    out.push('error:' + (e as Error).message);
  }
  return out;
}

/**
 * Back to JavaScript text, e.g. for a simulator that runs V8: the tool's own inverse, after its
 * one error is mended. Espruino's lexer (src/jslex.c) reads a raw integer sign-extended
 * (LEX_RAW_INT8 0xFF is -1), as the tokeniser wrote it; the tool's untokenise reads it unsigned
 * (255). So the negative ones are written out as text first (" -1": the tokeniser took the unary
 * minus into the number, and a space keeps it from joining a "-" before it).
 */
export function untokenise(code: string): string {
  let fixed = '';
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code.charCodeAt(i);
    if (ch === RAW_STRING8) i += 1 + code.charCodeAt(i + 1);
    else if (ch === RAW_STRING16) i += 2 + (code.charCodeAt(i + 1) | (code.charCodeAt(i + 2) << 8));
    else if (ch === RAW_INT8 || ch === RAW_INT16) {
      const n = ch === RAW_INT8 ? 1 : 2;
      let v = n === 1 ? code.charCodeAt(i + 1) : code.charCodeAt(i + 1) | (code.charCodeAt(i + 2) << 8);
      if (v >= (n === 1 ? 0x80 : 0x8000)) v -= n === 1 ? 0x100 : 0x10000;
      if (v < 0) {
        fixed += code.slice(from, i) + ' ' + v;
        from = i + 1 + n;
      }
      i += n;
    }
  }
  return load().untokenise(fixed + code.slice(from));
}

// The tokeniser's raw forms (the tool's plugins/pretokenise.js, Espruino's src/jslex.h).
const RAW_STRING8 = 0xd1;
const RAW_STRING16 = 0xd2;
const RAW_INT8 = 0xd4;
const RAW_INT16 = 0xd5;
