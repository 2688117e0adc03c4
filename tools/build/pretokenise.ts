// Espruino's pretokenisation (the npm `espruino` tool's PRETOKENISE=2, plugins/pretokenise.js):
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

interface Pretokeniser {
  tokenise(code: string): string;
  untokenise(code: string): string;
}

let cached: Pretokeniser | null = null;

function load(): Pretokeniser {
  if (cached) return cached;
  const file = path.join(path.dirname(require.resolve('espruino/package.json')), 'plugins', 'pretokenise.js');
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

/** The bundle as `espruino --config PRETOKENISE=2` uploads it: a byte string (one char per byte). */
export function pretokenise(code: string): string {
  const out = load().tokenise(code);
  for (let i = 0; i < out.length; i++) if (out.charCodeAt(i) > 255) throw new Error('pretokenise: a character above 255 remained');
  return out;
}

/** Back to JavaScript text (the tool's own inverse), e.g. for a simulator that runs V8. */
export function untokenise(code: string): string {
  return load().untokenise(code);
}
