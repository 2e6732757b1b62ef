// The completeness audit (`audit: true`), the built tap against the simulator: without faults every audited day
// matches Klaviyo's counts; with `skipEventsOnDays` the table and the warning name exactly those days.
import assert from 'node:assert/strict';
import { applyKnobs, DEFAULT_KNOBS } from '../src/simulator/http/knobs.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { daysAgo, holdOneUtcDay, utcToday } from './helpers/clock.js';
import { E2eWorkspace, settledNow, SIM_KEY, truth } from './helpers/e2e.js';
import { runTapProcess, type TapResult } from '../scripts/lib/processes.js';
import { catalogOfStreams } from './helpers/tap-files.js';
import { CHILD_ENV } from './helpers/child-env.js';

/** Under a year of days: one aggregate request per metric, 12 in all, ~4 s at 3/s. */
const START = daysAgo(150);
/** A test's longest run (its expectations name today's date: the partial day, the days audited). */
const RUN_BUDGET_MS = 60_000;
const ROW = /^(.+?)\s+(\d{4}-\d{2}-\d{2})\s+(\d+)\s+(\d+)\s+(-?\d+)$/;

function tableDays(stderr: string): Set<string> {
  return new Set(stderr.split('\n').flatMap((line) => ROW.exec(line)?.[2] ?? []));
}

describe('completeness audit against the simulator', function () {
  this.timeout(120_000 + RUN_BUDGET_MS);
  beforeEach(() => holdOneUtcDay(RUN_BUDGET_MS));
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 4 });
  });
  after(async () => sim.close());

  it('all days match without the knob; only partial days are not audited', async () => {
    const ws = new E2eWorkspace(sim, { audit: true, start_date: START });
    const run = await ws.run(undefined, catalogOfStreams(['events']));
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const summary = new RegExp(`audit: stream events: all (\\d+) day\\(s\\) x 12 metric\\(s\\) match Klaviyo's counts \\(${START.slice(0, 10)} to \\S+, (\\d+) request\\(s\\)\\)`).exec(run.stderr);
    assert.ok(summary, run.stderr.slice(-1000));
    assert.equal(Number(summary[2]), 12 * Math.ceil(Number(summary[1]) / 365), 'one request per metric per year of days');
    assert.doesNotMatch(run.stderr, /differ|WARN audit/);
    assert.match(run.stderr, new RegExp(`partial, not audited: ${utcToday()}`));
  });

  it('names exactly the days the events listing left events out of, and how to re-sync them', async () => {
    const perDay = new Map<string, number>();
    for (const e of truth(sim, 'events')) perDay.set(String(e['datetime']).slice(0, 10), (perDay.get(String(e['datetime']).slice(0, 10)) ?? 0) + 1);
    const today = utcToday();
    const busiest = [...perDay].filter(([d]) => d < today && d >= START.slice(0, 10)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const skip = busiest.slice(0, 3).map(([d]) => d).sort();
    assert.ok((busiest[2]?.[1] ?? 0) >= 30, 'the chosen days have events enough to lose some');
    sim.configure({ skipEventsOnDays: skip });
    try {
      const ws = new E2eWorkspace(sim, { start_date: START });
      const plain = await ws.run(undefined, catalogOfStreams(['events']));
      assert.equal(plain.code, 0);
      assert.doesNotMatch(plain.stderr, /audit:/, 'no audit without the setting');
      const withFlag = await withArgs(ws, ['--audit']);
      assert.equal(withFlag.code, 0, withFlag.stderr.slice(-2000));
      assert.deepEqual([...tableDays(withFlag.stderr)].sort(), skip);
      const warning = withFlag.stderr.split('\n').find((l) => l.startsWith('WARN audit: stream events:')) ?? '';
      assert.ok(warning.includes(skip.join(', ')), warning);
      assert.ok(warning.includes(`"start_date": "${skip[0]}T00:00:00Z"`), warning);
      for (const line of withFlag.stderr.split('\n')) {
        const m = ROW.exec(line);
        if (m) assert.equal(Number(m[5]), Number(m[4]) - Number(m[3]), line);
        if (m) assert.ok(Number(m[5]) < 0, line);
      }
    } finally {
      sim.configure({ skipEventsOnDays: [] });
    }
  });

  it('an incremental run audits the whole days of its lookback, events skipped at the bookmark counted as sent', async () => {
    const ws = new E2eWorkspace(sim, { audit: true, start_date: START, lookback_days: 3 });
    const first = await ws.run(undefined, catalogOfStreams(['events']));
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    sim.mutate({ newEvents: 20, tieEvents: 6, at: settledNow() });
    const next = await ws.run(first.state, catalogOfStreams(['events']));
    assert.equal(next.code, 0, next.stderr.slice(-2000));
    assert.ok((next.records.get('events') ?? []).length > 0, 'the lookback re-read events');
    assert.match(next.stderr, /audit: stream events: all \d+ day\(s\) x 12 metric\(s\) match Klaviyo's counts/);
    assert.match(next.stderr, /audit: stream events: partial, not audited: \d{4}-\d{2}-\d{2}, \d{4}-\d{2}-\d{2}\n/);
    assert.doesNotMatch(next.stderr, /differ|WARN audit/);
  });

  it('a failed audit is a warning: the sync stands, exit 0', async () => {
    sim.addKey('pk_audit_events_only', ['events:read']);
    const ws = new E2eWorkspace(sim, { audit: true, start_date: START, api_key: 'pk_audit_events_only' });
    const run = await ws.run(undefined, catalogOfStreams(['events']));
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    assert.ok((run.records.get('events') ?? []).length > 0);
    assert.match(run.stderr, /WARN audit: stream events: not completed \(.*403.*\); the sync itself is complete/);
    assert.ok(!run.stderr.includes('pk_audit_events_only'), 'the key never shows');
  });
});

describe('simulator knob skipEventsOnDays', () => {
  it('takes a list of UTC days and refuses anything else, naming the knob', () => {
    assert.deepEqual(applyKnobs(DEFAULT_KNOBS, { skipEventsOnDays: ['2025-03-04'] }).skipEventsOnDays, ['2025-03-04']);
    assert.deepEqual(DEFAULT_KNOBS.skipEventsOnDays, []);
    for (const bad of ['2025-03-04', ['2025-3-4'], ['2025-03-04T00:00:00Z'], [20250304], ['2025-13-01']]) {
      assert.throws(() => applyKnobs(DEFAULT_KNOBS, { skipEventsOnDays: bad }), /skipEventsOnDays must be a list of UTC days/, JSON.stringify(bad));
    }
  });
});

/** One run of the workspace's config with extra CLI flags. */
async function withArgs(ws: E2eWorkspace, extra: string[]): Promise<TapResult> {
  const config = ws.write('config-flag.json', { api_key: SIM_KEY, base_url: ws.sim.url, start_date: START, lookback_days: 0, request_timeout_s: 3 });
  const args = ['--config', config, '--catalog', ws.write('catalog-flag.json', catalogOfStreams(['events'])), ...extra];
  return runTapProcess(args, `${ws.dir}/out-flag.jsonl`, CHILD_ENV);
}
