// The shape of the facts generated from Klaviyo's OpenAPI spec for each Reporting API endpoint
// (POST /api/*-values-reports and /api/*-series-reports; see scripts/gen/reports.ts and src/generated/reports.ts).

/**
 * The statistics counted from the conversion metric's events: conversions, their value and what is derived from
 * them (per recipient, per order, the text-message return on spend). The campaign and flow reports ask for every
 * other statistic when the account has no conversion metric (account-names.ts).
 */
export const CONVERSION_STATISTICS: readonly string[] = ['average_order_value', 'conversion_rate', 'conversion_uniques', 'conversion_value', 'conversions', 'revenue_per_recipient', 'text_message_roi'];

export interface ReportFacts {
  operationId: string;
  /** e.g. `/api/campaign-values-reports`. */
  path: string;
  /** The JSON:API type of the request body and the response, e.g. `campaign-values-report`. */
  type: string;
  scopes: string[];
  /** Requests allowed per 1-second burst window, per 1-minute steady window and per day. */
  rateLimit: { perSecond: number; perMinute: number; perDay: number };
  /** Every statistic the report allows (`attributes.statistics` enum). */
  statistics: string[];
  /** The grouping Klaviyo applies when `group_by` is not sent (and what the rows are keyed by). */
  defaultGroupBy: string[];
  /** `group_by` values the report allows (empty: the report takes no `group_by`). */
  groupBy: string[];
  /** Whether `conversion_metric_id` is required. */
  conversionMetric: boolean;
  /** Series reports: the allowed intervals; null for values reports. */
  intervals: string[] | null;
}

/** POST /api/metric-aggregates: counts per metric and time bucket (no daily quota). */
export interface AggregateFacts {
  operationId: string;
  path: string;
  /** `metric-aggregate`. */
  type: string;
  scopes: string[];
  rateLimit: { perSecond: number; perMinute: number };
  /** `count`, `sum_value`, `unique`. */
  measurements: string[];
  intervals: string[];
}
