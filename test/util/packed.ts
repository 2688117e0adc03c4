// What a flashed firmware split must be (tools/board/layout.ts packHead): head then tail holds
// every top-level statement of the firmware once; the statements other than function declarations
// keep their order; a function declaration only moves earlier (fewer other statements before it).
// Statements compare by their tokens; pretokenised parts are read back as text first.
import * as acorn from 'acorn';
import { tokensOf, untokenise } from '../../tools/build/pretokenise';

/** A statement's tokens, without a final ";" (so text and untokenised text compare equal). */
function tokens(text: string): string {
  const out = tokensOf(text);
  if (out.length && out[out.length - 1] === ';:undefined') out.pop();
  return out.join(' ');
}

function statements(code: string): { text: string; fn: boolean }[] {
  // (pretokenised code, as flash writes an image: read back as text first)
  const text = /[\x80-\xff]/.test(code) ? untokenise(code) : code;
  const body: any[] = (acorn.parse(text, { ecmaVersion: 5, sourceType: 'script' }) as any).body;
  return body.filter((s) => s.type !== 'EmptyStatement').map((s) => ({ text: tokens(text.slice(s.start, s.end)), fn: s.type === 'FunctionDeclaration' }));
}

/** Why head then tail is not a sound rearrangement of the firmware; '' when it is. */
export function packedProblem(full: string, head: string, tail: string): string {
  const want = statements(full);
  const got = statements(head).concat(statements(tail));
  if (got.length !== want.length) return `${got.length} statements, the firmware has ${want.length}`;
  const used: boolean[] = [];
  const othersBefore = (list: { fn: boolean }[], i: number) => list.slice(0, i).filter((s) => !s.fn).length;
  let lastOther = -1;
  for (let i = 0; i < got.length; i++) {
    let j = -1;
    for (let k = 0; k < want.length; k++) if (!used[k] && want[k].text === got[i].text) { j = k; break; }
    if (j < 0) return `statement ${i} is not in the firmware: ${got[i].text.slice(0, 60)}`;
    used[j] = true;
    if (!got[i].fn) {
      if (j < lastOther) return `statement ${i} moved before one that preceded it: ${got[i].text.slice(0, 60)}`;
      lastOther = j;
    } else if (othersBefore(got, i) > othersBefore(want, j)) return `function declaration ${i} moved later: ${got[i].text.slice(0, 60)}`;
  }
  return '';
}
