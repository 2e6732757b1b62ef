// POST /api/metric-aggregates: the body checked as Klaviyo does (metric, measurements, a datetime range of at
// most a year as greater-or-equal and less-than filters, interval day, UTC), then counted from the events.
import { METRIC_AGGREGATES } from '../../generated/reports.js';
import { MICROS_PER_SECOND, SECONDS_PER_DAY, formatSeconds, parseDatetime } from '../datetime.js';
import { scanEvents } from '../world/event-scan.js';
import type { World } from '../world/world.js';
import { invalid, isObject, requestData } from './reports.js';

const at = (member: string): string => `/data/attributes/${member}`;

/** `greater-or-equal(datetime,X)` and `less-than(datetime,Y)` -> [X, Y) in seconds. */
function range(filter: unknown): { lowSec: number; highSec: number } {
  if (!Array.isArray(filter)) throw invalid('filter must be a list of filter strings.', at('filter'));
  let low: number | null = null;
  let high: number | null = null;
  for (const item of filter) {
    const m = typeof item === 'string' ? /^(greater-or-equal|less-than)\(datetime,([^)]+)\)$/.exec(item) : null;
    const micros = m?.[2] ? parseDatetime(m[2]) : null;
    if (!m || micros === null) throw invalid(`Unsupported filter '${String(item)}': use greater-or-equal(datetime,...) and less-than(datetime,...).`, at('filter'));
    if (m[1] === 'greater-or-equal') low = Math.floor(micros / MICROS_PER_SECOND);
    else high = Math.floor(micros / MICROS_PER_SECOND);
  }
  if (low === null || high === null) throw invalid('filter must include a datetime range (greater-or-equal and less-than).', at('filter'));
  if (high <= low) throw invalid('The datetime range is empty.', at('filter'));
  if (high - low > 365 * SECONDS_PER_DAY) throw invalid('The datetime range cannot be longer than 1 year.', at('filter'));
  return { lowSec: low, highSec: high };
}

export function aggregateDocument(world: World, raw: string, self: string): Record<string, unknown> {
  const data = requestData(raw, METRIC_AGGREGATES.type);
  const a = isObject(data['attributes']) ? data['attributes'] : {};
  const metricRow = typeof a['metric_id'] === 'string' ? world.metrics.rowOf(a['metric_id']) : undefined;
  if (metricRow === undefined) throw invalid(`metric_id '${String(a['metric_id'])}' is not a metric of this account.`, at('metric_id'));
  const measurements = a['measurements'];
  if (!Array.isArray(measurements) || measurements.length === 0 || !measurements.every((m) => METRIC_AGGREGATES.measurements.includes(String(m)))) {
    throw invalid(`measurements must be a non-empty list of ${METRIC_AGGREGATES.measurements.join(', ')}.`, at('measurements'));
  }
  if ((a['interval'] ?? 'day') !== 'day') throw invalid('This simulator serves interval "day" only.', at('interval'));
  if ((a['timezone'] ?? 'UTC') !== 'UTC') throw invalid('This simulator serves timezone "UTC" only.', at('timezone'));
  if (a['by'] !== undefined) throw invalid('This simulator takes no "by".', at('by'));
  const { lowSec, highSec } = range(a['filter']);
  const days = Math.ceil((highSec - lowSec) / SECONDS_PER_DAY);
  const count = new Array<number>(days).fill(0);
  const value = new Array<number>(days).fill(0);
  const profiles = Array.from({ length: days }, () => new Set<number>());
  const events = world.events;
  for (const row of scanEvents(events, false, null, { low: lowSec, high: highSec })) {
    const sec = events.secOf(row);
    if (sec < lowSec || sec >= highSec || events.metricOf(row) !== metricRow) continue;
    const day = Math.floor((sec - lowSec) / SECONDS_PER_DAY);
    count[day] = (count[day] ?? 0) + 1;
    profiles[day]?.add(events.profileOf(row));
    if (measurements.includes('sum_value')) {
      const v = (events.attributes(row)['event_properties'] as Record<string, unknown>)['$value'];
      value[day] = (value[day] ?? 0) + (typeof v === 'number' ? v : 0);
    }
  }
  const all: Record<string, number[]> = { count, unique: profiles.map((p) => p.size), sum_value: value.map((v) => Math.round(v * 100) / 100) };
  const dates = Array.from({ length: days }, (_, i) => formatSeconds(lowSec + i * SECONDS_PER_DAY));
  const result = { dimensions: [], measurements: Object.fromEntries(measurements.map((m) => [String(m), all[String(m)] ?? []])) };
  return { data: { type: METRIC_AGGREGATES.type, id: `agg-${metricRow}-${lowSec}`, attributes: { dates, data: [result] }, links: { self } }, links: { self } };
}
