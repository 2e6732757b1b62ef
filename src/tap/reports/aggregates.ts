// metric_aggregates: per metric (a partition with its own bookmark), one POST /api/metric-aggregates per year of
// days from the bookmark less `lookback_days` (whole days; late events change recent counts) or `start_date`, up
// to today (midnight UTC, exclusive). Metrics run side by side within the endpoint's 3/s, 60/min.
import type { MetricAggregates } from '../../streams/metric_aggregates.js';
import { forEachConcurrent } from '../shared/concurrency.js';
import { log } from '../shared/log.js';
import type { RecordOptions } from './reports.js';
import { dayWindows, startOfDay } from './report-windows.js';
import { labelled } from '../account/scopes.js';
import { budgetOf } from '../http/endpoint-facts.js';
import type { StreamRuntime } from '../engine/stream-types.js';
import { writeRecords } from '../engine/write-records.js';
import type { SelectedStream, StreamSummary, SyncDeps } from '../engine/sync-types.js';
import { fromMicros, MICROS_PER_DAY, parseUserDate, toMicros } from '../shared/time.js';

const METRICS_AT_ONCE = 3;

export async function syncAggregates(s: SelectedStream, deps: SyncDeps, rt: StreamRuntime, summary: StreamSummary, options: RecordOptions): Promise<void> {
  const stream = s.stream as MetricAggregates;
  const { config, store, writer } = deps;
  const today = startOfDay(deps.startedAt);
  const overrides = config.streams[stream.name] ?? {};
  const floor = startOfDay(parseUserDate(overrides.start_date ?? config.start_date) ?? 0);
  const lookback = Math.ceil(overrides.lookback_days ?? config.lookback_days) * MICROS_PER_DAY;
  await forEachConcurrent(stream.partitions(rt), METRICS_AT_ONCE, async (partition) => {
    const metricId = partition.context['metric_id'] ?? '';
    const saved = store.get(stream.name, partition.context);
    const bookmark = saved ? toMicros(saved.replication_key_value) : null;
    const from = bookmark === null ? floor : Math.max(floor, startOfDay(Math.min(bookmark, today)) - lookback);
    const windows = dayWindows(from, today, stream.maxDays);
    log.debug(`stream ${stream.name}: metric ${metricId}`, { requests: windows.length });
    for (const window of windows) {
      try {
        const doc = await rt.client.post(stream.path, stream.body(metricId, window), budgetOf(stream.facts));
        summary.pages++;
        await writeRecords(s, deps, stream.toAggregateRecords(doc, metricId, window), summary, options.accountId, options.seen);
      } catch (err) {
        throw labelled(err, stream);
      }
      store.set(stream.name, partition.context, { replication_key: 'date', replication_key_value: fromMicros(window.end) });
      await writer.state(store.snapshot());
    }
  });
}
