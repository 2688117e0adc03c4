// The gate's console events (`@qg {json}` lines, README "The console protocol") as one readable
// line each, for `qrgate monitor` and `qrgate board`. Unknown events are shown generically (name
// and fields), so a new event of the firmware's shows up without a change here.

/** "HH:MM:SS" of a host time (UTC). */
export function clockText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function value(v: any): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** The fields of an event not already shown, as k=v. */
function rest(ev: any, shown: string[]): string {
  const out: string[] = [];
  for (const k of Object.keys(ev)) {
    if (k === 'ev' || shown.indexOf(k) >= 0) continue;
    if (ev[k] === '' || ev[k] === undefined) continue;
    out.push(`${k}=${value(ev[k])}`);
  }
  return out.length ? ' ' + out.join(' ') : '';
}

/** One event (the parsed JSON of an `@qg` line) as one line of text, without the time. */
export function describeEvent(ev: any): string {
  const name = String(ev && ev.ev);
  switch (name) {
    case 'ready': {
      const trust = ev.trust ? `trust v${ev.trust.version} (${ev.trust.keys} keys)` : 'NO TRUST BUNDLE';
      const fault = ev.fault ? ` FAULT ${ev.fault}${ev.detail ? ': ' + ev.detail : ''}` : '';
      return `ready    gate ${value(ev.gateId)} fw ${value(ev.fw)} on ${value(ev.board)}, ${trust}, clock ${ev.clock ? 'set' : 'NOT SET'}${fault}` +
        rest(ev, ['fw', 'board', 'gateId', 'fault', 'detail', 'trust', 'clock']);
    }
    case 'decision':
      return `decision ${String(ev.decision).toUpperCase()} ${value(ev.reason)}` +
        (ev.format ? ` ${ev.format}` : '') + (ev.cached ? ' (repeat visitor)' : '') +
        rest(ev, ['decision', 'reason', 'format', 'cached']);
    case 'fault':
      return `FAULT    ${value(ev.what)}: ${ev.why === undefined ? '' : String(ev.why)}` + rest(ev, ['what', 'why']);
    case 'uncaught':
      return `ERROR    ${ev.text}`;
    case 'restart':
      return `restart  the board restarted${ev.text ? ' (' + ev.text + ')' : ''}`;
    default:
      return `${(name + '        ').slice(0, Math.max(8, name.length))} ${rest(ev, []).trim()}`.replace(/\s+$/, '');
  }
}

/** The parsed event of an `@qg {json}` console line, or null for other lines. */
export function parseEventLine(line: string): any | null {
  const at = line.indexOf('@qg ');
  if (at < 0) return null;
  try {
    const o = JSON.parse(line.slice(at + 4));
    return o && typeof o === 'object' && !Array.isArray(o) && typeof o.ev === 'string' ? o : null;
  } catch (e) {
    return null;
  }
}
