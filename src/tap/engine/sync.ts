// The sync: streams -> partitions -> windows -> pages -> records -> STATE. Streams, partitions and windows run
// side by side (bounded); one writer serialises output; STATE follows the records it covers.
import { fetchAccountId } from '../account/account.js';
import { checkAccountNames } from '../account/account-names.js';
import { StreamRun } from './stream-run.js';
import { NOW_MARGIN, replicationRange } from './partition-range.js';
import { forEachConcurrent } from '../shared/concurrency.js';
import { log } from '../shared/log.js';
import type { ProgressSource } from './progress.js';
import { parentScope } from './parent-scope.js';
import { Semaphore } from '../http/semaphore.js';
import { CpuGovernor } from '../http/governor.js';
import type { StateStore } from '../state/state.js';
import type { KlaviyoStream } from './stream.js';
import type { ParentsSince, Partition, StreamRuntime } from './stream-types.js';
import type { SelectedStream, StreamSummary, SyncDeps } from './sync-types.js';
import { fromMicros, toMicros } from '../shared/time.js';
import { closeVersion, openVersion, planVersion, schemaWithDeletes, seenKeys } from '../state/versions.js';
import { ReportStream } from '../reports/report-stream.js';
import { syncReport } from '../reports/reports.js';
import { MetricAggregates } from '../../streams/metric_aggregates.js';
import { syncAggregates } from '../reports/aggregates.js';

const STREAMS_AT_ONCE = 6;
/** Page slots at the start and at the least (see CpuGovernor): one page being written while the next is fetched. */
const INITIAL_PAGE_SLOTS = 4;
const MIN_PAGE_SLOTS = 2;

/**
 * Clamps every bookmark of the selected streams that lies past the sync's upper bound (a clock gone wrong, a
 * hand-edited state), before any STATE is written: no STATE of this run may carry a bookmark in the future.
 */
function clampFutureBookmarks(streams: readonly SelectedStream[], store: StateStore, upper: number): void {
  for (const { stream } of streams) {
    if (!stream.bookmarked) continue;
    for (const { context, bookmark } of store.bookmarks(stream.name)) {
      if ((toMicros(bookmark.replication_key_value) ?? 0) <= upper) continue;
      const where = Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : '';
      log.warn(`stream ${stream.name}${where}: bookmark ${bookmark.replication_key_value} is in the future; clamped to ${fromMicros(upper)}`);
      store.set(stream.name, context, { ...bookmark, replication_key_value: fromMicros(upper), boundary_ids: [] });
    }
  }
}

/** A per-run cache shared by every stream (StreamRuntime.memo): each key is loaded once. */
export function runMemo(): StreamRuntime['memo'] {
  const memos = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!memos.has(key)) memos.set(key, load());
    return memos.get(key) as Promise<T>;
  };
}

export async function runSync(streams: readonly SelectedStream[], deps: SyncDeps): Promise<Map<string, StreamSummary>> {
  clampFutureBookmarks(streams, deps.store, deps.startedAt - NOW_MARGIN);
  const memo = runMemo();
  // Before any stream starts: a name the user set that the account lacks fails the run here, before any output.
  await checkAccountNames(streams.map((s) => s.stream), deps.config, { client: deps.client, memo });
  // Read before anything is written, so a key that cannot see its account fails the run cleanly.
  const accountId = streams.some((s) => s.stream.accountIdColumn) ? await memo('account-id', () => fetchAccountId(deps.client)) : null;
  for (const s of streams) {
    await deps.writer.schema({
      stream: s.stream.name,
      schema: schemaWithDeletes(s.stream, deps.config, s.schema),
      key_properties: s.stream.keyProperties,
      ...(s.stream.replicationKey && s.stream.bookmarked ? { bookmark_properties: [s.stream.replicationKey] } : {}),
    });
  }
  const maxSlots = deps.config.max_requests_in_flight + 2;
  // Starts low: a backfill's first page splits into many windows at once, and the CPU decides how many it can use.
  const pageSlots = new Semaphore(Math.min(maxSlots, INITIAL_PAGE_SLOTS));
  const stopGovernor = new CpuGovernor(pageSlots, Math.min(maxSlots, MIN_PAGE_SLOTS), maxSlots).start();
  const summaries = new Map<string, StreamSummary>();
  try {
    await forEachConcurrent(streams, STREAMS_AT_ONCE, (s) => syncStream(s, deps, { memo, accountId, pageSlots, summaries }));
  } finally {
    stopGovernor();
  }
  deps.stop?.check();
  await deps.writer.state(deps.store.snapshot());
  await deps.writer.flush();
  await deps.audit?.run({ client: deps.client, config: deps.config, selected: new Set(), memo });
  return summaries;
}

/** What the streams of one run share. */
interface RunShared {
  memo: StreamRuntime['memo'];
  /** The key's account id (`account_id_column`), read once; null when no stream adds it. */
  accountId: string | null;
  pageSlots: Semaphore;
  summaries: Map<string, StreamSummary>;
}

/** The log fields of a child stream's parent scope: since when its parents changed, per side (none: every parent). */
function sinceFields(since: ParentsSince): Record<string, string> {
  const out: Record<string, string> = {};
  if (since.listed !== null) out['parents_changed_since'] = fromMicros(since.listed);
  if (since.archived !== since.listed) out['archived_parents_changed_since'] = since.archived === null ? 'every parent' : fromMicros(since.archived);
  return out;
}

/** One stream of the run: its table version, its records and bookmarks, its parent bookmark, its summary. */
async function syncStream(s: SelectedStream, deps: SyncDeps, run: RunShared): Promise<void> {
  deps.stop?.check();
  const started = Date.now();
  const summary: StreamSummary = { records: 0, pages: 0, seconds: 0 };
  run.summaries.set(s.stream.name, summary);
  const parents = parentScope(s.stream, deps.config, deps.store, deps.startedAt, deps.startedAt - NOW_MARGIN);
  const rt: StreamRuntime = { client: deps.client, config: deps.config, selected: s.selected, memo: run.memo, parentsChangedSince: parents.since, cutShort: new Set() };
  const version = planVersion(s.stream, deps.config, deps.store, Math.floor(deps.startedAt / 1000));
  const seen = seenKeys(s.stream, version, deps.config, s.schema);
  const account = s.stream.accountIdColumn ? run.accountId : null;
  log.info(`stream ${s.stream.name}: starting`, sinceFields(parents.since));
  await openVersion(s.stream, version, deps.store, deps.writer);
  deps.progress?.watch(s.stream.name, progressSource(s.stream, deps, rt, summary));
  // A report whose daily budget ran out read only part of what it covers: its full read is left pending.
  let complete = true;
  try {
    if (s.stream instanceof ReportStream) complete = await syncReport(s, deps, rt, summary, { accountId: account, seen });
    else if (s.stream instanceof MetricAggregates) await syncAggregates(s, deps, rt, summary, { accountId: account, seen });
    else await new StreamRun(s, deps, rt, run.pageSlots, summary, account, seen).sync();
  } catch (err) {
    deps.metrics?.syncDuration(s.stream.name, (Date.now() - started) / 1000, 'failed');
    throw err;
  } finally {
    deps.progress?.unwatch(s.stream.name);
  }
  // A stopped stream is unfinished: no parent bookmark, no ACTIVATE_VERSION. So is a stream whose reads were cut short.
  deps.stop?.check();
  const cut = [...(rt.cutShort ?? [])];
  if (cut.length > 0) log.warn(`stream ${s.stream.name}: read in part (${cut.join(', ')}); no parent bookmark or table version is saved for it this run`);
  if (parents.next && cut.length === 0) {
    deps.store.setParentBookmark(s.stream.name, parents.next);
    await deps.writer.state(deps.store.snapshot());
  }
  if (complete && cut.length === 0) await closeVersion(s.stream, version, deps, seen, account);
  else if (!complete && version.full) log.warn(`stream ${s.stream.name}: not every report request was sent, so its full read stays pending (no deletes from it); the next run reads it again`);
  summary.seconds = (Date.now() - started) / 1000;
  deps.metrics?.syncDuration(s.stream.name, summary.seconds, 'succeeded');
  log.info(`stream ${s.stream.name}: done`, { records: summary.records, pages: summary.pages, seconds: summary.seconds });
}

/** What the progress line reads of a running stream; its range and ETA only for an unpartitioned incremental stream. */
export function progressSource(stream: KlaviyoStream, deps: SyncDeps, rt: StreamRuntime, summary: StreamSummary): ProgressSource {
  const whole: Partition = { context: {}, pathParams: {} };
  const single = stream.replicationKey !== null && stream.parent === null;
  const { lower, upper, bookmark } = replicationRange(stream, whole, deps.config, deps.store, deps.startedAt);
  return {
    summary,
    budget: deps.client.rateBudget(stream.budget(rt)),
    bookmark: () => (single ? (deps.store.get(stream.name, whole.context)?.replication_key_value ?? null) : null),
    range: single ? { from: Math.max(lower, bookmark ?? lower), to: upper } : null,
  };
}
