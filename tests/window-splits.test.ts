// Time windows fetched side by side each end on a part-full page, and a part-full page costs a whole request of
// Klaviyo's rate limit. A backfill split into windows must read (nearly) as few pages as one window would.
import assert from 'node:assert/strict';
import { syncSummary } from '../scripts/lib/processes.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { E2eWorkspace, SIM_KEY, truth } from './helpers/e2e.js';
import { catalogOf } from './helpers/reliability.js';

const PAGE = 20;

describe('window splits', function () {
  this.timeout(120_000);
  let sim: Simulator;

  before(async () => {
    // Latency with jitter, so windows run side by side and finish out of order, as over a real network.
    sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimits: false, latencyMs: 15, jitterMs: 30 });
  });
  after(async () => sim.close());

  it('an events backfill in windows reads every event with at most a fifth more requests than full pages need', async () => {
    const ws = new E2eWorkspace(sim, { max_requests_in_flight: 16, streams: { events: { page_size: PAGE } } });
    const run = await ws.run(undefined, catalogOf(['events']));
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const expected = truth(sim, 'events').length;
    const ids = new Set((run.records.get('events') ?? []).map((r) => String(r['id'])));
    assert.equal(ids.size, expected, 'every event, once');
    const summary = syncSummary(run.stderr);
    const fullPages = Math.ceil(expected / PAGE);
    const requests = summary?.requests ?? Infinity;
    assert.ok(requests >= fullPages, `${requests} requests`);
    // Splitting every new window again on its own first page, and on pages inside one second (a campaign send's
    // events), made 1.3-1.4x the full pages here; since, about 1.1x.
    assert.ok(requests <= fullPages * 1.2, `${requests} requests for ${fullPages} pages' worth of events`);
  });
});
