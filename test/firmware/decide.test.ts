// Every certificate in test/fixtures/certs.json (made by tools/make-fixtures.ts, an independent
// implementation of spec/qg1.md on cbor-x and tweetnacl) gets the decision and reason the spec
// gives, through the gate's own decision code.
import { strict as assert } from 'assert';
import { decisionSummary, CLOCK_VALID_AFTER } from '../../firmware/gate';
import { toHex } from '../util/shared';
import { fixtures, decideFixture } from './fixtures';

/** Reasons decided before a signature verified, and before the revocation check. */
const BEFORE_SIGNATURE = ['malformed', 'unsupported', 'clock-unset', 'unknown-key', 'bad-signature'];
const BEFORE_REVOCATION = BEFORE_SIGNATURE.concat(['key-expired', 'not-yet-valid', 'expired']);

describe('firmware/decide: every fixture certificate', () => {
  const names = Object.keys(fixtures.certs);
  it('covers every reason of spec/qg1.md section 4', () => {
    const reasons = new Set(names.map((n) => fixtures.certs[n].reason));
    for (const r of ['malformed', 'unsupported', 'clock-unset', 'unknown-key', 'bad-signature', 'key-expired',
      'not-yet-valid', 'expired', 'revoked', 'stale-trust', 'policy', 'ok']) assert.ok(reasons.has(r), r);
  });
  for (const name of names) {
    const c = fixtures.certs[name];
    it(`${name}: ${c.decision}/${c.reason}`, () => {
      const d = decideFixture(name);
      assert.equal(d.reason, c.reason, `${name}: ${d.detail}`);
      assert.equal(d.decision, c.decision);
      if (c.format) assert.equal(d.format, c.format);
      if (c.kidHex && d.kid) assert.equal(toHex(d.kid), c.kidHex);
      if (c.ctiHex && d.cti) assert.equal(toHex(d.cti), c.ctiHex);
      const s = decisionSummary(d);
      assert.deepEqual(Object.keys(s), ['decision', 'reason', 'format', 'kid', 'cti', 'detail']);
      // What decide() found is in its result: the key the signature verified under, no cache use
      // (none given), and the revocation answer once that check ran (issue 11).
      const verified = BEFORE_SIGNATURE.indexOf(d.reason) < 0;
      assert.equal(d.key !== null, verified, `key ${d.key ? 'given' : 'missing'} for ${d.reason}`);
      if (d.key) assert.equal(toHex(d.key.kid), toHex(d.kid!));
      if (d.key) assert.equal(d.key.format, d.format);
      assert.equal(d.cached, false);
      assert.equal(d.revoked, BEFORE_REVOCATION.indexOf(d.reason) >= 0 ? null : d.reason === 'revoked');
    });
  }
  it('treats a time before 2020 as a clock that was never set', () => {
    assert.equal(CLOCK_VALID_AFTER, Date.parse('2020-01-01T00:00:00Z') / 1000);
  });
});
