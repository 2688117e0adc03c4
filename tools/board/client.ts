// Talking to an Espruino console from the host, the way the espruino command line tool does
// (EspruinoTools core/utils.js, core/codeWriter.js): every line we send starts with 0x10 (DLE:
// not echoed, result not printed), expressions are evaluated inside print() with markers around
// a JSON answer, and files go to Storage as
//   require("Storage").write(NAME, atob(BASE64), OFFSET[, TOTAL_SIZE])
// in chunks of 384 bytes (the tool's CHUNKSIZE). Unlike the tool, each line waits for its own
// answer (a marker printed by the same line), which is the flow control and the progress, and
// turns a board-side exception into an error here.
import { Link, LinkError, openLink, OpenOptions } from './link';
import { unlockConsole, relockConsole, defaultPasswords } from './unlock';

export class BoardError extends Error {}

export const CHUNK = 384;

/** A JavaScript SHA-256 for boards without require('crypto').SHA256 (ES5, runs on Espruino). */
function jsSha256Source(): string {
  const primes: number[] = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
  const frac = (x: number) => Math.floor((x - Math.floor(x)) * 4294967296) >>> 0;
  const K = primes.map((p) => frac(Math.cbrt(p)));
  const H = primes.slice(0, 8).map((p) => frac(Math.sqrt(p)));
  return 'function(s){var K=[' + K.join(',') + '],h=[' + H.join(',') + '],w=[],n=s.length,tl=n-n%64,' +
    't=s.substr(tl)+"\\x80",i,j,a,b,c,d,e,f,g,k,T1,T2;while(t.length%64!=56)t+="\\x00";' +
    'var hi=Math.floor(n/536870912),lo=(n*8)>>>0;' +
    't+=String.fromCharCode(hi>>>24&255,hi>>>16&255,hi>>>8&255,hi&255,lo>>>24&255,lo>>>16&255,lo>>>8&255,lo&255);' +
    'function blk(x,o){for(j=0;j<16;j++)w[j]=(x.charCodeAt(o+4*j)&255)<<24|(x.charCodeAt(o+4*j+1)&255)<<16|(x.charCodeAt(o+4*j+2)&255)<<8|(x.charCodeAt(o+4*j+3)&255);' +
    'for(j=16;j<64;j++){a=w[j-15];b=w[j-2];w[j]=(((a>>>7|a<<25)^(a>>>18|a<<14)^(a>>>3))+((b>>>17|b<<15)^(b>>>19|b<<13)^(b>>>10))+w[j-7]+w[j-16])|0}' +
    'a=h[0];b=h[1];c=h[2];d=h[3];e=h[4];f=h[5];g=h[6];k=h[7];' +
    'for(j=0;j<64;j++){T1=(k+((e>>>6|e<<26)^(e>>>11|e<<21)^(e>>>25|e<<7))+((e&f)^(~e&g))+K[j]+w[j])|0;' +
    'T2=(((a>>>2|a<<30)^(a>>>13|a<<19)^(a>>>22|a<<10))+((a&b)^(a&c)^(b&c)))|0;k=g;g=f;f=e;e=(d+T1)|0;d=c;c=b;b=a;a=(T1+T2)|0}' +
    'h[0]=h[0]+a|0;h[1]=h[1]+b|0;h[2]=h[2]+c|0;h[3]=h[3]+d|0;h[4]=h[4]+e|0;h[5]=h[5]+f|0;h[6]=h[6]+g|0;h[7]=h[7]+k|0}' +
    'for(i=0;i<tl;i+=64)blk(s,i);for(i=0;i<t.length;i+=64)blk(t,i);' +
    'var r="";for(i=0;i<8;i++)r+=((h[i]>>>0)+4294967296).toString(16).substr(1);return r}';
}

let shaSrc: string | null = null;

/**
 * A board-side expression: the SHA-256 (hex) of a Storage file, or null when it is missing.
 * Native require('crypto').SHA256 where the board has it, else JavaScript (always with jsOnly).
 */
export function boardHashExpr(name: string, jsOnly = false): string {
  if (!shaSrc) shaSrc = jsSha256Source();
  return '(function(n){var s=require("Storage").read(n);if(s===undefined)return null;var c=null;' +
    (jsOnly ? '' : 'try{c=require("crypto")}catch(e){}') + 'if(c&&c.SHA256){var a=new Uint8Array(c.SHA256(s)),r="";' +
    'for(var i=0;i<a.length;i++)r+=(256+a[i]).toString(16).substr(1);return r}return (' + shaSrc + ')(s)})(' +
    JSON.stringify(name) + ')';
}

export interface ConsoleLine { text: string; at: number }

const LINES_KEPT = 400;

export class EspruinoClient {
  readonly link: Link;
  private rx = '';
  private lineBuf = '';
  private seq = 0;
  private closed: string | null = null;
  private lineListeners: ((line: string) => void)[] = [];
  private waiters: (() => void)[] = [];
  /** Every '@qg {json}' line the board printed, parsed. */
  readonly events: any[] = [];
  /** Passwords for a locked console (tools/board/unlock.ts). */
  passwords: string[] = [];
  /** The console lines the board printed (cleaned, the latest LINES_KEPT), with arrival times. */
  readonly lines: ConsoleLine[] = [];
  /** How many lines arrived in all (lines[i] is line number lineCount - lines.length + i). */
  lineCount = 0;

  private constructor(link: Link) {
    this.link = link;
    link.onData((d) => this.received(d));
    link.onClose((why) => { this.closed = why; this.wake(); });
  }

  static async open(port: string, opts: OpenOptions = {}): Promise<EspruinoClient> {
    const passwords = opts.passwords || defaultPasswords();
    const c = new EspruinoClient(await openLink(port, opts));
    c.passwords = passwords;
    return c;
  }

  private received(d: string): void {
    this.rx += d;
    if (this.rx.length > 1 << 20) this.rx = this.rx.slice(-(1 << 19));
    this.lineBuf += d;
    let i: number;
    while ((i = this.lineBuf.indexOf('\n')) >= 0) {
      const raw = this.lineBuf.slice(0, i);
      this.lineBuf = this.lineBuf.slice(i + 1);
      const line = cleanLine(raw);
      this.lines.push({ text: line, at: Date.now() });
      if (this.lines.length > LINES_KEPT) this.lines.splice(0, this.lines.length - LINES_KEPT);
      this.lineCount++;
      const at = line.indexOf('@qg ');
      if (at >= 0) {
        try {
          const o = JSON.parse(line.slice(at + 4));
          if (o && typeof o === 'object') this.events.push(o);
        } catch (e) { /* not ours */ }
      }
      for (const l of this.lineListeners.slice()) l(line);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  onLine(cb: (line: string) => void): void { this.lineListeners.push(cb); }
  offLine(cb: (line: string) => void): void { this.lineListeners = this.lineListeners.filter((l) => l !== cb); }
  /** Why the link closed, or null while it is open. */
  get closedWhy(): string | null { return this.closed; }

  /** Wait until `test()` holds (checked whenever data arrives) or the time is up. */
  waitFor<T>(test: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { done = true; reject(new LinkError(`no board answering on ${this.link.description}: ${what} within ${timeoutMs / 1000} s`, 'no-board')); }, timeoutMs);
      let done = false;
      const check = () => {
        if (done) return;
        let v: T | undefined;
        try { v = test(); } catch (e) { done = true; clearTimeout(timer); reject(e); return; }
        if (v !== undefined) { done = true; clearTimeout(timer); resolve(v); return; }
        if (this.closed) { done = true; clearTimeout(timer); reject(new LinkError(`${this.link.description}: ${this.closed}`, 'closed')); return; }
        this.waiters.push(check);
      };
      check();
    });
  }

  /** Send raw bytes (a byte string). */
  send(bytes: string): Promise<void> { return this.link.write(bytes); }

  /**
   * Evaluate a JavaScript expression on the board and return its value (through JSON). A
   * board-side exception becomes a BoardError; no answer in time a LinkError.
   */
  async eval(expr: string, timeoutMs = 10000): Promise<any> {
    const id = ++this.seq + '' + Math.floor(Math.random() * 1000);
    const start = `<qg${id}<`, end = `>qg${id}>`;
    const line = '\x10(function(){var r;try{r={v:(' + expr + ')}}catch(e){r={e:""+((e&&e.message)||e)}}' +
      `print("<q"+"g${id}<"+JSON.stringify(r)+">q"+"g${id}>")})()\n`;
    const from = this.rx.length;
    await this.send(line);
    const body = await this.waitFor(() => {
      const s = this.rx.indexOf(start, Math.max(0, from - 64));
      if (s < 0) return undefined;
      const e = this.rx.indexOf(end, s);
      if (e < 0) return undefined;
      const text = this.rx.slice(s + start.length, e);
      this.rx = this.rx.slice(e + end.length);
      return text;
    }, timeoutMs, 'no answer');
    let r: any;
    try { r = JSON.parse(body); } catch (e) { throw new BoardError(`unreadable answer from the board: ${body.slice(0, 80)}`); }
    if (r && r.e !== undefined) throw new BoardError(String(r.e));
    return r ? r.v : undefined;
  }

  /** Lines that arrived since line number `from` (see lineCount). */
  linesSince(from: number): ConsoleLine[] {
    const first = this.lineCount - this.lines.length;
    return this.lines.slice(Math.max(0, from - first));
  }

  /**
   * Interrupt what the board runs and clear its input line: Ctrl-C, after a space so that the
   * line is never empty (Espruino's Linux build exits on Ctrl-C on an empty line within 5 s of
   * the previous one; on a board Ctrl-C stops running code, on the Linux build's telnet console
   * it only clears the line once the interpreter reads it).
   */
  async interrupt(): Promise<void> {
    await this.send(' \x03');
    await delay(100);
  }

  /**
   * Get a working console: evaluate a known expression; when nothing sensible comes back (a half
   * typed line, echo off, a busy program), interrupt it and try again, waiting up to timeoutMs in
   * all (onWait(seconds) while waiting: a board busy starting its firmware answers late).
   * Returns process.env.
   */
  async sync(timeoutMs = 3000, onWait?: (seconds: number) => void): Promise<any> {
    const start = Date.now();
    await unlockConsole(this.link, this.passwords); // a locked gate's console (tools/board/unlock.ts)
    await this.send('\n');
    try {
      return await this.eval('process.env', Math.min(1500, timeoutMs));
    } catch (e) {
      if (!(e instanceof LinkError) || e.kind === 'closed') throw e;
    }
    await this.interrupt();
    await this.send('\x10echo(1)\n\n');
    const ticker = onWait ? setInterval(() => onWait(Math.round((Date.now() - start) / 1000)), 1000) : null;
    try {
      // a line typed while the board is busy runs once it is idle: keep waiting for the answer
      return await this.eval('process.env', Math.max(500, timeoutMs - (Date.now() - start)));
    } finally {
      if (ticker) clearInterval(ticker);
    }
  }

  /** Write a Storage file in chunks (see the file header). onChunk(bytesDone). */
  async writeFile(name: string, data: Uint8Array, onChunk?: (done: number) => void, chunk = CHUNK): Promise<void> {
    if (data.length === 0) throw new BoardError(`${name}: Storage cannot hold an empty file`);
    const fn = JSON.stringify(name);
    for (let off = 0; off < data.length; off += chunk) {
      const part = Buffer.from(data.subarray(off, Math.min(data.length, off + chunk))).toString('base64');
      const call = `require("Storage").write(${fn},atob(${JSON.stringify(part)}),${off}${off === 0 ? ',' + data.length : ''})`;
      try {
        await this.eval(`(${call},1)`, 15000);
      } catch (e: any) {
        if (e instanceof BoardError) throw new BoardError(`writing ${name} at byte ${off}: ${e.message}`);
        throw e;
      }
      if (onChunk) onChunk(Math.min(data.length, off + chunk));
    }
  }

  /** SHA-256 (hex) of a Storage file, computed on the board; null when the file is missing. */
  hashFile(name: string, timeoutMs = 120000): Promise<string | null> {
    return this.eval(boardHashExpr(name), timeoutMs);
  }

  /** Read a Storage file's bytes (base64 through the console); undefined when missing. */
  async readFile(name: string, timeoutMs = 60000): Promise<Uint8Array | undefined> {
    const n = JSON.stringify(name);
    const size = await this.eval(`(function(){var s=require("Storage").read(${n});return s===undefined?-1:s.length})()`, timeoutMs);
    if (size < 0) return undefined;
    const parts: Buffer[] = [];
    for (let off = 0; off < size; off += 768) {
      const b64 = await this.eval(`btoa(require("Storage").read(${n},${off},${Math.min(768, size - off)}))`, timeoutMs);
      parts.push(Buffer.from(String(b64), 'base64'));
    }
    return new Uint8Array(Buffer.concat(parts));
  }

  /** Send a statement without waiting for anything (reset(), load()). */
  async statement(code: string): Promise<void> {
    await this.send('\x10' + code + '\n');
  }

  /** Wait for an '@qg' event satisfying test, among those after index `from`. */
  waitEvent(test: (ev: any) => boolean, from: number, timeoutMs: number, what: string): Promise<any> {
    return this.waitFor(() => {
      for (let i = from; i < this.events.length; i++) if (test(this.events[i])) return this.events[i];
      return undefined;
    }, timeoutMs, what);
  }

  async close(): Promise<void> {
    await relockConsole(this.link);
    await this.link.close();
  }
}

/** A console line without \r, the prompt and VT100 sequences. */
export function cleanLine(raw: string): string {
  let s = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const r = s.lastIndexOf('\r', s.length - 2);
  s = s.replace(/\r$/, '');
  if (r >= 0) s = s.slice(r + 1);
  return s.replace(/^>+/, '');
}

export function delay(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }
