// One stream's run: its partitions, their time windows side by side, the pages of each window, the records
// written and the bookmarks saved (STATE only over the finished prefix of windows).
import { noteFullRead, readFilters, readPartitions } from './archived.js';
import { forEachConcurrent, TaskPool } from '../shared/concurrency.js';
import { SkippableError } from '../shared/errors.js';
import type { Filter } from './filters.js';
import { log } from '../shared/log.js';
import { Pager, type Page } from '../http/paginate.js';
import type { RateBudget } from '../http/ratelimit.js';
import type { Semaphore } from '../http/semaphore.js';
import { BookmarkTracker, handOff, newWindow, PageDensity, planReplication, splittable, windowFilters, type ReplicationPlan, type Window } from './replication.js';
import { EventAudit } from '../reports/audit.js';
import { labelled } from '../account/scopes.js';
import { ACCOUNT_ID, type Lane, type Partition, type StreamRuntime } from './stream-types.js';
import type { SelectedStream, StreamSummary, SyncDeps } from './sync-types.js';
import { firstPageUrl, replicationRange } from './partition-range.js';
import { writeRecords } from './write-records.js';
import { PageSelector, type PageFinds, type PartitionScan, type WindowAt } from './page-select.js';
import { fromMicros } from '../shared/time.js';
import type { SeenKeys } from '../state/deletes.js';


/**
 * Windows side by side pay off where the endpoint's tier allows far more requests than one request at a time
 * achieves (about 2-5 per second over a real network), and not for child streams, whose parents already run
 * side by side.
 */
const SPLIT_MIN_PER_MINUTE = 600;

export class StreamRun {
  private readonly plan: ReplicationPlan | null;
  private readonly splitWindows: boolean;
  /** The stream's lane for lean pages (KlaviyoStream.lane); null: every record goes the general way. */
  private readonly lane: Lane | null;
  /** Picks each page's records that belong to this run, counting what it reads (see warnIfNoRows). */
  private readonly pages: PageSelector;

  constructor(
    private readonly s: SelectedStream,
    private readonly deps: SyncDeps,
    private readonly rt: StreamRuntime,
    private readonly pageSlots: Semaphore,
    private readonly summary: StreamSummary,
    /** Added to every record as `account_id` (`account_id_column`); null: not added. */
    private readonly accountId: string | null = null,
    /** Collects the ids written, where the stream sends deleted records (`emit_deleted_records`). */
    private readonly seen: SeenKeys | null = null,
  ) {
    this.plan = planReplication(s.stream.replicationKey, s.stream.replicationApiField, s.stream.facts, s.stream.sortsByKey);
    this.splitWindows = splittable(this.plan) && !s.stream.parent && s.stream.budget(rt).tier.perMinute >= SPLIT_MIN_PER_MINUTE;
    // A lane writes the stream's own fields; `account_id` is added to its text only where the schema has it.
    this.lane = accountId === null || s.selected.has(ACCOUNT_ID) ? s.stream.lane(rt, s.schema) : null;
    this.pages = new PageSelector(s.stream, this.plan, this.lane, rt);
  }

  async sync(): Promise<void> {
    const { stream } = this.s;
    try {
      await forEachConcurrent(readPartitions(stream, this.rt), this.deps.config.max_requests_in_flight, async (partition) => {
        try {
          await this.syncPartition(partition);
        } catch (err) {
          if (!(err instanceof SkippableError && stream.parent)) throw err;
          log.warn(`stream ${stream.name}: skipped ${JSON.stringify(partition.context)}: ${err.message}`);
        }
      });
    } catch (err) {
      throw labelled(err, this.s.stream);
    }
    this.warnIfNoRows();
  }

  /**
   * Resources came and not one became a record: the stream no longer understands what Klaviyo sends (a field it
   * reads moved in a newer revision, say global_exclusions' suppressions). One warning per stream and run.
   */
  private warnIfNoRows(): void {
    if (this.pages.received === 0 || this.pages.made > 0) return;
    const { stream } = this.s;
    log.warn(`stream ${stream.name}: ${this.pages.received} resource(s) received from ${stream.path} and none became a record: the response may be laid out differently than this tap reads it (revision ${this.deps.config.revision}); please report it`);
  }

  private async syncPartition(partition: Partition): Promise<void> {
    this.deps.stop?.check();
    const base = await readFilters(this.s.stream, partition, this.rt);
    if (base === null) return;
    if (!this.plan) {
      await this.fetchWindow(partition, base, null);
      return;
    }
    const { config, store, startedAt } = this.deps;
    const { lower, upper, bookmark, saved, full } = replicationRange(this.s.stream, partition, config, store, startedAt);
    const boundaryIds = saved?.boundary_ids ?? [];
    if (lower >= upper) return;
    // A full read sends again what it finds at the bookmark too: a record there may have changed side since.
    const skip = bookmark !== null && !full ? { value: bookmark, ids: new Set(boundaryIds) } : null;
    const audit = this.deps.audit && EventAudit.tracks(this.s.stream) ? this.deps.audit.cover(this.s.stream.name, partition.context, lower, upper) : null;
    const scan: PartitionScan = {
      tracker: new BookmarkTracker({ value: bookmark, ids: boundaryIds }),
      pool: new TaskPool(config.max_requests_in_flight),
      skip,
      density: new Map(),
      audit,
    };
    this.startWindow(partition, base, scan, newWindow(lower, upper));
    await scan.pool.idle();
    if (this.deps.stop?.requested || !noteFullRead(this.s.stream, partition, store, startedAt, full)) return;
    await this.deps.writer.state(store.snapshot());
  }

  private startWindow(partition: Partition, base: Filter[], scan: PartitionScan, window: Window, density = new PageDensity()): void {
    scan.tracker.add(window);
    scan.density.set(window, density);
    scan.pool.spawn(() => this.fetchWindow(partition, base, { window, scan }));
  }

  /** Pages through one window (or the whole collection when there is none), writing records and STATE. */
  private async fetchWindow(partition: Partition, base: Filter[], at: WindowAt | null): Promise<void> {
    const url = this.firstUrl(partition, [...base, ...(this.plan && at ? windowFilters(this.plan, at.window) : [])]);
    const budgetKey = this.s.stream.budget(this.rt);
    const budget = this.rt.client.rateBudget(budgetKey);
    const pager = new Pager(this.rt.client, url, budgetKey, this.lane?.newReader ?? true, this.rt.cutShort);
    const stop = this.deps.stop;
    for (;;) {
      // The endpoint admits first (as many as its rate x latency keeps busy), then a page slot is taken: a window
      // waiting on a slow endpoint holds no slot that another stream could use.
      const admitted = await budget.admit();
      const release = await this.pageSlots.acquire();
      try {
        // A stop admits no new request (the window stays unfinished: the bookmark never passes its unread tail).
        if (stop?.requested) {
          admitted();
          break;
        }
        if (!(await this.nextPage(pager, budget, admitted, partition, base, at))) break;
      } finally {
        release();
      }
    }
    // A stop, or a read cut short by a links.next off the collection: the window stays unfinished (no bookmark past it).
    if (stop?.requested || pager.cut) return;
    if (at) {
      at.scan.density.delete(at.window);
      at.window.done = true;
      await this.saveBookmark(partition, at.scan.tracker);
    }
  }

  /**
   * Fetches and writes one page; false once the window is done. Its own call, so that nothing of the page stays
   * referenced while the window waits for its next turn.
   */
  private async nextPage(
    pager: Pager,
    budget: RateBudget,
    admitted: () => void,
    partition: Partition,
    base: Filter[],
    at: WindowAt | null,
  ): Promise<boolean> {
    let page: Page | null;
    try {
      page = await pager.next();
    } finally {
      admitted();
    }
    // A page that arrives after a stop is dropped: none of it is written, so the last STATE stays exact.
    if (!page || this.deps.stop?.requested) return false;
    this.summary.pages++;
    const found: PageFinds = { records: 0, reachedEnd: false, first: null, max: null, idsAtMax: [] };
    const written = this.deps.stop?.writingPage();
    try {
      // Resource by resource, each record written before the next resource is parsed (lean pages).
      await writeRecords(this.s, this.deps, this.pages.select(page, partition, at, found), this.summary, this.accountId, this.seen);
      this.deps.metrics?.count(this.s.stream.name, partition.context, found.records);
      // Only records already written count towards the bookmark: another window may write STATE while this
      // page's records wait for stdout, and that STATE must not cover them (a kill then would lose them).
      if (at && found.max !== null) for (const id of found.idsAtMax) at.scan.tracker.see(at.window, found.max, id);
      if (at && this.plan?.sorted) await this.saveBookmark(partition, at.scan.tracker);
    } finally {
      written?.();
    }
    if (found.reachedEnd) return false;
    if (at && page.hasNext && found.first !== null) this.handTail(partition, base, at, budget, found.first);
    return page.hasNext;
  }

  /**
   * Hands the window's tail (after the page just written, which held `firstValue`..`window.max`) to new windows,
   * so that no window is left with far more pages than the others: a run ends when its longest chain of pages
   * does, one latency per page. A window splits when its estimated pages left exceed its fair share by
   * SPLIT_OVER (the pages left in every open window over the requests the endpoint keeps in flight, rate x the
   * latency seen so far), into parts of about that share (replication.ts handOff). So the partition's first page
   * opens as many windows as the endpoint keeps in flight, no more; the share shrinks as the run nears its end, so
   * the last windows are short. A part is at least MIN_PART pages until the last two pages a lane: each window
   * ends on a part-full page that costs a whole request of the rate limit (opening as many windows as may ever be
   * in flight cost profiles about 90 requests in 1,000, a second and a quarter of their burst; splitting into
   * pieces of a page or two all along took about 1,550 requests for events at scale large, 1,050 pages' worth).
   * A window inside a tie hands on what follows the tie's second at once, into lanes no window holds: at 500 ms a
   * page, the pages after a campaign's send of 5,000 events otherwise waited two and a half seconds behind it.
   */
  private handTail(partition: Partition, base: Filter[], at: WindowAt, budget: RateBudget, firstValue: number): void {
    const { scan, window } = at;
    const last = window.max;
    const density = scan.density.get(window);
    if (!this.splitWindows || last === null || !density) return;
    density.see(firstValue, last);
    let sum = 0;
    for (const [w, d] of scan.density) sum += d.pagesIn(w.max ?? w.from, w.to);
    const lanes = Math.min(budget.target(), this.deps.config.max_requests_in_flight);
    const tails = handOff(window, firstValue, last, density, sum / lanes, lanes - scan.density.size);
    if (tails.length === 0) return;
    log.debug(`stream ${this.s.stream.name}: window split`, { until: fromMicros(window.to), into: tails.length + 1 });
    for (const tail of tails) this.startWindow(partition, base, scan, tail, new PageDensity(density.rate));
  }

  private async saveBookmark(partition: Partition, tracker: BookmarkTracker): Promise<void> {
    if (!this.plan || !this.s.stream.bookmarked || !tracker.advance()) return;
    const bookmark = tracker.bookmark(this.plan.key);
    if (!bookmark) return;
    this.deps.store.set(this.s.stream.name, partition.context, bookmark);
    await this.deps.writer.state(this.deps.store.snapshot());
  }

  private firstUrl(partition: Partition, filters: Filter[]): string {
    return firstPageUrl(this.s.stream, this.plan, this.rt, partition, filters);
  }
}
