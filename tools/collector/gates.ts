// The collector's registry of gates (README "Gate identity"): a JSON file, mode 0600, of each
// gate's secret key (never printed), when it was added and, once revoked, when:
//   {"gates": {"GATE": {"key": HEX64, "added": ISO, "revoked"?: ISO}}}
// `qrgate collector gates add --gates FILE GATE --key-out KEYFILE` makes a key and writes it to
// KEYFILE (mode 0600: {"gateId", "key"}), which `qrgate flash --key KEYFILE` puts on the board
// (Storage file qg.id, with a fresh random epoch); `list` shows a fingerprint, never the key.
// The server reads the file again when it changes, so adding or revoking needs no restart.
import * as fs from 'fs';
import * as crypto from 'crypto';

export interface GateEntry { key: string; added: string; revoked?: string }
export interface GatesFile { gates: Record<string, GateEntry> }

export function validGateId(id: string): boolean {
  return typeof id === 'string' && /^[\x21-\x7e]{1,64}$/.test(id);
}

export function readGates(file: string): GatesFile {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!j || typeof j !== 'object' || !j.gates || typeof j.gates !== 'object') throw new Error('not a gates file (no "gates" object)');
  for (const id of Object.keys(j.gates)) {
    const g = j.gates[id];
    if (!g || !/^[0-9a-f]{64}$/.test(g.key)) throw new Error(`gate ${id}: malformed entry`);
  }
  return j;
}

function writeGates(file: string, g: GatesFile): void {
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(g, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** A key's fingerprint (first 8 bytes of its SHA-256, hex): names a key without revealing it. */
export function keyFingerprint(keyHex: string): string {
  return crypto.createHash('sha256').update(Buffer.from(keyHex, 'hex')).digest('hex').slice(0, 16);
}

/**
 * Registers a gate with a new random key (or replaces a revoked one's); writes the key file.
 * A gate already registered and not revoked is refused (revoke it first: the old board then
 * stops being believed).
 */
export function addGate(file: string, gateId: string, keyOut: string): { gateId: string; fingerprint: string } {
  if (!validGateId(gateId)) throw new Error('a gate id is 1-64 printable ASCII characters without spaces');
  const g: GatesFile = fs.existsSync(file) ? readGates(file) : { gates: {} };
  const old = g.gates[gateId];
  if (old && !old.revoked) throw new Error(`gate ${gateId} is registered: revoke it first (qrgate collector gates revoke)`);
  const key = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(keyOut, JSON.stringify({ gateId, key }) + '\n', { mode: 0o600, flag: 'wx' });
  g.gates[gateId] = { key, added: new Date().toISOString() };
  writeGates(file, g);
  return { gateId, fingerprint: keyFingerprint(key) };
}

export function revokeGate(file: string, gateId: string): void {
  const g = readGates(file);
  if (!g.gates[gateId]) throw new Error(`no gate ${gateId} in ${file}`);
  if (!g.gates[gateId].revoked) g.gates[gateId].revoked = new Date().toISOString();
  writeGates(file, g);
}

/** The gates as people may see them: no key, its fingerprint. */
export function listGates(file: string): { gate: string; fingerprint: string; added: string; revoked: string | null }[] {
  const g = readGates(file);
  return Object.keys(g.gates).sort().map((id) => ({
    gate: id, fingerprint: keyFingerprint(g.gates[id].key), added: g.gates[id].added, revoked: g.gates[id].revoked || null,
  }));
}

/** The qg.id file `qrgate flash --key` writes: the gate's key and a boot epoch drawn now (never 0), as proto/gateauth.ts reads it. */
export function identityFile(key: Uint8Array, epoch?: number): Uint8Array {
  const e = epoch !== undefined ? epoch : 1 + crypto.randomBytes(4).readUInt32BE(0) % 4294967295;
  return new Uint8Array(Buffer.from(JSON.stringify({ key: Buffer.from(key).toString('hex'), epoch: e })));
}

/** A key file written by `gates add`. */
export function readKeyFile(file: string): { gateId: string; key: Buffer } {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!j || typeof j.gateId !== 'string' || !/^[0-9a-f]{64}$/.test(j.key)) throw new Error('not a gate key file ({"gateId","key"})');
  return { gateId: j.gateId, key: Buffer.from(j.key, 'hex') };
}

export function hmac(key: Buffer, data: Uint8Array | string): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

/** The batch and answer keys of a gate key (proto/gateauth.ts derives the same). */
export function derivedKeys(key: Buffer): { batch: Buffer; answer: Buffer } {
  return { batch: hmac(key, 'qg batch'), answer: hmac(key, 'qg answer') };
}

/**
 * A file's modification time is coarse (the kernel's clock tick, milliseconds), so two writes in
 * one tick can leave the same time: a registry changed again within RACY_MS of its last change
 * is read anew on every lookup (git's "racily clean" rule), and only an older one is trusted by
 * its stat. Without it a `gates revoke` right after another change could go unseen for good.
 */
export const RACY_MS = 2000;

/** The registry as the server uses it: re-read when the file changes. */
export class GateRegistry {
  private stamp = '';
  private g: GatesFile = { gates: {} };
  /** Nonces seen per gate and epoch (the latest NONCES of each): a replayed batch is refused. */
  private seen = new Map<string, string[]>();

  constructor(readonly file: string) { this.load(); }

  private load(): void {
    const st = fs.statSync(this.file);
    const stamp = st.ino + ':' + st.size + ':' + st.mtimeMs + ':' + st.ctimeMs;
    if (stamp !== this.stamp || Date.now() - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) {
      this.g = readGates(this.file);
      this.stamp = stamp;
    }
  }

  /** The gate's derived keys, or why it is not believed. */
  lookup(gateId: string): { batch: Buffer; answer: Buffer } | { refused: string } {
    this.load();
    const e = Object.prototype.hasOwnProperty.call(this.g.gates, gateId) ? this.g.gates[gateId] : undefined;
    if (!e) return { refused: 'unknown gate' };
    if (e.revoked) return { refused: 'revoked gate' };
    return derivedKeys(Buffer.from(e.key, 'hex'));
  }

  /** Records the nonce; false when this gate and epoch already used it (a replay). */
  fresh(gateId: string, epoch: number, nonce: number): boolean {
    const k = gateId + '\u0000' + epoch;
    const l = this.seen.get(k) || [];
    const n = String(nonce);
    if (l.indexOf(n) >= 0) return false;
    l.push(n);
    if (l.length > NONCES) l.shift();
    this.seen.set(k, l);
    return true;
  }
}

/** Nonces remembered per gate and epoch. */
const NONCES = 1024;
