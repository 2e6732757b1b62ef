// Rate limits (429 + Retry-After, RateLimit-* headers, the predictive-analytics tier), injected faults,
// statistics and the admin endpoints.
import assert from 'node:assert/strict';
import { simGet } from '../src/simulator/client.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

async function admin(sim: Simulator, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const init: RequestInit = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  const response = await fetch(`${sim.url}/__admin/${path}`, init);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('simulator: rate limits', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({});
  });
  afterEach(async () => sim.close());

  it('answers 429 with Retry-After (and no RateLimit-* headers) beyond the burst window', async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, () => simGet(sim.url, '/api/flows?page[size]=1')));
    const ok = responses.filter((r) => r.status === 200);
    const throttled = responses.filter((r) => r.status === 429);
    assert.ok(ok.length >= 3 && ok.length <= 6, `${ok.length} admitted at 3/s`);
    assert.equal(ok.length + throttled.length, 12);
    for (const r of throttled) {
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.equal(r.headers.get('ratelimit-limit'), null);
      assert.equal((r.body as { errors: { code: string }[] }).errors[0]?.code, 'throttled');
    }
    for (const r of ok) {
      assert.equal(r.headers.get('ratelimit-limit'), '60');
      assert.match(r.headers.get('ratelimit-remaining') ?? '', /^\d+$/);
      assert.match(r.headers.get('ratelimit-reset') ?? '', /^[1-9]\d*$/);
    }
    assert.equal(sim.stats().throttled, throttled.length);
  });

  it('enforces the steady window (speeded up 60x) and the predictive-analytics tier', async () => {
    sim.configure({ rateLimitSpeedup: 60 });
    const started = Date.now();
    let admitted = 0;
    let throttled = 0;
    for (let i = 0; i < 60; i++) {
      const response = await simGet(sim.url, '/api/accounts');
      if (response.status === 200) admitted++;
      else throttled++;
      await new Promise((resolve) => setTimeout(resolve, 18));
    }
    const windows = Math.ceil((Date.now() - started) / 1000) + 1;
    assert.ok(throttled > 0 && admitted <= 15 * windows, `${admitted} admitted in ${windows} steady windows`);
    sim.configure({ rateLimitSpeedup: 1 });
    const plain = await simGet(sim.url, '/api/profiles?additional-fields[profile]=subscriptions');
    const predictive = await simGet(sim.url, '/api/profiles?additional-fields[profile]=subscriptions,predictive_analytics');
    assert.equal(plain.headers.get('ratelimit-limit'), '750');
    assert.equal(predictive.headers.get('ratelimit-limit'), '150');
  });

  it('can be switched off', async () => {
    sim.configure({ rateLimits: false });
    const responses = await Promise.all(Array.from({ length: 20 }, () => simGet(sim.url, '/api/flows')));
    assert.ok(responses.every((r) => r.status === 200));
  });
});

describe('simulator: faults, stats and admin', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ rateLimits: false });
  });
  afterEach(async () => sim.close());

  it('injects each fault kind observably', async () => {
    await admin(sim, 'config', { errorRate: 1 });
    const error = await simGet(sim.url, '/api/metrics');
    assert.ok([500, 502, 503, 504].includes(error.status));
    assert.equal((error.body as { errors: { status: number }[] }).errors[0]?.status, error.status);

    await admin(sim, 'config', { errorRate: 0, htmlRate: 1 });
    const html = await simGet(sim.url, '/api/metrics');
    assert.equal(html.status, 503);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html.text, /Cloudflare/);

    await admin(sim, 'config', { htmlRate: 0, truncateRate: 1 });
    const truncated = await simGet(sim.url, '/api/metrics');
    assert.equal(truncated.status, 200);
    assert.equal(truncated.body, undefined, 'body is not valid JSON');

    await admin(sim, 'config', { truncateRate: 0, throttleRate: 1 });
    const throttled = await simGet(sim.url, '/api/metrics');
    assert.equal(throttled.status, 429, 'rate limits are off: the 429 is the fault');
    assert.equal(throttled.headers.get('retry-after'), '1');
    assert.match((throttled.body as { errors: { detail: string }[] }).errors[0]?.detail ?? '', /^Request was throttled\. Expected available in 1 second\(s\)\.$/);

    await admin(sim, 'config', { throttleRate: 0, resetRate: 1 });
    await assert.rejects(simGet(sim.url, '/api/metrics'));

    await admin(sim, 'config', { resetRate: 0, hangRate: 1 });
    await assert.rejects(fetch(`${sim.url}/api/metrics`, { headers: { authorization: 'Klaviyo-API-Key pk_sim_demo', revision: '2026-07-15' }, signal: AbortSignal.timeout(200) }));

    await admin(sim, 'config', { hangRate: 0, latencyMs: 120 });
    const started = Date.now();
    assert.equal((await simGet(sim.url, '/api/metrics')).status, 200);
    assert.ok(Date.now() - started >= 110);

    const stats = (await admin(sim, 'stats')).json as { faults: Record<string, number>; statuses: Record<string, number>; requests: Record<string, number> };
    assert.deepEqual(stats.faults, { reset: 1, hang: 1, error: 1, html: 1, truncate: 1, throttle: 1 });
    assert.equal(stats.requests['get_metrics'], 7);
    assert.equal(stats.statuses['503'] !== undefined, true);
  });

  it('never faults admin endpoints, and a hanging request does not block close()', async () => {
    sim.configure({ hangRate: 1 });
    const pending = fetch(`${sim.url}/api/metrics`).catch(() => 'released');
    assert.equal((await admin(sim, 'stats')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(sim.stats().inFlight, 1);
    await sim.close();
    assert.equal(await pending, 'released');
    sim = await startSimulator({});
  });

  it('draws faults from the seed: same seed, same sequence', async () => {
    const statuses = async (s: Simulator): Promise<number[]> => {
      s.configure({ errorRate: 0.4, htmlRate: 0.2 });
      const out: number[] = [];
      for (let i = 0; i < 25; i++) out.push((await simGet(s.url, '/api/tags')).status);
      return out;
    };
    const twin = await startSimulator({ rateLimits: false });
    try {
      const [a, b] = [await statuses(sim), await statuses(twin)];
      assert.deepEqual(a, b);
      assert.ok(a.includes(200) && a.some((s) => s >= 500));
    } finally {
      await twin.close();
    }
  });

  it('counts the bytes of the response bodies it sends, in any layout (the bench reads CPU per MB from it)', async () => {
    sim.resetStats();
    const own = await simGet(sim.url, '/api/events?page[size]=20');
    sim.configure({ layout: ['varied'] });
    const varied = await simGet(sim.url, '/api/events?page[size]=20');
    const refused = await simGet(sim.url, '/api/events?page[size]=20', { apiKey: '' });
    assert.deepEqual([own.status, varied.status, refused.status], [200, 200, 401]);
    const bytes = [own, varied, refused].map((r) => Buffer.byteLength(r.text));
    assert.ok((bytes[1] as number) > (bytes[0] as number), 'a varied page is larger than the own layout\'s');
    assert.equal(sim.stats().bodyBytes, bytes.reduce((a, b) => a + b, 0));
  });

  it('admin: config validation, keys, mutate, stats reset', async () => {
    assert.equal((await admin(sim, 'config', { errorRate: 2 })).status, 400);
    assert.equal((await admin(sim, 'config', { bogus: 1 })).status, 400);
    assert.equal((await admin(sim, 'config')).json['errorRate'], 0);
    assert.equal((await admin(sim, 'keys', { key: 'pk_ro_events', scopes: ['events:read'] })).status, 200);
    assert.equal((await simGet(sim.url, '/api/events', { apiKey: 'pk_ro_events' })).status, 200);
    assert.equal((await simGet(sim.url, '/api/lists', { apiKey: 'pk_ro_events' })).status, 403);
    const mutated = (await admin(sim, 'mutate', { newEvents: 2, newProfiles: 1, tieEvents: 3 })).json as { events: string[]; profiles: string[] };
    assert.equal(mutated.events.length, 5);
    assert.equal(mutated.profiles.length, 1);
    assert.equal((await admin(sim, 'mutate', { explode: 1 })).status, 400);
    const since = new Date(Date.now() - 120_000).toISOString();
    const recent = await simGet(sim.url, `/api/events?filter=greater-than(datetime,${since})`);
    const recentIds = (recent.body as { data: { id: string }[] }).data.map((e) => e.id).sort();
    assert.deepEqual(recentIds, [...mutated.events].sort());
    const stats = (await admin(sim, 'stats')).json as { total: number; maxConcurrent: number };
    assert.ok(stats.total >= 3 && stats.maxConcurrent >= 1);
    assert.equal(((await admin(sim, 'stats/reset', {})).json as { total: number }).total, 0);
  });
});
