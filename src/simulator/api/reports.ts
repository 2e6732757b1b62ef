// POST /api/*-values-reports and *-series-reports: the body checked as Klaviyo does (JSON:API 400s with a
// pointer), then the statistics counted from the world's events (world/report-stats.ts: campaigns and flows), its
// forms' daily activity or its segments' members (world/form-segment-stats.ts).
import { REPORTS } from '../../generated/reports.js';
import type { ReportFacts } from '../../tap/reports/report-facts.js';
import { formatSeconds, parseDatetime, MICROS_PER_SECOND, SECONDS_PER_DAY } from '../datetime.js';
import { ApiError } from '../http/api-error.js';
import { formGroups, segmentGroups } from '../world/form-segment-stats.js';
import { reportGroups, statisticsOf, type Family } from '../world/report-stats.js';
import type { World } from '../world/world.js';

type ReportFamily = Family | 'form' | 'segment';

/** The reports the simulator serves: campaign and flow email messages, forms, segments. */
const FAMILIES: Record<string, ReportFamily> = {
  '/api/campaign-values-reports': 'campaign',
  '/api/flow-values-reports': 'flow',
  '/api/flow-series-reports': 'flow',
  '/api/form-values-reports': 'form',
  '/api/form-series-reports': 'form',
  '/api/segment-values-reports': 'segment',
  '/api/segment-series-reports': 'segment',
};
const INTERVAL_DAYS: Record<string, number> = { hourly: 7, daily: 60, weekly: 364, monthly: 364 };
const YEAR_SECONDS = 365 * SECONDS_PER_DAY;

/** A JSON:API 400 pointing at the request member that is wrong. */
export function invalid(detail: string, pointer: string): ApiError {
  return new ApiError(400, 'invalid', 'Invalid input.', detail, undefined, pointer);
}

/** The report endpoint of a path (one trailing slash allowed), or null. */
export function reportFactsOf(pathname: string): ReportFacts | null {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return FAMILIES[path] ? (REPORTS[path] ?? null) : null;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Query {
  statistics: string[];
  lowSec: number;
  highSec: number;
  conversionMetricId: string | null;
  interval: string | null;
}

function timeframe(value: unknown): { lowSec: number; highSec: number } {
  const at = '/data/attributes/timeframe';
  if (!isObject(value)) throw invalid('timeframe must be an object with "start" and "end" (or a "key").', at);
  if ('key' in value) throw invalid('This simulator serves custom timeframes only ({"start", "end"}).', `${at}/key`);
  const start = typeof value['start'] === 'string' ? parseDatetime(value['start']) : null;
  const end = typeof value['end'] === 'string' ? parseDatetime(value['end']) : null;
  if (start === null) throw invalid('timeframe.start must be a date-time.', `${at}/start`);
  if (end === null) throw invalid('timeframe.end must be a date-time.', `${at}/end`);
  const lowSec = Math.floor(start / MICROS_PER_SECOND);
  const highSec = Math.floor(end / MICROS_PER_SECOND);
  if (highSec <= lowSec) throw invalid('timeframe.end must be after timeframe.start.', at);
  if (highSec - lowSec > YEAR_SECONDS) throw invalid('The timeframe cannot be longer than 1 year.', at);
  return { lowSec, highSec };
}

/** Checks a report body against the report's facts; throws a 400 naming the offending member. */
export function parseReportBody(world: World, facts: ReportFacts, raw: string): Query {
  const data = requestData(raw, facts.type);
  const a = data['attributes'];
  if (!isObject(a)) throw invalid('data.attributes is required.', '/data/attributes');
  const known = ['statistics', 'timeframe', 'filter', ...(facts.conversionMetric ? ['conversion_metric_id'] : []), ...(facts.groupBy.length > 0 ? ['group_by'] : []), ...(facts.intervals ? ['interval'] : [])];
  for (const name of Object.keys(a)) if (!known.includes(name)) throw invalid(`'${name}' is not a valid field for the resource '${facts.type}'.`, `/data/attributes/${name}`);
  const stats = a['statistics'];
  if (!Array.isArray(stats) || stats.length === 0) throw invalid('statistics must be a non-empty list.', '/data/attributes/statistics');
  stats.forEach((s, i) => {
    if (typeof s !== 'string' || !facts.statistics.includes(s)) throw invalid(`'${String(s)}' is not a valid statistic for ${facts.type}.`, `/data/attributes/statistics/${i}`);
  });
  const { lowSec, highSec } = timeframe(a['timeframe']);
  const metric = facts.conversionMetric ? a['conversion_metric_id'] : null;
  if (metric !== null && (typeof metric !== 'string' || world.metrics.rowOf(metric) === undefined)) throw invalid(`conversion_metric_id '${String(metric)}' is not a metric of this account.`, '/data/attributes/conversion_metric_id');
  const groupBy = a['group_by'];
  if (groupBy !== undefined && groupBy !== null && JSON.stringify(groupBy) !== JSON.stringify(facts.defaultGroupBy)) {
    throw invalid(`This simulator groups by ${facts.defaultGroupBy.join(', ')} only.`, '/data/attributes/group_by');
  }
  if (a['filter'] !== undefined && a['filter'] !== null) throw invalid('This simulator takes no report filter.', '/data/attributes/filter');
  let interval: string | null = null;
  if (facts.intervals) {
    interval = typeof a['interval'] === 'string' ? a['interval'] : null;
    if (!interval || !facts.intervals.includes(interval)) throw invalid(`interval must be one of ${facts.intervals.join(', ')}.`, '/data/attributes/interval');
    if (interval !== 'daily') throw invalid('This simulator serves daily intervals only.', '/data/attributes/interval');
    if (highSec - lowSec > (INTERVAL_DAYS[interval] ?? 0) * SECONDS_PER_DAY) throw invalid(`If ${interval} is used, the timeframe cannot be longer than ${INTERVAL_DAYS[interval]} days.`, '/data/attributes/timeframe');
  }
  return { statistics: stats as string[], lowSec, highSec, conversionMetricId: typeof metric === 'string' ? metric : null, interval };
}

/** Every statistic of each group, per bucket. */
function statisticGroups(world: World, family: ReportFamily, q: Query, bucket: number | null): { groupings: Record<string, string>; buckets: Record<string, number>[] }[] {
  if (family === 'form') return formGroups(world, q.lowSec, q.highSec, bucket);
  if (family === 'segment') return segmentGroups(world, q.lowSec, q.highSec, bucket);
  return reportGroups(world, family, q.conversionMetricId ?? '', q.lowSec, q.highSec, bucket).map((g) => ({ groupings: g.groupings, buckets: g.buckets.map((c) => statisticsOf(c, q.statistics)) }));
}

/** The response document of a valid report query. */
export function reportDocument(world: World, facts: ReportFacts, raw: string, self: string): Record<string, unknown> {
  const q = parseReportBody(world, facts, raw);
  const bucket = q.interval ? SECONDS_PER_DAY : null;
  const results = statisticGroups(world, FAMILIES[facts.path] ?? 'campaign', q, bucket).map((g) => {
    const buckets = g.buckets.map((all) => Object.fromEntries(q.statistics.map((s) => [s, all[s] ?? 0])));
    const statistics = bucket === null ? (buckets[0] ?? {}) : Object.fromEntries(q.statistics.map((s) => [s, buckets.map((b) => b[s] ?? 0)]));
    return { groupings: g.groupings, statistics };
  });
  const attributes: Record<string, unknown> = { results };
  if (bucket !== null) {
    const count = Math.ceil((q.highSec - q.lowSec) / bucket);
    attributes['date_times'] = Array.from({ length: count }, (_, i) => formatSeconds(q.lowSec + i * bucket));
  }
  return { data: { type: facts.type, attributes }, links: { self } };
}

/** The `data` object of a JSON:API request body of `type`; throws a 400 naming what is wrong. */
export function requestData(raw: string, type: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalid('The request body is not valid JSON.', '/');
  }
  const data = isObject(body) ? body['data'] : undefined;
  if (!isObject(data)) throw invalid('The request body must have a "data" object.', '/data');
  if (data['type'] !== type) throw invalid(`data.type must be "${type}".`, '/data/type');
  return data;
}
