// Graceful stop: the built tap gets SIGTERM (or SIGINT) in the middle of a sync, as Airflow, Kubernetes or Meltano
// send it. It must exit within 2 s with 143 (130 for SIGINT), its stdout must end in a complete line, that line must
// be a STATE covering every record before it, no ACTIVATE_VERSION may go out for a stream it did not finish, and a
// run resumed from that STATE must leave the target with exactly the ground truth. (A second signal exits at once:
// worker-bridge.test.ts.)
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { DeliveryLedger } from '../helpers/delivery.js';
import { SIM_KEY, truth, type Row } from '../helpers/e2e.js';
import { runTapKillable, type KillableRun } from '../helpers/killable-tap.js';
import { covers, type StateValue } from '../helpers/reliability.js';
import { catalogOfStreams, CHILD_ENV, TapFiles } from '../helpers/tap-files.js';
import { report } from './report.js';

const STREAMS = ['events', 'profiles', 'tags', 'list_members'];
/** Streams with one bookmark (no partitions), whose coverage `covers` can check record by record. */
const SINGLE_BOOKMARK = ['events', 'profiles'];
const KNOBS = { latencyMs: 8, jitterMs: 12, rateLimitSpeedup: 8 };
const STOP_WITHIN_MS = 2000;

type Message = { type: string; stream?: string; record?: Row; value?: unknown };

function parse(run: KillableRun): Message[] {
  return run.lines.map((l) => JSON.parse(l) as Message);
}

/**
 * Asserts what a stopped run must leave behind; returns its last STATE. The STATE never covers a record the run
 * did not write. `exact`: it also covers every record written (one request in flight: no window runs ahead of an
 * unfinished one; with windows side by side, records of a later window are sent again after a resume).
 */
function assertStoppedCleanly(run: KillableRun, code: number, sim: Simulator, exact: boolean): StateValue {
  assert.equal(run.code, code, `exit code (stderr: ${run.stderr.trim().split('\n').slice(-2).join(' | ')})`);
  assert.ok(run.exitMsAfterSignal !== null && run.exitMsAfterSignal < STOP_WITHIN_MS, `exited ${run.exitMsAfterSignal} ms after the signal`);
  assert.equal(run.partial, '', 'stdout ends in a complete line');
  const messages = parse(run);
  const last = messages.at(-1);
  assert.equal(last?.type, 'STATE', 'the last line is a STATE');
  const state = last.value as StateValue;
  for (const stream of SINGLE_BOOKMARK) {
    const written = new Set(messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => String(m.record?.['id'])));
    const coveredUnwritten = truth(sim, stream).filter((r) => covers(state, stream, r) && !written.has(String(r['id'])));
    assert.deepEqual(coveredUnwritten.map((r) => r['id']).slice(0, 5), [], `${stream}: the last STATE covers records never written`);
    if (!exact || !state.bookmarks[stream]) continue;
    const uncovered = messages.filter((m) => m.type === 'RECORD' && m.stream === stream && m.record && !covers(state, stream, m.record));
    assert.deepEqual(uncovered.map((m) => m.record?.['id']).slice(0, 5), [], `${stream}: written before the last STATE but not covered by it`);
  }
  for (const stream of STREAMS) {
    // A first sync activates a version before its first record; an ACTIVATE_VERSION after records ends a full read.
    const firstRecord = messages.findIndex((m) => m.type === 'RECORD' && m.stream === stream);
    const closing = messages.findIndex((m, i) => i > firstRecord && firstRecord >= 0 && m.type === 'ACTIVATE_VERSION' && m.stream === stream);
    const sent = messages.filter((m) => m.type === 'RECORD' && m.stream === stream).length;
    if (closing >= 0) assert.ok(sent >= truth(sim, stream).length, `${stream}: ACTIVATE_VERSION after ${sent} records of ${truth(sim, stream).length}`);
  }
  assert.match(run.stderr, /stopped by SIG(TERM|INT): the last STATE covers every record written/);
  return state;
}

describe('reliability: SIGTERM/SIGINT stop a sync gracefully', function () {
  this.timeout(120_000);
  let sim: Simulator;
  const base: Record<number, string[]> = {};
  let files: TapFiles;
  before(async () => {
    sim = await startSimulator({ seed: 58, scale: 'small', apiKey: SIM_KEY, ...KNOBS });
    files = new TapFiles('tap-klaviyo-stop-');
    const config = {
      api_key: SIM_KEY,
      base_url: sim.url,
      start_date: '2020-01-01T00:00:00Z',
      lookback_days: 0,
      request_timeout_s: 5,
      initial_retry_wait_s: 0.05,
    };
    const catalog = files.write('catalog.json', catalogOfStreams(STREAMS));
    // One request in flight reads slowly: larger pages keep that run short.
    const pages = (size: number): Record<string, { page_size: number }> => Object.fromEntries(['events', 'profiles', 'list_members'].map((s) => [s, { page_size: size }]));
    for (const [inFlight, size] of [[1, 40], [8, 10]] as const) {
      base[inFlight] = ['--config', files.write(`config-${inFlight}.json`, { ...config, max_requests_in_flight: inFlight, streams: pages(size) }), '--catalog', catalog];
    }
  });
  after(() => sim.close());

  const cases = [
    ['SIGTERM', 143, 15, 8],
    ['SIGINT', 130, 120, 8],
    ['SIGTERM', 143, 60, 1],
  ] as const;
  for (const [signal, code, afterLines, inFlight] of cases) {
    const what = inFlight === 1 ? 'covering exactly what was written' : 'covering nothing unwritten';
    it(`${signal} after ${afterLines} lines (${inFlight} in flight): exit ${code} within 2 s, a last STATE ${what}, the resumed run completes the ground truth`, async () => {
      const ledger = new DeliveryLedger();
      const args = base[inFlight] ?? [];
      const stopped = await runTapKillable(args, { afterLines, signal }, CHILD_ENV);
      assert.ok(stopped.killed, 'the signal landed before the run finished');
      const state = assertStoppedCleanly(stopped, code, sim, inFlight === 1);
      ledger.take(stopped.lines);
      const resumed = await runTapKillable([...args, '--state', files.write(`state-${signal}-${afterLines}-${inFlight}.json`, state)], {}, CHILD_ENV);
      assert.equal(resumed.code, 0, resumed.stderr);
      ledger.take(resumed.lines);
      let expected = 0;
      let duplicates = 0;
      for (const stream of STREAMS) {
        const c = ledger.compare(stream, truth(sim, stream));
        assert.deepEqual({ lost: c.lost.slice(0, 5), wrong: c.wrong.slice(0, 5), extra: c.extra.slice(0, 5) }, { lost: [], wrong: [], extra: [] }, stream);
        expected += c.expected;
        duplicates += c.duplicates;
      }
      report({ scenario: '11 graceful stop (SIGTERM/SIGINT, resume)', runs: 2, expected, lost: 0, duplicates, note: 'duplicates: FULL_TABLE streams and unfinished partitions re-read after a resume' });
    });
  }
});
