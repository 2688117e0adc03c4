// Program text as Espruino runs it (no hoisting of a function's `var`s, case clauses it misreads
// refused) and uncaught errors in Espruino's words. See index.ts for what the sandbox mimics.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const latevars = require('../../tools/build/latevars.js');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const casestrings = require('../../tools/build/casestrings.js');
import { untokenise } from '../../tools/build/pretokenise';

/**
 * Code as Espruino runs it, for Node: Espruino does not hoist, so a function's `var` exists only
 * once its statement has run, and before that the name is the enclosing scope's (reading it throws
 * ReferenceError when no scope has it; assigning it sets the outer variable). Node hoists; the
 * code is rewritten (tools/build/latevars.js espruinoScopes) so that each such late name behaves
 * as on Espruino (test/sim/quirks.test.ts, test/espruino/quirks.test.ts). Code with no late name
 * (every bundle the build lets through) is unchanged. Cached per text.
 */
const espruinoCache = new Map<string, string>();
export function espruinoCode(text: string): string {
  let out = espruinoCache.get(text);
  if (out === undefined) {
    let code = text;
    // Pretokenised code (what `qrgate flash` writes to a board's image and its .bootcde tail:
    // reserved words, operators, strings and integers as bytes 128 and up), which Espruino's lexer
    // reads as it reads text: back to text for V8. (A firmware's text has no byte above 127.)
    if (/[\x80-\xff]/.test(code)) code = untokenise(code);
    // A case clause whose first statement starts with a string literal: Espruino misreads it
    // (tools/build/casestrings.js). The sandbox refuses such code instead of running it right.
    const misread = casestrings.caseStrings(code);
    if (misread.length) {
      throw new Error(`SyntaxError: Espruino misreads ${misread.length} case clause(s) starting with a string literal ` +
        `(${JSON.stringify(code.slice(misread[0].start, Math.min(misread[0].end, misread[0].start + 40)))}): see tools/build/casestrings.js`);
    }
    // (Not modelled: Espruino leaks the callee's scope when a call's argument throws
    // (tools/build/argcalls.js). Every bundle the build lets through has no such call, and the
    // sandbox runs test programs that do, so it neither refuses them nor leaks.)
    out = latevars.espruinoScopes(code) as string;
    if (espruinoCache.size > 32) espruinoCache.clear();
    espruinoCache.set(text, out);
  }
  return out;
}

/** An uncaught error's message in Espruino's words where Node's differ ("Function "x" not found!"). */
export function espruinoMessage(msg: string): string {
  // (a method, `o.f()`, or a name, `f()`: 2v29 prints `Error: Function "f" not found!` for both)
  let m = /^TypeError: (?:[\w$.]+\.)?([\w$]+) is not a function$/.exec(msg);
  if (m) return `Error: Function "${m[1]}" not found!`;
  m = /^ReferenceError: ([\w$]+) is not defined$/.exec(msg);
  if (m) return `ReferenceError: "${m[1]}" is not defined`;
  return msg;
}
