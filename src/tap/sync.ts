// The sync: streams -> partitions -> windows -> pages -> records -> STATE. Streams, partitions and windows run
// side by side (bounded); one writer serialises output; STATE follows the records it covers.
import { fetchAccountId } from './account.js';
import type { TapConfig } from './config.js';
import { forEachConcurrent, TaskPool } from './concurrency.js';
import { FatalApiError, SkippableError } from './errors.js';
import type { RecordShaper } from './fit.js';
import { renderFilters, type Filter } from './filters.js';
import type { KlaviyoClient } from './http.js';
import { log } from './log.js';
import type { JsonSchema, MessageWriter, SingerRecord } from './messages.js';
import { paginate, type Page } from './paginate.js';
import { parentScope } from './parents.js';
import { Semaphore } from './ratelimit.js';
import { BookmarkTracker, newWindow, planReplication, splitTail, splittable, windowFilters, type ReplicationPlan, type Window } from './replication.js';
import type { Bookmark, StateStore } from './state.js';
import { ReportStream } from '../streams/report-stream.js';
import { syncReport } from './reports.js';
import { MetricAggregates } from '../streams/metric_aggregates.js';
import { syncAggregates } from './aggregates.js';
import { ACCOUNT_ID, type KlaviyoStream, type Partition, type StreamRuntime } from './stream.js';
import { daysToMicros, fromMicros, MICROS_PER_SECOND, parseUserDate, toMicros } from './time.js';

/** Filters never reach closer to now than this (the API refuses bounds in the future; data settles). */
export const NOW_MARGIN = 10 * MICROS_PER_SECOND;

export interface SelectedStream {
  stream: KlaviyoStream;
  /** Selected fields (automatic ones included). */
  selected: ReadonlySet<string>;
  /** The schema as sent in SCHEMA (selected fields only). */
  schema: JsonSchema;
  /** Makes each record fit that schema (or stops the run). */
  shaper: RecordShaper;
}

export interface SyncDeps {
  config: TapConfig;
  client: KlaviyoClient;
  store: StateStore;
  writer: MessageWriter;
  /** The sync's start, in microseconds: no bookmark moves past it. */
  startedAt: number;
}

export interface StreamSummary {
  records: number;
  pages: number;
  seconds: number;
}

const STREAMS_AT_ONCE = 6;

/** One partition's sync: its bookmark, its windows' tasks, and the ids already sent at the saved bookmark. */
interface PartitionScan {
  tracker: BookmarkTracker;
  pool: TaskPool;
  skip: { value: number; ids: Set<string> } | null;
  /** Windows started and not yet finished. */
  open: number;
}

/**
 * Clamps every bookmark of the selected streams that lies past the sync's upper bound (a clock gone wrong, a
 * hand-edited state), before any STATE is written: no STATE of this run may carry a bookmark in the future.
 */
function clampFutureBookmarks(streams: readonly SelectedStream[], store: StateStore, upper: number): void {
  for (const { stream } of streams) {
    for (const { context, bookmark } of store.bookmarks(stream.name)) {
      if ((toMicros(bookmark.replication_key_value) ?? 0) <= upper) continue;
      const where = Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : '';
      log.warn(`stream ${stream.name}${where}: bookmark ${bookmark.replication_key_value} is in the future; clamped to ${fromMicros(upper)}`);
      store.set(stream.name, context, { ...bookmark, replication_key_value: fromMicros(upper), boundary_ids: [] });
    }
  }
}

export async function runSync(streams: readonly SelectedStream[], deps: SyncDeps): Promise<Map<string, StreamSummary>> {
  clampFutureBookmarks(streams, deps.store, deps.startedAt - NOW_MARGIN);
  const memos = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!memos.has(key)) memos.set(key, load());
    return memos.get(key) as Promise<T>;
  };
  // Read before anything is written, so a key that cannot see its account fails the run cleanly.
  const accountId = streams.some((s) => s.stream.accountIdColumn) ? await memo('account-id', () => fetchAccountId(deps.client)) : null;
  for (const s of streams) {
    await deps.writer.schema({
      stream: s.stream.name,
      schema: s.schema,
      key_properties: s.stream.keyProperties,
      ...(s.stream.replicationKey ? { bookmark_properties: [s.stream.replicationKey] } : {}),
    });
  }
  const pageSlots = new Semaphore(deps.config.max_requests_in_flight + 2);
  const summaries = new Map<string, StreamSummary>();
  await forEachConcurrent(streams, STREAMS_AT_ONCE, async (s) => {
    const started = Date.now();
    const summary: StreamSummary = { records: 0, pages: 0, seconds: 0 };
    summaries.set(s.stream.name, summary);
    const parents = parentScope(s.stream, deps.config, deps.store, deps.startedAt, deps.startedAt - NOW_MARGIN);
    const rt: StreamRuntime = { client: deps.client, config: deps.config, selected: s.selected, memo, parentsChangedSince: parents.since };
    const ownAccountId = s.stream.accountIdColumn ? accountId : null;
    log.info(`stream ${s.stream.name}: starting`, parents.since === null ? {} : { parents_changed_since: fromMicros(parents.since) });
    if (s.stream instanceof ReportStream) await syncReport(s, deps, rt, summary, ownAccountId);
    else if (s.stream instanceof MetricAggregates) await syncAggregates(s, deps, rt, summary, ownAccountId);
    else await new StreamRun(s, deps, rt, pageSlots, summary, ownAccountId).sync();
    if (parents.next) {
      deps.store.setParentBookmark(s.stream.name, parents.next);
      await deps.writer.state(deps.store.snapshot());
    }
    summary.seconds = (Date.now() - started) / 1000;
    log.info(`stream ${s.stream.name}: done`, { records: summary.records, pages: summary.pages, seconds: summary.seconds });
  });
  await deps.writer.state(deps.store.snapshot());
  await deps.writer.flush();
  return summaries;
}

/**
 * Windows side by side pay off where the endpoint's tier allows far more requests than one request at a time
 * achieves (about 2-5 per second over a real network), and not for child streams, whose parents already run
 * side by side.
 */
const SPLIT_MIN_PER_MINUTE = 600;

class StreamRun {
  private readonly plan: ReplicationPlan | null;
  private readonly splitWindows: boolean;

  constructor(
    private readonly s: SelectedStream,
    private readonly deps: SyncDeps,
    private readonly rt: StreamRuntime,
    private readonly pageSlots: Semaphore,
    private readonly summary: StreamSummary,
    /** Added to every record as `account_id` (`account_id_column`); null: not added. */
    private readonly accountId: string | null = null,
  ) {
    this.plan = planReplication(s.stream.replicationKey, s.stream.replicationApiField, s.stream.facts, s.stream.sortsByKey);
    this.splitWindows = splittable(this.plan) && !s.stream.parent && s.stream.budget(rt).tier.perMinute >= SPLIT_MIN_PER_MINUTE;
  }

  async sync(): Promise<void> {
    const { stream } = this.s;
    try {
      await forEachConcurrent(stream.partitions(this.rt), this.deps.config.max_requests_in_flight, async (partition) => {
        try {
          await this.syncPartition(partition);
        } catch (err) {
          if (!(err instanceof SkippableError && stream.parent)) throw err;
          log.warn(`stream ${stream.name}: skipped ${JSON.stringify(partition.context)}: ${err.message}`);
        }
      });
    } catch (err) {
      throw this.labelled(err);
    }
  }

  /** Names the stream (and, on 403, the scopes it needs) in an API error, once. */
  private labelled(err: unknown): unknown {
    const { stream } = this.s;
    if (!(err instanceof FatalApiError) || err.stream !== undefined) return err;
    err.stream = stream.name;
    const hints: Record<number, string> = {
      401: '; check api_key in the config (or TAP_KLAVIYO_API_KEY): the key is missing, mistyped or revoked',
      403: `; the key needs the scopes ${stream.scopes.join(', ')}: add them to the key or deselect ${stream.name}`,
    };
    err.message = `stream ${stream.name}: ${err.message}${hints[err.detail.status] ?? ''}`;
    return err;
  }

  private async syncPartition(partition: Partition): Promise<void> {
    const base = await this.s.stream.filters(partition, this.rt);
    if (base === null) return;
    if (!this.plan) {
      await this.fetchWindow(partition, base, null);
      return;
    }
    const { config, store, startedAt } = this.deps;
    const { lower, upper, bookmark, saved } = replicationRange(this.s.stream, partition, config, store, startedAt);
    const boundaryIds = saved?.boundary_ids ?? [];
    if (lower >= upper) return;
    const skip = bookmark !== null ? { value: bookmark, ids: new Set(boundaryIds) } : null;
    const scan: PartitionScan = {
      tracker: new BookmarkTracker({ value: bookmark, ids: boundaryIds }),
      pool: new TaskPool(config.max_requests_in_flight),
      skip,
      open: 0,
    };
    this.startWindow(partition, base, scan, newWindow(lower, upper));
    await scan.pool.idle();
  }

  private startWindow(partition: Partition, base: Filter[], scan: PartitionScan, window: Window): void {
    scan.tracker.add(window);
    scan.open++;
    scan.pool.spawn(() => this.fetchWindow(partition, base, { window, scan }));
  }

  /** Pages through one window (or the whole collection when there is none), writing records and STATE. */
  private async fetchWindow(partition: Partition, base: Filter[], at: { window: Window; scan: PartitionScan } | null): Promise<void> {
    const plan = this.plan;
    const url = this.firstUrl(partition, [...base, ...(plan && at ? windowFilters(plan, at.window) : [])]);
    const budgetKey = this.s.stream.budget(this.rt);
    const budget = this.rt.client.rateBudget(budgetKey);
    const pages = paginate(this.rt.client, url, budgetKey)[Symbol.asyncIterator]();
    let first = true;
    for (;;) {
      // The endpoint admits first (as many as its rate x latency keeps busy), then a page slot is taken: a window
      // waiting on a slow endpoint holds no slot that another stream could use.
      const admitted = await budget.admit();
      const release = await this.pageSlots.acquire();
      try {
        let next: IteratorResult<Page>;
        try {
          next = await pages.next();
        } finally {
          admitted();
        }
        if (next.done) break;
        this.summary.pages++;
        const page = next.value;
        const { records, seen, reachedEnd, first: firstValue } = this.select(page, partition, at);
        await this.emit(records);
        // Only records already written count towards the bookmark: another window may write STATE while this
        // page's records wait for stdout, and that STATE must not cover them (a kill then would lose them).
        if (at) for (const [value, id] of seen) at.scan.tracker.see(at.window, value, id);
        if (at && plan?.sorted) await this.saveBookmark(partition, at.scan.tracker);
        if (reachedEnd) {
          await pages.return(undefined);
          break;
        }
        // Hand the tail to new windows after a window's first page, and again on a later page whenever fewer windows
        // are open than the endpoint can keep in flight (rate x latency), so the last long windows do not run alone.
        const wanted = Math.min(budget.target(), this.deps.config.max_requests_in_flight) - (at?.scan.open ?? 0);
        const maxNew = first ? this.deps.config.max_requests_in_flight - 1 : wanted;
        if (maxNew > 0 && at && page.hasNext && this.splitWindows && at.window.max !== null && firstValue !== null) {
          const tails = splitTail(at.window, firstValue, at.window.max, maxNew);
          if (tails.length > 0) log.debug(`stream ${this.s.stream.name}: window split`, { until: fromMicros(at.window.to), into: tails.length + 1 });
          for (const tail of tails) this.startWindow(partition, base, at.scan, tail);
        }
        first = false;
      } finally {
        release();
      }
    }
    if (at) {
      at.scan.open--;
      at.window.done = true;
      await this.saveBookmark(partition, at.scan.tracker);
    }
  }

  /** The page's records that belong to this run: inside the window, and not already sent at the bookmark. */
  private select(
    page: Page,
    partition: Partition,
    at: { window: Window; scan: PartitionScan } | null,
  ): { records: SingerRecord[]; seen: Array<[value: number, id: string]>; reachedEnd: boolean; first: number | null } {
    const plan = this.plan;
    const records: SingerRecord[] = [];
    const seen: Array<[number, string]> = [];
    let reachedEnd = false;
    let first: number | null = null;
    for (const resource of page.data) {
      for (const record of this.s.stream.toRecords(resource, page, partition, this.rt)) {
        const raw = plan ? record[plan.key] : undefined;
        const value = typeof raw === 'string' ? toMicros(raw) : null;
        if (plan && at && value !== null) {
          const { window, scan } = at;
          if (value < window.from) continue;
          if (value >= window.to) {
            reachedEnd ||= plan.sorted;
            continue;
          }
          first ??= value;
          const id = String(record['id']);
          if (scan.skip && value === scan.skip.value && scan.skip.ids.has(id)) continue;
          seen.push([value, id]);
        }
        records.push(record);
      }
    }
    return { records, seen, reachedEnd, first };
  }

  private async saveBookmark(partition: Partition, tracker: BookmarkTracker): Promise<void> {
    if (!this.plan || !tracker.advance()) return;
    const bookmark = tracker.bookmark(this.plan.key);
    if (!bookmark) return;
    this.deps.store.set(this.s.stream.name, partition.context, bookmark);
    await this.deps.writer.state(this.deps.store.snapshot());
  }

  private firstUrl(partition: Partition, filters: Filter[]): string {
    return firstPageUrl(this.s.stream, this.plan, this.rt, partition, filters);
  }

  private emit(records: SingerRecord[]): Promise<void> {
    return writeRecords(this.s, this.deps, records, this.summary, this.accountId);
  }
}

/** Writes records of a stream through its shaper (with `account_id` when given), waiting only when stdout is full. */
export async function writeRecords(s: SelectedStream, deps: SyncDeps, records: SingerRecord[], summary: StreamSummary, accountId: string | null): Promise<void> {
  const extracted = new Date().toISOString();
  for (const raw of records) {
    if (accountId !== null) raw[ACCOUNT_ID] = accountId;
    // Waits only when stdout is full: a page's records otherwise go out in one go (and the page is freed).
    const full = deps.writer.recordNow(s.stream.name, s.shaper.fit(raw), extracted);
    if (full) await full;
    summary.records++;
  }
}

/**
 * The replication range [lower, upper) of one partition: from the bookmark (less the lookback) or the start
 * date, to end_date or the sync's start less the no-read margin. A bookmark past `upper` (clamped by runSync,
 * or past end_date) leaves nothing to read.
 */
export function replicationRange(
  stream: KlaviyoStream,
  partition: Partition,
  config: TapConfig,
  store: StateStore,
  startedAt: number,
): { lower: number; upper: number; bookmark: number | null; saved: Bookmark | undefined } {
  const overrides = config.streams[stream.name] ?? {};
  const start = parseUserDate(overrides.start_date ?? config.start_date) ?? 0;
  const end = overrides.end_date ?? config.end_date;
  const upper = Math.min(end ? (parseUserDate(end) ?? Infinity) : Infinity, startedAt - NOW_MARGIN);
  const saved = store.get(stream.name, partition.context);
  const bookmark = saved ? toMicros(saved.replication_key_value) : null;
  const lookback = stream.lateArriving ? daysToMicros(overrides.lookback_days ?? config.lookback_days) : 0;
  return { lower: Math.max(start, (bookmark ?? start) - lookback), upper, bookmark, saved };
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
