// The health office's logins for the collector's web page: a JSON file of names with scrypt
// hashes of their passwords (never the passwords), written with mode 0600.
//   {"users": {"NAME": {"salt": HEX, "hash": HEX, "created": ISO}}}
import * as fs from 'fs';
import * as crypto from 'crypto';

const KEYLEN = 32;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface UserEntry { salt: string; hash: string; created: string }
export interface UsersFile { users: Record<string, UserEntry> }

export function readUsers(file: string): UsersFile {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!j || typeof j !== 'object' || !j.users || typeof j.users !== 'object') throw new Error('not a users file (no "users" object)');
  for (const name of Object.keys(j.users)) {
    const u = j.users[name];
    if (!u || !/^[0-9a-f]{32}$/.test(u.salt) || !/^[0-9a-f]{64}$/.test(u.hash)) throw new Error(`user ${name}: malformed entry`);
  }
  return j;
}

export function validUserName(name: string): boolean {
  return /^[A-Za-z0-9._@-]{1,64}$/.test(name);
}

function hashOf(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, KEYLEN, SCRYPT, (e, k) => (e ? reject(e) : resolve(k))));
}

/** Adds or replaces a user; creates the file when missing. */
export async function setUser(file: string, name: string, password: string): Promise<void> {
  if (!validUserName(name)) throw new Error('a user name is 1-64 of A-Z a-z 0-9 . _ @ -');
  if (password.length < 10) throw new Error('a password has at least 10 characters');
  const u: UsersFile = fs.existsSync(file) ? readUsers(file) : { users: {} };
  const salt = crypto.randomBytes(16);
  u.users[name] = { salt: salt.toString('hex'), hash: (await hashOf(password, salt)).toString('hex'), created: new Date().toISOString() };
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(u, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeUser(file: string, name: string): boolean {
  const u = readUsers(file);
  if (!u.users[name]) return false;
  delete u.users[name];
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(u, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return true;
}

/** Whether name and password match an entry (constant time in the hash comparison). */
export async function checkUser(users: UsersFile, name: string, password: string): Promise<boolean> {
  const u = Object.prototype.hasOwnProperty.call(users.users, name) ? users.users[name] : null;
  // An unknown name costs the same scrypt as a known one.
  const salt = Buffer.from(u ? u.salt : '00000000000000000000000000000000', 'hex');
  const h = await hashOf(password, salt);
  return !!u && crypto.timingSafeEqual(h, Buffer.from(u.hash, 'hex'));
}
