// Derives the Reporting API facts (statistics, groupings, tiers incl. the daily quota, intervals) from the spec,
// and the record schema of a report stream: its grouping fields, the timeframe or interval, one number per statistic.
import type { AggregateFacts, ReportFacts } from '../../src/tap/reports/report-facts.js';
import { recordSchema } from './schemas.js';
import { deref, isObject, type Json, type JsonObject, type Spec } from './spec.js';

/** The Reporting API's POST endpoints (and only those: metric aggregates have their own shape). */
export const REPORT_PATH = /^\/api\/(campaign|flow|form|segment)-(values|series)-reports$/;

function rate(value: Json | undefined, unit: 's' | 'm' | 'd'): number {
  const match = typeof value === 'string' ? /^(\d+)\/([smd])$/.exec(value) : null;
  if (!match || match[2] !== unit) throw new Error(`spec: unreadable rate limit ${JSON.stringify(value)}`);
  return Number(match[1]);
}

function enumOf(schema: Json | undefined): string[] {
  if (!isObject(schema)) return [];
  const items = schema['type'] === 'array' ? schema['items'] : schema;
  return isObject(items) && Array.isArray(items['enum']) ? items['enum'].map(String) : [];
}

/** `group_by`'s description names the default grouping: "If not passed in, the data will be grouped by a, b, c." */
function defaultGrouping(groupBy: JsonObject | undefined, attributes: JsonObject, path: string): string[] {
  const text = String(groupBy?.['description'] ?? attributes['description'] ?? '');
  const match = /grouped by ([a-z_, ]+)\./.exec(text);
  if (match?.[1]) return match[1].split(',').map((s) => s.trim());
  // Segment reports take no group_by: their rows are one per segment.
  if (path.startsWith('/api/segment-')) return ['segment_id'];
  throw new Error(`spec: ${path} names no default grouping`);
}

export function reportFacts(spec: Spec, path: string): ReportFacts {
  const op = spec.paths[path]?.['post'];
  if (!op) throw new Error(`spec: no POST ${path}`);
  const body = deref(spec, ((op['requestBody'] as JsonObject)['content'] as JsonObject)['application/vnd.api+json']);
  const data = deref(spec, (deref(spec, body['schema'])['properties'] as JsonObject)['data']);
  const props = data['properties'] as JsonObject;
  const attributes = deref(spec, props['attributes']);
  const attrs = attributes['properties'] as JsonObject;
  const required = Array.isArray(attributes['required']) ? attributes['required'].map(String) : [];
  const limits = isObject(op['x-klaviyo-ratelimit']) ? op['x-klaviyo-ratelimit'] : {};
  const groupBy = isObject(attrs['group_by']) ? attrs['group_by'] : undefined;
  return {
    operationId: String(op['operationId']),
    path,
    type: enumOf(deref(spec, props['type']))[0] ?? '',
    scopes: Array.isArray(op['x-klaviyo-scopes']) ? op['x-klaviyo-scopes'].map(String) : [],
    rateLimit: { perSecond: rate(limits['burst'], 's'), perMinute: rate(limits['steady'], 'm'), perDay: rate(limits['daily'], 'd') },
    statistics: enumOf(attrs['statistics']),
    defaultGroupBy: defaultGrouping(groupBy, attributes, path),
    groupBy: enumOf(groupBy),
    conversionMetric: required.includes('conversion_metric_id'),
    intervals: isObject(attrs['interval']) ? enumOf(attrs['interval']) : null,
  };
}

export const AGGREGATES_PATH = '/api/metric-aggregates';

export function aggregateFacts(spec: Spec): AggregateFacts {
  const op = spec.paths[AGGREGATES_PATH]?.['post'];
  if (!op) throw new Error(`spec: no POST ${AGGREGATES_PATH}`);
  const body = deref(spec, ((op['requestBody'] as JsonObject)['content'] as JsonObject)['application/vnd.api+json']);
  const data = deref(spec, (deref(spec, body['schema'])['properties'] as JsonObject)['data']);
  const props = data['properties'] as JsonObject;
  const attrs = deref(spec, props['attributes'])['properties'] as JsonObject;
  const limits = isObject(op['x-klaviyo-ratelimit']) ? op['x-klaviyo-ratelimit'] : {};
  return {
    operationId: String(op['operationId']),
    path: AGGREGATES_PATH,
    type: enumOf(deref(spec, props['type']))[0] ?? '',
    scopes: Array.isArray(op['x-klaviyo-scopes']) ? op['x-klaviyo-scopes'].map(String) : [],
    rateLimit: { perSecond: rate(limits['burst'], 's'), perMinute: rate(limits['steady'], 'm') },
    measurements: enumOf(attrs['measurements']),
    intervals: enumOf(attrs['interval']),
  };
}

/** The metric_aggregates schema: metric and day, then one nullable number per measurement. */
export function aggregateSchema(stream: { name: string; description: string }, facts: AggregateFacts): JsonObject {
  const properties: JsonObject = {
    metric_id: { type: 'string', description: 'The metric counted' },
    date: { type: 'string', format: 'date-time', description: 'Start of the day (UTC) the measurements are for' },
  };
  for (const measurement of facts.measurements) properties[measurement] = { type: ['number', 'null'] };
  return recordSchema(stream, ['metric_id', 'date'], properties);
}

export function allReportFacts(spec: Spec): ReportFacts[] {
  return Object.keys(spec.paths)
    .filter((path) => REPORT_PATH.test(path) && spec.paths[path]?.['post'])
    .sort()
    .map((path) => reportFacts(spec, path));
}

/** A report stream's record schema: its key fields, then one nullable number per statistic the report allows. */
export function reportSchema(stream: { name: string; description: string; timeFields: readonly string[] }, facts: ReportFacts): JsonObject {
  const properties: JsonObject = {};
  for (const field of facts.defaultGroupBy) properties[field] = { type: 'string', description: `Grouping: ${field}` };
  const timeText: Record<string, string> = {
    timeframe_start: 'Start of the report timeframe (inclusive)',
    timeframe_end: 'End of the report timeframe (exclusive)',
    interval_start: 'Start of the interval (day) the statistics are for',
  };
  for (const field of stream.timeFields) properties[field] = { type: 'string', format: 'date-time', description: timeText[field] ?? field };
  for (const statistic of facts.statistics) properties[statistic] = { type: ['number', 'null'] };
  return recordSchema(stream, [...facts.defaultGroupBy, ...stream.timeFields], properties);
}
