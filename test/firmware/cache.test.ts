// Repeat visitors: the same bytes again skip parsing and the signature check, never any other
// check; only verified signatures are remembered; a new trust bundle empties the cache.
import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import * as fc from 'fast-check';
import { decide, DecideContext } from '../../firmware/decide';
import { VerifiedCache } from '../../firmware/cache';
import { verify } from '../../firmware/crypto/ed25519';
import { sha256 } from '../../firmware/crypto/sha256';
import { fixtures, configOf, trustOf } from './fixtures';
import { toHex } from '../util/shared';

const cfg = configOf(fixtures.config);
const trust = trustOf(fixtures.trust, cfg);
const at = Date.parse(fixtures.clock) / 1000;
const text = (name: string) => Buffer.from(fixtures.certs[name].text, 'utf8').toString('latin1');

function ctx(cache: VerifiedCache, now = at, v = sinon.spy((p: Uint8Array, m: Uint8Array, s: Uint8Array) => verify(p, m, s))) {
  const c: DecideContext = { now, trust, policy: cfg.policy, verify: v, sha256, cache };
  return { c, v };
}

describe('firmware/cache: repeat visitors', () => {
  it('a repeat scan is decided without verifying again', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    const first = decide(text('ok'), c);
    assert.equal(first.reason, 'ok');
    assert.equal(v.callCount, 1);
    assert.equal(first.cached, false);
    const d = decide(text('ok'), c);
    assert.equal(d.reason, 'ok');
    assert.equal(v.callCount, 1);
    assert.equal(d.cached, true);
    assert.equal(d.key, first.key, 'the key it verified under');
  });
  it('keys the cache by sha256Text of the scanned string when given (no copy into bytes)', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    const byText = sinon.spy((s: string) => sha256(Buffer.from(s, 'latin1')));
    const bytes = sinon.spy(c.sha256);
    c.sha256 = bytes;
    c.sha256Text = byText;
    assert.equal(decide(text('ok'), c).reason, 'ok');
    const again = decide(text('ok'), c);
    assert.equal(again.reason, 'ok');
    assert.equal(again.cached, true);
    assert.equal(v.callCount, 1);
    assert.equal(byText.callCount, 2);
    assert.deepEqual(byText.firstCall.args, [text('ok')]);
    assert.deepEqual(Array.from(cache.entries[0].digest), Array.from(sha256(Buffer.from(text('ok'), 'latin1'))));
    // The text's bytes are never hashed for the key (the revocation lookup may hash other data).
    for (const call of bytes.getCalls()) assert.notEqual(call.args[0].length, text('ok').length);
  });
  it('time-dependent checks still run on a hit: an expired certificate is refused', () => {
    const cache = new VerifiedCache(4);
    const { c } = ctx(cache);
    assert.equal(decide(text('ok'), c).decision, 'open');
    const later = ctx(cache, at + 3 * 365 * 86400).c; // past exp
    const d = decide(text('ok'), later);
    assert.equal(d.cached, true);
    assert.equal(d.reason, 'expired');
  });
  it('never caches a refusal: a forged signature is verified (and refused) every time', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    for (let i = 0; i < 3; i++) assert.equal(decide(text('bad-signature'), c).reason, 'bad-signature');
    assert.equal(v.callCount, 3);
    assert.equal(cache.entries.length, 0);
  });
  it('is bounded and drops the least recently used', () => {
    const cache = new VerifiedCache(2);
    const { c, v } = ctx(cache);
    for (const n of ['ok', 'ok-test', 'ok-recovery']) decide(text(n), c);
    assert.equal(cache.entries.length, 2);
    decide(text('ok'), c); // evicted: verified again
    assert.equal(v.callCount, 4);
  });
  it('evict: the least recently used entry goes (memory for a decision); false when empty', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    for (const n of ['ok', 'ok-test', 'ok-recovery']) decide(text(n), c);
    decide(text('ok'), c); // a hit: ok-test is now the least recently used
    assert.equal(v.callCount, 3);
    assert.equal(cache.evict(), true);
    assert.equal(cache.entries.length, 2);
    decide(text('ok-recovery'), c);
    decide(text('ok'), c);
    assert.equal(v.callCount, 3, 'the two most recent stayed');
    decide(text('ok-test'), c);
    assert.equal(v.callCount, 4, 'the least recent went');
    while (cache.evict()) { /* empty it */ }
    assert.equal(cache.entries.length, 0);
    assert.equal(cache.evict(), false);
  });
  it('decide() calls beforeParse once the cache did not answer, never on a hit, and goes on when it throws', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    const seen: string[] = [];
    c.beforeParse = (t) => { seen.push(t); throw new Error('ignored'); };
    assert.equal(decide(text('ok'), c).reason, 'ok');
    assert.equal(decide(text('ok'), c).cached, true);
    assert.equal(decide('garbage', c).reason, 'unsupported');
    assert.deepEqual(seen, [text('ok'), 'garbage']);
    assert.equal(v.callCount, 1);
    const unset = ctx(new VerifiedCache(4), null as any).c;
    unset.beforeParse = (t) => { seen.push('unset ' + t.length); };
    decide(text('ok'), unset);
    assert.equal(seen[2], 'unset ' + text('ok').length, 'also when the cache is not asked (clock unset)');
  });
  it('reset (a new trust bundle) forgets everything', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    decide(text('ok'), c);
    cache.reset();
    decide(text('ok'), c);
    assert.equal(v.callCount, 2);
  });
  it('keeps only what a repeat visit needs: the claims (copies), the key, the revocation prefixes', () => {
    const cache = new VerifiedCache(4);
    const { c } = ctx(cache);
    const d = decide(text('ok'), c);
    const e = cache.entries[0];
    assert.equal(e.key, d.key);
    for (const k of ['message', 'signature', 'revocationIds']) assert.ok(!(k in e.claims), k);
    for (const b of [e.claims.kid, e.claims.cti, e.claims.sub, e.digest]) assert.equal(b.buffer.byteLength, b.length, 'a copy, not a view');
    assert.equal(toHex(e.claims.cti), fixtures.certs.ok.ctiHex);
    assert.equal(e.revocation!.length, 8, 'the fixture bundle revokes: one 8-byte prefix (the cti)');
  });
  it('a revoked certificate seen again is refused again from the cache', () => {
    const cache = new VerifiedCache(4);
    const { c, v } = ctx(cache);
    for (let i = 0; i < 2; i++) {
      const d = decide(text('revoked'), c);
      assert.deepEqual([d.reason, d.revoked, d.cached], ['revoked', true, i === 1]);
    }
    assert.equal(v.callCount, 1);
  });
  it('answers only for the bundle it was filled under: another bundle is checked in full (revocation, key)', () => {
    const cache = new VerifiedCache(4);
    // The same keys without the revoked list: another bundle object, as a new install makes.
    const lenient = Object.assign({}, trust);
    delete lenient.revoked;
    const { v } = ctx(cache);
    const before = decide(text('revoked'), { now: at, trust: lenient, policy: cfg.policy, verify: v, sha256, cache });
    assert.equal(before.reason, 'ok');
    assert.equal(cache.entries.length, 1);
    // Without cache.reset(): the bundle that revokes it must be consulted, not the memory of the old one.
    const d = decide(text('revoked'), { now: at, trust, policy: cfg.policy, verify: v, sha256, cache });
    assert.deepEqual([d.reason, d.cached], ['revoked', false]);
    assert.equal(v.callCount, 2);
    assert.equal(cache.entries.length, 1, 'the old bundle\'s entries are gone');
  });
  it('property: with or without the cache, every fixture sequence gets the same decisions', () => {
    const names = Object.keys(fixtures.certs).filter((n) => !fixtures.certs[n].config && !fixtures.certs[n].trust && fixtures.certs[n].clock !== null);
    fc.assert(fc.property(fc.array(fc.constantFrom(...names), { maxLength: 12 }), fc.integer({ min: 0, max: 400 * 86400 }), (seq, dt) => {
      const cache = new VerifiedCache(3);
      for (const n of seq) {
        const a = decide(text(n), ctx(cache, at + dt).c);
        const b = decide(text(n), { now: at + dt, trust, policy: cfg.policy, verify, sha256 });
        assert.deepEqual([a.decision, a.reason], [b.decision, b.reason], n);
      }
    }), { numRuns: Number(process.env.FUZZ_RUNS) || 40 });
  });
});
