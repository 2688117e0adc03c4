// The oracle fuzz of test/system/decide-fuzz.ts (make fuzz: 1,000,000 decisions), a few thousand
// decisions of it inside `make test` so that it cannot rot: no `open` without a valid signature by
// a trusted unrevoked key and a passing policy, by the independent oracle.
import { strict as assert } from 'assert';
import { runFuzz, FuzzReport } from './decide-fuzz';

describe('oracle fuzz of the gate decision (small run; make fuzz runs 1,000,000)', function () {
  this.timeout(300000);
  let rep: FuzzReport;
  before(async () => {
    rep = await runFuzz({ count: Number(process.env.FUZZ_DECISIONS) || 3000, seed: 20261203, divocShare: 0.05 });
  });
  it('no open that the oracle cannot justify', () => {
    assert.equal(rep.violationCount, 0, JSON.stringify(rep.violations.slice(0, 3), null, 1));
  });
  it('reaches every stage of the decision, QG1 and DIVOC, opens included', () => {
    for (const r of ['malformed', 'unsupported', 'clock-unset', 'unknown-key', 'bad-signature', 'key-expired', 'not-yet-valid',
      'expired', 'revoked', 'stale-trust', 'policy', 'ok']) assert.ok(rep.reasons[r] > 0, `no '${r}' in ${JSON.stringify(rep.reasons)}`);
    assert.ok(rep.opens >= 20, `${rep.opens} opens`);
    assert.ok(rep.divoc >= 50 && rep.divocOpens > 0, `${rep.divoc} DIVOC cases, ${rep.divocOpens} open`);
    assert.ok(rep.mutations.repeat > 0, 'repeat scans (the cache)');
    for (const m of ['byte-flip-bit', 'text-char', 'claim-dup-key', 'cose-kid', 'cose-alg', 'cose-wrong-signer', 'divoc-swap']) {
      assert.ok(rep.mutations[m] > 0, `mutation ${m} never made`);
    }
  });
});
