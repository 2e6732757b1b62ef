// Many accounts, one warehouse: two simulated accounts (two simulators, two seeds) load into one table set with
// `account_id_column`, A, B, A, B, A, with removals in each between its runs. In a versioning target as the Meltano
// SDK's (whose ACTIVATE_VERSION retires every row of the table below the version, whichever account it came from)
// and in a target that deletes on `_sdc_deleted_at` (pipelinewise with hard_delete), every account's live rows
// stay equal to its own ground truth after every run: no run sends a version or ACTIVATE_VERSION, so none retires
// the other account's rows, and each account's removals (tags, coupons and their codes, catalog items and their
// variants, list and segment members, lifted suppressions) arrive as `_sdc_deleted_at` records of that account.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { aged, canonical, E2eWorkspace, keyOf, settledNow, SIM_KEY, truth, type E2eRun, type Row } from './helpers/e2e.js';
import { MemoryTarget } from './helpers/singer-target.js';
import { catalogOfStreams } from './helpers/tap-files.js';

const GROUPS = ['list_members', 'segment_members', 'global_exclusions'];
const STREAMS = [...GROUPS, 'metrics', 'tags', 'coupons', 'coupon_codes', 'catalog_items', 'catalog_variants'];
const REMOVALS = { removedListMembers: 8, removedSegmentMembers: 8, liftedSuppressions: 4, deletedTags: 2, deletedCoupons: 1, deletedCatalogItems: 2 };

interface Message {
  type: string;
  stream?: string;
  version?: number;
  record?: Row;
}

interface Account {
  sim: Simulator;
  id: string;
  ws: E2eWorkspace;
  state?: unknown;
}

/** The deleted records of a run, per stream: their keys, all of the given account. */
function tombstones(run: E2eRun, accountId: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const m of run.lines.map((l) => JSON.parse(l) as Message)) {
    if (m.type !== 'RECORD' || m.record?.['_sdc_deleted_at'] == null || !m.stream) continue;
    assert.equal(m.record['account_id'], accountId, `${m.stream}: a deleted record of this run's account`);
    out.set(m.stream, [...(out.get(m.stream) ?? []), m.record]);
  }
  return out;
}

describe('account_id_column: two accounts in one table set, deletes in each (seeds 81, 82)', function () {
  this.timeout(240_000);
  const sims: Simulator[] = [];
  before(async () => {
    for (const seed of [81, 82]) sims.push(await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY }));
  });
  after(async () => {
    for (const sim of sims) await sim.close();
  });

  it('no run retires, soft-deletes or deletes the other account rows; each account removals reach the tables', async () => {
    const catalog = catalogOfStreams(STREAMS);
    const accounts: Account[] = sims.map((sim) => ({ sim, id: String(truth(sim, 'accounts')[0]?.['id']), ws: new E2eWorkspace(sim, { account_id_column: true }) }));
    const [a, b] = accounts as [Account, Account];
    assert.notEqual(a.id, b.id, 'two accounts');
    const targets = [new MemoryTarget('versions'), new MemoryTarget('deleted_at')];

    const run = async (account: Account, refreshDue: boolean): Promise<E2eRun> => {
      const state = account.state === undefined || !refreshDue ? account.state : aged(account.state, GROUPS, 8);
      const result = await account.ws.run(state, catalog);
      assert.equal(result.code, 0, result.stderr.slice(-2000));
      for (const m of result.lines.map((l) => JSON.parse(l) as Message)) {
        assert.notEqual(m.type, 'ACTIVATE_VERSION', `${m.stream ?? ''}: no ACTIVATE_VERSION with account_id_column`);
        assert.equal(m.version, undefined, `${m.stream ?? ''}: no record carries a version`);
      }
      for (const target of targets) target.apply(result.lines);
      account.state = result.state;
      for (const target of targets) {
        for (const { sim, id } of accounts.filter((x) => x.state !== undefined)) {
          for (const stream of STREAMS) {
            const rows = target.rows(stream).filter((r) => r['account_id'] === id).map(({ account_id: _, ...rest }): Row => rest);
            const want = canonical(truth(sim, stream), stream);
            const got = canonical(rows, stream);
            const missing = [...want.keys()].filter((k) => got.get(k) !== want.get(k)).slice(0, 3);
            const extra = [...got.keys()].filter((k) => !want.has(k)).slice(0, 3);
            assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${target.mode} target, account ${id}, ${stream}`);
          }
        }
      }
      return result;
    };

    await run(a, false);
    await run(b, false);
    for (const account of [a, b]) {
      // Removals in this account, then its run with the member refresh due: a deleted record for each row gone
      // from its ground truth, exactly, keyed by account.
      const before = new Map(STREAMS.map((stream) => [stream, new Set(truth(account.sim, stream).map(keyOf(stream)))]));
      const removed = account.sim.mutate({ ...REMOVALS, at: settledNow() }).deleted;
      assert.deepEqual([removed.tags.length, removed.coupons.length, removed.catalogItems.length, removed.listMembers.length, removed.suppressionsLifted.length], [2, 1, 2, 8, 4]);
      const gone = tombstones(await run(account, true), account.id);
      for (const stream of STREAMS) {
        const now = new Set(truth(account.sim, stream).map(keyOf(stream)));
        const want = [...(before.get(stream) ?? [])].filter((k) => !now.has(k)).sort();
        assert.deepEqual((gone.get(stream) ?? []).map(keyOf(stream)).sort(), want, `${stream}: a deleted record per row gone`);
        if (!['metrics', 'coupon_codes', 'catalog_variants'].includes(stream)) assert.ok(want.length > 0, `${stream}: something was removed`);
      }
      assert.ok((gone.get('global_exclusions') ?? []).every((r) => typeof r['timestamp'] === 'undefined' && typeof r['reason'] === 'string'), 'a deleted suppression: its key');
    }
    // A's next run (no refresh due) sends no deleted record again, and both accounts stay whole.
    assert.equal(tombstones(await run(a, false), a.id).size, 0);
    // A refresh killed after reading every member (pending version, bookmarks at the end): the next run reads the
    // members again from the start, so none of them is taken for deleted.
    const killed = structuredClone(a.state) as { bookmarks: Record<string, Record<string, unknown>> };
    for (const stream of GROUPS) killed.bookmarks[stream] = { ...killed.bookmarks[stream], pending_version: Date.now() - 60_000 };
    a.state = killed;
    assert.equal(tombstones(await run(a, false), a.id).size, 0, 'a resumed refresh sends no deleted record');
  });
});
