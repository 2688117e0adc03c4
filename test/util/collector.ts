// Shared by the collector tests (test/tools/collector/*, test/tools/cmd/collector.test.ts): the
// pseudonym secret, a time, a scratch folder, an entry of a numbered person, and a POST.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { pseudonyms } from '../../firmware/pseudonym';
import { LogEntry } from '../../proto/logrecord';
import { utf8Encode } from '../../proto/bytes';

export const SECRET = new Uint8Array(Buffer.from('8f3a0c1d2e4b5a69788796a5b4c3d2e1', 'hex'));

export const T0 = Date.parse('2021-09-27T08:00:00Z') / 1000;

export function tmpdir(): string { return fs.mkdtempSync(path.join(os.tmpdir(), 'qrgate-collector-')); }

export /** An entry of person `who` (sub = "person-<who>") at time t. */
function scan(who: number, t: number, decision = 'open', reason = 'ok'): LogEntry {
  const p = pseudonyms(SECRET, utf8Encode('person-' + who), utf8Encode('cert-' + who));
  return { time: t, decision, reason, format: 'qg1', kid: utf8Encode('kidA'), subject: p.subject, cert: p.cert };
}

export function post(port: number, p: string, body: Uint8Array | string, type: string): Promise<{ status: number; body: Buffer; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: { 'content-type': type } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts), type: String(res.headers['content-type']) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(Buffer.from(body as any));
  });
}

