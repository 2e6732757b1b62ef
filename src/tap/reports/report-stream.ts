// The Reporting API streams (POST /api/*-values-reports and *-series-reports): one row per grouping (values) or per
// grouping and interval (series), with every statistic the report allows as a number column. The engine part
// (planning under the daily quota, posting, state) is src/tap/reports/reports.ts; a report stream is data plus its body.
import { REPORTS } from '../../generated/reports.js';
import type { EndpointFacts } from '../http/endpoint-facts.js';
import type { Filter } from '../engine/filters.js';
import type { JsonApiDocument } from '../http/json-api.js';
import type { SingerRecord } from '../singer/messages.js';
import { CONVERSION_STATISTICS, type ReportFacts } from './report-facts.js';
import { accountNames, type ConversionChoice } from '../account/account-names.js';
import { KlaviyoStream } from '../engine/stream.js';
import type { StreamRuntime } from '../engine/stream-types.js';
import { fromMicros } from '../shared/time.js';

/** One request's time range [start, end), in microseconds (whole UTC days). */
export interface ReportWindow {
  start: number;
  end: number;
}

/** A GET that tells whether the account had data in a window (a report without rows is then a warning). */
export interface DataProbe {
  path: string;
  filters: Filter[];
  /** What the probe looks for, in the warning. */
  what: string;
}

export abstract class ReportStream extends KlaviyoStream {
  /** Longest window one request may cover, in days (Klaviyo: one year; series: 60 days of daily intervals). */
  abstract readonly maxDays: number;
  /** The record fields of the time range: `timeframe_start`/`timeframe_end` or `interval_start`. */
  abstract readonly timeFields: readonly string[];

  get report(): ReportFacts {
    const facts = REPORTS[this.path];
    if (!facts) throw new Error(`stream ${this.name}: ${this.path} is not a Reporting API endpoint of the spec`);
    return facts;
  }

  /** The engine's view of the endpoint (no pages, filters or fields: a POST body says it all). */
  override get facts(): EndpointFacts {
    const r = this.report;
    const rateLimit = { perSecond: r.rateLimit.perSecond, perMinute: r.rateLimit.perMinute };
    return { operationId: r.operationId, path: r.path, resourceType: null, scopes: r.scopes, rateLimit, pageSize: null, filters: {}, filterRequired: false, filterExample: null, sort: [], include: [], fields: {}, additionalFields: {} };
  }

  /** Conversion statistics need the conversion metric, found by name in /api/metrics. */
  override get scopes(): string[] {
    return [...new Set([...super.scopes, ...(this.report.conversionMetric ? ['metrics:read'] : [])])].sort();
  }

  override get primaryKey(): readonly string[] {
    return [...this.report.defaultGroupBy, ...this.timeFields];
  }

  override get needsConversionMetric(): boolean {
    return this.report.conversionMetric;
  }

  /**
   * The conversion metric (account-names.ts): `conversion_metric` by name or id, else a stand-in for the required
   * `conversion_metric_id` and no conversion statistics; null when the account has no metric (nothing to report),
   * and for reports that take none.
   */
  async conversion(rt: StreamRuntime): Promise<ConversionChoice | null> {
    return this.report.conversionMetric ? (await accountNames(rt)).conversion(rt.config) : null;
  }

  /** When the report comes back empty, what to look up to tell "no data" from "data but no rows". */
  probe(_window: ReportWindow): DataProbe | null {
    return null;
  }

  /** The request body for one window. */
  body(window: ReportWindow, conversion: ConversionChoice | null): Record<string, unknown> {
    const r = this.report;
    const counted = conversion === null || conversion.counted;
    const attributes: Record<string, unknown> = {
      statistics: counted ? r.statistics : r.statistics.filter((s) => !CONVERSION_STATISTICS.includes(s)),
      timeframe: { start: fromMicros(window.start), end: fromMicros(window.end) },
      ...(r.groupBy.length > 0 ? { group_by: r.defaultGroupBy } : {}),
      ...(r.conversionMetric && conversion !== null ? { conversion_metric_id: conversion.id } : {}),
      ...this.extraAttributes(),
    };
    return { data: { type: r.type, attributes } };
  }

  protected extraAttributes(): Record<string, unknown> {
    return {};
  }

  /** The records of one response. */
  abstract toReportRecords(doc: JsonApiDocument, window: ReportWindow): SingerRecord[];
}

interface Result {
  groupings: Record<string, unknown>;
  statistics: Record<string, unknown>;
}

function results(doc: JsonApiDocument): Result[] {
  const attributes = (doc.data as { attributes?: { results?: unknown } }).attributes;
  const list = Array.isArray(attributes?.results) ? (attributes.results as unknown[]) : [];
  return list.filter((r): r is Result => typeof r === 'object' && r !== null && 'groupings' in r && 'statistics' in r);
}

/** One row per grouping over the whole timeframe (FULL_TABLE: every run re-reads the timeframe). */
export abstract class ValuesReportStream extends ReportStream {
  readonly maxDays = 365;
  readonly timeFields = ['timeframe_start', 'timeframe_end'] as const;

  toReportRecords(doc: JsonApiDocument, window: ReportWindow): SingerRecord[] {
    const timeframe = { timeframe_start: fromMicros(window.start), timeframe_end: fromMicros(window.end) };
    return results(doc).map((r) => ({ ...r.groupings, ...timeframe, ...r.statistics }));
  }
}

/**
 * One row per grouping and day (daily intervals), incremental on `interval_start`. A day on which a grouping had
 * no activity (every statistic 0 or null) is left out: rows do not depend on how the range was cut into requests.
 */
export abstract class SeriesReportStream extends ReportStream {
  readonly maxDays = 60;
  readonly timeFields = ['interval_start'] as const;
  override readonly replicationKey: string | null = 'interval_start';
  override readonly lateArriving = true;

  protected override extraAttributes(): Record<string, unknown> {
    return { interval: 'daily' };
  }

  toReportRecords(doc: JsonApiDocument, window: ReportWindow): SingerRecord[] {
    const attributes = (doc.data as { attributes?: { date_times?: unknown } }).attributes;
    const times = Array.isArray(attributes?.date_times) ? attributes.date_times.map(String) : [];
    const records: SingerRecord[] = [];
    for (const r of results(doc)) {
      times.forEach((time, i) => {
        const statistics = Object.fromEntries(Object.entries(r.statistics).map(([name, values]) => [name, Array.isArray(values) ? (values[i] ?? null) : null]));
        if (!Object.values(statistics).some((v) => typeof v === 'number' && v !== 0)) return;
        const start = Date.parse(time) * 1000;
        if (!(start >= window.start && start < window.end)) return;
        records.push({ ...r.groupings, interval_start: fromMicros(start), ...statistics });
      });
    }
    return records;
  }
}
