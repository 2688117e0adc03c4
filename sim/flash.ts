// A model of Espruino's Storage on flash (src/jsflash.c, src/jswrap_storage.c, 2v29), for the
// simulator and for tests of code that writes to flash (the entry-log journal).
//
// The image is a byte array like the flash area Espruino uses: files are laid out one after the
// other from address 0, each as a 32-byte header (4 bytes: size in the low 24 bits, flags in the
// top 8, little endian; 28 bytes: the name, zero padded) followed by the data, padded to 4 bytes.
// Erased flash reads 0xFF and programming can only clear bits (programmed bytes are ANDed in).
// The rules are Espruino's, as in jsfWriteFile:
//  - names are at most 28 bytes; a longer name is truncated silently (so two long names collide);
//  - write(name, data) (offset 0) replaces an existing file: the old header is marked deleted (its
//    first 4 name bytes become 0) and a new file is appended; the old one keeps its space until
//    compact(). Writing exactly the same contents again is a no-op. If the file has the same size
//    and is still completely erased (0xFF), offset-0 data is written into it in place;
//  - write(name, data, 0, size) creates a file of `size` bytes (0xFF) that later writes at an
//    offset fill: a write at offset > 0 needs the file to exist ("Unable to find or create file"),
//    to fit ("Too much data for file size"), and every byte it covers to read 0xFF, whatever the
//    new data is ("File already written with different data"; note: Espruino checks "erased", not
//    "bits only go 1->0", so rewriting identical bytes throws too; data bytes that are 0xFF leave
//    the flash erased and can be written later);
//  - a zero-length file cannot be created ("Can't create zero length file");
//  - getFree() is the space after the last file: deleted files count as used until compact();
//    creating a file that does not fit compacts first when that would make room (Espruino prints
//    "Compacting..."), else throws "Unable to find or create file".
// Not modelled: StorageFile (open()), the two-bank layouts, the filename table, tears inside
// compaction (compact() here is atomic).
//
// Power cuts: armTear(n) makes the next write() stop after n bytes (of the file's data, or with
// mode 'flash' of everything that write programs: the deletion mark of an old version, the new
// header, then the data). The bytes after the cut stay as they were (0xFF for a new file); then
// power is "lost": the write throws PowerCutError, `onTear` is called, and the image refuses
// writes (PowerCutError) until repower().
import * as fs from 'fs';
import * as path from 'path';
import { FlashStorage } from '../hal/types';

export const HEADER_SIZE = 32;
export const NAME_MAX = 28;
const ALIGN = 4;
const FLAGS_NONE = 0, FLAGS_STORAGEFILE = 64, FLAGS_COMPRESSED = 128;

export class PowerCutError extends Error {
  constructor(message = 'power cut (simulated flash tear)') {
    super(message);
  }
}

/** What is needed to create values inside a vm context (so `instanceof` works there). */
export interface Realm {
  Uint8Array: typeof Uint8Array;
  ArrayBuffer: typeof ArrayBuffer;
  Error: ErrorConstructor;
  JSON: JSON;
}

export interface StorageModuleOptions {
  /** Values are created with this realm's constructors (default: the host's). */
  realm?: Realm;
  /** Called with the strings read() returns (they are memory-mapped: zero RAM on a board). */
  onMapped?: (s: string) => void;
  /** Console output of Storage itself ("Compacting..."). */
  print?: (line: string) => void;
}

export interface FileInfo { name: string; addr: number; size: number; flags: number; deleted: boolean }

function align(n: number): number { return (n + ALIGN - 1) & ~(ALIGN - 1); }

/** A name as Espruino stores it: bytes (char codes & 0xFF), truncated to 28, cut at a NUL. */
export function storageName(name: string): string {
  const s = String(name);
  let out = '';
  for (let i = 0; i < s.length && out.length < NAME_MAX; i++) out += String.fromCharCode(s.charCodeAt(i) & 0xff);
  const nul = out.indexOf('\0');
  return nul >= 0 ? out.slice(0, nul) : out;
}

/** Bytes from a byte string (char codes & 0xFF). */
export function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** A byte string (one char per byte) from bytes. */
export function byteString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as any);
  return s;
}

export class FlashImage {
  readonly size: number;
  readonly pageSize: number;
  /** The raw flash contents. */
  readonly bytes: Uint8Array;
  /** Called when an armed tear happens (the board drops power). */
  onTear: (() => void) | null = null;
  /** Storage's own console output ("Compacting..."). */
  onMessage: ((line: string) => void) | null = null;
  private tear: { left: number; mode: 'data' | 'flash' } | null = null;
  private tearing: { left: number; mode: 'data' | 'flash' } | null = null;
  private dead = false;
  private cutLeft = -1;
  /** Counters, for tests and the board's statistics. */
  stats = { writes: 0, bytesProgrammed: 0, compactions: 0 };

  constructor(opts: { size?: number; pageSize?: number } = {}) {
    this.size = opts.size === undefined ? 64 * 1024 : opts.size;
    this.pageSize = opts.pageSize === undefined ? 2048 : opts.pageSize;
    if (this.size <= HEADER_SIZE || this.size % this.pageSize !== 0) throw new Error('flash size must be a multiple of the page size');
    this.bytes = new Uint8Array(this.size).fill(0xff);
  }

  // ---- power-cut model

  /** The next write() is cut after `afterBytes` bytes (see the file header); then power is lost. */
  armTear(afterBytes: number, mode: 'data' | 'flash' = 'data'): void {
    if (!(afterBytes >= 0)) throw new Error('armTear: afterBytes must be >= 0');
    this.tear = { left: Math.floor(afterBytes), mode };
  }
  /**
   * Power is cut once `afterBytes` more bytes have been programmed, counting everything from now
   * on across any number of writes and erases (deletion marks, headers, data): for sweeping a
   * power cut over every byte of an operation made of several writes.
   */
  armCut(afterBytes: number): void {
    if (!(afterBytes >= 0)) throw new Error('armCut: afterBytes must be >= 0');
    this.cutLeft = Math.floor(afterBytes);
  }
  disarmTear(): void { this.tear = null; this.cutLeft = -1; }
  /** True after a tear until repower(): writes are refused. */
  get powerLost(): boolean { return this.dead; }
  /** Power is back: writes are accepted again. */
  repower(): void { this.dead = false; this.tearing = null; this.cutLeft = -1; }

  /** Program bytes (AND, as flash does), honouring an armed tear. `isData` marks file contents. */
  private program(addr: number, data: Uint8Array, isData: boolean): void {
    if (this.dead) throw new PowerCutError('flash write while power is off');
    let n = data.length;
    const t = this.tearing;
    let cut = false;
    if (t && (isData || t.mode === 'flash')) {
      if (t.left < n) { n = t.left; cut = true; }
      t.left -= n;
    }
    if (this.cutLeft >= 0) {
      if (this.cutLeft < n) { n = this.cutLeft; cut = true; }
      this.cutLeft -= n;
    }
    for (let i = 0; i < n; i++) this.bytes[addr + i] &= data[i];
    this.stats.bytesProgrammed += n;
    if (cut) {
      this.dead = true;
      this.tearing = null;
      this.cutLeft = -1;
      if (this.onTear) this.onTear();
      throw new PowerCutError();
    }
  }

  // ---- layout

  private u32(addr: number): number {
    const b = this.bytes;
    return (b[addr] | (b[addr + 1] << 8) | (b[addr + 2] << 16) | (b[addr + 3] << 24)) >>> 0;
  }

  /** Header at addr if valid (Espruino's jsfGetFileHeader). */
  private header(addr: number): FileInfo | null {
    if (addr + HEADER_SIZE > this.size) return null;
    const word = this.u32(addr);
    const size = word & 0xffffff;
    if (word === 0xffffffff || word === 0 || addr + HEADER_SIZE + size > this.size) return null;
    let name = '';
    for (let i = 0; i < NAME_MAX; i++) {
      const c = this.bytes[addr + 4 + i];
      if (c === 0) break;
      name += String.fromCharCode(c);
    }
    const deleted = this.u32(addr + 4) === 0;
    return { name, addr, size, flags: word >>> 24, deleted };
  }

  /** Every header in flash order, deleted ones included, and the end of the last one. */
  scan(): { files: FileInfo[]; end: number } {
    const files: FileInfo[] = [];
    let addr = 0;
    let h = this.header(0);
    let end = 0;
    while (h) {
      files.push(h);
      end = addr + HEADER_SIZE + align(h.size);
      addr = end;
      if (addr + HEADER_SIZE > this.size) break;
      h = this.header(addr);
    }
    return { files, end };
  }

  private find(name: string): FileInfo | null {
    const n = storageName(name);
    const files = this.scan().files;
    for (const f of files) if (!f.deleted && f.name === n && (f.flags === FLAGS_NONE || f.flags === FLAGS_STORAGEFILE || f.flags === FLAGS_COMPRESSED)) return f;
    return null;
  }

  private isErased(addr: number, len: number): boolean {
    for (let i = 0; i < len; i++) if (this.bytes[addr + i] !== 0xff) return false;
    return true;
  }

  private markDeleted(f: FileInfo): void {
    this.program(f.addr + 4, new Uint8Array(4), false);
  }

  private create(name: string, size: number, flags: number): FileInfo {
    const required = HEADER_SIZE + align(size);
    let { files, end } = this.scan();
    if (end + required > this.size) {
      let trash = 0;
      for (const f of files) if (f.deleted) trash += HEADER_SIZE + align(f.size);
      if (required < this.size - end + trash) {
        this.compact();
        end = this.scan().end;
      }
      if (end + required > this.size) throw new Error('Unable to find or create file');
    }
    const h = new Uint8Array(HEADER_SIZE);
    const word = (size | (flags << 24)) >>> 0;
    h[0] = word & 0xff; h[1] = (word >>> 8) & 0xff; h[2] = (word >>> 16) & 0xff; h[3] = word >>> 24;
    const n = storageName(name);
    for (let i = 0; i < n.length; i++) h[4 + i] = n.charCodeAt(i);
    this.program(end, h, false);
    return { name: n, addr: end, size, flags, deleted: false };
  }

  // ---- the Storage operations

  /**
   * Espruino's Storage.write(name, data, offset, size) (jsfWriteFile). Throws Error with
   * Espruino's messages, or PowerCutError when an armed tear happens.
   */
  write(name: string, data: Uint8Array | string, offset = 0, size = 0): void {
    const d = typeof data === 'string' ? bytesOf(data) : data;
    offset = offset || 0;
    size = size || 0;
    if (offset < 0 || size < 0) throw new Error('Unable to find or create file');
    if (size === 0) size = d.length;
    if (!size) throw new Error("Can't create zero length file");
    if (this.dead) throw new PowerCutError('flash write while power is off');
    this.stats.writes++;
    this.tearing = this.tear;
    this.tear = null;
    try {
      let f = this.find(name);
      const dataAddr = (x: FileInfo) => x.addr + HEADER_SIZE;
      if ((!f && offset === 0) ||
          (f && offset === 0 && (f.flags !== FLAGS_NONE || f.size !== size || !this.isErased(dataAddr(f), size)))) {
        if (f && offset === 0 && f.size === size && f.flags === FLAGS_NONE && d.length === size &&
            this.equal(dataAddr(f), d)) return;
        if (f) this.markDeleted(f);
        f = this.create(name, size, FLAGS_NONE);
      }
      if (!f) throw new Error('Unable to find or create file');
      if (offset + d.length > f.size) throw new Error('Too much data for file size');
      const at = dataAddr(f) + offset;
      if (!this.isErased(at, d.length)) throw new Error('File already written with different data');
      this.program(at, d, true);
    } finally {
      this.tearing = null;
    }
  }

  private equal(addr: number, d: Uint8Array): boolean {
    for (let i = 0; i < d.length; i++) if (this.bytes[addr + i] !== d[i]) return false;
    return true;
  }

  /** The file's bytes as a view into the image (memory-mapped, like Espruino), or undefined. */
  read(name: string, offset = 0, length = 0): Uint8Array | undefined {
    const f = this.find(name);
    if (!f) return undefined;
    if (offset < 0) offset = 0;
    if (length <= 0) length = f.size;
    if (offset > f.size) offset = f.size;
    if (offset + length > f.size) length = f.size - offset;
    const start = f.addr + HEADER_SIZE + offset;
    return this.bytes.subarray(start, start + Math.max(0, length));
  }

  /** The file as a byte string, or undefined. */
  readString(name: string, offset = 0, length = 0): string | undefined {
    const b = this.read(name, offset, length);
    return b === undefined ? undefined : byteString(b);
  }

  exists(name: string): boolean { return this.find(name) !== null; }

  /** Marks the file deleted (its space stays used until compact()). Returns whether it existed. */
  erase(name: string): boolean {
    const f = this.find(name);
    if (!f) return false;
    this.markDeleted(f);
    return true;
  }

  /** Live file names in flash order, optionally only those starting with `prefix`. */
  list(prefix?: string): string[] {
    const out: string[] = [];
    for (const f of this.scan().files) {
      if (f.deleted || !(f.flags === FLAGS_NONE || f.flags === FLAGS_STORAGEFILE || f.flags === FLAGS_COMPRESSED)) continue;
      if (prefix && f.name.indexOf(prefix) !== 0) continue;
      out.push(f.name);
    }
    return out;
  }

  /** Free bytes after the last file (the largest file that can be written is this minus a header). */
  getFree(): number {
    return this.size - this.scan().end;
  }

  /** Espruino's Storage.getStats(). */
  getStats(): { totalBytes: number; freeBytes: number; fileBytes: number; fileCount: number; trashBytes: number; trashCount: number } {
    const { files, end } = this.scan();
    const s = { totalBytes: this.size, freeBytes: this.size - end, fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0 };
    for (const f of files) {
      const n = HEADER_SIZE + align(f.size);
      if (f.deleted) { s.trashBytes += n; s.trashCount++; } else { s.fileBytes += n; s.fileCount++; }
    }
    return s;
  }

  /** Drops deleted files, moving the live ones down. Returns whether space was freed. */
  compact(): boolean {
    if (this.dead) throw new PowerCutError('flash write while power is off');
    const { files } = this.scan();
    if (!files.some((f) => f.deleted)) return false;
    if (this.onMessage) this.onMessage('Compacting...');
    const keep: Uint8Array[] = [];
    for (const f of files) {
      if (f.deleted || !(f.flags === FLAGS_NONE || f.flags === FLAGS_STORAGEFILE || f.flags === FLAGS_COMPRESSED)) continue;
      keep.push(this.bytes.slice(f.addr, f.addr + HEADER_SIZE + align(f.size)));
    }
    this.bytes.fill(0xff);
    let at = 0;
    for (const k of keep) { this.bytes.set(k, at); at += k.length; }
    this.stats.compactions++;
    return true;
  }

  eraseAll(): void {
    if (this.dead) throw new PowerCutError('flash write while power is off');
    this.bytes.fill(0xff);
  }

  /** Espruino-like Storage.hash(): a 32-bit hash of the live names and their addresses. */
  hash(match?: (name: string) => boolean): number {
    let h = 0x811c9dc5;
    const mix = (c: number) => { h = Math.imul(h ^ c, 0x01000193) >>> 0; };
    for (const f of this.scan().files) {
      if (f.deleted || f.flags === FLAGS_STORAGEFILE || (match && !match(f.name))) continue;
      for (let i = 0; i < f.name.length; i++) mix(f.name.charCodeAt(i));
      mix(f.addr & 0xff); mix((f.addr >>> 8) & 0xff); mix((f.addr >>> 16) & 0xff);
    }
    return h | 0;
  }

  /** A deep copy (for snapshots in tests). */
  clone(): FlashImage {
    const c = new FlashImage({ size: this.size, pageSize: this.pageSize });
    c.bytes.set(this.bytes);
    return c;
  }

  // ---- persistence

  /** Writes the image to DIR/flash.bin and its geometry to DIR/flash.json. */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'flash.json'), JSON.stringify({ size: this.size, pageSize: this.pageSize }) + '\n');
    fs.writeFileSync(path.join(dir, 'flash.bin'), this.bytes);
  }

  /** Loads an image saved by save(); undefined when DIR holds none. */
  static load(dir: string): FlashImage | undefined {
    const bin = path.join(dir, 'flash.bin');
    if (!fs.existsSync(bin)) return undefined;
    const geo = JSON.parse(fs.readFileSync(path.join(dir, 'flash.json'), 'utf8'));
    const img = new FlashImage({ size: geo.size, pageSize: geo.pageSize });
    const b = fs.readFileSync(bin);
    if (b.length !== img.size) throw new Error(`${bin}: ${b.length} bytes, expected ${img.size}`);
    img.bytes.set(b);
    return img;
  }

  // ---- interfaces

  /** The hal FlashStorage over this image (what a sim-side wiring of device code uses). */
  storage(): FlashStorage {
    return {
      readBytes: (name) => this.read(name),
      readText: (name) => this.readString(name),
      write: (name, data, offset, size) => this.write(name, data, offset || 0, size || 0),
      erase: (name) => { this.erase(name); },
      list: (prefix) => this.list(prefix),
      getFree: () => this.getFree(),
    };
  }

  /** An object with the API of Espruino's require('Storage') over this image. */
  storageModule(opts: StorageModuleOptions = {}): any {
    const img = this;
    const realm: Realm = opts.realm || { Uint8Array, ArrayBuffer, Error, JSON };
    const fail = (e: any): never => {
      if (e instanceof PowerCutError) throw e;
      throw new realm.Error(e && e.message ? e.message : String(e));
    };
    const toBytes = (data: any): Uint8Array => {
      if (typeof data === 'string') return bytesOf(data);
      if (data === undefined || data === null) return new Uint8Array(0);
      const tag = Object.prototype.toString.call(data);
      if (tag === '[object ArrayBuffer]') return new Uint8Array(data);
      if (ArrayBuffer.isView(data)) {
        const v = data as ArrayBufferView;
        if (v instanceof DataView || tag === '[object DataView]') return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        const arr = new Uint8Array((v as any).length);
        for (let i = 0; i < arr.length; i++) arr[i] = (v as any)[i] & 0xff;
        return arr;
      }
      if (Array.isArray(data)) return Uint8Array.from(data, (x: any) => Number(x) & 0xff);
      return bytesOf(String(data));
    };
    const mapped = (s: string | undefined) => { if (s !== undefined && opts.onMapped) opts.onMapped(s); return s; };
    const matcher = (regex: any) => (regex === undefined || regex === null ? undefined
      : (n: string) => String.prototype.match.call(n, regex) !== null);
    if (opts.print) this.onMessage = opts.print;
    const plain = (x: any) => realm.JSON.parse(JSON.stringify(x)); // arrays/objects of the realm
    return {
      read(name: any, offset?: number, length?: number) {
        return mapped(img.readString(String(name), offset || 0, length || 0));
      },
      readArrayBuffer(name: any) {
        const b = img.read(String(name));
        if (b === undefined) return undefined;
        const ab = new realm.ArrayBuffer(b.length);
        new realm.Uint8Array(ab).set(b);
        return ab;
      },
      readJSON(name: any, noExceptions?: any) {
        const s = img.readString(String(name));
        if (s === undefined) return undefined;
        try {
          return realm.JSON.parse(s);
        } catch (e: any) {
          if (noExceptions) return undefined;
          return fail(e);
        }
      },
      write(name: any, data: any, offset?: number, size?: number) {
        try {
          if (data !== null && typeof data === 'object' && !Array.isArray(data) &&
              Object.prototype.toString.call(data) === '[object Object]') {
            img.write(String(name), realm.JSON.stringify(data));
          } else {
            img.write(String(name), toBytes(data), offset || 0, size || 0);
          }
        } catch (e) { fail(e); }
        return true;
      },
      writeJSON(name: any, data: any) {
        try { img.write(String(name), realm.JSON.stringify(data)); } catch (e) { fail(e); }
        return true;
      },
      erase(name: any) {
        try { img.erase(String(name)); } catch (e) { fail(e); }
      },
      eraseAll() {
        try { img.eraseAll(); } catch (e) { fail(e); }
      },
      list(regex?: any, filter?: any) {
        const m = matcher(regex);
        let names = img.list();
        if (filter && typeof filter === 'object' && 'sf' in filter && filter.sf) names = []; // no StorageFiles are modelled
        return plain(names.filter((n) => !m || m(n)));
      },
      hash(regex?: any) { return img.hash(matcher(regex)); },
      compact() {
        try { img.compact(); } catch (e) { fail(e); }
      },
      getFree() { return img.getFree(); },
      getStats() { return plain(img.getStats()); },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The rest of the chip's flash (README "Flash layout"): the areas outside Storage that
// require('Flash').getFree() reports (boards/<name>.ts flash.free), with their erase pages, and
// what Espruino reserves (bootloader, firmware). require('Flash') and E.memoryArea in the sandbox
// reach flash through a FlashChip: erasing or programming a reserved area throws (on a board it
// would overwrite Espruino itself); free areas erase by whole pages (0xFF) and programming ANDs
// bits in (only 1 -> 0), as on the STM32 and nRF52.

/** A free area's bytes (kept across boots and boards, like the FlashImage of Storage). */
export interface FreeArea { addr: number; length: number; page: number; bytes: Uint8Array }

export class FreeFlash {
  readonly areas: FreeArea[];
  constructor(areas: { addr: number; length: number; page?: number }[], defaultPage = 4096) {
    this.areas = areas.map((a) => ({ addr: a.addr, length: a.length, page: a.page || defaultPage, bytes: new Uint8Array(a.length).fill(0xff) }));
  }
  /** Writes the areas to DIR/free-<hex addr>.bin. */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    for (const a of this.areas) fs.writeFileSync(path.join(dir, `free-${a.addr.toString(16)}.bin`), a.bytes);
  }
  /** Loads what save() wrote into these areas (areas without a file stay erased). */
  load(dir: string): this {
    for (const a of this.areas) {
      const f = path.join(dir, `free-${a.addr.toString(16)}.bin`);
      if (!fs.existsSync(f)) continue;
      const b = fs.readFileSync(f);
      if (b.length !== a.length) throw new Error(`${f}: ${b.length} bytes, expected ${a.length}`);
      a.bytes.set(b);
    }
    return this;
  }
}

/**
 * Emulated machine code: a function of the native call's integer arguments, or undefined. `mem`
 * reads a copy of RAM or flash; `write` writes into a registered RAM buffer (E.getAddressOf).
 */
export type NativeEmulator = (addr: number, signature: string, mem: (addr: number, len: number) => Uint8Array,
  write: (addr: number, bytes: Uint8Array) => void) => ((...args: number[]) => number) | undefined;

export class FlashChip {
  constructor(
    readonly storage: FlashImage,
    readonly storageStart: number,
    readonly free: FreeFlash,
    readonly reserved: { addr: number; length: number; what: string }[],
    readonly native?: NativeEmulator,
  ) {}

  private where(addr: number): { bytes: Uint8Array; off: number; page: number; base: number } | { reserved: string } | null {
    if (addr >= this.storageStart && addr < this.storageStart + this.storage.size) {
      return { bytes: this.storage.bytes, off: addr - this.storageStart, page: this.storage.pageSize, base: this.storageStart };
    }
    for (const a of this.free.areas) if (addr >= a.addr && addr < a.addr + a.length) return { bytes: a.bytes, off: addr - a.addr, page: a.page, base: a.addr };
    for (const r of this.reserved) if (addr >= r.addr && addr < r.addr + r.length) return { reserved: r.what };
    return null;
  }

  /** Bytes at addr (E.memoryArea, Flash.read): Storage and free areas; 0xFF elsewhere. */
  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, len)).fill(0xff);
    for (let i = 0; i < out.length; i++) {
      const w = this.where(addr + i);
      if (w && 'bytes' in w) out[i] = w.bytes[w.off];
    }
    return out;
  }

  /** The erase page holding addr (Flash.getPage), or undefined outside known flash. */
  getPage(addr: number): { addr: number; length: number } | undefined {
    const w = this.where(addr);
    if (!w || !('bytes' in w)) return undefined;
    const start = w.base + Math.floor(w.off / w.page) * w.page;
    return { addr: start, length: w.page };
  }

  /** Flash.getFree(): the free areas. */
  getFree(): { addr: number; length: number }[] {
    return this.free.areas.map((a) => ({ addr: a.addr, length: a.length }));
  }

  private writable(addr: number, len: number, what: string): void {
    for (let i = 0; i < len; i++) {
      const w = this.where(addr + i);
      if (!w) throw new Error(`${what} at 0x${(addr + i).toString(16)}: no flash there`);
      if ('reserved' in w) throw new Error(`${what} at 0x${(addr + i).toString(16)} would overwrite ${w.reserved}`);
    }
  }

  /** Flash.erasePage: the whole page holding addr reads 0xFF. */
  erasePage(addr: number): void {
    this.writable(addr, 1, 'erasePage');
    const w = this.where(addr) as { bytes: Uint8Array; off: number; page: number };
    const start = Math.floor(w.off / w.page) * w.page;
    w.bytes.fill(0xff, start, start + w.page);
  }

  /** Flash.write: program data at addr (bits only go 1 -> 0). */
  write(data: Uint8Array, addr: number): void {
    this.writable(addr, data.length, 'Flash.write');
    for (let i = 0; i < data.length; i++) {
      const w = this.where(addr + i) as { bytes: Uint8Array; off: number };
      w.bytes[w.off] &= data[i];
    }
  }

  /** The address of a Storage file's data whose bytes are `s` (E.getAddressOf of Storage.read's string). */
  addressOfStored(s: string): number | undefined {
    for (const f of this.storage.scan().files) {
      if (f.deleted || f.size !== s.length) continue;
      const at = f.addr + HEADER_SIZE;
      let same = true;
      for (let i = 0; i < s.length && same; i++) same = this.storage.bytes[at + i] === (s.charCodeAt(i) & 0xff);
      if (same) return this.storageStart + at;
    }
    return undefined;
  }
}
