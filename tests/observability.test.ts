// What operators watch (issue 11): a real run (the built tap against the simulator) writes Singer METRIC lines
// that add up to what it sent and requested, progress lines on a long stream, and neither when told not to.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import type { MetricPoint } from '../src/tap/singer/metrics.js';
import { E2eWorkspace, SIM_KEY, type E2eRun } from './helpers/e2e.js';
import { catalogOf } from './helpers/reliability.js';

const STREAMS = ['events', 'lists', 'list_members'];

function metrics(run: E2eRun): MetricPoint[] {
  return run.stderr
    .split('\n')
    .filter((l) => l.includes('METRIC: '))
    .map((l) => {
      assert.match(l, /^INFO METRIC: \{/);
      return JSON.parse(l.slice(l.indexOf('{'))) as MetricPoint;
    });
}

describe('observability: Singer metrics and progress in a real run', function () {
  this.timeout(60_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimits: false, latencyMs: 20 });
  });
  after(async () => sim.close());

  it('record_count adds up to the records sent, per stream and partition; one timer per request; sync_duration per stream', async () => {
    const ws = new E2eWorkspace(sim, { progress_interval_s: 0.3, metrics_interval_s: 1, streams: { events: { page_size: 10 } } });
    sim.resetStats();
    const run = await ws.run(undefined, catalogOf(STREAMS));
    assert.equal(run.code, 0, run.stderr);
    const points = metrics(run);
    for (const stream of STREAMS) {
      const counted = points.filter((p) => p.metric === 'record_count' && p.tags['stream'] === stream).reduce((n, p) => n + p.value, 0);
      assert.equal(counted, run.records.get(stream)?.length ?? 0, `record_count of ${stream}`);
      const durations = points.filter((p) => p.metric === 'sync_duration' && p.tags['stream'] === stream);
      assert.equal(durations.length, 1, `one sync_duration for ${stream}`);
      assert.equal(durations[0]?.tags['status'], 'succeeded');
      assert.equal(durations[0]?.type, 'timer');
    }
    const members = points.filter((p) => p.metric === 'record_count' && p.tags['stream'] === 'list_members');
    assert.ok(members.length > 1, 'list_members is counted per list');
    for (const p of members) assert.deepEqual(Object.keys(p.tags['context'] as object), ['list_id']);
    const timers = points.filter((p) => p.metric === 'http_request_duration');
    assert.equal(timers.length, sim.stats().total, 'one http_request_duration per request the simulator saw');
    assert.ok(timers.every((t) => t.tags['status'] === 'succeeded' && t.tags['http_status_code'] === 200 && t.value >= 0));
    assert.ok(timers.some((t) => t.tags['endpoint'] === '/api/lists/{id}/profiles'), 'endpoint is the path template');
    const progress = run.stderr.split('\n').filter((l) => /^INFO stream events: \d+ records, \d+ pages, \d+ requests( in \d+s|\/min) \(\d+% of the tier's \d+\/min\)/.test(l));
    assert.ok(progress.length > 0, `a progress line for events:\n${run.stderr.slice(0, 2000)}`);
    assert.ok(progress.some((l) => /, bookmark \S+ \(\d+%\)(, ETA \S+)?$/.test(l)), `bookmark and share in ${progress.join('\n')}`);
  });

  it('metrics_log_level warn and log_level warn: no METRIC line, no progress line, the same records', async () => {
    const ws = new E2eWorkspace(sim, { progress_interval_s: 0.3, metrics_log_level: 'warn', log_level: 'warn', streams: { events: { page_size: 10 } } });
    const run = await ws.run(undefined, catalogOf(['events']));
    assert.equal(run.code, 0, run.stderr);
    assert.ok((run.records.get('events')?.length ?? 0) > 0);
    assert.doesNotMatch(run.stderr, /METRIC|^INFO/m);
  });

  it('a deprecated or retired revision is warned about before the first request (the simulator refuses it)', async () => {
    const ws = new E2eWorkspace(sim, { revision: '2024-10-15' });
    const run = await ws.run(undefined, catalogOf(['lists']));
    const first = run.stderr.split('\n')[0] ?? '';
    assert.match(first, /^WARN revision 2024-10-15 was retired by Klaviyo on 2026-10-15: requests may fail with 410 Gone .*set "revision" in the config to 2026-07-15/);
    assert.notEqual(run.code, 0);
  });
});
