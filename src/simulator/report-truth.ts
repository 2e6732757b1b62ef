// Ground truth of the Reporting API streams: what a first run with the default settings (report_days 365,
// conversion_metric unset: "Placed Order") must write, counted from the world's events (forms and segments:
// form-segment-truth.ts) up to the UTC day of `asOf`.
import { REPORTS } from '../generated/reports.js';
import { CONVERSION_STATISTICS } from '../tap/reports/report-facts.js';
import { formatSeconds, MICROS_PER_SECOND, SECONDS_PER_DAY, toRecordDatetime } from './datetime.js';
import { formTruth, segmentTruth } from './form-segment-truth.js';
import { scanEvents } from './world/event-scan.js';
import { reportGroups, statisticsOf, type Family } from './world/report-stats.js';
import type { World } from './world/world.js';

/** Report stream -> its endpoint, family and whether rows are per day. */
export const REPORT_STREAMS: Readonly<Record<string, { path: string; family: Family | 'form' | 'segment'; daily: boolean }>> = {
  campaign_values_reports: { path: '/api/campaign-values-reports', family: 'campaign', daily: false },
  flow_values_reports: { path: '/api/flow-values-reports', family: 'flow', daily: false },
  flow_series_reports: { path: '/api/flow-series-reports', family: 'flow', daily: true },
  form_values_reports: { path: '/api/form-values-reports', family: 'form', daily: false },
  form_series_reports: { path: '/api/form-series-reports', family: 'form', daily: true },
  segment_values_reports: { path: '/api/segment-values-reports', family: 'segment', daily: false },
  segment_series_reports: { path: '/api/segment-series-reports', family: 'segment', daily: true },
};

const DEFAULT_REPORT_DAYS = 365;
const DEFAULT_CONVERSION_METRIC = 'Placed Order';

/**
 * The conversion metric the tap's README promises for the default: the oldest metric named "Placed Order" (then
 * by id); null when the account has none (the reports then carry no conversion statistic).
 */
function conversionMetricId(world: World): string | null {
  const rows = world.metrics.rows.filter((r) => r.attributes['name'] === DEFAULT_CONVERSION_METRIC);
  const key = (r: (typeof rows)[number]): string => `${String(r.attributes['created'])} ${r.id}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1))[0]?.id ?? null;
}

const day = (sec: number): string => String(toRecordDatetime(formatSeconds(sec)));

/** `reportDays`: the tap's `report_days` (default 365). */
export function* reportTruthRecords(world: World, stream: string, asOfMicros: number, reportDays = DEFAULT_REPORT_DAYS): Generator<Record<string, unknown>> {
  const spec = REPORT_STREAMS[stream];
  const facts = spec ? REPORTS[spec.path] : undefined;
  if (!spec || !facts) throw new Error(`unknown report stream '${stream}'`);
  const highSec = Math.floor(asOfMicros / MICROS_PER_SECOND / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const lowSec = highSec - reportDays * SECONDS_PER_DAY;
  if (spec.family === 'form') return yield* formTruth(world, lowSec, highSec, spec.daily);
  if (spec.family === 'segment') return yield* segmentTruth(world, lowSec, highSec, spec.daily);
  // An account without any metric has sent nothing: the tap skips these reports.
  if (world.metrics.size() === 0) return;
  const conversion = conversionMetricId(world);
  const statistics = conversion === null ? facts.statistics.filter((s) => !CONVERSION_STATISTICS.includes(s)) : facts.statistics;
  const groups = reportGroups(world, spec.family, conversion ?? '', lowSec, highSec, spec.daily ? SECONDS_PER_DAY : null);
  for (const group of groups) {
    const [whole] = group.buckets;
    if (!spec.daily) {
      if (whole) yield { ...group.groupings, timeframe_start: day(lowSec), timeframe_end: day(highSec), ...statisticsOf(whole, statistics) };
      continue;
    }
    for (const [i, counter] of group.buckets.entries()) {
      const values = statisticsOf(counter, statistics);
      if (Object.values(values).some((v) => v !== 0)) yield { ...group.groupings, interval_start: day(lowSec + i * SECONDS_PER_DAY), ...values };
    }
  }
}

/** metric_aggregates: per metric and UTC day before the day of `asOf`, the events' count, unique profiles and summed `$value`. */
export function* aggregateTruthRecords(world: World, asOfMicros: number): Generator<Record<string, unknown>> {
  const events = world.events;
  const todaySec = Math.floor(asOfMicros / MICROS_PER_SECOND / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const days = new Map<string, { metric: string; day: number; count: number; profiles: Set<number>; value: number }>();
  for (const row of scanEvents(events, false, null, { low: 0, high: todaySec })) {
    const sec = events.secOf(row);
    if (sec >= todaySec) continue;
    const day = Math.floor(sec / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    const key = `${events.metricOf(row)}|${day}`;
    let entry = days.get(key);
    if (!entry) days.set(key, (entry = { metric: events.metricId(row), day, count: 0, profiles: new Set(), value: 0 }));
    entry.count++;
    entry.profiles.add(events.profileOf(row));
    const v = (events.attributes(row)['event_properties'] as Record<string, unknown>)['$value'];
    entry.value += typeof v === 'number' ? v : 0;
  }
  for (const e of days.values()) {
    yield { metric_id: e.metric, date: day(e.day), count: e.count, unique: e.profiles.size, sum_value: Math.round(e.value * 100) / 100 };
  }
}
