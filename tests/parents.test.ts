// Child streams on slow tiers re-read only the children of parents changed since the last run: against the
// simulator, an unchanged account's second run reads no children, and edited messages arrive on the next run
// through their changed parents.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/singer/catalog.js';
import { E2eWorkspace, settle, SIM_KEY, truth, type E2eRun } from './helpers/e2e.js';

const CHILDREN = ['campaign_messages', 'flow_actions', 'flow_messages'] as const;
const SELECTED = new Set<string>(['campaigns', 'flows', ...CHILDREN]);
const OPERATION = new Map(builtInStreams().map((s) => [s.name, s.facts.operationId]));

function catalog(): unknown {
  const c = discover(builtInStreams());
  c.streams = c.streams.filter((s) => SELECTED.has(s.tap_stream_id));
  for (const s of c.streams) for (const m of s.metadata) m.metadata['selected'] = true;
  return c;
}

/** Requests per child stream's endpoint since the last reset. */
function childRequests(sim: Simulator): Record<string, number> {
  const { requests } = sim.stats();
  return Object.fromEntries(CHILDREN.map((name) => [name, requests[OPERATION.get(name) ?? ''] ?? 0]));
}

function ids(run: E2eRun, stream: string): string[] {
  return (run.records.get(stream) ?? []).map((r) => String(r['id']));
}

describe('child streams re-read only changed parents (simulator)', function () {
  this.timeout(240_000);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ seed: 5, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 8 });
  });
  after(async () => sim.close());

  it('reads everything first, no children when nothing changed, and the changed children after an edit', async () => {
    const ws = new E2eWorkspace(sim);
    const first = await ws.run(undefined, catalog());
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    for (const name of CHILDREN) assert.equal(ids(first, name).length, truth(sim, name).length, `${name}: first run reads every record`);
    const bookmarks = (first.state as { bookmarks: Record<string, { parent_bookmark?: { replication_key_value: string } }> }).bookmarks;
    for (const name of CHILDREN) {
      const value = bookmarks[name]?.parent_bookmark?.replication_key_value;
      assert.ok(value && Date.parse(value) < Date.now(), `${name}: parent bookmark saved, not in the future`);
    }

    sim.resetStats();
    const unchanged = await ws.run(first.state, catalog());
    assert.equal(unchanged.code, 0, unchanged.stderr.slice(-2000));
    assert.deepEqual(childRequests(sim), { campaign_messages: 0, flow_actions: 0, flow_messages: 0 });
    for (const name of CHILDREN) assert.deepEqual(ids(unchanged, name), [], `${name}: nothing new`);

    const edit = sim.mutate({ editedCampaignMessages: 2, editedFlowMessages: 2 });
    await settle();
    sim.resetStats();
    const changed = await ws.run(unchanged.state, catalog());
    assert.equal(changed.code, 0, changed.stderr.slice(-2000));
    const requests = childRequests(sim);
    assert.ok((requests['campaign_messages'] ?? 0) >= 1 && (requests['campaign_messages'] ?? 0) <= 2, JSON.stringify(requests));
    assert.ok((requests['flow_actions'] ?? 0) >= 1 && (requests['flow_actions'] ?? 0) <= 2, JSON.stringify(requests));
    assert.ok((requests['flow_messages'] ?? 0) >= 1 && (requests['flow_messages'] ?? 0) <= 2, JSON.stringify(requests));
    const arrived = new Set([...ids(changed, 'campaign_messages'), ...ids(changed, 'flow_messages')]);
    for (const id of edit.messages) assert.ok(arrived.has(id), `edited message ${id} arrives`);
    assert.ok(ids(changed, 'flow_actions').length >= 1, 'the changed flow actions arrive');
  });

  it('full_reread_days 0 reads every parent on every run', async () => {
    const ws = new E2eWorkspace(sim, { full_reread_days: 0 });
    const first = await ws.run(undefined, catalog());
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    sim.resetStats();
    const again = await ws.run(first.state, catalog());
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    assert.equal(childRequests(sim)['campaign_messages'], truth(sim, 'campaigns').length);
  });
});
