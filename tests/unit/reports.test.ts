// Reporting API: the windows a run plans, the daily allowance, the series rows, and the POST client against nock
// (JSON:API body and media type; a 429 with a window-long Retry-After is retried, an hours-long one is not).
import assert from 'node:assert/strict';
import nock from 'nock';
import { FlowSeriesReports } from '../../src/streams/flow_series_reports.js';
import { CampaignValuesReports } from '../../src/streams/campaign_values_reports.js';
import { FormSeriesReports } from '../../src/streams/form_series_reports.js';
import { SegmentValuesReports } from '../../src/streams/segment_values_reports.js';
import type { TapConfig } from '../../src/tap/config/config.js';
import { QuotaExhaustedError } from '../../src/tap/shared/errors.js';
import { KlaviyoClient } from '../../src/tap/http/http.js';
import { setLogSink } from '../../src/tap/shared/log.js';
import { warnIfEmpty } from '../../src/tap/reports/reports.js';
import { dailyAllowance, reportWindows, usedToday } from '../../src/tap/reports/report-windows.js';
import type { StreamRuntime } from '../../src/tap/engine/stream-types.js';
import { StateStore } from '../../src/tap/state/state.js';
import { budgetOf } from '../../src/tap/http/endpoint-facts.js';
import { fromMicros, MICROS_PER_DAY, toMicros } from '../../src/tap/shared/time.js';

const BASE = 'https://a.klaviyo.test';
const TODAY = toMicros('2026-11-30T00:00:00Z') ?? 0;
const config = (patch: Partial<TapConfig> = {}): TapConfig => ({ start_date: '2020-01-01T00:00:00Z', report_days: 365, report_reread_days: 30, ...patch }) as TapConfig;
const days = (windows: Array<{ start: number; end: number }>): Array<[string, string]> => windows.map((w) => [fromMicros(w.start).slice(0, 10), fromMicros(w.end).slice(0, 10)]);

describe('report windows', () => {
  const series = new FlowSeriesReports();
  const values = new CampaignValuesReports();
  const cases: Array<[string, typeof series | typeof values, Partial<TapConfig>, string | null, number, string, string]> = [
    ['values: one timeframe of report_days', values, {}, null, 1, '2025-11-30', '2026-11-30'],
    ['values: report_days 30', values, { report_days: 30 }, null, 1, '2026-10-31', '2026-11-30'],
    ['values: never before start_date', values, { start_date: '2026-11-01' }, null, 1, '2026-11-01', '2026-11-30'],
    ['series first run: 365 days in 60-day windows', series, {}, null, 7, '2025-11-30', '2026-11-30'],
    ['series after a run: report_reread_days back from the bookmark', series, {}, '2026-11-30T00:00:00Z', 1, '2026-10-31', '2026-11-30'],
    ['series resuming a carried-over backfill', series, {}, '2026-03-28T00:00:00Z', 5, '2026-02-26', '2026-11-30'],
    ['series: a bookmark in the future reads the last days', series, {}, '2027-01-01T00:00:00Z', 1, '2026-10-31', '2026-11-30'],
  ];
  for (const [name, stream, patch, bookmark, count, first, last] of cases) {
    it(name, () => {
      const windows = reportWindows(stream, config(patch), bookmark === null ? null : toMicros(bookmark), TODAY);
      assert.equal(windows.length, count);
      assert.equal(days(windows)[0]?.[0], first);
      assert.equal(days(windows).at(-1)?.[1], last);
      for (const w of windows) assert.ok(w.end - w.start <= stream.maxDays * MICROS_PER_DAY && w.start % MICROS_PER_DAY === 0);
      for (let i = 1; i < windows.length; i++) assert.equal(windows[i]?.start, windows[i - 1]?.end, 'contiguous');
    });
  }

  it('the daily allowance is a share of the quota, and what was sent on another day does not count', () => {
    assert.deepEqual([dailyAllowance(225, 0.5), dailyAllowance(225, 1), dailyAllowance(225, 0.02)], [112, 225, 4]);
    const store = new StateStore({ bookmarks: { flow_series_reports: { report_quota: { day: '2026-11-29', requests: 50 } } } });
    assert.equal(usedToday(store, 'flow_series_reports', '2026-11-30'), 0);
    assert.equal(usedToday(store, 'flow_series_reports', '2026-11-29'), 50);
  });

  it('series rows: one per grouping and day with activity, statistics flattened to numbers', () => {
    const doc = {
      data: {
        type: 'flow-series-report',
        attributes: {
          date_times: ['2026-11-01T00:00:00+00:00', '2026-11-02T00:00:00+00:00'],
          results: [{ groupings: { flow_id: 'F1', flow_message_id: 'M1', send_channel: 'email' }, statistics: { opens: [0, 3], open_rate: [0, 0.5] } }],
        },
      },
    };
    const window = { start: toMicros('2026-11-01T00:00:00Z') ?? 0, end: toMicros('2026-11-03T00:00:00Z') ?? 0 };
    assert.deepEqual(series.toReportRecords(doc as never, window), [
      { flow_id: 'F1', flow_message_id: 'M1', send_channel: 'email', interval_start: '2026-11-02T00:00:00Z', opens: 3, open_rate: 0.5 },
    ]);
  });
});

describe('a report without rows', () => {
  after(() => setLogSink((line) => process.stderr.write(`${line}\n`)));

  for (const [name, found, warned] of [
    ['warns when the account sent campaigns in the timeframe', 1, true],
    ['is quiet when it sent none', 0, false],
  ] as const) {
    it(name, async () => {
      const lines: string[] = [];
      setLogSink((line) => lines.push(line));
      const urls: string[] = [];
      const client = { get: async (url: string) => (urls.push(url), { data: Array.from({ length: found }, (_, i) => ({ type: 'campaign', id: `C${i}` })) }) };
      const stream = new CampaignValuesReports();
      const window = { start: TODAY - 365 * MICROS_PER_DAY, end: TODAY };
      await warnIfEmpty(stream, stream.probe(window), { client } as unknown as StreamRuntime, window);
      assert.match(decodeURIComponent(urls[0] ?? ''), /^\/api\/campaigns\?filter=equals\(messages\.channel,'email'\),any\(status,\['Sent','Variations Sent'\]\),greater-or-equal\(scheduled_at,2025-11-30T00:00:00Z\),less-than\(scheduled_at,2026-11-30T00:00:00Z\)$/);
      assert.equal(lines.some((l) => /^WARN stream campaign_values_reports: the report for .* has no rows, yet the account has sent email campaigns in it/.test(l)), warned, lines.join('\n'));
    });
  }
});

describe('a form or segment report without rows', () => {
  after(() => setLogSink((line) => process.stderr.write(`${line}\n`)));

  for (const [stream, url, what] of [
    [new FormSeriesReports(), /^\/api\/forms\?filter=equals\(status,'live'\),less-than\(created_at,2026-11-30T00:00:00Z\)$/, 'live forms'],
    [new SegmentValuesReports(), /^\/api\/segments$/, 'segments'],
  ] as const) {
    it(`${stream.name}: probes ${what} and warns when there are some`, async () => {
      const lines: string[] = [];
      setLogSink((line) => lines.push(line));
      const urls: string[] = [];
      const client = { get: async (u: string) => (urls.push(u), { data: [{ type: 'x', id: 'X1' }] }) };
      const window = { start: TODAY - 60 * MICROS_PER_DAY, end: TODAY };
      await warnIfEmpty(stream, stream.probe(window), { client } as unknown as StreamRuntime, window);
      assert.match(decodeURIComponent(urls[0] ?? ''), url);
      assert.ok(lines.some((l) => l.startsWith(`WARN stream ${stream.name}: the report for `) && l.includes(`yet the account has ${what} in it`)), lines.join('\n'));
    });
  }
});

describe('POST to a report endpoint (nock)', () => {
  const stream = new FlowSeriesReports();
  const client = (): KlaviyoClient =>
    new KlaviyoClient({ baseUrl: BASE, apiKey: 'pk_test_reports_1234', revision: '2026-07-15', timeoutMs: 5000, maxRetries: 3, initialRetryWaitMs: 1, maxRetryWaitMs: 5, maxInFlight: 2, userAgent: 'test' });
  const body = stream.body({ start: TODAY - 60 * MICROS_PER_DAY, end: TODAY }, { id: 'PLACED', name: 'Placed Order', counted: true });
  const ok = { data: { type: 'flow-series-report', attributes: { results: [], date_times: [] } }, links: { self: `${BASE}/api/flow-series-reports` } };
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => {
    nock.enableNetConnect();
    setLogSink((line) => process.stderr.write(`${line}\n`));
  });

  it('sends the JSON:API body with its media type and counts every attempt (a steady-window 429 is retried)', async () => {
    setLogSink(() => undefined);
    const scope = nock(BASE, { reqheaders: { 'content-type': 'application/vnd.api+json', revision: '2026-07-15' } })
      .post('/api/flow-series-reports', (b: { data: { type: string; attributes: Record<string, unknown> } }) => b.data.type === 'flow-series-report' && b.data.attributes['interval'] === 'daily' && b.data.attributes['conversion_metric_id'] === 'PLACED')
      .reply(429, { errors: [{ id: '1', code: 'throttled', title: 't', detail: 'Expected available in 1 second(s).' }] }, { 'Retry-After': '0' })
      .post('/api/flow-series-reports')
      .reply(200, ok, { 'Content-Type': 'application/vnd.api+json' });
    const attempts = { sent: 0 };
    const doc = await client().post(stream.path, body, budgetOf(stream.facts), attempts);
    assert.ok(doc.data);
    assert.equal(attempts.sent, 2);
    scope.done();
  });

  it('a 429 asking to wait for hours is the daily quota: one request, no retry, a QuotaExhaustedError', async () => {
    const scope = nock(BASE)
      .post('/api/flow-series-reports')
      .reply(429, { errors: [{ id: '1', code: 'throttled', title: 't', detail: 'daily limit' }] }, { 'Retry-After': String(5 * 3600) });
    const attempts = { sent: 0 };
    await assert.rejects(client().post(stream.path, body, budgetOf(stream.facts), attempts), (err: unknown) => err instanceof QuotaExhaustedError && /daily quota is spent/.test(err.message));
    assert.equal(attempts.sent, 1);
    scope.done();
  });
});
