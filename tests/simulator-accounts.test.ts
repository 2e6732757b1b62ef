// The simulator's `account` knob (world/accounts.ts): set by startSimulator option, /__admin/config (which builds the
// world again) and --account; each account's shape as served by the API.
import assert from 'node:assert/strict';
import { parseCliArgs, CliError } from '../src/simulator/cli-args.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

const HEADERS = { Authorization: 'Klaviyo-API-Key pk_sim_demo', revision: '2026-07-15' };

async function names(sim: Simulator, path: string): Promise<string[]> {
  const doc = (await (await fetch(`${sim.url}${path}`, { headers: HEADERS })).json()) as { data: Array<{ id: string; attributes: { name?: string } }> };
  return doc.data.map((r) => r.attributes.name ?? r.id);
}

async function admin(sim: Simulator, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/__admin/config`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('simulator accounts', function () {
  this.timeout(60_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 3, scale: 'small', rateLimits: false, account: 'no-orders' });
  });
  after(async () => sim.close());

  it('an option picks the account: no-orders has no "Placed Order" metric and no orders', async () => {
    const metrics = await names(sim, '/api/metrics');
    assert.ok(metrics.includes('Received Email') && !metrics.includes('Placed Order'), metrics.join(', '));
    assert.ok(![...sim.groundTruth('events')].some((e) => e['metric_name'] === 'Placed Order'));
  });

  it('/__admin/config changes it and builds the world again: renamed, duplicate, empty, archived', async () => {
    assert.equal((await admin(sim, { account: 'renamed-metrics' })).json['account'], 'renamed-metrics');
    const renamed = await names(sim, '/api/metrics');
    assert.ok(renamed.includes('Unsubscribed') && !renamed.includes('Unsubscribed from Email Marketing'), renamed.join(', '));
    assert.ok([...sim.groundTruth('unsubscribe')].length > 0, 'the unsubscribe stream finds its events under the earlier name');

    await admin(sim, { account: 'duplicate-metrics' });
    assert.equal((await names(sim, '/api/metrics')).filter((n) => n === 'Placed Order').length, 2);

    await admin(sim, { account: 'empty' });
    for (const path of ['/api/metrics', '/api/events', '/api/lists', '/api/campaigns?filter=equals(messages.channel,"email")', '/api/profiles']) assert.deepEqual(await names(sim, path), [], path);

    await admin(sim, { account: 'archived' });
    const campaigns = sim.world.campaigns.rows;
    const archived = campaigns.filter((r) => r.attributes['archived'] === true).length;
    assert.ok(archived > campaigns.length / 4 && archived < campaigns.length, `${archived} of ${campaigns.length}`);
  });

  it('refuses an unknown account, naming the known ones; the CLI takes --account', async () => {
    const bad = await admin(sim, { account: 'huge' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.json['error']), /account must be one of standard, empty, no-orders, renamed-metrics, duplicate-metrics, archived/);
    assert.equal(parseCliArgs(['--account', 'empty']).simulator.account, 'empty');
    assert.throws(() => parseCliArgs(['--account=busy']), (err: unknown) => err instanceof CliError && /--account expects one of standard, empty/.test(err.message));
  });
});
