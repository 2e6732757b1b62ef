// Scenario 2, late events: after a run, events arrive dated one to six days before its bookmark (Klaviyo
// records some events late). With `lookback_days` covering them (globally, or per stream) the next run re-reads
// the window and picks them up: nothing lost; records sent again are allowed only inside the window.
// With lookback_days 0 they are knowingly not picked up: shown and counted here, not asserted as a feature.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { MICROS_PER_DAY, toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, SIM_KEY, truth, type E2eRun, type Row } from '../helpers/e2e.js';
import { assertComplete, assertNoSecret, bookmarkValues, catalogOf, secondsAgo, sumTallies, tally, type StateValue } from '../helpers/reliability.js';
import { report } from './report.js';

const SOAK = process.env['TAP_KLAVIYO_SOAK'] === '1';
const SEEDS = SOAK ? [21, 22, 23, 24, 25, 26] : [21, 22];
const STREAM_NAMES = ['events', 'receive', 'open'];
const CATALOG = catalogOf(STREAM_NAMES);
const LOOKBACK_DAYS = 7;

const micros = (r: Row, field = 'datetime'): number => toMicros(String(r[field])) ?? NaN;

function truthFrom(sim: Simulator, stream: string, start: string): Row[] {
  return truth(sim, stream).filter((r) => micros(r) >= (toMicros(start) ?? 0));
}

/** The earliest bookmark of a stream (over its partitions). */
function earliestBookmark(state: unknown, stream: string): number {
  const entry = (state as StateValue).bookmarks[stream];
  assert.ok(entry, `${stream} has a bookmark`);
  return Math.min(...bookmarkValues({ bookmarks: { [stream]: entry } }).map((b) => b.micros));
}

for (const [index, seed] of SEEDS.entries()) {
  // Every other seed sets the window per stream instead of globally.
  const lookback = index % 2 === 0 ? { lookback_days: LOOKBACK_DAYS } : { streams: Object.fromEntries(STREAM_NAMES.map((s) => [s, { lookback_days: LOOKBACK_DAYS }])) };

  describe(`reliability: late events (seed ${seed}, ${index % 2 === 0 ? 'global' : 'per-stream'} lookback)`, function () {
    let sim: Simulator;
    let start: string;
    let first: E2eRun;
    let late: Set<string>;
    let fresh: Set<string>;

    before(async () => {
      sim = await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
      const base = truth(sim, 'events');
      start = String(base[base.length - 300]?.['datetime']);
      const ws = new E2eWorkspace(sim, { start_date: start, ...lookback });
      const expected = STREAM_NAMES.map((s) => [s, truthFrom(sim, s, start)] as const);
      first = await ws.run(undefined, CATALOG);
      assert.equal(first.code, 0, first.stderr.slice(-2000));
      assertNoSecret(first);
      const t = sumTallies(expected.map(([s, rows]) => tally(s, rows, first.records.get(s) ?? [])));
      assertComplete(t, 'first run');
      // Late events (dated before the bookmark), then a few ordinary new ones.
      late = new Set(sim.mutate({ lateEvents: 25 }).events);
      fresh = new Set(sim.mutate({ newEvents: 10, at: secondsAgo(120) }).events);
      const bookmark = earliestBookmark(first.state, 'events');
      const lateRows = truth(sim, 'events').filter((r) => late.has(String(r['id'])));
      assert.ok(lateRows.every((r) => micros(r) < bookmark && micros(r) >= bookmark - LOOKBACK_DAYS * MICROS_PER_DAY), 'late events fall before the bookmark, inside the window');
    });
    after(async () => sim.close());

    it(`lookback_days ${LOOKBACK_DAYS}: late events are re-read; duplicates only inside the window`, async () => {
      const ws = new E2eWorkspace(sim, { start_date: start, ...lookback });
      const run = await ws.run(first.state, CATALOG);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      assertNoSecret(run);
      const tallies = [];
      let outside: string[] = [];
      for (const stream of STREAM_NAMES) {
        const before = new Set((first.records.get(stream) ?? []).map((r) => String(r['id'])));
        const expected = truthFrom(sim, stream, start).filter((r) => !before.has(String(r['id'])));
        const sent = run.records.get(stream) ?? [];
        const t = tally(stream, expected, sent.filter((r) => !before.has(String(r['id']))));
        // Records the first run already sent: the re-read window's duplicates, each must be inside the window.
        const again = sent.filter((r) => before.has(String(r['id'])));
        const windowStart = earliestBookmark(first.state, stream) - LOOKBACK_DAYS * MICROS_PER_DAY;
        outside = [...outside, ...again.filter((r) => micros(r) < windowStart).map((r) => `${stream} ${String(r['id'])} ${String(r['datetime'])}`)];
        tallies.push({ ...t, duplicates: t.duplicates + again.length, withinRun: t.duplicates + again.length - new Set(again.map((r) => r['id'])).size });
      }
      const total = sumTallies(tallies);
      report({
        scenario: `2. late events: lookback_days ${LOOKBACK_DAYS}`,
        runs: 2,
        expected: total.expected,
        lost: total.lost,
        duplicates: total.duplicates,
        note: 'duplicates allowed inside the lookback window; every one was',
      });
      assert.deepEqual({ lost: total.lost, missing: total.missing.slice(0, 5) }, { lost: 0, missing: [] }, 'late and new events are picked up');
      assert.deepEqual(outside.slice(0, 5), [], 'a duplicate outside the lookback window');
      assert.deepEqual(tallies.map((t) => t.withinRun), STREAM_NAMES.map(() => 0), 'a record sent twice within the run');
      assert.ok(total.duplicates > 0, 'the window was re-read (else this scenario tested nothing)');
    });

    it('lookback_days 0: late events are knowingly not picked up (documented behaviour, not a feature)', async () => {
      const off = index % 2 === 0 ? { lookback_days: 0 } : { streams: Object.fromEntries(STREAM_NAMES.map((s) => [s, { lookback_days: 0 }])) };
      const ws = new E2eWorkspace(sim, { start_date: start, ...off });
      const run = await ws.run(first.state, CATALOG);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      assertNoSecret(run);
      const sent = run.records.get('events') ?? [];
      const before = new Set((first.records.get('events') ?? []).map((r) => String(r['id'])));
      const expected = truthFrom(sim, 'events', start).filter((r) => !before.has(String(r['id'])));
      // What the tap promises without a window: every event after the bookmark, once, and nothing re-sent.
      const t = tally('events', expected.filter((r) => !late.has(String(r['id']))), sent);
      assertComplete(t, 'events after the bookmark');
      assert.equal(t.expected, fresh.size);
      const missed = [...late].filter((id) => !sent.some((r) => r['id'] === id)).length;
      report({
        scenario: '2. late events: lookback_days 0 (documented)',
        runs: 1,
        expected: expected.length,
        lost: missed,
        duplicates: t.duplicates,
        note: 'lookback off: late events knowingly not re-read; shown, not asserted',
      });
    });
  });
}
