// Deletes reach the warehouse: the built tap against the simulator, its output applied to in-memory Singer targets
// (tests/helpers/singer-target.ts). A versioning target ends equal to the ground truth after list and segment
// members are removed, suppressions lifted and tags, coupons and catalog items deleted: FULL_TABLE streams at the
// next run, list_members, segment_members and global_exclusions at their next full refresh (runs in between keep
// every row). A target that ignores versions gets the small FULL_TABLE streams' deletes as `_sdc_deleted_at` records.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { aged, canonical, E2eWorkspace, settledNow, SIM_KEY, truth, type E2eRun, type Row, type State } from './helpers/e2e.js';
import { MemoryTarget } from './helpers/singer-target.js';
import { catalogOfStreams } from './helpers/tap-files.js';

const GROUPS = ['list_members', 'segment_members', 'global_exclusions'];
const FULL_TABLE = ['metrics', 'tags', 'coupons', 'coupon_codes', 'catalog_items', 'catalog_variants'];
const SMALL = ['metrics', 'tags', 'coupons', 'catalog_items', 'catalog_variants'];
const REMOVALS = { removedListMembers: 8, removedSegmentMembers: 8, liftedSuppressions: 4, deletedTags: 2, deletedCoupons: 1, deletedCatalogItems: 2 };

function assertTableEqualsTruth(target: MemoryTarget, sim: Simulator, stream: string): void {
  const want = canonical(truth(sim, stream), stream);
  const got = canonical(target.rows(stream), stream);
  const missing = [...want.keys()].filter((k) => !got.has(k));
  const extra = [...got.keys()].filter((k) => !want.has(k));
  assert.deepEqual({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, { missing: [], extra: [] }, `${stream}: table keys`);
  for (const [key, form] of want) assert.equal(got.get(key), form, `${stream}: row ${key}`);
}

function messages(run: E2eRun, type: string, stream: string): Array<{ version?: number; record?: Row }> {
  return run.lines.map((l) => JSON.parse(l) as { type: string; stream?: string; version?: number; record?: Row }).filter((m) => m.type === type && m.stream === stream);
}

describe('deletes: Singer table versions against a versioning target (seed 77)', function () {
  this.timeout(120_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 77, scale: 'small', apiKey: SIM_KEY });
  });
  after(() => sim.close());

  it('a removal reaches the table at the next full read, and only then', async () => {
    const ws = new E2eWorkspace(sim);
    const catalog = catalogOfStreams([...GROUPS, ...FULL_TABLE]);
    const target = new MemoryTarget('versions');
    const first = await ws.run(undefined, catalog);
    assert.equal(first.code, 0, first.stderr);
    target.apply(first.lines);
    for (const stream of [...GROUPS, ...FULL_TABLE]) {
      assertTableEqualsTruth(target, sim, stream);
      assert.equal(target.activations.get(stream)?.length, 2, `${stream}: a first sync activates its version before its records and after them`);
    }
    const before = new Map(GROUPS.map((s) => [s, canonical(truth(sim, s), s)]));
    const removed = sim.mutate({ ...REMOVALS, at: settledNow() }).deleted;
    assert.deepEqual(
      [removed.listMembers.length, removed.segmentMembers.length, removed.suppressionsLifted.length, removed.tags.length, removed.coupons.length, removed.catalogItems.length],
      [8, 8, 4, 2, 1, 2],
    );

    // An incremental run: FULL_TABLE streams drop the deleted rows; the group streams keep every row (active version).
    const second = await ws.run(first.state, catalog);
    assert.equal(second.code, 0, second.stderr);
    target.apply(second.lines);
    for (const stream of FULL_TABLE) assertTableEqualsTruth(target, sim, stream);
    const active = (first.state as State).bookmarks;
    for (const stream of GROUPS) {
      assert.equal(target.activations.get(stream)?.length, 2, `${stream}: no activation between full refreshes`);
      const kept = new Set(canonical(target.rows(stream), stream).keys());
      assert.deepEqual([...(before.get(stream)?.keys() ?? [])].filter((k) => !kept.has(k)), [], `${stream}: no row disappears between full refreshes`);
      for (const m of messages(second, 'RECORD', stream)) assert.equal(m.version, active[stream]?.['active_version'], `${stream}: incremental records carry the active version`);
    }
    assert.ok(target.rows('list_members').length > truth(sim, 'list_members').length, 'the removed list members are still in the table');

    // full_refresh_days (7) later: the group streams are read in full under a new version, then activated.
    const third = await ws.run(aged(second.state, GROUPS, 8), catalog);
    assert.equal(third.code, 0, third.stderr);
    target.apply(third.lines);
    const state = (third.state as State).bookmarks;
    for (const stream of [...GROUPS, ...FULL_TABLE]) {
      assertTableEqualsTruth(target, sim, stream);
      assert.equal(state[stream]?.['pending_version'], undefined, `${stream}: no full read left pending`);
    }
    for (const stream of GROUPS) {
      const activated = messages(third, 'ACTIVATE_VERSION', stream);
      assert.equal(activated.length, 1, `${stream}: one activation, at the end of the refresh`);
      assert.equal(state[stream]?.['active_version'], activated[0]?.version);
      assert.ok(messages(third, 'RECORD', stream).every((m) => m.version === activated[0]?.version), `${stream}: the refresh's records carry its version`);
    }
  });
});

describe('deletes: emit_deleted_records against a target that ignores versions (seed 78)', function () {
  this.timeout(120_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 78, scale: 'small', apiKey: SIM_KEY });
  });
  after(() => sim.close());

  it('each id gone since the last full read comes as a record with _sdc_deleted_at', async () => {
    const ws = new E2eWorkspace(sim, { emit_deleted_records: true });
    const catalog = catalogOfStreams(SMALL);
    const target = new MemoryTarget('deleted_at');
    const first = await ws.run(undefined, catalog);
    assert.equal(first.code, 0, first.stderr);
    target.apply(first.lines);
    for (const stream of SMALL) {
      const schema = first.lines.map((l) => JSON.parse(l) as { type: string; stream: string; schema?: { properties: Record<string, unknown> } }).find((m) => m.type === 'SCHEMA' && m.stream === stream);
      assert.ok(schema?.schema?.properties['_sdc_deleted_at'], `${stream}: SCHEMA has _sdc_deleted_at`);
      assert.equal(((first.state as State).bookmarks[stream]?.['ids'] as string[]).length, truth(sim, stream).length, `${stream}: ids kept in state`);
    }
    const removed = sim.mutate({ deletedTags: 2, deletedCoupons: 1, deletedCatalogItems: 2 }).deleted;
    const second = await ws.run(first.state, catalog);
    assert.equal(second.code, 0, second.stderr);
    target.apply(second.lines);
    for (const stream of SMALL) assertTableEqualsTruth(target, sim, stream);
    const deletedIds = (stream: string): string[] => messages(second, 'RECORD', stream).filter((m) => m.record?.['_sdc_deleted_at']).map((m) => String(m.record?.['id'])).sort();
    assert.deepEqual(deletedIds('tags'), [...removed.tags].sort());
    assert.deepEqual(deletedIds('coupons'), [...removed.coupons].sort());
    assert.deepEqual(deletedIds('catalog_items'), [...removed.catalogItems].sort());
    assert.ok(deletedIds('catalog_variants').length > 0, 'the deleted items took their variants along');
    assert.deepEqual(deletedIds('metrics'), []);
  });
});
