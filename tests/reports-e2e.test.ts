// The Reporting API streams end to end: the built tap against the simulator equals the ground truth (clean and
// with faults); a second run re-reads only the series' recent days; two simulated days of syncs under a tight
// report_daily_budget never send more than planned and finish the backfill on day two; a spent daily quota
// (Klaviyo's 429 with an hours-long Retry-After) stops the reports with a warning, exit 0, other streams intact.
import assert from 'node:assert/strict';
import { reportTruthRecords } from '../src/simulator/report-truth.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { builtInStreams } from '../src/streams/registry.js';
import { ReportStream } from '../src/tap/reports/report-stream.js';
import { discover } from '../src/tap/singer/catalog.js';
import { DAY_MS, daysAgo, holdOneUtcDay } from './helpers/clock.js';
import { canonical, E2eWorkspace, keyOf, SIM_KEY, truth, type E2eRun, type Row } from './helpers/e2e.js';

const REPORTS = builtInStreams().filter((s): s is ReportStream => s instanceof ReportStream);
const SERIES = 'flow_series_reports';
const ALL_SERIES = REPORTS.filter((s) => s.replicationKey !== null);
const ALL_VALUES = REPORTS.filter((s) => s.replicationKey === null);
const FAULTS = { latencyMs: 3, jitterMs: 5, errorRate: 0.05, resetRate: 0.03, truncateRate: 0.03, htmlRate: 0.03 };
const AGGREGATES = 'metric_aggregates';
/** About 17 months of metric aggregates: two requests per metric (one per year of days). */
const AGGREGATES_FROM = daysAgo(520);
/** Each test's longest run, the clean first sync and its re-read (about 20 s alone, longer on a busy machine). */
const RUN_BUDGET_MS = 100_000;

/** A catalog selecting the report streams (and `extra` streams), every field. */
function catalogOf(extra: readonly string[] = []): unknown {
  const catalog = discover(builtInStreams().filter((s) => s instanceof ReportStream || extra.includes(s.name)));
  for (const s of catalog.streams) for (const m of s.metadata) m.metadata['selected'] = true;
  return catalog;
}

function assertSame(got: readonly Row[], want: readonly Row[], stream: string): void {
  const seen = canonical(got, stream);
  const expected = canonical(want, stream);
  assert.equal(seen.size, got.length, `${stream}: a row was sent twice`);
  assert.ok(expected.size > 0, `${stream}: the ground truth has rows`);
  const missing = [...expected.keys()].filter((k) => !seen.has(k));
  const extra = [...seen.keys()].filter((k) => !expected.has(k));
  assert.deepEqual({ missing: missing.slice(0, 3), extra: extra.slice(0, 3) }, { missing: [], extra: [] }, `${stream} keys`);
  for (const [k, v] of expected) assert.equal(seen.get(k), v, `${stream} row ${k}`);
}

function ok(run: E2eRun): void {
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  assert.ok(!run.stderr.includes(SIM_KEY) && !run.lines.some((l) => l.includes(SIM_KEY)), 'API key shown');
}

type State = { bookmarks: Record<string, { report_quota?: { day: string; requests: number }; replication_key_value?: string }> };

/** The state a run on the next UTC day starts from: its report quotas dated a day back (the tap's clock is real). */
function dayLater(state: unknown): State {
  const copy = structuredClone(state) as State;
  for (const entry of Object.values(copy.bookmarks)) {
    if (entry.report_quota) entry.report_quota.day = new Date(Date.parse(entry.report_quota.day) - DAY_MS).toISOString().slice(0, 10);
  }
  return copy;
}

// At most 2 report requests per endpoint and run (Klaviyo's 2 a minute): the tap learns the simulator's shortened
// windows only from RateLimit headers, so a third request (or a retry after a fault, which has no headers) may
// wait out a real minute. Clean: report_days 120 (two series windows); faults: 60 (one).
for (const [label, knobs, reportDays] of [
  ['clean', {}, 120],
  ['latency and faults', FAULTS, 60],
] as const) {
  describe(`report streams end to end (${label})`, function () {
    this.timeout(120_000 + RUN_BUDGET_MS);
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 60, ...knobs });
    });
    after(async () => sim.close());

    it('a first run equals the ground truth; the next re-reads only the series days within report_reread_days', async () => {
      await holdOneUtcDay(RUN_BUDGET_MS);
      // metric_aggregates: one request per metric and year from start_date.
      const ws = new E2eWorkspace(sim, { start_date: AGGREGATES_FROM, report_days: reportDays });
      const reportTruth = (name: string): Row[] => [...reportTruthRecords(sim.world, name, Date.now() * 1000, reportDays)];
      const full = await ws.run(undefined, catalogOf([AGGREGATES]));
      ok(full);
      for (const s of REPORTS) assertSame(full.records.get(s.name) ?? [], reportTruth(s.name), s.name);
      const aggregates = truth(sim, AGGREGATES).filter((r) => String(r['date']) >= AGGREGATES_FROM);
      assertSame(full.records.get(AGGREGATES) ?? [], aggregates, AGGREGATES);

      const again = await ws.run(full.state, catalogOf([AGGREGATES]));
      ok(again);
      assert.equal(again.records.get(AGGREGATES), undefined, 'lookback_days 0: no day to re-read');
      const from = daysAgo(30);
      for (const s of REPORTS) {
        const want = reportTruth(s.name).filter((r) => s.replicationKey === null || String(r['interval_start']) >= from);
        assertSame(again.records.get(s.name) ?? [], want, s.name);
      }
      if (label !== 'clean') assert.ok(Object.values(sim.stats().faults).reduce((a, b) => a + b, 0) > 0, 'faults were injected');
    });
  });
}

describe('report streams under the daily quota', function () {
  this.timeout(120_000 + RUN_BUDGET_MS);
  beforeEach(() => holdOneUtcDay(RUN_BUDGET_MS));

  it('two days of syncs never exceed the planned budget, carry the rest over and finish on day two', async () => {
    const sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 60 });
    try {
      // 0.01 of 225 = 2 requests per endpoint per day; the series backfill of 180 days needs 3 windows.
      const ws = new E2eWorkspace(sim, { report_daily_budget: 0.01, report_days: 180, report_reread_days: 5 });
      const first = await ws.run(undefined, catalogOf());
      ok(first);
      for (const s of ALL_SERIES) {
        assert.equal(sim.usedToday(s.report.operationId), 2, s.name);
        assert.match(first.stderr, new RegExp(`${s.name}: 1 of 3 report requests wait for a later run`));
      }
      const again = await ws.run(first.state, catalogOf());
      ok(again);
      for (const s of ALL_SERIES) {
        assert.equal(sim.usedToday(s.report.operationId), 2, `${s.name}: a second run the same day sends nothing more`);
        assert.equal(again.records.get(s.name), undefined);
        assert.equal((again.state as State).bookmarks[s.name]?.report_quota?.requests, 2);
      }
      // A third run the same day: the values reports' budget is spent too, so their full read is left pending, not
      // activated (an activation after no records would empty their tables in a versioning target).
      const third = await ws.run(again.state, catalogOf());
      ok(third);
      for (const s of ALL_VALUES) {
        assert.equal(sim.usedToday(s.report.operationId), 2, s.name);
        assert.ok(!third.lines.some((l) => l.startsWith('{"type":"ACTIVATE_VERSION"') && l.includes(`"stream":"${s.name}"`)), `${s.name}: no activation`);
        assert.match(third.stderr, new RegExp(`${s.name}: not every report request was sent, so its full read stays pending`));
        assert.equal(typeof (third.state as { bookmarks: Record<string, { pending_version?: number }> }).bookmarks[s.name]?.pending_version, 'number');
      }

      sim.advanceDay();
      const next = await ws.run(dayLater(third.state), catalogOf());
      ok(next);
      // From the bookmark (today - 60 days) less report_reread_days (5): 65 days, two windows.
      for (const s of ALL_SERIES) assert.equal(sim.usedToday(s.report.operationId), 2, s.name);
      for (const s of ALL_VALUES) assert.equal(sim.usedToday(s.report.operationId), 1, s.name);
      // Day two re-reads report_reread_days before the bookmark: those rows come again (same key, same values).
      for (const s of ALL_SERIES) {
        const byKey = new Map<string, Row>();
        for (const r of [...(first.records.get(s.name) ?? []), ...(next.records.get(s.name) ?? [])]) byKey.set(keyOf(s.name)(r), r);
        assertSame([...byKey.values()], [...reportTruthRecords(sim.world, s.name, Date.now() * 1000, 180)], s.name);
        assert.equal(sim.refusedDaily(s.report.operationId), 0, `${s.name}: the tap stayed under the quota`);
      }
    } finally {
      await sim.close();
    }
  });

  it("a spent daily quota stops the reports for the day: a warning, exit 0, one 429, other streams whole", async () => {
    // rateLimitFactor 0.005: Klaviyo allows 1 report request a day here, while the tap's budget allows 225.
    const sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 60, rateLimitFactor: 0.005 });
    try {
      const ws = new E2eWorkspace(sim, { report_daily_budget: 1 });
      const run = await ws.run(undefined, catalogOf(['tags']));
      ok(run);
      assert.match(run.stderr, /flow_series_reports: Klaviyo's daily quota for \/api\/flow-series-reports is spent/);
      assert.equal(sim.refusedDaily('query_flow_series'), 1, 'no retry storm');
      const state = run.state as State;
      assert.equal(state.bookmarks[SERIES]?.replication_key_value, daysAgo(365 - 60));
      assert.equal(state.bookmarks[SERIES]?.report_quota?.requests, 225, 'the rest of the day is written off');
      assertSame(run.records.get('tags') ?? [], truth(sim, 'tags'), 'tags');
    } finally {
      await sim.close();
    }
  });

  it('a conversion_metric the account lacks stops the run with one line naming the setting', async () => {
    const sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 60 });
    try {
      const run = await new E2eWorkspace(sim, { conversion_metric: 'Placed Orders' }).run(undefined, catalogOf());
      assert.notEqual(run.code, 0);
      const last = run.stderr.trim().split('\n').at(-1) ?? '';
      assert.match(last, /conversion_metric "Placed Orders" is no metric of this account; set conversion_metric to one of its metric names \(e\.g\. "Placed Order"\)/);
      assert.equal(sim.usedToday('query_campaign_values') + sim.usedToday('query_flow_series'), 0, 'no report request sent');
    } finally {
      await sim.close();
    }
  });
});
