// Archived campaigns and flows, end to end against the simulator (which, like Klaviyo, lists them only when asked):
// a full sync delivers them and their children; a campaign or flow archived (or restored) between two runs arrives
// again with its new `archived`, on the next run where archiving moves `updated_at`/`updated`, at the full re-read
// (`full_reread_days`) where it does not; a state written before the tap read archived records goes on without a
// full re-read of the rest.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { canonical, E2eWorkspace, keyOf, settledNow, SIM_KEY, truth, type E2eRun, type Row } from './helpers/e2e.js';
import { catalogOfStreams } from './helpers/tap-files.js';

const FAMILY = ['campaigns', 'flows', 'campaign_messages', 'flow_actions', 'flow_messages'] as const;
const CATALOG = catalogOfStreams(FAMILY);

type State = { bookmarks: Record<string, Record<string, unknown> & { partitions?: Array<Record<string, unknown> & { context: Record<string, string> }> }> };

/** Keys of the archived campaigns and flows, and of the records below them, per stream (from the ground truth). */
function archivedFamily(sim: Simulator): Map<string, Set<string>> {
  const ids = (stream: string, keep: (r: Row) => boolean): Set<string> => new Set(truth(sim, stream).filter(keep).map((r) => String(r['id'])));
  const campaigns = ids('campaigns', (r) => r['archived'] === true);
  const flows = ids('flows', (r) => r['archived'] === true);
  const actions = ids('flow_actions', (r) => flows.has(String(r['flow_id'])));
  const under = (stream: string, parentKey: string, parents: Set<string>): Set<string> => new Set(truth(sim, stream).filter((r) => parents.has(String(r[parentKey]))).map(keyOf(stream)));
  return new Map([
    ['campaigns', campaigns],
    ['flows', flows],
    ['campaign_messages', under('campaign_messages', 'campaign_id', campaigns)],
    ['flow_actions', under('flow_actions', 'flow_id', flows)],
    ['flow_messages', under('flow_messages', 'flow_action_id', actions)],
  ]);
}

/** What a target holds after the runs: the last record sent per key. */
function warehouse(runs: readonly E2eRun[], stream: string): Map<string, string> {
  const held = new Map<string, string>();
  for (const run of runs) for (const [key, form] of canonical(run.records.get(stream) ?? [], stream)) held.set(key, form);
  return held;
}

function assertWarehouseEqualsTruth(sim: Simulator, runs: readonly E2eRun[]): void {
  for (const stream of FAMILY) {
    const want = canonical(truth(sim, stream), stream);
    const held = warehouse(runs, stream);
    const wrong = [...want].filter(([key, form]) => held.get(key) !== form).map(([key]) => key);
    assert.deepEqual({ wrong: wrong.slice(0, 5), extra: [...held.keys()].filter((k) => !want.has(k)).slice(0, 5) }, { wrong: [], extra: [] }, stream);
  }
}

function sentKeys(run: E2eRun, stream: string): string[] {
  return (run.records.get(stream) ?? []).map(keyOf(stream)).sort();
}

async function ok(run: Promise<E2eRun>): Promise<E2eRun> {
  const done = await run;
  assert.equal(done.code, 0, done.stderr.slice(-2000));
  return done;
}

/** The state with every `full_read_at` of campaigns and flows moved back `days` days (the full re-read falls due). */
function aged(state: unknown, days: number): State {
  const copy = structuredClone(state) as State;
  const back = (holder: Record<string, unknown>): void => {
    if (typeof holder['full_read_at'] === 'string') holder['full_read_at'] = new Date(Date.parse(holder['full_read_at']) - days * 86_400_000).toISOString();
  };
  for (const stream of ['campaigns', 'flows']) {
    const entry = copy.bookmarks[stream] ?? {};
    back(entry);
    for (const p of entry.partitions ?? []) back(p);
  }
  return copy;
}

describe('archived campaigns and flows (simulator)', function () {
  this.timeout(240_000);
  let sim: Simulator;

  afterEach(async () => sim.close());

  it('a full sync delivers every archived campaign and flow, and their messages and actions, as the ground truth has them', async () => {
    sim = await startSimulator({ seed: 11, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 8 });
    const run = await ok(new E2eWorkspace(sim).run(undefined, CATALOG));
    assertWarehouseEqualsTruth(sim, [run]);
    for (const [stream, keys] of archivedFamily(sim)) {
      assert.ok(keys.size > 0, `${stream}: the world has archived ones`);
      const sent = new Set(sentKeys(run, stream));
      assert.deepEqual([...keys].filter((k) => !sent.has(k)), [], `${stream}: every archived one arrives`);
    }
  });

  it('archiving moves updated: a campaign or flow archived between two runs arrives on the next run with archived true', async () => {
    sim = await startSimulator({ seed: 12, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 8, archiveMovesUpdated: true });
    const ws = new E2eWorkspace(sim);
    const first = await ok(ws.run(undefined, CATALOG));
    const { archived } = sim.mutate({ archivedCampaigns: 2, archivedFlows: 1, at: settledNow() });
    const second = await ok(ws.run(first.state, CATALOG));
    const sent = [...sentKeys(second, 'campaigns'), ...sentKeys(second, 'flows')];
    assert.deepEqual(sent, [...archived].sort(), 'exactly the archived ones are sent again');
    for (const stream of ['campaigns', 'flows']) for (const r of second.records.get(stream) ?? []) assert.equal(r['archived'], true);
    assertWarehouseEqualsTruth(sim, [first, second]);
  });

  it('archiving does not move updated: they arrive (archived, or restored) at the latest at the full re-read every full_reread_days, children untouched', async () => {
    sim = await startSimulator({ seed: 13, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 8, archiveMovesUpdated: false });
    const ws = new E2eWorkspace(sim);
    const first = await ok(ws.run(undefined, CATALOG));
    const { archived, unarchived } = sim.mutate({ archivedCampaigns: 2, archivedFlows: 1, unarchivedCampaigns: 1 });
    assert.equal(archived.length + unarchived.length, 4);
    const second = await ok(ws.run(first.state, CATALOG));
    // Nothing moved; a side's incremental read still finds a changed record whose old `updated` lies past that side's
    // bookmark. The others only the full re-read can carry: this seed has some.
    const early = [...sentKeys(second, 'campaigns'), ...sentKeys(second, 'flows')];
    assert.ok(early.every((id) => archived.includes(id) || unarchived.includes(id)), 'only changed ones are sent before the full re-read');
    assert.ok(early.length < archived.length + unarchived.length, `some change waits for the full re-read (sent early: ${early.length})`);
    sim.resetStats();
    const third = await ok(ws.run(aged(second.state, 8), CATALOG));
    assert.equal(sentKeys(third, 'campaigns').length, truth(sim, 'campaigns').length, 'the full re-read sends every campaign');
    assert.equal(sentKeys(third, 'flows').length, truth(sim, 'flows').length, 'and every flow');
    const now = new Map([...(third.records.get('campaigns') ?? []), ...(third.records.get('flows') ?? [])].map((r) => [String(r['id']), r['archived']]));
    for (const id of archived) assert.equal(now.get(id), true, `${id} arrives archived`);
    for (const id of unarchived) assert.equal(now.get(id), false, `${id} arrives restored`);
    assert.equal(sim.stats().requests['get_messages_for_campaign'] ?? 0, 0, 'the parents full re-read reads no children');
    assertWarehouseEqualsTruth(sim, [first, second, third]);
  });

  it("a state of the previous release (campaigns keyed by channel, flows with one bookmark) reads the archived side alone, once", async () => {
    sim = await startSimulator({ seed: 14, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 8 });
    const ws = new E2eWorkspace(sim);
    const first = await ok(ws.run(undefined, CATALOG));
    const family = archivedFamily(sim);
    const old = previousRelease(first.state, family);
    sim.resetStats();
    const upgraded = await ok(ws.run(old, CATALOG));
    for (const stream of FAMILY) assert.deepEqual(sentKeys(upgraded, stream), [...(family.get(stream) ?? [])].sort(), `${stream}: the archived side only`);
    assert.equal(sim.stats().requests['get_messages_for_campaign'], family.get('campaigns')?.size, 'messages read for archived campaigns only');
    const steady = await ok(ws.run(upgraded.state, CATALOG));
    for (const stream of FAMILY) assert.deepEqual(sentKeys(steady, stream), [], `${stream}: nothing left on the next run`);
    assertWarehouseEqualsTruth(sim, [first, upgraded, steady]);
  });
});

/**
 * The state the previous release would have written for the same account, had Klaviyo hidden archived records
 * from it: no archived partitions, no full-read clocks, and no child partitions under archived parents.
 */
function previousRelease(state: unknown, family: Map<string, Set<string>>): State {
  const copy = structuredClone(state) as State;
  for (const stream of FAMILY) {
    const entry = copy.bookmarks[stream];
    if (!entry) continue;
    delete entry['full_read_at'];
    const parentBookmark = entry['parent_bookmark'] as Record<string, unknown> | undefined;
    if (parentBookmark) delete parentBookmark['archived_full_read_at'];
    const under = [...(family.get(stream) ?? [])];
    const partitions = (entry.partitions ?? []).filter((p) => p.context['archived'] === undefined && !under.some((key) => key.startsWith(`${Object.values(p.context)[0] ?? ''}|`)));
    for (const p of partitions) delete p['full_read_at'];
    if (partitions.length > 0) entry.partitions = partitions;
    else delete entry.partitions;
  }
  return copy;
}
