// Scenario 4, moving records: profiles are updated while the sync pages through them (sorted by `updated`, an
// update moves a profile to the end of the collection, possibly past pages not read yet). None may be skipped:
// every profile present before the run is sent by that run, or, if it was updated during it, by the next run
// (with its new content). Nothing is sent twice at the same version.
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/simulator/server.js';
import { E2eWorkspace, settle, SIM_KEY, truth, type Row } from '../helpers/e2e.js';
import { assertNoSecret, catalogOf, sleep, tally, type Tally } from '../helpers/reliability.js';
import { report } from './report.js';

const SOAK = process.env['TAP_KLAVIYO_SOAK'] === '1';
const SEEDS = SOAK ? [41, 42, 43, 44] : [41, 42];
const CATALOG = catalogOf(['profiles']);
/** Latency per request, page size and concurrency chosen so the run lasts long enough to be overtaken. */
const KNOBS = { latencyMs: 25, jitterMs: 20 };
const CONFIG = { start_date: '2012-01-01T00:00:00Z', max_requests_in_flight: 3, streams: { profiles: { page_size: 10 } } };
const version = (r: Row): string => `${String(r['id'])}@${String(r['updated'])}`;

interface Outcome {
  unchanged: Tally;
  updated: Tally;
  duplicates: number;
  updatedDuringRun: number;
  /** Updated profiles whose old version the first run never saw (they moved past its cursor). */
  overtaken: number;
}

async function scenario(seed: number): Promise<Outcome> {
  const sim = await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true, ...KNOBS });
  try {
    const ws = new E2eWorkspace(sim, CONFIG);
    const before = new Map(truth(sim, 'profiles').map((r) => [String(r['id']), r]));
    const updated = new Set<string>();
    let running = true;
    const first = ws.run(undefined, CATALOG).finally(() => {
      running = false;
    });
    // Update a few profiles at a time for as long as the first run pages through profiles.
    while (running) {
      if ((sim.stats().requests['get_profiles'] ?? 0) > 0) for (const id of sim.mutate({ updatedProfiles: 1 }).profiles) updated.add(id);
      await sleep(50);
    }
    const run1 = await first;
    assert.equal(run1.code, 0, run1.stderr.slice(-2000));
    assertNoSecret(run1);
    await settle();
    const run2 = await ws.run(run1.state, CATALOG);
    assert.equal(run2.code, 0, run2.stderr.slice(-2000));
    assertNoSecret(run2);

    const after = truth(sim, 'profiles');
    const sent1 = run1.records.get('profiles') ?? [];
    const sent2 = run2.records.get('profiles') ?? [];
    const unchanged = tally('profiles', [...before.values()].filter((r) => !updated.has(String(r['id']))), sent1);
    const changed = tally('profiles', after.filter((r) => updated.has(String(r['id']))), sent2);
    const both = tally('profiles', after, [...sent1, ...sent2], version);
    const seen1 = new Set(sent1.map((r) => String(r['id'])));
    return { unchanged, updated: changed, duplicates: both.duplicates, updatedDuringRun: updated.size, overtaken: [...updated].filter((id) => !seen1.has(id)).length };
  } finally {
    await sim.close();
  }
}

describe('reliability: records moving during the sync', function () {
  it(`profiles updated while the sync pages through them are sent by the run or the next (seeds ${SEEDS.join(', ')}, side by side)`, async () => {
    const outcomes = await Promise.all(SEEDS.map(scenario));
    const sum = (pick: (o: Outcome) => number): number => outcomes.reduce((n, o) => n + pick(o), 0);
    const expected = sum((o) => o.unchanged.expected + o.updated.expected);
    const lost = sum((o) => o.unchanged.lost + o.updated.lost);
    const duplicates = sum((o) => o.duplicates);
    report({
      scenario: '4. moving records: profiles updated mid-sync',
      runs: 2 * SEEDS.length,
      expected,
      lost,
      duplicates,
      note: `${sum((o) => o.updatedDuringRun)} updated during run 1, ${sum((o) => o.overtaken)} of them before it read them`,
    });
    for (const o of outcomes) {
      assert.ok(o.updatedDuringRun > 0, 'profiles were updated while the first run was paging');
      assert.deepEqual(o.unchanged.missing.slice(0, 5), [], 'profiles not updated during run 1 that run 1 did not send');
      assert.deepEqual(o.updated.missing.slice(0, 5), [], 'profiles updated during run 1 that run 2 did not send with their new content');
    }
    assert.equal(lost, 0);
    assert.equal(duplicates, 0, 'a profile version sent twice');
  });
});
