// The built tap, as a child process, against the Klaviyo simulator: a full sync equals the ground truth of
// every stream exactly; an incremental re-run after new data arrives sends exactly the new and changed
// records; both hold again with latency and a fault mix switched on. The API key never shows.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { canonical, E2eWorkspace, keyOf, settledNow, SIM_KEY, STREAMS, truth, type E2eRun, type Row } from './helpers/e2e.js';

const FAULTS = { latencyMs: 3, jitterMs: 5, errorRate: 0.04, resetRate: 0.02, truncateRate: 0.02, htmlRate: 0.02, hangRate: 0.005 };

function assertNoSecret(run: E2eRun): void {
  assert.ok(!run.stderr.includes(SIM_KEY), 'API key in stderr');
  assert.ok(!run.lines.some((l) => l.includes(SIM_KEY)), 'API key in stdout');
}

function assertEqualsTruth(run: E2eRun, expected: Map<string, Row[]>): void {
  for (const stream of STREAMS) {
    const got = run.records.get(stream.name) ?? [];
    const want = canonical(expected.get(stream.name) ?? [], stream.name);
    const seen = canonical(got, stream.name);
    assert.equal(seen.size, got.length, `${stream.name}: a record was sent twice`);
    const missing = [...want.keys()].filter((k) => !seen.has(k));
    const extra = [...seen.keys()].filter((k) => !want.has(k));
    assert.deepEqual({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, { missing: [], extra: [] }, `${stream.name} keys`);
    for (const [k, v] of want) assert.equal(seen.get(k), v, `${stream.name} record ${k}`);
  }
}

/** Per stream, the ground-truth records that are new or whose replication key moved since `before`. */
function changedSince(before: Map<string, Row[]>, after: Map<string, Row[]>): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const stream of STREAMS) {
    const key = keyOf(stream.name);
    const rk = stream.replicationKey;
    const old = new Map((before.get(stream.name) ?? []).map((r) => [key(r), r]));
    out.set(
      stream.name,
      (after.get(stream.name) ?? []).filter((r) => !rk || !old.has(key(r)) || old.get(key(r))?.[rk] !== r[rk]),
    );
  }
  return out;
}

function snapshot(sim: Simulator): Map<string, Row[]> {
  return new Map(STREAMS.map((s) => [s.name, truth(sim, s.name)]));
}

for (const [label, knobs] of [
  ['clean', {}],
  ['latency and faults', FAULTS],
] as const) {
  describe(`end to end against the simulator (${label})`, function () {
    this.timeout(240_000);
    let sim: Simulator;

    before(async () => {
      sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 4, ...knobs });
    });
    after(async () => sim.close());

    it('full sync equals the ground truth; an incremental re-run sends exactly the new and changed records', async () => {
      const ws = new E2eWorkspace(sim);
      const before = snapshot(sim);
      const full = await ws.run();
      assert.equal(full.code, 0, full.stderr.slice(-2000));
      assertEqualsTruth(full, before);
      assertNoSecret(full);

      // New data dated just before the tap's no-read margin, so the next run may read it at once.
      sim.mutate({ newEvents: 60, updatedProfiles: 12, newProfiles: 6, tieEvents: 8, futureEvents: 3, at: settledNow() });
      const after = snapshot(sim);
      const incremental = await ws.run(full.state);
      assert.equal(incremental.code, 0, incremental.stderr.slice(-2000));
      assertEqualsTruth(incremental, changedSince(before, after));
      assertNoSecret(incremental);
      if (label !== 'clean') assert.ok(Object.values(sim.stats().faults).reduce((a, b) => a + b, 0) > 0, 'faults were injected');
    });
  });
}
