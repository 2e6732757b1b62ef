// Scenario 5, transient faults: 429 storms with Retry-After (a tight account: every tier scaled down), 5xx bursts,
// connection resets, hung requests (a short request_timeout_s), truncated JSON and HTML error pages. Each is
// retried within the configured limits and the run delivers the ground truth, nothing lost or doubled. When a
// limit is exhausted (every request failing, max_retries 1) the run stops with one clear line naming the stream,
// the endpoint and the status, exits non-zero, and every STATE it wrote is still correct: a run resumed from the
// last one after the fault is gone completes the ground truth without loss.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import type { SimulatorStats } from '../../src/simulator/http/stats.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, SIM_KEY, STREAMS, truth, type Row } from '../helpers/e2e.js';
import {
  assertComplete,
  assertNoSecret,
  catalogOf,
  covers,
  lastLine,
  sentRecords,
  sleep,
  stateLines,
  sumTallies,
  tally,
  type StateValue,
  type Tally,
} from '../helpers/reliability.js';
import { report } from './report.js';

const SOAK = process.env['TAP_KLAVIYO_SOAK'] === '1';
const STREAM_NAMES = ['events', 'receive', 'open', 'profiles'];
const CATALOG = catalogOf(STREAM_NAMES);
const PAGES = { events: { page_size: 10 }, receive: { page_size: 10 }, profiles: { page_size: 20 } };

interface Fault {
  name: string;
  knobs: Partial<SimulatorOptions>;
  config?: Record<string, unknown>;
  /** Changes knobs while the run goes on; returns the function that stops doing so. */
  during?: (sim: Simulator) => () => void;
  /** How many faults the simulator injected (must be > 0, or the test tested nothing). */
  injected: (stats: SimulatorStats) => number;
}

const serverErrors = (s: SimulatorStats): number => Object.entries(s.statuses).filter(([code]) => code >= '500').reduce((n, [, k]) => n + k, 0);

const FAULTS: Fault[] = [
  // A tight account whose tiers the tap paces itself to (429s there depend on its pace), plus 429s it did not cause
  // (throttleRate: drawn from the seed, so every run of a seed gets its storm).
  { name: '429 storm (every tier x0.05)', knobs: { rateLimits: true, rateLimitFactor: 0.05, rateLimitSpeedup: 10, throttleRate: 0.15 }, injected: (s) => s.throttled },
  ...(SOAK ? [{ name: '429 storm (every tier x0.01)', knobs: { rateLimits: true, rateLimitFactor: 0.01, rateLimitSpeedup: 10, throttleRate: 0.15 }, injected: (s: SimulatorStats) => s.throttled }] : []),
  {
    name: '5xx bursts',
    knobs: { latencyMs: 10, jitterMs: 10 },
    during: (sim) => {
      let on = true;
      sim.configure({ errorRate: 0.5 });
      const timer = setInterval(() => {
        on = !on;
        sim.configure({ errorRate: on ? 0.5 : 0 });
      }, 100);
      return () => clearInterval(timer);
    },
    injected: serverErrors,
  },
  { name: 'connection resets', knobs: { resetRate: 0.2 }, injected: (s) => s.faults.reset },
  { name: 'hung requests', knobs: { hangRate: 0.12 }, config: { request_timeout_s: 0.5 }, injected: (s) => s.faults.hang },
  { name: 'truncated JSON', knobs: { truncateRate: 0.2 }, injected: (s) => s.faults.truncate },
  { name: 'HTML error pages', knobs: { htmlRate: 0.2 }, injected: (s) => s.faults.html },
];

const SEEDS = SOAK ? [51, 52, 53, 54, 55] : [51, 52];

/** The ground truth of the catalog's streams from `start` on. */
function expectedFrom(sim: Simulator, start: string): Map<string, Row[]> {
  const from = toMicros(start) ?? 0;
  return new Map(
    STREAM_NAMES.map((s) => {
      const rk = STREAMS.find((x) => x.name === s)?.replicationKey ?? '';
      return [s, truth(sim, s).filter((r) => (toMicros(String(r[rk])) ?? 0) >= from)];
    }),
  );
}

function startOf(sim: Simulator): string {
  const base = truth(sim, 'events');
  return String(base[base.length - 300]?.['datetime']);
}

interface Limit {
  name: string;
  /** Switched on mid-run, off once the run has failed. */
  knobs: Partial<SimulatorOptions>;
  config?: Record<string, unknown>;
  /** What the failure line must say about the status or cause. */
  line: RegExp;
}

const EXHAUSTED: Limit[] = [
  { name: '5xx', knobs: { errorRate: 1 }, line: /: 50[0-4]\b/ },
  { name: 'HTML error pages', knobs: { htmlRate: 1 }, line: /: 503: an HTML error page/ },
  { name: 'truncated JSON', knobs: { truncateRate: 1 }, line: /: 200: .*not JSON/ },
  { name: 'connection resets', knobs: { resetRate: 1 }, line: /ECONNRESET/ },
  { name: 'hung requests', knobs: { hangRate: 1 }, config: { request_timeout_s: 0.3 }, line: /ECONNABORTED|time/i },
];

/**
 * Starts a sync, switches the fault on once it is well under way (every request failing, max_retries 1), lets it
 * fail, then checks every STATE it wrote (it covers only records written before it), and resumes from the last
 * one with the fault gone: that run plus what the failed run wrote before its last STATE must be the ground truth.
 */
async function exhaust(seed: number, limit: Limit): Promise<{ stderr: string; tally: Tally }> {
  const sim = await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true, latencyMs: 10, jitterMs: 10 });
  try {
    const start = startOf(sim);
    const ws = new E2eWorkspace(sim, { start_date: start, max_retries: 1, streams: PAGES, ...limit.config });
    const expected = expectedFrom(sim, start);
    let running = true;
    const failing = ws.run(undefined, CATALOG).finally(() => {
      running = false;
    });
    while (running && sim.stats().total < 25) await sleep(5);
    const midRun = running;
    const off = Object.fromEntries(Object.keys(limit.knobs).map((k) => [k, 0]));
    sim.configure(limit.knobs);
    const failed = await failing;
    sim.configure(off);
    assert.ok(midRun, 'the fault started mid-run');
    assertNoSecret(failed);
    assert.equal(failed.code, 1, failed.stderr.slice(-2000));

    // Every STATE covers only records written before it.
    const states = stateLines(failed);
    assert.ok(states.length > 1, 'STATEs were written before the fault');
    let uncovered = 0;
    for (const { line: at, value } of states) {
      for (const s of ['events', 'profiles']) {
        const before = new Set(sentRecords(failed, s).filter((r) => r.line < at).map((r) => String(r.record['id'])));
        uncovered += (expected.get(s) ?? []).filter((r) => covers(value, s, r) && !before.has(String(r['id']))).length;
      }
    }
    assert.equal(uncovered, 0, 'a STATE claims records not written before it');

    const last = states[states.length - 1];
    assert.ok(last);
    // The fault is gone: the resumed run has the default retries and timeout (0.3 s with one retry fails on a busy
    // machine without any fault).
    const resumed = await new E2eWorkspace(sim, { start_date: start, streams: PAGES }).run(last.value, CATALOG);
    assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
    assertNoSecret(resumed);
    const tallies = STREAM_NAMES.map((s) => {
      const before = sentRecords(failed, s).filter((r) => r.line < last.line).map((r) => r.record);
      const sent = resumed.records.get(s) ?? [];
      const t = tally(s, expected.get(s) ?? [], [...before, ...sent]);
      // Sent again although the STATE covered it: a duplicate. Sent again because no STATE covered it yet: fine.
      const again = sent.filter((r) => covers(last.value as StateValue, s, r)).map((r) => String(r['id']));
      const twice = tally(s, [], sent);
      return { ...t, duplicates: again.length + twice.duplicates, duplicated: [...again, ...twice.duplicated] };
    });
    return { stderr: failed.stderr, tally: sumTallies(tallies) };
  } finally {
    await sim.close();
  }
}

describe('reliability: transient faults', function () {
  /** Per fault kind: what its runs measured, reported once (with the faults injected over all seeds). */
  const measured = new Map<string, { runs: number; tally: Tally; injected: number }>();
  let exhausted: Tally | null = null;
  let exhaustedRuns = 0;
  after(() => {
    for (const [name, m] of measured) {
      report({ scenario: `5. transient faults: ${name}`, runs: m.runs, expected: m.tally.expected, lost: m.tally.lost, duplicates: m.tally.duplicates, note: `${m.injected} injected` });
    }
    if (exhausted) {
      const t = exhausted;
      report({ scenario: '5. transient faults: retries exhausted, resumed', runs: exhaustedRuns, expected: t.expected, lost: t.lost, duplicates: t.duplicates, note: 'duplicates = records re-sent that the STATE covered' });
    }
  });

  for (const [i, fault] of FAULTS.entries()) {
    for (const seedBase of SEEDS) {
      const seed = seedBase * 10 + i;
      it(`${fault.name} (seed ${seed}): retried within the limits, nothing lost`, async () => {
        const sim = await startSimulator({ seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true, latencyMs: 2, jitterMs: 3, ...fault.knobs });
        try {
          const start = startOf(sim);
          const ws = new E2eWorkspace(sim, { start_date: start, streams: PAGES, ...fault.config });
          const expected = expectedFrom(sim, start);
          const stop = fault.during?.(sim);
          const run = await ws.run(undefined, CATALOG).finally(() => stop?.());
          assert.equal(run.code, 0, run.stderr.slice(-2000));
          assertNoSecret(run);
          const t = sumTallies(STREAM_NAMES.map((s) => tally(s, expected.get(s) ?? [], run.records.get(s) ?? [])));
          const injected = fault.injected(sim.stats());
          const soFar = measured.get(fault.name);
          measured.set(fault.name, { runs: (soFar?.runs ?? 0) + 1, tally: sumTallies([t, ...(soFar ? [soFar.tally] : [])]), injected: (soFar?.injected ?? 0) + injected });
          assert.ok(injected > 0, 'faults were injected');
          assertComplete(t, fault.name);
        } finally {
          await sim.close();
        }
      });
    }
  }

  for (const [i, limit] of EXHAUSTED.entries()) {
    it(`a limit exhausted (${limit.name}, max_retries 1): one clear fatal line, non-zero exit, and every STATE written is still correct`, async () => {
      const outcome = await exhaust(590 + i, limit);
      const line = lastLine(outcome.stderr);
      assert.match(line, /^tap-klaviyo: stream (events|receive|open|profiles): GET \/api\/(events|profiles|metrics)\b/, line);
      assert.match(line, /failed after 1 retries: /, line);
      assert.match(line, limit.line, line);
      exhausted = sumTallies([outcome.tally, ...(exhausted ? [exhausted] : [])]);
      exhaustedRuns += 2;
      assertComplete(outcome.tally, 'the failed run up to its last STATE plus the resumed run');
    });
  }

  it('a limit exhausted by hung requests: the line says the requests timed out', async () => {
    const outcome = await exhaust(599, { name: 'hung requests', knobs: { hangRate: 1 }, config: { request_timeout_s: 0.3 }, line: /./ });
    assert.match(lastLine(outcome.stderr), /time(d)? ?out|request_timeout_s/i);
  });

});
