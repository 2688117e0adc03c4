// `make bench-collector` (tools/bench-collector.ts) runs: a few gates for a couple of seconds,
// SQLite 1x, its capacity ramp, and PostgreSQL 1x with --workers 2 when PostgreSQL is installed.
// The figures themselves are the benchmark's business (timing targets stay out of tests): this
// checks that every phase prints its line and that a light load is acknowledged in full.
import { strict as assert } from 'assert';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { pgSkipReason } from '../util/postgres';

const REPO = path.resolve(__dirname, '..', '..');

describe('bench-collector: the collector benchmark runs', function () {
  this.timeout(180000);
  it('prints each phase: entries/s, p50/p99, failures, CPU per batch, the capacity ramp', () => {
    const pg = !pgSkipReason();
    const phases = ['sqlite:1', 'sqlite:capacity', ...(pg ? ['postgres:1'] : [])];
    const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(REPO, 'tools', 'bench-collector.ts')], {
      cwd: REPO, encoding: 'utf8', timeout: 170000,
      env: { ...process.env, BENCH_GATES: '20', BENCH_INTERVAL_MS: '1000', BENCH_SECONDS: '2', BENCH_PHASES: phases.join(','),
        BENCH_CAPACITY_START: '10', BENCH_CAPACITY_MAX: '13', BENCH_STEP_SECONDS: '1', BENCH_BULK_ROWS: '500', BENCH_WORKERS: '2' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const rows = new Map<string, Record<string, number>>();
    for (const l of r.stdout.split('\n')) {
      const m = /^collector\.(\S+) (.*)$/.exec(l);
      if (m) rows.set(m[1], Object.fromEntries(m[2].split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)])));
    }
    for (const ph of phases.filter((p) => !p.endsWith('capacity'))) {
      const row = rows.get(ph.replace(':', '.') + 'x');
      assert.ok(row, `${ph}: no result line in\n${r.stdout}`);
      assert.equal(row.failed, 0);
      assert.equal(row.deferred, 0);
      assert.ok(row.entries_per_s > 0 && row.p99_ms > 0 && row.bulk_rows_per_s > 0, JSON.stringify(row));
      assert.ok(row.collector_cpu_us_per_batch > 0, 'the collector\'s CPU per batch is measured');
    }
    const cap = rows.get('sqlite.capacity');
    assert.ok(cap && cap.batches_per_s > 0 && cap.cores_for_10x > 0, r.stdout);
  });
});
