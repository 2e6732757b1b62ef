// Scenario 1, ties: many events share one timestamp, across page boundaries (page size 7 against tie groups of
// 17 and 23) and across run boundaries: (a) more events arrive at the very second the bookmark stopped at, and
// (b) a run resumes from a STATE written in the middle of a tie group (its boundary_ids hold part of the group).
// Nothing may be lost and nothing sent twice.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, SIM_KEY, truth, type Row } from '../helpers/e2e.js';
import { assertComplete, assertNoSecret, catalogOf, secondsAgo, sentRecords, stateLines, tally, type Bookmark } from '../helpers/reliability.js';
import { report } from './report.js';

const SOAK = process.env['TAP_KLAVIYO_SOAK'] === '1';
const SEEDS = SOAK ? [11, 12, 13, 14, 15, 16, 17, 18] : [11, 12, 13];
const PAGE = 7;
const CATALOG = catalogOf(['events']);

/** Events dated at or after `start`. */
function eventsFrom(sim: Simulator, start: string): Row[] {
  const from = toMicros(start) ?? 0;
  return truth(sim, 'events').filter((r) => (toMicros(String(r['datetime'])) ?? 0) >= from);
}

function eventsBookmark(state: unknown): Bookmark {
  const mark = (state as { bookmarks: Record<string, Bookmark> }).bookmarks['events'];
  assert.ok(mark, 'an events bookmark');
  return mark;
}

for (const seed of SEEDS) {
  describe(`reliability: ties (seed ${seed})`, function () {
    let sim: Simulator;
    let start: string;
    /** The seconds the tie groups share. */
    const tieSeconds: string[] = [];

    before(async () => {
      sim = await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true, latencyMs: 2, jitterMs: 4 });
      const base = truth(sim, 'events');
      start = String(base[base.length - 120]?.['datetime']);
      for (const [count, ago] of [
        [17, 400],
        [23, 300],
      ] as const) {
        const ids = sim.mutate({ tieEvents: count, at: secondsAgo(ago) }).events;
        const rows = truth(sim, 'events').filter((r) => ids.includes(String(r['id'])));
        assert.equal(new Set(rows.map((r) => r['datetime'])).size, 1, 'a tie group shares one second');
        tieSeconds.push(String(rows[0]?.['datetime']));
      }
    });
    after(async () => sim.close());

    it('page boundaries inside tie groups, then more events at the bookmark second in the next run', async () => {
      const ws = new E2eWorkspace(sim, { start_date: start, streams: { events: { page_size: PAGE } } });
      const expected1 = eventsFrom(sim, start);
      const run1 = await ws.run(undefined, CATALOG);
      assert.equal(run1.code, 0, run1.stderr.slice(-2000));
      assertNoSecret(run1);
      const t1 = tally('events', expected1, run1.records.get('events') ?? []);
      report({ scenario: '1. ties: page boundaries in tie groups', runs: 1, expected: t1.expected, lost: t1.lost, duplicates: t1.duplicates });
      assertComplete(t1, 'first run');

      // The run stopped inside the last tie group's second: the bookmark is that second, with all its ids.
      const mark = eventsBookmark(run1.state);
      assert.equal(toMicros(mark.replication_key_value), toMicros(tieSeconds[1] ?? ''), 'the bookmark is the tie second');
      assert.equal(mark.boundary_ids?.length, 23);

      // More events at that very second (and a newer tie group) arrive before the next run.
      sim.mutate({ tieEvents: 9, at: new Date((toMicros(tieSeconds[1] ?? '') ?? 0) / 1000 + 2000).toISOString() });
      sim.mutate({ tieEvents: 12, at: secondsAgo(200) });
      const already = new Set(expected1.map((r) => String(r['id'])));
      const expected2 = eventsFrom(sim, start).filter((r) => !already.has(String(r['id'])));
      assert.equal(expected2.length, 21);
      const run2 = await ws.run(run1.state, CATALOG);
      assert.equal(run2.code, 0, run2.stderr.slice(-2000));
      assertNoSecret(run2);
      const t2 = tally('events', expected2, run2.records.get('events') ?? []);
      report({ scenario: '1. ties: run boundary at a tie second', runs: 1, expected: t2.expected, lost: t2.lost, duplicates: t2.duplicates });
      assertComplete(t2, 'second run: exactly the events that arrived since');
    });

    it('resuming from a STATE written in the middle of a tie group', async () => {
      // One window at a time, so a STATE covers exactly the records written before it.
      const ws = new E2eWorkspace(sim, { start_date: start, max_requests_in_flight: 1, streams: { events: { page_size: PAGE } } });
      const expected = eventsFrom(sim, start);
      const full = await ws.run(undefined, CATALOG);
      assert.equal(full.code, 0, full.stderr.slice(-2000));
      assertNoSecret(full);
      const groupSize = (second: string): number => expected.filter((r) => r['datetime'] === second).length;
      const midGroup = stateLines(full).filter(({ value }) => {
        const mark = eventsBookmark(value);
        const second = tieSeconds.find((s) => toMicros(s) === toMicros(mark.replication_key_value));
        const held = mark.boundary_ids?.length ?? 0;
        return second !== undefined && held > 0 && held < groupSize(second);
      });
      const whole = tally('events', expected, full.records.get('events') ?? []);
      report({ scenario: '1. ties: resume from a STATE inside a tie group', runs: 1, expected: whole.expected, lost: whole.lost, duplicates: whole.duplicates });
      assertComplete(whole, 'the uninterrupted run');
      assert.ok(midGroup.length >= 4, `STATEs inside both tie groups (got ${midGroup.length})`);
      // The first and the last such STATE: one in each group.
      for (const resumeAt of [midGroup[0], midGroup[midGroup.length - 1]]) {
        if (!resumeAt) continue;
        const before = sentRecords(full, 'events').filter((r) => r.line < resumeAt.line).map((r) => r.record);
        const resumed = await ws.run(resumeAt.value, CATALOG);
        assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
        assertNoSecret(resumed);
        const t = tally('events', expected, [...before, ...(resumed.records.get('events') ?? [])]);
        report({ scenario: '1. ties: resume from a STATE inside a tie group', runs: 1, expected: t.expected, lost: t.lost, duplicates: t.duplicates });
        assertComplete(t, `resumed from ${JSON.stringify(eventsBookmark(resumeAt.value))}`);
      }
    });
  });
}
