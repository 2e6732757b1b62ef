// Scenario 3, the future: events dated hours ahead, a state file whose bookmarks are in the future (a clock gone
// wrong), and a sync starting seconds after the last one. The simulator answers 400 to a datetime filter bound
// later than its clock (as Klaviyo does); the tap must never trigger it, never loop, never send a future event,
// and never write a bookmark past its run's start (clamped instead). Across the runs nothing is lost or doubled.
import assert from 'node:assert/strict';
import { simGet } from '../../src/simulator/client.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, settle, SIM_KEY, STREAMS, truth, type E2eRun, type Row } from '../helpers/e2e.js';
import {
  assertComplete,
  assertNoSecret,
  bookmarkFor,
  bookmarkValues,
  catalogOf,
  changedSince,
  snapshotOf,
  stateLines,
  sumTallies,
  tally,
  type StateValue,
  type Tally,
} from '../helpers/reliability.js';
import { report } from './report.js';
import { daysAgo } from '../helpers/clock.js';

const SOAK = process.env['TAP_KLAVIYO_SOAK'] === '1';
const SEEDS = SOAK ? [31, 32, 33, 34] : [31, 32];
const STREAM_NAMES = ['events', 'profiles', 'list_members'];
const CATALOG = catalogOf(STREAM_NAMES);
/** Four years ahead, whatever today is. */
const FAR = daysAgo(-4 * 365);

const replicationKey = (stream: string): string => STREAMS.find((s) => s.name === stream)?.replicationKey ?? '';
const valueOf = (r: Row, stream: string): number => toMicros(String(r[replicationKey(stream)])) ?? NaN;

interface Timed {
  run: E2eRun;
  /** When the tap was started (ms): no bookmark may be later, no record dated later may be sent. */
  startedMs: number;
}

async function timedRun(ws: E2eWorkspace, state?: unknown): Promise<Timed> {
  const startedMs = Date.now();
  const run = await ws.run(state, CATALOG);
  return { run, startedMs };
}

/**
 * What every run must hold: exit 0, no request refused (no 4xx: a bound in the future is a 400), no key, no future
 * record, no bookmark after the run's start in its last STATE (a retry may still happen: a kept-alive connection
 * the server closes as it is reused is retried, as it should be). Earlier STATEs may still echo a future bookmark of the input state for a
 * stream or partition not clamped yet (`echo`); see the skipped test below.
 */
function checkRun({ run, startedMs }: Timed, sim: Simulator, what: string, echo?: number): void {
  assert.equal(run.code, 0, `${what}: ${run.stderr.slice(-2000)}`);
  assertNoSecret(run);
  const refused = Object.keys(sim.stats().statuses).filter((status) => status.startsWith('4'));
  assert.deepEqual(refused, [], `${what}: the tap sent a request the API refuses (a 400 is a filter bound in the future)`);
  const limit = startedMs * 1000;
  const states = stateLines(run);
  assert.ok(states.length > 0, `${what}: a STATE`);
  states.forEach(({ line, value }, n) => {
    const last = n === states.length - 1;
    for (const b of bookmarkValues(value)) {
      assert.ok(b.micros <= limit || (!last && b.micros === echo), `${what}: STATE line ${line} bookmark ${b.where} is after the run's start`);
    }
  });
  for (const stream of STREAM_NAMES) {
    const late = (run.records.get(stream) ?? []).filter((r) => valueOf(r, stream) > limit);
    assert.deepEqual(late.map((r) => r['id']), [], `${what}: ${stream} records dated after the run's start`);
  }
}

/** A state whose every bookmark (events, profiles, each list's members) is years ahead. */
function futureState(sim: Simulator): StateValue {
  const mark = (key: string) => ({ replication_key: key, replication_key_value: FAR, boundary_ids: [] });
  return {
    bookmarks: {
      events: mark('datetime'),
      profiles: mark('updated'),
      list_members: { partitions: [...sim.world.listMembers.keys()].map((id) => ({ context: { list_id: id }, ...mark('joined_group_at') })) },
    },
  };
}

/** One seed: a fresh sync (A) and one from a future state (B), each followed by one run seconds later and one after the margin. */
async function scenario(seed: number): Promise<{ fresh: Tally; clamped: Tally; runs: number }> {
  const sim = await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
  try {
    const base = truth(sim, 'events');
    const start = String(base[base.length - 100]?.['datetime']);
    const future = new Set(sim.mutate({ futureEvents: 6 }).events);
    const ws = new E2eWorkspace(sim, { start_date: start });
    const from = toMicros(start) ?? 0;
    const before = snapshotOf(sim, STREAM_NAMES);

    const a1 = await timedRun(ws);
    checkRun(a1, sim, 'fresh run');
    const first = STREAM_NAMES.map((s) => tally(s, (before.get(s) ?? []).filter((r) => valueOf(r, s) >= from), a1.run.records.get(s) ?? []));
    assert.ok(!(a1.run.records.get('events') ?? []).some((r) => future.has(String(r['id']))), 'a future event was sent');

    const b1 = await timedRun(ws, futureState(sim));
    checkRun(b1, sim, 'run from a future state', toMicros(FAR) ?? undefined);
    for (const where of ['events', 'profiles', 'list_members \\{"list_id":"\\w+"\\}']) {
      assert.match(b1.run.stderr, new RegExp(`${where}: bookmark ${FAR} is in the future; clamped`));
    }

    sim.mutate({ newEvents: 12, updatedProfiles: 6, newProfiles: 3, futureEvents: 2 });
    // Seconds after the last sync: some of the new data is inside the margin before now.
    const a2 = await timedRun(ws, a1.run.state);
    checkRun(a2, sim, 'fresh run, again seconds later');
    const b2 = await timedRun(ws, b1.run.state);
    checkRun(b2, sim, 'clamped run, again seconds later');
    await settle();
    const a3 = await timedRun(ws, a2.run.state);
    checkRun(a3, sim, 'fresh run, third');
    const b3 = await timedRun(ws, b2.run.state);
    checkRun(b3, sim, 'clamped run, third');

    const now = snapshotOf(sim, STREAM_NAMES);
    const changed = changedSince(before, now);
    const sent = (stream: string, ...runs: Timed[]): Row[] => runs.flatMap((t) => t.run.records.get(stream) ?? []);
    const fresh = sumTallies([...first, ...STREAM_NAMES.map((s) => tally(s, changed.get(s) ?? [], sent(s, a2, a3)))]);
    // From the clamped bookmarks on, everything at or after them arrives once.
    const clampedState = b1.run.state as StateValue;
    const clamped = sumTallies(
      STREAM_NAMES.map((s) => {
        const expected = (now.get(s) ?? []).filter((r) => {
          const mark = bookmarkFor(clampedState, s, r);
          return mark !== undefined && valueOf(r, s) >= (toMicros(mark.replication_key_value) ?? Infinity);
        });
        return tally(s, expected, sent(s, b1, b2, b3));
      }),
    );
    assert.ok(clamped.expected > 0, 'data arrived after the clamped bookmarks');
    return { fresh, clamped, runs: 6 };
  } finally {
    await sim.close();
  }
}

describe('reliability: the future', function () {
  // Six runs of two seeds side by side: about 30 s alone, twice that on a busy machine.
  this.timeout(150_000);
  it('no STATE of a run from a future state carries a bookmark after the run start', async () => {
    const sim = await startSimulator({ seed: 30, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
    try {
      const ws = new E2eWorkspace(sim, { start_date: daysAgo(60) });
      const t = await timedRun(ws, futureState(sim));
      checkRun(t, sim, 'run from a future state');
    } finally {
      await sim.close();
    }
  });

  it('the simulator refuses a datetime filter bound later than its clock (what the tap must never send)', async () => {
    const sim = await startSimulator({ seed: 30, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
    try {
      const ahead = new Date(Date.now() + 60_000).toISOString();
      const refused = await simGet(sim.url, `/api/events?filter=less-than(datetime,${ahead})`, { apiKey: SIM_KEY });
      assert.equal(refused.status, 400);
      assert.match(refused.text, /must not be in the future/);
      const past = new Date(Date.now() - 60_000).toISOString();
      assert.equal((await simGet(sim.url, `/api/profiles?filter=greater-than(updated,${past})`, { apiKey: SIM_KEY })).status, 200);
      assert.equal(sim.stats().statuses['400'], 1);
    } finally {
      await sim.close();
    }
  });

  it('an end_date and a stream start_date in the future: no bound in the future is sent', async () => {
    const sim = await startSimulator({ seed: 35, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
    try {
      sim.mutate({ futureEvents: 4 });
      const base = truth(sim, 'events');
      const start = String(base[base.length - 80]?.['datetime']);
      const ws = new E2eWorkspace(sim, { start_date: start, end_date: FAR, streams: { profiles: { start_date: daysAgo(-3 * 365) } } });
      const t = await timedRun(ws);
      checkRun(t, sim, 'future end_date');
      assert.deepEqual(t.run.records.get('profiles') ?? [], [], 'profiles start in the future: none yet');
      const events = tally('events', base.filter((r) => valueOf(r, 'events') >= (toMicros(start) ?? 0)), t.run.records.get('events') ?? []);
      report({ scenario: '3. future: end_date / start_date in the future', runs: 1, expected: events.expected, lost: events.lost, duplicates: events.duplicates });
      assertComplete(events, 'events up to now');
    } finally {
      await sim.close();
    }
  });

  it(`future events, a future state, and syncs seconds apart (seeds ${SEEDS.join(', ')}, side by side)`, async () => {
    const outcomes = await Promise.all(SEEDS.map(scenario));
    const fresh = sumTallies(outcomes.map((o) => o.fresh));
    const clamped = sumTallies(outcomes.map((o) => o.clamped));
    const runs = outcomes.reduce((n, o) => n + o.runs, 0) / 2;
    report({ scenario: '3. future: fresh sync, then seconds later', runs, expected: fresh.expected, lost: fresh.lost, duplicates: fresh.duplicates });
    report({ scenario: '3. future: bookmark in the future (clamped)', runs, expected: clamped.expected, lost: clamped.lost, duplicates: clamped.duplicates });
    assertComplete(fresh, 'fresh sync and the runs after it');
    assertComplete(clamped, 'the runs after the clamped bookmarks');
  });
});
