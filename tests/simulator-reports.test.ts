// The simulator's Reporting API: bad bodies are JSON:API 400s pointing at the member, good ones return the
// statistics the ground truth counts, and the daily quota holds per simulated day.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { PINNED_WORLD } from './helpers/clock.js';

const KEY = 'pk_sim_reports_test';
const PATH = '/api/flow-series-reports';

describe('simulator: Reporting API', function () {
  this.timeout(30_000);
  let sim: Simulator;
  let metric: string;
  before(async () => {
    sim = await startSimulator({ seed: 3, apiKey: KEY, rateLimits: false, ...PINNED_WORLD });
    const metrics = (await (await fetch(`${sim.url}/api/metrics`, { headers: { Authorization: `Klaviyo-API-Key ${KEY}`, revision: '2026-07-15' } })).json()) as { data: Array<{ id: string; attributes: { name: string } }> };
    metric = metrics.data.find((m) => m.attributes.name === 'Placed Order')?.id ?? '';
  });
  after(async () => sim.close());

  const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Klaviyo-API-Key ${KEY}`, revision: '2026-07-15', 'Content-Type': 'application/vnd.api+json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
  };
  const attributes = (patch: Record<string, unknown> = {}): Record<string, unknown> => ({
    statistics: ['opens', 'open_rate'],
    timeframe: { start: '2026-09-01T00:00:00+00:00', end: '2026-10-01T00:00:00+00:00' },
    conversion_metric_id: metric,
    interval: 'daily',
    ...patch,
  });
  const body = (patch: Record<string, unknown> = {}, type = 'flow-series-report'): unknown => ({ data: { type, attributes: attributes(patch) } });

  const bad: Array<[string, () => unknown, string]> = [
    ['not JSON', () => '{"data":', '/'],
    ['the wrong type', () => body({}, 'flow-values-report'), '/data/type'],
    ['an unknown statistic', () => body({ statistics: ['opens', 'revenue'] }), '/data/attributes/statistics/1'],
    ['no statistics', () => body({ statistics: [] }), '/data/attributes/statistics'],
    ['an unknown attribute', () => body({ sort: 'opens' }), '/data/attributes/sort'],
    ['a timeframe ending before it starts', () => body({ timeframe: { start: '2026-10-01T00:00:00Z', end: '2026-09-01T00:00:00Z' } }), '/data/attributes/timeframe'],
    ['daily intervals over 60 days', () => body({ timeframe: { start: '2026-06-01T00:00:00Z', end: '2026-09-01T00:00:00Z' } }), '/data/attributes/timeframe'],
    ['an unknown conversion metric', () => body({ conversion_metric_id: 'NOPE' }), '/data/attributes/conversion_metric_id'],
    ['no interval', () => body({ interval: undefined }), '/data/attributes/interval'],
  ];
  for (const [name, payload, pointer] of bad) {
    it(`answers 400 to ${name}, pointing at ${pointer}`, async () => {
      const res = await post(PATH, payload());
      assert.equal(res.status, 400);
      const [error] = res.json['errors'] as Array<{ code: string; source: { pointer: string } }>;
      assert.equal(error?.source.pointer, pointer);
    });
  }

  it('answers GET with 405, and a valid query with one value per day for each statistic', async () => {
    const get = await fetch(`${sim.url}${PATH}`, { headers: { Authorization: `Klaviyo-API-Key ${KEY}`, revision: '2026-07-15' } });
    assert.equal(get.status, 405);
    const res = await post(PATH, body());
    assert.equal(res.status, 200);
    const attrs = (res.json['data'] as { attributes: { date_times: string[]; results: Array<{ groupings: Record<string, string>; statistics: Record<string, number[]> }> } }).attributes;
    assert.equal(attrs.date_times.length, 30);
    assert.equal(attrs.date_times[0], '2026-09-01T00:00:00+00:00');
    assert.ok(attrs.results.length > 0);
    for (const r of attrs.results) {
      assert.deepEqual(Object.keys(r.groupings), ['flow_id', 'flow_message_id', 'send_channel']);
      for (const values of Object.values(r.statistics)) assert.equal(values.length, 30);
    }
  });

  it('counts the daily quota per simulated day: 429 with an hours-long Retry-After once spent, fresh the next day', async () => {
    sim.configure({ rateLimits: true, rateLimitFactor: 0.01, rateLimitSpeedup: 1000 });
    const values = { data: { type: 'flow-values-report', attributes: { statistics: ['opens'], timeframe: { start: '2026-01-01T00:00:00Z', end: '2026-10-01T00:00:00Z' }, conversion_metric_id: metric } } };
    const wait = (): Promise<void> => new Promise((r) => setTimeout(r, 70));
    // 0.01 of 225: two a day.
    for (let i = 0; i < 2; i++) {
      assert.equal((await post('/api/flow-values-reports', values)).status, 200);
      await wait();
    }
    const refused = await post('/api/flow-values-reports', values);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.retryAfter) >= 3600, `Retry-After ${refused.retryAfter}`);
    assert.equal(sim.usedToday('query_flow_values'), 2);
    assert.equal(sim.refusedDaily('query_flow_values'), 1);
    sim.advanceDay();
    await wait();
    assert.equal((await post('/api/flow-values-reports', values)).status, 200);
  });

  const aggregate = (patch: Record<string, unknown>): unknown => ({
    data: { type: 'metric-aggregate', attributes: { metric_id: metric, measurements: ['count'], interval: 'day', filter: ['greater-or-equal(datetime,2026-01-01T00:00:00)', 'less-than(datetime,2026-02-01T00:00:00)'], ...patch } },
  });
  const badAggregates: Array<[string, () => unknown, string]> = [
    ['an unknown metric', () => aggregate({ metric_id: 'NOPE' }), '/data/attributes/metric_id'],
    ['an unknown measurement', () => aggregate({ measurements: ['count', 'median'] }), '/data/attributes/measurements'],
    ['no datetime range', () => aggregate({ filter: ['greater-or-equal(datetime,2026-01-01T00:00:00)'] }), '/data/attributes/filter'],
    ['a range over a year', () => aggregate({ filter: ['greater-or-equal(datetime,2024-01-01T00:00:00)', 'less-than(datetime,2026-01-01T00:00:00)'] }), '/data/attributes/filter'],
  ];
  for (const [name, payload, pointer] of badAggregates) {
    it(`metric aggregates: answers 400 to ${name}, pointing at ${pointer}`, async () => {
      sim.configure({ rateLimits: false });
      const res = await post('/api/metric-aggregates', payload());
      assert.equal(res.status, 400);
      assert.equal((res.json['errors'] as Array<{ source: { pointer: string } }>)[0]?.source.pointer, pointer);
    });
  }

  it('metric aggregates: one value per day and measurement', async () => {
    const res = await post('/api/metric-aggregates', aggregate({ measurements: ['count', 'unique', 'sum_value'] }));
    assert.equal(res.status, 200);
    const attrs = (res.json['data'] as { attributes: { dates: string[]; data: Array<{ measurements: Record<string, number[]> }> } }).attributes;
    assert.equal(attrs.dates.length, 31);
    for (const m of ['count', 'unique', 'sum_value']) assert.equal(attrs.data[0]?.measurements[m]?.length, 31, m);
  });
});
