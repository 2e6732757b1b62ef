// Default visibility: the campaign and flow listings leave archived records out unless the request filters on
// `archived`, as Klaviyo's do; the children of an archived campaign or flow are still served; archiving and
// restoring through /__admin/mutate, with the knob that says whether it moves the updated time.
import assert from 'node:assert/strict';
import { pageAll, type JsonApiResource } from '../src/simulator/client.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

const CHANNELS = ['email', 'sms', 'mobile_push'];

function ids(resources: readonly JsonApiResource[]): string[] {
  return resources.map((r) => r.id).sort();
}

function filtered(path: string, ...filters: string[]): string {
  return `${path}${path.includes('?') ? '&' : '?'}filter=${encodeURIComponent(filters.join(','))}`;
}

describe('simulator: default visibility of archived campaigns and flows', function () {
  this.timeout(30_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({ rateLimits: false });
  });
  afterEach(async () => sim.close());

  /** The listings of one collection: [records, filter] per side, for every channel of campaigns. */
  function listings(kind: 'campaigns' | 'flows'): string[][] {
    return kind === 'flows' ? [[]] : CHANNELS.map((channel) => [`equals(messages.channel,'${channel}')`]);
  }

  for (const kind of ['campaigns', 'flows'] as const) {
    it(`${kind}: the default listing hides archived ones; equals(archived,true) lists exactly those; together they are the ground truth`, async () => {
      const truth = [...sim.groundTruth(kind)];
      assert.ok(truth.some((r) => r['archived'] === true), 'the world has archived ones');
      const seen: string[] = [];
      for (const base of listings(kind)) {
        const path = `/api/${kind}?page[size]=2`;
        const shown = await pageAll(sim.url, base.length ? filtered(path, ...base) : path);
        const archived = await pageAll(sim.url, filtered(path, ...base, 'equals(archived,true)'));
        const explicit = await pageAll(sim.url, filtered(path, ...base, 'equals(archived,false)'));
        assert.ok(shown.every((r) => r.attributes['archived'] === false), 'no archived record by default, on any page');
        assert.ok(archived.length > 0 && archived.every((r) => r.attributes['archived'] === true));
        assert.deepEqual(ids(explicit), ids(shown), 'equals(archived,false) is the default made explicit');
        seen.push(...ids(shown), ...ids(archived));
      }
      assert.deepEqual(seen.sort(), truth.map((r) => String(r['id'])).sort());
    });
  }

  it('serves the messages of an archived campaign and the actions and messages of an archived flow', async () => {
    const campaign = [...sim.groundTruth('campaigns')].find((r) => r['archived'] === true);
    const flow = [...sim.groundTruth('flows')].find((r) => r['archived'] === true);
    assert.ok(campaign && flow);
    assert.ok((await pageAll(sim.url, `/api/campaigns/${String(campaign['id'])}/campaign-messages`)).length > 0);
    const actions = await pageAll(sim.url, `/api/flows/${String(flow['id'])}/flow-actions`);
    assert.ok(actions.length > 0);
    const messages = await Promise.all(actions.map((a) => pageAll(sim.url, `/api/flow-actions/${a.id}/flow-messages`)));
    assert.ok(messages.flat().length > 0, 'some action of the archived flow has messages');
  });

  for (const moves of [false, true]) {
    it(`archiving and restoring through /__admin/mutate (archiveMovesUpdated ${moves})`, async () => {
      sim.configure({ archiveMovesUpdated: moves });
      const at = '2024-06-01T12:00:00Z';
      const before = new Map([...sim.groundTruth('campaigns'), ...sim.groundTruth('flows')].map((r) => [String(r['id']), r]));
      const { archived } = sim.mutate({ archivedCampaigns: 2, archivedFlows: 1, at });
      assert.equal(archived.length, 3);
      const after = new Map([...sim.groundTruth('campaigns'), ...sim.groundTruth('flows')].map((r) => [String(r['id']), r]));
      for (const id of archived) {
        const was = before.get(id);
        const now = after.get(id);
        assert.equal(was?.['archived'], false);
        assert.equal(now?.['archived'], true);
        const field = 'updated_at' in (now ?? {}) ? 'updated_at' : 'updated';
        assert.equal(now?.[field], moves ? at : was?.[field], `${id} ${field}`);
      }
      const shown = [...(await pageAll(sim.url, '/api/flows')), ...(await Promise.all(CHANNELS.map((c) => pageAll(sim.url, filtered('/api/campaigns', `equals(messages.channel,'${c}')`))))).flat()];
      assert.ok(!archived.some((id) => shown.some((r) => r.id === id)), 'archived ones leave the default listing');
      const { unarchived } = sim.mutate({ unarchivedFlows: 1, at });
      assert.equal(unarchived.length, 1);
      assert.ok((await pageAll(sim.url, '/api/flows')).some((r) => r.id === unarchived[0]), 'a restored flow is listed again');
    });
  }

  it('POST /__admin/mutate archives too, and refuses a bad count naming it', async () => {
    const post = (body: unknown): Promise<Response> => fetch(`${sim.url}/__admin/mutate`, { method: 'POST', body: JSON.stringify(body) });
    const ok = await post({ archivedCampaigns: 1 });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { archived: string[] }).archived.length, 1);
    const bad = await post({ archivedFlows: -1 });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /archivedFlows must be an integer/);
  });
});
