// A SIGKILL while the tap reads the archived side (archived campaigns and flows, and the messages and actions below
// them) loses nothing: for each stream of that family alone, a clean run shows where its archived records start;
// a run killed a few lines into them, resumed from its last complete STATE, and a final run deliver together exactly
// the ground truth. One request at a time and a page per record, so the kill lands inside the archived side (and the
// test checks that it did).
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { DeliveryLedger } from '../helpers/delivery.js';
import { keyOf, SIM_KEY, truth, type Row } from '../helpers/e2e.js';
import { runTapKillable } from '../helpers/killable-tap.js';
import { catalogOfStreams, CHILD_ENV, TapFiles } from '../helpers/tap-files.js';

const FAMILY = ['campaigns', 'flows', 'campaign_messages', 'flow_actions', 'flow_messages'] as const;

/** The keys of a stream's records on the archived side: archived campaigns and flows, and what lies below them. */
function archivedKeys(sim: Simulator, stream: string): Set<string> {
  const ids = (name: string, keep: (r: Row) => boolean): Set<string> => new Set(truth(sim, name).filter(keep).map((r) => String(r['id'])));
  const campaigns = ids('campaigns', (r) => r['archived'] === true);
  const flows = ids('flows', (r) => r['archived'] === true);
  const actions = ids('flow_actions', (r) => flows.has(String(r['flow_id'])));
  const keep: Record<string, (r: Row) => boolean> = {
    campaigns: (r) => campaigns.has(String(r['id'])),
    flows: (r) => flows.has(String(r['id'])),
    campaign_messages: (r) => campaigns.has(String(r['campaign_id'])),
    flow_actions: (r) => flows.has(String(r['flow_id'])),
    flow_messages: (r) => actions.has(String(r['flow_action_id'])),
  };
  return new Set(truth(sim, stream).filter(keep[stream] ?? (() => false)).map(keyOf(stream)));
}

/** Index of each RECORD line of `stream` whose key is on the archived side. */
function archivedLines(lines: readonly string[], stream: string, keys: Set<string>): number[] {
  const key = keyOf(stream);
  return lines.flatMap((line, i) => {
    const m = JSON.parse(line) as { type: string; stream?: string; record?: Row };
    return m.type === 'RECORD' && m.stream === stream && m.record && keys.has(key(m.record)) ? [i] : [];
  });
}

describe('reliability: SIGKILL on the archived side', function () {
  this.timeout(300_000);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ seed: 21, scale: 'small', apiKey: SIM_KEY, latencyMs: 2, rateLimitSpeedup: 8 });
    // More archived records than the world's own few, so the archived side spans many pages.
    sim.mutate({ archivedCampaigns: 12, archivedFlows: 1 });
  });
  after(async () => sim.close());

  for (const stream of FAMILY) {
    it(`${stream}: killed a few lines into its archived side, resumed, nothing lost`, async () => {
      const keys = archivedKeys(sim, stream);
      assert.ok(keys.size >= 3, `${stream}: ${keys.size} records on the archived side`);
      const files = new TapFiles('tap-klaviyo-archived-kill-');
      const config = {
        api_key: SIM_KEY,
        base_url: sim.url,
        start_date: '2020-01-01T00:00:00Z',
        max_requests_in_flight: 1,
        initial_retry_wait_s: 0.05,
        streams: Object.fromEntries(FAMILY.map((name) => [name, { page_size: 1 }])),
      };
      const base = ['--config', files.write('config.json', config), '--catalog', files.write('catalog.json', catalogOfStreams([stream]))];
      const clean = await runTapKillable(base, {}, CHILD_ENV);
      assert.equal(clean.code, 0, clean.stderr.slice(-2000));
      const first = archivedLines(clean.lines, stream, keys)[0];
      assert.ok(first !== undefined, 'the clean run reads the archived side');

      const ledger = new DeliveryLedger();
      const killed = await runTapKillable(base, { afterLines: first + 3 }, CHILD_ENV);
      assert.ok(killed.killed, 'the run was killed');
      const { state } = ledger.take(killed.lines);
      const reached = archivedLines(killed.lines, stream, keys).length;
      assert.ok(reached >= 1 && reached < keys.size, `the kill landed inside the archived side (${reached} of ${keys.size} delivered)`);
      assert.ok(state !== undefined, 'the killed run wrote a STATE');

      const resumed = await runTapKillable([...base, '--state', files.write('state.json', state)], {}, CHILD_ENV);
      assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
      ledger.take(resumed.lines);
      const c = ledger.compare(stream, truth(sim, stream));
      assert.deepEqual({ lost: c.lost, wrong: c.wrong, extra: c.extra }, { lost: [], wrong: [], extra: [] });
    });
  }
});
