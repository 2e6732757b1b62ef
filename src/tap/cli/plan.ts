// --plan: before a backfill, estimates per selected stream the requests a sync would make and the time Klaviyo's
// rate limits allow for them, from a first page or two per partition and parent listing; writes no state.
// A sorted stream's first page spans `first..last` of its replication key: the range left, divided by that
// span, gives the pages left. Child streams sample their parents' first listing page and one partition.
import { readFilters, readPartitions } from '../engine/archived.js';
import type { TapConfig } from '../config/config.js';
import { SkippableError } from '../shared/errors.js';
import type { KlaviyoClient } from '../http/http.js';
import type { BudgetKey } from '../http/json-api.js';
import { paginate, type Page } from '../http/paginate.js';
import { parentListings } from '../engine/parents.js';
import { EVERY_PARENT } from '../engine/stream-types.js';
import { parentScope } from '../engine/parent-scope.js';
import { planReplication, windowFilters, type ReplicationPlan } from '../engine/replication.js';
import { StateStore } from '../state/state.js';
import { budgetOf } from '../http/endpoint-facts.js';
import type { KlaviyoStream } from '../engine/stream.js';
import type { ParentSpec, Partition, StreamRuntime } from '../engine/stream-types.js';
import { firstPageUrl, NOW_MARGIN, replicationRange } from '../engine/partition-range.js';
import type { SelectedStream } from '../engine/sync-types.js';
import { fromMicros, MICROS_PER_DAY, MICROS_PER_SECOND, parseUserDate, toMicros } from '../shared/time.js';
import { planVersion } from '../state/versions.js';
import { dailyAllowance, dayWindows, reportWindows, startOfDay, usedToday } from '../reports/report-windows.js';
import { MetricAggregates } from '../../streams/metric_aggregates.js';
import { ReportStream } from '../reports/report-stream.js';
import { ENDPOINTS } from '../../generated/endpoints.js';

/** Pages a sample follows when the page's records do not tell how many remain. */
const SAMPLE_PAGES = 2;
/** Partitions of a non-child stream sampled one by one (channels, reasons, metrics); the rest extrapolated. */
const SAMPLE_PARTITIONS = 8;

export interface RequestCount {
  budget: BudgetKey;
  requests: number;
}

export interface StreamEstimate {
  stream: string;
  partitions: number;
  /** Requests, by the budget (endpoint) they draw on: the stream's own and its parents' listings. */
  counts: RequestCount[];
  /** True where a sample stopped before the end, so the figure is a floor. */
  atLeast: boolean;
  basis: string;
}

interface Sample {
  pages: number;
  atLeast: boolean;
  basis: string;
}

/** Seconds a budget needs for `requests`: the burst window within one steady minute, the steady rate beyond. */
export function secondsFor(requests: number, tier: BudgetKey['tier']): number {
  return requests <= tier.perMinute ? requests / tier.perSecond : (requests / tier.perMinute) * 60;
}

export async function planStreams(streams: readonly SelectedStream[], deps: { config: TapConfig; client: KlaviyoClient; store: StateStore; startedAt: number }): Promise<StreamEstimate[]> {
  const memos = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!memos.has(key)) memos.set(key, load());
    return memos.get(key) as Promise<T>;
  };
  const out: StreamEstimate[] = [];
  for (const s of streams) {
    const since = parentScope(s.stream, deps.config, deps.store, deps.startedAt, deps.startedAt - NOW_MARGIN).since;
    const rt: StreamRuntime = { client: deps.client, config: deps.config, selected: s.selected, memo, parentsChangedSince: since };
    if (s.stream instanceof ReportStream) {
      out.push(reportEstimate(s.stream, deps));
      continue;
    }
    if (s.stream instanceof MetricAggregates) {
      out.push(await aggregatesEstimate(s.stream, rt, deps));
      continue;
    }
    const planner = new StreamPlanner(s.stream, rt, refreshView(s.stream, deps.config, deps.store, deps.startedAt), deps.startedAt);
    out.push(await (s.stream.parent ? planner.child(s.stream.parent) : planner.topLevel()));
  }
  return out;
}

/** The state the sync will read the stream from: without its bookmarks when its full refresh falls due this run. */
function refreshView(stream: KlaviyoStream, config: TapConfig, store: StateStore, startedAt: number): StateStore {
  if (!planVersion(stream, config, store, Math.floor(startedAt / 1000)).restart) return store;
  const view = new StateStore(store.snapshot());
  view.beginVersion(stream.name, 1, true);
  return view;
}

/** A report's requests are known without asking: its windows, capped by what is left of today's report budget. */
function reportEstimate(stream: ReportStream, deps: { config: TapConfig; store: StateStore; startedAt: number }): StreamEstimate {
  const today = startOfDay(deps.startedAt);
  const saved = deps.store.get(stream.name, {});
  const windows = reportWindows(stream, deps.config, saved ? toMicros(saved.replication_key_value) : null, today).length;
  const left = dailyAllowance(stream.report.rateLimit.perDay, deps.config.report_daily_budget) - usedToday(deps.store, stream.name, fromMicros(today).slice(0, 10));
  const requests = Math.min(windows, Math.max(0, left));
  const basis = `${windows} report windows${requests < windows ? `, ${requests} within today's report_daily_budget` : ''}`;
  return { stream: stream.name, partitions: 1, counts: [{ budget: budgetOf(stream.facts), requests }], atLeast: false, basis };
}

/** metric_aggregates: one request per metric and year of days left to read (the metrics listed once). */
async function aggregatesEstimate(stream: MetricAggregates, rt: StreamRuntime, deps: { config: TapConfig; store: StateStore; startedAt: number }): Promise<StreamEstimate> {
  const today = startOfDay(deps.startedAt);
  const floor = startOfDay(parseUserDate(deps.config.streams[stream.name]?.start_date ?? deps.config.start_date) ?? 0);
  let partitions = 0;
  let requests = 0;
  for await (const p of stream.partitions(rt)) {
    partitions++;
    const saved = deps.store.get(stream.name, p.context);
    const from = saved ? Math.max(floor, startOfDay(toMicros(saved.replication_key_value) ?? today) - Math.ceil(deps.config.lookback_days) * MICROS_PER_DAY) : floor;
    requests += dayWindows(from, today, stream.maxDays).length;
  }
  return { stream: stream.name, partitions, counts: [{ budget: budgetOf(stream.facts), requests }], atLeast: false, basis: `${partitions} metrics, a request per year of days` };
}

class StreamPlanner {
  private readonly plan: ReplicationPlan | null;

  constructor(
    private readonly stream: KlaviyoStream,
    private readonly rt: StreamRuntime,
    private readonly store: StateStore,
    private readonly startedAt: number,
  ) {
    this.plan = planReplication(stream.replicationKey, stream.replicationApiField, stream.facts, stream.sortsByKey);
  }

  async topLevel(): Promise<StreamEstimate> {
    const partitions: Partition[] = [];
    for await (const p of readPartitions(this.stream, this.rt)) partitions.push(p);
    const samples = await Promise.all(partitions.slice(0, SAMPLE_PARTITIONS).map((p) => this.sample(p)));
    const sampled = samples.reduce((n, x) => n + x.pages, 0);
    const pages = samples.length ? Math.round((sampled * partitions.length) / samples.length) : 0;
    const basis = partitions.length === 1 ? (samples[0]?.basis ?? '') : `${partitions.length} partitions, ${samples.length} sampled`;
    return {
      stream: this.stream.name,
      partitions: partitions.length,
      counts: [{ budget: this.stream.budget(this.rt), requests: pages }],
      atLeast: samples.some((x) => x.atLeast),
      basis,
    };
  }

  /** Parents from the first listing page of each level; one partition (the first parent's) sampled. */
  async child(spec: ParentSpec): Promise<StreamEstimate> {
    const since = this.rt.parentsChangedSince ?? EVERY_PARENT;
    const chain: ParentSpec[] = [];
    for (let p: ParentSpec | undefined = spec; p; p = p.parent) chain.unshift(p);
    let owners = [''];
    let parents = 1;
    let atLeast = false;
    const counts: RequestCount[] = [];
    for (const level of chain) {
      const facts = ENDPOINTS[level.path];
      if (!facts) throw new Error(`parent ${level.path} is not in the spec`);
      // Listing each owner's parents: sampled for the first owner, the same for every other.
      const found: string[] = [];
      let pages = 0;
      for (const { url } of parentListings(level, owners[0] ?? '', since)) {
        const first = await this.firstPage(url, budgetOf(facts));
        pages++;
        atLeast ||= first.hasNext;
        found.push(...first.data.map((r) => r.id));
      }
      counts.push({ budget: budgetOf(facts), requests: pages * parents });
      parents *= found.length;
      owners = found;
      if (parents === 0) break;
    }
    const firstParent = owners[0];
    const sample = firstParent !== undefined && parents > 0 ? await this.sample({ context: { [spec.key]: firstParent }, pathParams: { id: firstParent } }) : null;
    counts.push({ budget: this.stream.budget(this.rt), requests: sample ? sample.pages * parents : 0 });
    const changed = since.listed === null && since.archived === null ? '' : ' changed since the parent bookmark';
    return {
      stream: this.stream.name,
      partitions: parents,
      counts,
      atLeast: atLeast || Boolean(sample?.atLeast),
      basis: `${parents} ${spec.resourceType}s${changed} (first listing page), ${sample ? `first: ${sample.basis}` : 'nothing to read'}`,
    };
  }

  private async firstPage(url: string, budget: BudgetKey): Promise<Page> {
    const pages = paginate(this.rt.client, url, budget);
    const next = await pages.next();
    await pages.return(undefined);
    if (next.done) throw new Error(`no page from ${url}`);
    return next.value;
  }

  /** Pages of one partition: from its first page's span of a sorted key, else by following a page or two. */
  private async sample(partition: Partition): Promise<Sample> {
    let base;
    try {
      base = await readFilters(this.stream, partition, this.rt);
    } catch (err) {
      if (err instanceof SkippableError) return { pages: 0, atLeast: false, basis: 'skipped' };
      throw err;
    }
    if (base === null) return { pages: 0, atLeast: false, basis: 'nothing to read' };
    const range = this.plan ? replicationRange(this.stream, partition, this.rt.config, this.store, this.startedAt) : null;
    if (range && range.lower >= range.upper) return { pages: 0, atLeast: false, basis: 'up to date' };
    const filters = [...base, ...(this.plan && range ? windowFilters(this.plan, { from: range.lower, to: range.upper }) : [])];
    const url = firstPageUrl(this.stream, this.plan, this.rt, partition, filters);
    const pages = paginate(this.rt.client, url, this.stream.budget(this.rt));
    try {
      for (let n = 1; ; n++) {
        const next = await pages.next();
        if (next.done) return { pages: n - 1, atLeast: false, basis: `${n - 1} page(s), read to the end` };
        const page = next.value;
        if (!page.hasNext) return { pages: n, atLeast: false, basis: `${n} page(s), read to the end` };
        const span = n === 1 && range ? this.spanEstimate(page, range.upper) : null;
        if (span) return span;
        if (n >= SAMPLE_PAGES) return { pages: n, atLeast: true, basis: `more than ${n} pages (unsorted: not estimated)` };
      }
    } catch (err) {
      if (err instanceof SkippableError) return { pages: 1, atLeast: false, basis: 'skipped' };
      throw err;
    } finally {
      await pages.return(undefined);
    }
  }

  /** For a sorted key: 1 + (range left after the page) / (range the page covers). */
  private spanEstimate(page: Page, upper: number): Sample | null {
    if (!this.plan?.sorted) return null;
    const values = page.data
      .flatMap((r) => this.stream.toRecords(r, page, { context: {}, pathParams: {} }, this.rt))
      .map((rec) => rec[this.plan?.key ?? ''])
      .map((v) => (typeof v === 'string' ? toMicros(v) : null))
      .filter((v): v is number => v !== null);
    const first = values[0];
    const last = values[values.length - 1];
    if (first === undefined || last === undefined) return null;
    const span = Math.max(last - first, MICROS_PER_SECOND);
    const pages = 1 + Math.ceil(Math.max(upper - last, 0) / span);
    return { pages, atLeast: false, basis: `first page spans ${formatSpan(last - first)}, ${formatSpan(upper - first)} to read` };
  }
}

function formatSpan(micros: number): string {
  const s = micros / MICROS_PER_SECOND;
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}min`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
