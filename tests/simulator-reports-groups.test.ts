// The simulator's form and segment reports: their bodies take no conversion metric (and segments no group_by),
// a form's values equal the sum of its daily series, and segment statistics follow members removed through
// /__admin/mutate (the removal is counted on its day and the total drops by one).
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

const KEY = 'pk_sim_reports_groups';
const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

type Results = Array<{ groupings: Record<string, string>; statistics: Record<string, number | number[]> }>;

describe('simulator: form and segment reports', function () {
  this.timeout(30_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 5, apiKey: KEY, rateLimits: false });
  });
  after(async () => sim.close());

  const post = async (path: string, type: string, attributes: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Klaviyo-API-Key ${KEY}`, revision: '2026-07-15', 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type, attributes } }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const results = (json: Record<string, unknown>): Results => (json['data'] as { attributes: { results: Results } }).attributes.results;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const timeframe = (days: number, end = today): Record<string, string> => ({ start: iso(end - days * DAY_MS), end: iso(end) });

  for (const [path, type, extra, pointer] of [
    ['/api/form-values-reports', 'form-values-report', { conversion_metric_id: 'X' }, '/data/attributes/conversion_metric_id'],
    ['/api/segment-values-reports', 'segment-values-report', { group_by: ['segment_id'] }, '/data/attributes/group_by'],
    ['/api/segment-series-reports', 'segment-series-report', { statistics: ['members_added', 'opens'], interval: 'daily' }, '/data/attributes/statistics/1'],
  ] as const) {
    it(`${type}: answers 400 pointing at ${pointer}`, async () => {
      const res = await post(path, type, { statistics: ['members_added'], timeframe: timeframe(30), ...extra });
      assert.equal(res.status, 400);
      assert.equal((res.json['errors'] as Array<{ source: { pointer: string } }>)[0]?.source.pointer, pointer);
    });
  }

  it("a form's values over 60 days are the sums of its 60 daily values (rates aside)", async () => {
    const statistics = ['viewed_form', 'viewed_form_uniques', 'submits', 'closed_form', 'submit_rate'];
    const values = await post('/api/form-values-reports', 'form-values-report', { statistics, timeframe: timeframe(60) });
    const series = await post('/api/form-series-reports', 'form-series-report', { statistics, timeframe: timeframe(60), interval: 'daily' });
    assert.equal(values.status, 200);
    assert.equal(series.status, 200);
    const byForm = new Map(results(series.json).map((r) => [r.groupings['form_id'], r.statistics]));
    assert.ok(results(values.json).length > 0, 'live forms have activity');
    assert.deepEqual([...byForm.keys()].sort(), results(values.json).map((r) => r.groupings['form_id']).sort());
    for (const r of results(values.json)) {
      const daily = byForm.get(r.groupings['form_id']) ?? {};
      for (const s of ['viewed_form', 'viewed_form_uniques', 'submits', 'closed_form']) {
        assert.equal(r.statistics[s], (daily[s] as number[]).reduce((a, b) => a + b, 0), s);
      }
      const rate = Number(r.statistics['submits']) / Number(r.statistics['viewed_form_uniques']);
      assert.ok(Math.abs(Number(r.statistics['submit_rate']) - rate) < 1e-6, 'submit_rate');
      assert.ok(Number(r.statistics['submits']) <= Number(r.statistics['viewed_form_uniques']));
    }
  });

  it('segment statistics: the total is the members table; a removal counts on its day and lowers the total', async () => {
    const statistics = ['members_added', 'members_removed', 'net_members_changed', 'total_members'];
    const tomorrow = today + DAY_MS;
    const totals = async (): Promise<Map<string, Record<string, number>>> => {
      const res = await post('/api/segment-values-reports', 'segment-values-report', { statistics, timeframe: timeframe(365, tomorrow) });
      assert.equal(res.status, 200);
      return new Map(results(res.json).map((r) => [r.groupings['segment_id'] ?? '', r.statistics as Record<string, number>]));
    };
    const before = await totals();
    for (const [id, members] of sim.world.segmentMembers) if (members.size() > 0) assert.equal(before.get(id)?.['total_members'], members.size(), id);
    const removed = sim.mutate({ removedSegmentMembers: 1 }).deleted.segmentMembers;
    const [segment] = (removed[0] ?? '').split('/');
    const after = await totals();
    const was = before.get(segment ?? '') ?? {};
    const now = after.get(segment ?? '') ?? {};
    assert.equal(now['total_members'], (was['total_members'] ?? 0) - 1);
    assert.equal(now['members_removed'], (was['members_removed'] ?? 0) + 1);
    assert.equal(now['net_members_changed'], (now['members_added'] ?? 0) - (now['members_removed'] ?? 0));
    const series = await post('/api/segment-series-reports', 'segment-series-report', { statistics, timeframe: timeframe(2, tomorrow), interval: 'daily' });
    const row = results(series.json).find((r) => r.groupings['segment_id'] === segment);
    assert.deepEqual(row?.statistics['members_removed'], [0, 1], 'removed today');
    assert.deepEqual((row?.statistics['total_members'] as number[] | undefined)?.[1], now['total_members']);
  });
});
