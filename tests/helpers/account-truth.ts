// What a full sync of every stream with the default catalog (no --catalog: every stream, its default fields, as
// Meltano selects them) must write against a simulated account: the simulator's ground truth of each stream, cut to
// the fields a default run sends, and the warnings it must print.
import assert from 'node:assert/strict';
import { aggregateTruthRecords, reportTruthRecords } from '../../src/simulator/report-truth.js';
import type { Simulator } from '../../src/simulator/server.js';
import { MetricAggregates } from '../../src/streams/metric_aggregates.js';
import { MetricEvents } from '../../src/streams/metric_events.js';
import { ReportStream } from '../../src/tap/reports/report-stream.js';
import { allStreams } from '../../src/streams/registry.js';
import { defaultSelection } from '../../src/tap/singer/catalog.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';
import { canonical, truth, type E2eRun, type Row } from './e2e.js';

/** Reporting API streams cover this many days: one request per endpoint (a series window is at most 60 days). */
export const REPORT_DAYS = 60;
/** metric_aggregates reads from here: one request per metric (a year at most each). */
export const AGGREGATES_DAYS = 300;

/** The simulator's world ends a day before now, whatever the date: the reports' recent days hold data. */
export function dataEnd(): string {
  return new Date(Date.now() - 86_400_000).toISOString();
}

/** The config every account run uses (besides E2eWorkspace's own). */
export function accountConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const aggregatesFrom = new Date(Date.now() - AGGREGATES_DAYS * 86_400_000).toISOString().slice(0, 10);
  return { report_days: REPORT_DAYS, streams: { metric_aggregates: { start_date: `${aggregatesFrom}T00:00:00Z` } }, ...extra };
}

/** The ground truth of `stream` in the account, every field. */
function fullTruth(sim: Simulator, stream: KlaviyoStream, config: Record<string, unknown>): Row[] {
  if (stream instanceof ReportStream) return [...reportTruthRecords(sim.world, stream.name, Date.now() * 1000, REPORT_DAYS)];
  if (stream instanceof MetricAggregates) {
    const from = (config['streams'] as Record<string, { start_date: string }>)['metric_aggregates']?.start_date ?? '';
    return [...aggregateTruthRecords(sim.world, Date.now() * 1000)].filter((r) => String(r['date']) >= from);
  }
  // A metric stream of the config: the events of every metric of that name (Klaviyo's current name).
  if (stream instanceof MetricEvents && stream.metricLookup.setting !== null) return truth(sim, 'events').filter((r) => r['metric_name'] === stream.metricName);
  return truth(sim, stream.name);
}

/** Per stream of the run (default selection), the records it must write: the truth cut to the selected fields. */
export function expectedRecords(sim: Simulator, config: Record<string, unknown>, only?: readonly string[]): Map<string, Row[]> {
  const streams = allStreams((config['metric_streams'] ?? {}) as Record<string, string>).filter((s) => !only || only.includes(s.name));
  const selection = defaultSelection(streams);
  return new Map(
    streams.map((stream) => {
      const fields = selection.get(stream.name) ?? new Set<string>();
      const rows = fullTruth(sim, stream, config).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => fields.has(k))));
      return [stream.name, rows];
    }),
  );
}

/** Every stream's records equal its expected records (by key, field by field), none sent twice. */
export function assertRecords(run: E2eRun, expected: Map<string, Row[]>): void {
  for (const [stream, rows] of expected) {
    const got = run.records.get(stream) ?? [];
    const seen = canonical(got, stream);
    const want = canonical(rows, stream);
    assert.equal(seen.size, got.length, `${stream}: a record was sent twice`);
    const missing = [...want.keys()].filter((k) => !seen.has(k));
    const extra = [...seen.keys()].filter((k) => !want.has(k));
    assert.deepEqual({ missing: missing.slice(0, 3), extra: extra.slice(0, 3) }, { missing: [], extra: [] }, `${stream} keys`);
    for (const [k, v] of want) assert.equal(seen.get(k), v, `${stream} record ${k}`);
  }
  const unexpected = [...run.records.keys()].filter((s) => !expected.has(s));
  assert.deepEqual(unexpected, [], 'records of streams not expected');
}

/**
 * The run's WARN lines are exactly `expected`: each pattern matches one line, and every line one pattern. The
 * revision warning is left out: it depends on the date the run happens on (a year from now, 2026-07-15 is deprecated).
 */
export function assertWarnings(stderr: string, expected: readonly RegExp[]): void {
  const warnings = stderr.split('\n').filter((l) => l.startsWith('WARN ') && !l.startsWith('WARN revision '));
  const unmatched = warnings.filter((l) => !expected.some((re) => re.test(l)));
  assert.deepEqual(unmatched, [], 'warnings not expected');
  for (const re of expected) assert.equal(warnings.filter((l) => re.test(l)).length, 1, `one warning ${re}: ${warnings.join('\n')}`);
}
