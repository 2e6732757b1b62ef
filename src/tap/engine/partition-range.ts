// Where a partition's read starts and ends (bookmark, lookback, start and end dates, the no-read margin), and the
// URL of its first page.
import { fullReadDue } from './archived.js';
import type { TapConfig } from '../config/config.js';
import { renderFilters, type Filter } from './filters.js';
import type { ReplicationPlan } from './replication.js';
import type { Bookmark, StateStore } from '../state/state.js';
import type { KlaviyoStream } from './stream.js';
import type { Partition, StreamRuntime } from './stream-types.js';
import { daysToMicros, MICROS_PER_SECOND, parseUserDate, toMicros } from '../shared/time.js';

/** Filters never reach closer to now than this (the API refuses bounds in the future; data settles). */
export const NOW_MARGIN = 10 * MICROS_PER_SECOND;

/** How far a stream reads: its `end_date` (or the config's), and never past `limit` (micros). */
export function readUpTo(stream: KlaviyoStream, config: TapConfig, limit: number): number {
  const end = config.streams[stream.name]?.end_date ?? config.end_date;
  return Math.min(end ? (parseUserDate(end) ?? Infinity) : Infinity, limit);
}

/**
 * The replication range [lower, upper) of one partition: from the bookmark (less the lookback) or the start
 * date, to end_date or the sync's start less the no-read margin. A bookmark past `upper` (clamped by runSync,
 * or past end_date) leaves nothing to read. `full`: a full read falls due (archived.ts), from the start date.
 */
export function replicationRange(
  stream: KlaviyoStream,
  partition: Partition,
  config: TapConfig,
  store: StateStore,
  startedAt: number,
): { lower: number; upper: number; bookmark: number | null; saved: Bookmark | undefined; full: boolean } {
  const overrides = config.streams[stream.name] ?? {};
  const start = parseUserDate(overrides.start_date ?? config.start_date) ?? 0;
  const upper = readUpTo(stream, config, startedAt - NOW_MARGIN);
  const saved = stream.bookmarked ? store.get(stream.name, partition.context) : undefined;
  const bookmark = saved ? toMicros(saved.replication_key_value) : null;
  const lookback = stream.lateArriving ? daysToMicros(overrides.lookback_days ?? config.lookback_days) : 0;
  const full = fullReadDue(stream, partition, config, store, startedAt);
  return { lower: Math.max(start, (full ? start : (bookmark ?? start)) - lookback), upper, bookmark, saved, full };
}

/** The URL of a partition's first page: filters, sort, page size and the stream's own parameters. */
export function firstPageUrl(stream: KlaviyoStream, plan: ReplicationPlan | null, rt: StreamRuntime, partition: Partition, filters: Filter[]): string {
  const facts = stream.facts;
  const params: Record<string, string> = {};
  const filter = renderFilters(filters);
  if (filter) params['filter'] = filter;
  if (plan?.sorted) params['sort'] = plan.apiField;
  if (facts.pageSize) {
    const wanted = rt.config.streams[stream.name]?.page_size ?? facts.pageSize.max;
    params['page[size]'] = String(Math.min(Math.max(wanted, facts.pageSize.min), facts.pageSize.max));
  }
  Object.assign(params, stream.params(rt));
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${stream.resolvePath(partition)}${query ? `?${query}` : ''}`;
}
