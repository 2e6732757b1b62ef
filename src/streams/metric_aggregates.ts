// https://developers.klaviyo.com/en/reference/query_metric_aggregates
import { METRIC_AGGREGATES } from '../generated/reports.js';
import type { EndpointFacts } from '../tap/http/endpoint-facts.js';
import type { JsonApiDocument } from '../tap/http/json-api.js';
import type { SingerRecord } from '../tap/singer/messages.js';
import { accountNames } from '../tap/account/account-names.js';
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { Partition, StreamRuntime } from '../tap/engine/stream-types.js';
import { fromMicros } from '../tap/shared/time.js';
import type { ReportWindow } from '../tap/reports/report-stream.js';

/** Per metric and UTC day: how many events (`count`), profiles (`unique`) and their summed value (`sum_value`). */
export class MetricAggregates extends KlaviyoStream {
  readonly name = 'metric_aggregates';
  readonly path = METRIC_AGGREGATES.path;
  readonly description = 'Per metric and day: count of events, unique profiles and summed value (one request per metric and year)';
  override readonly replicationKey: string | null = 'date';
  override readonly lateArriving = true;
  /** Klaviyo answers at most a year per query. */
  readonly maxDays = 365;

  override get facts(): EndpointFacts {
    const a = METRIC_AGGREGATES;
    return { operationId: a.operationId, path: a.path, resourceType: null, scopes: a.scopes, rateLimit: a.rateLimit, pageSize: null, filters: {}, filterRequired: false, filterExample: null, sort: [], include: [], fields: {}, additionalFields: {} };
  }

  override get primaryKey(): readonly string[] {
    return ['metric_id', 'date'];
  }

  /** One partition per metric of the account (its own bookmark). */
  override async *partitions(rt: StreamRuntime): AsyncGenerator<Partition> {
    const ids = (await accountNames(rt)).metrics.map((m) => m.id).sort();
    for (const id of ids) yield { context: { metric_id: id }, pathParams: {} };
  }

  body(metricId: string, window: ReportWindow): Record<string, unknown> {
    const filter = [`greater-or-equal(datetime,${fromMicros(window.start)})`, `less-than(datetime,${fromMicros(window.end)})`];
    return { data: { type: METRIC_AGGREGATES.type, attributes: { metric_id: metricId, measurements: METRIC_AGGREGATES.measurements, interval: 'day', filter, timezone: 'UTC' } } };
  }

  /** One row per day with any event (a day without events has no row, whatever the windows were). */
  toAggregateRecords(doc: JsonApiDocument, metricId: string, window: ReportWindow): SingerRecord[] {
    const attributes = (doc.data as { attributes?: { dates?: unknown; data?: unknown } }).attributes;
    const dates = Array.isArray(attributes?.dates) ? attributes.dates.map(String) : [];
    const [row] = Array.isArray(attributes?.data) ? (attributes.data as Array<{ measurements?: Record<string, unknown> }>) : [];
    const measurements = row?.measurements ?? {};
    const records: SingerRecord[] = [];
    dates.forEach((date, i) => {
      const values = Object.fromEntries(Object.entries(measurements).map(([name, list]) => [name, Array.isArray(list) ? (list[i] ?? null) : null]));
      const start = Date.parse(date) * 1000;
      if (!Object.values(values).some((v) => typeof v === 'number' && v !== 0) || !(start >= window.start && start < window.end)) return;
      records.push({ metric_id: metricId, date: fromMicros(start), ...values });
    });
    return records;
  }
}
