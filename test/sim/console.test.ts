// The simulated board's console (sim/console.ts) over TCP, against transcripts of the real
// Espruino 2v29 Linux build's telnet console (same bytes in, same bytes out).
import * as assert from 'assert';
import * as net from 'net';
import { SimBoard } from '../../sim/board';
import { ConsoleServer, formatResult, bracketDepth } from '../../sim/console';

/** A raw console client: send bytes, collect what comes back until the line goes quiet. */
class Raw {
  buf = '';
  constructor(readonly sock: net.Socket) { sock.on('data', (d) => { this.buf += d.toString('latin1'); }); }
  static connect(port: number): Promise<Raw> {
    return new Promise((res, rej) => { const s = net.connect(port, '127.0.0.1', () => res(new Raw(s))); s.on('error', rej); });
  }
  async say(bytes: string, quietMs = 60): Promise<string> {
    this.buf = '';
    this.sock.write(Buffer.from(bytes, 'latin1'));
    let last = -1;
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, quietMs));
      if (this.buf.length === last) break;
      last = this.buf.length;
    }
    return this.buf;
  }
}

describe('board console (Espruino console protocol over TCP)', () => {
  let board: SimBoard;
  let server: ConsoleServer;
  let port: number;
  let c: Raw;

  beforeEach(async () => {
    board = new SimBoard({ board: 'esp32', clock: 1632729600 });
    server = new ConsoleServer(board);
    server.console.bootFromFlash();
    port = await server.listen(0);
    c = await Raw.connect(port);
    await c.say('');
  });
  afterEach(async () => { c.sock.destroy(); await server.close(); });

  it('echoes, prints =result and the prompt, as the real console does', async () => {
    assert.strictEqual(await c.say('\n'), '\r\n>');
    assert.strictEqual(await c.say('1+2\n'), '1+2\r\n=3\r\n>');
    assert.strictEqual(await c.say('"abc"\n'), '"abc"\r\n="abc"\r\n>');
    assert.strictEqual(await c.say('({a:1,b:[1,2],c:"x"})\n'), '({a:1,b:[1,2],c:"x"})\r\n={ a: 1, \r\n  b: [ 1, 2 ], \r\n  c: "x"\r\n }\r\n>');
    assert.strictEqual(await c.say('undefined\n'), 'undefined\r\n=undefined\r\n>');
    assert.strictEqual(await c.say('print("hi")\n'), 'print("hi")\r\nhi\r\n=undefined\r\n>');
  });

  it('continues a line while brackets are open, and DLE turns echo off for one line', async () => {
    assert.strictEqual(await c.say('function f(){\n'), 'function f(){\r\n:');
    assert.strictEqual(await c.say('return 1}\n'), 'return 1}\r\n=function () { ... }\r\n>');
    assert.strictEqual(await c.say('f()\n'), 'f()\r\n=1\r\n>');
    assert.strictEqual(await c.say('\x101+2\n'), '');
    // what the espruino tool sends first: a marker print, answered without echo
    assert.strictEqual(await c.say('\x10print("<","<<",JSON.stringify(process.env.BOARD),">>",">")\n'), '< << "ESP32" >> >\r\n>');
    // ESC LF (Alt-Enter) is a new line that does not execute
    assert.strictEqual(await c.say('\x10var q=1\x1b\n+1\n'), '');
    assert.strictEqual(await c.say('q\n'), 'q\r\n=2\r\n>');
  });

  it('Ctrl-C clears a half-typed line; echo(0) silences echo and prompts', async () => {
    await c.say('\x10require("Storage").write("x",');
    await c.say('\x03');
    // the half line is gone (echo stays off until a line runs, as on Espruino)
    await c.say('\x10var z=7\n');
    assert.strictEqual(await c.say('z\n'), 'z\r\n=7\r\n>');
    assert.ok(!board.flash.exists('x'));
    assert.strictEqual(await c.say('echo(0)\n'), 'echo(0)\r\n');
    assert.strictEqual(await c.say('4+4\n'), '');
    assert.strictEqual(await c.say('echo(1)\n'), '=undefined\r\n>');
    assert.ok((await c.say('throw new Error("boom")\n')).includes('Uncaught Error: boom'), `expected to contain ${JSON.stringify('Uncaught Error: boom')}`);
  });

  it('E.setBootCode then load() runs the code from flash; reset() clears RAM and does not', async () => {
    assert.strictEqual(await c.say('E.setBootCode("print(\\"booted\\")")\n'), 'E.setBootCode("print(\\"booted\\")")\r\n=undefined\r\n>');
    assert.strictEqual(board.flash.readString('.bootcde'), 'print("booted")');
    assert.strictEqual(await c.say('load()\n'), 'load()\r\n=undefined\r\nbooted\r\n>');
    await c.say('a=5\n');
    const r = await c.say('reset()\n');
    assert.match(r, /^reset\(\)\r\n=undefined\r\n\r\n ____ /);
    assert.ok(!(r).includes('booted'));
    assert.strictEqual(r.slice(-3), '\r\n>');
    assert.ok((await c.say('typeof a\n')).includes('="undefined"'), `expected to contain ${JSON.stringify('="undefined"')}`);
    assert.strictEqual(await c.say('require("Storage").list()\n'), 'require("Storage").list()\r\n=[ \r\n  ".bootcde"\r\n ]\r\n>');
    assert.ok((await c.say('save()\n')).includes('Uncaught Error: Cannot save: .bootcde file already exists. Please remove it first.'), `expected to contain ${JSON.stringify('Uncaught Error: Cannot save: .bootcde file already exists. Please remove it first.')}`);
    // alwaysExec: .bootrst runs even after reset()
    await c.say('\x10E.setBootCode("print(\\"always\\")",true)\n');
    assert.strictEqual(board.flash.exists('.bootcde'), false);
    assert.ok((await c.say('reset()\n')).includes('always'), `expected to contain ${JSON.stringify('always')}`);
  });

  it('save() keeps globals and intervals across load(), reset(true) erases saved code', async () => {
    await c.say('\x10var n=41;function inc(){n++;}\n');
    await c.say('\x10save()\n');
    assert.strictEqual(board.flash.exists('.varimg'), true);
    await c.say('\x10n=0\n');
    await c.say('load()\n');
    assert.ok((await c.say('inc(),n\n')).includes('=42'), `expected to contain ${JSON.stringify('=42')}`);
    assert.ok((await c.say('reset(true)\n')).includes('Erasing saved code.'), `expected to contain ${JSON.stringify('Erasing saved code.')}`);
    assert.strictEqual(board.flash.exists('.varimg'), false);
  });

  it('writes Storage files the way the espruino tool uploads them (atob chunks)', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 255));
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += 384) {
      const part = data.subarray(i, i + 384).toString('base64');
      lines.push(`\x10require("Storage").write("blob",atob(${JSON.stringify(part)}),${i}${i === 0 ? ',' + data.length : ''})\n`);
    }
    await c.say(lines.join(''));
    assert.strictEqual(Buffer.from(board.flash.read('blob')!).equals(data), true);
  });

  it('runs the board\'s timers in real time and shows program output between prompts', async () => {
    await c.say('\x10setTimeout(function(){print("tick")},50)\n');
    await new Promise((r) => setTimeout(r, 150));
    assert.ok((c.buf).includes('tick\r\n>'), `expected to contain ${JSON.stringify('tick\r\n>')}`);
  });

  it('takes a second client beside the first (unlike Espruino\'s telnet console, which replaces it): both see the board\'s output', async () => {
    const c2 = await Raw.connect(port);
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(c.sock.destroyed || c.sock.readableEnded, false, 'the first client is still connected');
    assert.strictEqual(await c2.say('\x101+1\n'), '');
    c.buf = '';
    assert.match(await c2.say('\x10print("to all")\n'), /to all\r\n/);
    assert.match(c.buf, /to all\r\n/, 'the first client sees the output too');
    assert.strictEqual(await c.say('2+2\n'), '2+2\r\n=4\r\n>');
    c2.sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(await c.say('3+3\n'), '3+3\r\n=6\r\n>');
  });
});

describe('console helpers', () => {
  it('formats results like Espruino (limits, nesting)', () => {
    assert.strictEqual(formatResult([1, 2]), '[ 1, 2 ]');
    assert.strictEqual(formatResult({}), '{  }');
    assert.strictEqual(formatResult('x'.repeat(70)), `"${'x'.repeat(27)}" ... "${'x'.repeat(27)}"`);
    assert.strictEqual(formatResult(Array.from({ length: 20 }, (_, i) => i)), '[ 0, 1, 2, 3, 4,  ... 15, 16, 17, 18, 19 ]');
    assert.strictEqual(formatResult({ a: 1, b: 2, c: 3, d: 4, e: 5 }), '{ a: 1, b: 2, c: 3, d: 4, \n  e: 5 }');
  });
  it('counts brackets as the console does (strings, comments, regexps)', () => {
    assert.strictEqual(bracketDepth('function f(){'), 1);
    assert.strictEqual(bracketDepth('"({["'), 0);
    assert.strictEqual(bracketDepth('var a = "unfinished'), 0);
    assert.ok((bracketDepth('/* open')) > (0));
    assert.strictEqual(bracketDepth('x = /[(]/.test(s)'), 0);
    assert.strictEqual(bracketDepth('a(b // )'), 1);
  });
});
