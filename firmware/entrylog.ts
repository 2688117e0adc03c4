// The entry log (spec/qg1.md section 7): each decision becomes a journal record holding only
// pseudonyms: HMAC-SHA-256(site.secret, sub) and (site.secret, cti), truncated to 16 bytes.
import { Decision } from './decide';
import { DecisionSink } from './gate';
import { Journal } from './journal';
import { pseudonyms, Hmac } from './pseudonym';

export class EntryLog implements DecisionSink {
  journal: Journal;
  secret: Uint8Array;
  hmac: Hmac | undefined;

  constructor(journal: Journal, secret: Uint8Array, hmac?: Hmac) {
    this.journal = journal;
    this.secret = secret;
    this.hmac = hmac;
  }

  /** The entry's seq; throws when it could not be logged (Storage full: counted in the journal). */
  record(d: Decision, now: number, clockTrusted: boolean, occupancy?: number): number {
    var p = pseudonyms(this.secret, d.sub, d.cti, this.hmac);
    var seq = this.journal.append({
      time: now > 0 ? now : 0,
      decision: d.decision,
      reason: d.reason,
      format: d.format,
      kid: d.kid,
      subject: p.subject,
      cert: p.cert,
      clockUntrusted: !clockTrusted,
      occupancy: occupancy,
    });
    if (seq < 0) throw new Error('storage full: entry not logged (' + this.journal.unlogged + ' since boot)');
    return seq;
  }
}
