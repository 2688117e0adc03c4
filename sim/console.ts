// Espruino's console (the REPL behind a board's USB port) over a SimBoard, and a TCP server that
// offers it the way the Linux build's `--telnet` does, so that the `espruino` command line tool,
// `qrgate flash` and a person with `nc` can all talk to a simulated board.
//
// The behaviour follows Espruino 2v29 (src/jsinteractive.c, src/jswrap_json.c,
// src/jswrap_interactive.c, src/jsflash.c), checked against the Linux build's telnet console:
//  - characters are echoed as typed; Enter executes the line when its brackets are closed (else the
//    line continues, shown as "\n:"); the result is printed as "=value" (Espruino's console JSON:
//    unquoted keys, "[ 1, 2 ]", a new line before non-numeric items, long strings and arrays
//    elided) and then the prompt ">";
//  - 0x10 (DLE) at the start of a line: that line is neither echoed nor its result printed (the
//    espruino tool prefixes every line it sends with it); ESC LF (Alt-Enter) is a new line that
//    does not execute; other ESC sequences (cursor keys, ESC[nd line numbers) are consumed;
//    backspace deletes; Ctrl-C (0x03) clears the input line; NUL is ignored;
//  - echo(0) / echo(1) turn echo and prompts off and on;
//  - output is "\r\n" terminated; program output removes the input line first ("\r\e[J") and the
//    prompt comes back afterwards;
//  - reset(): RAM cleared, the banner, then .boot0-.boot3 and .bootrst only; reset(true) also
//    erases saved code; load(): .varimg, .boot0-.boot3, then .bootrst or else .bootcde, then
//    E.on('init'); load(file): reset, then that file; these run when the line finishes, as on
//    Espruino ("only executes when the Interpreter returns to the Idle state");
//  - E.setBootCode(code, alwaysExec): erases .bootcde and .bootrst, then writes code to .bootrst
//    (alwaysExec) or .bootcde; E.setBootCode("") removes boot code;
//  - save(): refused while .bootcde exists (2v29's message); otherwise the state is stored in
//    .varimg and restored at each boot. Espruino stores a binary image of its variables; here
//    .varimg is JavaScript (like dump()): the program's global values (JSON) and global
//    functions (source), E.on handlers and intervals. Closures' captured state is not kept.
// Not modelled: the DLE SOH packet protocol (file transfer of newer tools), tab completion,
// history, cursor movement inside a line, the debugger. E.setPassword/E.lockConsole: see
// sim/console-lock.ts. A line runs at most
// `evalTimeoutMs` (a busy loop is then "Execution Interrupted").
import * as net from 'net';
import * as vm from 'vm';
import { SimBoard } from './board';
import { ESPRUINO_VERSION } from './espruino';
import { PasswordLine, promptOf } from './console-lock';

const BANNER_LINES = [
  '',
  ' ____                 _ ',
  '|  __|___ ___ ___ _ _|_|___ ___ ',
  '|  __|_ -| . |  _| | | |   | . |',
  '|____|___|  _|_| |___|_|_|_|___|',
  '         |_| espruino.com',
  ` ${ESPRUINO_VERSION} (c) 2026 G.Williams (simulated board)`,
  '',
];

const LIMIT_ARRAY = 15, LIMITED_ITEMS = 5, LIMIT_STRING = 60, LIMITED_CHARS = 27, ITEMS_PER_LINE = 4;

function isIdentifier(k: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k);
}

/** A string as Espruino's console quotes it (%q): double quotes, C-style escapes. */
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s.charAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32 || c === 127) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
    else out += ch;
  }
  return out + '"';
}

function isNumericLike(v: any): boolean {
  return v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean';
}

/** A value as Espruino's console prints a result (after "="). */
export function formatResult(v: any): string {
  const seen: any[] = [];
  const nl = (indent: number) => '\n' + '  '.repeat(indent);
  const fmt = (x: any, indent: number): string => {
    if (x === undefined) return 'undefined';
    if (x === null) return 'null';
    if (typeof x === 'number') return String(x);
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'string') {
      if (x.length > LIMIT_STRING) return quote(x.slice(0, LIMITED_CHARS)) + ' ... ' + quote(x.slice(x.length - LIMITED_CHARS));
      return quote(x);
    }
    if (typeof x === 'function') return 'function () { ... }';
    if (seen.indexOf(x) >= 0) return ' ... ';
    const tag = Object.prototype.toString.call(x);
    if (tag === '[object ArrayBuffer]') return 'new Uint8Array(' + fmt(Array.prototype.slice.call(new Uint8Array(x)), indent) + ').buffer';
    if (ArrayBuffer.isView(x) && !(tag === '[object DataView]')) {
      const name = tag.slice(8, -1);
      return 'new ' + name + '(' + fmt(Array.prototype.slice.call(x as any), indent) + ')';
    }
    if (tag === '[object Date]') return 'Date: ' + String(x);
    if (tag === '[object Error]' || (typeof x.message === 'string' && 'stack' in x)) {
      return (x.constructor && x.constructor.name ? x.constructor.name : 'Error') + ': ' + x.message;
    }
    seen.push(x);
    let out: string;
    if (Array.isArray(x)) {
      out = '[ ';
      let need = false;
      let first = true;
      const n = x.length;
      const limited = n > LIMIT_ARRAY;
      for (let i = 0; i < n; i++) {
        if (limited && i >= LIMITED_ITEMS && i < n - LIMITED_ITEMS) continue;
        if (!first) out += ', ';
        first = false;
        if (limited && i === n - LIMITED_ITEMS) out += ' ... ';
        const item = x[i];
        const needs = !isNumericLike(item);
        if (need || needs) out += nl(indent + 1);
        out += fmt(item, indent + 1);
        need = needs;
      }
      if (need) out += nl(indent);
      out += ' ]';
    } else {
      out = '{ ';
      let need = false;
      let since = 0;
      let first = true;
      for (const k of Object.keys(x)) {
        let item: any;
        try { item = x[k]; } catch (e) { continue; }
        since++;
        if (!first) out += ', ';
        const needs = !isNumericLike(item);
        if (since > ITEMS_PER_LINE) need = true;
        if (need || needs) { out += nl(indent + 1); since = 0; }
        out += (isIdentifier(k) || /^\d+$/.test(k) ? k : quote(k)) + ': ';
        first = false;
        out += fmt(item, indent + 1);
        need = needs;
      }
      if (need) out += nl(indent);
      out += ' }';
    }
    seen.pop();
    return out;
  };
  return fmt(v, 0);
}

/**
 * Bracket depth of an input line as Espruino's console counts it (jsiCountBracketsInInput): > 0
 * means "not finished, continue the line". An unfinished string counts as finished (it executes
 * and errors); an unfinished comment or template literal as unfinished.
 */
export function bracketDepth(text: string): number {
  let depth = 0;
  let i = 0;
  let prevSignificant = '';
  const n = text.length;
  while (i < n) {
    const c = text.charAt(i);
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text.charAt(i) !== c) {
        if (text.charAt(i) === '\\') i++;
        else if (text.charAt(i) === '\n') return 0; // unfinished string: execute (and error)
        i++;
      }
      if (i >= n) return 0;
      i++;
      prevSignificant = 'a';
      continue;
    }
    if (c === '`') {
      i++;
      while (i < n && text.charAt(i) !== '`') { if (text.charAt(i) === '\\') i++; i++; }
      if (i >= n) return 1000;
      i++;
      prevSignificant = 'a';
      continue;
    }
    if (c === '/' && text.charAt(i + 1) === '/') {
      while (i < n && text.charAt(i) !== '\n') i++;
      continue;
    }
    if (c === '/' && text.charAt(i + 1) === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return 1000;
      i = end + 2;
      continue;
    }
    if (c === '/' && (prevSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.indexOf(prevSignificant) >= 0)) {
      // a regular expression literal
      i++;
      let inClass = false;
      while (i < n && text.charAt(i) !== '\n') {
        const d = text.charAt(i);
        if (d === '\\') { i += 2; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        i++;
      }
      i++;
      prevSignificant = 'a';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') { depth--; if (depth < 0) return depth; }
    if (!/\s/.test(c)) prevSignificant = /[A-Za-z0-9_$)\]]/.test(c) ? 'a' : c;
    i++;
  }
  return depth;
}

interface Todo { kind: 'reset' | 'load' | 'save' | 'reboot'; file?: string; clearFlash?: boolean }

export interface ConsoleOptions {
  /** Longest a console line may run before it is interrupted (real milliseconds). */
  evalTimeoutMs?: number;
}

/**
 * The console of one SimBoard. `input()` takes bytes from the host (a byte string); output goes
 * to `output` (set by whoever is connected; null = nobody, output dropped, as on a board whose
 * USB is unplugged).
 */
export class EspruinoConsole {
  readonly board: SimBoard;
  output: ((bytes: string) => void) | null = null;
  private line = '';
  private echoOff = false;
  private echoOffForLine = false;
  private removed = true;
  private state: 'none' | 'dle' | 'esc' | 'esc[' | 'escnum' | 'escO' = 'none';
  private todo: Todo | null = null;
  private patched: any = null;
  private evalTimeoutMs: number;
  private password = new PasswordLine();

  constructor(board: SimBoard, opts: ConsoleOptions = {}) {
    this.board = board;
    this.evalTimeoutMs = opts.evalTimeoutMs || 10000;
    const prev = board.onConsoleLine;
    board.onConsoleLine = (l: string) => {
      if (prev) prev(l);
      this.programOutput(l);
    };
    // the board restarting by itself (watchdog, E.reboot in the sandbox) prints the banner
    const prevEv = board.onEvent;
    board.onEvent = (ev) => {
      if (prevEv) prevEv(ev);
      if (ev.event === 'power' && ev.state === 'reboot') this.banner();
    };
  }

  // ------------------------------------------------------------------ output

  private out(s: string): void {
    if (this.output && s) this.output(s.replace(/\r?\n/g, '\r\n'));
  }

  private echo(): boolean { return !this.echoOff && !this.echoOffForLine; }
  private showInputLine(): boolean { return this.echo() && !this.removed; }

  private removeInputLine(): void {
    if (this.removed) return;
    this.removed = true;
    if (this.echo()) this.out('\r\x1b[J');
  }

  /** A line the program printed (console.log, print, errors). */
  private programOutput(text: string): void {
    this.removeInputLine();
    this.out(text + '\n');
  }

  /** Give the prompt back if output took it away (Espruino does this in its idle loop). */
  returnPrompt(): void {
    if (!this.removed) return;
    this.removed = false;
    const sb = this.board.sandbox;
    if (this.echo()) this.out(promptOf(sb && !sb.dead ? sb.consoleLock : null) + this.line.replace(/\n/g, '\n:'));
  }

  /** A client connected: Espruino greets a new console device with the prompt. */
  attached(): void {
    this.removed = true;
    this.returnPrompt();
  }

  // ------------------------------------------------------------------ input

  /** Bytes from the host, as a byte string. Processes them all, then returns the prompt. */
  input(bytes: string): void {
    this.ensurePatched();
    for (let i = 0; i < bytes.length; i++) this.handleChar(bytes.charAt(i));
    this.returnPrompt();
  }

  private handleChar(ch: string): void {
    const sb = this.board.sandbox;
    if (sb && !sb.dead && sb.consoleLock.locked) { // E.lockConsole(): only the password line (sim/console-lock.ts)
      const r = this.password.input(sb.consoleLock, ch);
      this.out(r.out);
      if (r.loggedIn) this.removed = true; // the prompt comes back (">")
      else if (r.out) this.removed = false; // "password>" printed
      return;
    }
    const c = ch.charCodeAt(0);
    const st = this.state;
    if (c === 0) { this.state = 'none'; return; }
    if (c === 3) { // Ctrl-C: clear the input line
      this.state = 'none';
      if (this.line.length) {
        this.removeInputLine();
        this.line = '';
      }
      return;
    }
    if (c === 1) { this.state = 'none'; return; } // SOH (packets are not modelled)
    if (c === 16) {
      if (this.line.length === 0) this.echoOffForLine = true;
      this.state = 'dle';
      return;
    }
    if (c === 27) { this.state = 'esc'; return; }
    if (st === 'esc') {
      this.state = 'none';
      if (ch === '[') this.state = 'esc[';
      else if (ch === 'O') this.state = 'escO';
      else if (c === 10) this.newLine(false);
      return;
    }
    if (st === 'escO') { this.state = 'none'; return; }
    if (st === 'esc[') {
      this.state = ch >= '0' && ch <= '9' ? 'escnum' : 'none';
      return;
    }
    if (st === 'escnum') {
      if (!(ch >= '0' && ch <= '9')) this.state = 'none';
      return;
    }
    this.state = 'none';
    if (c === 8 || c === 127) {
      if (this.line.length && this.line.charAt(this.line.length - 1) !== '\n') {
        this.line = this.line.slice(0, -1);
        if (this.showInputLine()) this.out('\x08 \x08');
      }
      return;
    }
    if (ch === '\r' || ch === '\n') {
      this.newLine(true);
      return;
    }
    if (c >= 32 || ch === '\t') {
      const s = ch === '\t' ? '    ' : ch;
      this.line += s;
      if (this.showInputLine()) this.out(s);
    }
  }

  private newLine(execute: boolean): void {
    if (execute && bracketDepth(this.line) <= 0) {
      if (this.showInputLine()) this.out('\n');
      if (!this.echoOffForLine) this.removed = true;
      const code = this.line.replace(/\s+$/, '');
      this.line = '';
      this.execute(code);
      this.echoOffForLine = false;
      this.runTodo();
    } else {
      if (this.showInputLine()) this.out('\n:');
      this.line += '\n';
    }
  }

  private execute(code: string): void {
    const sb = this.board.sandbox;
    if (!sb || sb.dead) return;
    let v: any;
    let failed = false;
    try {
      v = vm.runInContext(code, sb.context, { filename: 'REPL', timeout: this.evalTimeoutMs });
    } catch (e: any) {
      failed = true;
      if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        this.programOutput('Execution Interrupted');
      } else if (!(e && e.constructor && e.constructor.name === 'PowerCutError')) {
        this.programOutput('Uncaught ' + describeError(e));
      }
    }
    // Espruino's value of a function declaration statement is the function
    const decl = /^function\s+([A-Za-z_$][\w$]*)\s*\(/.exec(code);
    if (!failed && decl && v === undefined && /\}$/.test(code)) v = sb.global[decl[1]];
    if (this.echo() && !failed && code.length) this.out('=' + formatResult(v) + '\n');
  }

  // ------------------------------------------------------------------ reset / load / save

  /** Give the current sandbox Espruino's reset(), load(), save() and E.setBootCode(). */
  ensurePatched(): void {
    const sb = this.board.sandbox;
    if (!sb || sb.dead || this.patched === sb) return;
    this.patched = sb;
    const g = sb.global;
    const self = this;
    const flash = this.board.flash;
    const mkErr = (m: string) => vm.runInContext('(function (m) { return new Error(m); })', sb.context)(m);
    g.reset = function (clearFlash?: any) { self.todo = { kind: 'reset', clearFlash: !!clearFlash }; };
    g.load = function (file?: any) { self.todo = { kind: 'load', file: file === undefined ? undefined : String(file) }; };
    g.save = function () {
      if (flash.exists('.bootcde')) throw mkErr('Cannot save: .bootcde file already exists. Please remove it first.');
      self.todo = { kind: 'save' };
    };
    g.E.setBootCode = function (code?: any, alwaysExec?: any) {
      flash.erase('.bootcde');
      flash.erase('.bootrst');
      const c = code === undefined || code === null ? '' : String(code);
      if (c.length) flash.write(alwaysExec ? '.bootrst' : '.bootcde', c);
    };
    g.E.reboot = function () { self.todo = { kind: 'reboot' }; };
    g.echo = function (on?: any) { self.echoOff = !on; };
  }

  /** Run a pending reset()/load()/save() (after the line that asked for it, as Espruino does). */
  runTodo(): void {
    const t = this.todo;
    if (!t) return;
    this.todo = null;
    const flash = this.board.flash;
    if (t.kind === 'reset') {
      if (t.clearFlash) {
        this.programOutput('Erasing saved code.');
        for (const f of ['.varimg', '.bootcde', '.bootrst']) flash.erase(f);
        this.programOutput('Done!');
      }
      this.restart(['.boot0', '.boot1', '.boot2', '.boot3', '.bootrst'], null);
      if (!this.echoOff) for (const l of BANNER_LINES) this.out(l + '\n');
      this.removed = true;
    } else if (t.kind === 'reboot') {
      // a hardware reset: the board prints its banner as it starts again, then boots from flash
      this.banner();
      this.bootFromFlash(false);
    } else if (t.kind === 'load') {
      if (t.file !== undefined) {
        this.restart(['.boot0', '.boot1', '.boot2', '.boot3', '.bootrst', t.file], null);
      } else {
        this.bootFromFlash();
      }
    } else {
      const sb = this.board.sandbox;
      if (sb && !sb.dead) {
        flash.write('.varimg', dumpState(sb));
        this.programOutput('Compacting Flash...');
        this.programOutput('Writing..');
        this.programOutput('Done!');
        this.bootFromFlash();
      }
    }
    this.ensurePatched();
  }

  /** Espruino's start-up banner (after reset(), and when the board itself restarts). */
  banner(): void {
    if (this.echoOff) return;
    this.removeInputLine();
    for (const l of BANNER_LINES) this.out(l + '\n');
    this.removed = true;
  }

  /** Power-on / load(): .varimg, .boot0-.boot3, then .bootrst or else .bootcde, then init. */
  bootFromFlash(soft = true): void {
    const flash = this.board.flash;
    if (!flash.exists('.varimg') && !flash.exists('.bootrst')) {
      // the simulator's own boot (sim/board.ts) is exactly this order
      if (this.board.sandbox && !this.board.sandbox.dead) this.board.sandbox.emitE('kill');
      this.board.powerOn({ soft });
    } else {
      const files = ['.varimg', '.boot0', '.boot1', '.boot2', '.boot3', flash.exists('.bootrst') ? '.bootrst' : '.bootcde'];
      this.restart(files, null, soft);
    }
    this.ensurePatched();
  }

  /** Restart the interpreter (RAM cleared) and run these Storage files in order, then init. */
  private restart(files: string[], _unused: null, soft = true): void {
    void _unused;
    if (this.board.sandbox && !this.board.sandbox.dead) this.board.sandbox.emitE('kill');
    const loader = '(function(){var S=require("Storage"),L=' + JSON.stringify(files) + ';' +
      'for(var i=0;i<L.length;i++){var c=S.read(L[i]);if(c===undefined)continue;' +
      'try{(0,eval)(c)}catch(e){console.log("Uncaught "+(e&&e.message!==undefined?' +
      '((e.constructor&&e.constructor.name)||"Error")+": "+e.message:String(e)))}}})()';
    this.board.boot(loader, { codeInFlash: true, filename: 'boot', soft });
    this.patched = null;
  }
}

function describeError(e: any): string {
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    const ctor = e.constructor && e.constructor.name;
    return (ctor && ctor !== 'Object' ? ctor : 'Error') + ': ' + e.message;
  }
  return String(e);
}

/** save(): the program's state as JavaScript (see the file header). */
function dumpState(sb: any): string {
  const g = sb.global;
  const skip = new Set<string>(['reset', 'load', 'save']);
  const lines: string[] = [];
  const base: Map<object, Set<string>> | null = (sb as any).baseline;
  const builtin = base ? base.get(g) : undefined;
  for (const k of Object.getOwnPropertyNames(g)) {
    if (skip.has(k) || (builtin && builtin.has(k))) continue;
    const v = g[k];
    if (typeof v === 'function') {
      const src = Function.prototype.toString.call(v);
      if (/\[native code\]/.test(src)) continue;
      lines.push(/^function[\s(]/.test(src) ? `global[${JSON.stringify(k)}]=(${src});` : `global[${JSON.stringify(k)}]=(${src});`);
    } else {
      let json: string | undefined;
      try { json = JSON.stringify(v); } catch (e) { json = undefined; }
      if (json !== undefined) lines.push(`global[${JSON.stringify(k)}]=${json};`);
    }
  }
  const handlers = (sb as any).eHandlers || {};
  for (const ev of Object.keys(handlers)) {
    for (const fn of handlers[ev]) {
      if (typeof fn === 'function') lines.push(`E.on(${JSON.stringify(ev)},(${Function.prototype.toString.call(fn)}));`);
    }
  }
  for (const t of (sb as any).timers || []) {
    if (t.internal || !(t.interval > 0) || typeof t.fn !== 'function') continue;
    lines.push(`setInterval((${Function.prototype.toString.call(t.fn)}),${t.interval});`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------- TCP server

export interface ConsoleServerOptions extends ConsoleOptions {
  /** Real milliseconds between runs of the board's timers (default 10). */
  tickMs?: number;
  /** Called after the board wrote to flash (debounced), e.g. to persist the image. */
  onFlashChanged?: () => void;
  /** Every byte in and out, for debugging. */
  trace?: (dir: 'in' | 'out', bytes: string) => void;
}

/**
 * Serves a board's console on TCP. Unlike Espruino's telnet console (one client: a new one
 * replaces the old), it takes several clients at once, so that `qrgate monitor` can watch while
 * `qrgate flash` works: every client sees all output and may type (as several people at one
 * terminal). The board's virtual time follows real time.
 */
export class ConsoleServer {
  readonly console: EspruinoConsole;
  readonly board: SimBoard;
  private server: net.Server;
  private clients: net.Socket[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = Date.now();
  private flashMark = '';
  private flashDirtyAt = 0;
  private opts: ConsoleServerOptions;

  constructor(board: SimBoard, opts: ConsoleServerOptions = {}) {
    this.board = board;
    this.opts = opts;
    this.console = new EspruinoConsole(board, opts);
    this.flashMark = this.mark();
    this.server = net.createServer((sock) => this.accept(sock));
    this.console.output = (bytes) => {
      if (this.opts.trace) this.opts.trace('out', bytes);
      const b = Buffer.from(bytes, 'latin1');
      for (const c of this.clients) if (!c.destroyed) c.write(b);
    };
  }

  /** How many clients are connected. */
  get clientCount(): number { return this.clients.length; }

  /** Start listening; resolves with the port (use port 0 for a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onErr = (e: any) => reject(e);
      this.server.once('error', onErr);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', onErr);
        const a = this.server.address() as net.AddressInfo;
        this.startClock();
        resolve(a.port);
      });
    });
  }

  private startClock(): void {
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs || 10);
  }

  /** Run the board's timers up to now, give the prompt back, persist flash when it changed. */
  tick(): void {
    const now = Date.now();
    const dt = Math.max(0, now - this.last);
    this.last = now;
    try {
      this.board.advance(dt);
    } catch (e: any) {
      this.console['programOutput']('Uncaught ' + describeError(e));
    }
    this.console.ensurePatched();
    this.console.runTodo();
    this.console.returnPrompt();
    const m = this.mark();
    if (m !== this.flashMark) {
      this.flashMark = m;
      this.flashDirtyAt = now;
    }
    if (this.flashDirtyAt && now - this.flashDirtyAt >= 100) {
      this.flashDirtyAt = 0;
      if (this.opts.onFlashChanged) this.opts.onFlashChanged();
    }
  }

  private mark(): string {
    const s = this.board.flash.stats;
    return `${s.writes}/${s.bytesProgrammed}/${s.compactions}`;
  }

  private accept(sock: net.Socket): void {
    this.clients.push(sock);
    sock.setNoDelay(true);
    sock.on('data', (d) => {
      const s = d.toString('latin1');
      if (this.opts.trace) this.opts.trace('in', s);
      this.tick();
      try {
        this.console.input(s);
      } catch (e: any) {
        this.console['programOutput']('Uncaught ' + describeError(e));
      }
    });
    const gone = () => { this.clients = this.clients.filter((c) => c !== sock); };
    sock.on('close', gone);
    sock.on('error', gone);
    // Espruino greets a new console device with the prompt
    this.console.attached();
  }

  /** Stop serving (the board keeps its state; flash is reported changed one last time). */
  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.destroy();
    this.clients = [];
    if (this.flashDirtyAt && this.opts.onFlashChanged) this.opts.onFlashChanged();
    this.flashDirtyAt = 0;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
